"""What comes out of the route optimizer: plain data, same units as :mod:`server.routing.model`."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["BreakTaken", "Dropped", "Route", "Solution", "Visit"]


@dataclass(frozen=True, slots=True)
class Visit:
    """One stop on a route.

    ``travel_time``/``travel_distance`` are for the leg from the previous place. The rep
    arrives at ``arrival``, waits ``wait`` seconds (for the window to open; a break taken
    there is not counted as waiting), starts at ``start`` and leaves at ``departure``.
    ``done`` marks visits reported as already made (re-optimisation).
    """

    stop_id: str
    arrival: int
    start: int
    departure: int
    wait: int
    travel_time: int
    travel_distance: int
    done: bool = False


@dataclass(frozen=True, slots=True)
class BreakTaken:
    start: int
    end: int


@dataclass(slots=True)
class Route:
    """A rep's day: leaves the start at ``depart``, is back at ``arrive``.

    Totals include the drive home (``return_time``/``return_distance``).
    """

    vehicle_id: str
    visits: list[Visit]
    breaks: list[BreakTaken]
    depart: int
    arrive: int
    return_time: int
    return_distance: int

    @property
    def duration(self) -> int:
        return self.arrive - self.depart

    @property
    def travel_time(self) -> int:
        return sum(v.travel_time for v in self.visits) + self.return_time

    @property
    def travel_distance(self) -> int:
        return sum(v.travel_distance for v in self.visits) + self.return_distance

    @property
    def wait_time(self) -> int:
        return sum(v.wait for v in self.visits)

    @property
    def service_time(self) -> int:
        return sum(v.departure - v.start for v in self.visits)

    @property
    def stop_ids(self) -> list[str]:
        return [v.stop_id for v in self.visits]


@dataclass(frozen=True, slots=True)
class Dropped:
    """A stop left out, and why, in words a manager can act on."""

    stop_id: str
    reason: str
    required: bool


@dataclass(slots=True)
class Solution:
    """The plan. ``feasible`` is false when a required stop was dropped.

    ``routes`` has one entry per vehicle, in the problem's order (empty ``visits`` when unused).
    ``engine`` says which engine's plan this is; ``warnings`` what was assumed (matrix fallback,
    unreadable opening hours, ...); ``stats`` figures for logs and benchmarks.
    """

    routes: list[Route]
    dropped: list[Dropped]
    engine: str
    objective: int
    warnings: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        return not any(d.required for d in self.dropped)

    @property
    def travel_time(self) -> int:
        return sum(r.travel_time for r in self.routes)

    @property
    def travel_distance(self) -> int:
        return sum(r.travel_distance for r in self.routes)

    @property
    def vehicles_used(self) -> int:
        return sum(1 for r in self.routes if r.visits)

    def route_of(self, vehicle_id: str) -> Route:
        return next(r for r in self.routes if r.vehicle_id == vehicle_id)
