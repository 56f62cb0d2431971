// The app: bottom-navigation tabs (kept alive while hidden, so a list keeps its results and
// scroll position), the outlet page on top, the offline banner and the settings sheet.
import { useEffect, useState } from "preact/hooks";
import { BottomNav, OfflineBanner, SettingsSheet, UpdateBanner } from "./components/Chrome";
import { useI18n } from "./i18n";
import { navigatedInApp, paths, routeStore, type Route, type TabName } from "./router";
import { MapScreen } from "./screens/MapScreen";
import { Nearby } from "./screens/Nearby";
import { OutletDetail } from "./screens/OutletDetail";
import { Search } from "./screens/Search";
import { useStore } from "./store";

function tabOf(route: Route): TabName | null {
  return route.name === "nearby" || route.name === "map" || route.name === "search" ? route.name : null;
}

export function App() {
  const i18n = useI18n();
  const route = useStore(routeStore);
  const tab = tabOf(route);
  const [visited, setVisited] = useState<ReadonlySet<TabName>>(() => new Set(tab ? [tab] : []));
  const [lastTab, setLastTab] = useState<TabName>(tab ?? "nearby");
  const [settingsOpen, setSettingsOpen] = useState(false);

  useEffect(() => {
    if (!tab) return;
    setLastTab(tab);
    if (!visited.has(tab)) setVisited(new Set([...visited, tab]));
  }, [tab]);

  useEffect(() => {
    document.documentElement.lang = i18n.lang;
  }, [i18n.lang]);

  // After moving to another screen, put keyboard and screen-reader focus on its heading
  // (on Search, in the search box).
  useEffect(() => {
    const title = tab === "search" ? i18n.t("search.title") : tab ? i18n.t(`${tab}.title`) : i18n.t("detail.title");
    document.title = `${title} · Rayon`;
    if (!navigatedInApp) return;
    requestAnimationFrame(() => {
      const screen = document.querySelector<HTMLElement>(".screen:not([hidden])");
      const target = screen?.querySelector<HTMLElement>(tab === "search" ? "#search-q" : ".screen-title");
      target?.focus({ preventScroll: true });
    });
  }, [route]);

  return (
    <div class="app">
      <a class="skip-link" href="#main">{i18n.t("app.skip")}</a>
      <OfflineBanner />
      <UpdateBanner />
      {/* First in the focus order (after the skip link), shown at the bottom of the screen. */}
      <BottomNav current={tab ?? lastTab} onSettings={() => setSettingsOpen(true)} />
      <main id="main" class="screens" tabIndex={-1}>
        {visited.has("nearby") && (
          <section class="screen" hidden={tab !== "nearby"}>
            <Nearby />
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
        {route.name === "notFound" && (
          <section class="screen">
            <div class="screen-body">
              <p class="message">{i18n.t("app.notFound")}</p>
              <a class="button button-primary" href={paths.nearby}>{i18n.t("nav.nearby")}</a>
            </div>
          </section>
        )}
      </main>
      <SettingsSheet open={settingsOpen} onClose={() => setSettingsOpen(false)} />
    </div>
  );
}
