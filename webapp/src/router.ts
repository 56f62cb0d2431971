// Client-side routes on the History API. Flask answers every non-API path with index.html,
// so these URLs can be reloaded and shared. Links are plain <a href> elements: a click on a
// same-app link is handled here, so they also work with the keyboard, middle-click and
// "open in new tab".
import { createStore } from "./store";

export type Route =
  | { name: "home" }
  | { name: "today" }
  | { name: "visit"; uuid: string }
  | { name: "visitForm"; uuid: string; formId: number }
  | { name: "sync" }
  | { name: "nearby" }
  | { name: "accounts" }
  | { name: "map" }
  | { name: "search"; q: string }
  | { name: "outlet"; id: number }
  | { name: "account"; id: number }
  | { name: "login"; next: string | null }
  | { name: "invite"; token: string }
  | { name: "insights"; view: "overview" | "explore" | "map" | "exports" }
  | { name: "plan" }
  | { name: "review" }
  | { name: "notFound" };

export type TabName = "today" | "nearby" | "accounts" | "map" | "search" | "insights" | "plan" | "review";

/** Where to go after logging in: a path of this app only (never another site, never the login again). */
export function safeNext(next: string | null | undefined): string | null {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.includes("\\")) return null;
  const name = parseRoute(next.split(/[?#]/)[0]).name;
  return name === "login" || name === "invite" || name === "notFound" ? null : next;
}

export function parseRoute(pathname: string, search = ""): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") return { name: "home" };
  if (path === "/today") return { name: "today" };
  if (path === "/sync") return { name: "sync" };
  if (path === "/nearby") return { name: "nearby" };
  if (path === "/plan") return { name: "plan" };
  if (path === "/review") return { name: "review" };
  if (path === "/accounts") return { name: "accounts" };
  if (path === "/map") return { name: "map" };
  if (path === "/search") return { name: "search", q: new URLSearchParams(search).get("q") ?? "" };
  if (path === "/login") return { name: "login", next: safeNext(new URLSearchParams(search).get("next")) };
  const outlet = /^\/outlets\/(\d+)$/.exec(path);
  if (outlet) return { name: "outlet", id: Number(outlet[1]) };
  const account = /^\/accounts\/(\d+)$/.exec(path);
  if (account) return { name: "account", id: Number(account[1]) };
  const visit = /^\/visits\/([0-9a-f-]{36})$/.exec(path);
  if (visit) return { name: "visit", uuid: visit[1] };
  const visitForm = /^\/visits\/([0-9a-f-]{36})\/forms\/(\d+)$/.exec(path);
  if (visitForm) return { name: "visitForm", uuid: visitForm[1], formId: Number(visitForm[2]) };
  const insights = /^\/insights(?:\/(explore|map|exports))?$/.exec(path);
  if (insights) return { name: "insights", view: (insights[1] ?? "overview") as "overview" | "explore" | "map" | "exports" };
  const invite = /^\/invite\/([A-Za-z0-9_-]{10,200})$/.exec(path);
  if (invite) return { name: "invite", token: invite[1] };
  return { name: "notFound" };
}

export const paths = {
  home: "/",
  today: "/today",
  sync: "/sync",
  visit: (uuid: string) => `/visits/${uuid}`,
  visitForm: (uuid: string, formId: number) => `/visits/${uuid}/forms/${formId}`,
  nearby: "/nearby",
  accounts: "/accounts",
  map: "/map",
  search: (q = "") => (q ? `/search?q=${encodeURIComponent(q)}` : "/search"),
  outlet: (id: number) => `/outlets/${id}`,
  account: (id: number) => `/accounts/${id}`,
  insights: "/insights",
  plan: "/plan",
  review: "/review",
  login: (next: string | null = null) => (next ? `/login?next=${encodeURIComponent(next)}` : "/login"),
};

const current = () =>
  typeof location === "undefined" ? ({ name: "home" } as Route) : parseRoute(location.pathname, location.search);

export const routeStore = createStore<Route>(current());

/** Whether the last route change came from the app (not the first load): move focus then. */
export let navigatedInApp = false;

export function navigate(href: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  navigatedInApp = true;
  routeStore.set(current());
}

/** Go back inside the app when there is somewhere to go back to, else to `fallback`. */
export function back(fallback: string): void {
  if (navigatedInApp && history.length > 1) history.back();
  else navigate(fallback, { replace: true });
}

export function startRouter(): void {
  window.addEventListener("popstate", () => {
    navigatedInApp = true;
    routeStore.set(current());
  });
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.("a");
    if (!anchor || anchor.target || anchor.hasAttribute("download")) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
    if (url.hash && url.pathname === location.pathname) return; // in-page link (skip link)
    if (parseRoute(url.pathname).name === "notFound") return;
    event.preventDefault();
    if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
  });
}

/** Change the address bar without a new history entry or a route change (e.g. a search's q). */
export function replaceUrl(href: string): void {
  history.replaceState(null, "", href);
}
