"""An independent feasibility check of a plan against its problem.

Written separately from the engines and from :mod:`.schedule` (it shares only the data
classes and the matrix), so a bug in how plans are built or timed is caught here rather than
repeated. Tests and benchmarks run it on every solver output.

It checks: each stop visited at most once and either visited or reported dropped, no
required stop dropped, allowed rep (skills/assignment), legs no shorter than the matrix
says, start inside a window (or at the appointment), service length, shift, maximum working
and driving time, capacity, and breaks (inside their window, long enough, not during a visit
and leaving room for the drive). A break not shown is fine only if the rep is home early
enough to take it there.
"""

from __future__ import annotations

from collections import Counter

from .matrix import Matrix
from .model import Problem
from .result import Route, Solution

__all__ = ["check_solution"]


def check_solution(problem: Problem, solution: Solution, matrix: Matrix) -> list[str]:
    """Everything wrong with ``solution``, one sentence each; empty when it is feasible."""
    errors: list[str] = []
    stops = {s.id: s for s in problem.stops}
    vehicles = {v.id: v for v in problem.vehicles}
    count: Counter[str] = Counter()
    for route in solution.routes:
        vehicle = vehicles.get(route.vehicle_id)
        if vehicle is None:
            errors.append(f"route for unknown vehicle {route.vehicle_id!r}")
            continue
        count.update(v.stop_id for v in route.visits)
        if route.visits:
            errors += _route(route, vehicle, stops, matrix)
    dropped = Counter(d.stop_id for d in solution.dropped)
    for stop in problem.stops:
        seen = count[stop.id] + dropped[stop.id]
        if seen != 1:
            errors.append(f"stop {stop.id}: visited {count[stop.id]} times and dropped {dropped[stop.id]} times")
        elif dropped[stop.id] and stop.required:
            errors.append(f"required stop {stop.id} was dropped")
    for stop_id in set(count) | set(dropped):
        if stop_id not in stops:
            errors.append(f"unknown stop {stop_id!r} in the plan")
    return errors


def _route(route: Route, vehicle, stops, matrix: Matrix) -> list[str]:
    errors: list[str] = []
    name = f"route {route.vehicle_id}"
    here, free_at = vehicle.start, route.depart
    gaps: list[tuple[int, int, int]] = []  # (from, to, travel inside) between activities
    drive = load = 0
    if route.depart < vehicle.shift.start:
        errors.append(f"{name} leaves at {route.depart}, before the shift starts ({vehicle.shift.start})")
    for visit in route.visits:
        stop = stops.get(visit.stop_id)
        if stop is None:
            continue
        where = f"{name}, stop {stop.id}"
        travel = matrix.time(here, stop.location)
        if visit.done:  # reported as made: only its place in the day matters
            here, free_at = stop.location, visit.departure
            continue
        if not stop.allows(vehicle):
            errors.append(f"{where}: rep lacks a skill or is not assigned")
        if visit.travel_time != travel or visit.travel_distance != matrix.distance(here, stop.location):
            errors.append(f"{where}: leg reported as {visit.travel_time} s, matrix says {travel} s")
        if visit.arrival < free_at + travel:
            errors.append(f"{where}: arrives at {visit.arrival}, cannot be there before {free_at + travel}")
        if visit.start < visit.arrival:
            errors.append(f"{where}: starts before arriving")
        if visit.departure - visit.start != stop.service:
            errors.append(f"{where}: service lasts {visit.departure - visit.start} s, not {stop.service} s")
        if stop.appointment is not None:
            if visit.start != stop.appointment:
                errors.append(f"{where}: starts at {visit.start}, the appointment is at {stop.appointment}")
        elif stop.windows and not any(w.start <= visit.start <= w.end for w in stop.windows):
            errors.append(f"{where}: starts at {visit.start}, outside its windows")
        if not (vehicle.shift.start <= visit.start <= vehicle.shift.end):
            errors.append(f"{where}: starts outside the shift")
        gaps.append((free_at, visit.start, travel))
        drive += travel
        load += stop.demand
        here, free_at = stop.location, visit.departure
    home = matrix.time(here, vehicle.home)
    drive += home
    gaps.append((free_at, route.arrive, home))
    if route.arrive < free_at + home:
        errors.append(f"{name}: back at {route.arrive}, cannot be before {free_at + home}")
    if route.arrive > vehicle.shift.end:
        errors.append(f"{name}: back at {route.arrive}, after the shift ends ({vehicle.shift.end})")
    if vehicle.max_working_time is not None and route.arrive - route.depart > vehicle.max_working_time:
        errors.append(f"{name}: day lasts {route.arrive - route.depart} s, limit {vehicle.max_working_time} s")
    if vehicle.max_driving_time is not None and drive > vehicle.max_driving_time:
        errors.append(f"{name}: drives {drive} s, limit {vehicle.max_driving_time} s")
    if vehicle.capacity is not None and load > vehicle.capacity:
        errors.append(f"{name}: load {load} over capacity {vehicle.capacity}")
    errors += _breaks(name, route, vehicle, gaps)
    return errors


def _breaks(name: str, route: Route, vehicle, gaps) -> list[str]:
    errors: list[str] = []
    shown = sorted(route.breaks, key=lambda b: b.start)
    unused = list(shown)
    for brk in sorted(vehicle.breaks, key=lambda b: b.earliest):
        match = next(
            (t for t in unused if brk.earliest <= t.start and t.end <= brk.latest and t.end - t.start >= brk.duration),
            None,
        )
        if match is not None:
            unused.remove(match)
        elif route.arrive + brk.duration > brk.latest:
            errors.append(f"{name}: no break of {brk.duration} s between {brk.earliest} and {brk.latest}")
    for t in unused:
        errors.append(f"{name}: break {t.start}-{t.end} matches no break of the rep")
    for t in shown:
        inside = [g for g in gaps if g[0] <= t.start and t.end <= g[1]]
        if not inside:
            errors.append(f"{name}: break {t.start}-{t.end} overlaps a visit or lies outside the day")
    for begin, end, travel in gaps:
        rest = sum(t.end - t.start for t in shown if begin <= t.start and t.end <= end)
        if rest and end - begin < travel + rest:
            errors.append(f"{name}: no time to drive {travel} s and rest {rest} s between {begin} and {end}")
    return errors
