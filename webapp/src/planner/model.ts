// The planner's pure parts: filtering the team's accounts, the week's days, each rep's days as
// ordered stops (from the plan's result, or from the visits once published), and coverage.
import type { Account, AccountClass, AccountStatus } from "../api/types";
import type { PlannedVisit, PlanRoute, RoutePlan, Unplanned } from "./api";

export interface AccountFilter {
  classes: AccountClass[];
  /** Visit every n weeks; 0: no frequency set. */
  frequencies: number[];
  /** A rep id, "none" (unassigned) or "" (all). */
  rep: string;
  statuses: AccountStatus[];
  q: string;
}

export const EMPTY_FILTER: AccountFilter = { classes: [], frequencies: [], rep: "", statuses: [], q: "" };

export function matches(account: Account, filter: AccountFilter): boolean {
  if (filter.classes.length && !filter.classes.includes(account.account_class as AccountClass)) return false;
  if (filter.frequencies.length && !filter.frequencies.includes(account.visit_every_weeks ?? 0)) return false;
  if (filter.statuses.length && !filter.statuses.includes(account.status)) return false;
  if (filter.rep === "none" && account.assigned_rep_id !== null) return false;
  if (filter.rep && filter.rep !== "none" && String(account.assigned_rep_id) !== filter.rep) return false;
  const q = filter.q.trim().toLocaleLowerCase();
  if (q) {
    const text = `${account.outlet.name} ${account.outlet.city ?? ""} ${account.outlet.street ?? ""} ${account.outlet.postcode ?? ""}`;
    if (!text.toLocaleLowerCase().includes(q)) return false;
  }
  return true;
}

/** The plan's account filter from the list's (the API plans by class, status and rep; frequency is each account's own). */
export function planFilter(filter: AccountFilter): { account_class?: AccountClass[]; status?: AccountStatus[]; rep?: string } {
  return {
    ...(filter.classes.length ? { account_class: filter.classes } : {}),
    ...(filter.statuses.length ? { status: filter.statuses } : {}),
    ...(filter.rep ? { rep: filter.rep } : {}),
  };
}

/** YYYY-MM-DD of a date in the local calendar. */
export function isoDay(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d + days));
  return date.toISOString().slice(0, 10);
}

/** Monday of the week after `today` (a plan is made ahead). */
export function nextMonday(today: string): string {
  const [y, m, d] = today.split("-").map(Number);
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday 0
  return addDays(today, 7 - weekday);
}

/** The working days Monday to Friday of the week starting `monday`. */
export function workingDays(monday: string): string[] {
  return [0, 1, 2, 3, 4].map((i) => addDays(monday, i));
}

export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
}

export function hhmmOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** Distinct colours for up to ten reps (then they repeat), readable on white and on the map. */
export const REP_COLOURS = ["#1f6feb", "#c2410c", "#15803d", "#9333ea", "#b91c1c", "#0e7490", "#a16207", "#be185d", "#4d7c0f", "#334155"];

export function repColour(repIds: readonly number[], repId: number): string {
  const index = repIds.indexOf(repId);
  return REP_COLOURS[(index < 0 ? repIds.length : index) % REP_COLOURS.length];
}

/** One stop of a rep's day as the planner shows it. */
export interface DayStop {
  account_id: number;
  name: string;
  lat: number | null;
  lon: number | null;
  /** Minutes after midnight. */
  start: number | null;
  end: number | null;
  travel_min: number | null;
  travel_km: number | null;
  /** The visit (once published). */
  visit: PlannedVisit | null;
  /** Planned by hand (moved or added), not by this plan. */
  manual: boolean;
}

export interface RepDay {
  rep_id: number;
  date: string;
  stops: DayStop[];
  depart: string | null;
  arrive: string | null;
  travel_km: number | null;
}

const key = (repId: number, date: string) => `${repId}:${date}`;

/**
 * Each rep's days. Before publishing: the plan's routes. Once published: the visits of the
 * plan's reps and days (what the reps will see), in time order, with the plan's travel figures
 * where a visit is still where the plan put it.
 */
export function repDays(plan: RoutePlan, visits: readonly PlannedVisit[] | null, positions: ReadonlyMap<number, { lat: number | null; lon: number | null; name: string }>): RepDay[] {
  const routes = plan.result?.routes ?? [];
  const byRoute = new Map(routes.map((r) => [key(r.rep_id, r.date), r]));
  if (plan.status !== "published" || !visits) return routes.map((r) => fromRoute(r));
  const reps = new Set(plan.rep_ids);
  const grouped = new Map<string, PlannedVisit[]>();
  for (const v of visits) {
    if (!v.planned_date || !reps.has(v.rep_id) || v.planned_date < plan.date_from || v.planned_date > plan.date_to) continue;
    if (v.route_plan_id !== null && v.route_plan_id !== plan.id) continue; // another plan's (replaced ones are cancelled)
    const k = key(v.rep_id, v.planned_date);
    grouped.set(k, [...(grouped.get(k) ?? []), v]);
  }
  const days: RepDay[] = [];
  for (const [k, list] of grouped) {
    const [repId, date] = [Number(k.split(":")[0]), k.split(":")[1]];
    const route = byRoute.get(k);
    const planned = new Map(route?.stops.map((s) => [s.account_id, s]) ?? []);
    list.sort((a, b) => (a.planned_start_min ?? 1e9) - (b.planned_start_min ?? 1e9) || (a.sequence ?? 0) - (b.sequence ?? 0));
    const stops = list.map((v): DayStop => {
      const stop = v.route_plan_id === plan.id ? planned.get(v.account_id) : undefined;
      const where = positions.get(v.account_id);
      return {
        account_id: v.account_id,
        name: v.outlet.name,
        lat: stop?.lat ?? where?.lat ?? null,
        lon: stop?.lon ?? where?.lon ?? null,
        start: v.planned_start_min,
        end: v.planned_start_min !== null && v.planned_duration_min !== null ? v.planned_start_min + v.planned_duration_min : null,
        travel_min: stop?.travel_min ?? null,
        travel_km: stop?.travel_km ?? null,
        visit: v,
        manual: v.route_plan_id !== plan.id,
      };
    });
    days.push({ rep_id: repId, date, stops, depart: route?.depart ?? null, arrive: route?.arrive ?? null, travel_km: route?.travel_km ?? null });
  }
  return days.sort((a, b) => a.date.localeCompare(b.date) || plan.rep_ids.indexOf(a.rep_id) - plan.rep_ids.indexOf(b.rep_id));
}

function fromRoute(route: PlanRoute): RepDay {
  return {
    rep_id: route.rep_id,
    date: route.date,
    depart: route.depart,
    arrive: route.arrive,
    travel_km: route.travel_km,
    stops: route.stops.map((s) => ({
      account_id: s.account_id,
      name: s.outlet_name ?? `#${s.account_id}`,
      lat: s.lat,
      lon: s.lon,
      start: minutesOf(s.start),
      end: minutesOf(s.departure),
      travel_min: s.travel_min,
      travel_km: s.travel_km,
      visit: null,
      manual: false,
    })),
  };
}

export interface RepCoverage {
  rep_id: number;
  accounts: number;
  /** Accounts of the rep with a visit in the plan. */
  covered: number;
  visits: number;
  days: number;
  travel_km: number;
  /** Of the rep's accounts, those the plan left out (with a reason). */
  unplanned: number;
}

export interface Coverage {
  reps: RepCoverage[];
  /** Accounts of the team (the filter's) with a visit / without. */
  accounts: number;
  covered: number;
  unassigned: number;
  noFrequency: number;
}

/** How much of the team's book the plan (or published week) covers, per rep and in all. */
export function coverage(accounts: readonly Account[], repIds: readonly number[], days: readonly RepDay[], unplanned: readonly Unplanned[]): Coverage {
  const visited = new Set(days.flatMap((d) => d.stops.map((s) => s.account_id)));
  const left = new Set(unplanned.map((u) => u.account_id));
  const reps = repIds.map((repId): RepCoverage => {
    const mine = accounts.filter((a) => a.assigned_rep_id === repId);
    const theirDays = days.filter((d) => d.rep_id === repId);
    return {
      rep_id: repId,
      accounts: mine.length,
      covered: mine.filter((a) => visited.has(a.id)).length,
      visits: theirDays.reduce((n, d) => n + d.stops.length, 0),
      days: theirDays.filter((d) => d.stops.length).length,
      travel_km: Math.round(theirDays.reduce((n, d) => n + (d.travel_km ?? 0), 0) * 10) / 10,
      unplanned: mine.filter((a) => left.has(a.id) && !visited.has(a.id)).length,
    };
  });
  return {
    reps,
    accounts: accounts.length,
    covered: accounts.filter((a) => visited.has(a.id)).length,
    unassigned: accounts.filter((a) => a.assigned_rep_id === null).length,
    noFrequency: accounts.filter((a) => !a.visit_every_weeks).length,
  };
}
