"""Small geometry and randomness helpers that give bit-identical results everywhere.

The generator must give the same records on any machine. ``math.cos``/``math.log`` and
friends come from the platform's C library and may differ in the last bit between
systems, which could flip a rounding or a rejection test. Everything here therefore uses
only IEEE-754 operations that are exactly specified (``+ - * /`` and ``sqrt``) and integer
arithmetic: a polynomial cosine, Irwin-Hall "gaussians", rejection-sampled directions.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Iterator, Sequence

KM_PER_DEG_LAT = 111.195
_RAD_PER_DEG = 0.017453292519943295


# Taylor coefficients (-1)^n / (2n)! for n = 1..10, applied by Horner's rule.
_COS_COEFFS = tuple((-1) ** n / math.factorial(2 * n) for n in range(10, 0, -1))


def cos_deg(degrees: float) -> float:
    """Cosine of an angle in degrees within [-90, 90], by a Taylor polynomial.

    Accurate to about 1e-12, which is far below the 6-decimal coordinates we emit.
    """
    x = degrees * _RAD_PER_DEG
    x2 = x * x
    total = 0.0
    for c in _COS_COEFFS:
        total = (total + c) * x2
    return total + 1.0


def km_per_deg_lon(lat: float) -> float:
    return KM_PER_DEG_LAT * cos_deg(lat)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance; plenty for the few-km distances used here."""
    dy = (lat2 - lat1) * KM_PER_DEG_LAT
    dx = (lon2 - lon1) * km_per_deg_lon((lat1 + lat2) * 0.5)
    return math.sqrt(dx * dx + dy * dy)


def offset(lat: float, lon: float, east_km: float, north_km: float) -> tuple[float, float]:
    """The point ``east_km``/``north_km`` away from (lat, lon)."""
    return lat + north_km / KM_PER_DEG_LAT, lon + east_km / km_per_deg_lon(lat)


def normal(rng: random.Random) -> float:
    """Approximately standard-normal (Irwin-Hall of four uniforms, bounded at ±3.46)."""
    return (rng.random() + rng.random() + rng.random() + rng.random() - 2.0) * 1.7320508075688772


def unit_disc(rng: random.Random) -> tuple[float, float]:
    """A uniformly random point in the unit disc (rejection sampling, no trigonometry)."""
    while True:
        x = rng.random() * 2.0 - 1.0
        y = rng.random() * 2.0 - 1.0
        if x * x + y * y <= 1.0:
            return x, y


def integer_weight(population: int, exponent_quarters: int) -> int:
    """``population ** (exponent_quarters / 4)`` in exact integer arithmetic.

    Used as sampling weight so that the cumulative weights, and thus every draw, are
    identical on every platform. Supported exponents: 0, 1/4 ... 8/4.
    """
    p = max(int(population), 1)
    root2 = math.isqrt(p)
    root4 = math.isqrt(root2)
    parts = {
        0: 1, 1: root4, 2: root2, 3: math.isqrt(p * root2), 4: p,
        5: p * root4, 6: p * root2, 7: p * math.isqrt(p * root2), 8: p * p,
    }
    return parts[exponent_quarters]


class PointIndex:
    """A grid index over (lat, lon) points for nearest and radius queries.

    Ties are broken by insertion order so results never depend on hashing.
    """

    def __init__(self, points: Sequence[tuple[float, float]], cell_deg: float = 0.1):
        self.points = list(points)
        self.cell = cell_deg
        self.grid: dict[tuple[int, int], list[int]] = {}
        for i, (lat, lon) in enumerate(self.points):
            self.grid.setdefault(self._key(lat, lon), []).append(i)

    def _key(self, lat: float, lon: float) -> tuple[int, int]:
        return (math.floor(lat / self.cell), math.floor(lon / self.cell))

    def _ring(self, ci: int, cj: int, r: int) -> Iterator[int]:
        """Indices of the points in the cells at Chebyshev distance exactly ``r``."""
        grid = self.grid
        if r == 0:
            yield from grid.get((ci, cj), ())
            return
        for j in range(cj - r, cj + r + 1):
            yield from grid.get((ci - r, j), ())
            yield from grid.get((ci + r, j), ())
        for i in range(ci - r + 1, ci + r):
            yield from grid.get((i, cj - r), ())
            yield from grid.get((i, cj + r), ())

    def nearest(self, lat: float, lon: float, max_rings: int = 40) -> int | None:
        """Index of the nearest point (None if nothing within ``max_rings`` cells)."""
        kx = km_per_deg_lon(lat)
        ci, cj = self._key(lat, lon)
        best: int | None = None
        best_d2 = math.inf
        points = self.points
        for r in range(max_rings + 1):
            for idx in self._ring(ci, cj, r):
                plat, plon = points[idx]
                dy = (plat - lat) * KM_PER_DEG_LAT
                dx = (plon - lon) * kx
                d2 = dx * dx + dy * dy
                if d2 < best_d2 or (d2 == best_d2 and best is not None and idx < best):
                    best, best_d2 = idx, d2
            # A point in ring r+1 is at least r cells away: stop once that is farther.
            if best is not None:
                reach = r * self.cell * min(kx * 0.98, KM_PER_DEG_LAT)
                if best_d2 <= reach * reach:
                    break
        return best

    def within(self, lat: float, lon: float, radius_km: float) -> list[tuple[float, int]]:
        """(distance, index) of every point within ``radius_km``, nearest first."""
        kx = km_per_deg_lon(lat)
        cells_lat = int(radius_km / (self.cell * KM_PER_DEG_LAT)) + 1
        cells_lon = int(radius_km / (self.cell * kx * 0.98)) + 1
        ci, cj = self._key(lat, lon)
        found = []
        points = self.points
        grid = self.grid
        limit = radius_km * radius_km
        for i in range(ci - cells_lat, ci + cells_lat + 1):
            for j in range(cj - cells_lon, cj + cells_lon + 1):
                for idx in grid.get((i, j), ()):
                    plat, plon = points[idx]
                    dy = (plat - lat) * KM_PER_DEG_LAT
                    dx = (plon - lon) * kx
                    d2 = dx * dx + dy * dy
                    if d2 <= limit:
                        found.append((math.sqrt(d2), idx))
        found.sort()
        return found


def cumulative(weights: Iterable[int]) -> list[int]:
    total = 0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out
