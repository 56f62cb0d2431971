// The HQ dashboards' state and arithmetic, as pure functions (unit-tested in model.test.ts):
// the query (grain, range, filters) and its address-bar form, ranges ("last 8 weeks"), which
// filters a KPI takes, how a KPI's values and changes are written in the user's locale, and
// chart scales.

export type Grain = "day" | "week" | "month";
export const GRAINS: readonly Grain[] = ["day", "week", "month"];

/** Dimensions the analytics API cuts and filters by (besides period). */
export const DIMENSIONS = [
  "country", "region", "territory", "banner", "group", "format", "class", "rep",
  "outlet", "account", "product", "brand", "category", "own", "form", "form_version",
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Dimensions that make a short list (a chart per value, a filter picked from a list). */
export const SMALL_DIMENSIONS: readonly Dimension[] = [
  "country", "region", "territory", "banner", "group", "format", "class", "rep", "brand", "category", "own", "form",
];

/** Dimensions every overview card takes (visits and coverage KPIs have no products or forms). */
export const OVERVIEW_FILTERS: readonly Dimension[] = [
  "country", "region", "banner", "group", "format", "class", "territory", "rep",
];

export type Filters = Partial<Record<Dimension, string[]>>;

export interface HqQuery {
  period: Grain;
  /** How many periods back from today (ignored when `from` is set). */
  last: number;
  from: string | null;
  to: string | null;
  filters: Filters;
}

export const DEFAULT_QUERY: HqQuery = { period: "week", last: 8, from: null, to: null, filters: {} };
export const LAST_CHOICES: Record<Grain, readonly number[]> = {
  day: [7, 14, 30, 90],
  week: [1, 4, 8, 13, 26, 52],
  month: [1, 3, 6, 12],
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The first day of `last` periods ending with the one of `today` (the server snaps it to the period's start). */
export function rangeStart(period: Grain, last: number, today: Date): string {
  const n = Math.max(1, Math.floor(last));
  const d = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  if (period === "day") d.setDate(d.getDate() - (n - 1));
  else if (period === "week") {
    const monday = (d.getDay() + 6) % 7; // days since Monday
    d.setDate(d.getDate() - monday - 7 * (n - 1));
  } else {
    d.setDate(1);
    d.setMonth(d.getMonth() - (n - 1));
  }
  return isoDay(d);
}

/** The `from` and `to` to send: the chosen dates, or `last` periods up to today. */
export function rangeOf(query: HqQuery, today: Date = new Date()): { from: string; to: string | null } {
  if (query.from) return { from: query.from, to: query.to };
  return { from: rangeStart(query.period, query.last, today), to: null };
}

/** The query from the address bar's search part (unknown or bad values fall back to the defaults). */
export function parseQuery(search: string): HqQuery {
  const params = new URLSearchParams(search);
  const period = params.get("period");
  const last = Number(params.get("last"));
  const from = params.get("from");
  const to = params.get("to");
  const filters: Filters = {};
  for (const dim of DIMENSIONS) {
    const values = (params.get(dim) ?? "").split(",").map((v) => v.trim()).filter(Boolean);
    if (values.length) filters[dim] = [...new Set(values)];
  }
  const grain = (GRAINS as readonly string[]).includes(period ?? "") ? (period as Grain) : DEFAULT_QUERY.period;
  return {
    period: grain,
    last: Number.isInteger(last) && last >= 1 && last <= 800 ? last : DEFAULT_QUERY.last,
    from: from && ISO_DATE.test(from) ? from : null,
    to: to && ISO_DATE.test(to) && from && ISO_DATE.test(from) ? to : null,
    filters,
  };
}

/** The query as search parameters (defaults left out), plus `extra` (kpi, by, level...). */
export function queryParams(query: HqQuery, extra: Record<string, string | null | undefined> = {}): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(extra)) if (value) params.set(key, value);
  if (query.period !== DEFAULT_QUERY.period) params.set("period", query.period);
  if (query.from) {
    params.set("from", query.from);
    if (query.to) params.set("to", query.to);
  } else if (query.last !== DEFAULT_QUERY.last) {
    params.set("last", String(query.last));
  }
  for (const dim of DIMENSIONS) {
    const values = query.filters[dim];
    if (values?.length) params.set(dim, values.join(","));
  }
  return params;
}

/** The filters a KPI (or an overview, or an export) can take: those among `allowed`. */
export function applicableFilters(filters: Filters, allowed: readonly string[]): { used: Filters; unused: Dimension[] } {
  const used: Filters = {};
  const unused: Dimension[] = [];
  for (const dim of DIMENSIONS) {
    const values = filters[dim];
    if (!values?.length) continue;
    if (allowed.includes(dim)) used[dim] = values;
    else unused.push(dim);
  }
  return { used, unused };
}

export function addFilter(filters: Filters, dim: Dimension, value: string): Filters {
  const values = filters[dim] ?? [];
  return values.includes(value) ? filters : { ...filters, [dim]: [...values, value] };
}

export function removeFilter(filters: Filters, dim: Dimension, value: string): Filters {
  const values = (filters[dim] ?? []).filter((v) => v !== value);
  const out = { ...filters };
  if (values.length) out[dim] = values;
  else delete out[dim];
  return out;
}

// --- KPIs: which way is good, how values read -------------------------------------------------------

/** KPIs where a fall is good news; and those that are neither good nor bad by direction. */
const LOWER_IS_BETTER = new Set(["out_of_stock_rate", "flagged_rate", "drive_time"]);
const NEUTRAL = new Set(["shelf_price", "price_index", "time_in_store"]);

export type Tone = "good" | "bad" | "neutral";

/** Whether a change of a KPI is good news (`better` from the API when it says, else Rayon's own table). */
export function changeTone(kpi: string, change: number | null, better?: "higher" | "lower" | null): Tone {
  if (change === null || change === 0) return "neutral";
  const way = better !== undefined ? better : LOWER_IS_BETTER.has(kpi) ? "lower" : NEUTRAL.has(kpi) ? null : "higher";
  if (way === null) return "neutral";
  return (change > 0) === (way === "higher") ? "good" : "bad";
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function nf(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(locale, options)));
  return format;
}

/** Decimals a unit is shown with. */
function decimalsOf(unit: string): number {
  return unit === "EUR" || unit === "visits" || unit === "facings" ? 2 : 1;
}

/** A KPI value in the user's locale: "69.1%" / "69,1 %", "€1.29" / "1,29 €", "32 min", "94.1". */
export function formatValue(value: number | null | undefined, unit: string, locale: string, compact = false): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const digits = compact ? Math.min(1, decimalsOf(unit)) : decimalsOf(unit);
  switch (unit) {
    case "%":
      return nf(locale, { style: "percent", maximumFractionDigits: digits, minimumFractionDigits: compact ? 0 : digits })
        .format(value / 100);
    case "EUR":
      return nf(locale, { style: "currency", currency: "EUR" }).format(value);
    case "min":
      return nf(locale, { style: "unit", unit: "minute", unitDisplay: "short", maximumFractionDigits: digits }).format(value);
    default:
      return nf(locale, { maximumFractionDigits: digits }).format(value);
  }
}

/**
 * A change against the previous range: "+7.5" with the unit's short name ("pp" for
 * percentages: percentage points, given as `pointsLabel`), "−2.0", "±0".
 */
export function formatChange(change: number | null | undefined, unit: string, locale: string, pointsLabel: string): string {
  if (change === null || change === undefined || !Number.isFinite(change)) return "–";
  const digits = decimalsOf(unit);
  if (change === 0) return `±${nf(locale, { maximumFractionDigits: digits }).format(0)}`;
  const sign = nf(locale, { maximumFractionDigits: digits, minimumFractionDigits: unit === "%" ? 1 : 0, signDisplay: "always" });
  if (unit === "%") return `${sign.format(change)}\u00a0${pointsLabel}`;
  if (unit === "EUR") return nf(locale, { style: "currency", currency: "EUR", signDisplay: "always" }).format(change);
  if (unit === "min") {
    return nf(locale, { style: "unit", unit: "minute", unitDisplay: "short", maximumFractionDigits: digits, signDisplay: "always" })
      .format(change);
  }
  return sign.format(change);
}

/** A count such as the number of observations behind a value: "1,286" / "1.286" / "1 286". */
export function formatCount(n: number, locale: string): string {
  return nf(locale, {}).format(n);
}

// --- charts ---------------------------------------------------------------------------------------

/** About `count` round tick values spanning [min, max] (1, 2, 2.5 or 5 × a power of ten apart). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  const rough = (max - min) / Math.max(1, count - 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
  if (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + step);
  return ticks.map((v) => Number(v.toPrecision(12)));
}

/** The y range of a chart: from 0 for counts and percentages (unless all values sit high), padded to round ticks. */
export function yDomain(values: readonly (number | null)[], unit: string): [number, number] {
  const seen = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (!seen.length) return unit === "%" ? [0, 100] : [0, 1];
  let lo = Math.min(...seen);
  let hi = Math.max(...seen);
  if (unit === "index") {
    // around 100 (parity with the reference): keep 100 in view, not 0
    lo = Math.min(lo, 100) - 2;
    hi = Math.max(hi, 100) + 2;
  } else {
    lo = Math.min(0, lo);
    if (unit === "%") hi = Math.min(100, hi);
    if (hi <= lo) hi = lo + 1;
  }
  const ticks = niceTicks(lo, hi);
  return [ticks[0], ticks[ticks.length - 1]];
}

/**
 * A colour from red (0) through amber to green (1) for a value's position between the
 * layer's lowest and highest, turned round where lower is better; grey with no value.
 */
export function valueColour(value: number | null, lo: number, hi: number, kpi: string): string {
  if (value === null || !Number.isFinite(value)) return "#8a979f";
  let t = hi > lo ? (value - lo) / (hi - lo) : 0.5;
  const tone = changeTone(kpi, 1);
  if (tone === "bad") t = 1 - t;
  else if (tone === "neutral") return "#1a56db";
  const stops: [number, number, number][] = [[178, 34, 34], [150, 95, 0], [19, 120, 60]]; // dark enough for white text
  const scaled = Math.min(1, Math.max(0, t)) * 2;
  const i = Math.min(1, Math.floor(scaled));
  const f = scaled - i;
  const [a, b] = [stops[i], stops[i + 1]];
  const mix = a.map((c, k) => Math.round(c + (b[k] - c) * f));
  return `rgb(${mix[0]}, ${mix[1]}, ${mix[2]})`;
}

// --- dates ----------------------------------------------------------------------------------------

function utcDate(iso: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return match ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])) : null;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
function df(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = dateFormats.get(key);
  if (!format) dateFormats.set(key, (format = new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" })));
  return format;
}

/** A range of calendar days in the locale's way: "Nov 23 – 29, 2026", "23.–29. Nov. 2026", "23–29 nov. 2026". */
export function formatRange(from: string, to: string, locale: string): string {
  const a = utcDate(from);
  const b = utcDate(to);
  if (!a || !b) return `${from} – ${to}`;
  const format = df(locale, { dateStyle: "medium" });
  return typeof format.formatRange === "function" ? format.formatRange(a, b) : `${format.format(a)} – ${format.format(b)}`;
}

/** A period's short name on a chart axis: "23 Nov" (day, week: its Monday) or "Nov 26" (month). */
export function periodTick(iso: string, grain: Grain, locale: string): string {
  const date = utcDate(iso);
  if (!date) return iso;
  return grain === "month"
    ? df(locale, { month: "short", year: "2-digit" }).format(date)
    : df(locale, { day: "numeric", month: "short" }).format(date);
}

/** A period in full for a tooltip or table: "week of 23 Nov 2026" needs words, so: the date, or the month and year. */
export function periodName(iso: string, grain: Grain, locale: string): string {
  const date = utcDate(iso);
  if (!date) return iso;
  return grain === "month" ? df(locale, { month: "long", year: "numeric" }).format(date) : df(locale, { dateStyle: "medium" }).format(date);
}

/** Days from `from` to `to`, both counted (an export covers at most 400). */
export function daysBetween(from: string, to: string): number {
  const a = utcDate(from);
  const b = utcDate(to);
  return a && b ? Math.round((b.getTime() - a.getTime()) / 86_400_000) + 1 : 0;
}

function addDays(iso: string, days: number): string {
  const d = utcDate(iso)!;
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function periodStart(iso: string, grain: Grain): string {
  const d = utcDate(iso)!;
  if (grain === "week") d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (grain === "month") d.setUTCDate(1);
  return d.toISOString().slice(0, 10);
}

function periodEnd(iso: string, grain: Grain): string {
  if (grain === "day") return iso;
  if (grain === "week") return addDays(periodStart(iso, "week"), 6);
  const d = utcDate(iso)!;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
}

/**
 * The range the server answers for (whole periods: from the start of the first to the end of
 * the last) and the previous range of as many periods, which the figures are compared with.
 */
export function answeredRange(query: HqQuery, today: Date = new Date()): { from: string; to: string; previous: { from: string; to: string } } {
  const { from, to } = rangeOf(query, today);
  const start = periodStart(from, query.period);
  const end = periodEnd(to ?? rangeStart("day", 1, today), query.period);
  let previous: { from: string; to: string };
  if (query.period === "month") {
    const a = utcDate(start)!;
    const b = utcDate(end)!;
    const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth() + 1;
    const first = new Date(Date.UTC(a.getUTCFullYear(), a.getUTCMonth() - months, 1)).toISOString().slice(0, 10);
    previous = { from: first, to: addDays(start, -1) };
  } else {
    const days = daysBetween(start, end);
    previous = { from: addDays(start, -days), to: addDays(start, -1) };
  }
  return { from: start, to: end, previous };
}

/**
 * The range a map layer's colours span: its lowest to highest value, widened to at least a
 * meaningful spread (10 points for percentages, a tenth of the mean otherwise), so that two
 * regions 0.1 % apart are not painted as best and worst.
 */
export function colourDomain(values: readonly (number | null)[], unit: string): [number, number] {
  const seen = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (!seen.length) return [0, 0];
  const lo = Math.min(...seen);
  const hi = Math.max(...seen);
  const mean = seen.reduce((a, b) => a + b, 0) / seen.length;
  const spread = unit === "%" ? 10 : Math.max(Math.abs(mean) * 0.1, 1e-9);
  if (hi - lo >= spread) return [lo, hi];
  const mid = (lo + hi) / 2;
  return [mid - spread / 2, mid + spread / 2];
}
