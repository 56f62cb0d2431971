"""Opening hours in OpenStreetMap ``opening_hours`` syntax that follow real conventions.

Germany: shops close on Sundays and public holidays (Ladenöffnungsgesetze); filling-
station shops (REWE To Go) and some kiosks/Spätis in Berlin and Nordrhein-Westfalen
are the exceptions. Bayern and the Saarland still make shops close at 20:00 Monday to
Saturday; elsewhere big-city supermarkets stay open until 22:00, in Berlin, Hamburg and
NRW sometimes until midnight.

France: super- and hypermarkets commonly open Sunday morning; city convenience stores
open late and on Sunday morning; village shops close at lunchtime (and often on
Monday); hypermarkets run Monday to Saturday 08:30-21:00/22:00.

Every value produced here parses with the ``opening_hours`` package (tested).
"""

from __future__ import annotations

import random

from seed_data.places import Town

_DE_CLOSED = "; Su,PH off"
# States whose shop-hours law ends Monday-Saturday trading at 20:00.
_DE_CLOSE_AT_20 = {"DE-BY", "DE-SL"}
# Where supermarkets in cities may open until midnight.
_DE_LATE = {"DE-BE", "DE-NW", "DE-HH"}

# Each profile: size class -> [(weight, weekday rule)], for Germany without the Sunday
# part (added below) and with a separate list for the 20:00 states.
_DE: dict[str, dict[str, list[tuple[int, str]]]] = {
    "de_super": {
        "city": [(40, "Mo-Sa 07:00-22:00"), (20, "Mo-Sa 07:00-21:00"), (15, "Mo-Sa 08:00-22:00"),
                 (10, "Mo-Sa 07:00-20:00"), (8, "Mo-Sa 07:00-23:00"), (7, "Mo-Sa 07:00-24:00")],
        "town": [(35, "Mo-Sa 07:00-21:00"), (30, "Mo-Sa 07:00-22:00"), (20, "Mo-Sa 07:00-20:00"),
                 (15, "Mo-Sa 08:00-21:00")],
        "rural": [(45, "Mo-Sa 07:00-20:00"), (25, "Mo-Sa 08:00-20:00"),
                  (15, "Mo-Fr 07:00-20:00; Sa 07:00-18:00"), (15, "Mo-Sa 07:00-21:00")],
        "by20": [(60, "Mo-Sa 07:00-20:00"), (25, "Mo-Sa 08:00-20:00"),
                 (15, "Mo-Fr 07:00-20:00; Sa 07:00-18:00")],
    },
    "de_hyper": {
        "city": [(60, "Mo-Sa 07:00-22:00"), (25, "Mo-Sa 08:00-22:00"), (15, "Mo-Sa 07:00-21:00")],
        "town": [(50, "Mo-Sa 07:00-22:00"), (35, "Mo-Sa 07:00-21:00"), (15, "Mo-Sa 08:00-21:00")],
        "rural": [(50, "Mo-Sa 07:00-21:00"), (50, "Mo-Sa 07:00-20:00")],
        "by20": [(75, "Mo-Sa 07:00-20:00"), (25, "Mo-Sa 08:00-20:00")],
    },
    "de_discount": {
        "city": [(40, "Mo-Sa 07:00-21:00"), (30, "Mo-Sa 07:00-22:00"), (15, "Mo-Sa 08:00-21:00"),
                 (15, "Mo-Sa 07:00-20:00")],
        "town": [(45, "Mo-Sa 07:00-20:00"), (35, "Mo-Sa 07:00-21:00"), (20, "Mo-Sa 08:00-20:00")],
        "rural": [(60, "Mo-Sa 07:00-20:00"), (40, "Mo-Sa 08:00-20:00")],
        "by20": [(70, "Mo-Sa 07:00-20:00"), (30, "Mo-Sa 08:00-20:00")],
    },
    "de_drug": {
        "city": [(45, "Mo-Sa 08:00-20:00"), (30, "Mo-Sa 09:00-20:00"), (15, "Mo-Sa 08:00-21:00"),
                 (10, "Mo-Sa 09:00-21:00")],
        "town": [(60, "Mo-Sa 08:00-20:00"), (25, "Mo-Fr 08:00-20:00; Sa 08:00-18:00"),
                 (15, "Mo-Sa 09:00-20:00")],
        "rural": [(40, "Mo-Fr 08:00-19:00; Sa 08:00-16:00"), (35, "Mo-Sa 08:00-20:00"),
                  (25, "Mo-Fr 08:30-19:00; Sa 08:30-14:00")],
        "by20": [(55, "Mo-Sa 08:00-20:00"), (30, "Mo-Sa 09:00-20:00"),
                 (15, "Mo-Fr 08:00-19:00; Sa 08:00-16:00")],
    },
    "de_bio": {
        "city": [(50, "Mo-Sa 08:00-20:00"), (30, "Mo-Sa 09:00-20:00"), (20, "Mo-Sa 08:00-21:00")],
        "town": [(60, "Mo-Sa 08:00-20:00"), (40, "Mo-Fr 08:00-20:00; Sa 08:00-18:00")],
        "rural": [(60, "Mo-Fr 08:30-19:00; Sa 08:30-16:00"), (40, "Mo-Sa 08:00-20:00")],
        "by20": [(65, "Mo-Sa 08:00-20:00"), (35, "Mo-Sa 09:00-20:00")],
    },
    "de_cc": {
        "city": [(60, "Mo-Fr 06:00-22:00; Sa 06:00-20:00"), (40, "Mo-Fr 07:00-20:00; Sa 07:00-18:00")],
        "town": [(60, "Mo-Fr 06:00-22:00; Sa 06:00-20:00"), (40, "Mo-Fr 07:00-20:00; Sa 07:00-18:00")],
        "rural": [(100, "Mo-Fr 07:00-20:00; Sa 07:00-18:00")],
        "by20": [(60, "Mo-Fr 06:00-20:00; Sa 06:00-18:00"), (40, "Mo-Fr 07:00-20:00; Sa 07:00-16:00")],
    },
    "de_village": {
        "city": [(60, "Mo-Sa 07:00-21:00"), (40, "Mo-Sa 07:00-20:00")],
        "town": [(60, "Mo-Sa 07:00-20:00"), (40, "Mo-Fr 07:00-19:00; Sa 07:00-16:00")],
        "rural": [(35, "Mo-Fr 07:00-19:00; Sa 07:00-14:00"), (35, "Mo-Sa 07:00-20:00"),
                  (30, "Mo-Fr 07:00-12:30,14:30-18:30; Sa 07:00-13:00")],
        "by20": [(45, "Mo-Sa 07:00-20:00"), (30, "Mo-Fr 07:00-19:00; Sa 07:00-14:00"),
                 (25, "Mo-Fr 07:00-12:30,14:30-18:30; Sa 07:00-13:00")],
    },
    "de_village_shop": {
        "city": [(100, "Mo-Fr 07:00-18:30; Sa 07:00-13:00")],
        "town": [(100, "Mo-Fr 07:00-18:30; Sa 07:00-13:00")],
        "rural": [(40, "Mo-Fr 07:00-12:30,14:30-18:00; Sa 07:00-12:00"),
                  (35, "Mo-Sa 07:00-12:00; Tu,Th,Fr 07:00-12:00,15:00-18:00"),
                  (25, "Mo-Fr 07:30-18:00; Sa 07:30-12:30")],
        "by20": [(40, "Mo-Fr 07:00-12:30,14:30-18:00; Sa 07:00-12:00"),
                 (35, "Mo-Sa 07:00-12:00; Tu,Th,Fr 07:00-12:00,15:00-18:00"),
                 (25, "Mo-Fr 07:30-18:00; Sa 07:30-12:30")],
    },
    "de_grocer": {
        "city": [(40, "Mo-Sa 08:00-21:00"), (35, "Mo-Sa 08:00-20:00"), (25, "Mo-Sa 07:00-22:00")],
        "town": [(60, "Mo-Sa 08:00-20:00"), (40, "Mo-Fr 08:00-19:00; Sa 08:00-16:00")],
        "rural": [(100, "Mo-Fr 08:00-19:00; Sa 08:00-16:00")],
        "by20": [(70, "Mo-Sa 08:00-20:00"), (30, "Mo-Fr 08:00-19:00; Sa 08:00-16:00")],
    },
    "de_kiosk": {
        "city": [(40, "Mo-Sa 07:00-22:00"), (30, "Mo-Fr 06:00-20:00; Sa 07:00-18:00"),
                 (30, "Mo-Sa 08:00-23:00")],
        "town": [(60, "Mo-Fr 06:00-19:00; Sa 07:00-14:00"), (40, "Mo-Sa 07:00-20:00")],
        "rural": [(100, "Mo-Fr 06:00-18:00; Sa 07:00-13:00")],
        "by20": [(60, "Mo-Fr 06:00-19:00; Sa 07:00-14:00"), (40, "Mo-Sa 07:00-20:00")],
    },
}

# Outlets legally open on Sundays in Germany: filling-station shops, and the Spätis /
# Trinkhallen of Berlin and NRW (newspapers, drinks, "Reisebedarf").
_DE_TOGO = [(45, "24/7"), (35, "Mo-Su 06:00-22:00"), (20, "Mo-Sa 06:00-22:00; Su 07:00-22:00")]
_DE_SPAETI = [(40, "Mo-Su 10:00-02:00"), (35, "Mo-Sa 08:00-24:00; Su 10:00-22:00"),
              (25, "Mo-Sa 06:00-22:00; Su 08:00-20:00")]

_FR: dict[str, dict[str, list[tuple[int, str]]]] = {
    "fr_hyper": {
        "city": [(35, "Mo-Sa 08:30-22:00"), (30, "Mo-Sa 08:30-21:00"),
                 (20, "Mo-Sa 08:30-21:30; Su 09:00-12:30"), (15, "Mo-Sa 09:00-21:00")],
        "town": [(50, "Mo-Sa 08:30-21:00"), (25, "Mo-Sa 08:30-20:30"), (15, "Mo-Sa 09:00-21:00"),
                 (10, "Mo-Sa 08:30-21:00; Su 09:00-12:30")],
        "rural": [(60, "Mo-Sa 08:30-20:30"), (40, "Mo-Sa 08:30-20:00")],
    },
    "fr_super": {
        "city": [(40, "Mo-Sa 08:00-21:00; Su 09:00-13:00"), (30, "Mo-Sa 08:30-20:30"),
                 (30, "Mo-Sa 08:30-20:00; Su 09:00-12:30")],
        "town": [(45, "Mo-Sa 08:30-20:00; Su 09:00-12:30"), (35, "Mo-Sa 08:30-19:30"),
                 (20, "Mo-Sa 08:30-20:00")],
        "rural": [(45, "Mo-Sa 08:30-19:30"), (35, "Mo-Sa 08:30-19:30; Su 09:00-12:30"),
                  (20, "Mo-Sa 08:30-12:30,14:30-19:30; Su 09:00-12:30")],
    },
    "fr_rural_super": {
        "city": [(60, "Mo-Sa 08:00-20:00; Su 09:00-12:30"), (40, "Mo-Sa 08:30-20:00")],
        "town": [(55, "Mo-Sa 08:30-19:30; Su 09:00-12:30"), (45, "Mo-Sa 08:30-19:30")],
        "rural": [(45, "Mo-Sa 08:30-12:30,14:30-19:30; Su 09:00-12:30"),
                  (35, "Mo-Sa 08:30-19:30; Su 09:00-12:30"), (20, "Mo-Sa 08:30-19:30")],
    },
    "fr_city": {
        "city": [(35, "Mo-Sa 07:00-22:00; Su 09:00-13:00"), (30, "Mo-Sa 08:00-21:00; Su 09:00-13:00"),
                 (20, "Mo-Sa 08:00-22:00; Su 09:00-20:00"), (15, "Mo-Su 07:00-23:00")],
        "town": [(50, "Mo-Sa 07:30-21:00; Su 08:30-13:00"), (30, "Mo-Sa 08:00-20:30; Su 09:00-12:30"),
                 (20, "Mo-Sa 08:00-20:00")],
        "rural": [(60, "Mo-Sa 08:00-20:00; Su 08:30-12:30"),
                  (40, "Mo-Sa 08:00-12:30,15:00-19:30; Su 08:30-12:30")],
    },
    "fr_city_indie": {
        "city": [(40, "Mo-Su 08:00-23:00"), (35, "Mo-Sa 08:00-22:00; Su 09:00-14:00"),
                 (25, "Mo-Su 09:00-01:00")],
        "town": [(60, "Mo-Sa 08:00-21:00; Su 09:00-13:00"), (40, "Mo-Su 08:00-22:00")],
        "rural": [(100, "Mo-Sa 08:00-12:30,15:00-20:00; Su 08:30-12:30")],
    },
    "fr_rural": {
        "city": [(50, "Mo-Sa 08:00-21:00; Su 09:00-13:00"), (50, "Mo-Sa 08:00-20:00; Su 08:30-12:30")],
        "town": [(40, "Mo-Sa 08:00-20:00; Su 08:30-12:30"),
                 (35, "Mo-Sa 08:00-12:30,15:00-19:30; Su 08:30-12:30"),
                 (25, "Mo-Sa 08:00-19:30")],
        "rural": [(35, "Mo-Sa 08:00-12:30,15:00-19:30; Su 08:30-12:30"),
                  (25, "Tu-Sa 08:00-12:30,15:30-19:00; Su 08:00-12:30"),
                  (20, "Mo-Fr 08:00-12:30,15:00-19:30; Sa 08:00-12:30"),
                  (20, "Mo-Sa 07:30-12:30,15:00-19:00; Su 08:00-12:00")],
    },
    "fr_discount": {
        "city": [(45, "Mo-Sa 08:30-20:00"), (30, "Mo-Sa 08:00-20:30"), (25, "Mo-Sa 08:30-20:00; Su 09:00-12:30")],
        "town": [(55, "Mo-Sa 08:30-19:30"), (30, "Mo-Sa 08:30-20:00"), (15, "Mo-Sa 08:30-19:30; Su 09:00-12:30")],
        "rural": [(70, "Mo-Sa 08:30-19:30"), (30, "Mo-Sa 09:00-19:00")],
    },
    "fr_monoprix": {
        "city": [(45, "Mo-Sa 08:30-21:00; Su 09:30-13:00"), (35, "Mo-Sa 08:00-22:00; Su 09:00-13:00"),
                 (20, "Mo-Sa 08:30-20:30")],
        "town": [(60, "Mo-Sa 08:30-20:00; Su 09:00-12:30"), (40, "Mo-Sa 09:00-19:30")],
        "rural": [(100, "Mo-Sa 09:00-19:30")],
    },
    "fr_frozen": {
        "city": [(50, "Mo-Sa 09:00-20:00; Su 09:30-13:00"), (50, "Mo-Sa 09:00-19:30")],
        "town": [(60, "Mo-Sa 09:00-19:30"), (40, "Mo 14:30-19:30; Tu-Sa 09:30-12:30,14:30-19:30")],
        "rural": [(100, "Mo 14:30-19:30; Tu-Sa 09:30-12:30,14:30-19:30")],
    },
    "fr_bio": {
        "city": [(40, "Mo-Sa 09:00-20:00"), (30, "Mo-Sa 09:00-20:30; Su 09:30-13:00"), (30, "Mo-Sa 09:30-19:30")],
        "town": [(50, "Mo-Sa 09:00-19:30"), (50, "Mo 14:00-19:30; Tu-Sa 09:30-19:30")],
        "rural": [(100, "Tu-Sa 09:00-12:30,14:30-19:00")],
    },
    "fr_grandfrais": {
        "city": [(60, "Mo-Sa 08:30-19:30; Su 08:30-12:30"), (40, "Mo-Sa 09:00-19:30; Su 09:00-12:30")],
        "town": [(60, "Mo-Sa 08:30-19:30; Su 08:30-12:30"), (40, "Mo-Sa 08:30-20:00")],
        "rural": [(100, "Mo-Sa 08:30-19:30")],
    },
    "fr_cc": {
        "city": [(60, "Mo-Sa 06:00-20:00"), (40, "Mo-Fr 06:00-21:00; Sa 07:00-19:00")],
        "town": [(60, "Mo-Fr 07:00-19:00; Sa 08:00-12:00"), (40, "Mo-Sa 06:30-19:00")],
        "rural": [(100, "Mo-Fr 07:00-19:00; Sa 08:00-12:00")],
    },
}

#: Share of outlets (percent) whose hours are unknown, per profile kind.
_UNKNOWN = {"de_kiosk": 25, "de_grocer": 15, "de_village_shop": 10, "fr_city_indie": 25}


def _pick(options: list[tuple[int, str]], rng: random.Random) -> str:
    total = sum(w for w, _ in options)
    r = rng.randrange(total)
    for weight, value in options:
        if r < weight:
            return value
        r -= weight
    raise AssertionError("unreachable")


def _size(town: Town) -> str:
    if town.city_population >= 100_000:
        return "city"
    if town.city_population >= 15_000:
        return "town"
    return "rural"


def opening_hours(profile: str, town: Town, rng: random.Random) -> str | None:
    """An ``opening_hours`` value for an outlet of this profile in ``town`` (None: unknown)."""
    unknown = _UNKNOWN.get(profile, 4)
    if rng.randrange(100) < unknown:
        return None
    size = _size(town)
    if town.country == "FR":
        return _pick(_FR[profile][size], rng)
    if profile == "de_togo":
        return _pick(_DE_TOGO, rng)
    if profile == "de_kiosk" and town.region_code in ("DE-BE", "DE-NW") and size == "city" \
            and rng.randrange(100) < 45:
        return _pick(_DE_SPAETI, rng)
    table = _DE[profile]
    if town.region_code in _DE_CLOSE_AT_20:
        weekdays = _pick(table["by20"], rng)
    else:
        weekdays = _pick(table[size], rng)
        if town.region_code not in _DE_LATE:
            # Past 22:00 only where big-city supermarkets really stay open that late.
            weekdays = weekdays.replace("-24:00", "-22:00").replace("-23:00", "-22:00")
    return weekdays + _DE_CLOSED
