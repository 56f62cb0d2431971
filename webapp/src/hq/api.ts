// The analytics API (server/analytics/api.py) as the HQ screens use it. Reps see their own
// figures, managers their team's, HQ all of the organization: the server decides.
import { apiGet, buildUrl, type Query } from "../api/client";
import { applicableFilters, DIMENSIONS, rangeOf, type Filters, type Grain, type HqQuery } from "./model";

export interface KpiDefinition {
  key: string;
  label: string;
  unit: string;
  source: string;
  formula: string;
  dimensions: string[];
  /** The filters it takes (older servers: its dimensions). */
  filters?: string[];
  own_products_by_default: boolean;
  better?: "higher" | "lower" | null;
}

/** The filters a KPI takes. */
export const filtersOf = (kpi: KpiDefinition): readonly string[] => kpi.filters ?? kpi.dimensions;

export interface Card {
  kpi: string;
  label: string;
  unit: string;
  value: number | null;
  n: number;
  previous_value: number | null;
  change: number | null;
  better?: "higher" | "lower" | null;
  /** Filters of the question this card could not take (a product filter on a visits card). */
  ignored_filters?: string[];
}

export interface Overview {
  period: Grain;
  from: string;
  to: string;
  previous?: { from: string; to: string };
  filters: Record<string, unknown>;
  cards: Card[];
}

export interface KpiRow {
  keys: Record<string, string | number | boolean | null>;
  labels?: Record<string, string | null>;
  value: number | null;
  n: number;
  previous_value?: number | null;
  change?: number | null;
}

export interface KpiResult {
  kpi: string;
  label: string;
  unit: string;
  formula: string;
  period: Grain;
  from: string;
  to: string;
  group_by: string[];
  filters: Record<string, unknown>;
  value: number | null;
  n: number;
  previous?: { from: string; to: string; value: number | null; n: number };
  change?: number | null;
  rows: KpiRow[];
}

export interface SeriesPoint {
  period: string;
  label: string;
  value: number | null;
  n: number;
}

export interface Series {
  key: string | number | boolean | null;
  label: string | null;
  points: SeriesPoint[];
}

export interface SeriesResult {
  kpi: string;
  label: string;
  unit: string;
  period: Grain;
  from: string;
  to: string;
  value: number | null;
  n: number;
  split: string | null;
  series: Series[];
}

export type MapLevel = "region" | "territory" | "outlet";

export interface MapFeature {
  type: "Feature";
  geometry:
    | { type: "Point"; coordinates: [number, number] }
    | { type: "Polygon"; coordinates: number[][][] }
    | { type: "MultiPolygon"; coordinates: number[][][][] };
  properties: {
    region?: string; territory?: number; outlet?: number; label: string | null; value: number | null; n: number;
    /** Territories: where to put the label, and the territory's own colour. */
    centre?: [number, number]; color?: string;
  };
}

export interface MapLayer {
  type: "FeatureCollection";
  features: MapFeature[];
  properties: { kpi: string; label: string; unit: string; from: string; to: string; value: number | null; n: number };
}

/** The range and filters of `query` as API parameters (only the filters in `allowed`). */
export function apiQuery(query: HqQuery, allowed: readonly string[], today?: Date): Query {
  const { from, to } = rangeOf(query, today);
  const { used } = applicableFilters(query.filters, allowed);
  const out: Query = { period: query.period, from, to };
  for (const [dim, values] of Object.entries(used as Filters)) out[dim] = values;
  return out;
}

export const getDefinitions = (signal?: AbortSignal) =>
  apiGet<{ items: KpiDefinition[] }>("/analytics/definitions", undefined, { signal });

/** The overview takes every filter: each card applies those it can and names the others (`ignored_filters`). */
export const getOverview = (query: HqQuery, signal?: AbortSignal) =>
  apiGet<Overview>("/analytics/overview", apiQuery(query, DIMENSIONS), { signal });

export function getKpi(
  query: HqQuery, kpi: KpiDefinition, groupBy: readonly string[], signal?: AbortSignal, compare = true,
) {
  return apiGet<KpiResult>(
    "/analytics/kpis",
    { kpi: kpi.key, ...apiQuery(query, filtersOf(kpi)), group_by: groupBy, compare: compare ? null : "false" },
    { signal },
  );
}

export function getSeries(query: HqQuery, kpi: KpiDefinition, split: string | null, signal?: AbortSignal) {
  return apiGet<SeriesResult>("/analytics/series", { kpi: kpi.key, ...apiQuery(query, filtersOf(kpi)), split }, { signal });
}

export function getMapLayer(query: HqQuery, kpi: KpiDefinition, level: MapLevel, signal?: AbortSignal) {
  return apiGet<MapLayer>("/analytics/map", { kpi: kpi.key, ...apiQuery(query, filtersOf(kpi)), level }, { signal });
}

export type ExportKind = "responses" | "visits" | "accounts";
/** Filters each export takes: answers carry products and forms; visits and accounts do not. */
export const EXPORT_FILTERS: Record<ExportKind, readonly string[]> = {
  responses: [
    "country", "region", "banner", "group", "format", "class", "territory", "rep", "outlet", "account",
    "product", "brand", "category", "own", "form", "form_version",
  ],
  visits: ["country", "region", "banner", "group", "format", "class", "territory", "rep", "outlet", "account"],
  accounts: ["country", "region", "banner", "group", "format", "class", "territory", "rep", "account"],
};

/** The address of an export file (a plain link: the browser downloads it with the session cookie). */
export function exportUrl(
  kind: ExportKind, output: "csv" | "xlsx", query: HqQuery, layout: "products" | "answers" = "products", today?: Date,
): string {
  const params: Query = { ...apiQuery(query, EXPORT_FILTERS[kind], today), output };
  if (kind === "responses") params.layout = layout;
  return buildUrl("/api/v1", `/analytics/exports/${kind}`, params);
}
