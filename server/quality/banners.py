"""Banner (store brand) normalisation: ``name=Lidl``, ``brand=LIDL``, ``operator=Lidl Vertriebs-GmbH
& Co. KG (Speyer)`` and a customer list's ``LIDL Filiale 123`` are all the banner ``Lidl``.

The known banners are those of the bundled outlet database (``seed_data.chains``), so imported
and generated outlets spell a banner the same way, plus the usual variants people and
OpenStreetMap write. A text is matched word by word after folding (``server.text.fold``): the
longest known banner whose words open the text wins ("E center Müller" is ``E center``,
not ``EDEKA``); failing that, a known banner anywhere in the text ("Hypermarché Cora").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from server.text import fold


@dataclass(frozen=True)
class Banner:
    name: str
    group: str | None
    format: str | None
    countries: frozenset[str]


#: Variants (folded) that do not start with the banner's own words.
ALIASES = {
    "edeka center": "E center",
    "e center": "E center",
    "leclerc": "E.Leclerc",
    "centre leclerc": "E.Leclerc",
    "e leclerc": "E.Leclerc",
    "rewe city": "REWE",
    "rewe center": "REWE",
    "rewe markt": "REWE",
    "penny markt": "PENNY",
    "netto marken discount": "Netto Marken-Discount",
    "dm drogerie": "dm",
    "dm drogeriemarkt": "dm",
    "drogerie markt dm": "dm",
    "dirk rossmann": "Rossmann",
    "mixmarkt": "Mix Markt",
    "aldi sud": "Aldi Süd",
    "aldi nord": "Aldi Nord",
    "intermarche": "Intermarché",
    "hypermarche cora": "Cora",
    "carrefour hypermarche": "Carrefour",
    "magasins u": "Super U",
    "petit casino": "Le Petit Casino",
    "casino supermarche": "Casino Supermarché",
}

#: brand:wikidata values seen in real OpenStreetMap data (see shared/data/real).
WIKIDATA = {"Q151954": "Lidl", "Q217599": "Carrefour"}

#: Banners of other trades that OSM tags as shops next to groceries (fuel-station kiosks).
NON_GROCERY = frozenset({"shell", "aral", "agip", "total", "esso", "jet", "avia", "bp", "star", "omv"})

_GENERIC = frozenset({"markt", "supermarkt", "supermarche", "magasin", "filiale", "store", "shop"})


@functools.lru_cache(maxsize=1)
def known() -> dict[str, Banner]:
    """Folded banner -> Banner, from the bundled chains and the aliases."""
    from seed_data.chains import CHAINS

    banners: dict[str, Banner] = {}
    for chain in CHAINS:
        if not chain.banner:
            continue
        key = fold(chain.banner)
        previous = banners.get(key)
        countries = frozenset({chain.country}) | (previous.countries if previous else frozenset())
        banners[key] = Banner(chain.banner, chain.group, chain.format, countries)
    for alias, target in ALIASES.items():
        base = banners.get(fold(target))
        banners.setdefault(alias, base or Banner(target, None, None, frozenset()))
    return banners


@functools.lru_cache(maxsize=1)
def _by_length() -> list[tuple[list[str], Banner]]:
    entries = [(key.split(), banner) for key, banner in known().items()]
    return sorted(entries, key=lambda e: -len(e[0]))


def lookup(text: str | None, country: str | None = None, *, anywhere: bool = True) -> Banner | None:
    """The known banner a free text names, or None. Prefers the longest banner opening the
    text, then one trading in ``country``; with ``anywhere``, a banner later in the text."""
    words = fold(text).split()
    if not words:
        return None
    matches = [(len(kw), b) for kw, b in _by_length() if words[: len(kw)] == kw]
    if not matches and anywhere:
        for key_words, banner in _by_length():
            n = len(key_words)
            if n == 1 and len(key_words[0]) < 3:
                continue  # "dm", "u": only at the start of a name
            if any(words[i : i + n] == key_words for i in range(1, len(words) - n + 1)):
                matches.append((n, banner))
    if not matches:
        return None
    longest = max(n for n, _ in matches)
    best = [b for n, b in matches if n == longest]
    for banner in best:
        if country is None or not banner.countries or country in banner.countries:
            return banner
    return best[0]


def normalise(
    *,
    brand: str | None = None,
    name: str | None = None,
    operator: str | None = None,
    wikidata: str | None = None,
    country: str | None = None,
) -> str | None:
    """The banner of a store from what a source says about it, best evidence first:
    ``brand:wikidata``, ``brand``, then ``name`` and ``operator``. An unknown ``brand`` is kept
    as written (tidied); an unknown name is not a banner."""
    if wikidata and wikidata.strip() in WIKIDATA:
        return WIKIDATA[wikidata.strip()]
    for text, anywhere in ((brand, True), (name, False), (operator, False)):
        banner = lookup(text, country, anywhere=anywhere)
        if banner is not None:
            return banner.name
    if brand and brand.strip():
        return tidy(brand)
    return None


def tidy(text: str) -> str:
    """An unknown banner as written, with shouting turned down ("TREFF 3000" -> "Treff 3000")."""
    from server.quality.normalise import smart_case

    return smart_case(" ".join(text.split()))[:100]


def format_of(banner: str | None) -> str | None:
    """The usual format of a known banner (Lidl: discount, Cora: hypermarket)."""
    if not banner:
        return None
    entry = known().get(fold(banner))
    return entry.format if entry else None


def compatible(a: str | None, b: str | None) -> bool | None:
    """True: same banner; False: two different known chains; None: cannot tell (one missing,
    or one is the family of the other such as "Aldi" and "Aldi Süd")."""
    if not a or not b:
        return None
    fa, fb = fold(a), fold(b)
    if fa == fb:
        return True
    wa, wb = fa.split(), fb.split()
    shorter, longer = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if longer[: len(shorter)] == shorter:
        return None
    return False


def banner_words(banner: str | None) -> set[str]:
    return set(fold(banner).split()) - _GENERIC if banner else set()
