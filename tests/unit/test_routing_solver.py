"""Day routing: constraints, drops with reasons, validation, determinism, the independent checker."""

from __future__ import annotations

import dataclasses

import pytest

from server.routing import (
    Break,
    Location,
    Matrix,
    Options,
    Problem,
    ProblemError,
    Stop,
    TimeWindow,
    Vehicle,
    check_solution,
    hhmm,
    solve,
)

MINUTE = 60
FAST = Options(engine="ortools", deterministic=True, iterations=200, time_limit=5)


class LineProvider:
    """Points on a line (``lon`` = km); 1 km takes 2 minutes. Exact, so tests can reason about times."""

    def matrix(self, points):
        pts = list(points)
        km = [[abs(a.lon - b.lon) for b in pts] for a in pts]
        return Matrix(
            pts, [[round(d * 120) for d in row] for row in km], [[round(d * 1000) for d in row] for row in km]
        )


def at(km: float) -> Location:
    return Location(0.0, km)


def rep(vid="rep", home=0.0, start="08:00", end="18:00", **kw) -> Vehicle:
    return Vehicle(vid, at(home), TimeWindow(hhmm(start), hhmm(end)), **kw)


def window(a: str, b: str) -> TimeWindow:
    return TimeWindow(hhmm(a), hhmm(b))


def run(problem: Problem, options: Options = FAST):
    """Solve and check with the independent checker; return the solution and the checker's findings."""
    solution = solve(problem, options, provider=LineProvider())
    errors = check_solution(problem, solution, LineProvider().matrix(problem.locations()))
    return solution, errors


def test_time_windows_decide_the_order_even_against_geography():
    """A far stop that closes early is visited before a near one that opens late."""
    near = Stop("near", at(5), 15 * MINUTE, (window("11:00", "12:00"),))
    far = Stop("far", at(20), 15 * MINUTE, (window("08:00", "09:00"),))
    solution, errors = run(Problem((rep(),), (near, far)))
    assert errors == []
    route = solution.routes[0]
    assert route.stop_ids == ["far", "near"]
    assert hhmm("08:00") <= route.visits[0].start <= hhmm("09:00")
    assert hhmm("11:00") <= route.visits[1].start <= hhmm("12:00")
    assert route.visits[1].wait > 0


def test_a_stop_with_a_lunch_closure_is_visited_in_its_afternoon_window_when_the_morning_is_taken():
    """Two windows: the morning one is blocked by an appointment elsewhere, so the afternoon one is used."""
    shop = Stop("shop", at(10), 30 * MINUTE, (window("09:00", "11:30"), window("14:00", "17:30")))
    meeting = Stop("meeting", at(20), 3 * 60 * MINUTE, appointment=hhmm("09:30"))
    solution, errors = run(Problem((rep(),), (shop, meeting)))
    assert errors == []
    visit = next(v for v in solution.routes[0].visits if v.stop_id == "shop")
    assert hhmm("14:00") <= visit.start <= hhmm("17:30")


def test_the_gap_between_two_windows_is_never_used():
    """Arriving during a lunch closure means waiting for the afternoon window, not starting at once."""
    shop = Stop("shop", at(100), 10 * MINUTE, (window("08:00", "08:30"), window("14:00", "15:00")))
    solution, errors = run(Problem((rep(),), (shop,)))
    assert errors == []
    assert solution.routes[0].visits[0].start == hhmm("14:00")


def test_a_lunch_break_is_taken_inside_its_window_and_never_during_a_visit():
    """Back-to-back visits around noon leave room for a 30-minute break between 11:30 and 13:30."""
    lunch = Break(hhmm("11:30"), hhmm("13:30"), 30 * MINUTE)
    stops = tuple(Stop(f"s{i}", at(2 * i + 2), 50 * MINUTE) for i in range(7))
    problem = Problem((rep(breaks=(lunch,)),), stops)
    solution, errors = run(problem)
    assert errors == []
    route = solution.routes[0]
    assert len(route.visits) == 7
    [brk] = route.breaks
    assert hhmm("11:30") <= brk.start and brk.end <= hhmm("13:30") and brk.end - brk.start >= 30 * MINUTE
    assert all(v.departure <= brk.start or brk.end <= v.start for v in route.visits)


def test_max_working_time_limits_the_day_and_drops_what_does_not_fit():
    """A 4-hour limit fits three 1-hour visits next door, not five."""
    stops = tuple(Stop(f"s{i}", at(1 + i * 0.1), 60 * MINUTE, required=False) for i in range(5))
    solution, errors = run(Problem((rep(max_working_time=4 * 3600),), stops))
    assert errors == []
    route = solution.routes[0]
    assert route.duration <= 4 * 3600
    assert len(route.visits) == 3
    assert {d.reason for d in solution.dropped} == {"not enough time in the day"}


def test_max_driving_time_keeps_far_stops_out():
    """With 60 minutes of driving allowed, the stop 20 km away (80 min there and back) is dropped."""
    stops = (Stop("near", at(5), 10 * MINUTE, required=False), Stop("far", at(20), 10 * MINUTE, required=False))
    solution, errors = run(Problem((rep(max_driving_time=60 * MINUTE),), stops))
    assert errors == []
    assert solution.routes[0].stop_ids == ["near"]
    assert solution.routes[0].travel_time <= 60 * MINUTE
    assert [d.stop_id for d in solution.dropped] == ["far"]


def test_when_the_day_is_too_short_the_low_priority_stops_are_dropped_first():
    """Six 2-hour visits in a 10-hour day: the four kept are the high-priority ones."""
    stops = tuple(
        Stop(f"p{p}-{i}", at(1 + i), 2 * 60 * MINUTE, required=False, priority=p)
        for i, p in enumerate([1, 3, 1, 3, 3, 3])
    )
    solution, errors = run(Problem((rep(),), stops))
    assert errors == []
    kept = solution.routes[0].stop_ids
    assert len(kept) == 4 and all(s.startswith("p3") for s in kept)
    assert sorted(d.stop_id for d in solution.dropped) == ["p1-0", "p1-2"]
    assert all(d.reason == "not enough time in the day" and not d.required for d in solution.dropped)


def test_an_optional_stop_that_is_not_worth_the_detour_is_dropped_with_that_reason():
    """A prize of one minute does not pay for a 40-minute drive."""
    stops = (Stop("cheap", at(10), 5 * MINUTE, required=False, prize=60),)
    solution, errors = run(Problem((rep(),), stops))
    assert errors == []
    assert solution.dropped[0].reason == "the detour would cost more than its priority is worth"


def test_a_required_stop_that_cannot_fit_is_reported_and_makes_the_plan_infeasible():
    """Two required 6-hour visits in one 10-hour day: one is dropped, and the plan says it is infeasible."""
    stops = (Stop("a", at(1), 6 * 3600), Stop("b", at(2), 6 * 3600))
    solution, errors = run(Problem((rep(),), stops))
    assert not solution.feasible
    [dropped] = solution.dropped
    assert dropped.required and dropped.reason == "not enough time in the day"
    assert errors == [f"required stop {dropped.stop_id} was dropped"]


def test_required_stops_are_preferred_over_valuable_optional_ones():
    """A required stop is kept even when an optional stop of the highest priority must go instead."""
    stops = (Stop("must", at(1), 6 * 3600), Stop("nice", at(2), 6 * 3600, required=False, priority=5))
    solution, errors = run(Problem((rep(),), stops))
    assert errors == [] and solution.routes[0].stop_ids == ["must"]


def test_skills_send_each_stop_to_a_rep_who_has_them():
    """The chilled-goods stop goes to the rep with the cooler, although the other rep lives next door."""
    chilled = Stop("chilled", at(1), 10 * MINUTE, skills=frozenset({"cooler"}))
    plain = Stop("plain", at(1.5), 10 * MINUTE)
    reps = (rep("near", home=0), rep("far", home=30, skills=frozenset({"cooler"})))
    solution, errors = run(Problem(reps, (chilled, plain)))
    assert errors == []
    assert "chilled" in solution.route_of("far").stop_ids


def test_a_stop_nobody_has_the_skill_for_is_dropped_with_that_reason():
    """The reason names the missing skill."""
    stop = Stop("x", at(1), 10 * MINUTE, skills=frozenset({"forklift"}))
    solution, errors = run(Problem((rep(),), (stop,)))
    assert solution.dropped[0].reason == "no rep has the required skill (forklift)"


def test_a_fixed_appointment_starts_exactly_on_time():
    """The appointment at 10:15 starts at 10:15 and the other stops are arranged around it."""
    stops = (
        Stop("appt", at(10), 45 * MINUTE, appointment=hhmm("10:15")),
        Stop("a", at(5), 30 * MINUTE),
        Stop("b", at(15), 30 * MINUTE),
    )
    solution, errors = run(Problem((rep(),), stops))
    assert errors == []
    visit = next(v for v in solution.routes[0].visits if v.stop_id == "appt")
    assert visit.start == hhmm("10:15")


def test_an_appointment_outside_the_opening_hours_is_explained():
    """An appointment at 07:00 at a shop opening at 09:00 cannot work, and the reason says so."""
    stop = Stop("x", at(1), 10 * MINUTE, (window("09:00", "18:00"),), appointment=hhmm("07:00"))
    solution, _ = run(Problem((rep(start="06:00"),), (stop,)))
    assert solution.dropped[0].reason == "the appointment at 07:00 is outside the opening hours (09:00-18:00)"


def test_a_stop_whose_windows_miss_every_shift_is_explained():
    """Open only in the evening, when no rep works."""
    stop = Stop("x", at(1), 10 * MINUTE, (window("19:00", "21:00"),))
    solution, _ = run(Problem((rep(), rep("other")), (stop,)))
    assert solution.dropped[0].reason == "no time window fits the shift of any rep"


def test_a_stop_too_far_for_a_day_is_explained():
    """400 km away: 13 hours of driving there and back."""
    stop = Stop("x", at(400), 10 * MINUTE)
    solution, _ = run(Problem((rep(),), (stop,)))
    assert solution.dropped[0].reason == "too far to go there, visit and be back within any rep's day"


def test_five_thousand_stops_for_one_rep_day_are_refused_at_once():
    """A clear error naming the field, raised before any matrix or search work."""
    stops = tuple(Stop(f"s{i}", at(i / 100), 60) for i in range(5000))
    with pytest.raises(ProblemError) as caught:
        solve(Problem((rep(),), stops), FAST, provider=LineProvider())
    assert caught.value.path == "stops" and "5000 stops" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda p: Problem(p.vehicles, p.stops + (p.stops[0],)), "stops[1].id"),
        (
            lambda p: Problem(p.vehicles, (dataclasses.replace(p.stops[0], windows=(TimeWindow(600, 500),)),)),
            "stops[0].windows[0]",
        ),
        (lambda p: Problem(p.vehicles, (dataclasses.replace(p.stops[0], service=-1),)), "stops[0].service"),
        (lambda p: Problem((), p.stops), "vehicles"),
    ],
)
def test_malformed_input_raises_a_problem_error_naming_the_field(change, path):
    """Duplicate ids, inverted windows, negative durations, no vehicles."""
    base = Problem((rep(),), (Stop("s", at(1), 60),))
    with pytest.raises(ProblemError) as caught:
        solve(change(base), FAST, provider=LineProvider())
    assert caught.value.path == path
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("engine", ["ortools", "auto"])
def test_the_deterministic_option_gives_the_same_plan_twice(engine):
    """Same input, same options: same routes and same times, with either engine."""
    stops = tuple(
        Stop(f"s{i}", at((i * 7919) % 37), 20 * MINUTE, (window("08:00", "16:00"),) if i % 3 else (), required=False)
        for i in range(18)
    )
    problem = Problem((rep("a"), rep("b", home=20)), stops)
    options = dataclasses.replace(FAST, engine=engine, iterations=300)
    first, second = run(problem, options), run(problem, options)
    assert first[1] == [] and second[1] == []
    assert [r.visits for r in first[0].routes] == [r.visits for r in second[0].routes]


def test_pyvrp_and_ortools_both_give_checked_plans_and_auto_keeps_the_cheaper():
    """On a small VRPTW both engines are feasible; "auto" reports the lower objective of the two."""
    stops = tuple(Stop(f"s{i}", at((i * 13) % 29 + 1), 15 * MINUTE, (window("08:00", "15:00"),)) for i in range(15))
    problem = Problem((rep("a"), rep("b", home=25)), stops)
    plans = {e: run(problem, dataclasses.replace(FAST, engine=e)) for e in ("ortools", "pyvrp", "auto")}
    assert all(errors == [] for _, errors in plans.values())
    auto = plans["auto"][0]
    assert auto.objective == min(auto.stats["candidates"].values())
    assert auto.objective <= plans["ortools"][0].objective


def test_pyvrp_engine_refuses_a_problem_with_breaks():
    """Asking for PyVRP explicitly on what it cannot model is an error, not a silent switch."""
    problem = Problem((rep(breaks=(Break(hhmm("12:00"), hhmm("13:00"), 1800),)),), (Stop("s", at(1), 60),))
    with pytest.raises(ProblemError, match="breaks"):
        solve(problem, dataclasses.replace(FAST, engine="pyvrp"), provider=LineProvider())


def test_the_checker_finds_a_visit_moved_out_of_its_window():
    """Tampering with a checked plan makes the independent checker complain."""
    stop = Stop("s", at(5), 10 * MINUTE, (window("09:00", "10:00"),))
    problem = Problem((rep(),), (stop,))
    solution, errors = run(problem)
    assert errors == []
    route = solution.routes[0]
    v = route.visits[0]
    route.visits[0] = dataclasses.replace(v, start=hhmm("11:00"), departure=hhmm("11:10"))
    found = check_solution(problem, solution, LineProvider().matrix(problem.locations()))
    assert any("outside its windows" in e for e in found)


def test_the_checker_finds_a_leg_faster_than_the_matrix_and_a_missing_stop():
    """An arrival earlier than the drive allows, and a stop neither visited nor dropped."""
    stops = (Stop("a", at(10), 60), Stop("b", at(11), 60))
    problem = Problem((rep(),), stops)
    solution, _ = run(problem)
    route = solution.routes[0]
    first = route.visits[0]
    route.visits = [
        dataclasses.replace(first, arrival=route.depart + 1, start=route.depart + 1, departure=route.depart + 61)
    ]
    found = check_solution(problem, solution, LineProvider().matrix(problem.locations()))
    assert any("cannot be there before" in e for e in found)
    assert any("visited 0 times and dropped 0 times" in e for e in found)
