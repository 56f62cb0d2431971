// The survey form renderer: a form definition's sections and questions, every question type
// (numbers, prices, yes/no, single and multiple choice, text, date, photos with the camera,
// barcodes, product grids as a compact list of products with the grid's columns), live rules
// (rules.ts) and each problem at its question in the user's language.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { ListProduct } from "../api/types";
import { described } from "../components/Form";
import { Icon } from "../components/Icon";
import { addPhoto, photoThumbs, removeDraftPhoto } from "../field";
import { formatNumber } from "../format";
import { geoStore } from "../geo";
import { useI18n, type I18n } from "../i18n";
import { issueText, localise } from "./labels";
import { cellKey, type CellState, type DraftValues, type Evaluation, type FormDefinition, type GridValues, type Issue, type QuestionDef } from "./rules";

export interface FormUi {
  values: DraftValues;
  evaluation: Evaluation;
  /** The issue to show at `key` now (null: none yet or none at all). */
  issue(key: string): Issue | null;
  set(key: string, value: unknown): void;
  setCell(grid: string, productId: number, column: string, value: unknown): void;
  lists: Readonly<Record<string, readonly ListProduct[]>>;
}

/** aria-invalid / aria-describedby of a control with an issue and a hint. */
const aria = (id: string, issue: Issue | null | undefined, hint?: string | null) => described(id, issue ? "error" : null, hint);

const domId = (key: string) => `q-${key.replace(/[^a-zA-Z0-9_-]/g, "-")}`;

function ErrorLine({ id, issue }: { id: string; issue: Issue | null }) {
  const i18n = useI18n();
  if (!issue) return null;
  return (
    <p id={`${id}-error`} class="field-error">
      <Icon name="close" size={16} /> <span>{issueText(issue, i18n)}</span>
    </p>
  );
}

/** Yes / No as two big buttons; tapping the chosen one again clears the answer. */
export function YesNo(props: { id: string; label: string; value: unknown; onChange(value: boolean | null): void; issue?: Issue | null; compact?: boolean }) {
  const { t } = useI18n();
  const choose = (answer: boolean) => props.onChange(props.value === answer ? null : answer);
  return (
    <div
      class={props.compact ? "yesno yesno-compact" : "yesno"} role="group" aria-labelledby={`${props.id}-label`}
      {...aria(props.id, props.issue)} id={props.id}
    >
      <button type="button" class="yesno-button" aria-pressed={props.value === true} onClick={() => choose(true)}>{t("form.yes")}</button>
      <button type="button" class="yesno-button" aria-pressed={props.value === false} onClick={() => choose(false)}>{t("form.no")}</button>
    </div>
  );
}

function inputModeOf(q: QuestionDef): "numeric" | "decimal" {
  return q.type === "integer" && (q.min ?? -1) >= 0 ? "numeric" : "decimal";
}

/** "€" for EUR in the user's locale. */
export function currencySymbol(currency: string, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency }).formatToParts(0).find((p) => p.type === "currency")?.value ?? currency;
  } catch {
    return currency;
  }
}

function NumberInput(props: { id: string; q: QuestionDef; value: unknown; onChange(value: string): void; issue: Issue | null; small?: boolean; label?: string }) {
  const { locale } = useI18n();
  const suffix = props.q.type === "price" ? currencySymbol(props.q.currency ?? "EUR", locale) : null;
  const input = (
    <input
      id={props.id} class={props.small ? "input input-cell" : "input input-number"} type="text" inputMode={inputModeOf(props.q)}
      autoComplete="off" value={typeof props.value === "string" || typeof props.value === "number" ? String(props.value) : ""}
      onInput={(e) => props.onChange((e.currentTarget as HTMLInputElement).value)} {...aria(props.id, props.issue)}
      aria-label={props.label}
    />
  );
  return suffix ? <span class="input-suffix-wrap">{input}<span class="input-suffix" aria-hidden="true">{suffix}</span></span> : input;
}

function ChoiceList(props: { id: string; q: QuestionDef; value: unknown; multiple: boolean; onChange(value: unknown): void; issue: Issue | null }) {
  const i18n = useI18n();
  const chosen = props.multiple ? (Array.isArray(props.value) ? (props.value as string[]) : []) : props.value;
  return (
    <div class="choices choice-list" role={props.multiple ? "group" : "radiogroup"} aria-labelledby={`${props.id}-label`} id={props.id} {...aria(props.id, props.issue)}>
      {(props.q.choices ?? []).map((choice) => {
        const checked = props.multiple ? (chosen as string[]).includes(choice.value) : chosen === choice.value;
        return (
          <label key={choice.value} class="choice">
            <input
              type={props.multiple ? "checkbox" : "radio"} name={props.id} value={choice.value} checked={checked}
              onChange={() => {
                if (props.multiple) {
                  const list = chosen as string[];
                  props.onChange(checked ? list.filter((v) => v !== choice.value) : [...list, choice.value]);
                } else {
                  props.onChange(choice.value);
                }
              }}
            />
            <span>{localise(choice.label, i18n.lang)}</span>
          </label>
        );
      })}
    </div>
  );
}

function ChoiceSelect(props: { id: string; q: QuestionDef; value: unknown; onChange(value: string | null): void; issue: Issue | null; small?: boolean; label?: string }) {
  const i18n = useI18n();
  return (
    <select
      id={props.id} class={props.small ? "select select-cell" : "select"} value={typeof props.value === "string" ? props.value : ""}
      onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value || null)} {...aria(props.id, props.issue)}
      aria-label={props.label}
    >
      <option value="">{i18n.t("form.choose")}</option>
      {(props.q.choices ?? []).map((c) => <option key={c.value} value={c.value}>{localise(c.label, i18n.lang)}</option>)}
    </select>
  );
}

function Photos(props: { id: string; q: QuestionDef; value: unknown; onChange(value: string[]): void; issue: Issue | null }) {
  const { t } = useI18n();
  const uuids = Array.isArray(props.value) ? (props.value as string[]) : [];
  const max = props.q.max_photos ?? 1;
  const [thumbs, setThumbs] = useState<Record<string, string | null>>({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    void photoThumbs(uuids).then((found) => live && setThumbs(found));
    return () => {
      live = false;
    };
  }, [uuids.join(",")]);
  const take = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const files = [...(input.files ?? [])].slice(0, Math.max(0, max - uuids.length));
    input.value = "";
    if (!files.length) return;
    setBusy(true);
    try {
      const origin = geoStore.get().origin;
      const fix = origin?.source === "gps" && origin.at && Date.now() - origin.at < 10 * 60_000
        ? { lat: origin.lat, lon: origin.lon, accuracy: origin.accuracy ?? null } : null;
      const added: string[] = [];
      for (const file of files) added.push((await addPhoto(file, fix)).uuid);
      props.onChange([...uuids, ...added]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="photos" id={props.id} {...aria(props.id, props.issue)}>
      {uuids.length > 0 && (
        <ul class="photo-list">
          {uuids.map((uuid, i) => (
            <li key={uuid} class="photo">
              {thumbs[uuid] ? <img src={thumbs[uuid]!} alt={t("form.photo.uploaded", { n: i + 1 })} width={88} height={88} /> : (
                <span class="photo-placeholder" role="img" aria-label={t("form.photo.uploaded", { n: i + 1 })}><Icon name="camera" /></span>
              )}
              <button
                type="button" class="icon-button photo-remove" aria-label={t("form.photo.remove", { n: i + 1 })}
                onClick={() => {
                  void removeDraftPhoto(uuid);
                  props.onChange(uuids.filter((u) => u !== uuid));
                }}
              >
                <Icon name="close" size={20} />
              </button>
            </li>
          ))}
        </ul>
      )}
      {uuids.length < max && (
        <label class={busy ? "button button-secondary photo-take is-busy" : "button button-secondary photo-take"}>
          <Icon name="camera" size={20} /> {t("form.photo.add")}
          <input
            class="visually-hidden" type="file" accept="image/*" capture="environment" multiple={max - uuids.length > 1}
            aria-describedby={`${props.id}-label`} onChange={(e) => void take(e)} disabled={busy}
          />
        </label>
      )}
      {max > 1 && <p class="small muted">{t("form.photo.count", { count: uuids.length, max })}</p>}
    </div>
  );
}

/**
 * One cell of a product grid (a column of one product's row). `inline`: the row's leading yes/no
 * column, beside the product's name, its label shown once above the list (and read out per row).
 */
function Cell(props: { grid: QuestionDef; column: QuestionDef; product: ListProduct; state: CellState; ui: FormUi; inline?: boolean }) {
  const i18n = useI18n();
  const { grid, column, product, ui } = props;
  const key = cellKey(grid.key, product.product_id, column.key);
  const id = domId(key);
  const row = ((ui.values[grid.key] as GridValues | undefined) ?? {})[String(product.product_id)] ?? {};
  const value = row[column.key];
  const issue = ui.issue(key);
  const label = localise(column.label, i18n.lang);
  const set = (v: unknown) => ui.setCell(grid.key, product.product_id, column.key, v);
  let control: ComponentChildren;
  switch (column.type) {
    case "boolean":
      control = <YesNo id={id} label={label} value={value} onChange={set} issue={issue} compact />;
      break;
    case "integer":
    case "decimal":
    case "price":
      control = <NumberInput id={id} q={column} value={value} onChange={set} issue={issue} small />;
      break;
    case "single":
      control = <ChoiceSelect id={id} q={column} value={value} onChange={set} issue={issue} small />;
      break;
    case "date":
      control = (
        <input
          id={id} class="input input-cell" value={typeof value === "string" ? value : ""} type="date"
          onInput={(e) => set((e.currentTarget as HTMLInputElement).value)} {...aria(id, issue)}
        />
      );
      break;
    default:
      control = (
        <input
          id={id} class="input input-cell" value={typeof value === "string" ? value : ""} type="text"
          onInput={(e) => set((e.currentTarget as HTMLInputElement).value)} {...aria(id, issue)}
        />
      );
  }
  const wide = column.type === "boolean" || column.type === "single" || column.type === "text";
  if (props.inline) {
    return (
      <div class={`cell cell-inline${issue ? " has-error" : ""}`} data-column={column.key}>
        <span id={`${id}-label`} class="visually-hidden">{label}: {product.name}</span>
        {control}
        <ErrorLine id={id} issue={issue} />
      </div>
    );
  }
  return (
    <div class={`cell cell-${column.type}${wide ? " cell-wide" : ""}${issue ? " has-error" : ""}`} data-column={column.key}>
      {column.type === "boolean" ? (
        <span id={`${id}-label`} class="cell-label">{label}{props.state.required && <span class="required" aria-hidden="true"> *</span>}</span>
      ) : (
        <label id={`${id}-label`} for={id} class="cell-label">{label}{props.state.required && <span class="required" aria-hidden="true"> *</span>}</label>
      )}
      {control}
      <ErrorLine id={id} issue={issue} />
    </div>
  );
}

function ProductGrid({ q, ui }: { q: QuestionDef; ui: FormUi }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const products = ui.lists[q.product_list ?? ""] ?? [];
  const values = (ui.values[q.key] as GridValues | undefined) ?? {};
  const cells = ui.evaluation.cells[q.key] ?? {};
  const columns = q.columns ?? [];
  const lead = columns[0]?.type === "boolean" ? columns[0] : null;
  const stateOf = (product: ListProduct, column: QuestionDef): CellState =>
    cells[String(product.product_id)]?.[column.key] ?? { shown: true, required: false };
  const done = products.filter((p) => columns.some((c) => {
    const v = values[String(p.product_id)]?.[c.key];
    return v !== undefined && v !== null && v !== "";
  })).length;
  return (
    <div class="grid-q">
      <div class="grid-head">
        <p class="small muted grid-progress">{t("form.products", { done: formatNumber(done, locale), total: formatNumber(products.length, locale) })}</p>
        {lead && (
          <p class="grid-lead-label" aria-hidden="true">
            {localise(lead.label, i18n.lang)}{lead.required === true && <span class="required"> *</span>}
          </p>
        )}
      </div>
      <ul class="grid-rows">
        {products.map((product) => {
          const rowIssue = ui.issue(cellKey(q.key, product.product_id));
          return (
            <li key={product.product_id} class="grid-row" data-product-id={product.product_id} data-gtin={product.gtin}>
              <div class="grid-top">
                <p class="grid-product">
                  <span class="grid-name">{product.name}</span>
                  <span class="grid-meta">
                    {[product.brand, product.size, product.own ? t("form.ownProduct") : null, product.reference ? t("form.referenceProduct") : null]
                      .filter(Boolean).join(" · ")}
                  </span>
                </p>
                {lead && stateOf(product, lead).shown && (
                  <Cell grid={q} column={lead} product={product} state={stateOf(product, lead)} ui={ui} inline />
                )}
              </div>
              <div class="grid-cells">
                {columns.slice(lead ? 1 : 0).map((column) => {
                  const state = stateOf(product, column);
                  return state.shown ? <Cell key={column.key} grid={q} column={column} product={product} state={state} ui={ui} /> : null;
                })}
              </div>
              {rowIssue && <p class="field-error">{issueText(rowIssue, i18n)}</p>}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function Question({ q, ui }: { q: QuestionDef; ui: FormUi }) {
  const i18n = useI18n();
  const { t } = i18n;
  const id = domId(q.key);
  const value = ui.values[q.key];
  const issue = ui.issue(q.key);
  const required = !!ui.evaluation.required[q.key];
  const label = localise(q.label, i18n.lang);
  const hint = q.type === "barcode" ? localise(q.hint, i18n.lang) || t("form.barcodeHint") : localise(q.hint, i18n.lang);
  const set = (v: unknown) => ui.set(q.key, v);
  const grouped = q.type === "boolean" || q.type === "single" || q.type === "multiple" || q.type === "photo" || q.type === "product_grid";
  let control: ComponentChildren;
  switch (q.type) {
    case "integer":
    case "decimal":
    case "price":
      control = <NumberInput id={id} q={q} value={value} onChange={set} issue={issue} />;
      break;
    case "boolean":
      control = <YesNo id={id} label={label} value={value} onChange={set} issue={issue} />;
      break;
    case "single":
      control = (q.choices ?? []).length > 6
        ? <ChoiceSelect id={id} q={q} value={value} onChange={set} issue={issue} />
        : <ChoiceList id={id} q={q} value={value} multiple={false} onChange={set} issue={issue} />;
      break;
    case "multiple":
      control = <ChoiceList id={id} q={q} value={value} multiple onChange={set} issue={issue} />;
      break;
    case "text":
      control = q.multiline ? (
        <textarea id={id} class="input textarea" value={typeof value === "string" ? value : ""} maxLength={q.max_length ?? 2000}
          onInput={(e) => set((e.currentTarget as HTMLTextAreaElement).value)} {...aria(id, issue, hint)} />
      ) : (
        <input id={id} class="input" value={typeof value === "string" ? value : ""} maxLength={q.max_length ?? 2000} autoComplete="off"
          onInput={(e) => set((e.currentTarget as HTMLInputElement).value)} {...aria(id, issue, hint)} />
      );
      break;
    case "date":
      control = <input id={id} class="input" type="date" value={typeof value === "string" ? value : ""}
        onInput={(e) => set((e.currentTarget as HTMLInputElement).value)} {...aria(id, issue, hint)} />;
      break;
    case "barcode":
      control = <input id={id} class="input" value={typeof value === "string" ? value : ""} inputMode={q.gtin === false ? "text" : "numeric"}
        autoComplete="off" spellcheck={false} maxLength={100} onInput={(e) => set((e.currentTarget as HTMLInputElement).value)}
        {...aria(id, issue, hint)} />;
      break;
    case "photo":
      control = <Photos id={id} q={q} value={value} onChange={set} issue={issue} />;
      break;
    case "product_grid":
      control = <ProductGrid q={q} ui={ui} />;
      break;
  }
  return (
    <div class={`field question question-${q.type}${issue ? " has-error" : ""}`} data-question={q.key}>
      {grouped ? (
        <p id={`${id}-label`} class="field-label">{label}{required && <span class="required" aria-hidden="true"> *</span>}</p>
      ) : (
        <label id={`${id}-label`} for={id} class="field-label">{label}{required && <span class="required" aria-hidden="true"> *</span>}</label>
      )}
      {hint && q.type !== "text" && q.type !== "date" && q.type !== "barcode" && <p class="field-hint question-hint">{hint}</p>}
      {control}
      <ErrorLine id={id} issue={issue} />
      {hint && (q.type === "text" || q.type === "date" || q.type === "barcode") && <p id={`${id}-hint`} class="field-hint">{hint}</p>}
    </div>
  );
}

export function SurveyForm({ definition, ui }: { definition: FormDefinition; ui: FormUi }) {
  const i18n = useI18n();
  return (
    <>
      {definition.sections.map((section) =>
        ui.evaluation.sections[section.key] === false ? null : (
          <section key={section.key} class="form-section" aria-labelledby={`section-${section.key}`}>
            <h2 id={`section-${section.key}`} class="section-title">{localise(section.title, i18n.lang)}</h2>
            {section.questions.map((q) => (ui.evaluation.shown[q.key] ? <Question key={q.key} q={q} ui={ui} /> : null))}
          </section>
        ),
      )}
    </>
  );
}

/** A computed value as the user reads it: "37.5 %", "106.2 (100 = same price)", "—". */
export function computedText(value: unknown, unit: unknown, i18n: I18n): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? i18n.t("form.yes") : i18n.t("form.no");
  if (typeof value !== "number") return String(value);
  const unitText = localise(unit as Parameters<typeof localise>[0], i18n.lang);
  if (unitText === "%") return new Intl.NumberFormat(i18n.locale, { style: "unit", unit: "percent", maximumFractionDigits: 2 }).format(value);
  const number = new Intl.NumberFormat(i18n.locale, { maximumFractionDigits: 2 }).format(value);
  return unitText ? `${number} (${unitText})` : number;
}
