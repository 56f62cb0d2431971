"""Re-plan the rest of a rep's day: "I am here, it is 13:10, these visits are done".

The rest of the day becomes a new one-rep problem: it starts at the rep's position at
``now`` and ends at home by the end of the shift; breaks whose window has passed are gone
(a warning says so when one was missed), those still ahead stay; working and driving limits
shrink by what the day has used. The remaining stops are solved as usual (any may be
reordered or, if optional, dropped), and the done visits are put back in front, marked
``done=True``, so the result reads as the whole day. ``route.depart`` is when the rep leaves
``position``; the first re-planned visit's leg is measured from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .matrix import MatrixProvider
from .model import Break, Location, Options, Problem, ProblemError, TimeWindow, clock
from .result import Solution, Visit
from .solver import solve

__all__ = ["DoneVisit", "replan_rest_of_day"]


@dataclass(frozen=True, slots=True)
class DoneVisit:
    """A visit already made, with its actual start and end (seconds from midnight)."""

    stop_id: str
    start: int
    departure: int


def replan_rest_of_day(
    problem: Problem,
    vehicle_id: str,
    now: int,
    position: Location,
    done: Sequence[DoneVisit] = (),
    *,
    breaks_taken: int = 0,
    day_started: int | None = None,
    driven: int = 0,
    options: Options | None = None,
    provider: MatrixProvider | None = None,
) -> Solution:
    """Re-plan ``vehicle_id``'s remaining stops from ``position`` at ``now``.

    ``problem`` is the day as planned (other reps are ignored; stops the rep may not serve
    are ignored). ``breaks_taken`` counts the rep's breaks already had, in order;
    ``day_started`` (default: the shift start) and ``driven`` (seconds) reduce the working
    and driving limits.

    :raise ProblemError: unknown vehicle or done stop, or ``now`` after the shift end.
    """
    vehicle = next((v for v in problem.vehicles if v.id == vehicle_id), None)
    if vehicle is None:
        raise ProblemError("vehicle_id", f"no vehicle {vehicle_id!r} in the problem")
    if now > vehicle.shift.end:
        raise ProblemError("now", f"{clock(now)} is after the end of the shift ({clock(vehicle.shift.end)})")
    known = {s.id for s in problem.stops}
    for i, d in enumerate(done):
        if d.stop_id not in known:
            raise ProblemError(f"done[{i}].stop_id", f"no stop {d.stop_id!r} in the problem")
    done_ids = {d.stop_id for d in done}
    warnings: list[str] = []
    breaks: list[Break] = []
    for brk in sorted(vehicle.breaks, key=lambda b: b.earliest)[breaks_taken:]:
        if brk.latest - brk.duration < now:
            warnings.append(f"the break due between {clock(brk.earliest)} and {clock(brk.latest)} was missed")
            continue
        breaks.append(replace(brk, earliest=max(brk.earliest, now)))
    started = vehicle.shift.start if day_started is None else day_started
    rest = replace(
        vehicle,
        start=position,
        end=vehicle.home,
        shift=TimeWindow(now, vehicle.shift.end),
        breaks=tuple(breaks),
        max_working_time=None
        if vehicle.max_working_time is None
        else max(0, vehicle.max_working_time - (now - started)),
        max_driving_time=None if vehicle.max_driving_time is None else max(0, vehicle.max_driving_time - driven),
    )
    stops = tuple(s for s in problem.stops if s.id not in done_ids and s.allows(vehicle))
    solution = solve(Problem((rest,), stops), options, provider)
    route = solution.routes[0]
    before = [Visit(d.stop_id, d.start, d.start, d.departure, 0, 0, 0, done=True) for d in done]
    route.visits = before + route.visits  # route.depart stays the time the rep leaves ``position``
    solution.warnings = warnings + solution.warnings
    return solution
