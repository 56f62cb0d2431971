// Add or edit a contact at an account. The server checks and normalises (phone to E.164);
// its `errors[]` are shown next to each field.
import { useEffect, useRef, useState } from "preact/hooks";
import { createContact, updateContact, type ContactInput } from "../api/accounts";
import { ApiError, NetworkError } from "../api/client";
import type { Contact } from "../api/types";
import { errorText } from "../hooks";
import { useI18n, type I18n } from "../i18n";
import { described, Field, focusFirstError } from "./Form";

const FIELDS = ["name", "role", "phone", "email", "preferred_language", "consent"] as const;
type FieldName = (typeof FIELDS)[number];
export const CONTACT_LANGUAGES = ["de", "fr", "en"] as const;

/** "German" / "Deutsch" / "allemand" for "de", in the UI's language. */
export function languageName(code: string, i18n: I18n): string {
  try {
    return new Intl.DisplayNames([i18n.locale], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * The server's field messages are English. The usual ones at contacts are said in the
 * user's language; anything else is shown as the server wrote it.
 */
export function fieldMessage(field: string, message: string, i18n: I18n): string {
  if (i18n.lang === "en") return message;
  if (field === "phone" && /not (a valid )?(a )?phone number/i.test(message)) return i18n.t("contacts.phoneInvalid");
  if (field === "email" && /valid email/i.test(message)) return i18n.t("contacts.emailInvalid");
  return message;
}

/** A write that failed: messages per field (server or own checks) and one for the rest. */
export function writeFailure<F extends string>(
  error: unknown, fields: readonly F[], i18n: I18n,
): { fields: Partial<Record<F, string>>; general: string | null } {
  if (error instanceof ApiError && error.status === 422) {
    const byField = error.fieldErrors;
    const mine: Partial<Record<F, string>> = {};
    const others: string[] = [];
    for (const [field, message] of Object.entries(byField)) {
      if ((fields as readonly string[]).includes(field)) mine[field as F] = fieldMessage(field, message, i18n);
      else others.push(`${field}: ${message}`);
    }
    if (Object.keys(mine).length) {
      return { fields: mine, general: others.length ? others.join("; ") : i18n.t("account.fixFields") };
    }
  }
  if (error instanceof NetworkError) return { fields: {}, general: i18n.t("account.offlineWrite") };
  return { fields: {}, general: errorText(error, i18n) };
}

export function ContactForm(props: {
  accountId: number;
  contact?: Contact;
  onSaved(contact: Contact, created: boolean): void;
  onCancel(): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const editing = props.contact;
  const prefix = editing ? `contact-${editing.id}` : "contact-new";
  const [values, setValues] = useState<ContactInput>({
    name: editing?.name ?? "",
    role: editing?.role ?? "",
    phone: editing?.phone ?? "",
    email: editing?.email ?? "",
    preferred_language: editing?.preferred_language ?? "",
    consent: editing?.consent ?? false,
  });
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    form.current?.querySelector<HTMLInputElement>("input")?.focus();
  }, []);

  const set = (field: FieldName, value: string | boolean) => {
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
    setGeneral(null);
  };
  const text = (field: FieldName) => (e: Event) => set(field, (e.currentTarget as HTMLInputElement).value);
  const orNull = (value: string | null) => (value && value.trim() ? value.trim() : null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    if (!values.name.trim()) {
      setErrors({ name: t("contacts.nameMissing") });
      focusFirstError(form.current);
      return;
    }
    const body: ContactInput = {
      name: values.name.trim(),
      role: orNull(values.role),
      phone: orNull(values.phone),
      email: orNull(values.email),
      preferred_language: orNull(values.preferred_language),
      consent: values.consent,
    };
    setBusy(true);
    try {
      const saved = editing ? await updateContact(editing.id, body) : await createContact(props.accountId, body);
      props.onSaved(saved, !editing);
    } catch (error) {
      setBusy(false);
      const failure = writeFailure(error, FIELDS, i18n);
      setErrors(failure.fields);
      setGeneral(failure.general);
      focusFirstError(form.current);
    }
  };

  const id = (field: string) => `${prefix}-${field}`;
  return (
    <form
      ref={form} class="panel contact-form" noValidate onSubmit={(e) => void submit(e)}
      aria-labelledby={id("title")}
    >
      <h3 id={id("title")} class="panel-title">{editing ? t("contacts.editTitle") : t("contacts.new")}</h3>
      <div class="form-alert" role="alert">
        {general && <p class="message message-error">{general}</p>}
      </div>
      <Field id={id("name")} label={t("contacts.name")} error={errors.name} required>
        <input
          id={id("name")} class="input" value={values.name} autoComplete="off" required maxLength={200}
          onInput={text("name")} {...described(id("name"), errors.name)}
        />
      </Field>
      <Field id={id("role")} label={t("contacts.role")} error={errors.role}>
        <input
          id={id("role")} class="input" value={values.role ?? ""} autoComplete="off" maxLength={100}
          onInput={text("role")} {...described(id("role"), errors.role)}
        />
      </Field>
      <Field id={id("phone")} label={t("contacts.phone")} error={errors.phone} hint={t("contacts.phoneHint")}>
        <input
          id={id("phone")} class="input" type="tel" inputMode="tel" value={values.phone ?? ""} autoComplete="off"
          maxLength={40} onInput={text("phone")} {...described(id("phone"), errors.phone, t("contacts.phoneHint"))}
        />
      </Field>
      <Field id={id("email")} label={t("contacts.email")} error={errors.email}>
        <input
          id={id("email")} class="input" type="email" inputMode="email" value={values.email ?? ""} autoComplete="off"
          autoCapitalize="off" spellcheck={false} maxLength={254} onInput={text("email")}
          {...described(id("email"), errors.email)}
        />
      </Field>
      <Field id={id("preferred_language")} label={t("contacts.language")} error={errors.preferred_language}>
        <select
          id={id("preferred_language")} class="select" value={values.preferred_language ?? ""}
          onChange={text("preferred_language")} {...described(id("preferred_language"), errors.preferred_language)}
        >
          <option value="">{t("contacts.languageNone")}</option>
          {CONTACT_LANGUAGES.map((code) => (
            <option key={code} value={code}>{languageName(code, i18n)}</option>
          ))}
        </select>
      </Field>
      <div class={errors.consent ? "field has-error" : "field"}>
        <label class="check">
          <input
            id={id("consent")} type="checkbox" checked={values.consent}
            onChange={(e) => set("consent", (e.currentTarget as HTMLInputElement).checked)}
            {...described(id("consent"), errors.consent)}
          />
          <span>{t("contacts.consentLabel")}</span>
        </label>
        {errors.consent && <p id={`${id("consent")}-error`} class="field-error">{errors.consent}</p>}
      </div>
      <div class="form-actions">
        <button type="button" class="button button-secondary" onClick={props.onCancel} disabled={busy}>
          {t("account.cancel")}
        </button>
        <button type="submit" class="button button-primary" disabled={busy} aria-busy={busy}>
          {busy ? t("account.saving") : t("contacts.save")}
        </button>
      </div>
    </form>
  );
}
