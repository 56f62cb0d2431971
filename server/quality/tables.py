"""Reading a customer list: CSV in any common encoding and delimiter, or XLSX; any column names.

:func:`read_table` returns the header and rows as they are in the file (XLSX cells keep their
types: a postcode typed as a number is repaired later, with a note). :func:`suggest_columns`
proposes which column holds which field from the header, in English, German and French.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from server.errors import field_error
from server.text import fold

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 50_000

#: target field -> folded header names that mean it
SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": (
        "external id",
        "id",
        "customer id",
        "customer number",
        "customer no",
        "kundennummer",
        "kunden nr",
        "kundennr",
        "kdnr",
        "kd nr",
        "client id",
        "code client",
        "numero client",
        "n client",
        "no client",
        "magasin id",
        "store id",
        "store number",
        "store no",
        "filialnummer",
        "filiale nr",
        "filialnr",
        "ref",
        "reference",
        "account number",
        "sap",
        "debitor",
        "debitorennummer",
    ),
    "name": (
        "name",
        "store name",
        "shop name",
        "outlet",
        "outlet name",
        "nom",
        "nom magasin",
        "nom du magasin",
        "magasin",
        "point de vente",
        "store",
        "geschaft",
        "geschaftsname",
        "kunde",
        "kundenname",
        "firma",
        "raison sociale",
        "customer",
        "customer name",
        "account name",
        "libelle",
    ),
    "banner": ("banner", "brand", "chain", "enseigne", "marque", "kette", "handelskette", "vertriebslinie", "retailer"),
    "format": ("format", "store type", "type", "typ", "channel", "canal", "vertriebsschiene", "type de magasin"),
    "address": ("address", "adress", "adresse", "anschrift", "addr", "address line", "adresse 1", "address 1"),
    "street": ("street", "strasse", "str", "rue", "voie", "street name"),
    "house_number": ("house number", "hausnummer", "hnr", "haus nr", "nr", "numero", "no", "num", "number"),
    "postcode": (
        "postcode",
        "postal code",
        "post code",
        "postalcode",
        "zip",
        "zip code",
        "zipcode",
        "plz",
        "code postal",
        "cp",
        "codepostal",
    ),
    "city": ("city", "town", "ville", "ort", "stadt", "commune", "gemeinde", "localite", "locality", "municipality"),
    "country": ("country", "land", "pays", "country code", "iso", "staat"),
    "lat": ("lat", "latitude", "breitengrad", "breite", "y", "geo lat", "gps lat"),
    "lon": ("lon", "lng", "long", "longitude", "langengrad", "lange", "x", "geo lon", "gps lon", "gps lng"),
    "phone": ("phone", "telephone", "tel", "telefon", "telefonnummer", "phone number", "tel fixe", "fon"),
    "website": ("website", "web", "url", "site", "site web", "homepage", "internet"),
    "status": ("status", "statut", "kundenstatus", "customer status", "account status"),
    "account_class": ("class", "account class", "klasse", "classe", "abc", "abc class", "kategorie abc", "segment abc"),
}
TARGETS = tuple(SYNONYMS)


@dataclass
class Table:
    header: list[str]
    rows: list[list[Any]]
    encoding: str | None
    delimiter: str | None
    first_row_number: int  # the spreadsheet row number of rows[0]


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = text.split("\n", 1)[0]
        counts = {d: first.count(d) for d in (";", ",", "\t", "|")}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes) -> Table:
    """:raise Problem: 422 ``file`` when it is neither CSV nor XLSX, empty, or too long."""
    encoding = delimiter = None
    if data.startswith(XLSX_MAGIC):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
            workbook.close()
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
            raise field_error("file", f"the XLSX file cannot be read ({exc.__class__.__name__})", "body") from None
    else:
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise field_error("file", "send a CSV or XLSX file", "body")
        try:
            text, encoding = _decode(data)
        except UnicodeDecodeError:
            raise field_error("file", "the file's text encoding cannot be read", "body") from None
        delimiter = _delimiter(text)
        try:
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as exc:
            raise field_error("file", f"the CSV file cannot be read ({exc})", "body") from None
    skipped = 0
    while rows and not any(_text(c) for c in rows[0]):
        rows.pop(0)
        skipped += 1
    if not rows:
        raise field_error("file", "the file is empty", "body")
    header = [_text(h) for h in rows[0]]
    if not any(header):
        raise field_error("file", "the first row must name the columns", "body")
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        base = name or f"column {index + 1}"
        seen[base] = seen.get(base, 0) + 1
        header[index] = base if seen[base] == 1 else f"{base} ({seen[base]})"
    body = rows[1:]
    if len(body) > MAX_ROWS:
        raise field_error("file", f"at most {MAX_ROWS:,} rows per import, not {len(body):,}", "body")
    return Table(header, body, encoding, delimiter, skipped + 2)


def suggest_columns(header: list[str]) -> dict[str, str]:
    """{target: header} from the header's names; each column used once, exact synonyms first."""
    folded = {h: fold(h) for h in header}
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for target, names in SYNONYMS.items():
        for h in header:
            if h not in used and folded[h] in names:
                chosen[target] = h
                used.add(h)
                break
    for target, names in SYNONYMS.items():  # "Code postal du magasin", "Kunden-Nr."
        if target in chosen:
            continue
        for h in header:
            words = folded[h]
            if h not in used and any(
                len(n) > 3 and (words.startswith(n + " ") or words.endswith(" " + n)) for n in names
            ):
                chosen[target] = h
                used.add(h)
                break
    if "address" in chosen and "street" in chosen:
        chosen.pop("address")
    return chosen
