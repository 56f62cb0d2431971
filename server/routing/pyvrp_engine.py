"""The PyVRP engine: a state-of-the-art VRPTW search for the problems it can express.

PyVRP (MIT, https://pyvrp.org) models vehicles with start/end depots, shift windows, a
maximum route duration and capacity, and clients with one time window, a service time and
an optional prize. It has no breaks, no second window, no appointments, no skill matching and
no driving-time limit: :func:`expressible` says whether a problem fits, and the solver uses
OR-Tools otherwise. The package is imported lazily; without it this engine is simply not used.

Mapping: one PyVRP location per matrix point; one depot per distinct rep start/end; one
vehicle type per group of identical reps. Costs: ``"distance"`` → metres;
``"travel"`` → travel seconds (the duration matrix passed as the distance matrix);
``"time"`` → travel seconds plus route duration, the same objective as the OR-Tools engine.
A plan PyVRP reports as infeasible (a required stop cannot fit) is discarded: OR-Tools then
explains which required stops it had to drop.
"""

from __future__ import annotations

import time

from .matrix import Matrix
from .model import Options, Problem
from .ortools_engine import EngineResult, EngineRoute

__all__ = ["available", "expressible", "solve_pyvrp"]

INT_MAX = 2**62


def available() -> bool:
    try:
        import pyvrp  # noqa: F401
    except ImportError:
        return False
    return True


def expressible(problem: Problem) -> str | None:
    """``None`` when PyVRP can solve ``problem`` as stated, else what it cannot express."""
    for v in problem.vehicles:
        if v.breaks:
            return "breaks"
        if v.max_driving_time is not None:
            return "a driving-time limit"
    for s in problem.stops:
        if len(s.windows) > 1:
            return "several time windows for one stop"
        if s.appointment is not None:
            return "fixed appointments"
        if any(not s.allows(v) for v in problem.vehicles):
            return "skills or reps assigned to stops"
    return None


def solve_pyvrp(problem: Problem, matrix: Matrix, options: Options, time_limit: float) -> EngineResult | None:
    """Solve with PyVRP; ``None`` when it finds no feasible plan."""
    import numpy as np
    import pyvrp
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    began = time.perf_counter()
    vehicles, stops = problem.vehicles, problem.stops
    locations = [pyvrp.Location(x=p.lon, y=p.lat) for p in matrix.points]
    depot_points = list(dict.fromkeys([v.start for v in vehicles] + [v.home for v in vehicles]))
    depots = [pyvrp.Depot(location=matrix.index(p)) for p in depot_points]
    depot_of = {p: k for k, p in enumerate(depot_points)}
    loads = any(v.capacity is not None for v in vehicles) and any(s.demand for s in stops)

    types: dict[tuple, list[int]] = {}
    for k, v in enumerate(vehicles):
        key = (v.start, v.home, v.shift, v.max_working_time, v.capacity)
        types.setdefault(key, []).append(k)
    vehicle_types = []
    for (start, home, shift, max_work, capacity), members in types.items():
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=len(members),
                capacity=[capacity if capacity is not None else INT_MAX] if loads else [],
                start_depot=depot_of[start],
                end_depot=depot_of[home],
                tw_early=shift.start,
                tw_late=shift.end,
                shift_duration=max_work if max_work is not None else INT_MAX,
                unit_distance_cost=1,
                unit_duration_cost=1 if options.objective == "time" else 0,
            )
        )
    clients = []
    for s in stops:
        window = s.windows[0] if s.windows else None
        clients.append(
            pyvrp.Client(
                location=matrix.index(s.location),
                delivery=[s.demand] if loads else [],
                service_duration=s.service,
                tw_early=window.start if window else 0,
                tw_late=window.end if window else INT_MAX,
                prize=0 if s.required else s.effective_prize,
                required=s.required,
            )
        )
    durations = np.asarray(matrix.durations, dtype=np.int64)
    costs = np.asarray(matrix.distances, dtype=np.int64) if options.objective == "distance" else durations
    data = pyvrp.ProblemData(
        locations=locations,
        clients=clients,
        depots=depots,
        vehicle_types=vehicle_types,
        distance_matrices=[costs],
        duration_matrices=[durations],
    )
    stop = MaxRuntime(max(0.01, time_limit))
    if options.deterministic:
        stop = MultipleCriteria([MaxIterations(options.iterations), stop])
    result = pyvrp.solve(data, stop=stop, seed=options.seed, collect_stats=False)
    if not result.is_feasible():
        return None
    routes = [EngineRoute([]) for _ in vehicles]
    free = {t: list(members) for t, members in enumerate(types.values())}
    for route in result.best.routes():
        k = free[route.vehicle_type()].pop(0)
        routes[k] = EngineRoute([a.idx for a in route if a.is_client()])
    return EngineResult(routes, int(result.cost()), "pyvrp", time.perf_counter() - began, "feasible")
