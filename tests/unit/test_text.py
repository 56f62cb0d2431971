"""Text folding shared by stored search text and user queries."""

import pytest

from server.text import fold, query_terms, search_document


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Straße", "Strasse"),
        ("Hauptstraße", "Hauptstr."),
        ("München", "Muenchen"),
        ("München", "Munchen"),
        ("E.Leclerc", "E Leclerc"),
        ("Saint-Étienne", "St Etienne"),
        ("Intermarché", "INTERMARCHE"),
        ("Œuvre", "oeuvre"),
        ("Boulevard Haussmann", "Bd Haussmann"),
        ("Avenue Foch", "av. foch"),
    ],
)
def test_spelling_variants_fold_to_the_same_words(a: str, b: str) -> None:
    """Variants users type interchangeably fold to identical words."""
    assert fold(a) == fold(b)


def test_folding_keeps_only_plain_words() -> None:
    """The folded text is lower-case ASCII words separated by single spaces."""
    assert fold("  REWE  Markt-Nord, 12a!  ") == "rewe markt nord 12a"
    assert fold(None) == "" and fold("...") == ""


def test_search_document_keeps_each_word_once_in_order() -> None:
    """Stored search text lists each word once, in the order of the parts."""
    assert (
        search_document(["REWE", "REWE City", "Hauptstraße", "80331", "München"]) == "rewe city hauptstr 80331 munchen"
    )


def test_query_terms_are_prefixes_except_single_letters() -> None:
    """Words of two letters or more match as prefixes; a lone letter only as a word."""
    assert query_terms("E Lecl") == [("e", False), ("lecl", True)]


def test_a_half_typed_strasse_still_matches() -> None:
    """'Hauptstra' and 'Hauptstraß' find streets stored as '...str'."""
    assert query_terms("Hauptstra")[0][0] == "hauptstr"
    assert query_terms("Hauptstraß")[0][0] == "hauptstr"
    assert query_terms("Strasbourg")[0][0] == "strasbourg"


def test_query_terms_are_capped() -> None:
    """A long query uses its first eight distinct words."""
    assert len(query_terms(" ".join(f"w{i}" for i in range(30)))) == 8
