"""Re-planning the rest of a day, and opening hours turned into visit windows."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from server.routing import (
    Break,
    DoneVisit,
    Location,
    Matrix,
    Options,
    Problem,
    ProblemError,
    Solution,
    Stop,
    TimeWindow,
    Vehicle,
    check_solution,
    hhmm,
    replan_rest_of_day,
    solve,
    visit_windows,
)

OPTIONS = Options(engine="ortools", deterministic=True, iterations=100, time_limit=5)


class LineProvider:
    """Points on a line (``lon`` = km); 1 km takes 2 minutes."""

    def matrix(self, points):
        pts = list(points)
        km = [[abs(a.lon - b.lon) for b in pts] for a in pts]
        return Matrix(
            pts, [[round(d * 120) for d in row] for row in km], [[round(d * 1000) for d in row] for row in km]
        )


def at(km: float) -> Location:
    return Location(0.0, km)


def day() -> Problem:
    lunch = Break(hhmm("12:00"), hhmm("14:00"), 1800)
    rep = Vehicle("rep", at(0), TimeWindow(hhmm("08:00"), hhmm("18:00")), breaks=(lunch,))
    return Problem((rep,), tuple(Stop(f"s{i}", at(3 * i + 3), 40 * 60) for i in range(6)))


def test_replanning_keeps_done_visits_and_reorders_the_rest_from_where_the_rep_is():
    """Done visits come first, marked done; the rest start after 13:10 from the rep's position, each once."""
    problem = day()
    done = [DoneVisit("s0", hhmm("08:10"), hhmm("08:50")), DoneVisit("s3", hhmm("09:30"), hhmm("10:10"))]
    here = at(17)  # between s4 (15 km) and s5 (18 km): going on to s5 first is shorter
    solution = replan_rest_of_day(problem, "rep", hhmm("13:10"), here, done, options=OPTIONS, provider=LineProvider())
    route = solution.routes[0]
    assert [(v.stop_id, v.done) for v in route.visits[:2]] == [("s0", True), ("s3", True)]
    rest = route.visits[2:]
    assert sorted(v.stop_id for v in rest) == ["s1", "s2", "s4", "s5"]
    assert rest[0].stop_id == "s5" and rest[0].travel_time == 120
    assert all(v.start >= hhmm("13:10") for v in rest)
    assert solution.dropped == []
    # Check the re-planned part as the problem it is: from here, from 13:10, lunch still due.
    rep = dataclasses.replace(
        problem.vehicles[0], start=here, end=at(0), shift=TimeWindow(hhmm("13:10"), hhmm("18:00"))
    )
    remaining = Problem((rep,), tuple(s for s in problem.stops if s.id in {v.stop_id for v in rest}))
    part = Solution([dataclasses.replace(route, visits=rest)], [], "part", 0)
    assert check_solution(remaining, part, LineProvider().matrix(remaining.locations())) == []


def test_a_break_still_ahead_is_kept_and_a_missed_one_is_reported():
    """At 10:00 the lunch break is still planned; at 15:00 it was missed and a warning says so."""
    problem = day()
    morning = replan_rest_of_day(problem, "rep", hhmm("10:00"), at(0), options=OPTIONS, provider=LineProvider())
    assert len(morning.routes[0].breaks) == 1 and morning.warnings == []
    late = replan_rest_of_day(problem, "rep", hhmm("15:00"), at(0), options=OPTIONS, provider=LineProvider())
    assert late.warnings == ["the break due between 12:00 and 14:00 was missed"]
    assert late.routes[0].breaks == []


def test_a_break_already_taken_is_not_planned_again():
    """breaks_taken=1 at 12:30: no second lunch."""
    solution = replan_rest_of_day(
        day(), "rep", hhmm("12:30"), at(0), breaks_taken=1, options=OPTIONS, provider=LineProvider()
    )
    assert solution.routes[0].breaks == [] and solution.warnings == []


def test_replanning_after_the_shift_or_for_an_unknown_stop_is_refused():
    """Clear errors naming the field."""
    with pytest.raises(ProblemError) as caught:
        replan_rest_of_day(day(), "rep", hhmm("19:00"), at(0), options=OPTIONS, provider=LineProvider())
    assert caught.value.path == "now"
    with pytest.raises(ProblemError) as caught:
        replan_rest_of_day(day(), "rep", hhmm("10:00"), at(0), [DoneVisit("zz", 0, 1)], provider=LineProvider())
    assert caught.value.path == "done[0].stop_id"


def test_opening_hours_with_a_lunch_closure_give_two_start_windows_that_end_before_closing():
    """Mo-Fr 09:00-12:30,14:00-18:30 for a 30-minute visit: starts 09:00-12:00 and 14:00-18:00."""
    found = visit_windows("Mo-Fr 09:00-12:30,14:00-18:30", dt.date(2026, 3, 2), 1800, "DE")
    assert found.windows == (TimeWindow(hhmm("09:00"), hhmm("12:00")), TimeWindow(hhmm("14:00"), hhmm("18:00")))
    assert not found.closed and found.warning is None


def test_opening_hours_on_a_public_holiday_or_too_short_mean_closed():
    """Easter Monday in Germany with "PH off"; and a 20-minute opening for a 30-minute visit."""
    assert visit_windows("Mo-Fr 08:00-18:00; PH off", dt.date(2026, 4, 6), 1800, "DE").closed
    assert visit_windows("Mo 08:00-08:20", dt.date(2026, 3, 2), 1800).closed


def test_unreadable_or_missing_opening_hours_never_raise():
    """Missing: no constraint, no warning. Unreadable: no constraint and a warning naming the value."""
    assert visit_windows(None, dt.date(2026, 3, 2), 600) == visit_windows("", dt.date(2026, 3, 2), 600)
    found = visit_windows("Mo-Fr 9 bis 18", dt.date(2026, 3, 2), 600)
    assert found.windows == () and not found.closed
    assert "'Mo-Fr 9 bis 18' not understood" in found.warning


def test_a_plan_built_from_opening_hours_visits_only_while_open():
    """Stops made from opening hours are served inside them, lunch closure included."""
    monday = dt.date(2026, 3, 2)
    rep = Vehicle("rep", at(0), TimeWindow(hhmm("08:00"), hhmm("18:00")))
    hours = ["Mo-Fr 09:00-12:30,14:00-18:30", "Mo 14:00-16:00", "Mo-Sa 08:00-10:00"]
    stops = tuple(
        Stop(f"s{i}", at(5 * i + 5), 1800, visit_windows(h, monday, 1800, "DE").windows) for i, h in enumerate(hours)
    )
    problem = Problem((rep,), stops)
    solution = solve(problem, OPTIONS, provider=LineProvider())
    assert check_solution(problem, solution, LineProvider().matrix(problem.locations())) == []
    assert isinstance(solution, Solution) and len(solution.routes[0].visits) == 3
