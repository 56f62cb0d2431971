// Where the HQ screens keep what is chosen (grain, range, filters, KPI, cut, map level): in
// the address bar, so a view can be reloaded, bookmarked and sent to a colleague. The
// screens read it from there when the route changes and write it back with replaceUrl.
import { getDefinitions, type KpiDefinition } from "./api";
import { parseQuery, queryParams, type Dimension, type HqQuery } from "./model";
import { createStore } from "../store";

export type InsightsView = "overview" | "explore" | "map" | "exports";
export const VIEWS: readonly InsightsView[] = ["overview", "explore", "map", "exports"];

export interface HqState {
  query: HqQuery;
  kpi: string | null;
  by: Dimension | "period" | null;
  /** A second cut of the explorer's table (region × banner...). */
  by2: Dimension | null;
  level: "region" | "territory" | "outlet";
}

export function parseState(search: string): HqState {
  const params = new URLSearchParams(search);
  const by = params.get("by");
  const by2 = params.get("by2");
  return {
    query: parseQuery(search),
    kpi: params.get("kpi"),
    by: by && /^[a-z_]{2,20}$/.test(by) ? (by as Dimension) : null,
    by2: by2 && /^[a-z_]{2,20}$/.test(by2) ? (by2 as Dimension) : null,
    level: params.get("level") === "outlet" ? "outlet" : params.get("level") === "territory" ? "territory" : "region",
  };
}

/** The address of `view` with `state` (only what that view uses, besides the shared range and filters). */
export function viewHref(view: InsightsView, state: HqState): string {
  const extra: Record<string, string | null> = {};
  if (view === "explore" || view === "map") extra.kpi = state.kpi;
  if (view === "explore") {
    extra.by = state.by;
    if (state.by) extra.by2 = state.by2;
  }
  if (view === "map" && state.level !== "region") extra.level = state.level;
  const qs = queryParams(state.query, extra).toString();
  return `/insights${view === "overview" ? "" : `/${view}`}${qs ? `?${qs}` : ""}`;
}

/** The KPI catalogue, fetched once per session of the app. */
export const definitionsStore = createStore<{ items: KpiDefinition[] | null; error: unknown }>({ items: null, error: null });
let loading: Promise<void> | null = null;

export function loadDefinitions(force = false): void {
  if (loading || (definitionsStore.get().items && !force)) return;
  loading = getDefinitions().then(
    ({ data }) => definitionsStore.set({ items: data.items, error: null }),
    (error) => definitionsStore.set({ items: null, error }),
  ).finally(() => {
    loading = null;
  });
}

/** Labels of filter values seen in answers (region codes, rep ids...), for the filter chips. */
export const valueLabelsStore = createStore<ReadonlyMap<string, string>>(new Map());

export function rememberLabels(dim: string, pairs: Iterable<[string, string | null | undefined]>): void {
  const current = valueLabelsStore.get();
  let next: Map<string, string> | null = null;
  for (const [value, label] of pairs) {
    if (!label || current.get(`${dim}:${value}`) === label) continue;
    next ??= new Map(current);
    next.set(`${dim}:${value}`, label);
  }
  if (next) valueLabelsStore.set(next);
}
