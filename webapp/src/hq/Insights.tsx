// Insights: the HQ dashboards (and a manager's, for their team). Four views share the range
// and filters: Overview (KPI cards against the previous range), Explore (one KPI cut by a
// dimension, as a chart and a table), Map (a KPI per region or outlet) and Exports (raw data
// files). Loaded as its own chunk: the rep's views never download it.
import { useEffect, useState } from "preact/hooks";
import type { Me } from "../api/types";
import { SettingsButton } from "../components/Chrome";
import { ErrorMessage } from "../components/OutletList";
import { useI18n } from "../i18n";
import { replaceUrl, routeStore } from "../router";
import { can } from "../session";
import { useStore } from "../store";
import { filtersOf, getOverview } from "./api";
import { useLoad } from "./bits";
import { Explorer } from "./Explorer";
import { Exports } from "./Exports";
import { KpiMap } from "./KpiMap";
import { DIMENSIONS } from "./model";
import { OverviewView } from "./Overview";
import { QueryBar } from "./QueryBar";
import { definitionsStore, loadDefinitions, parseState, viewHref, VIEWS, type HqState, type InsightsView } from "./state";

const DEFAULT_KPI = "numeric_distribution";

export function Insights({ me, view, active }: { me: Me; view: InsightsView; active: boolean }) {
  const i18n = useI18n();
  const { t } = i18n;
  const route = useStore(routeStore);
  const definitions = useStore(definitionsStore);
  const [state, setState] = useState<HqState>(() => parseState(typeof location === "undefined" ? "" : location.search));

  // The address is the state: read it again whenever the app navigates to one of these views.
  useEffect(() => {
    if (route.name === "insights") setState(parseState(location.search));
  }, [route]);
  useEffect(() => {
    if (active) loadDefinitions();
  }, [active]);

  const update = (next: HqState) => {
    setState(next);
    if (active) replaceUrl(viewHref(view, next));
  };

  const items = definitions.items ?? [];
  const find = (key: string | null) => items.find((d) => d.key === key);
  const exploreKpi = find(state.kpi) ?? find(DEFAULT_KPI) ?? items[0];
  const mapKpi = (state.kpi && find(state.kpi)?.dimensions.includes("region") ? find(state.kpi) : null) ?? find(DEFAULT_KPI);
  const overview = useLoad(active && view === "overview" ? JSON.stringify(state.query) : null, (signal) => getOverview(state.query, signal));

  const allowed =
    view === "overview" ? DIMENSIONS
    : view === "explore" ? (exploreKpi ? filtersOf(exploreKpi) : [])
    : view === "map" ? (mapKpi ? filtersOf(mapKpi) : [])
    : DIMENSIONS; // each export takes those that fit it (api.ts: EXPORT_FILTERS)
  const scope =
    me.user.role === "manager" ? t("hq.scope.team")
    : me.user.role === "rep" ? t("hq.scope.mine")
    : t("hq.scope.org", { org: me.organization.name });

  return (
    <>
      <header class="screen-header">
        <div class="screen-heading">
          <h1 class="screen-title" tabIndex={-1}>{t("hq.title")}</h1>
          <p class="screen-subtitle">{scope}</p>
        </div>
        <SettingsButton />
      </header>
      <nav class="hq-tabs" aria-label={t("hq.views")}>
        {VIEWS.filter((v) => v !== "exports" || can(me, "analytics.export")).map((v) => (
          <a key={v} class="hq-tab" href={viewHref(v, state)} aria-current={v === view ? "page" : undefined}>
            {t(`hq.view.${v}`)}
          </a>
        ))}
      </nav>
      <div class="screen-body hq-body">
        <QueryBar
          query={state.query} allowed={allowed} definitions={items}
          compared={view === "overview" || view === "explore"}
          onChange={(query) => update({ ...state, query })}
        />
        {definitions.error != null && <ErrorMessage error={definitions.error} onRetry={() => loadDefinitions(true)} />}
        {view === "overview" && <OverviewView state={state} result={overview} definitions={items} />}
        {view === "explore" && exploreKpi && (
          <Explorer state={state} kpi={exploreKpi} definitions={items} onChange={update} />
        )}
        {view === "map" && mapKpi && active && (
          <KpiMap state={state} kpi={mapKpi} definitions={items} onChange={update} />
        )}
        {view === "exports" && can(me, "analytics.export") && <Exports query={state.query} />}
        {!definitions.items && !definitions.error && view !== "overview" && view !== "exports" && (
          <p class="loading" role="status"><span class="spinner" aria-hidden="true" /> {t("app.loading")}</p>
        )}
      </div>
    </>
  );
}
