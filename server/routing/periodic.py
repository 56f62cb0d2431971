"""Plan weeks of visits: which rep sees which account on which day, and in which order.

A periodic VRP with time windows, solved in four steps that each stay small enough to be fast
(10 reps x 5 days x 800 accounts in well under two minutes on two cores):

1. **Territories.** Each account goes to one rep (kept across weeks: reps know their outlets).
   Accounts are taken in order of *regret* (how much worse their second-best rep is than their
   best) and given to the nearest rep, by straight-line km from home, that still has room.
   Room is the rep's share of the total weekly workload (service plus an estimate of the drive,
   divided by the frequency in weeks) plus 8 %, so workloads come out balanced. Two more rounds
   repeat this against the centre of each territory, which makes territories compact and not
   just "closest to home". Accounts with ``rep_id`` or skills are only offered to fitting reps.
2. **Visit patterns.** Within a territory, accounts are clustered by the same regret rule into
   one cluster per weekday (balanced by weekly workload, respecting allowed weekdays, days the
   outlet is closed and preferred weekdays): a cluster is a compact area the rep covers on that
   weekday. Then each account seen every 2 or 4 weeks gets a *week offset* (it is visited in the
   weeks where ``weeks since 2024-01-01 % frequency == offset``), chosen greedily to even out the
   load of that weekday across the weeks of the cycle. Offsets already given are kept (store the
   returned ``patterns`` to keep plans stable from one period to the next); fixed visits pin them.
3. **Days.** For every date of the horizon, the accounts whose pattern falls on it form a rep-day.
   A visit whose outlet is closed that date (public holiday, short day) or whose rep is off moves
   to the least loaded other day of the same week when the outlet is open then. Each rep-day is
   routed with :func:`server.routing.solve` (OR-Tools with breaks, opening-hour windows, lunch
   closures, appointments for fixed visits; optional stops with prizes from the priority, so an
   overfull day keeps its A accounts).
4. **Repair and balance.** Visits a day could not fit are inserted into another day of the same
   week (same rep first, then any allowed rep) at the cheapest feasible position. Then one pass
   moves visits off each rep's longest days to other days of the same week when that shortens
   the longest day without adding more than a few minutes of driving. Moves stay within the week,
   so frequencies hold.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .matrix import GreatCircleProvider, Matrix, MatrixProvider
from .model import Break, Location, Options, Problem, ProblemError, Stop, TimeWindow, Vehicle, prize_for_priority
from .opening import visit_windows
from .result import Route
from .schedule import schedule_route
from .solver import solve

__all__ = ["Account", "FixedVisit", "PeriodPlan", "PlannedVisit", "Rep", "Unplanned", "plan_period"]

EPOCH = dt.date(2024, 1, 1)  # a Monday; week offsets count weeks from here
UTILISATION = 0.85  # share of a day's working time the planner fills, leaving room for the drive
KM_PER_MIN = 0.6  # crude speed for workload estimates only (36 km/h door to door)


@dataclass(frozen=True, slots=True)
class Rep:
    """A rep over the period: the same home and daily shift every working day."""

    id: str
    home: Location
    shift: TimeWindow
    breaks: tuple[Break, ...] = ()
    max_working_time: int | None = None
    max_driving_time: int | None = None
    skills: frozenset[str] = frozenset()
    days_off: frozenset[dt.date] = frozenset()


@dataclass(frozen=True, slots=True)
class Account:
    """An outlet to visit every ``frequency_weeks`` weeks (1 = weekly).

    ``weekdays`` (0 = Monday) restricts the days, ``preferred_weekdays`` are favoured;
    ``time_window`` is when a visit must take place (e.g. mornings only), on top of
    ``opening_hours`` (OpenStreetMap syntax, holidays of ``country``). ``rep_id`` fixes the rep,
    ``week_offset`` the weeks (see the module docstring).
    """

    id: str
    location: Location
    service: int
    frequency_weeks: int = 1
    priority: int = 1
    opening_hours: str | None = None
    country: str | None = None
    time_window: TimeWindow | None = None
    weekdays: frozenset[int] | None = None
    preferred_weekdays: frozenset[int] = frozenset()
    rep_id: str | None = None
    skills: frozenset[str] = frozenset()
    week_offset: int | None = None


@dataclass(frozen=True, slots=True)
class FixedVisit:
    """A visit already agreed: on ``day``, at ``start`` if given, by ``rep_id`` if given."""

    account_id: str
    day: dt.date
    start: int | None = None
    rep_id: str | None = None


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    account_id: str
    rep_id: str
    day: dt.date
    start: int
    departure: int
    fixed: bool = False


@dataclass(frozen=True, slots=True)
class Unplanned:
    """A visit due in the period that could not be planned; ``day`` is the day it was meant for."""

    account_id: str
    day: dt.date | None
    reason: str


@dataclass(slots=True)
class PeriodPlan:
    """The plan. ``routes[(rep_id, day)]`` has the timed route of each rep-day.

    ``territory`` (account → rep) and ``patterns`` (account → (weekday, week offset)) are the
    decisions to store so that the next period's plan keeps them. ``problems`` holds each
    rep-day as a one-rep :class:`Problem` of its planned stops (with that day's windows), ready
    for :func:`~server.routing.replan_rest_of_day` or :func:`~server.routing.check_solution`.
    """

    routes: dict[tuple[str, dt.date], Route]
    visits: list[PlannedVisit]
    unplanned: list[Unplanned]
    territory: dict[str, str]
    patterns: dict[str, tuple[int, int]]
    warnings: list[str] = field(default_factory=list)
    problems: dict[tuple[str, dt.date], Problem] = field(default_factory=dict)
    stats: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """Headline figures: visits, unplanned, hours of driving and working, balance across rep-days."""
        days = [r for r in self.routes.values() if r.visits]
        spans = [r.duration / 3600 for r in days] or [0.0]
        return {
            "visits": len(self.visits),
            "unplanned": len(self.unplanned),
            "rep_days_used": len(days),
            "drive_h": round(sum(r.travel_time for r in days) / 3600, 1),
            "work_h": round(sum(r.duration for r in days) / 3600, 1),
            "day_h_min": round(min(spans), 2),
            "day_h_max": round(max(spans), 2),
            "day_h_stdev": round(float(np.std(spans)), 2),
        }


def week_index(day: dt.date) -> int:
    """Weeks since :data:`EPOCH`; an account with frequency f and offset o is due when this % f == o."""
    return (day - EPOCH).days // 7


def plan_period(
    reps: Sequence[Rep],
    accounts: Sequence[Account],
    days: Sequence[dt.date],
    fixed: Sequence[FixedVisit] = (),
    *,
    provider: MatrixProvider | None = None,
    matrix: Matrix | None = None,
    time_limit: float = 100.0,
    day_options: Options | None = None,
) -> PeriodPlan:
    """Plan the visits of ``accounts`` due on ``days`` (working dates, any number of weeks).

    ``time_limit`` bounds the whole run (routing gets what the other steps leave);
    ``day_options`` overrides the per-day solver options (e.g. ``deterministic=True`` in tests).

    :raise ProblemError: no reps or days, duplicate ids, unknown references, bad frequencies.
    """
    began = time.perf_counter()
    _validate(reps, accounts, days, fixed)
    days = sorted(set(days))
    warnings: list[str] = []
    points = list(dict.fromkeys([r.home for r in reps] + [a.location for a in accounts]))
    if matrix is None:
        matrix = (provider or GreatCircleProvider()).matrix(points)
        warnings += matrix.warnings
    planner = _Planner(list(reps), list(accounts), days, list(fixed), matrix, warnings)
    planner.territories()
    planner.patterns()
    planner.place_visits()
    elapsed = time.perf_counter() - began
    planner.route_days(max(1.0, time_limit - elapsed - 0.1 * time_limit), day_options)
    planner.repair()
    planner.balance(deadline=began + time_limit)
    return planner.result(time.perf_counter() - began)


def _validate(reps, accounts, days, fixed) -> None:
    if not reps:
        raise ProblemError("reps", "at least one rep is needed")
    if not days:
        raise ProblemError("days", "at least one day is needed")
    for path, ids in (("reps", [r.id for r in reps]), ("accounts", [a.id for a in accounts])):
        if len(set(ids)) != len(ids):
            raise ProblemError(path, "ids must be unique")
    rep_ids, account_ids = {r.id for r in reps}, {a.id for a in accounts}
    for i, a in enumerate(accounts):
        if a.frequency_weeks < 1:
            raise ProblemError(f"accounts[{i}].frequency_weeks", "must be 1 or more")
        if a.week_offset is not None and not 0 <= a.week_offset < a.frequency_weeks:
            raise ProblemError(f"accounts[{i}].week_offset", "must be between 0 and frequency_weeks - 1")
        if a.rep_id is not None and a.rep_id not in rep_ids:
            raise ProblemError(f"accounts[{i}].rep_id", f"no rep {a.rep_id!r}")
        if a.service < 0:
            raise ProblemError(f"accounts[{i}].service", "must not be negative")
    for i, f in enumerate(fixed):
        if f.account_id not in account_ids:
            raise ProblemError(f"fixed[{i}].account_id", f"no account {f.account_id!r}")
        if f.rep_id is not None and f.rep_id not in rep_ids:
            raise ProblemError(f"fixed[{i}].rep_id", f"no rep {f.rep_id!r}")
        if f.day not in days:
            raise ProblemError(f"fixed[{i}].day", f"{f.day} is not one of the planned days")


def _xy(points: Sequence[Location]) -> np.ndarray:
    """Equirectangular km coordinates: good enough for clustering a region."""
    lat0 = math.radians(sum(p.lat for p in points) / max(1, len(points)))
    return np.array([[p.lon * 111.32 * math.cos(lat0), p.lat * 110.57] for p in points], dtype=float)


def _regret_assign(cost: np.ndarray, load: np.ndarray, room: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Give each row (item) one column (group): most regretful items first, to the cheapest
    group with room left; when none has room, to the cheapest allowed group (overload beats
    leaving an account out; routing and repair deal with it)."""
    cost = np.where(allowed, cost, np.inf)
    ordered = np.sort(cost, axis=1)
    second = ordered[:, 1] if cost.shape[1] > 1 else ordered[:, 0]
    regret = np.where(np.isfinite(second), second - ordered[:, 0], 1e9)
    left = room.astype(float).copy()
    chosen = np.full(cost.shape[0], -1)
    for i in sorted(range(cost.shape[0]), key=lambda i: (-regret[i], i)):
        for g in np.argsort(cost[i], kind="stable"):
            if not np.isfinite(cost[i, g]):
                break
            if left[g] >= load[i]:
                chosen[i] = g
                break
        if chosen[i] < 0 and np.isfinite(cost[i]).any():
            chosen[i] = int(np.argmin(cost[i]))
        if chosen[i] >= 0:
            left[chosen[i]] -= load[i]
    return chosen


class _Planner:
    def __init__(self, reps, accounts, days, fixed, matrix: Matrix, warnings: list[str]) -> None:
        self.reps, self.accounts, self.days, self.fixed = reps, accounts, days, fixed
        self.matrix, self.warnings = matrix, warnings
        self.rep_index = {r.id: k for k, r in enumerate(reps)}
        self.acc_index = {a.id: i for i, a in enumerate(accounts)}
        self.fixed_by_account: dict[str, list[FixedVisit]] = {}
        for f in fixed:
            self.fixed_by_account.setdefault(f.account_id, []).append(f)
        self.cycle = math.lcm(*[a.frequency_weeks for a in accounts]) if accounts else 1
        self.weekdays = sorted({d.weekday() for d in days})
        self._windows_cache: dict[tuple, object] = {}
        # Workload of one visit: service plus the drive from a near neighbour (3rd nearest).
        n = len(accounts)
        self.xy = _xy([a.location for a in accounts]) if n else np.zeros((0, 2))
        self.home_xy = _xy([a.location for a in accounts] + [r.home for r in reps])[n:]
        if n > 1:
            idx = [matrix.index(a.location) for a in accounts]
            durations = np.asarray(matrix.durations, dtype=float)[np.ix_(idx, idx)]
            durations[np.arange(n), np.arange(n)] = np.inf
            k = min(3, n - 1)
            near = np.partition(durations, k - 1, axis=1)[:, k - 1]
        else:
            near = np.full(n, 900.0)
        self.visit_load = np.array([a.service for a in accounts], dtype=float) + near
        self.weekly_load = self.visit_load / np.array([a.frequency_weeks for a in accounts] or [1], dtype=float)
        self.territory = np.full(n, -1)
        self.weekday_of = np.full(n, -1)
        self.offset_of = np.zeros(n, dtype=int)
        self.day_stops: dict[tuple[int, dt.date], list[int]] = {}
        self.routes: dict[tuple[int, dt.date], Route] = {}
        self.orders: dict[tuple[int, dt.date], list[Stop]] = {}
        self.unplanned: list[Unplanned] = []
        self.pending: list[tuple[int, dt.date, str]] = []  # (account, intended day, reason)

    # -- helpers ----------------------------------------------------------------------------------

    def day_capacity(self, rep: Rep) -> float:
        rest = sum(b.duration for b in rep.breaks)
        span = rep.shift.end - rep.shift.start
        if rep.max_working_time is not None:
            span = min(span, rep.max_working_time)
        return max(0.0, (span - rest) * UTILISATION)

    def open_windows(self, a: Account, day: dt.date):
        key = (a.opening_hours, a.country, day, a.service)
        if key not in self._windows_cache:
            self._windows_cache[key] = visit_windows(a.opening_hours, day, a.service, a.country)
        found = self._windows_cache[key]
        if found.warning and (a.id, "oh") not in self._windows_cache:
            self._windows_cache[(a.id, "oh")] = True
            self.warnings.append(f"account {a.id}: {found.warning}")
        return found

    def can_visit(self, a: Account, day: dt.date) -> bool:
        if a.weekdays is not None and day.weekday() not in a.weekdays:
            return False
        return self.visit_windows(a, day) is not None

    def visit_windows(self, a: Account, day: dt.date) -> tuple[TimeWindow, ...] | None:
        """Start windows for a visit of ``a`` on ``day`` (empty: any time), ``None`` when impossible."""
        found = self.open_windows(a, day)
        if found.closed:
            return None
        if a.time_window is None:
            return found.windows
        pref = TimeWindow(a.time_window.start, a.time_window.end - a.service)
        if pref.start > pref.end:
            return None
        cut = [
            TimeWindow(max(w.start, pref.start), min(w.end, pref.end))
            for w in (found.windows or (pref,))
            if max(w.start, pref.start) <= min(w.end, pref.end)
        ]
        return tuple(cut) or None

    def rep_allows(self, rep: Rep, a: Account) -> bool:
        return (a.rep_id is None or a.rep_id == rep.id) and a.skills <= rep.skills

    # -- step 1 -------------------------------------------------------------------------------------

    def territories(self) -> None:
        n, m = len(self.accounts), len(self.reps)
        if not n:
            return
        allowed = np.array([[self.rep_allows(r, a) for r in self.reps] for a in self.accounts])
        for f in self.fixed:  # a visit fixed for a rep makes the account that rep's
            if f.rep_id is not None:
                i = self.acc_index[f.account_id]
                allowed[i] = [r.id == f.rep_id for r in self.reps]
        days_per_week = max(1, len(self.weekdays))
        capacity = np.array([self.day_capacity(r) * days_per_week for r in self.reps])
        share = self.weekly_load.sum() * capacity / max(capacity.sum(), 1.0)
        room = np.minimum(capacity, share * 1.08) if self.weekly_load.sum() <= capacity.sum() else share * 1.08
        centres = self.home_xy.copy()
        for round_ in range(3):
            cost = np.linalg.norm(self.xy[:, None, :] - centres[None, :, :], axis=2)
            if round_:
                cost = 0.3 * np.linalg.norm(self.xy[:, None, :] - self.home_xy[None, :, :], axis=2) + 0.7 * cost
            chosen = _regret_assign(cost, self.weekly_load, room, allowed)
            for k in range(m):
                mine = chosen == k
                if mine.any():
                    w = self.weekly_load[mine]
                    centres[k] = (self.xy[mine] * w[:, None]).sum(axis=0) / w.sum()
        self.territory = chosen
        for i in np.flatnonzero(chosen < 0):
            self.unplanned.append(Unplanned(self.accounts[i].id, None, "no rep has the required skill or assignment"))

    # -- step 2 -------------------------------------------------------------------------------------

    def patterns(self) -> None:
        first_week = [d for d in self.days if week_index(d) == week_index(self.days[0])]
        sample = {d.weekday(): d for d in first_week}
        for wd in self.weekdays:  # a representative date for weekdays missing from the first week
            sample.setdefault(wd, next(d for d in self.days if d.weekday() == wd))
        for k in range(len(self.reps)):
            mine = np.flatnonzero(self.territory == k)
            if not len(mine):
                continue
            wds = self.weekdays
            allowed = np.ones((len(mine), len(wds)), dtype=bool)
            bonus = np.zeros((len(mine), len(wds)))
            for row, i in enumerate(mine):
                a = self.accounts[i]
                for col, wd in enumerate(wds):
                    allowed[row, col] = self.can_visit(a, sample[wd])
                    if wd in a.preferred_weekdays:
                        bonus[row, col] = -3.0  # km: worth a small detour
                if not allowed[row].any():
                    allowed[row] = True  # closed on every sample day: let the day step explain
                pins = [f for f in self.fixed_by_account.get(a.id, [])]
                if pins:
                    allowed[row] = [wd == pins[0].day.weekday() for wd in wds]
            load = self.weekly_load[mine]
            room = np.full(len(wds), load.sum() / len(wds) * 1.1)
            pts = self.xy[mine]
            centres = self._seeds(pts, load, len(wds), self.home_xy[k])
            for _ in range(5):
                cost = np.linalg.norm(pts[:, None, :] - centres[None, :, :], axis=2) + bonus
                chosen = _regret_assign(cost, load, room, allowed)
                for c in range(len(wds)):
                    sel = chosen == c
                    if sel.any():
                        centres[c] = (pts[sel] * load[sel, None]).sum(axis=0) / load[sel].sum()
            for row, i in enumerate(mine):
                self.weekday_of[i] = wds[chosen[row]]
            self._offsets(mine)

    @staticmethod
    def _seeds(pts: np.ndarray, load: np.ndarray, k: int, home: np.ndarray) -> np.ndarray:
        """Farthest-point seeds, starting from the heaviest account farthest from home."""
        first = int(np.argmax(np.linalg.norm(pts - home, axis=1) * (1 + load / load.max())))
        seeds = [first]
        dist = np.linalg.norm(pts - pts[first], axis=1)
        while len(seeds) < min(k, len(pts)):
            nxt = int(np.argmax(dist))
            seeds.append(nxt)
            dist = np.minimum(dist, np.linalg.norm(pts - pts[nxt], axis=1))
        centres = pts[seeds].copy()
        while len(centres) < k:
            centres = np.vstack([centres, pts[0]])
        return centres

    def _offsets(self, mine: np.ndarray) -> None:
        load: dict[tuple[int, int], float] = {}
        for i in mine:  # fixed offsets and weekly accounts first
            a = self.accounts[i]
            offset = self._given_offset(a)
            if offset is None:
                continue
            self.offset_of[i] = offset
            for c in range(offset, self.cycle, a.frequency_weeks):
                load[(self.weekday_of[i], c)] = load.get((self.weekday_of[i], c), 0.0) + self.visit_load[i]
        free = [i for i in mine if self._given_offset(self.accounts[i]) is None]
        for i in sorted(free, key=lambda i: (-self.accounts[i].frequency_weeks, -self.visit_load[i], i)):
            a, wd = self.accounts[i], self.weekday_of[i]
            best = min(
                range(a.frequency_weeks),
                key=lambda o: (max(load.get((wd, c), 0.0) for c in range(o, self.cycle, a.frequency_weeks)), o),
            )
            self.offset_of[i] = best
            for c in range(best, self.cycle, a.frequency_weeks):
                load[(wd, c)] = load.get((wd, c), 0.0) + self.visit_load[i]

    def _given_offset(self, a: Account) -> int | None:
        if a.frequency_weeks == 1:
            return 0
        pins = self.fixed_by_account.get(a.id)
        if pins:
            return week_index(pins[0].day) % a.frequency_weeks
        return a.week_offset

    # -- step 3 -------------------------------------------------------------------------------------

    def place_visits(self) -> None:
        weeks: dict[int, list[dt.date]] = {}
        for d in self.days:
            weeks.setdefault(week_index(d), []).append(d)
        for i, a in enumerate(self.accounts):
            k = int(self.territory[i])
            if k < 0:
                continue
            rep = self.reps[k]
            pinned_weeks = {week_index(f.day) for f in self.fixed_by_account.get(a.id, [])}
            for f in self.fixed_by_account.get(a.id, []):
                rk = self.rep_index[f.rep_id] if f.rep_id else k
                self.day_stops.setdefault((rk, f.day), []).append(i)
            for w, dates in weeks.items():
                if w in pinned_weeks or w % a.frequency_weeks != self.offset_of[i]:
                    continue
                wanted = next((d for d in dates if d.weekday() == self.weekday_of[i]), None)
                ok = [d for d in dates if d not in rep.days_off and self.can_visit(a, d)]
                if wanted in ok:
                    self.day_stops.setdefault((k, wanted), []).append(i)
                elif ok:  # closed or rep off that day: the least loaded open day of the week
                    alt = min(ok, key=lambda d: (self._day_load(k, d), d))
                    self.day_stops.setdefault((k, alt), []).append(i)
                else:
                    reason = "closed (or the rep is off) on every planned day of that week"
                    self.unplanned.append(Unplanned(a.id, wanted or dates[0], reason))

    def _day_load(self, k: int, day: dt.date) -> float:
        return float(sum(self.visit_load[i] for i in self.day_stops.get((k, day), [])))

    def stop_for(self, i: int, day: dt.date, fixed: FixedVisit | None = None) -> Stop:
        a = self.accounts[i]
        # A fixed visit on a day the outlet cannot take it: the agreement wins over the data.
        windows = self.visit_windows(a, day) or ()
        return Stop(
            a.id,
            a.location,
            a.service,
            windows,
            required=fixed is not None,
            prize=prize_for_priority(a.priority),
            skills=a.skills,
            appointment=fixed.start if fixed else None,
        )

    def vehicle(self, k: int) -> Vehicle:
        r = self.reps[k]
        return Vehicle(
            r.id,
            r.home,
            r.shift,
            breaks=r.breaks,
            max_working_time=r.max_working_time,
            max_driving_time=r.max_driving_time,
            skills=r.skills,
        )

    def route_days(self, budget: float, day_options: Options | None) -> None:
        keys = sorted(self.day_stops, key=lambda kd: (kd[1], kd[0]))
        began = time.perf_counter()
        for n, (k, day) in enumerate(keys):
            fixed_here = {f.account_id: f for f in self.fixed if f.day == day}
            stops = tuple(self.stop_for(i, day, fixed_here.get(self.accounts[i].id)) for i in self.day_stops[(k, day)])
            left = budget - (time.perf_counter() - began)
            # Small days converge fast; the share of what is left caps the big ones.
            limit = max(0.2, min(0.3 + 0.06 * len(stops), left / max(1, len(keys) - n)))
            options = day_options or Options(time_limit=limit, objective="time")
            problem = Problem((self.vehicle(k),), stops)
            solution = solve(problem, options, matrix=self.matrix)
            route = solution.routes[0]
            self.routes[(k, day)] = route
            by_id = {s.id: s for s in stops}
            self.orders[(k, day)] = [by_id[v.stop_id] for v in route.visits]
            for d in solution.dropped:
                self.pending.append((self.acc_index[d.stop_id], day, d.reason))
        for k in range(len(self.reps)):  # rep-days with nothing planned still get an (empty) route
            for day in self.days:
                if (k, day) not in self.routes and day not in self.reps[k].days_off:
                    self.routes[(k, day)] = Route(
                        self.reps[k].id, [], [], self.reps[k].shift.start, self.reps[k].shift.start, 0, 0
                    )
                    self.orders[(k, day)] = []

    # -- step 4 -------------------------------------------------------------------------------------

    def _insert(self, i: int, k: int, day: dt.date) -> tuple[int, int, Route] | None:
        """Cheapest feasible insertion of account ``i`` into rep-day (k, day): (added seconds, position, route)."""
        if (k, day) not in self.orders or not self.can_visit(self.accounts[i], day):
            return None
        order, vehicle, stop = self.orders[(k, day)], self.vehicle(k), self.stop_for(i, day)
        before = self.routes[(k, day)]
        base = before.duration + before.travel_time if order else 0
        best = None
        for pos in range(len(order) + 1):
            route = schedule_route(vehicle, order[:pos] + [stop] + order[pos:], self.matrix)
            if route is not None:
                added = route.duration + route.travel_time - base
                if best is None or added < best[0]:
                    best = (added, pos, route)
        return best

    def _apply(self, i: int, k: int, day: dt.date, pos: int, route: Route) -> None:
        self.orders[(k, day)].insert(pos, self.stop_for(i, day))
        self.routes[(k, day)] = route

    def repair(self) -> None:
        for i, day, reason in self.pending:
            a = self.accounts[i]
            week = week_index(day)
            k0 = int(self.territory[i])
            others = [d for d in self.days if week_index(d) == week and d != day]
            candidates = [(k0, d) for d in others]
            candidates += [
                (k, d) for k, r in enumerate(self.reps) if k != k0 and self.rep_allows(r, a) for d in [day] + others
            ]
            options = [(found[0], k, d, found) for k, d in candidates if (found := self._insert(i, k, d)) is not None]
            if options:
                _, k, d, (_, pos, route) = min(options, key=lambda o: (o[0], o[2], o[1]))
                self._apply(i, k, d, pos, route)
            else:
                self.unplanned.append(Unplanned(a.id, day, reason))

    def balance(self, deadline: float) -> None:
        """Move visits off each rep's longest day of a week when that shortens it."""
        for k in range(len(self.reps)):
            weeks: dict[int, list[dt.date]] = {}
            for kk, d in self.orders:
                if kk == k:
                    weeks.setdefault(week_index(d), []).append(d)
            for dates in weeks.values():
                for _ in range(3):
                    if time.perf_counter() > deadline or len(dates) < 2:
                        return
                    longest = max(dates, key=lambda d: (self.routes[(k, d)].duration, d))
                    if not self._move_one(k, longest, [d for d in dates if d != longest]):
                        break

    def _move_one(self, k: int, day: dt.date, others: list[dt.date]) -> bool:
        order, vehicle = self.orders[(k, day)], self.vehicle(k)
        current = self.routes[(k, day)]
        fixed_ids = {f.account_id for f in self.fixed if f.day == day}
        best = None
        for pos, stop in enumerate(order):
            if stop.id in fixed_ids:
                continue
            rest = order[:pos] + order[pos + 1 :]
            shorter = schedule_route(vehicle, rest, self.matrix)
            if shorter is None:
                continue
            i = self.acc_index[stop.id]
            for d in others:
                found = self._insert(i, k, d)
                if found is None:
                    continue
                added, ins_pos, route = found
                new_long = max(shorter.duration, route.duration)
                gain = current.duration - new_long
                extra_drive = (
                    route.travel_time - self.routes[(k, d)].travel_time - (current.travel_time - shorter.travel_time)
                )
                if gain > 600 and extra_drive < 600 and (best is None or gain > best[0]):
                    best = (gain, pos, shorter, d, ins_pos, route, i)
        if best is None:
            return False
        _, pos, shorter, d, ins_pos, route, i = best
        del order[pos]
        self.routes[(k, day)] = shorter
        self._apply(i, k, d, ins_pos, route)
        return True

    # -- result -------------------------------------------------------------------------------------

    def result(self, seconds: float) -> PeriodPlan:
        fixed_keys = {(f.account_id, f.day) for f in self.fixed}
        routes, visits, problems = {}, [], {}
        for (k, day), route in sorted(self.routes.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            rep_id = self.reps[k].id
            routes[(rep_id, day)] = replace(route)
            problems[(rep_id, day)] = Problem((self.vehicle(k),), tuple(self.orders[(k, day)]))
            for v in route.visits:
                visits.append(
                    PlannedVisit(v.stop_id, rep_id, day, v.start, v.departure, (v.stop_id, day) in fixed_keys)
                )
        territory = {
            a.id: self.reps[int(self.territory[i])].id for i, a in enumerate(self.accounts) if self.territory[i] >= 0
        }
        patterns = {
            a.id: (int(self.weekday_of[i]), int(self.offset_of[i]))
            for i, a in enumerate(self.accounts)
            if self.territory[i] >= 0
        }
        plan = PeriodPlan(routes, visits, self.unplanned, territory, patterns, self.warnings, problems)
        plan.stats = {"seconds": round(seconds, 2), **plan.summary()}
        return plan
