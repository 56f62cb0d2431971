// The overview: one card per KPI of the organization's dashboard (its analytics settings),
// each with the value over the range, the change against the previous range of the same
// length and the number of observations behind it; a card opens that KPI in the explorer.
import { ErrorMessage } from "../components/OutletList";
import { useI18n } from "../i18n";
import type { Card, KpiDefinition, Overview as OverviewData } from "./api";
import { Change, dimName, kpiName, type Loaded } from "./bits";
import { formatCount, formatValue } from "./model";
import { viewHref, type HqState } from "./state";

function KpiCard({ card, state, better }: { card: Card; state: HqState; better?: "higher" | "lower" | null }) {
  const i18n = useI18n();
  const { t } = i18n;
  const name = kpiName(card, i18n);
  const empty = card.value === null;
  return (
    <li class="hq-card">
      <a
        class="hq-card-link" href={viewHref("explore", { ...state, kpi: card.kpi, by: null })}
        aria-label={`${name}: ${formatValue(card.value, card.unit, i18n.locale)}. ${t("hq.openKpi", { kpi: name })}`}
        data-kpi={card.kpi}
      >
        <span class="hq-card-name">{name}</span>
        <span class={`hq-card-value${empty ? " hq-card-empty" : ""}`}>
          {empty ? t("hq.noData") : formatValue(card.value, card.unit, i18n.locale)}
        </span>
        <span class="hq-card-foot">
          <Change kpi={card.kpi} unit={card.unit} change={card.change} i18n={i18n} better={better} />
          {card.previous_value !== null && (
            <span class="muted"> {t("hq.previous", { value: formatValue(card.previous_value, card.unit, i18n.locale) })}</span>
          )}
        </span>
        <span class="hq-card-n small muted">{t("hq.n", { count: formatCount(card.n, i18n.locale) })}</span>
        {!!card.ignored_filters?.length && (
          <span class="small muted">{t("hq.filterUnused", { names: card.ignored_filters.map((d) => dimName(d, i18n)).join(", ") })}</span>
        )}
      </a>
    </li>
  );
}

export function OverviewView(props: { state: HqState; result: Loaded<OverviewData>; definitions: readonly KpiDefinition[] }) {
  const { result, state } = props;
  const i18n = useI18n();
  const better = new Map(props.definitions.map((d) => [d.key, d.better]));
  return (
    <section aria-labelledby="hq-overview-title" aria-busy={result.loading}>
      <h2 id="hq-overview-title" class="visually-hidden">{i18n.t("hq.view.overview")}</h2>
      {result.error != null && <ErrorMessage error={result.error} onRetry={result.retry} />}
      {result.data && (
        <ul class={`hq-cards${result.loading ? " hq-stale" : ""}`}>
          {result.data.cards.map((card) => (
            <KpiCard key={card.kpi} card={card} state={state} better={card.better !== undefined ? card.better : better.get(card.kpi)} />
          ))}
        </ul>
      )}
      {result.loading && !result.data && (
        <p class="loading" role="status"><span class="spinner" aria-hidden="true" /> {i18n.t("app.loading")}</p>
      )}
    </section>
  );
}
