// The planner, loaded when first opened: its code is its own chunk (reps never download it);
// the service worker precaches it with the rest of the build.
import { useEffect, useState } from "preact/hooks";
import type { Me } from "../api/types";
import { useI18n } from "../i18n";

type PlannerType = typeof import("./Planner").Planner;
let loaded: PlannerType | null = null;

/** Who gets the Plan tab: those who plan visits for others (managers, admins). */
export function hasPlanner(me: Me): boolean {
  return me.permissions.includes("visits.plan");
}

export function LazyPlanner({ me }: { me: Me }) {
  const { t } = useI18n();
  const [Screen, setScreen] = useState<PlannerType | null>(() => loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (Screen) return;
    import("./Planner").then(
      (module) => {
        loaded = module.Planner;
        setScreen(() => module.Planner);
      },
      () => setFailed(true),
    );
  }, []);
  if (Screen) return <Screen me={me.user} />;
  return (
    <div class="screen-body">
      {failed ? <p class="message message-error">{t("error.network")}</p> : (
        <p class="loading" role="status"><span class="spinner" aria-hidden="true" /> {t("app.loading")}</p>
      )}
    </div>
  );
}
