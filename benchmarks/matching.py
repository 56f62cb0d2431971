"""Customer-list matching: precision, recall and speed on a realistic messy list.

The reference database is a generated outlet set (``seed_data``, fixed seed) of which a share
is held back: those outlets are the list's *true new* stores, missing from the reference
data. The list is made from the loaded and the held-back outlets with the damage real
customer lists have (every kind at a realistic rate, several per row):

* names: capitals, a typo, a branch number or "Markt"/"Magasin", the owner dropped, the
  town instead of the name;
* the banner column: empty for a third of the rows, else written as a brand person or an
  ERP does ("LIDL", "Lidl Vertriebs GmbH", "ALDI SÜD");
* addresses: one column "street number" (number first in France), abbreviations ("Str.",
  "av.", "bd"), a typo, the house number missing; French "BP 1234" and "CS 70148" noise;
* postcodes: the leading zero lost (a spreadsheet), a CEDEX delivery code with "Cedex" in
  the town; towns in capitals;
* phones in national format or missing; coordinates missing for 45 % of rows, 0,0 for some,
  swapped for some, the others off by 5 to 300 metres.

The file is a semicolon CSV in Windows-1252 with German column names, read by the same code
as an upload (``server.quality.customers``). Measured: the dry run (read, clean, match,
store) and its rows per second; then precision and recall:

* **precision** = rows matched to their true outlet / rows matched;
* **recall** = rows matched to their true outlet / rows whose store is in the reference data;
* **new** precision/recall for rows of held-back stores (they must come out ``new``);
* **ambiguous**: the share of rows left to a person, and how often the true outlet is among
  the candidates shown.

Second, on **real data** (``--source lidl``, the default runs both): the 3,223 Lidl stores of
Germany from OpenStreetMap (``../shared/data/real/osm_overpass/lidl_de_overpass_2024-01.json``)
against a store list in the shape of a chain's own list (the Cora file's columns: store number,
town label as the name, one address column, postcode, city, no banner column). Ground truth: the
OSM element id each list row was written from; the matcher never sees it. The reference database
is the file imported by ``rayon import osm`` with 10 % of the elements held back (seeded), so
their rows must come out ``new``. Rows are written from each element's own ``addr:*`` tags, so
addresses, spellings, missing house numbers and the real near-duplicate stores (7 pairs under
100 m) are as published. Two list variants:

* ``address_only``: no coordinates (placed on the postcode/town centroid, as for most ERP
  exports); only elements with street, postcode and city (2,638 of 3,223) can be listed;
* ``geocoded``: every element; coordinates moved 20-150 m in a random direction (the one
  made-up change: a store locator geocodes the entrance or the parcel, OSM has the building's
  centre), street, number and postcode when the element has them.

F1 = 2PR / (P + R) with P and R as above; ambiguous rows count as misses (a person decides them).

    .venv/bin/python benchmarks/matching.py [--source synthetic,lidl] [--rows 3000] [--outlets 30000]
        [--db sqlite,postgresql]

Results: ``benchmarks/results/matching-<db>.json``, ``benchmarks/results/matching-real-lidl-<db>.json``
and the "Outlet matching" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import random
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results"
PG_ADMIN = os.environ.get("RAYON_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SEED = 20261125

ABBREVIATIONS = [
    (r"straße\b", "str."),
    (r"Straße\b", "Str."),
    (r"\bAvenue\b", "av."),
    (r"\bBoulevard\b", "bd"),
    (r"\bRoute\b", "rte"),
    (r"\bPlace\b", "pl."),
]
BANNER_SPELLINGS = {
    "Lidl": ["LIDL", "Lidl Vertriebs GmbH & Co. KG", "lidl"],
    "Aldi Süd": ["ALDI SÜD", "Aldi Sued", "ALDI"],
    "Aldi Nord": ["ALDI NORD", "Aldi"],
    "REWE": ["Rewe", "REWE Markt GmbH", "rewe city"],
    "EDEKA": ["Edeka", "EDEKA Markt", "edeka"],
    "PENNY": ["Penny Markt", "Penny"],
    "Netto Marken-Discount": ["Netto Marken Discount", "NETTO"],
    "E.Leclerc": ["Leclerc", "E. Leclerc", "CENTRE LECLERC"],
    "Carrefour Market": ["CARREFOUR MARKET", "Carrefour market"],
    "Intermarché Super": ["INTERMARCHE SUPER", "Intermarché"],
    "dm": ["DM", "dm-drogerie markt"],
    "Rossmann": ["ROSSMANN", "Dirk Rossmann GmbH"],
}


def _typo(text: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 5:
        return text
    i = rng.choice(letters[1:-1])
    kind = rng.random()
    if kind < 0.4 and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind < 0.7:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def _jitter(lat: float, lon: float, metres: float, rng: random.Random) -> tuple[float, float]:
    import math

    angle = rng.uniform(0, 2 * math.pi)
    dlat = metres * math.cos(angle) / 111_320
    dlon = metres * math.sin(angle) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def messy_row(record: dict[str, Any], rng: random.Random, number: int) -> dict[str, Any]:
    """One customer-list row describing ``record`` the way a brand's ERP would."""
    country = record["country"]
    banner = record.get("banner")
    name = record["name"]
    r = rng.random()
    if r < 0.08:
        name = record["city"]  # chain lists name stores by their town
    elif r < 0.20 and banner and name != banner:
        name = banner  # the owner's name dropped
    elif r < 0.32:
        name = f"{name} {'Filiale' if country == 'DE' else 'Magasin'} {rng.randint(1, 999):03d}"
    elif r < 0.40:
        name = f"{name} {'Markt' if country == 'DE' else 'Supermarché'}"
    if rng.random() < 0.15:
        name = _typo(name, rng)
    if rng.random() < 0.30:
        name = name.upper()
    banner_cell = ""
    if banner and rng.random() < 0.66:
        spellings = BANNER_SPELLINGS.get(banner)
        banner_cell = rng.choice(spellings) if spellings and rng.random() < 0.5 else banner
    street, number_ = record.get("street") or "", record.get("house_number") or ""
    for pattern, short in ABBREVIATIONS:
        if rng.random() < 0.35:
            street = re.sub(pattern, short, street)
    if street and rng.random() < 0.10:
        street = _typo(street, rng)
    if rng.random() < 0.15:
        number_ = ""
    if country == "FR":
        address = f"{number_} {street}".strip()
        if rng.random() < 0.12:
            address += rng.choice([f" BP {rng.randint(10, 99999)}", f" CS {rng.randint(10000, 99999)}", " B.P. 12"])
    else:
        address = f"{street} {number_}".strip()
    if rng.random() < 0.04:
        address = ""
    postcode: Any = record.get("postcode") or ""
    city = record.get("city") or ""
    if country == "FR" and postcode and rng.random() < 0.10:
        postcode = postcode[:2] + f"{rng.randint(100, 999)}"
        city = f"{city} Cedex"
    if postcode.startswith("0") and rng.random() < 0.5:
        postcode = postcode.lstrip("0")  # a spreadsheet made it a number
    if rng.random() < 0.04:
        postcode = ""
    if rng.random() < 0.30:
        city = city.upper()
    phone = record.get("phone") or ""
    if phone:
        roll = rng.random()
        if roll < 0.3:
            phone = ""
        elif roll < 0.8:
            digits = phone.replace(" ", "")
            code = "+49" if country == "DE" else "+33"
            phone = "0" + digits[len(code) :] if digits.startswith(code) else digits
    lat, lon = record["lat"], record["lon"]
    roll = rng.random()
    if roll < 0.45:
        lat_s = lon_s = ""
    elif roll < 0.48:
        lat_s, lon_s = "0", "0"
    elif roll < 0.50:
        lat_s, lon_s = f"{lon:.6f}".replace(".", ","), f"{lat:.6f}".replace(".", ",")
    else:
        metres = rng.uniform(5, 60) if rng.random() < 0.8 else rng.uniform(100, 300)
        jlat, jlon = _jitter(lat, lon, metres, rng)
        lat_s, lon_s = f"{jlat}".replace(".", ","), f"{jlon}".replace(".", ",")
    return {
        "Kundennummer": f"K{number:06d}",
        "Name": name,
        "Vertriebslinie": banner_cell,
        "Anschrift": address,
        "PLZ": postcode,
        "Ort": city,
        "Land": "Deutschland" if country == "DE" else "France",
        "Telefon": phone,
        "Breitengrad": lat_s,
        "Längengrad": lon_s,
    }


def build(total_outlets: int, rows: int, new_share: float, seed: int) -> tuple[list[dict], list[dict], list]:
    """(records to load, list rows, truth per row: source_id of the true outlet or None)."""
    from seed_data import generate

    rng = random.Random(seed)
    records = list(generate(count=total_outlets, seed=SEED))
    held_back = set(rng.sample(range(len(records)), int(len(records) * 0.06)))
    loaded = [r for i, r in enumerate(records) if i not in held_back]
    new_pool = [records[i] for i in sorted(held_back)]
    n_new = int(rows * new_share)
    chosen = [(r, r["source_id"]) for r in rng.sample(loaded, rows - n_new)]
    chosen += [(r, None) for r in rng.sample(new_pool, n_new)]
    rng.shuffle(chosen)
    table = [messy_row(record, rng, i + 1) for i, (record, _) in enumerate(chosen)]
    truth = [source_id for _, source_id in chosen]
    return loaded, table, truth


def to_csv(table: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(table[0]), delimiter=";")
    writer.writeheader()
    writer.writerows(table)
    return buffer.getvalue().encode("cp1252", errors="replace")


def run(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import select

    from server import migrate
    from server.app import create_app
    from server.auth.models import Organization, User
    from server.config import Settings
    from server.db import db
    from server.outlets.models import Outlet
    from server.quality import customers
    from server.quality.models import CustomerImportRow
    from server.seeding import seed_outlets

    loaded, table, truth = build(args.outlets, args.rows, args.new_share, args.seed)
    handle = None
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="rayon-bench-matching-")
        url = f"sqlite:///{folder}/bench.sqlite3"
    else:
        from tests.conftest import PostgresDatabase

        handle = PostgresDatabase(PG_ADMIN)
        url = handle.create()
    try:
        app = create_app(Settings(database_url=url, secret_key="bench", seed_on_start=False))
        with app.app_context():
            migrate.upgrade(db.engine)
            started = time.perf_counter()
            seed_outlets(records=loaded)
            load_s = time.perf_counter() - started
            ids = dict(db.session.execute(select(Outlet.source_id, Outlet.id)).all())
            org = Organization(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}", settings={})
            db.session.add(org)
            db.session.flush()
            user = User(org_id=org.id, email=f"bench-{uuid.uuid4().hex[:6]}@x.test", name="B", role="admin")
            db.session.add(user)
            db.session.commit()
            data = to_csv(table)
            customers.INLINE_ROWS = len(table) + 1
            started = time.perf_counter()
            record = customers.start_import(db.session, user, data, file_name="bench.csv")
            db.session.commit()
            dry_s = time.perf_counter() - started
            rows = (
                db.session.execute(
                    select(CustomerImportRow)
                    .where(CustomerImportRow.import_id == record.id)
                    .order_by(CustomerImportRow.row_number)
                )
                .scalars()
                .all()
            )
            started = time.perf_counter()
            applied = customers.apply_import(db.session, user, record)
            db.session.commit()
            apply_s = time.perf_counter() - started
            metrics = _metrics(rows, [ids.get(t) if t else None for t in truth])
            result = {
                "database": kind,
                "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
                "reference_outlets": len(loaded),
                "rows": len(rows),
                "true_new_rows": sum(1 for t in truth if t is None),
                "seed": args.seed,
                "load_s": round(load_s, 1),
                "dry_run_s": round(dry_s, 2),
                "rows_per_s": round(len(rows) / dry_s, 1),
                "apply_s": round(apply_s, 2),
                "apply_rows_per_s": round(len(rows) / apply_s, 1),
                "applied": applied["changes"],
                **metrics,
            }
            db.session.remove()
            db.engine.dispose()
            return result
    finally:
        if handle is not None:
            handle.drop()


def _metrics(rows: list[Any], truth: list[int | None]) -> dict[str, Any]:
    matched = [(r, t) for r, t in zip(rows, truth, strict=True) if r.outcome == "matched"]
    correct = sum(1 for r, t in matched if r.outlet_id == t)
    existing = sum(1 for t in truth if t is not None)
    new_rows = [(r, t) for r, t in zip(rows, truth, strict=True) if r.outcome == "new"]
    true_new = sum(1 for t in truth if t is None)
    ambiguous = [(r, t) for r, t in zip(rows, truth, strict=True) if r.outcome == "ambiguous"]
    in_candidates = sum(1 for r, t in ambiguous if t is not None and any(c["outlet_id"] == t for c in r.candidates))
    wrong_new = sum(1 for r, t in matched if t is None)
    by_method: dict[str, list[int]] = {}
    for r, t in matched:
        entry = by_method.setdefault(r.method or "?", [0, 0])
        entry[0] += 1
        entry[1] += r.outlet_id == t
    return {
        "matched": len(matched),
        "matched_correct": correct,
        "precision": round(correct / len(matched), 4) if matched else None,
        "recall": round(correct / existing, 4) if existing else None,
        "f1": round(2 * correct / (len(matched) + existing), 4) if matched or existing else None,
        "new": len(new_rows),
        "new_precision": round(sum(1 for _, t in new_rows if t is None) / len(new_rows), 4) if new_rows else None,
        "new_recall": round(sum(1 for _, t in new_rows if t is None) / true_new, 4) if true_new else None,
        "new_stores_matched_to_an_outlet": wrong_new,
        "ambiguous": len(ambiguous),
        "ambiguous_share": round(len(ambiguous) / len(rows), 4),
        "ambiguous_with_truth_in_candidates": round(in_candidates / max(1, sum(1 for _, t in ambiguous if t)), 4),
        "by_method": {k: {"matched": v[0], "correct": v[1]} for k, v in sorted(by_method.items())},
    }


LIDL_FILE = ROOT.parent / "shared" / "data" / "real" / "osm_overpass" / "lidl_de_overpass_2024-01.json"
CORA_COLUMNS = ["magasin_id", "name", "adress", "postal code", "city", "latitude", "longitude"]


def _element_position(element: dict[str, Any]) -> tuple[float, float]:
    if "lat" in element:
        return element["lat"], element["lon"]
    return element["center"]["lat"], element["center"]["lon"]


def build_lidl(variant: str, hold_share: float, seed: int) -> tuple[dict[str, Any], bytes, list[str | None]]:
    """(the Overpass document to import, the store list as CSV, truth per row: OSM id or None).

    Rows are written from each element's own tags in the Cora list's layout; the element's OSM
    id is the ground truth and is not in the list.
    """
    document = json.loads(LIDL_FILE.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    elements = [e for e in document["elements"] if e.get("tags", {}).get("shop")]
    held = set(rng.sample(range(len(elements)), int(len(elements) * hold_share)))
    reference = {**document, "elements": [e for i, e in enumerate(elements) if i not in held]}
    table: list[dict[str, Any]] = []
    truth: list[str | None] = []
    for i, element in enumerate(elements):
        tags = element["tags"]
        street, number = tags.get("addr:street", ""), tags.get("addr:housenumber", "")
        postcode, city = tags.get("addr:postcode", ""), tags.get("addr:city", "")
        if variant == "address_only" and not (street and postcode and city):
            continue
        lat_s = lon_s = ""
        if variant == "geocoded":
            lat, lon = _jitter(*_element_position(element), rng.uniform(20, 150), rng)
            lat_s, lon_s = f"{lat:.6f}", f"{lon:.6f}"
        table.append(
            {
                "magasin_id": str(len(table) + 1),
                "name": city or tags.get("addr:suburb", "") or "Lidl",
                "adress": f"{street} {number}".strip(),
                "postal code": postcode,
                "city": city,
                "latitude": lat_s,
                "longitude": lon_s,
            }
        )
        truth.append(None if i in held else f"{element['type']}/{element['id']}")
    order = list(range(len(table)))
    rng.shuffle(order)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CORA_COLUMNS)
    writer.writeheader()
    writer.writerows(table[i] for i in order)
    return reference, buffer.getvalue().encode("utf-8"), [truth[i] for i in order]


KAISERSLAUTERN_FILE = ROOT.parent / "shared" / "data" / "real" / "osm_xml" / "kaiserslautern_2013.osm.gz"
KAISERSLAUTERN_BBOX = (49.418, 7.717, 49.457, 7.821)  # min lat, min lon, max lat, max lon (its README)


def build_kaiserslautern(variant: str) -> tuple[Path, bytes, list[str | None]]:
    """Two sources eleven years apart: the reference is the Kaiserslautern extract of about 2013
    (every shop, sparsely tagged: 3 of its 5 Lidl buildings have no address); the list is the
    Lidl stores of the 2024 Overpass file inside its bbox, with their 2024 addresses and, for
    ``kaiserslautern_2013``, their 2024 positions (``..._address_only``: none). Truth: the
    same OSM element id in both files (the ids are stable; the tags and geometry are not)."""
    document = json.loads(LIDL_FILE.read_text(encoding="utf-8"))
    min_lat, min_lon, max_lat, max_lon = KAISERSLAUTERN_BBOX
    table, truth = [], []
    for element in document["elements"]:
        lat, lon = _element_position(element)
        if not (min_lat <= lat <= max_lat and min_lon <= lon <= max_lon):
            continue
        tags = element["tags"]
        with_position = not variant.endswith("address_only")
        table.append(
            {
                "magasin_id": str(len(table) + 1),
                "name": tags.get("addr:city", "") or "Lidl",
                "adress": f"{tags.get('addr:street', '')} {tags.get('addr:housenumber', '')}".strip(),
                "postal code": tags.get("addr:postcode", ""),
                "city": tags.get("addr:city", ""),
                "latitude": f"{lat:.6f}" if with_position else "",
                "longitude": f"{lon:.6f}" if with_position else "",
            }
        )
        truth.append(f"{element['type']}/{element['id']}")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CORA_COLUMNS)
    writer.writeheader()
    writer.writerows(table)
    return KAISERSLAUTERN_FILE, buffer.getvalue().encode("utf-8"), truth


def run_lidl(kind: str, variant: str, args: argparse.Namespace) -> dict[str, Any]:
    """Import the Lidl extract (minus the held-back share), then match the list and score it."""
    from sqlalchemy import select

    from server import migrate
    from server.app import create_app
    from server.auth.models import Organization, User
    from server.config import Settings
    from server.db import db
    from server.outlets.models import Outlet
    from server.quality import customers
    from server.quality.models import CustomerImportRow
    from server.quality.osm import import_osm

    folder = tempfile.mkdtemp(prefix="rayon-bench-matching-real-")
    if variant.startswith("kaiserslautern"):
        extract, data, truth = build_kaiserslautern(variant)
        source = "real: Lidl stores of OpenStreetMap 2024-01 against the Kaiserslautern extract of about 2013"
    else:
        reference, data, truth = build_lidl(variant, args.hold_share, args.seed)
        extract = Path(folder) / "lidl_reference.json"
        extract.write_text(json.dumps(reference), encoding="utf-8")
        source = "real: OpenStreetMap Lidl Germany 2024-01 (Overpass), list in the Cora file's layout"
    handle = None
    if kind == "sqlite":
        url = f"sqlite:///{folder}/bench.sqlite3"
    else:
        from tests.conftest import PostgresDatabase

        handle = PostgresDatabase(PG_ADMIN)
        url = handle.create()
    try:
        app = create_app(Settings(database_url=url, secret_key="bench", seed_on_start=False))
        with app.app_context():
            migrate.upgrade(db.engine)
            started = time.perf_counter()
            imported = import_osm(db.session, extract, file_name=extract.name)
            db.session.commit()
            import_s = time.perf_counter() - started
            ids = dict(db.session.execute(select(Outlet.source_id, Outlet.id).where(Outlet.source == "osm")).all())
            org = Organization(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}", settings={})
            db.session.add(org)
            db.session.flush()
            user = User(org_id=org.id, email=f"bench-{uuid.uuid4().hex[:6]}@x.test", name="B", role="admin")
            db.session.add(user)
            db.session.commit()
            customers.INLINE_ROWS = len(truth) + 1
            started = time.perf_counter()
            record = customers.start_import(
                db.session, user, data, file_name=f"lidl-{variant}.csv", defaults={"banner": "Lidl", "country": "DE"}
            )
            db.session.commit()
            dry_s = time.perf_counter() - started
            rows = (
                db.session.execute(
                    select(CustomerImportRow)
                    .where(CustomerImportRow.import_id == record.id)
                    .order_by(CustomerImportRow.row_number)
                )
                .scalars()
                .all()
            )
            metrics = _metrics(rows, [ids.get(t) if t else None for t in truth])
            result = {
                "database": kind,
                "source": source,
                "variant": variant,
                "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
                "reference_outlets": imported["added"],
                "rows": len(rows),
                "true_new_rows": sum(1 for t in truth if t is None),
                "seed": args.seed,
                "import_s": round(import_s, 1),
                "dry_run_s": round(dry_s, 2),
                "rows_per_s": round(len(rows) / dry_s, 1),
                **metrics,
                "errors": _examples(rows, truth, ids),
            }
            db.session.remove()
            db.engine.dispose()
            return result
    finally:
        if handle is not None:
            handle.drop()


def _examples(rows: list[Any], truth: list[str | None], ids: dict[str, int], limit: int = 8) -> list[dict[str, Any]]:
    """A few rows that did not end right, to read (what went wrong, not only how often)."""
    out = []
    for row, t in zip(rows, truth, strict=True):
        expected = ids.get(t) if t else None
        right = (row.outcome == "matched" and row.outlet_id == expected) or (row.outcome == "new" and expected is None)
        if not right and len(out) < limit:
            out.append(
                {
                    "row": row.raw,
                    "truth": t,
                    "outcome": row.outcome,
                    "method": row.method,
                    "score": row.score,
                    "outlet_id": row.outlet_id,
                    "expected_outlet_id": expected,
                }
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=3_000)
    parser.add_argument("--outlets", type=int, default=30_000, help="generated outlets (6 %% held back as new)")
    parser.add_argument("--new-share", type=float, default=0.15, help="share of rows whose store is new")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write results")
    parser.add_argument("--source", default="synthetic,lidl", help="synthetic (generated) and/or lidl (real OSM)")
    parser.add_argument("--hold-share", type=float, default=0.10, help="real data: share of stores held back as new")
    parser.add_argument(
        "--variants",
        default="address_only,geocoded,kaiserslautern_2013,kaiserslautern_2013_address_only",
        help="real data: list variants",
    )
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    sources = args.source.split(",")
    if "lidl" in sources and not LIDL_FILE.exists():
        parser.error(f"{LIDL_FILE} is missing (the ../shared folder beside the repo)")
    for kind in args.db.split(","):
        if "synthetic" in sources:
            result = run(kind, args)
            print(json.dumps(result, indent=2, ensure_ascii=False))
            if not args.no_write:
                (RESULTS / f"matching-{kind}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        if "lidl" in sources:
            real = {variant: run_lidl(kind, variant, args) for variant in args.variants.split(",")}
            print(json.dumps(real, indent=2, ensure_ascii=False))
            if not args.no_write:
                target = RESULTS / f"matching-real-lidl-{kind}.json"
                target.write_text(json.dumps(real, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
