"""What goes into the route optimizer: plain, immutable data.

A :class:`Problem` is one planning day: reps (:class:`Vehicle`) and the places they may visit
(:class:`Stop`). Nothing here knows about Flask, the database or a solver engine.

Units, everywhere in ``server.routing``:

- times are integer **seconds from midnight** of the planning day (08:30 is ``30600``; use
  :func:`hhmm` to write them);
- durations are integer seconds, distances integer metres;
- a :class:`TimeWindow` of a stop is when the visit may **start** (the convention of the
  VRPTW literature). :func:`server.routing.opening.visit_windows` turns opening hours into such
  windows by ending each one ``service`` seconds before closing, so the visit ends while open.
- ``prize`` is in objective units: seconds of route time for ``objective="time"``, metres for
  ``objective="distance"``. Dropping an optional stop costs its prize.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Break",
    "Location",
    "Options",
    "Problem",
    "ProblemError",
    "Stop",
    "TimeWindow",
    "Vehicle",
    "hhmm",
    "prize_for_priority",
    "PRIZE_UNIT",
]

PRIZE_UNIT = 4 * 3600  # priority 1 is worth four hours of route time
DAY = 24 * 3600


class ProblemError(ValueError):
    """The input cannot be planned as given. ``path`` names the field, e.g. ``stops[3].windows[0]``."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def hhmm(value: str) -> int:
    """``"08:30"`` → ``30600`` (seconds from midnight); ``"24:00"`` is allowed."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if not match or int(match[2]) > 59 or int(match[1]) * 60 + int(match[2]) > 24 * 60:
        raise ValueError(f"not a time of day: {value!r}")
    return int(match[1]) * 3600 + int(match[2]) * 60


def clock(seconds: int) -> str:
    """``30600`` → ``"08:30"`` (for messages)."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def prize_for_priority(priority: int) -> int:
    """Default prize of an optional stop: 4 h of route time for priority 1, tripled per level.

    So one priority-3 stop (36 h) outweighs eight priority-1 stops: the solver drops low
    priorities first when the day is full.
    """
    return PRIZE_UNIT * 3 ** (max(priority, 1) - 1)


@dataclass(frozen=True, slots=True)
class Location:
    """A point, WGS84 degrees. Benchmarks with planar instances put x/y here and bring their own matrix."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """``[start, end]`` in seconds from midnight, both ends included."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{clock(self.start)}-{clock(self.end)}"


@dataclass(frozen=True, slots=True)
class Break:
    """A break of at least ``duration`` seconds, taken entirely inside ``[earliest, latest]``.

    ``max_duration`` (default ``duration``) lets the solver stretch it when the rep would be
    waiting anyway, e.g. a 30-45 minute lunch: ``Break(hhmm("11:30"), hhmm("14:00"), 1800, 2700)``.
    A break is never taken during a visit; it may be taken while driving (it then delays arrival)
    or while waiting for a stop to open.
    """

    earliest: int
    latest: int
    duration: int
    max_duration: int | None = None


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A rep's day.

    ``end`` defaults to ``start`` (home). The rep leaves no earlier than ``shift.start`` and is
    back by ``shift.end``. ``max_working_time`` bounds the time from leaving to coming back,
    breaks and waiting included; ``max_driving_time`` bounds the sum of travel times.
    ``skills`` are matched against :attr:`Stop.skills`. ``capacity`` bounds the sum of
    :attr:`Stop.demand` (``None``: unbounded).
    """

    id: str
    start: Location
    shift: TimeWindow
    end: Location | None = None
    breaks: tuple[Break, ...] = ()
    max_working_time: int | None = None
    max_driving_time: int | None = None
    skills: frozenset[str] = frozenset()
    capacity: int | None = None

    @property
    def home(self) -> Location:
        return self.end if self.end is not None else self.start


@dataclass(frozen=True, slots=True)
class Stop:
    """A place to visit.

    ``windows`` are the times the visit may start (several for a lunch closure); empty means any
    time within the rep's shift. ``appointment`` fixes the start time exactly. A required stop
    that cannot be fitted is reported as dropped and makes the solution infeasible; an optional
    one (``required=False``) is dropped when it does not pay: ``prize`` (default
    :func:`prize_for_priority` of ``priority``) is what dropping it costs. ``skills`` must all be
    held by the rep; ``vehicles``, when given, lists the only reps allowed.
    """

    id: str
    location: Location
    service: int = 0
    windows: tuple[TimeWindow, ...] = ()
    required: bool = True
    priority: int = 1
    prize: int | None = None
    skills: frozenset[str] = frozenset()
    vehicles: frozenset[str] | None = None
    appointment: int | None = None
    demand: int = 0

    @property
    def effective_prize(self) -> int:
        return self.prize if self.prize is not None else prize_for_priority(self.priority)

    def allows(self, vehicle: Vehicle) -> bool:
        """Whether ``vehicle`` may serve this stop (skills and explicit assignment)."""
        if self.vehicles is not None and vehicle.id not in self.vehicles:
            return False
        return self.skills <= vehicle.skills


@dataclass(frozen=True, slots=True)
class Problem:
    """One day to plan: the reps available and the stops to distribute among them."""

    vehicles: tuple[Vehicle, ...]
    stops: tuple[Stop, ...]

    def locations(self) -> list[Location]:
        """Distinct locations in a fixed order (vehicle starts and ends, then stops): the matrix rows."""
        seen: dict[Location, None] = {}
        for v in self.vehicles:
            seen.setdefault(v.start)
            seen.setdefault(v.home)
        for s in self.stops:
            seen.setdefault(s.location)
        return list(seen)


@dataclass(frozen=True, slots=True)
class Options:
    """How to solve.

    ``engine``: ``"ortools"`` models everything; ``"pyvrp"`` only problems without breaks,
    several windows per stop, appointments, skills or driving limits; ``"auto"`` (default) runs
    PyVRP first when it can express the problem and is installed, then lets OR-Tools improve
    on its plan for the rest of the time, keeping the cheaper plan.
    ``objective``: ``"time"`` minimises route time (travel + waiting + service + breaks, plus
    travel once more so that shorter drives win ties), ``"travel"`` travel time only,
    ``"distance"`` metres driven.
    ``deterministic``: stop on counts (OR-Tools: ``iterations`` solutions or 100 x that many
    search branches; PyVRP: ``iterations`` iterations, fixed ``seed``) instead of the clock, so
    the same input gives the same plan; ``time_limit`` still caps the run (keep it generous).
    """

    time_limit: float = 5.0
    engine: Literal["auto", "ortools", "pyvrp"] = "auto"
    objective: Literal["time", "travel", "distance"] = "time"
    deterministic: bool = False
    iterations: int = 2000
    seed: int = 0
    max_stops: int = 1500
    max_stops_per_vehicle: int = 150
    pyvrp_share: float = 0.8  # of the time limit, in "auto" mode
