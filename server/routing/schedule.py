"""Times of a route with a given order of stops.

The engines decide the order; this module turns an order into a timetable (arrival, start,
departure, waiting, breaks) that every engine reports the same way, and says whether the
order fits at all. It is also what the periodic planner and the drop explanations use to try
an insertion cheaply.

The timetable starts each visit as early as possible, then leaves home as late as possible
without making the day end later (so the rep does not sit outside a closed shop at 8:00).
Breaks are placed greedily: inside a wait when one is long enough, otherwise just before
the drive to the first visit that would end too late to take the break afterwards. A break
whose window is still open when the rep is home is taken at home and not shown. Greedy
placement can reject an order that a solver made fit with cleverer break placement; the
OR-Tools engine then keeps its own times (:func:`route_from_times`).
"""

from __future__ import annotations

from collections.abc import Sequence

from .matrix import Matrix
from .model import Stop, TimeWindow, Vehicle
from .result import BreakTaken, Route, Visit

__all__ = ["route_from_times", "schedule_route", "start_windows"]


def start_windows(stop: Stop, vehicle: Vehicle) -> list[TimeWindow]:
    """When ``vehicle`` may start serving ``stop``: its windows cut to the shift, or the appointment."""
    if stop.appointment is not None:
        return [TimeWindow(stop.appointment, stop.appointment)]
    windows = stop.windows or (vehicle.shift,)
    cut = [TimeWindow(max(w.start, vehicle.shift.start), min(w.end, vehicle.shift.end)) for w in windows]
    return sorted((w for w in cut if w.start <= w.end), key=lambda w: w.start)


def _earliest(windows: list[TimeWindow], arrival: int) -> int | None:
    for w in windows:
        if arrival <= w.end:
            return max(arrival, w.start)
    return None


def schedule_route(vehicle: Vehicle, stops: Sequence[Stop], matrix: Matrix, depart: int | None = None) -> Route | None:
    """The timetable for visiting ``stops`` in this order, or ``None`` when the order does not fit.

    ``depart`` fixes when the rep leaves ``vehicle.start`` (re-optimisation: "now"); by default
    the departure is chosen as described in the module docstring.
    """
    first = _forward(vehicle, stops, matrix, vehicle.shift.start if depart is None else depart)
    if first is None or depart is not None or not first.visits:
        return first
    delay = _useful_delay(first, vehicle, stops)
    if delay > 0:
        later = _forward(vehicle, stops, matrix, first.depart + delay)
        if later is not None and later.arrive <= first.arrive:
            return later
    return first


def _useful_delay(route: Route, vehicle: Vehicle, stops: Sequence[Stop]) -> int:
    # Leaving d seconds later delays visit i by max(0, d - waits up to i): stay inside each
    # chosen window, and never beyond the total wait (the day would end later).
    waited, best = 0, None
    for visit, stop in zip(route.visits, stops, strict=True):
        waited += visit.start - visit.arrival
        window = next(w for w in start_windows(stop, vehicle) if w.start <= visit.start <= w.end)
        room = waited + window.end - visit.start
        best = room if best is None else min(best, room)
    return max(0, min(waited, best if best is not None else 0))


def _forward(vehicle: Vehicle, stops: Sequence[Stop], matrix: Matrix, depart: int) -> Route | None:
    t, here = depart, vehicle.start
    pending = sorted(vehicle.breaks, key=lambda b: b.earliest)
    visits: list[Visit] = []
    taken: list[BreakTaken] = []
    drive = load = 0
    for stop in stops:
        if not stop.allows(vehicle):
            return None
        travel, dist = matrix.time(here, stop.location), matrix.distance(here, stop.location)
        windows = start_windows(stop, vehicle)
        arrival = t + travel
        start = _earliest(windows, arrival)
        rest_in_wait = 0
        while pending and start is not None:
            brk = pending[0]
            begin = max(brk.earliest, arrival)
            if begin + brk.duration <= min(start, brk.latest):  # fits while waiting: costs nothing
                taken.append(BreakTaken(begin, begin + brk.duration))
                rest_in_wait += brk.duration
                pending.pop(0)
                continue
            if start + stop.service + brk.duration <= brk.latest:
                break  # can still be taken after this visit
            begin = max(brk.earliest, t)  # take it now, before driving on
            if begin + brk.duration > brk.latest:
                return None
            taken.append(BreakTaken(begin, begin + brk.duration))
            pending.pop(0)
            t = begin + brk.duration
            arrival = t + travel
            start = _earliest(windows, arrival)
        if start is None:
            return None
        visits.append(
            Visit(stop.id, arrival, start, start + stop.service, start - arrival - rest_in_wait, travel, dist)
        )
        t, here = start + stop.service, stop.location
        drive += travel
        load += stop.demand
    travel, dist = matrix.time(here, vehicle.home), matrix.distance(here, vehicle.home)
    for brk in pending:
        if t + travel + brk.duration <= brk.latest:
            continue  # taken at home after the day
        begin = max(brk.earliest, t)
        if begin + brk.duration > brk.latest:
            return None
        taken.append(BreakTaken(begin, begin + brk.duration))
        t = begin + brk.duration
    arrive = t + travel
    drive += travel
    if depart < vehicle.shift.start or arrive > vehicle.shift.end:
        return None
    if vehicle.max_working_time is not None and arrive - depart > vehicle.max_working_time:
        return None
    if vehicle.max_driving_time is not None and drive > vehicle.max_driving_time:
        return None
    if vehicle.capacity is not None and load > vehicle.capacity:
        return None
    return Route(vehicle.id, visits, taken, depart, arrive, travel, dist)


def route_from_times(
    vehicle: Vehicle,
    stops: Sequence[Stop],
    matrix: Matrix,
    starts: Sequence[int],
    breaks: Sequence[BreakTaken],
    depart: int,
    arrive: int,
) -> Route:
    """A route whose start times come from a solver. Breaks inside a gap delay the arrival
    when they begin before the rep could have arrived, otherwise they use the waiting time."""
    here, t = vehicle.start, depart
    visits = []
    for stop, start in zip(stops, starts, strict=True):
        travel, dist = matrix.time(here, stop.location), matrix.distance(here, stop.location)
        arrival = t + travel
        rest = 0
        for b in breaks:
            if t <= b.start and b.end <= start:
                if b.start < arrival:
                    arrival += b.end - b.start
                else:
                    rest += b.end - b.start
        arrival = min(arrival, start)
        visits.append(
            Visit(stop.id, arrival, start, start + stop.service, max(0, start - arrival - rest), travel, dist)
        )
        t, here = start + stop.service, stop.location
    travel, dist = matrix.time(here, vehicle.home), matrix.distance(here, vehicle.home)
    return Route(vehicle.id, visits, list(breaks), depart, arrive, travel, dist)
