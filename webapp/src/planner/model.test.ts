import { describe, expect, it } from "vitest";
import type { Account } from "../api/types";
import type { PlannedVisit, RoutePlan } from "./api";
import { PLANNER_CATALOGUES } from "./messages";
import { coverage, EMPTY_FILTER, matches, nextMonday, planFilter, repColour, repDays, workingDays } from "./model";

function account(id: number, changes: Partial<Account> = {}): Account {
  return {
    id,
    outlet: {
      id, name: `Outlet ${id}`, banner: null, format: "supermarket", street: "Hauptstraße", house_number: "1", postcode: "80331",
      city: "München", country: "DE", lat: 48.1, lon: 11.5, private: false,
    },
    status: "customer", account_class: "A", visit_every_weeks: 1, assigned_rep_id: 7, assigned_rep_name: "Rep 7",
    distributor: null, custom: {}, tags: [], notes: null, last_visit_at: null, visit_due_at: null, overdue: false, version: 1,
    ...changes,
  };
}

const plan: RoutePlan = {
  id: 3, name: "Week", status: "planned", date_from: "2026-11-30", date_to: "2026-12-04", rep_ids: [7, 8], params: {},
  job_id: 1, job_url: "/api/v1/jobs/1", summary: null, error: null, published_at: null,
  result: {
    routes: [
      {
        rep_id: 7, rep_name: "Rep 7", date: "2026-11-30", depart: "08:00", arrive: "12:00", travel_km: 30, travel_min: 40, breaks: [],
        stops: [
          { account_id: 1, outlet_name: "One", lat: 48.1, lon: 11.5, arrival: "08:20", start: "08:30", departure: "09:00", wait_min: 10, travel_min: 20, travel_km: 12 },
          { account_id: 2, outlet_name: "Two", lat: 48.2, lon: 11.6, arrival: "09:15", start: "09:15", departure: "09:35", wait_min: 0, travel_min: 15, travel_km: 9 },
        ],
      },
    ],
    unplanned: [{ account_id: 3, date: "2026-12-01", reason: "outside opening hours" }],
  },
};

function visit(id: number, accountId: number, changes: Partial<PlannedVisit> = {}): PlannedVisit {
  return {
    id, uuid: `u${id}`, account_id: accountId, rep_id: 7,
    outlet: { id: accountId, name: `Outlet ${accountId}`, city: null, street: null, house_number: null },
    source: "plan", status: "planned", planned_date: "2026-11-30", planned_start_min: 510, planned_duration_min: 30,
    route_plan_id: 3, sequence: 1, ...changes,
  };
}

describe("account filter", () => {
  it("filters by class, frequency (0: none), rep (none: unassigned), status and text", () => {
    const list = [
      account(1),
      account(2, { account_class: "B", visit_every_weeks: 2 }),
      account(3, { account_class: "C", visit_every_weeks: null, assigned_rep_id: null }),
      account(4, { status: "prospect", outlet: { ...account(4).outlet, name: "Kiosk am Bahnhof" } }),
    ];
    const ids = (f: Partial<typeof EMPTY_FILTER>) => list.filter((a) => matches(a, { ...EMPTY_FILTER, ...f })).map((a) => a.id);
    expect(ids({})).toEqual([1, 2, 3, 4]);
    expect(ids({ classes: ["A", "B"] })).toEqual([1, 2, 4]);
    expect(ids({ frequencies: [0] })).toEqual([3]);
    expect(ids({ frequencies: [2] })).toEqual([2]);
    expect(ids({ rep: "none" })).toEqual([3]);
    expect(ids({ rep: "7" })).toEqual([1, 2, 4]);
    expect(ids({ statuses: ["prospect"] })).toEqual([4]);
    expect(ids({ q: "bahnhof" })).toEqual([4]);
  });
  it("passes class, status and rep to the plan (frequency is each account's own)", () => {
    expect(planFilter({ ...EMPTY_FILTER, classes: ["A"], frequencies: [2], rep: "none", statuses: ["customer"] }))
      .toEqual({ account_class: ["A"], status: ["customer"], rep: "none" });
    expect(planFilter(EMPTY_FILTER)).toEqual({});
  });
});

describe("the week", () => {
  it("starts on the next Monday and has five working days", () => {
    expect(nextMonday("2026-11-25")).toBe("2026-11-30"); // a Wednesday
    expect(nextMonday("2026-11-30")).toBe("2026-12-07"); // a Monday: the week after
    expect(workingDays("2026-11-30")).toEqual(["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]);
  });
  it("gives each rep a colour of their own", () => {
    expect(repColour([7, 8], 7)).not.toBe(repColour([7, 8], 8));
  });
});

describe("rep days", () => {
  const positions = new Map([[5, { lat: 48.3, lon: 11.7, name: "Five" }]]);
  it("are the plan's routes before publishing", () => {
    const [day] = repDays(plan, null, positions);
    expect(day.stops.map((s) => [s.account_id, s.start, s.end, s.travel_min])).toEqual([[1, 510, 540, 20], [2, 555, 575, 15]]);
  });
  it("are the visits once published: a moved one leaves its day and shows where it went, by hand", () => {
    const published = { ...plan, status: "published" as const };
    const visits = [
      visit(11, 1),
      // account 2's plan visit was moved (cancelled, not listed) to Tuesday 10:00 by hand
      visit(12, 2, { source: "manual", route_plan_id: null, planned_date: "2026-12-01", planned_start_min: 600 }),
      visit(13, 5, { route_plan_id: 2 }), // another plan's: not this one's
      visit(14, 5, { rep_id: 99 }), // a rep outside the plan
    ];
    const days = repDays(published, visits, positions);
    expect(days.map((d) => [d.date, d.stops.map((s) => [s.account_id, s.start, s.manual])])).toEqual([
      ["2026-11-30", [[1, 510, false]]],
      ["2026-12-01", [[2, 600, true]]],
    ]);
    expect(days[0].stops[0].travel_min).toBe(20);
    expect(days[1].stops[0].travel_min).toBeNull();
  });
});

describe("coverage", () => {
  it("counts accounts with a visit, per rep and in all, and what was left out", () => {
    const list = [account(1), account(2), account(3), account(4, { assigned_rep_id: 8 }), account(6, { assigned_rep_id: null, visit_every_weeks: null })];
    const result = coverage(list, [7, 8], repDays(plan, null, new Map()), plan.result?.unplanned ?? []);
    expect(result).toMatchObject({ accounts: 5, covered: 2, unassigned: 1, noFrequency: 1 });
    expect(result.reps).toEqual([
      { rep_id: 7, accounts: 3, covered: 2, visits: 2, days: 1, travel_km: 30, unplanned: 1 },
      { rep_id: 8, accounts: 1, covered: 0, visits: 0, days: 0, travel_km: 0, unplanned: 0 },
    ]);
  });
});

describe("planner messages", () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const en = PLANNER_CATALOGUES.en as Record<string, string>;
  for (const lang of ["de", "fr"] as const) {
    const other = PLANNER_CATALOGUES[lang] as Record<string, string>;
    it(`${lang} has every key with the same placeholders`, () => {
      expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
      for (const key of Object.keys(en)) expect([key, placeholders(other[key])]).toEqual([key, placeholders(en[key])]);
    });
  }
});
