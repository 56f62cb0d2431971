"""Route optimizer for field reps: who visits which outlet, on which day, in which order.

A pure package: plain dataclasses in, plain dataclasses out; no Flask, no database.

- :mod:`.model` — the input (:class:`Problem`, :class:`Vehicle`, :class:`Stop`, ...) and units.
- :mod:`.matrix` — travel-time providers (great-circle estimate, OSRM ``table``).
- :mod:`.solver` — :func:`solve` one day (OR-Tools, and PyVRP where it applies).
- :mod:`.reoptimize` — :func:`replan_rest_of_day` from where the rep is now.
- :mod:`.periodic` — :func:`plan_period`: weeks of visits with frequencies.
- :mod:`.opening` — opening hours → visit windows for a date.
- :mod:`.check` — :func:`check_solution`, an independent feasibility check.
"""

from .check import check_solution
from .matrix import GreatCircleProvider, Matrix, MatrixProvider, OsrmProvider
from .model import (
    Break,
    Location,
    Options,
    Problem,
    ProblemError,
    Stop,
    TimeWindow,
    Vehicle,
    hhmm,
    prize_for_priority,
)
from .opening import VisitWindows, visit_windows
from .periodic import Account, FixedVisit, PeriodPlan, PlannedVisit, Rep, Unplanned, plan_period
from .reoptimize import DoneVisit, replan_rest_of_day
from .result import BreakTaken, Dropped, Route, Solution, Visit
from .solver import solve

__all__ = [
    "Account",
    "Break",
    "BreakTaken",
    "DoneVisit",
    "Dropped",
    "FixedVisit",
    "GreatCircleProvider",
    "Location",
    "Matrix",
    "MatrixProvider",
    "Options",
    "OsrmProvider",
    "PeriodPlan",
    "PlannedVisit",
    "Problem",
    "ProblemError",
    "Rep",
    "Route",
    "Solution",
    "Stop",
    "TimeWindow",
    "Unplanned",
    "Vehicle",
    "Visit",
    "VisitWindows",
    "check_solution",
    "hhmm",
    "plan_period",
    "prize_for_priority",
    "replan_rest_of_day",
    "solve",
    "visit_windows",
]
