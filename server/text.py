"""Text folding for search: the same function prepares stored text and user queries.

Search must not care how a rep types: "Strasse"/"Straße"/"Str.", "Muenchen"/"München"/
"Munchen", "E Leclerc"/"E.Leclerc", "St Etienne"/"Saint-Étienne" must all meet. Rather
than teaching two databases' text search about German and French, both sides are
folded here to plain ``[a-z0-9]`` words, and the databases only match words:

1. lower case, ``ß``→``ss``, ``æ``→``ae``, ``œ``→``oe``, accents dropped (``é``→``e``, ``ü``→``u``);
2. the German transliterations ``ae``/``oe``/``ue`` folded to ``a``/``o``/``u``, so that
   "Muenchen" and "München" both become ``munchen`` (harmless over-matching such as
   "rue"→``ru`` happens on both sides alike);
3. punctuation becomes a word break ("E.Leclerc" → ``e leclerc``);
4. a few street and place words are abbreviated: ``...strasse``/``...str`` → ``...str``,
   ``saint``→``st``, ``sainte``→``ste``, ``avenue``→``av``, ``boulevard``→``bd``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_SPECIAL = str.maketrans(
    {"ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d"}
)
_NON_WORD = re.compile(r"[^a-z0-9]+")
_WORDS = {"saint": "st", "sainte": "ste", "avenue": "av", "boulevard": "bd", "strasse": "str"}
_MAX_QUERY_WORDS = 8
_STOPWORDS = frozenset(
    {
        "de",
        "la",
        "le",
        "les",
        "du",
        "des",
        "d",
        "l",
        "a",
        "au",
        "aux",
        "et",
        "en",
        "sur",
        "der",
        "die",
        "das",
        "am",
        "an",
        "im",
        "in",
        "zum",
        "zur",
        "und",
        "von",
        "vom",
        "bei",
    }
)
_PARTIAL_STRASSE = re.compile(r"(?<=.)stra(?:s{1,2})?$")


def _fold_word(word: str) -> str:
    if word in _WORDS:
        return _WORDS[word]
    if word.endswith("strasse"):
        word = word[: -len("strasse")] + "str"
    return word.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def fold_words(value: str | None) -> list[str]:
    """The folded words of ``value`` (see the module docstring)."""
    if not value:
        return []
    text = unicodedata.normalize("NFKD", value.translate(_SPECIAL))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return [_fold_word(w) for w in _NON_WORD.split(text) if w]


def fold(value: str | None) -> str:
    """``value`` folded to space-separated search words."""
    return " ".join(fold_words(value))


def search_document(parts: Iterable[str | None]) -> str:
    """The stored search text of a record: its folded parts, each word once, in order."""
    seen: dict[str, None] = {}
    for part in parts:
        for word in fold_words(part):
            seen.setdefault(word, None)
    return " ".join(seen)


def query_terms(query: str) -> list[tuple[str, bool]]:
    """Words of a user query as ``(word, prefix)``: every word of two or more
    characters matches as a prefix (type-ahead), a single letter only as a word.

    At most eight words are used; more add nothing but cost.
    """
    # A half-typed "...straß"/"...stras" must still find "...straße" (stored as "...str").
    words = [_PARTIAL_STRASSE.sub("str", w) for w in fold_words(query)]
    words = list(dict.fromkeys(words))
    # Articles and prepositions ("rue de la ...", "Straße am ...") match most outlets and
    # narrow nothing; they count only when they are all there is.
    meaningful = [w for w in words if w not in _STOPWORDS]
    words = (meaningful or words)[:_MAX_QUERY_WORDS]
    return [(w, len(w) >= 2) for w in words]
