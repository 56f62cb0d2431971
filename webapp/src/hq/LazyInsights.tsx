// The Insights screen, loaded when first opened: its code (charts, tables, the map layer) is
// its own chunk, so the rep's views stay small. The service worker precaches it with the rest.
import { useEffect, useState } from "preact/hooks";
import type { Me } from "../api/types";
import { useI18n } from "../i18n";
import type { InsightsView } from "./state";

type InsightsType = typeof import("./Insights").Insights;
let loaded: InsightsType | null = null;

/** Who gets the Insights tab: those who may export, i.e. managers (their team), HQ and admins. */
export function hasInsights(me: Me): boolean {
  return me.permissions.includes("analytics.read") && me.permissions.includes("analytics.export");
}

export function LazyInsights(props: { me: Me; view: InsightsView; active: boolean }) {
  const { t } = useI18n();
  const [Screen, setScreen] = useState<InsightsType | null>(() => loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (Screen) return;
    import("./Insights").then(
      (module) => {
        loaded = module.Insights;
        setScreen(() => module.Insights);
      },
      () => setFailed(true),
    );
  }, []);
  if (Screen) return <Screen {...props} />;
  return (
    <div class="screen-body">
      {failed ? <p class="message message-error">{t("error.network")}</p> : (
        <p class="loading" role="status"><span class="spinner" aria-hidden="true" /> {t("app.loading")}</p>
      )}
    </div>
  );
}
