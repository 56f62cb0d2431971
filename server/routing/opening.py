"""Opening hours (OpenStreetMap ``opening_hours``) → the start windows of a visit on a date.

Uses :mod:`server.outlets.opening_hours` (public holidays known for DE and FR). A visit must
fit entirely inside an opening interval, so each interval ``[open, close]`` becomes the start
window ``[open, close - service]``; intervals shorter than the visit are left out.

Missing or unreadable values never raise. No value: no constraint (the shop is taken to be
open whenever the rep works). An unreadable value: the same, plus a warning naming the value,
because refusing to visit an account over a typo in its hours would hide it from the plan;
the manager sees the warning and can fix the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from server.outlets import opening_hours

from .model import TimeWindow

__all__ = ["VisitWindows", "visit_windows"]


@dataclass(frozen=True, slots=True)
class VisitWindows:
    """``windows`` to give :attr:`Stop.windows` (empty = no constraint, unless ``closed``).

    ``closed``: the outlet cannot be visited that day (closed, or never open long enough).
    """

    windows: tuple[TimeWindow, ...]
    closed: bool = False
    warning: str | None = None


def visit_windows(value: str | None, day: dt.date, service: int, country: str | None = None) -> VisitWindows:
    """Start windows for a visit of ``service`` seconds at an outlet with hours ``value`` on ``day``."""
    if value is None or not value.strip():
        return VisitWindows(())
    try:
        open_minutes = opening_hours.parse(value).windows_on(day, country)
    except ValueError as exc:  # OpeningHoursError, or an unknown country
        return VisitWindows((), warning=f"opening hours {value!r} not understood ({exc}); taken as open all day")
    windows = tuple(
        TimeWindow(start * 60, end * 60 - service) for start, end in open_minutes if end * 60 - start * 60 >= service
    )
    return VisitWindows(windows, closed=not windows)
