"""Week/month planning: frequencies, fixed visits, opening hours, balance, and checked day routes."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from server.routing import (
    Account,
    Break,
    FixedVisit,
    Location,
    Options,
    ProblemError,
    Rep,
    Solution,
    TimeWindow,
    check_solution,
    hhmm,
    plan_period,
)
from server.routing.matrix import GreatCircleProvider
from server.routing.periodic import week_index

MONDAY = dt.date(2026, 3, 2)
DAY_OPTIONS = Options(engine="ortools", deterministic=True, iterations=60, time_limit=2)


def weekdays(weeks: int, start: dt.date = MONDAY) -> list[dt.date]:
    return [start + dt.timedelta(7 * w + d) for w in range(weeks) for d in range(5)]


def grid(n: int, lat=48.10, lon=11.50, step=0.01) -> list[Location]:
    """n points on a 1.1 km grid in Munich."""
    side = int(n**0.5) + 1
    return [Location(lat + step * (i // side), lon + step * (i % side)) for i in range(n)]


def reps(n: int = 1) -> list[Rep]:
    lunch = Break(hhmm("12:00"), hhmm("14:00"), 1800)
    return [
        Rep(f"r{k}", Location(48.10 + 0.05 * k, 11.50), TimeWindow(hhmm("08:00"), hhmm("17:00")), (lunch,))
        for k in range(n)
    ]


def plan(reps_, accounts, days, fixed=()):
    return plan_period(reps_, accounts, days, fixed, time_limit=60, day_options=DAY_OPTIONS)


def assert_days_check(p) -> None:
    """Every rep-day of the plan passes the independent checker."""
    provider = GreatCircleProvider()
    for key, route in p.routes.items():
        problem = p.problems[key]
        errors = check_solution(problem, Solution([route], [], "plan", 0), provider.matrix(problem.locations()))
        assert errors == [], (key, errors)


def test_frequencies_hold_over_four_weeks():
    """Weekly accounts once in every week, two-weekly ones in alternate weeks, four-weekly ones once."""
    points = grid(12)
    accounts = [
        Account(f"f{f}-{i}", points[3 * (f // 2) + i], 1200, frequency_weeks=f) for f in (1, 2, 4) for i in range(3)
    ]
    days = weekdays(4)
    p = plan(reps(), accounts, days)
    assert p.unplanned == []
    weeks = {a.id: [week_index(v.day) for v in p.visits if v.account_id == a.id] for a in accounts}
    first = week_index(MONDAY)
    for a in accounts:
        got = sorted(weeks[a.id])
        if a.frequency_weeks == 1:
            assert got == [first, first + 1, first + 2, first + 3]
        elif a.frequency_weeks == 2:
            assert len(got) == 2 and got[1] - got[0] == 2
        else:
            assert len(got) == 1
        assert all(w % a.frequency_weeks == p.patterns[a.id][1] for w in got)
    assert_days_check(p)


def test_a_accounts_get_exactly_one_visit_per_week_across_two_reps():
    """Twenty weekly accounts over two weeks: each seen once a week, never twice in a week."""
    accounts = [Account(f"a{i}", pt, 1200, priority=3) for i, pt in enumerate(grid(20))]
    p = plan(reps(2), accounts, weekdays(2))
    per_week = Counter((v.account_id, week_index(v.day)) for v in p.visits)
    assert len(per_week) == 40 and set(per_week.values()) == {1}
    assert_days_check(p)


def test_a_given_week_offset_is_kept():
    """An account every 2 weeks with offset 1 is visited in the odd week of the horizon, not the even one."""
    [pt] = grid(1)
    account = Account("x", pt, 1200, frequency_weeks=2, week_offset=1)
    p = plan(reps(), [account], weekdays(2))
    [visit] = p.visits
    assert week_index(visit.day) % 2 == 1


def test_a_fixed_visit_keeps_its_day_rep_and_time_and_replaces_that_weeks_visit():
    """A weekly account fixed on Wednesday 10:30 with rep r1 is seen then, and only then, that week."""
    accounts = [Account(f"a{i}", pt, 1200) for i, pt in enumerate(grid(8))]
    wednesday = MONDAY + dt.timedelta(2)
    fixed = [FixedVisit("a3", wednesday, hhmm("10:30"), "r1")]
    p = plan(reps(2), accounts, weekdays(1), fixed)
    visits = [v for v in p.visits if v.account_id == "a3"]
    assert [(v.day, v.rep_id, v.start, v.fixed) for v in visits] == [(wednesday, "r1", hhmm("10:30"), True)]
    assert_days_check(p)


def test_visits_avoid_days_the_outlet_is_closed_including_public_holidays():
    """Closed on Mondays, and on Good Friday 2026 (a German public holiday): never visited then."""
    good_friday = dt.date(2026, 4, 3)
    days = weekdays(1, dt.date(2026, 3, 30))
    accounts = [
        Account(f"c{i}", pt, 1200, opening_hours="Tu-Sa 09:00-18:00; PH off", country="DE")
        for i, pt in enumerate(grid(10))
    ]
    p = plan(reps(), accounts, days)
    assert len(p.visits) == 10
    assert all(v.day.weekday() != 0 and v.day != good_friday for v in p.visits)
    assert all(hhmm("09:00") <= v.start and v.departure <= hhmm("18:00") for v in p.visits)
    assert_days_check(p)


def test_unreadable_opening_hours_give_a_warning_and_the_visit_is_still_planned():
    """A typo in the hours does not hide the account from the plan."""
    [pt] = grid(1)
    p = plan(reps(), [Account("typo", pt, 1200, opening_hours="Mo-Fr 9 bis 18")], weekdays(1))
    assert len(p.visits) == 1
    assert any("typo" in w and "not understood" in w for w in p.warnings)


def test_a_time_window_preference_is_respected():
    """A mornings-only account is visited before noon."""
    points = grid(6)
    accounts = [
        Account(f"m{i}", pt, 1800, time_window=TimeWindow(hhmm("08:00"), hhmm("12:00"))) for i, pt in enumerate(points)
    ]
    p = plan(reps(), accounts, weekdays(1))
    assert len(p.visits) == 6 and all(v.departure <= hhmm("12:00") for v in p.visits)


def test_allowed_weekdays_and_days_off_are_respected():
    """Thursday-only accounts land on Thursday; the rep's day off gets no route."""
    accounts = [Account(f"t{i}", pt, 900, weekdays=frozenset({3})) for i, pt in enumerate(grid(4))]
    [rep] = reps()
    tuesday = MONDAY + dt.timedelta(1)
    rep = Rep(rep.id, rep.home, rep.shift, rep.breaks, days_off=frozenset({tuesday}))
    p = plan([rep], accounts, weekdays(1))
    assert {v.day.weekday() for v in p.visits} == {3}
    assert ("r0", tuesday) not in p.routes


def test_workload_is_shared_between_reps_and_across_days():
    """Two reps with 40 weekly accounts between their homes: neither gets more than 60 %, no day is empty."""
    accounts = [Account(f"a{i}", pt, 1200) for i, pt in enumerate(grid(40, lat=48.08, step=0.012))]
    p = plan(reps(2), accounts, weekdays(1))
    per_rep = Counter(v.rep_id for v in p.visits)
    assert len(p.visits) == 40 and max(per_rep.values()) <= 24
    assert all(route.visits for route in p.routes.values())
    assert_days_check(p)


def test_an_unknown_account_in_a_fixed_visit_is_a_problem_error():
    """The error names the field."""
    with pytest.raises(ProblemError) as caught:
        plan(reps(), [], weekdays(1), [FixedVisit("nope", MONDAY)])
    assert caught.value.path == "fixed[0].account_id"
