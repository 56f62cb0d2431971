// Which tabs a user's bottom bar shows, in which order, and which go under "More". The bar
// has at most five entries, so that every label fits on a 360 px phone in every language:
// the role's four most used tabs, then "More" (a sheet with the rest). The role is read from
// what the user may do, not from its name: who records visits has the day (Today), who plans
// has the planner, who may export analytics has Insights.
import type { TabName } from "./router";

export interface NavCapabilities {
  day: boolean;
  planner: boolean;
  insights: boolean;
  /** Decides on corrections and duplicates (data quality): managers, admins. */
  review?: boolean;
}

/** The tabs a user has, most used first. */
export function tabOrder({ day, planner, insights, review = false }: NavCapabilities): TabName[] {
  let order: TabName[];
  if (planner) order = ["plan", "accounts", "insights", "map", "today", "nearby", "review", "search"]; // manager, admin
  else if (insights) order = ["insights", "accounts", "map", "nearby", "today", "review", "search"]; // head office
  else order = ["today", "nearby", "map", "accounts", "review", "search"]; // rep
  return order.filter(
    (name) => (name !== "today" || day) && (name !== "insights" || insights) && (name !== "plan" || planner)
      && (name !== "review" || review),
  );
}

/** The bar's tabs and those under "More" (none when everything fits in five entries without it). */
export function splitTabs(tabs: readonly TabName[], slots = 5): { bar: TabName[]; more: TabName[] } {
  if (tabs.length <= slots - 1) return { bar: [...tabs], more: [] };
  return { bar: tabs.slice(0, slots - 1), more: tabs.slice(slots - 1) };
}

/** The home page ("/") is the first tab of the user's bar. */
export function homeTab(capabilities: NavCapabilities): TabName {
  return tabOrder(capabilities)[0] ?? "nearby";
}
