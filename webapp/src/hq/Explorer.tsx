// The KPI explorer: one KPI over the range, its time series (one line per value of the cut
// when the cut is a short list), and a table of the cut with each row against the previous
// range. The formula says how the figure is computed.
import { useEffect, useState } from "preact/hooks";
import { ErrorMessage } from "../components/OutletList";
import { useI18n } from "../i18n";
import { getKpi, getSeries, type KpiDefinition, type KpiRow } from "./api";
import { Change, dimName, kpiName, useLoad, valueName } from "./bits";
import { LineChart, type ChartSeries } from "./LineChart";
import { formatCount, formatValue, periodName, SMALL_DIMENSIONS, type Dimension } from "./model";
import { rememberLabels, type HqState } from "./state";

/** Lines drawn at most: the values of the cut with the most observations. */
const MAX_LINES = 6;
/** Table rows shown at most (an export has them all). */
const MAX_ROWS = 500;

const SOURCE_ORDER = ["shelf", "response", "visits", "coverage", "plans"];

type SortKey = "label" | "value" | "change" | "previous" | "n";

/** A column head that sorts the table (a button, so it works with keyboard and screen readers). */
function SortHead(props: {
  label: string; column: SortKey; sort: { key: SortKey; desc: boolean }; onSort(key: SortKey): void; className?: string;
}) {
  const on = props.sort.key === props.column;
  return (
    <th scope="col" class={props.className} aria-sort={on ? (props.sort.desc ? "descending" : "ascending") : undefined}>
      <button type="button" class="hq-sort" onClick={() => props.onSort(props.column)}>
        {props.label}
        <span aria-hidden="true" class="hq-sort-mark">{on ? (props.sort.desc ? "▼" : "▲") : ""}</span>
      </button>
    </th>
  );
}

export function KpiSelect(props: { id: string; definitions: readonly KpiDefinition[]; value: string; onChange(kpi: string): void }) {
  const i18n = useI18n();
  const groups = SOURCE_ORDER.map((source) => props.definitions.filter((d) => d.source === source)).filter((g) => g.length);
  return (
    <div class="field">
      <label for={props.id} class="field-label">{i18n.t("hq.kpiLabel")}</label>
      <select id={props.id} class="select" value={props.value} onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}>
        {groups.map((group) => group.map((d) => <option key={d.key} value={d.key}>{kpiName(d, i18n)}</option>))}
      </select>
    </div>
  );
}

export function Explorer(props: { state: HqState; kpi: KpiDefinition; definitions: readonly KpiDefinition[]; onChange(state: HqState): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { state, kpi } = props;
  const cuts = kpi.dimensions.filter((d) => d !== "period") as Dimension[];
  const by = state.by && state.by !== "period" && cuts.includes(state.by) ? state.by : null;
  const by2 = by && state.by2 && state.by2 !== by && cuts.includes(state.by2) ? state.by2 : null;
  const split = by && SMALL_DIMENSIONS.includes(by) ? by : null;
  const groupBy = by ? (by2 ? [by, by2] : [by]) : [];
  const queryKey = JSON.stringify([kpi.key, state.query]);

  const table = useLoad(JSON.stringify([queryKey, groupBy]), (signal) => getKpi(state.query, kpi, groupBy, signal));
  const series = useLoad(JSON.stringify([queryKey, split]), (signal) => getSeries(state.query, kpi, split, signal));
  const name = kpiName(kpi, i18n);
  const result = table.data;
  useEffect(() => {
    for (const dim of groupBy) rememberLabels(dim, (result?.rows ?? []).map((r) => [String(r.keys[dim]), r.labels?.[dim]]));
  }, [result, by, by2]);

  let chart: ChartSeries[] = [];
  let trimmed = false;
  if (series.data) {
    const all = series.data.series.map((s) => ({
      name: split ? valueName(split, s.key, s.label, i18n) : name,
      points: s.points,
      weight: s.points.reduce((sum, p) => sum + p.n, 0),
    }));
    all.sort((a, b) => b.weight - a.weight);
    trimmed = all.length > MAX_LINES;
    chart = all.slice(0, MAX_LINES);
  }
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: "value", desc: true });
  const onSort = (key: SortKey) => setSort(sort.key === key ? { key, desc: !sort.desc } : { key, desc: key !== "label" });
  const labelOf = (row: KpiRow) => (by ? valueName(by, row.keys[by], row.labels?.[by], i18n) : "");
  const label2Of = (row: KpiRow) => (by2 ? valueName(by2, row.keys[by2], row.labels?.[by2], i18n) : "");
  const measure = (row: KpiRow): number => {
    const v = sort.key === "value" ? row.value : sort.key === "change" ? row.change : sort.key === "previous" ? row.previous_value : row.n;
    return v ?? -Infinity;
  };
  const rows = result
    ? [...result.rows].sort((a, b) => {
      const order = sort.key === "label"
        ? labelOf(a).localeCompare(labelOf(b), i18n.locale) || label2Of(a).localeCompare(label2Of(b), i18n.locale)
        : measure(a) - measure(b);
      return sort.desc ? -order : order;
    })
    : [];

  return (
    <div class="hq-explorer">
      <div class="hq-controls">
        <KpiSelect id="hq-kpi" definitions={props.definitions} value={kpi.key} onChange={(key) => props.onChange({ ...state, kpi: key })} />
        <div class="field">
          <label for="hq-by" class="field-label">{t("hq.by")}</label>
          <select
            id="hq-by" class="select" value={by ?? ""}
            onChange={(e) => props.onChange({ ...state, by: ((e.currentTarget as HTMLSelectElement).value || null) as Dimension | null })}
          >
            <option value="">{t("hq.by.none")}</option>
            {cuts.map((d) => <option key={d} value={d}>{dimName(d, i18n)}</option>)}
          </select>
        </div>
        {by && (
          <div class="field">
            <label for="hq-by2" class="field-label">{t("hq.by2")}</label>
            <select
              id="hq-by2" class="select" value={by2 ?? ""}
              onChange={(e) => props.onChange({ ...state, by2: ((e.currentTarget as HTMLSelectElement).value || null) as Dimension | null })}
            >
              <option value="">{t("hq.by2.none")}</option>
              {cuts.filter((d) => d !== by).map((d) => <option key={d} value={d}>{dimName(d, i18n)}</option>)}
            </select>
          </div>
        )}
      </div>

      <div class={`hq-summary${table.loading ? " hq-stale" : ""}`} aria-busy={table.loading}>
        <h2 id="hq-explore-title" class="hq-summary-name">{name}</h2>
        {result && (
          <p class="hq-summary-line">
            <span class="hq-summary-value">{result.value === null ? t("hq.noData") : formatValue(result.value, result.unit, i18n.locale)}</span>{" "}
            {result.change != null && <Change kpi={kpi.key} unit={result.unit} change={result.change} i18n={i18n} better={kpi.better} />}
            {result.previous?.value != null && (
              <span class="muted small"> {t("hq.previous", { value: formatValue(result.previous.value, result.unit, i18n.locale) })}</span>
            )}
            <span class="muted small"> · {t("hq.n", { count: formatCount(result.n, i18n.locale) })}</span>
          </p>
        )}
      </div>
      {table.error != null && <ErrorMessage error={table.error} onRetry={table.retry} />}

      <div class={`hq-panel${series.loading ? " hq-stale" : ""}`}>
        {series.error != null && <ErrorMessage error={series.error} onRetry={series.retry} />}
        {series.data && series.data.series.length > 0 && (
          <LineChart
            series={chart} unit={series.data.unit} grain={series.data.period} locale={i18n.locale}
            label={t("hq.chartLabel", { kpi: name })}
          />
        )}
        {series.data && series.data.series.length === 0 && <p class="message">{t("hq.noValues")}</p>}
        {trimmed && <p class="small muted">{t("hq.chartTop", { count: MAX_LINES })}</p>}
        {series.loading && !series.data && (
          <p class="loading" role="status"><span class="spinner" aria-hidden="true" /> {t("app.loading")}</p>
        )}
      </div>

      {result && (
        <div class={`hq-table-wrap${table.loading ? " hq-stale" : ""}`} tabIndex={0} role="region" aria-label={name}>
          <table class="hq-table">
            <caption class="visually-hidden">{name}</caption>
            <thead>
              {by ? (
                <tr>
                  <SortHead label={dimName(by, i18n)} column="label" sort={sort} onSort={onSort} />
                  {by2 && <th scope="col">{dimName(by2, i18n)}</th>}
                  <SortHead label={t("hq.table.value")} column="value" sort={sort} onSort={onSort} className="num" />
                  <SortHead label={t("hq.table.change")} column="change" sort={sort} onSort={onSort} className="num" />
                  <SortHead label={t("hq.table.previous")} column="previous" sort={sort} onSort={onSort} className="num hq-col-wide" />
                  <SortHead label={t("hq.table.n")} column="n" sort={sort} onSort={onSort} className="num" />
                </tr>
              ) : (
                <tr>
                  <th scope="col">{t("hq.dim.period")}</th>
                  <th scope="col" class="num">{t("hq.table.value")}</th>
                  <th scope="col" class="num">{t("hq.table.change")}</th>
                  <th scope="col" class="num hq-col-wide">{t("hq.table.previous")}</th>
                  <th scope="col" class="num">{t("hq.table.n")}</th>
                </tr>
              )}
            </thead>
            <tbody>
              {by && rows.slice(0, MAX_ROWS).map((row) => (
                <tr key={groupBy.map((d) => String(row.keys[d])).join("|")}>
                  <th scope="row">{labelOf(row)}</th>
                  {by2 && <th scope="row">{label2Of(row)}</th>}
                  <td class="num">{formatValue(row.value, result.unit, i18n.locale)}</td>
                  <td class="num"><Change kpi={kpi.key} unit={result.unit} change={row.change} i18n={i18n} better={kpi.better} /></td>
                  <td class="num hq-col-wide">{formatValue(row.previous_value, result.unit, i18n.locale)}</td>
                  <td class="num">{formatCount(row.n, i18n.locale)}</td>
                </tr>
              ))}
              {!by && series.data?.series[0]?.points.map((p) => (
                <tr key={p.period}>
                  <th scope="row">{periodName(p.period, series.data!.period, i18n.locale)}</th>
                  <td class="num">{formatValue(p.value, result.unit, i18n.locale)}</td>
                  <td class="num">–</td>
                  <td class="num hq-col-wide">–</td>
                  <td class="num">{formatCount(p.n, i18n.locale)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={by2 ? 2 : 1}>{t("hq.total")}</th>
                <td class="num">{formatValue(result.value, result.unit, i18n.locale)}</td>
                <td class="num"><Change kpi={kpi.key} unit={result.unit} change={result.change} i18n={i18n} better={kpi.better} /></td>
                <td class="num hq-col-wide">{formatValue(result.previous?.value, result.unit, i18n.locale)}</td>
                <td class="num">{formatCount(result.n, i18n.locale)}</td>
              </tr>
            </tfoot>
          </table>
          {by && rows.length === 0 && <p class="message">{t("hq.noValues")}</p>}
          {rows.length > MAX_ROWS && <p class="small muted hq-caption">{t("hq.rowsShown", { shown: formatCount(MAX_ROWS, i18n.locale), total: formatCount(rows.length, i18n.locale) })}</p>}
        </div>
      )}

      <details class="hq-formula">
        <summary>{t("hq.formula")}</summary>
        <p lang="en">{kpi.formula}</p>
      </details>
    </div>
  );
}
