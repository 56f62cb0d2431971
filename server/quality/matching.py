"""Is this the same store? One scorer for customer lists, duplicate checks and the duplicate finder.

A *place* is what is known of a store: name, banner, address, postcode, city, position and how
precise that position is (``exact`` coordinates, or a centroid of its ``postcode``, its
``city`` or its postcode ``area``). :func:`score` compares two places and says how alike
they are (0..1) and why; :class:`Matcher` finds the candidates near a place (an in-memory
index loaded tile by tile from the outlets the organization may see) and decides:

* **matched**: the best candidate scores at least ``MATCH`` and clearly beats the next one;
* **ambiguous**: one or more candidates score at least ``AMBIGUOUS`` but none clearly wins
  (a person chooses);
* **new**: nothing comes close.

How the score is made (each part only when both sides know it, so a missing street neither
helps nor hurts): name similarity (token-set ratio of the folded names, also against
"banner + town" because chain lists often name a store by its town), distance (scaled by how
precise the position is), street and house number, postcode, town, and the banner. Two
different known chains (a Lidl and an Aldi on the same car park) are never the same store.
A shared phone number helps only near each other (chains publish one hotline for all stores).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.dialects import BBox, for_bind, haversine_m
from server.outlets.models import Outlet
from server.quality import banners
from server.quality.normalise import house_number_key, street_key
from server.tenancy import outlet_visibility
from server.text import fold as _fold

_EXTRA = str.maketrans({"ı": "i", "İ": "I"})  # Turkish dotless i, common in shop names


def fold(value: str | None) -> str:
    return _fold(value.translate(_EXTRA) if value else value)


def _digits(phone: str | None) -> str | None:
    """A phone number compared as digits ("+49 89 123" = "+4989123")."""
    if not phone:
        return None
    return ("+" if phone.strip().startswith("+") else "") + "".join(ch for ch in phone if ch.isdigit())


MATCH = 0.72
AMBIGUOUS = 0.5
MARGIN = 0.08
#: Metres over which distance halves the distance score, per position precision.
SIGMA = {"exact": 150.0, "postcode": 2_500.0, "city": 4_000.0, "area": 25_000.0}
#: Search radius around a place, per position precision.
RADIUS = {"exact": 2_500.0, "postcode": 8_000.0, "city": 12_000.0, "area": 40_000.0}
_DISTANCE_WEIGHT = {"exact": 3.0, "postcode": 1.6, "city": 1.2, "area": 0.6}
_NAME_NOISE = frozenset(
    {"markt", "supermarkt", "supermarche", "hypermarche", "magasin", "filiale", "store", "shop", "sarl", "sas", "gmbh"}
    | {"co", "kg", "ohg", "ek", "e", "k", "the", "centre", "center", "commercial", "cc", "mag", "nr", "no", "n"}
)


@dataclass
class Place:
    name: str | None = None
    banner: str | None = None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    precision: str | None = None  # exact | postcode | city | area | None
    phone: str | None = None
    cedex: bool = False
    id: int | None = None
    org_id: int | None = None
    status: str | None = None
    format: str | None = None
    _keys: dict[str, Any] = field(default_factory=dict, repr=False)

    def keys(self) -> dict[str, Any]:
        if not self._keys:
            name_words = [w for w in fold(self.name).split() if w not in _NAME_NOISE]
            self._keys = {
                "name": " ".join(name_words),
                "label": fold(f"{self.banner or ''} {self.city or ''}"),
                "banner": fold(self.banner),
                "street": street_key(self.street.translate(_EXTRA) if self.street else None, generic=True),
                "street_core": street_key(self.street.translate(_EXTRA) if self.street else None),
                "number": house_number_key(self.house_number),
                "city": fold(self.city),
                "phone": _digits(self.phone),
            }
        return self._keys


@dataclass
class Score:
    value: float
    distance_m: float | None
    reasons: list[str]
    method: str = "similarity"


def _street_similarity(a: str, b: str) -> float:
    """Similarity of two street keys; the "-str" every German street ends with does not count."""
    strip = lambda key: " ".join(w[:-3] if w.endswith("str") and len(w) > 5 else w for w in key.split())  # noqa: E731
    return fuzz.ratio(strip(a), strip(b)) / 100


def _street_keys(q: Place, c: Place) -> tuple[str, str]:
    """Street keys without the words many addresses share ("Zone commerciale", "Im Gewerbegebiet"),
    unless that leaves one side (nearly) empty."""
    a, b = q.keys()["street"], c.keys()["street"]
    sa, sb = q.keys()["street_core"], c.keys()["street_core"]
    return (sa, sb) if len(sa) >= 4 and len(sb) >= 4 else (a, b)


def score(q: Place, c: Place) -> Score:
    """How alike two places are (0..1), with the reasons; ``q``'s position precision scales distance."""
    qk, ck = q.keys(), c.keys()
    parts: list[tuple[float, float]] = []  # (weight, value)
    reasons: list[str] = []
    same_banner = banners.compatible(q.banner, c.banner)
    # A chain's list often names a store by its town ("Aichach", "Cora Dijon"): such a name
    # says nothing of a store of another banner, and is compared with "banner + town".
    q_name = qk["name"]
    if q_name and qk["city"] and (q_name in qk["city"] or fuzz.ratio(q_name, qk["city"]) >= 85):
        q_name = ""
    identified = False  # some evidence beyond banner and rough position: name, address or phone
    if q_name and ck["name"]:
        # "Lidl Kassel" against "Lidl" is alike but names no store: only the name's own words
        # (beyond banner and town) tell one store of a chain from the next.
        generic = set(qk["banner"].split()) | set(ck["banner"].split()) | set(qk["city"].split())
        identified = any(w not in generic for w in q_name.split())
        full = fuzz.token_set_ratio(q_name, ck["name"]) / 100
        label = fuzz.token_set_ratio(q_name, ck["label"]) / 100 * 0.95 if same_banner else 0.0
        name = max(full, label)
        parts.append((3.0, name))
        reasons.append(f"name {name:.2f}")
    distance = None
    precision = q.precision or "exact"
    if q.lat is not None and c.lat is not None:
        distance = haversine_m(q.lon, q.lat, c.lon, c.lat)  # type: ignore[arg-type]
        near = 1.0 / (1.0 + (distance / SIGMA[precision]) ** 2)
        parts.append((_DISTANCE_WEIGHT[precision], near))
        reasons.append(f"{distance:.0f} m ({precision})")
    street = None
    if qk["street"] and ck["street"]:
        identified = True
        street = _street_similarity(*_street_keys(q, c))
        numbers = qk["number"] and ck["number"]
        if street >= 0.85:
            address = 1.0 if numbers and qk["number"] == ck["number"] else (0.4 if numbers else 0.85)
        else:
            address = street * 0.6
        parts.append((3.0, address))
        reasons.append(f"address {address:.2f}")
    if q.postcode and c.postcode and not q.cedex:
        parts.append((1.0, 1.0 if q.postcode == c.postcode else 0.0))
        reasons.append("same postcode" if q.postcode == c.postcode else "other postcode")
    if qk["city"] and ck["city"]:
        same_city = qk["city"] == ck["city"] or fuzz.token_set_ratio(qk["city"], ck["city"]) >= 90
        parts.append((0.7, 1.0 if same_city else 0.0))
    if qk["phone"] and ck["phone"]:
        same_phone = qk["phone"] == ck["phone"]
        identified = identified or same_phone
        parts.append((2.0 if same_phone else 1.0, 1.0 if same_phone else 0.0))
        reasons.append("same phone" if same_phone else "other phone")
    if same_banner is True:
        parts.append((1.5, 1.0))
        reasons.append("same banner")
    total = sum(w for w, _ in parts)
    value = sum(w * v for w, v in parts) / total if total else 0.0
    if same_banner is False:
        value *= 0.35
        reasons.append(f"other banner ({c.banner})")
    if street is not None and street < 0.5:
        # Both know the street and it is another one: never the same store without a person.
        value = min(value, 0.49 if precision != "exact" or (distance or 0) < 100 else 0.4)
    if precision != "exact" and not identified:
        # A postcode or town centroid and a banner do not tell one store of a chain from the
        # next (a store list's "Lidl, Kassel" against a Lidl without address): a person decides.
        value = min(value, MATCH - 0.02)
    if precision == "exact" and distance is not None:
        if distance > 3_000:
            value = min(value, 0.3)
        elif distance > 1_000:
            value = min(value, 0.45)
    method = "similarity"
    if (
        same_banner is not False
        and qk["street"]
        and qk["number"]
        and qk["street"] == ck["street"]
        and qk["number"] == ck["number"]
        and ((q.postcode and q.postcode == c.postcode) or (qk["city"] and qk["city"] == ck["city"]))
        and (not q_name or not ck["name"] or fuzz.token_set_ratio(q_name, ck["name"]) >= 60 or same_banner)
    ):
        value = max(value, 0.97)
        method = "address"
        reasons.append("same address")
    if c.status == "closed":
        value *= 0.9
        reasons.append("outlet is closed")
    return Score(round(min(value, 1.0), 4), None if distance is None else round(distance, 1), reasons, method)


# --- the outlets an organization may see, indexed in memory --------------------------------

TILE = 0.05  # degrees


def _tile(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / TILE), math.floor(lon / TILE)


class OutletIndex:
    """Outlets visible to ``org_id`` (public + its private), loaded by 0.05° tiles on demand."""

    def __init__(self, session: Session, org_id: int | None, *, include_closed: bool = True) -> None:
        self.session = session
        self.org_id = org_id
        self.include_closed = include_closed
        self.tiles: dict[tuple[int, int], list[Place]] = {}
        self.by_id: dict[int, Place] = {}
        self.queries = 0

    def _columns(self) -> list[Any]:
        d = for_bind(self.session)
        return [
            Outlet.id,
            Outlet.name,
            Outlet.banner,
            Outlet.format,
            Outlet.street,
            Outlet.house_number,
            Outlet.postcode,
            Outlet.city,
            Outlet.country,
            d.lat(Outlet.geom).label("lat"),
            d.lon(Outlet.geom).label("lon"),
            Outlet.phone,
            Outlet.org_id,
            Outlet.status,
        ]

    def _load(self, needed: Iterable[tuple[int, int]]) -> None:
        missing = sorted(set(needed) - set(self.tiles))
        if not missing:
            return
        d = for_bind(self.session)
        # One query per run of adjacent tiles in a row of tiles.
        runs: list[tuple[int, int, int]] = []
        for ty, tx in missing:
            if runs and runs[-1][0] == ty and runs[-1][2] == tx - 1:
                runs[-1] = (ty, runs[-1][1], tx)
            else:
                runs.append((ty, tx, tx))
        for ty, tx0, tx1 in runs:
            keys = {(ty, tx) for tx in range(tx0, tx1 + 1)}
            for key in keys:
                self.tiles.setdefault(key, [])
            # A little wider than the tiles: a point on a tile edge is read by both queries and
            # kept by the tile it belongs to (floating-point edges must not lose it).
            e = 1e-7
            box = BBox(tx0 * TILE - e, ty * TILE - e, (tx1 + 1) * TILE + e, (ty + 1) * TILE + e)
            query = select(*self._columns()).where(
                outlet_visibility(self.org_id), d.in_bbox(Outlet.geom, Outlet.id, box)
            )
            if not self.include_closed:
                query = query.where(Outlet.status != "closed")
            self.queries += 1
            for row in self.session.execute(query):
                place = place_of(row)
                key = _tile(place.lat, place.lon)  # type: ignore[arg-type]
                if key in keys:
                    place = self.by_id.setdefault(place.id, place)  # type: ignore[arg-type]
                    self.tiles[key].append(place)

    def add(self, place: Place) -> None:
        if place.id in self.by_id:
            return
        key = _tile(place.lat, place.lon)  # type: ignore[arg-type]
        if key in self.tiles:
            self.tiles[key].append(place)
        self.by_id[place.id] = place  # type: ignore[index]

    def forget(self, outlet_id: int) -> None:
        place = self.by_id.pop(outlet_id, None)
        if place is not None:
            tile = self.tiles.get(_tile(place.lat, place.lon), [])  # type: ignore[arg-type]
            self.tiles[_tile(place.lat, place.lon)] = [p for p in tile if p.id != outlet_id]  # type: ignore[arg-type]

    def near(self, lat: float, lon: float, radius_m: float, limit: int = 150) -> list[tuple[float, Place]]:
        box = BBox.around(lon, lat, radius_m)
        ty0, tx0 = _tile(box.min_lat, box.min_lon)
        ty1, tx1 = _tile(box.max_lat, box.max_lon)
        tiles = [(ty, tx) for ty in range(ty0, ty1 + 1) for tx in range(tx0, tx1 + 1)]
        self._load(tiles)
        found = []
        for key in tiles:
            for place in self.tiles.get(key, ()):
                distance = haversine_m(lon, lat, place.lon, place.lat)  # type: ignore[arg-type]
                if distance <= radius_m:
                    found.append((distance, place))
        found.sort(key=lambda item: (item[0], item[1].id))
        return found[:limit]


def place_of(row: Any) -> Place:
    m = row._mapping
    return Place(
        id=m["id"],
        name=m["name"],
        banner=m["banner"],
        format=m["format"],
        street=m["street"],
        house_number=m["house_number"],
        postcode=m["postcode"],
        city=m["city"],
        country=m["country"],
        lat=float(m["lat"]),
        lon=float(m["lon"]),
        phone=m["phone"],
        org_id=m["org_id"],
        status=m["status"],
        precision="exact",
    )


# --- centroids of postcodes and towns ------------------------------------------------------


class Geocoder:
    """Positions for places without coordinates: the mean position of the public outlets that
    share the postcode (not for CEDEX codes, which are delivery codes), else the town (the one
    in the same département or Leitregion when several towns share a name), else the area
    (the first two digits of the postcode)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.loaded: set[str] = set()
        self.postcodes: dict[tuple[str, str], tuple[float, float, int]] = {}
        self.pairs: dict[tuple[str, str, str], tuple[float, float, int]] = {}
        self.cities: dict[tuple[str, str], list[tuple[str, float, float, int]]] = {}
        self.areas: dict[tuple[str, str], tuple[float, float, int]] = {}

    def _load(self, country: str) -> None:
        if country in self.loaded:
            return
        self.loaded.add(country)
        d = for_bind(self.session)
        lat, lon = d.lat(Outlet.geom), d.lon(Outlet.geom)
        rows = self.session.execute(
            select(Outlet.postcode, Outlet.city, func.avg(lat), func.avg(lon), func.count())
            .where(Outlet.country == country, Outlet.org_id.is_(None), Outlet.postcode.is_not(None))
            .group_by(Outlet.postcode, Outlet.city)
        ).all()
        postcodes: dict[str, list[float]] = {}
        cities: dict[tuple[str, str], list[float]] = {}
        areas: dict[str, list[float]] = {}
        for postcode, city, mean_lat, mean_lon, n in rows:
            self.pairs[(country, postcode, fold(city))] = (float(mean_lat), float(mean_lon), int(n))
            for table, key in ((postcodes, postcode), (areas, postcode[:2]), (cities, (fold(city), postcode[:2]))):
                acc = table.setdefault(key, [0.0, 0.0, 0])  # type: ignore[attr-defined]
                acc[0] += float(mean_lat) * n
                acc[1] += float(mean_lon) * n
                acc[2] += n
        for key, (slat, slon, n) in postcodes.items():
            self.postcodes[(country, key)] = (slat / n, slon / n, int(n))
        for key, (slat, slon, n) in areas.items():
            self.areas[(country, key)] = (slat / n, slon / n, int(n))
        for (city_key, area), (slat, slon, n) in cities.items():
            self.cities.setdefault((country, city_key), []).append((area, slat / n, slon / n, int(n)))

    def locate(self, place: Place) -> tuple[float, float, str] | None:
        """(lat, lon, precision) or None when nothing is known of where the place is."""
        if not place.country:
            return None
        self._load(place.country)
        if place.postcode and not place.cedex:
            hit = self.pairs.get((place.country, place.postcode, fold(place.city)))
            if hit:
                return hit[0], hit[1], "postcode"
            hit = self.postcodes.get((place.country, place.postcode))
            if hit:
                return hit[0], hit[1], "postcode"
        area = place.postcode[:2] if place.postcode else None
        if place.city:
            options = self.cities.get((place.country, fold(place.city)), [])
            if area:
                same_area = [o for o in options if o[0] == area]
                options = same_area or ([] if len({o[0] for o in options}) > 1 else options)
            if options:
                best = max(options, key=lambda o: o[3])
                return best[1], best[2], "city"
        if area:
            hit = self.areas.get((place.country, area))
            if hit:
                return hit[0], hit[1], "area"
        return None


# --- deciding -------------------------------------------------------------------------------


@dataclass
class Decision:
    outcome: str  # matched | ambiguous | new
    outlet_id: int | None
    score: float | None
    method: str | None
    candidates: list[dict[str, Any]]
    precision: str | None


def candidate_json(place: Place, result: Score) -> dict[str, Any]:
    return {
        "outlet_id": place.id,
        "score": result.value,
        "distance_m": result.distance_m,
        "name": place.name,
        "banner": place.banner,
        "street": place.street,
        "house_number": place.house_number,
        "postcode": place.postcode,
        "city": place.city,
        "private": place.org_id is not None,
        "status": place.status,
        "reasons": result.reasons,
    }


class Matcher:
    """Finds and scores the candidates of places against one organization's view of outlets."""

    def __init__(self, session: Session, org_id: int | None, *, index: OutletIndex | None = None) -> None:
        self.index = index or OutletIndex(session, org_id)
        self.geocoder = Geocoder(session)

    def position(self, place: Place) -> None:
        """Give ``place`` a position and precision (its own, or a centroid); unchanged when none."""
        if place.lat is not None and place.lon is not None:
            place.precision = place.precision or "exact"
            return
        located = self.geocoder.locate(place)
        if located:
            place.lat, place.lon, place.precision = located

    def ranked(self, place: Place, *, exclude: set[int] | None = None) -> list[tuple[Place, Score]]:
        if place.lat is None or place.lon is None:
            return []
        radius = RADIUS[place.precision or "exact"]
        results = []
        for _, candidate in self.index.near(place.lat, place.lon, radius):
            if exclude and candidate.id in exclude:
                continue
            results.append((candidate, score(place, candidate)))
        results.sort(key=lambda item: (-item[1].value, item[1].distance_m or 0.0, item[0].id))
        return results

    def decide(self, place: Place, *, exclude: set[int] | None = None) -> Decision:
        self.position(place)
        ranked = self.ranked(place, exclude=exclude)
        shown = [candidate_json(c, s) for c, s in ranked[:5] if s.value >= AMBIGUOUS - 0.1]
        if not ranked or ranked[0][1].value < AMBIGUOUS:
            return Decision("new", None, ranked[0][1].value if ranked else None, None, shown[:3], place.precision)
        best_place, best = ranked[0]
        second = ranked[1][1].value if len(ranked) > 1 else 0.0
        if best.value >= MATCH and best.value - second >= MARGIN:
            return Decision("matched", best_place.id, best.value, best.method, shown[:3], place.precision)
        return Decision("ambiguous", None, best.value, None, shown, place.precision)
