// The app: the login (and invitation) screens when nobody is logged in; otherwise the
// bottom-navigation tabs (kept alive while hidden, so a list keeps its results and scroll
// position), outlet and account pages on top, the banners and the settings sheet.
import { useEffect, useState } from "preact/hooks";
import type { Me } from "./api/types";
import { accountUpdatesStore } from "./components/AccountBits";
import { BottomNav, OfflineBanner, SettingsSheet, UpdateBanner } from "./components/Chrome";
import { useI18n } from "./i18n";
import { navigate, navigatedInApp, paths, routeStore, safeNext, type Route, type TabName } from "./router";
import { AccountDetail } from "./screens/AccountDetail";
import { Accounts } from "./screens/Accounts";
import { Invite } from "./screens/Invite";
import { Login } from "./screens/Login";
import { MapScreen } from "./screens/MapScreen";
import { Nearby } from "./screens/Nearby";
import { OutletDetail } from "./screens/OutletDetail";
import { Search } from "./screens/Search";
import { SyncScreen } from "./screens/SyncScreen";
import { Today } from "./screens/Today";
import { VisitScreen } from "./screens/VisitScreen";
import { hasInsights, LazyInsights } from "./hq/LazyInsights";
import { hasPlanner, LazyPlanner } from "./planner/LazyPlanner";
import { startField, stopField } from "./field";
import { homeTab, splitTabs, tabOrder } from "./nav";
import { LazyReview } from "./quality/LazyReview";
import { can, sessionStore } from "./session";
import { useStore } from "./store";

const TAB_NAMES: readonly TabName[] = ["today", "plan", "insights", "nearby", "accounts", "map", "search", "review"];

/** Users who record visits have the day on the phone (Today, visits, forms, sync): reps, managers, admins. */
export function hasDay(me: Me): boolean {
  return can(me, "visits.record") && can(me, "sync.use");
}

/** The tab a route shows: "/" is the first tab of the user's bar (Today for a rep, Plan for a manager, Insights for HQ). */
function tabOf(route: Route, day: boolean, insights = false, planner = false, review = false): TabName | null {
  if (route.name === "plan" && !planner) return null;
  if (route.name === "review" && !review) return null;
  if (route.name === "home") return homeTab({ day, insights, planner });
  if (route.name === "insights" && !insights) return null;
  if (route.name === "today" && !day) return null;
  return (TAB_NAMES as readonly string[]).includes(route.name) ? (route.name as TabName) : null;
}

/** The form screen (renderer, rules, expression evaluator): its own chunk, loaded when a form opens (precached for offline use). */
type FormScreenType = typeof import("./screens/FormScreen").FormScreen;
let FormScreenLoaded: FormScreenType | null = null;

function LazyFormScreen(props: { uuid: string; formId: number }) {
  const { t } = useI18n();
  const [Loaded, setLoaded] = useState<FormScreenType | null>(() => FormScreenLoaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (Loaded) return;
    import("./screens/FormScreen").then(
      (module) => {
        FormScreenLoaded = module.FormScreen;
        setLoaded(() => module.FormScreen);
      },
      () => setFailed(true),
    );
  }, []);
  if (Loaded) return <Loaded {...props} />;
  return (
    <div class="screen-body">
      {failed ? <p class="message message-error">{t("error.network")}</p> : (
        <p class="loading" role="status"><span class="spinner" aria-hidden="true" /> {t("app.loading")}</p>
      )}
    </div>
  );
}

function Splash() {
  const { t } = useI18n();
  return (
    <main id="main" class="splash" tabIndex={-1}>
      <p class="loading" role="status">
        <span class="spinner" aria-hidden="true" /> {t("app.starting")}
      </p>
    </main>
  );
}

export function App() {
  const i18n = useI18n();
  const route = useStore(routeStore);
  const session = useStore(sessionStore);

  useEffect(() => {
    document.documentElement.lang = i18n.lang;
  }, [i18n.lang]);

  // Keep the address in step with the session: nobody logged in -> /login?next=<where they
  // were>; logged in on /login -> where they wanted to go.
  useEffect(() => {
    if (route.name === "invite") return;
    if (session.status === "signedOut" && route.name !== "login") {
      const here = location.pathname + location.search;
      const next = session.reason === "loggedOut" || here === "/" ? null : safeNext(here);
      navigate(paths.login(next), { replace: true });
    } else if (session.status === "signedIn" && route.name === "login") {
      navigate(route.next ?? "/", { replace: true });
    }
  }, [session, route]);

  let body;
  if (route.name === "invite") body = <Invite token={route.token} />;
  else if (session.status === "checking") body = <Splash />;
  else if (session.status === "signedOut") body = <Login key={session.reason} reason={session.reason} email={session.email} />;
  else if (route.name === "login") body = <Splash />; // on the way to `next`
  // Keyed by user: another user starts from fresh screens, nothing of the previous one kept.
  else body = <Main key={session.me.user.id} me={session.me} route={route} />;

  return (
    <div class="app">
      <a class="skip-link" href="#main">{i18n.t("app.skip")}</a>
      <OfflineBanner />
      <UpdateBanner />
      {body}
    </div>
  );
}

function Main({ me, route }: { me: Me; route: Route }) {
  const i18n = useI18n();
  const day = hasDay(me);
  const insights = hasInsights(me);
  const planner = hasPlanner(me);
  const review = can(me, "duplicates.merge") && can(me, "corrections.propose");
  const tab = tabOf(route, day, insights, planner, review);
  const { bar, more } = splitTabs(tabOrder({ day, insights, planner, review }));
  const [visited, setVisited] = useState<ReadonlySet<TabName>>(() => new Set(tab ? [tab] : []));
  const [lastTab, setLastTab] = useState<TabName>(tab ?? (day ? "today" : "nearby"));
  const onDay = route.name === "visit" || route.name === "visitForm" || route.name === "sync";

  // What this user changed stays with them: forgotten when they log out or another user logs in.
  useEffect(() => () => accountUpdatesStore.set(new Map()), []);

  // The day on the phone: this user's store, synced while the app is open.
  useEffect(() => {
    if (!day) return;
    void startField(me.user.id);
    return () => stopField();
  }, [day, me.user.id]);

  useEffect(() => {
    if (!tab) return;
    setLastTab(tab);
    if (!visited.has(tab)) setVisited(new Set([...visited, tab]));
  }, [tab]);

  // After moving to another screen, put keyboard and screen-reader focus on its heading
  // (on Search, in the search box).
  useEffect(() => {
    const { t } = i18n;
    const title =
      tab === "accounts" ? (me.user.role === "rep" ? t("accounts.titleMine") : t("accounts.title"))
      : tab ? t(`${tab}.title`)
      : route.name === "account" ? t("account.title")
      : route.name === "visit" ? t("visit.title")
      : route.name === "visitForm" ? t("visit.forms")
      : route.name === "sync" ? t("sync.title")
      : t("detail.title");
    document.title = `${title} · Rayon`;
    if (!navigatedInApp) return;
    requestAnimationFrame(() => {
      const screen = document.querySelector<HTMLElement>(".screen:not([hidden])");
      const target = screen?.querySelector<HTMLElement>(tab === "search" ? "#search-q" : ".screen-title");
      target?.focus({ preventScroll: true });
    });
  }, [route]);

  return (
    <>
      {/* First in the focus order (after the skip link), shown at the bottom of the screen. */}
      <BottomNav tabs={bar} more={more} current={tab ?? (route.name === "account" ? "accounts" : onDay ? "today" : lastTab)} />
      <main id="main" class="screens" tabIndex={-1}>
        {day && visited.has("today") && (
          <section class="screen" hidden={tab !== "today"}>
            <Today />
          </section>
        )}
        {visited.has("nearby") && (
          <section class="screen" hidden={tab !== "nearby"}>
            <Nearby />
          </section>
        )}
        {visited.has("accounts") && (
          <section class="screen" hidden={tab !== "accounts"}>
            <Accounts me={me} />
          </section>
        )}
        {visited.has("map") && (
          <section class="screen screen-map" hidden={tab !== "map"}>
            <MapScreen active={tab === "map"} />
          </section>
        )}
        {visited.has("search") && (
          <section class="screen" hidden={tab !== "search"}>
            <Search active={tab === "search"} initialQuery={route.name === "search" ? route.q : ""} />
          </section>
        )}
        {route.name === "outlet" && (
          <section class="screen screen-detail">
            <OutletDetail key={route.id} id={route.id} />
          </section>
        )}
        {route.name === "account" && (
          <section class="screen screen-detail">
            <AccountDetail key={route.id} id={route.id} me={me} />
          </section>
        )}
        {day && route.name === "visit" && (
          <section class="screen screen-detail">
            <VisitScreen key={route.uuid} uuid={route.uuid} />
          </section>
        )}
        {day && route.name === "visitForm" && (
          <section class="screen screen-detail">
            <LazyFormScreen key={`${route.uuid}:${route.formId}`} uuid={route.uuid} formId={route.formId} />
          </section>
        )}
        {day && route.name === "sync" && (
          <section class="screen screen-detail">
            <SyncScreen />
          </section>
        )}
        {planner && visited.has("plan") && (
          <section class="screen" hidden={tab !== "plan"}>
            <LazyPlanner me={me} />
          </section>
        )}
        {review && visited.has("review") && (
          <section class="screen" hidden={tab !== "review"}>
            <LazyReview active={tab === "review"} />
          </section>
        )}
        {insights && visited.has("insights") && (
          <section class="screen" hidden={tab !== "insights"}>
            <LazyInsights me={me} view={route.name === "insights" ? route.view : "overview"} active={tab === "insights"} />
          </section>
        )}
        {(route.name === "notFound" || (!day && (route.name === "today" || onDay)) || (!insights && route.name === "insights") || (!planner && route.name === "plan") || (!review && route.name === "review")) && (
          <section class="screen">
            <div class="screen-body">
              <p class="message">{i18n.t("app.notFound")}</p>
              <a class="button button-primary" href={paths.nearby}>{i18n.t("nav.nearby")}</a>
            </div>
          </section>
        )}
      </main>
      <SettingsSheet me={me} />
    </>
  );
}
