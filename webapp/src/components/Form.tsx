// Form fields with a visible label, an optional hint and the error message of the field
// (from the app's own checks or the server's `errors[]`), tied together for screen readers.
import type { ComponentChildren } from "preact";
import { useI18n } from "../i18n";
import { Icon } from "./Icon";

/** aria-* attributes of an input with id `id`. */
export function described(id: string, error?: string | null, hint?: string | null) {
  const ids = [error ? `${id}-error` : "", hint ? `${id}-hint` : ""].filter(Boolean).join(" ");
  return { "aria-invalid": error ? ("true" as const) : undefined, "aria-describedby": ids || undefined };
}

export function Field(props: {
  id: string;
  label: string;
  error?: string | null;
  hint?: string | null;
  required?: boolean;
  children: ComponentChildren;
}) {
  return (
    <div class={props.error ? "field has-error" : "field"}>
      <label for={props.id} class="field-label">
        {props.label}
        {props.required && <span class="required" aria-hidden="true"> *</span>}
      </label>
      {props.children}
      {props.error && (
        <p id={`${props.id}-error`} class="field-error">
          <Icon name="close" size={16} /> <span>{props.error}</span>
        </p>
      )}
      {props.hint && <p id={`${props.id}-hint`} class="field-hint">{props.hint}</p>}
    </div>
  );
}

/** A password box with a show/hide button (the button keeps the box's width on 360 px phones). */
export function PasswordInput(props: {
  id: string;
  value: string;
  onInput(value: string): void;
  shown: boolean;
  onToggle(): void;
  autoComplete: "current-password" | "new-password";
  error?: string | null;
  hint?: string | null;
  toggle?: boolean;
}) {
  const { t } = useI18n();
  return (
    <div class="input-wrap">
      <input
        id={props.id} class="input" value={props.value}
        {...({ type: props.shown ? "text" : "password" } as { type: "text" })}
        autoComplete={props.autoComplete} autoCapitalize="off" spellcheck={false} required
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
        {...described(props.id, props.error, props.hint)}
      />
      {props.toggle !== false && (
        <button
          type="button" class="icon-button input-button" aria-pressed={props.shown} aria-controls={props.id}
          aria-label={props.shown ? t("login.hide") : t("login.show")} title={props.shown ? t("login.hide") : t("login.show")}
          onClick={props.onToggle}
        >
          <Icon name={props.shown ? "eyeOff" : "eye"} />
        </button>
      )}
    </div>
  );
}

/** Put the focus on the first field with an error (after the messages have rendered). */
export function focusFirstError(form: HTMLFormElement | null): void {
  requestAnimationFrame(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}
