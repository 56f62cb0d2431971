// What every HQ view is about: the grain (day, week, month), the range ("last 8 weeks" or
// chosen dates) and the filters, shown as removable chips. A filter's values are those
// measured in the range (a KPI cut by that dimension), with their names.
import { useEffect, useState } from "preact/hooks";
import { Icon } from "../components/Icon";
import { useI18n } from "../i18n";
import { getKpi, type KpiDefinition } from "./api";
import { dimName, useLoad, useValueLabels, valueName } from "./bits";
import {
  addFilter, answeredRange, applicableFilters, DIMENSIONS, formatRange, GRAINS, LAST_CHOICES, rangeOf, rangeStart, removeFilter,
  type Dimension, type Grain, type HqQuery,
} from "./model";
import { rememberLabels } from "./state";

/** Dimensions whose values read as they are (or are translated by the app): no lookup of their names. */
const SELF_NAMED: readonly Dimension[] = ["country", "banner", "group", "format", "class", "own", "brand", "category"];

/** The KPI whose cut lists a dimension's values: visits reach the most outlets; products come from store checks. */
function optionSource(dim: Dimension, definitions: readonly KpiDefinition[]): KpiDefinition | undefined {
  const visits = definitions.find((d) => d.key === "visits_done");
  if (visits?.dimensions.includes(dim)) return visits;
  return definitions.find((d) => d.key === "numeric_distribution" && d.dimensions.includes(dim))
    ?? definitions.find((d) => d.dimensions.includes(dim));
}

/** Finds the names of a dimension's chosen values (a filter that came with the address, say product 12). */
function LabelLookup({ dim, query, definitions }: { dim: Dimension; query: HqQuery; definitions: readonly KpiDefinition[] }) {
  const source = optionSource(dim, definitions);
  const { [dim]: _same, ...others } = query.filters;
  const lookup = { ...query, filters: others };
  const answer = useLoad(source ? JSON.stringify(["labels", source.key, dim, lookup]) : null, (signal) =>
    getKpi(lookup, source!, [dim], signal, false),
  );
  useEffect(() => {
    if (answer.data) rememberLabels(dim, answer.data.rows.map((r) => [String(r.keys[dim]), r.labels?.[dim]]));
  }, [answer.data, dim]);
  return null;
}

function FilterPicker(props: {
  query: HqQuery;
  dims: readonly Dimension[];
  definitions: readonly KpiDefinition[];
  onAdd(dim: Dimension, value: string): void;
  onClose(): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [dim, setDim] = useState<Dimension>(props.dims[0]);
  const [value, setValue] = useState("");
  const source = optionSource(dim, props.definitions);
  // The other values of a dimension already filtered on: leave that filter out of the question.
  const { [dim]: _same, ...others } = props.query.filters;
  const optionsQuery = { ...props.query, filters: others };
  const key = source ? JSON.stringify([source.key, dim, optionsQuery]) : null;
  const options = useLoad(key, (signal) => getKpi(optionsQuery, source!, [dim], signal, false));
  const rows = (options.data?.rows ?? []).filter((r) => r.n > 0 && r.keys[dim] !== null);
  const taken = new Set(props.query.filters[dim] ?? []);
  const choices = rows
    .map((r) => ({ value: String(r.keys[dim]), label: valueName(dim, r.keys[dim], r.labels?.[dim], i18n) }))
    .filter((c) => !taken.has(c.value))
    .sort((a, b) => a.label.localeCompare(b.label, i18n.locale));

  const add = (event: Event) => {
    event.preventDefault();
    if (!value) return;
    rememberLabels(dim, rows.map((r) => [String(r.keys[dim]), r.labels?.[dim]]));
    props.onAdd(dim, value);
    setValue("");
  };

  return (
    <form class="hq-picker" onSubmit={add}>
      <div class="field">
        <label for="hq-filter-dim" class="field-label">{t("hq.filterBy")}</label>
        <select
          id="hq-filter-dim" class="select" value={dim}
          onChange={(e) => {
            setDim((e.currentTarget as HTMLSelectElement).value as Dimension);
            setValue("");
          }}
        >
          {props.dims.map((d) => <option key={d} value={d}>{dimName(d, i18n)}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="hq-filter-value" class="field-label">{t("hq.filterValue")}</label>
        <select
          id="hq-filter-value" class="select" value={value} disabled={options.loading && !rows.length}
          aria-busy={options.loading} onChange={(e) => setValue((e.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">{options.loading ? t("app.loading") : choices.length ? t("hq.filterChoose") : t("hq.noValues")}</option>
          {choices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
        </select>
      </div>
      <div class="hq-picker-actions">
        <button type="submit" class="button button-primary" disabled={!value}>{t("hq.filterAdd")}</button>
        <button type="button" class="button button-text" onClick={props.onClose}>{t("settings.close")}</button>
      </div>
    </form>
  );
}

export function QueryBar(props: {
  query: HqQuery;
  /** Filters the view on show can take (the others stay chosen, marked as not used here). */
  allowed: readonly string[];
  definitions: readonly KpiDefinition[];
  /** Whether the view compares with the previous range (then it says which). */
  compared: boolean;
  onChange(query: HqQuery): void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const labels = useValueLabels();
  const { query, onChange } = props;
  const [picking, setPicking] = useState(false);
  const custom = query.from !== null;
  const choices = LAST_CHOICES[query.period];
  const { unused } = applicableFilters(query.filters, props.allowed);
  const filterDims = DIMENSIONS.filter((d) => props.allowed.includes(d) && d !== "form_version");
  const chips = DIMENSIONS.flatMap((dim) => (query.filters[dim] ?? []).map((value) => ({ dim, value })));
  const today = rangeStart("day", 1, new Date());
  const answered = answeredRange(query);

  const setGrain = (period: Grain) => {
    const last = LAST_CHOICES[period].includes(query.last) ? query.last : LAST_CHOICES[period][Math.min(2, LAST_CHOICES[period].length - 1)];
    onChange({ ...query, period, last });
  };
  const setRange = (value: string) => {
    if (value === "custom") {
      const { from } = rangeOf(query);
      onChange({ ...query, from, to: null });
    } else {
      onChange({ ...query, last: Number(value), from: null, to: null });
    }
  };

  return (
    <div class="hq-querybar">
      <div class="hq-period">
        <div class="field">
          <label for="hq-grain" class="field-label">{t("hq.grain")}</label>
          <select id="hq-grain" class="select" value={query.period} onChange={(e) => setGrain((e.currentTarget as HTMLSelectElement).value as Grain)}>
            {GRAINS.map((g) => <option key={g} value={g}>{t(`hq.grain.${g}`)}</option>)}
          </select>
        </div>
        <div class="field hq-range-field">
          <label for="hq-range" class="field-label">{t("hq.period")}</label>
          <select id="hq-range" class="select" value={custom ? "custom" : String(query.last)} onChange={(e) => setRange((e.currentTarget as HTMLSelectElement).value)}>
            {(choices.includes(query.last) ? choices : [...choices, query.last].sort((a, b) => a - b)).map((n) => (
              <option key={n} value={String(n)}>{i18n.plural(`hq.last.${query.period}`, n)}</option>
            ))}
            <option value="custom">{t("hq.custom")}</option>
          </select>
        </div>
        {custom && (
          <>
            <div class="field">
              <label for="hq-from" class="field-label">{t("hq.from")}</label>
              <input
                id="hq-from" type="date" class="input" value={query.from ?? ""} max={query.to ?? today} required
                onChange={(e) => {
                  const from = (e.currentTarget as HTMLInputElement).value;
                  if (from) onChange({ ...query, from, to: query.to && query.to < from ? null : query.to });
                }}
              />
            </div>
            <div class="field">
              <label for="hq-to" class="field-label">{t("hq.to")}</label>
              <input
                id="hq-to" type="date" class="input" value={query.to ?? ""} min={query.from ?? undefined}
                onChange={(e) => onChange({ ...query, to: (e.currentTarget as HTMLInputElement).value || null })}
              />
            </div>
          </>
        )}
      </div>
      <p class="hq-range small">
        <strong>{formatRange(answered.from, answered.to, i18n.locale)}</strong>
        {props.compared && (
          <span class="muted"> · {t("hq.compared", { range: formatRange(answered.previous.from, answered.previous.to, i18n.locale) })}</span>
        )}
      </p>
      <div class="hq-filters" role="group" aria-label={t("hq.filters")}>
        {chips.map(({ dim, value }) => {
          const name = `${dimName(dim, i18n)}: ${valueName(dim, value, null, i18n, labels)}`;
          return (
            <button
              key={`${dim}:${value}`} type="button" class={`chip hq-chip${unused.includes(dim) ? " hq-chip-unused" : ""}`}
              aria-label={t("hq.filterRemove", { name })} onClick={() => onChange({ ...query, filters: removeFilter(query.filters, dim, value) })}
            >
              <span>{name}</span> <Icon name="close" size={18} />
            </button>
          );
        })}
        {!picking && filterDims.length > 0 && (
          <button type="button" class="chip hq-add-filter" aria-expanded={false} onClick={() => setPicking(true)}>
            <Icon name="plus" size={18} /> {t("hq.filters")}
          </button>
        )}
        {chips.length > 1 && (
          <button type="button" class="chip" onClick={() => onChange({ ...query, filters: {} })}>{t("hq.clearFilters")}</button>
        )}
      </div>
      {DIMENSIONS.filter((dim) => !SELF_NAMED.includes(dim) && (query.filters[dim] ?? []).some((v) => !labels.has(`${dim}:${v}`)))
        .map((dim) => <LabelLookup key={dim} dim={dim} query={query} definitions={props.definitions} />)}
      {unused.length > 0 && (
        <p class="small muted">{t("hq.filterUnused", { names: unused.map((d) => dimName(d, i18n)).join(", ") })}</p>
      )}
      {picking && filterDims.length > 0 && (
        <FilterPicker
          query={query} dims={filterDims} definitions={props.definitions}
          onAdd={(dim, value) => onChange({ ...query, filters: addFilter(query.filters, dim, value) })}
          onClose={() => setPicking(false)}
        />
      )}
    </div>
  );
}
