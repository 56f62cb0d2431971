"""Check a problem before solving it.

Two kinds of trouble, handled differently:

- :func:`validate` raises :class:`~server.routing.model.ProblemError` for input that is wrong
  or too big to plan: duplicate ids, inverted windows, negative durations, more stops than a
  rep-day can take. These are caller mistakes; the error names the field (``path``).
- :func:`unservable` finds stops that are well-formed but cannot be served by anyone: no rep
  with the skill, no window inside any shift, an appointment outside the opening hours, too
  far to go there and back within the day. The solver leaves them out with that reason
  instead of letting the engine discover it slowly.
"""

from __future__ import annotations

from .matrix import Matrix
from .model import DAY, Options, Problem, ProblemError, Stop, Vehicle, clock
from .schedule import schedule_route, start_windows

__all__ = ["unservable", "validate"]


def validate(problem: Problem, options: Options) -> None:
    """Raise :class:`ProblemError` for malformed or oversized input."""
    if not problem.vehicles:
        raise ProblemError("vehicles", "at least one vehicle (rep) is needed")
    if len(problem.stops) > options.max_stops:
        raise ProblemError("stops", f"{len(problem.stops)} stops; at most {options.max_stops} can be planned at once")
    limit = options.max_stops_per_vehicle * len(problem.vehicles)
    if len(problem.stops) > limit:
        raise ProblemError(
            "stops",
            f"{len(problem.stops)} stops for {len(problem.vehicles)} rep-days; at most "
            f"{options.max_stops_per_vehicle} per rep-day can be planned (split the days first)",
        )
    _unique("vehicles", [v.id for v in problem.vehicles])
    _unique("stops", [s.id for s in problem.stops])
    for i, v in enumerate(problem.vehicles):
        _vehicle(f"vehicles[{i}]", v)
    for i, s in enumerate(problem.stops):
        _stop(f"stops[{i}]", s)


def _unique(path: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i, x in enumerate(ids):
        if x in seen:
            raise ProblemError(f"{path}[{i}].id", f"duplicate id {x!r}")
        seen.add(x)


def _window(path: str, start: int, end: int) -> None:
    if not (0 <= start <= end <= 2 * DAY):
        raise ProblemError(path, f"window {start}..{end} must satisfy 0 <= start <= end <= 172800 (seconds)")


def _vehicle(path: str, v: Vehicle) -> None:
    _window(f"{path}.shift", v.shift.start, v.shift.end)
    for k, b in enumerate(v.breaks):
        _window(f"{path}.breaks[{k}]", b.earliest, b.latest)
        if b.duration <= 0 or (b.max_duration is not None and b.max_duration < b.duration):
            raise ProblemError(f"{path}.breaks[{k}].duration", "must be positive and not above max_duration")
        if b.latest - b.earliest < b.duration:
            raise ProblemError(f"{path}.breaks[{k}]", "the break does not fit its own window")
    for name in ("max_working_time", "max_driving_time", "capacity"):
        value = getattr(v, name)
        if value is not None and value < 0:
            raise ProblemError(f"{path}.{name}", "must not be negative")


def _stop(path: str, s: Stop) -> None:
    if s.service < 0:
        raise ProblemError(f"{path}.service", "must not be negative")
    if s.demand < 0:
        raise ProblemError(f"{path}.demand", "must not be negative")
    if s.prize is not None and s.prize < 0:
        raise ProblemError(f"{path}.prize", "must not be negative")
    for k, w in enumerate(s.windows):
        _window(f"{path}.windows[{k}]", w.start, w.end)
    if s.appointment is not None:
        _window(f"{path}.appointment", s.appointment, s.appointment)


def unservable(problem: Problem, matrix: Matrix) -> dict[str, str]:
    """Stops that no vehicle could serve even alone, mapped to the reason in plain words."""
    reasons: dict[str, str] = {}
    for stop in problem.stops:
        allowed = [v for v in problem.vehicles if stop.allows(v)]
        if not allowed:
            reasons[stop.id] = (
                f"no rep has the required skill ({', '.join(sorted(stop.skills))})"
                if stop.skills and not any(stop.skills <= v.skills for v in problem.vehicles)
                else "no rep is allowed to serve it"
            )
            continue
        if stop.appointment is not None and stop.windows:
            if not any(w.start <= stop.appointment <= w.end for w in stop.windows):
                reasons[stop.id] = (
                    f"the appointment at {clock(stop.appointment)} is outside the opening hours "
                    f"({', '.join(map(str, stop.windows))})"
                )
                continue
        if not any(start_windows(stop, v) for v in allowed):
            reasons[stop.id] = (
                f"the appointment at {clock(stop.appointment)} is outside every rep's shift"
                if stop.appointment is not None
                else "no time window fits the shift of any rep"
            )
            continue
        if all(schedule_route(v, [stop], matrix) is None for v in allowed):
            reasons[stop.id] = "too far to go there, visit and be back within any rep's day"
    return reasons
