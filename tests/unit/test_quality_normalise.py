"""Cleaning customer-list values, banner normalisation, reading tables, and the matcher's scoring."""

from __future__ import annotations

import io

import pytest

from server.errors import Problem
from server.quality import banners
from server.quality.matching import Place, score
from server.quality.normalise import (
    address_key,
    check_position,
    clean_city,
    expand_street,
    normalise_country,
    normalise_postcode,
    phone_e164,
    smart_case,
    split_street,
    strip_postal_noise,
)
from server.quality.tables import read_table, suggest_columns


@pytest.mark.parametrize(
    ("raw", "street", "number"),
    [
        ("Quai du mas d'hours BP 20219", "Quai du mas d'hours", None),
        ("1115, avenue de la Libération BP 34", "avenue de la Libération", "1115"),
        ("10 bd de la Solidarité - BP 85010", "bd de la Solidarité", "10"),
        ("Route du Rhin CS 70148", "Route du Rhin", None),
        ("BP 90088 Avenue de l'Europe", "Avenue de l'Europe", None),
        ("Route de Vendôme Villebarou - b.p.3417", "Route de Vendôme Villebarou", None),
        ("Hauptstr. 12a", "Hauptstr.", "12a"),
        ("2-20, allée de l'Est", "allée de l'Est", "2-20"),
    ],
)
def test_postal_noise_goes_and_the_house_number_is_found(raw: str, street: str, number: str | None) -> None:
    """BP/CS/TSA boxes are removed (with a note); the number is found first (FR) or last (DE)."""
    cleaned, notes = strip_postal_noise(raw)
    assert split_street(cleaned, "DE" if "str" in raw else "FR") == (street, number)
    assert bool(notes) == any(w in raw.upper() for w in ("BP", "B.P", "CS "))


def test_street_abbreviations_are_written_out_and_compare_equal() -> None:
    """ "Str."/"Straße", "Av."/"Avenue", "Bd"/"Boulevard" are one street; numbers 12a = 12 A."""
    assert expand_street("Hauptstr.") == "Hauptstraße"
    assert expand_street("Av. de Saulxures") == "Avenue de Saulxures"
    assert expand_street("Bld de Normandie") == "Boulevard de Normandie"
    assert address_key("Hauptstr.", "12a") == address_key("Haupt Straße", "12 A") == address_key("Hauptstraße", "12a")
    assert address_key("2 av. de l'Europe", None) == address_key("2 Avenue de l'Europe", None)
    assert address_key("Bahnhofsplatz", "15-17") == address_key("Bahnhofsplatz", "15")


def test_postcodes_cities_phones_and_casing() -> None:
    """Leading zeros come back, CEDEX goes, phones become E.164, capitals are turned down."""
    assert normalise_postcode("2207", "FR") == ("02207", "postcode 2207 had lost its leading zero: 02207")
    assert normalise_postcode(1067.0, "DE")[0] == "01067"
    assert normalise_postcode("D-80331", "DE") == ("80331", None)
    assert normalise_postcode("ABC", "DE")[0] is None
    assert clean_city("Vendin le Vieil Cedex 01")[:2] == ("Vendin le Vieil", True)
    assert clean_city("LES PAVILLONS SOUS BOIS")[:2] == ("Les Pavillons sous Bois", False)
    assert phone_e164("089 21 21 21", "DE") == ("+4989212121", None)
    assert phone_e164("0388 41 76 86", "FR")[0] == "+33388417686"
    assert phone_e164("12", "DE")[0] is None
    assert smart_case("MARNE LA VALLEE") == "Marne la Vallee"
    assert smart_case("Aldi Süd") == "Aldi Süd"
    assert normalise_country("Deutschland") == "DE" and normalise_country("france") == "FR"


def test_placeholder_and_swapped_coordinates() -> None:
    """0,0 is no position; latitude and longitude swapped inside the country are put right."""
    assert check_position(0.0, 0.0, "FR")[:2] == (None, None)
    assert check_position(7.78, 51.66, "DE")[:2] == (51.66, 7.78)
    assert check_position(48.1, 11.5, "DE") == (48.1, 11.5, None)


@pytest.mark.parametrize(
    ("tags", "banner"),
    [
        ({"name": "Lidl"}, "Lidl"),
        ({"brand": "LIDL"}, "Lidl"),
        ({"operator": "Lidl Vertriebs-GmbH & Co. KG (Speyer)"}, "Lidl"),
        ({"name": "dm-Drogerie"}, "dm"),
        ({"name": "E center Müller"}, "E center"),
        ({"name": "EDEKA Schneider"}, "EDEKA"),
        ({"brand": "Treff 3000"}, "Treff 3000"),
        ({"name": "Ingrids Tabakshop"}, None),
        ({"brand": "Carrefour", "wikidata": "Q217599"}, "Carrefour"),
    ],
)
def test_banner_normalisation(tags: dict[str, str], banner: str | None) -> None:
    """brand, name and operator all lead to the bundled data's spelling of a banner."""
    assert banners.normalise(**tags) == banner


def test_tables_in_any_encoding_and_delimiter() -> None:
    """Windows-1252 with semicolons, Latin-1, UTF-16 and XLSX read the same; columns are suggested."""
    text = "Kundennummer;Name;Straße;PLZ;Ort\n17;Bäckerei Müller;Hauptstr. 1;80331;München\n"
    for encoding in ("cp1252", "latin-1", "utf-16", "utf-8-sig"):
        table = read_table(text.encode(encoding))
        assert table.header == ["Kundennummer", "Name", "Straße", "PLZ", "Ort"]
        assert table.rows[0][1] == "Bäckerei Müller"
    assert suggest_columns(table.header) == {
        "external_id": "Kundennummer",
        "name": "Name",
        "street": "Straße",
        "postcode": "PLZ",
        "city": "Ort",
    }
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["magasin_id", "name", "adress", "postal code", "city", "latitude", "longitude"])
    sheet.append([138, "Soissons", "3 avenue Raymonde Fiolet", 2207, "Soissons Cedex", 49.37, 3.31])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue())
    assert table.rows[0][3] == 2207 and table.encoding is None
    assert suggest_columns(table.header)["address"] == "adress"
    with pytest.raises(Problem):
        read_table(b"")
    with pytest.raises(Problem):
        read_table(b"\x00\x01\x02binary")


def test_scoring_prefers_the_same_store_and_never_joins_two_chains() -> None:
    """Same banner, address and position: matched; another chain on the same car park: not."""
    lidl = Place(
        name="Lidl", banner="Lidl", street="Dieselstraße", house_number="7", postcode="40629", city="Düsseldorf",
        lat=51.2485, lon=6.8674, precision="exact",
    )  # fmt: skip
    row = Place(
        name="LIDL Filiale 123", banner="Lidl", street="Dieselstr.", house_number="7", postcode="40629",
        city="DÜSSELDORF", precision="postcode", lat=51.25, lon=6.87,
    )  # fmt: skip
    aldi = Place(**{**lidl.__dict__, "name": "Aldi Süd", "banner": "Aldi Süd", "_keys": {}})
    same = score(row, lidl)
    assert same.value >= 0.95 and same.method == "address"
    assert score(row, aldi).value < 0.5
    elsewhere = Place(**{**lidl.__dict__, "street": "Industriestraße", "house_number": "24", "_keys": {}})
    assert score(row, elsewhere).value < 0.5  # another street of the town: another store


def test_a_town_label_and_a_centroid_do_not_pick_one_store_of_a_chain() -> None:
    """A chain's list row ("Lidl Kassel", its street, no coordinates: on the postcode centroid)
    against a Lidl of the reference data that has no address: banner, town and a rough position
    name no store, so the score stays below a match (a person decides); with the store's own
    coordinates, or its address, it does match."""
    from server.quality.matching import MATCH

    bare = Place(name="Lidl", banner="Lidl", lat=51.3150, lon=9.4930, precision="exact")
    row = Place(
        name="Lidl Kassel", banner="Lidl", street="Brückenhofstraße", house_number="77", postcode="34132",
        city="Kassel", lat=51.3147, lon=9.4928, precision="postcode",
    )  # fmt: skip
    assert score(row, bare).value < MATCH
    located = Place(**{**row.__dict__, "precision": "exact", "lat": 51.31502, "lon": 9.49301, "_keys": {}})
    assert score(located, bare).value >= MATCH
    addressed = Place(**{**bare.__dict__, "street": "Brückenhofstraße", "house_number": "77", "_keys": {}})
    assert score(row, addressed).value >= MATCH
