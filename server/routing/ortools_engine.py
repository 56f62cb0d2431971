"""The OR-Tools engine: the whole model, including what only OR-Tools can express here.

Model (``ortools.constraint_solver`` routing library):

- Nodes are the stops, then one node per distinct vehicle start/end location. Arc costs and
  transits are node-indexed integer matrices registered on the C++ side
  (``RegisterTransitMatrix``), which is much faster than Python callbacks.
- ``Time`` dimension: transit(i, j) = service(i) + travel(i, j), with slack (waiting) and the
  cumul variable of a stop = the start of its visit. Windows: ``SetRange`` over all of a stop's
  windows, then ``RemoveInterval`` for each gap between them. An appointment is a one-point
  range. Each vehicle's start/end cumuls are bounded by its shift.
- Breaks: ``SetBreakIntervalsOfVehicle`` with interval variables of a duration between
  ``duration`` and ``max_duration``. OR-Tools lets a break fall before the start of the route;
  a constraint forbids that (the rep would "start after lunch" to look shorter).
- Max working time: span upper bound of the Time dimension. Max driving time: a ``Drive``
  dimension whose transit is the travel time alone, capped per vehicle. Capacity: ``Load``.
- Skills / allowed reps: the domain of each stop's vehicle variable.
- Every stop is a disjunction, so a plan always exists: optional stops cost their prize when
  dropped, required ones :data:`REQUIRED_PENALTY` (the solver reports them, nothing hangs).
- Objective: travel time, distance, or (``"time"``) travel time plus the route span.
- Search: parallel cheapest insertion, then guided local search until the time limit, or, in
  deterministic mode, until ``iterations`` solutions or ``100 * iterations`` search branches
  (counts, not the clock). A warm start (e.g. PyVRP's plan) is accepted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from .matrix import Matrix
from .model import DAY, Options, Problem
from .result import BreakTaken

__all__ = ["EngineRoute", "EngineResult", "solve_ortools", "REQUIRED_PENALTY"]

REQUIRED_PENALTY = 10**10
BIG = 10**12


@dataclass(slots=True)
class EngineRoute:
    """Stops (indices into ``problem.stops``) in visiting order, with the engine's own times."""

    stops: list[int]
    starts: list[int] | None = None
    breaks: list[BreakTaken] | None = None
    depart: int | None = None
    arrive: int | None = None


@dataclass(slots=True)
class EngineResult:
    routes: list[EngineRoute]  # one per vehicle, problem order
    objective: int
    engine: str
    seconds: float
    status: str = ""


def solve_ortools(
    problem: Problem,
    matrix: Matrix,
    options: Options,
    time_limit: float,
    initial: Sequence[Sequence[int]] | None = None,
) -> EngineResult:
    """Solve ``problem`` with OR-Tools; ``initial`` are stop-index routes per vehicle to start from."""
    began = time.perf_counter()
    stops, vehicles = problem.stops, problem.vehicles
    n = len(stops)
    depot_locs = list(dict.fromkeys([v.start for v in vehicles] + [v.home for v in vehicles]))
    node_loc = [matrix.index(s.location) for s in stops] + [matrix.index(p) for p in depot_locs]
    depot_node = {p: n + k for k, p in enumerate(depot_locs)}
    manager = pywrapcp.RoutingIndexManager(
        len(node_loc),
        len(vehicles),
        [depot_node[v.start] for v in vehicles],
        [depot_node[v.home] for v in vehicles],
    )
    routing = pywrapcp.RoutingModel(manager)
    service = [s.service for s in stops] + [0] * len(depot_locs)
    dur, dist = matrix.durations, matrix.distances
    travel_m = [[dur[a][b] for b in node_loc] for a in node_loc]
    time_m = [[service[i] + row[j] for j in range(len(row))] for i, row in enumerate(travel_m)]
    travel_cb = routing.RegisterTransitMatrix(travel_m)
    time_cb = routing.RegisterTransitMatrix(time_m)
    if options.objective == "distance":
        cost_cb = routing.RegisterTransitMatrix([[dist[a][b] for b in node_loc] for a in node_loc])
    else:
        cost_cb = travel_cb
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)

    horizon = max([2 * DAY] + [v.shift.end for v in vehicles])
    routing.AddDimension(time_cb, horizon, horizon, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    if options.objective == "time":
        time_dim.SetSpanCostCoefficientForAllVehicles(1)

    for i, stop in enumerate(stops):
        index = manager.NodeToIndex(i)
        cumul = time_dim.CumulVar(index)
        if stop.appointment is not None:
            cumul.SetRange(stop.appointment, stop.appointment)
        elif stop.windows:
            ws = sorted(stop.windows, key=lambda w: w.start)
            cumul.SetRange(ws[0].start, max(w.end for w in ws))
            reach = ws[0].end
            for w in ws[1:]:
                if w.start > reach + 1:
                    cumul.RemoveInterval(reach + 1, w.start - 1)
                reach = max(reach, w.end)
        allowed = [k for k, v in enumerate(vehicles) if stop.allows(v)]
        if len(allowed) < len(vehicles):
            routing.VehicleVar(index).SetValues([-1] + allowed)
        penalty = REQUIRED_PENALTY if stop.required else stop.effective_prize
        routing.AddDisjunction([index], penalty)

    solver = routing.solver()
    visit_transit = [service[manager.IndexToNode(i)] for i in range(routing.Size() + len(vehicles))]
    for k, v in enumerate(vehicles):
        start_i, end_i = routing.Start(k), routing.End(k)
        time_dim.CumulVar(start_i).SetRange(v.shift.start, v.shift.end)
        time_dim.CumulVar(end_i).SetRange(v.shift.start, v.shift.end)
        if v.max_working_time is not None:
            time_dim.SetSpanUpperBoundForVehicle(v.max_working_time, k)
        if v.breaks:
            intervals = []
            for b, brk in enumerate(v.breaks):
                longest = brk.max_duration or brk.duration
                iv = solver.IntervalVar(
                    brk.earliest,
                    brk.latest - brk.duration,
                    brk.duration,
                    longest,
                    brk.earliest + brk.duration,
                    brk.latest,
                    False,
                    f"break {k}/{b}",
                )
                solver.Add(iv.StartExpr() >= time_dim.CumulVar(start_i))
                intervals.append(iv)
            time_dim.SetBreakIntervalsOfVehicle(intervals, k, visit_transit)
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(end_i))
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(start_i))

    if any(v.max_driving_time is not None for v in vehicles):
        caps = [v.max_driving_time if v.max_driving_time is not None else BIG for v in vehicles]
        routing.AddDimensionWithVehicleCapacity(travel_cb, 0, caps, True, "Drive")
    if any(v.capacity is not None for v in vehicles) and any(s.demand for s in stops):
        demand_cb = routing.RegisterUnaryTransitVector([s.demand for s in stops] + [0] * len(depot_locs))
        caps = [v.capacity if v.capacity is not None else BIG for v in vehicles]
        routing.AddDimensionWithVehicleCapacity(demand_cb, 0, caps, True, "Load")

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    if options.deterministic:
        params.solution_limit = options.iterations
    routing.CloseModelWithParameters(params)
    if options.deterministic:
        # Guided local search on a tiny problem finds no new solutions and would run to the
        # time limit; a branch count stops it as reproducibly as the solution count.
        routing.AddSearchMonitor(solver.BranchesLimit(100 * options.iterations))

    assignment = None
    if initial is not None:
        start_from = routing.ReadAssignmentFromRoutes([list(r) for r in initial], True)
        if start_from is not None:
            assignment = routing.SolveFromAssignmentWithParameters(start_from, params)
    if assignment is None:
        assignment = routing.SolveWithParameters(params)
    if assignment is None:  # should not happen: dropping everything is always allowed
        return EngineResult([EngineRoute([]) for _ in vehicles], BIG, "ortools", time.perf_counter() - began, "none")

    breaks_by_vehicle: dict[int, list[BreakTaken]] = {}
    container = assignment.IntervalVarContainer()
    for i in range(container.Size()):
        element = container.Element(i)
        name = element.Var().Name()
        if name.startswith("break ") and element.PerformedValue():
            k = int(name.split()[1].split("/")[0])
            breaks_by_vehicle.setdefault(k, []).append(
                BreakTaken(element.StartValue(), element.StartValue() + element.DurationValue())
            )
    routes = []
    for k in range(len(vehicles)):
        order, starts = [], []
        index = assignment.Value(routing.NextVar(routing.Start(k)))
        while not routing.IsEnd(index):
            order.append(manager.IndexToNode(index))
            starts.append(assignment.Value(time_dim.CumulVar(index)))
            index = assignment.Value(routing.NextVar(index))
        routes.append(
            EngineRoute(
                order,
                starts,
                sorted(breaks_by_vehicle.get(k, []), key=lambda b: b.start),
                assignment.Value(time_dim.CumulVar(routing.Start(k))),
                assignment.Value(time_dim.CumulVar(routing.End(k))),
            )
        )
    status = routing.status()
    return EngineResult(routes, assignment.ObjectiveValue(), "ortools", time.perf_counter() - began, str(status))
