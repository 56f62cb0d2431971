// The manager's planner over the public API: the team (GET /users), its accounts
// (GET /accounts, POST /accounts/bulk), route plans (server/plans: POST /route-plans runs the
// optimizer as a job, GET /jobs/{id} tells its progress, POST .../publish makes the visits) and
// the visits they became (GET /visits; a move is a new visit planned by hand, then the old one
// cancelled).
import { apiGet, apiSend } from "../api/client";
import type { Account, AccountClass, AccountPage, AccountStatus, User } from "../api/types";

export interface PlanStop {
  account_id: number;
  outlet_name: string | null;
  lat: number;
  lon: number;
  arrival: string;
  start: string;
  departure: string;
  wait_min: number;
  travel_min: number;
  travel_km: number;
}

export interface PlanRoute {
  rep_id: number;
  rep_name: string | null;
  date: string;
  depart: string;
  arrive: string;
  travel_km: number;
  travel_min: number;
  stops: PlanStop[];
  breaks: { start: string; end: string }[];
}

export interface Unplanned {
  account_id: number;
  date: string | null;
  reason: string;
}

export interface PlanSummary {
  visits: number;
  unplanned: number;
  rep_days_used: number;
  drive_h: number;
  work_h: number;
  day_h_min: number;
  day_h_max: number;
  warnings?: string[];
  accounts?: number;
  days?: number;
}

export type PlanStatus = "queued" | "running" | "planned" | "failed" | "published";

export interface RoutePlan {
  id: number;
  name: string;
  status: PlanStatus;
  date_from: string;
  date_to: string;
  rep_ids: number[];
  params: { accounts?: PlanAccountFilter; options?: Record<string, unknown> };
  job_id: number | null;
  job_url: string | null;
  summary: PlanSummary | null;
  error: string | null;
  published_at: string | null;
  result?: { routes: PlanRoute[]; unplanned: Unplanned[] } | null;
}

export interface Job {
  id: number;
  status: "queued" | "running" | "done" | "failed";
  progress: number | null;
  message: string | null;
  error: string | null;
}

export interface PlanAccountFilter {
  status?: AccountStatus[];
  account_class?: AccountClass[];
  rep?: string;
}

export interface PlanRequest {
  name: string;
  date_from: string;
  date_to: string;
  rep_ids: number[];
  accounts: PlanAccountFilter;
  options: { time_limit_s: number; shift_start?: string; shift_end?: string };
}

export interface PlannedVisit {
  id: number;
  uuid: string;
  account_id: number;
  rep_id: number;
  outlet: { id: number; name: string; city: string | null; street: string | null; house_number: string | null };
  source: "plan" | "manual" | "unplanned";
  status: "planned" | "in_progress" | "done" | "missed" | "cancelled";
  planned_date: string | null;
  planned_start_min: number | null;
  planned_duration_min: number | null;
  route_plan_id: number | null;
  sequence: number | null;
}

/** The reps a planner plans for: a manager's team, every rep for an admin. */
export async function teamReps(me: User): Promise<User[]> {
  const { data } = await apiGet<{ items: User[] }>("/users", {
    role: "rep", manager_id: me.role === "manager" ? me.id : undefined, limit: 1000,
  });
  return data.items.filter((u) => u.active !== false);
}

/** Every account the planner may see (the team's and the unassigned pool), page by page. */
export async function allAccounts(signal?: AbortSignal, max = 5000): Promise<Account[]> {
  const out: Account[] = [];
  for (let offset = 0; offset < max; offset += 500) {
    const { data } = await apiGet<AccountPage>("/accounts", { sort: "name", limit: 500, offset: offset || undefined }, { signal });
    out.push(...data.items);
    if (data.items.length < 500 || out.length >= data.total) break;
  }
  return out;
}

export interface BulkChange {
  assigned_rep_id?: number | null;
  visit_every_weeks?: number | null;
}

export function bulkUpdate(ids: number[], set: BulkChange): Promise<{ updated: number }> {
  return apiSend<{ updated: number }>("POST", "/accounts/bulk", { ids, set });
}

export async function listPlans(): Promise<RoutePlan[]> {
  return (await apiGet<{ items: RoutePlan[] }>("/route-plans")).data.items;
}

export async function getPlan(id: number): Promise<RoutePlan> {
  return (await apiGet<RoutePlan>(`/route-plans/${id}`)).data;
}

export function createPlan(request: PlanRequest): Promise<RoutePlan> {
  return apiSend<RoutePlan>("POST", "/route-plans", request);
}

export async function getJob(id: number): Promise<Job> {
  return (await apiGet<Job>(`/jobs/${id}`)).data;
}

export function publishPlan(id: number): Promise<{ visits_created: number; visits_replaced: number }> {
  return apiSend("POST", `/route-plans/${id}/publish`, {});
}

/** The visits of the plan's period (all reps the planner sees), planned and after. */
export async function visitsBetween(from: string, to: string): Promise<PlannedVisit[]> {
  const out: PlannedVisit[] = [];
  for (let offset = 0; offset < 20_000; offset += 1000) {
    const { data } = await apiGet<{ items: PlannedVisit[] }>("/visits", {
      date_from: from, date_to: to, status: "planned,in_progress,done,missed", limit: 1000, offset: offset || undefined,
    });
    out.push(...data.items);
    if (data.items.length < 1000) break;
  }
  return out;
}

export interface Move {
  /** Made once per move, so sending it again (after a lost answer) does not plan the visit twice. */
  uuid: string;
  visit: PlannedVisit;
  rep_id: number;
  date: string;
  start_min: number;
}

/** Move a planned visit: the new one is planned by hand first (the optimizer keeps it), then the old one is cancelled. */
export async function moveVisit(move: Move, reason: string): Promise<PlannedVisit> {
  const created = await apiSend<PlannedVisit>("POST", "/visits", {
    uuid: move.uuid,
    account_id: move.visit.account_id,
    rep_id: move.rep_id,
    planned_date: move.date,
    planned_start_min: move.start_min,
    planned_duration_min: move.visit.planned_duration_min,
  });
  await apiSend("POST", `/visits/${move.visit.id}/cancel`, { reason });
  return created;
}
