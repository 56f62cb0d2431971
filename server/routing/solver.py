"""Plan one day: :func:`solve` is the entry point most callers need.

Steps: validate the input (:mod:`.validate`, raises :class:`ProblemError`), get the travel
matrix from the provider, leave out stops nobody can serve (with the reason), run the engine
(see :class:`~server.routing.model.Options` for how ``"auto"`` combines PyVRP and OR-Tools),
time each route (:mod:`.schedule`), and explain every other dropped stop by trying to insert it
into the finished routes: if it would fit somewhere, it was left out because it does not pay;
otherwise there was not enough time in the day.
"""

from __future__ import annotations

import time

from . import pyvrp_engine
from .matrix import GreatCircleProvider, Matrix, MatrixProvider
from .model import Options, Problem, ProblemError, Stop
from .ortools_engine import REQUIRED_PENALTY, EngineResult, solve_ortools
from .result import Dropped, Route, Solution
from .schedule import route_from_times, schedule_route
from .validate import unservable, validate

__all__ = ["plan_cost", "solve"]

_EXPLAIN_LIMIT = 300  # dropped stops explained by trial insertion; the rest get the generic reason


def solve(
    problem: Problem,
    options: Options | None = None,
    provider: MatrixProvider | None = None,
    matrix: Matrix | None = None,
) -> Solution:
    """Plan ``problem``. Give ``matrix`` (covering ``problem.locations()``) or a ``provider``
    (default: :class:`GreatCircleProvider`).

    :raise ProblemError: malformed or oversized input, or ``engine="pyvrp"`` for a problem
        PyVRP cannot express.
    """
    options = options or Options()
    began = time.perf_counter()
    validate(problem, options)
    if matrix is None:
        matrix = (provider or GreatCircleProvider()).matrix(problem.locations())
    warnings = list(matrix.warnings)
    excluded = unservable(problem, matrix)
    work = Problem(problem.vehicles, tuple(s for s in problem.stops if s.id not in excluded))
    budget = max(0.05, options.time_limit - (time.perf_counter() - began))

    why_not = pyvrp_engine.expressible(work)
    if options.engine == "pyvrp":
        if why_not:
            raise ProblemError("options.engine", f"PyVRP cannot express {why_not}; use engine='ortools' or 'auto'")
        if not pyvrp_engine.available():
            raise ProblemError("options.engine", "PyVRP is not installed")
    candidates: list[Solution] = []
    runs: list[dict] = []
    if work.stops and options.engine in ("auto", "pyvrp") and not why_not and pyvrp_engine.available():
        share = 1.0 if options.engine == "pyvrp" else options.pyvrp_share
        found = pyvrp_engine.solve_pyvrp(work, matrix, options, budget * share)
        runs.append({"engine": "pyvrp", "seconds": round(found.seconds if found else budget * share, 3)})
        plan = _solution(work, matrix, options, found) if found else None
        if plan is not None:
            candidates.append(plan)
    if options.engine == "ortools" or (options.engine == "auto" and (not candidates or options.pyvrp_share < 1)):
        left = max(0.05, options.time_limit - (time.perf_counter() - began))
        initial = None
        if candidates:
            initial = [[work.stops.index(_stop_by_id(work, v.stop_id)) for v in r.visits] for r in candidates[0].routes]
        found = solve_ortools(work, matrix, options, left, initial=initial)
        runs.append({"engine": "ortools" + (" (from pyvrp)" if initial else ""), "seconds": round(found.seconds, 3)})
        plan = _solution(work, matrix, options, found)
        if plan is not None:
            candidates.append(plan)
    if not candidates:  # nothing could be timed: report everything as dropped
        candidates.append(_solution(work, matrix, options, None))
    best = min(candidates, key=lambda s: s.objective)  # first wins ties: PyVRP's plan
    best.dropped = [Dropped(s.id, excluded[s.id], s.required) for s in problem.stops if s.id in excluded] + [
        d for d in best.dropped
    ]
    best.warnings = warnings + best.warnings
    best.stats.update(
        {
            "seconds": round(time.perf_counter() - began, 3),
            "runs": runs,
            "candidates": {c.engine: c.objective for c in candidates},
            "matrix": matrix.source,
        }
    )
    return best


def _stop_by_id(problem: Problem, stop_id: str) -> Stop:
    return next(s for s in problem.stops if s.id == stop_id)


def _solution(problem: Problem, matrix: Matrix, options: Options, found: EngineResult | None) -> Solution | None:
    """Time the engine's routes; ``None`` when an engine without its own times gave an untimeable route."""
    routes: list[Route] = []
    for k, vehicle in enumerate(problem.vehicles):
        er = found.routes[k] if found else None
        order = [problem.stops[i] for i in er.stops] if er else []
        route = schedule_route(vehicle, order, matrix)
        if route is None:
            if er is None or er.starts is None:
                return None
            route = route_from_times(vehicle, order, matrix, er.starts, er.breaks or [], er.depart, er.arrive)
        if not order:
            route.depart = route.arrive = vehicle.shift.start
            route.return_time = route.return_distance = 0
            route.breaks = []
        routes.append(route)
    visited = {v.stop_id for r in routes for v in r.visits}
    left_out = [s for s in problem.stops if s.id not in visited]
    dropped = [Dropped(s.id, reason, s.required) for s, reason in _explain(problem, matrix, routes, left_out)]
    engine = found.engine if found else "none"
    solution = Solution(routes, dropped, engine, 0)
    solution.objective = plan_cost(problem, solution, options.objective)
    return solution


def plan_cost(problem: Problem, solution: Solution, objective: str) -> int:
    """The objective both engines are compared on: route cost plus what dropping stops costs."""
    by_id = {s.id: s for s in problem.stops}
    cost = 0
    for r in solution.routes:
        if not r.visits:
            continue
        if objective == "distance":
            cost += r.travel_distance
        elif objective == "travel":
            cost += r.travel_time
        else:
            cost += r.travel_time + r.duration
    for d in solution.dropped:
        stop = by_id.get(d.stop_id)
        if stop is not None:
            cost += REQUIRED_PENALTY if stop.required else stop.effective_prize
    return cost


def _explain(problem: Problem, matrix: Matrix, routes: list[Route], left_out: list[Stop]):
    vehicles = {v.id: v for v in problem.vehicles}
    by_id = {s.id: s for s in problem.stops}
    for n, stop in enumerate(left_out):
        if n >= _EXPLAIN_LIMIT:
            yield stop, "not enough time in the day"
            continue
        fits = False
        for route in routes:
            vehicle = vehicles[route.vehicle_id]
            if not stop.allows(vehicle):
                continue
            order = [by_id[v.stop_id] for v in route.visits]
            if any(schedule_route(vehicle, order[:i] + [stop] + order[i:], matrix) for i in range(len(order) + 1)):
                fits = True
                break
        if not fits:
            yield stop, "not enough time in the day"
        elif stop.required:
            yield stop, "the search ran out of time before fitting it; allow a longer time limit"
        else:
            yield stop, "the detour would cost more than its priority is worth"
