// What the rep sees = the server's data as last pulled (or answered), with the changes still
// in the outbox laid over it, in order. The stored data is never changed by a pending change:
// when the server answers, its result replaces the stored record and the change leaves the
// outbox; when it refuses, the change leaves the outbox for the "needs attention" list and the
// screen shows the server's state again. Pure functions (unit-tested).
import type { SyncAccount, Task, Visit } from "../api/types";
import type { OutboxEntry } from "./types";

export interface VisitView extends Visit {
  /** Changes of this visit are waiting to be sent. */
  pending: boolean;
}

export interface TaskView extends Task {
  pending: boolean;
}

function outletOf(account: SyncAccount | undefined, accountId: number): Visit["outlet"] {
  return account
    ? {
      id: account.outlet.id, name: account.outlet.name, city: account.outlet.city, street: account.outlet.street,
      house_number: account.outlet.house_number,
    }
    : { id: 0, name: `#${accountId}`, city: null, street: null, house_number: null };
}

const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);
const str = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** A new visit as the server would make it from a visit.create (or a check-in of an unknown visit). */
export function newVisit(uuid: string, accountId: number, data: Record<string, unknown>, account: SyncAccount | undefined): Visit {
  const planned = str(data.planned_date);
  return {
    uuid,
    account_id: accountId,
    outlet: outletOf(account, accountId),
    source: planned ? "manual" : "unplanned",
    status: "planned",
    planned_date: planned,
    planned_start_min: num(data.planned_start_min),
    planned_duration_min: num(data.planned_duration_min),
    sequence: null,
    check_in: null,
    check_out: null,
    flagged: false,
    flag_reason: null,
    outcome: null,
    notes: str(data.notes),
  };
}

/** One change applied to a visit (undefined: no such visit yet). */
export function applyToVisit(
  visit: Visit | undefined, change: OutboxEntry, accounts: ReadonlyMap<number, SyncAccount>,
): Visit | undefined {
  const data = change.data;
  switch (change.kind) {
    case "visit.create": {
      if (visit) return visit;
      const accountId = num(data.account_id) ?? 0;
      return newVisit(str(data.visit_uuid) ?? change.uuid, accountId, data, accounts.get(accountId));
    }
    case "visit.check_in": {
      let base = visit;
      if (!base) {
        const accountId = num(data.account_id);
        if (accountId === null) return undefined;
        base = newVisit(str(data.visit_uuid) ?? change.uuid, accountId, {}, accounts.get(accountId));
      }
      if (base.status !== "planned" && base.status !== "missed") return base;
      return {
        ...base,
        status: "in_progress",
        check_in: {
          at: null,
          client_at: change.client_at,
          lat: num(data.lat) ?? 0,
          lon: num(data.lon) ?? 0,
          accuracy_m: num(data.accuracy_m),
          distance_m: num(change.local?.distance_m),
        },
      };
    }
    case "visit.check_out": {
      if (!visit || visit.status !== "in_progress") return visit;
      return {
        ...visit,
        status: "done",
        check_out: {
          at: null, client_at: change.client_at, lat: num(data.lat), lon: num(data.lon), accuracy_m: num(data.accuracy_m),
        },
        outcome: (str(data.outcome) as Visit["outcome"]) ?? visit.outcome,
        notes: str(data.notes) || visit.notes,
      };
    }
    case "visit.cancel": {
      if (!visit || visit.status === "done" || visit.status === "in_progress") return visit;
      return { ...visit, status: "cancelled", notes: str(data.reason) || visit.notes };
    }
    default:
      return visit;
  }
}

/** The visit a change is about (its UUID), if any. */
export function visitOfChange(change: OutboxEntry): string | null {
  if (!change.kind.startsWith("visit.")) return null;
  return str(change.data.visit_uuid) ?? (change.kind === "visit.create" ? change.uuid : null);
}

/** Stored visits with the outbox laid over them, in the outbox's order. */
export function overlayVisits(
  stored: readonly Visit[], outbox: readonly OutboxEntry[], accounts: ReadonlyMap<number, SyncAccount>,
): VisitView[] {
  const byUuid = new Map<string, VisitView>(stored.map((v) => [v.uuid, { ...v, pending: false }]));
  for (const change of outbox) {
    const uuid = visitOfChange(change);
    if (!uuid) continue;
    const next = applyToVisit(byUuid.get(uuid), change, accounts);
    if (next) byUuid.set(uuid, { ...next, pending: true });
  }
  return [...byUuid.values()];
}

/** Stored tasks with the outbox's task changes laid over them. */
export function overlayTasks(stored: readonly Task[], outbox: readonly OutboxEntry[]): TaskView[] {
  const byUuid = new Map<string, TaskView>(stored.map((t) => [t.uuid, { ...t, pending: false }]));
  for (const change of outbox) {
    const data = change.data;
    if (change.kind === "task.create") {
      const uuid = str(data.task_uuid) ?? change.uuid;
      if (!byUuid.has(uuid)) {
        byUuid.set(uuid, {
          uuid,
          account_id: num(data.account_id),
          visit_uuid: str(data.visit_uuid),
          title: str(data.title) ?? "",
          due_date: str(data.due_date),
          status: "open",
          pending: true,
        });
      }
    } else if (change.kind === "task.update") {
      const uuid = str(data.task_uuid);
      const task = uuid ? byUuid.get(uuid) : undefined;
      if (task && uuid) {
        byUuid.set(uuid, {
          ...task,
          ...(typeof data.title === "string" ? { title: data.title } : {}),
          ...("due_date" in data ? { due_date: str(data.due_date) } : {}),
          ...(typeof data.status === "string" ? { status: data.status as Task["status"] } : {}),
          pending: true,
        });
      }
    }
  }
  return [...byUuid.values()];
}

/** The local calendar day (YYYY-MM-DD) of a moment, in the phone's time zone. */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The day a visit belongs to: planned date, else the day of its check-in (unplanned visits). */
export function visitDay(visit: Visit, createdDay: string | null = null): string | null {
  if (visit.planned_date) return visit.planned_date;
  if (visit.check_in?.client_at) return localDay(new Date(visit.check_in.client_at));
  if (visit.check_in?.at) return localDay(new Date(visit.check_in.at));
  return createdDay;
}

/**
 * The visits of `day` in the order of the day: by planned start (or check-in time), sequence, then name. Unplanned
 * visits (no planned date) count for the day they were made or checked in; a visit in progress
 * always shows.
 */
export function visitsOfDay(visits: readonly VisitView[], day: string, createdDays: ReadonlyMap<string, string>): VisitView[] {
  const chosen = visits.filter(
    (v) => visitDay(v, createdDays.get(v.uuid) ?? null) === day || v.status === "in_progress",
  );
  const key = (v: VisitView) => [
    v.planned_start_min ?? (v.check_in?.client_at ? minutesOf(v.check_in.client_at) : Number.MAX_SAFE_INTEGER),
    v.sequence ?? Number.MAX_SAFE_INTEGER,
  ];
  return chosen.sort((a, b) => {
    const [as, at] = key(a);
    const [bs, bt] = key(b);
    return as - bs || at - bt || a.outlet.name.localeCompare(b.outlet.name) || a.uuid.localeCompare(b.uuid);
  });
}

function minutesOf(iso: string): number {
  const date = new Date(iso);
  return date.getHours() * 60 + date.getMinutes();
}
