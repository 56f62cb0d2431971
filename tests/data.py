"""The test data set: a slice of the bundled generator plus hand-placed outlets.

The hand-placed ones sit around Luxembourg City, where the generator (Germany and
France only) puts nothing, at exactly known distances and with unusual words, so
tests can assert exact results on top of realistic data.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from server.dialects import EARTH_RADIUS_M

CENTRE = (49.6116, 6.1319)  # lat, lon: Luxembourg City, Place Guillaume II
GENERATED_COUNT = 3_000
GENERATED_SEED = 20261125


def destination(lat: float, lon: float, bearing_deg: float, distance_m: float) -> tuple[float, float]:
    """The point ``distance_m`` from (lat, lon) along ``bearing_deg`` on the sphere."""
    d = distance_m / EARTH_RADIUS_M
    b = math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), math.degrees(l2)


def _outlet(key: str, distance_m: float, bearing: float, **fields: Any) -> dict[str, Any]:
    lat, lon = destination(*CENTRE, bearing, distance_m)
    record = {
        "name": f"Quokka {key}",
        "banner": None,
        "group": None,
        "format": "supermarket",
        "sales_area_m2": 900,
        "street": "Quokkastraße",
        "house_number": str(int(distance_m)),
        "postcode": "1009",
        "city": "Luxembourg",
        "region": "Luxembourg",
        "region_code": "LU-L",
        "country": "LU",
        "lat": round(lat, 7),
        "lon": round(lon, 7),
        "opening_hours": "Mo-Sa 08:00-20:00; Su,PH off",
        "phone": None,
        "website": None,
        "status": "open",
        "source": "test",
        "source_id": key,
        "last_verified_at": "2026-01-15",
    }
    record.update(fields)
    return record


#: (key, metres from CENTRE, bearing) — five within 2 km, two beyond.
PLACED = [
    _outlet("a", 100, 10, banner="REWE", name="REWE Quokka-Markt"),
    _outlet("b", 350, 100, format="discount", banner="Aldi Süd", name="Aldi Süd Quokka"),
    _outlet("c", 700, 200, banner="E.Leclerc", name="E.Leclerc Quokka", street="Rue de la Quokkaerie"),
    _outlet(
        "d",
        1_200,
        280,
        format="convenience",
        name="Épicerie Quokka",
        city="Évry-Quokka",
        street="Avenue du Général Quokka",
        status="unverified",
    ),
    _outlet("e", 1_900, 45, format="drugstore", banner="dm", name="dm Quokka", street="Muenchener Quokkastr."),
    _outlet("f", 2_600, 135, format="hypermarket", banner="Auchan", name="Auchan Quokka", sales_area_m2=8000),
    _outlet("g", 4_000, 300, status="closed", name="Quokka Closed"),
]


@functools.lru_cache(maxsize=1)
def generated() -> tuple[dict[str, Any], ...]:
    from seed_data import generate

    return tuple(generate(count=GENERATED_COUNT, seed=GENERATED_SEED))


def all_records() -> list[dict[str, Any]]:
    return [*generated(), *PLACED]
