"""Travel times and distances between locations: the matrix providers.

A provider is any object with ``matrix(points) -> Matrix`` (:class:`MatrixProvider`).

:class:`GreatCircleProvider` (the default) needs no server. Road distance is the great-circle
distance times a detour factor that falls from about 1.33 for short trips to 1.18 for long ones
(streets wind more than motorways). The average speed rises with the road distance, from
``urban_kmh`` for a few hundred metres to ``motorway_kmh`` for long trips:
``speed = motorway - (motorway - urban) * exp(-road_km / speed_scale_km)``. Trips to oneself
take 0 s. The constants were fitted to :data:`REFERENCE_TRIPS`, typical car times without
traffic as shown by common route planners (values recalled, not measured here); the model
stays within ``TOLERANCE`` of them (tested in ``tests/unit/test_routing_matrix.py``).

:class:`OsrmProvider` asks an OSRM ``table`` service (``/table/v1/{profile}/...``) for real road
durations and distances, in blocks of at most ``max_locations`` coordinates per request
(OSRM's default ``--max-table-size`` is 100). The HTTP fetch function is injectable for tests.
When the service fails (network, bad answer) it falls back to the great-circle estimate for
the whole matrix and says so in ``Matrix.warnings``; single unreachable pairs (``null`` in the
answer) are estimated the same way, also with a warning.
"""

from __future__ import annotations

import json
import math
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .model import Location

__all__ = [
    "GreatCircleProvider",
    "Matrix",
    "MatrixProvider",
    "OsrmProvider",
    "REFERENCE_TRIPS",
    "TOLERANCE",
    "great_circle_m",
]

EARTH_RADIUS_M = 6_371_008.8


@dataclass(slots=True)
class Matrix:
    """Square matrices over ``points``: ``durations[i][j]`` seconds and ``distances[i][j]`` metres."""

    points: list[Location]
    durations: list[list[int]]
    distances: list[list[int]]
    source: str = ""
    warnings: list[str] = field(default_factory=list)
    _index: dict[Location, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {p: i for i, p in enumerate(self.points)}

    def index(self, point: Location) -> int:
        return self._index[point]

    def time(self, a: Location, b: Location) -> int:
        return self.durations[self._index[a]][self._index[b]]

    def distance(self, a: Location, b: Location) -> int:
        return self.distances[self._index[a]][self._index[b]]


class MatrixProvider(Protocol):
    def matrix(self, points: Sequence[Location]) -> Matrix:
        """Durations and distances between all ``points`` (given in this order)."""
        ...


def great_circle_m(a: Location, b: Location) -> float:
    """Haversine distance in metres."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


# (from, to, (lat, lon), (lat, lon), road km, (min minutes, max minutes)): typical car trips
# without traffic. Munich Marienplatz → Airport is the brief's own reference.
REFERENCE_TRIPS = [
    ("München Marienplatz", "Flughafen München", (48.1374, 11.5755), (48.3537, 11.7750), 38, (35, 40)),
    ("Berlin Alexanderplatz", "Brandenburger Tor", (52.5219, 13.4132), (52.5163, 13.3777), 3, (8, 12)),
    ("Frankfurt Hbf", "Flughafen Frankfurt", (50.1071, 8.6638), (50.0379, 8.5622), 13, (15, 20)),
    ("Köln Dom", "Düsseldorf Hbf", (50.9413, 6.9583), (51.2198, 6.7945), 41, (35, 45)),
    ("München Hbf", "Stuttgart Hbf", (48.1402, 11.5600), (48.7840, 9.1817), 232, (135, 155)),
    ("Berlin Hbf", "Hamburg Hbf", (52.5251, 13.3694), (53.5530, 10.0069), 289, (170, 190)),
    ("Paris Notre-Dame", "Aéroport CDG", (48.8530, 2.3499), (49.0097, 2.5479), 30, (35, 45)),
    ("Lyon Bellecour", "Aéroport Saint-Exupéry", (45.7578, 4.8320), (45.7256, 5.0811), 27, (25, 30)),
    ("Paris Notre-Dame", "Lyon Bellecour", (48.8530, 2.3499), (45.7578, 4.8320), 465, (260, 285)),
]
TOLERANCE = 0.20  # model minutes within [min*(1-T), max*(1+T)]; road km within ±T of the stated km


@dataclass(frozen=True, slots=True)
class GreatCircleProvider:
    """Road estimate from straight-line distance; see the module docstring for the model."""

    detour_long: float = 1.18
    detour_short_extra: float = 0.15
    detour_scale_km: float = 30.0
    urban_kmh: float = 20.0
    motorway_kmh: float = 98.0
    speed_scale_km: float = 50.0

    def estimate(self, a: Location, b: Location) -> tuple[int, int]:
        """``(seconds, metres)`` by car from ``a`` to ``b``."""
        crow_km = great_circle_m(a, b) / 1000
        if crow_km == 0:
            return 0, 0
        road_km = crow_km * (self.detour_long + self.detour_short_extra * math.exp(-crow_km / self.detour_scale_km))
        kmh = self.motorway_kmh - (self.motorway_kmh - self.urban_kmh) * math.exp(-road_km / self.speed_scale_km)
        return max(1, round(road_km / kmh * 3600)), round(road_km * 1000)

    def matrix(self, points: Sequence[Location]) -> Matrix:
        pts = list(points)
        n = len(pts)
        durations = [[0] * n for _ in range(n)]
        distances = [[0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                t, d = self.estimate(pts[i], pts[j])
                durations[i][j] = durations[j][i] = t
                distances[i][j] = distances[j][i] = d
        return Matrix(pts, durations, distances, source="great-circle")


Fetch = Callable[[str, float], bytes]


def _urlopen(url: str, timeout: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (configured URL)
        return response.read()


@dataclass(slots=True)
class OsrmProvider:
    """Road matrix from an OSRM server, e.g. ``OsrmProvider("http://osrm:5000")``.

    ``fetch(url, timeout) -> bytes`` does the HTTP GET (default: urllib). ``fallback`` estimates
    what the server cannot answer; ``None`` makes failures raise :class:`RuntimeError` instead.
    """

    base_url: str
    profile: str = "driving"
    max_locations: int = 100
    timeout: float = 20.0
    fetch: Fetch = _urlopen
    fallback: GreatCircleProvider | None = field(default_factory=GreatCircleProvider)

    def matrix(self, points: Sequence[Location]) -> Matrix:
        pts = list(points)
        n = len(pts)
        durations: list[list[int | None]] = [[None] * n for _ in range(n)]
        distances: list[list[int | None]] = [[None] * n for _ in range(n)]
        half = max(1, self.max_locations // 2)
        try:
            for si in range(0, n, half):
                sources = list(range(si, min(n, si + half)))
                for di in range(0, n, half):
                    targets = list(range(di, min(n, di + half)))
                    self._block(pts, sources, targets, durations, distances)
        except Exception as exc:  # any failure: network, HTTP, JSON, OSRM error code
            if self.fallback is None:
                raise RuntimeError(f"OSRM table at {self.base_url} failed: {exc}") from exc
            estimate = self.fallback.matrix(pts)
            estimate.source = "great-circle (OSRM failed)"
            estimate.warnings.append(
                f"OSRM table at {self.base_url} failed ({exc}); travel times are great-circle estimates"
            )
            return estimate
        warnings: list[str] = []
        missing = [(i, j) for i in range(n) for j in range(n) if durations[i][j] is None or distances[i][j] is None]
        if missing:
            if self.fallback is None:
                raise RuntimeError(f"OSRM found no route for {len(missing)} pairs")
            for i, j in missing:
                t, d = self.fallback.estimate(pts[i], pts[j])
                durations[i][j] = t if durations[i][j] is None else durations[i][j]
                distances[i][j] = d if distances[i][j] is None else distances[i][j]
            warnings.append(f"OSRM found no route for {len(missing)} of {n * n} pairs; estimated those")
        return Matrix(pts, durations, distances, source="osrm", warnings=warnings)  # type: ignore[arg-type]

    def _block(self, pts, sources, targets, durations, distances) -> None:
        # One request: the union of sources and targets, addressed by position in that list.
        order = list(dict.fromkeys(sources + targets))
        pos = {p: k for k, p in enumerate(order)}
        coords = ";".join(f"{pts[p].lon:.6f},{pts[p].lat:.6f}" for p in order)
        url = (
            f"{self.base_url.rstrip('/')}/table/v1/{self.profile}/{coords}"
            f"?sources={';'.join(str(pos[s]) for s in sources)}"
            f"&destinations={';'.join(str(pos[t]) for t in targets)}"
            "&annotations=duration,distance"
        )
        answer = json.loads(self.fetch(url, self.timeout))
        if answer.get("code") != "Ok":
            raise ValueError(f"OSRM answered {answer.get('code')}: {answer.get('message', '')}".strip())
        rows_t, rows_d = answer["durations"], answer["distances"]
        if len(rows_t) != len(sources) or any(len(r) != len(targets) for r in rows_t):
            raise ValueError("OSRM answer has the wrong shape")
        for a, i in enumerate(sources):
            for b, j in enumerate(targets):
                t, d = rows_t[a][b], rows_d[a][b]
                durations[i][j] = 0 if i == j else (None if t is None else round(t))
                distances[i][j] = 0 if i == j else (None if d is None else round(d))
