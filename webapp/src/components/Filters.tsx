import { FORMATS, type OutletFormat } from "../api/types";
import { useI18n, type MessageKey } from "../i18n";
import { Icon } from "./Icon";

/** A text box with a visible label and a clear button. */
export function SearchField(props: {
  id: string;
  label: string;
  placeholder: string;
  value: string;
  onInput(value: string): void;
  autoFocus?: boolean;
  hideLabel?: boolean;
}) {
  const { t } = useI18n();
  return (
    <div class="search-field">
      <label for={props.id} class={props.hideLabel ? "visually-hidden" : "field-label"}>
        {props.label}
      </label>
      <div class="search-input-wrap">
        <Icon name="search" size={20} />
        <input
          id={props.id} type="search" class="search-input" value={props.value} placeholder={props.placeholder}
          autoComplete="off" autoCapitalize="off" spellcheck={false} enterKeyHint="search" autoFocus={props.autoFocus}
          onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
        />
        {props.value && (
          <button type="button" class="icon-button clear-button" aria-label={t("filter.clear")} onClick={() => props.onInput("")}>
            <Icon name="close" size={20} />
          </button>
        )}
      </div>
    </div>
  );
}

/** One-tap format filter: a row of toggle chips ("All" and each store format). */
export function FormatChips({ value, onChange }: { value: OutletFormat | null; onChange(value: OutletFormat | null): void }) {
  const { t } = useI18n();
  return (
    <div class="chips" role="group" aria-label={t("filter.format")}>
      <button type="button" class="chip" aria-pressed={value === null} onClick={() => onChange(null)}>
        {t("filter.all")}
      </button>
      {FORMATS.map((format) => (
        <button
          key={format} type="button" class="chip" aria-pressed={value === format}
          onClick={() => onChange(value === format ? null : format)}
        >
          {t(`format.${format}` as MessageKey)}
        </button>
      ))}
    </div>
  );
}
