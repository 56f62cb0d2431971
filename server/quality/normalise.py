"""Cleaning what people and files write about a store: names, streets, postcodes, cities, phones.

Pure functions (no database). Each returns the cleaned value and, where something was
repaired or thrown away, a note for the import report, so nothing changes silently.

* Street abbreviations are written out ("Hauptstr." -> "Hauptstraße", "Av." -> "Avenue",
  "Bd"/"Bld" -> "Boulevard"); French postal noise is removed ("BP 20219", "B.P. 70059",
  "CS 70148", "TSA 12345", "Cedex 01").
* Postcodes are checked per country; a spreadsheet that dropped a leading zero ("2207" for
  Soissons) gets it back.
* Phone numbers become E.164; an unreadable one is dropped with a note.
* Casing: ALL CAPS or all lower-case names become title case, keeping French and German
  particles lower-case ("LES PAVILLONS SOUS BOIS" -> "Les Pavillons sous Bois").
* :func:`address_key` folds a street and house number for exact comparison
  ("Hauptstr. 12a" = "Haupt-Straße 12 A", "2 av. de l'Europe" = "2 Avenue de l'Europe").
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

import phonenumbers

from server.text import fold_words

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

COUNTRY_NAMES = {
    "de": "DE",
    "deu": "DE",
    "germany": "DE",
    "deutschland": "DE",
    "allemagne": "DE",
    "fr": "FR",
    "fra": "FR",
    "france": "FR",
    "frankreich": "FR",
    "lu": "LU",
    "lux": "LU",
    "luxembourg": "LU",
    "luxemburg": "LU",
    "at": "AT",
    "aut": "AT",
    "austria": "AT",
    "osterreich": "AT",
    "autriche": "AT",
    "ch": "CH",
    "che": "CH",
    "switzerland": "CH",
    "schweiz": "CH",
    "suisse": "CH",
    "be": "BE",
    "bel": "BE",
    "belgium": "BE",
    "belgique": "BE",
    "belgien": "BE",
    "nl": "NL",
    "nld": "NL",
    "netherlands": "NL",
    "niederlande": "NL",
    "pays bas": "NL",
    "mc": "MC",
    "mco": "MC",
    "monaco": "MC",
    "es": "ES",
    "spain": "ES",
    "espagne": "ES",
    "it": "IT",
    "italy": "IT",
    "italie": "IT",
}

#: Postcode patterns after cleaning, and the number of digits a spreadsheet may have cut.
POSTCODES: dict[str, tuple[str, int]] = {
    "DE": (r"\d{5}", 5),
    "FR": (r"\d{5}", 5),
    "MC": (r"980\d{2}", 5),
    "ES": (r"\d{5}", 5),
    "IT": (r"\d{5}", 5),
    "LU": (r"\d{4}", 4),
    "AT": (r"\d{4}", 4),
    "CH": (r"\d{4}", 4),
    "BE": (r"\d{4}", 4),
    "NL": (r"\d{4} ?[A-Z]{2}", 0),
}

_LOWER_PARTICLES = frozenset(
    "de du des la le les lès les-bains sur sous en aux au et d l am an der die das im in und von vom zum zur bei"
    " a à".split()
)

# Postal-delivery noise in French addresses and city fields.
_BP = re.compile(r"\b(?:B\.?\s?P\.?|C\.?\s?S\.?|T\.?\s?S\.?\s?A\.?)\s*\.?\s*(?:N[°o]\s*)?\d{1,6}\b", re.IGNORECASE)
_CEDEX = re.compile(r"\bCEDEX\b(?:\s*\d{1,2})?", re.IGNORECASE)
_SEPARATORS = re.compile(r"^[\s,;\-–/]+|[\s,;\-–/]+$")
_DOUBLE_SEPARATORS = re.compile(r"\s*[,;]\s*[,;]\s*|\s+-\s+-\s+")

# Abbreviations written out for display (word boundary, optional dot).
_STREET_WORDS = [
    (re.compile(r"(?<=\w)str\.?(?=\s|$|\d|,)", re.IGNORECASE), "straße"),
    (re.compile(r"\bStr\.?(?=\s|$|\d|,)"), "Straße"),
    (re.compile(r"\bstr\.?(?=\s|$|\d|,)"), "straße"),
    (re.compile(r"\bAv\.?(?=\s)|\bAve\.?(?=\s)", re.IGNORECASE), "Avenue"),
    (re.compile(r"\b(?:Bd|Bld|Blvd|Boul)\.?(?=\s)", re.IGNORECASE), "Boulevard"),
    (re.compile(r"\bRte\.?(?=\s)", re.IGNORECASE), "Route"),
    (re.compile(r"\bPl\.(?=\s)|\bPl(?=\s)", re.IGNORECASE), "Place"),
    (re.compile(r"\bChem\.?(?=\s)", re.IGNORECASE), "Chemin"),
    (re.compile(r"\bAll\.(?=\s)", re.IGNORECASE), "Allée"),
    (re.compile(r"\bImp\.?(?=\s)", re.IGNORECASE), "Impasse"),
    (re.compile(r"\bFbg\.?(?=\s)", re.IGNORECASE), "Faubourg"),
    (re.compile(r"\bSq\.(?=\s)", re.IGNORECASE), "Square"),
    (re.compile(r"\bQuai\b", re.IGNORECASE), "Quai"),
]

#: Folded street words -> one spelling, for comparison only.
_KEY_WORDS = {
    "av": "av",
    "ave": "av",
    "avenue": "av",
    "bd": "bd",
    "bld": "bd",
    "blvd": "bd",
    "boul": "bd",
    "boulevard": "bd",
    "rte": "rte",
    "route": "rte",
    "r": "ru",
    "rue": "ru",
    "pl": "pl",
    "place": "pl",
    "platz": "pl",
    "ch": "chemin",
    "chem": "chemin",
    "all": "allee",
    "imp": "impasse",
    "fbg": "faubourg",
    "sq": "square",
    "st": "st",
    "ste": "ste",
    "rn": "rn",
    "rd": "rd",
    "cd": "rd",
    "n": "rn",
}
_KEY_STOP = frozenset({"de", "la", "le", "les", "du", "des", "d", "l", "a", "au", "aux", "et", "am", "im", "an"})
#: Kinds of places that many addresses share and that tell nothing apart.
_KEY_GENERIC = frozenset(
    {"centre", "center", "commercial", "cc", "ccial", "zone", "za", "zi", "zac", "zal", "parc", "lieu", "dit"}
    | {"industrielle", "artisanale", "activites", "gewerbegebiet", "einkaufszentrum", "ortsteil"}
)
_NUMBER = re.compile(r"^\d{1,5}(?:\s?[a-zA-Z](?![a-zA-Z]))?(?:\s?(?:-|bis|ter)\s?\d{0,5}[a-zA-Z]?)?")
_NUMBER_AT_END = re.compile(r"\s(\d{1,5}(?:\s?[a-zA-Z])?(?:\s?-\s?\d{1,5}[a-zA-Z]?)?)$")
_NUMBER_AT_START = re.compile(r"^(\d{1,5}(?:\s?(?:bis|ter|[a-zA-Z])(?![a-zA-Z]))?(?:\s?-\s?\d{1,5})?)[\s,]+(?=\D)")


def clean_text(value: Any, limit: int | None = None) -> str | None:
    """Trimmed text with single spaces and no control characters; None when empty."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _CONTROL.sub(" ", str(value))
    text = unicodedata.normalize("NFC", _SPACES.sub(" ", text).strip())
    if not text or text.lower() in {"nan", "none", "null", "n/a", "-"}:
        return None
    return text[:limit] if limit else text


def smart_case(text: str | None) -> str | None:
    """Title case for text written all in capitals or all in lower case; other text as is."""
    if not text:
        return text
    letters = [c for c in text if c.isalpha()]
    if not letters or not (all(c.isupper() for c in letters) or all(c.islower() for c in letters)):
        return text
    if len(letters) <= 3 and all(c.isupper() for c in letters):
        return text  # "DM", "BP", "U": an acronym

    def word(index: int, w: str) -> str:
        low = w.lower()
        if index > 0 and low in _LOWER_PARTICLES:
            return low
        if "'" in w or "’" in w:
            head, _, tail = low.replace("’", "'").partition("'")
            if head in ("d", "l") and tail:
                return (head if index else head.upper()) + "'" + tail[:1].upper() + tail[1:]
        return "-".join(p[:1].upper() + p[1:] for p in low.split("-"))

    return " ".join(word(i, w) for i, w in enumerate(text.split(" ")))


def normalise_country(value: Any, default: str | None = None) -> str | None:
    text = clean_text(value)
    if not text:
        return default
    key = " ".join(fold_words(text))
    if key in COUNTRY_NAMES:
        return COUNTRY_NAMES[key]
    if re.fullmatch(r"[A-Za-z]{2}", text):
        return text.upper()
    return default


def strip_postal_noise(text: str | None) -> tuple[str | None, list[str]]:
    """Remove "BP 123", "CS 70148", "TSA 1234" and "Cedex" from an address or city."""
    if not text:
        return text, []
    removed = [m.group(0).strip() for m in _BP.finditer(text)] + [m.group(0).strip() for m in _CEDEX.finditer(text)]
    if not removed:
        return text, []
    cleaned = _CEDEX.sub(" ", _BP.sub(" ", text))
    cleaned = _DOUBLE_SEPARATORS.sub(", ", cleaned)
    cleaned = _SEPARATORS.sub("", _SPACES.sub(" ", cleaned)).strip()
    cleaned = re.sub(r"\s+([,;])", r"\1", cleaned)
    return (cleaned or None), [f"removed postal noise '{r}'" for r in removed]


def expand_street(street: str | None) -> str | None:
    """Abbreviated street words written out: "Hauptstr." -> "Hauptstraße", "Av. Foch" -> "Avenue Foch"."""
    if not street:
        return street
    text = street
    for pattern, replacement in _STREET_WORDS:
        text = pattern.sub(replacement, text)
    return _SPACES.sub(" ", text).strip()


def split_street(address: str | None, country: str | None = None) -> tuple[str | None, str | None]:
    """(street, house number) from a one-line address: "12 rue de la Paix" (number first, as in
    France) or "Hauptstraße 12a" (number last, as in Germany)."""
    if not address:
        return None, None
    text = address.strip().strip(",")
    start = _NUMBER_AT_START.match(text)
    end = _NUMBER_AT_END.search(text)
    if start and (country != "DE" or not end):
        number = start.group(1)
        return text[start.end() :].strip(" ,") or None, _tidy_number(number)
    if end:
        return text[: end.start()].strip(" ,") or None, _tidy_number(end.group(1))
    # "1115, avenue de la Libération" and "Rue X, 12": a number alone around a comma.
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 2 and re.fullmatch(r"\d{1,5}[a-zA-Z]?", parts[0]):
        return parts[1] or None, _tidy_number(parts[0])
    if len(parts) == 2 and re.fullmatch(r"\d{1,5}[a-zA-Z]?", parts[1]):
        return parts[0] or None, _tidy_number(parts[1])
    return text, None


def _tidy_number(number: str | None) -> str | None:
    if not number:
        return None
    return re.sub(r"\s+", "", number).lower().replace("bis", " bis").replace("ter", " ter").strip()


def house_number_key(number: str | None) -> str | None:
    """The first number of a house number with its letter: "15-17" -> "15", "12 A" -> "12a"."""
    if not number:
        return None
    match = re.match(r"\s*(\d{1,5})\s*([a-zA-Z](?![a-zA-Z]))?", number)
    if not match:
        return None
    return match.group(1).lstrip("0") + (match.group(2) or "").lower()


def street_key(street: str | None, *, generic: bool = False) -> str:
    """Folded street for comparison: abbreviations and German "-straße" spellings unified;
    without words such as "zone commerciale" unless ``generic``."""
    words: list[str] = []
    for w in fold_words(street):
        w = _KEY_WORDS.get(w, w)
        if w in _KEY_STOP or (not generic and w in _KEY_GENERIC):
            continue
        if w == "str" and words:
            words[-1] += "str"  # "Haupt Straße" = "Hauptstraße"
            continue
        words.append(w)
    return " ".join(words)


def address_key(street: str | None, number: str | None) -> str | None:
    key = street_key(street, generic=True)
    if not key:
        return None
    return f"{key}|{house_number_key(number) or ''}"


def normalise_postcode(value: Any, country: str | None) -> tuple[str | None, str | None]:
    """A postcode checked against its country; a dropped leading zero is put back.

    :returns: (postcode or None, a note when it was repaired or refused)
    """
    if value is None:
        return None, None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None, None
        value = int(value)
    text = clean_text(value)
    if not text:
        return None, None
    text = text.upper()
    text = re.sub(r"^(?:[A-Z]{1,2}-)", "", text)  # "D-80331", "F-67000", "L-1009"
    rule = POSTCODES.get(country or "")
    if rule is None:
        return text[:12], None
    pattern, digits = rule
    compact = text.replace(" ", "") if country != "NL" else text
    if re.fullmatch(pattern, compact):
        return compact, None
    if digits and compact.isdigit() and len(compact) == digits - 1:
        fixed = "0" + compact
        if re.fullmatch(pattern, fixed):
            return fixed, f"postcode {text} had lost its leading zero: {fixed}"
    return None, f"'{text}' is not a postcode of {country}"


def clean_city(value: Any) -> tuple[str | None, bool, list[str]]:
    """(city, is a CEDEX address, notes): "Alès Cedex" -> ("Alès", True), "PUBLIER" -> "Publier"."""
    text = clean_text(value, 120)
    if not text:
        return None, False, []
    cleaned, notes = strip_postal_noise(text)
    cedex = bool(_CEDEX.search(text))
    cleaned = re.sub(r"\s+\d{1,2}$", "", cleaned or "").strip() or None  # "Metz Cedex 3" leftovers
    return smart_case(cleaned), cedex, notes


def phone_e164(value: Any, country: str | None) -> tuple[str | None, str | None]:
    """(E.164 number or None, a note when the value could not be read)."""
    if value is None:
        return None, None
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    text = clean_text(value)
    if not text:
        return None, None
    if re.fullmatch(r"\d{9}", text) and country == "FR":
        text = "0" + text  # a spreadsheet dropped the trunk zero
    try:
        number = phonenumbers.parse(text, (country or "DE").upper())
    except phonenumbers.NumberParseException:
        return None, f"'{text}' is not a phone number"
    if not phonenumbers.is_valid_number(number):
        return None, f"'{text}' is not a valid phone number"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def parse_coordinate(value: Any) -> float | None:
    """A decimal degree from a number or a text with a decimal point or comma; None when not one."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = clean_text(value)
        if not text:
            return None
        text = text.replace(" ", "")
        if re.fullmatch(r"-?\d+,\d+", text):
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


#: Rough boxes of the countries the bundled data covers: a position far outside is a typo.
COUNTRY_BOXES = {
    "DE": (5.8, 47.2, 15.1, 55.1),
    "FR": (-5.3, 41.3, 9.7, 51.2),
    "LU": (5.7, 49.4, 6.6, 50.2),
    "MC": (7.40, 43.72, 7.45, 43.76),
}


def check_position(
    lat: float | None, lon: float | None, country: str | None
) -> tuple[float | None, float | None, str | None]:
    """A usable (lat, lon), or (None, None) and why: 0,0 (a common placeholder), out of range,
    or swapped latitude and longitude (repaired when the swap lands in the country)."""
    if lat is None or lon is None:
        return None, None, None
    if abs(lat) < 1e-6 and abs(lon) < 1e-6:
        return None, None, "coordinates 0,0 are a placeholder; ignored"
    box = COUNTRY_BOXES.get(country or "")

    def inside(la: float, lo: float) -> bool:
        return box is None or (box[0] <= lo <= box[2] and box[1] <= la <= box[3])

    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        if -90 <= lon <= 90 and -180 <= lat <= 180 and inside(lon, lat):
            return lon, lat, "latitude and longitude were swapped"
        return None, None, f"coordinates {lat},{lon} are out of range; ignored"
    if not inside(lat, lon):
        if inside(lon, lat):
            return lon, lat, "latitude and longitude were swapped"
        return None, None, f"coordinates {lat},{lon} are outside {country}; ignored"
    return lat, lon, None
