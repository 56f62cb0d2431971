"""Analytics at scale: a year of a brand's field work in PostgreSQL, KPI latency and a month's export.

Generates (``--scale 1``) 200 reps in 10 regions, 30,000 accounts (A 10 %, B 25 %, C 65 %, visited
every 1, 2, 4 weeks), one territory per rep, a catalog of 14 products on the store-check list, and one
year of visits (about 600,000) with a full store check at every visit done (about 545,000 responses,
10 million answer rows: one per answer and per product row of the grid). Responses, visits and the
analytics facts are loaded with COPY; the facts come from the same code as on write
(:func:`server.analytics.facts.extract`), the rollups from :func:`refresh_rollups`.

Then it times ``--queries`` random KPI queries over the whole year (every KPI; random cut of up to two
dimensions; random filters among country, region, banner, format, class, rep, territory, product,
category, own, form version, list; day, week or month grain) as HQ and as a manager, in process
(:func:`server.analytics.kpis.run`, Python included, previous-year comparison included), and an XLSX
export of one month (one row per answer) in a child process whose peak memory is reported.

    .venv/bin/python benchmarks/analytics.py [--scale 1] [--queries 300] [--reload] [--no-export]

Results: ``benchmarks/results/analytics-postgresql-<scale>.json``; figures in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import uuid
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results"
PG_ADMIN = os.environ.get("RAYON_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
YEAR_START = dt.date(2025, 12, 1)  # a Monday
YEAR_END = dt.date(2026, 11, 29)
REGIONS = [
    ("DE", "DE-BY", "Bayern", 11.5, 48.5),
    ("DE", "DE-BW", "Baden-Württemberg", 9.0, 48.6),
    ("DE", "DE-NW", "Nordrhein-Westfalen", 7.2, 51.4),
    ("DE", "DE-HE", "Hessen", 8.7, 50.3),
    ("DE", "DE-NI", "Niedersachsen", 9.7, 52.6),
    ("DE", "DE-BE", "Berlin", 13.4, 52.5),
    ("FR", "FR-IDF", "Île-de-France", 2.35, 48.85),
    ("FR", "FR-ARA", "Auvergne-Rhône-Alpes", 4.8, 45.7),
    ("FR", "FR-PAC", "Provence-Alpes-Côte d'Azur", 5.4, 43.4),
    ("FR", "FR-HDF", "Hauts-de-France", 3.0, 50.6),
]
BANNERS = {  # country -> (banner, group, format, share, sales area range)
    "DE": [
        ("EDEKA", "EDEKA", "supermarket", 20, (800, 2000)),
        ("REWE", "REWE Group", "supermarket", 18, (900, 2200)),
        ("Kaufland", "Schwarz", "hypermarket", 6, (3000, 8000)),
        ("Lidl", "Schwarz", "discount", 14, (700, 1200)),
        ("ALDI SÜD", "ALDI", "discount", 12, (700, 1100)),
        ("Netto", "EDEKA", "discount", 10, (600, 1000)),
        ("dm", "dm", "drugstore", 8, (500, 900)),
        ("Späti", "", "convenience", 12, (40, 150)),
    ],
    "FR": [
        ("Carrefour", "Carrefour", "hypermarket", 8, (5000, 11000)),
        ("Carrefour Market", "Carrefour", "supermarket", 14, (1200, 2500)),
        ("E.Leclerc", "E.Leclerc", "hypermarket", 10, (3500, 9000)),
        ("Intermarché", "Les Mousquetaires", "supermarket", 16, (1000, 2500)),
        ("Lidl", "Schwarz", "discount", 12, (800, 1300)),
        ("Franprix", "Casino", "convenience", 16, (200, 600)),
        ("Monoprix", "Casino", "supermarket", 10, (600, 1800)),
        ("Carrefour City", "Carrefour", "convenience", 14, (100, 400)),
    ],
}
LISTED = {"hypermarket": 0.92, "supermarket": 0.82, "discount": 0.45, "drugstore": 0.5, "convenience": 0.55}
STAY = {"hypermarket": 40, "supermarket": 30, "discount": 20, "drugstore": 20, "convenience": 15}


def _stable(*parts: Any) -> int:
    return zlib.crc32(":".join(map(str, parts)).encode())


def database_url(scale: float) -> str:
    from sqlalchemy.engine import make_url

    name = f"rayon_bench_analytics_{str(scale).replace('.', '_')}"
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def _admin_exec(sql: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    a = make_url(PG_ADMIN)
    with psycopg.connect(
        host=a.host, port=a.port or 5432, user=a.username, password=a.password, dbname=a.database, autocommit=True
    ) as conn:
        conn.execute(sql)


def _exists(url: str) -> bool:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    try:
        with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname=u.database) as conn:
            return bool(conn.execute("SELECT built_at IS NOT NULL FROM analytics_settings LIMIT 1").fetchone())
    except Exception:  # noqa: BLE001 - no such database or not loaded
        return False


def _loaded(url: str) -> dict[str, Any]:
    """The counts of a database loaded earlier (its generation log has the timings)."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    out: dict[str, Any] = {}
    with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname=u.database) as conn:
        for key, sql in (
            ("visits", "SELECT count(*) FROM visits"),
            ("responses", "SELECT count(*) FROM survey_responses"),
            ("shelf_facts", "SELECT count(*) FROM analytics_shelf_facts"),
            ("response_facts", "SELECT count(*) FROM analytics_response_facts"),
            ("accounts", "SELECT count(*) FROM accounts"),
            ("reps", "SELECT count(*) FROM users WHERE role = 'rep'"),
            ("shelf_rollup_rows", "SELECT count(*) FROM analytics_shelf_rollup"),
            ("org_id", "SELECT id FROM organizations WHERE slug = 'bench'"),
            (
                "answer_rows",
                "SELECT sum(jsonb_array_length(answers->'shelf') + "
                "(SELECT count(*) FROM jsonb_object_keys(answers)) - 1) FROM survey_responses",
            ),
        ):
            out[key] = int(conn.execute(sql).fetchone()[0])
    return out


def _app(url: str) -> Any:
    from server.app import create_app
    from server.config import Settings

    return create_app(Settings(database_url=url, secret_key="bench", seed_on_start=False))


# --- generation -------------------------------------------------------------------------------------


def generate(url: str, scale: float, log: Any) -> dict[str, Any]:
    """Load a year of the brand into an empty database; returns counts and timings."""
    from sqlalchemy import text

    from server import migrate
    from server.db import db

    started = time.monotonic()
    _admin_exec(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    _admin_exec(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"')
    app = _app(url)
    rnd = random.Random(20261125)
    n_reps = max(2, round(200 * scale))
    n_accounts = max(50, round(30_000 * scale))
    with app.app_context():
        migrate.upgrade(db.engine)
        session = db.session
        raw = session.connection().connection.driver_connection
        timings: dict[str, float] = {}
        t0 = time.monotonic()
        outlets = _outlets(raw, rnd, n_reps, n_accounts)
        timings["outlets_s"] = time.monotonic() - t0
        org_id, reps, managers, hq_id = _organization(session)
        rep_ids = _users(session, org_id, n_reps)
        territories = _territories(session, org_id, rep_ids, outlets)
        catalog = _catalog(session, org_id)
        accounts = _accounts(raw, org_id, rep_ids, outlets, rnd)
        session.commit()
        log(f"  {len(outlets):,} outlets, {len(accounts):,} accounts, {len(rep_ids)} reps")
        t0 = time.monotonic()
        counts = _year(session, app, org_id, rep_ids, accounts, outlets, territories, catalog, rnd, log)
        timings["year_s"] = time.monotonic() - t0
        t0 = time.monotonic()
        from server.analytics.facts import refresh_rollups

        refresh_rollups(session, org_id)
        session.commit()
        timings["rollups_s"] = time.monotonic() - t0
        t0 = time.monotonic()
        with db.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            for sql in _INDEXES:
                conn.exec_driver_sql(sql)
            for table in (
                "analytics_shelf_facts",
                "analytics_response_facts",
                "analytics_shelf_rollup",
                "analytics_response_rollup",
                "survey_responses",
                "visits",
                "accounts",
                "outlets",
                "analytics_segments",
            ):
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
        timings["indexes_analyze_s"] = time.monotonic() - t0
        sizes = dict(
            session.execute(
                text(
                    "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname IN "
                    "('analytics_shelf_facts','analytics_response_facts','analytics_shelf_rollup',"
                    "'analytics_response_rollup','survey_responses','visits')"
                )
            ).all()
        )
        rollup_rows = session.execute(text("SELECT count(*) FROM analytics_shelf_rollup")).scalar()
        session.commit()
        db.engine.dispose()
    return {
        **counts,
        "reps": len(rep_ids),
        "accounts": len(accounts),
        "outlets": len(outlets),
        "shelf_rollup_rows": rollup_rows,
        "table_mb": {k: round(v / 1e6, 1) for k, v in sizes.items()},
        "timings_s": {k: round(v, 1) for k, v in timings.items()},
        "generation_s": round(time.monotonic() - started, 1),
        "org_id": org_id,
        "hq_id": hq_id,
        "manager_ids": managers,
        "rep_ids": reps,
    }


#: The fact indexes are dropped for the bulk load and created again after it.
_FACT_INDEXES = [
    ("ix_analytics_shelf_outlet", "analytics_shelf_facts", "org_id, outlet_id, product_id, day"),
    ("ix_analytics_shelf_day", "analytics_shelf_facts", "org_id, day"),
    ("ix_analytics_shelf_rep", "analytics_shelf_facts", "org_id, rep_id, day"),
    ("ix_analytics_shelf_territory", "analytics_shelf_facts", "org_id, territory_id, day"),
    ("ix_analytics_shelf_account", "analytics_shelf_facts", "org_id, account_id"),
    ("ix_analytics_resp_outlet", "analytics_response_facts", "org_id, outlet_id, form_id, day"),
    ("ix_analytics_resp_day", "analytics_response_facts", "org_id, day"),
    ("ix_analytics_resp_rep", "analytics_response_facts", "org_id, rep_id, day"),
]
_INDEXES = [f"CREATE INDEX IF NOT EXISTS {n} ON {t} ({c})" for n, t, c in _FACT_INDEXES]


def _outlets(raw: Any, rnd: random.Random, n_reps: int, n_accounts: int) -> list[dict[str, Any]]:
    """Outlets in a small square per rep (about 1.3 per account), in the rep's region."""
    from server.outlets.models import outlet_rank_key, outlet_search_text

    per_rep = round(n_accounts * 1.3 / n_reps)
    out: list[dict[str, Any]] = []
    columns = (
        "name, banner, group_name, format, sales_area_m2, city, region, region_code, country, geom, status, "
        "source, source_id, rank_key, search_text, version"
    )
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY outlets ({columns}) FROM STDIN") as copy:
            for r in range(n_reps):
                country, code, region, lon0, lat0 = REGIONS[r % len(REGIONS)]
                cell = r // len(REGIONS)
                box_lon, box_lat = lon0 + (cell % 5) * 0.25 - 0.6, lat0 + (cell // 5) * 0.2 - 0.4
                weights = [b[3] for b in BANNERS[country]]
                for i in range(per_rep):
                    banner, group, fmt, _share, (lo, hi) = rnd.choices(BANNERS[country], weights=weights)[0]
                    lon, lat = box_lon + rnd.random() * 0.24, box_lat + rnd.random() * 0.19
                    source_id = f"r{r}-{i}"
                    name = f"{banner} {region} {r}-{i}"
                    city = f"{region} {cell}"
                    copy.write_row(
                        (
                            name,
                            banner,
                            group or None,
                            fmt,
                            rnd.randint(lo, hi),
                            city,
                            region,
                            code,
                            country,
                            f"SRID=4326;POINT({lon:.6f} {lat:.6f})",
                            "open",
                            "bench",
                            source_id,
                            outlet_rank_key("bench", source_id),
                            outlet_search_text(name, banner, None, None, None, city),
                            1,
                        )
                    )
                    out.append(
                        {
                            "rep": r,
                            "source_id": source_id,
                            "banner": banner,
                            "group": group,
                            "format": fmt,
                            "country": country,
                            "region_code": code,
                            "region": region,
                            "lon": lon,
                            "lat": lat,
                        }
                    )
        ids = dict(cursor.execute("SELECT source_id, id FROM outlets WHERE source = 'bench'").fetchall())
        areas = dict(cursor.execute("SELECT id, sales_area_m2 FROM outlets WHERE source = 'bench'").fetchall())
    for o in out:
        o["id"] = ids[o["source_id"]]
        o["sales_area"] = areas[o["id"]]
    raw.commit()
    return out


def _organization(session: Any) -> tuple[int, list[int], list[int], int]:
    from server.auth.models import Organization, User
    from server.auth.service import hash_password

    org = Organization(name="Bench Drinks", slug="bench", settings={})
    session.add(org)
    session.flush()
    session.info["password_hash"] = hash_password("bench-password")
    hq = User(org_id=org.id, email="hq@bench.test", name="HQ", role="hq", password_hash=session.info["password_hash"])
    session.add(hq)
    session.flush()
    return org.id, [], [], hq.id


def _users(session: Any, org_id: int, n_reps: int) -> list[int]:
    from server.auth.models import User

    managers = []
    for m in range(len(REGIONS)):
        u = User(
            org_id=org_id,
            email=f"manager{m}@bench.test",
            name=f"Manager {m}",
            role="manager",
            password_hash=session.info["password_hash"],
        )
        session.add(u)
        managers.append(u)
    session.flush()
    reps = []
    for r in range(n_reps):
        u = User(
            org_id=org_id,
            email=f"rep{r}@bench.test",
            name=f"Rep {r:03d}",
            role="rep",
            manager_id=managers[r % len(REGIONS)].id,
            password_hash=session.info["password_hash"],
            home_lat=48.0,
            home_lon=11.0,
        )
        session.add(u)
        reps.append(u)
    session.flush()
    session.info["managers"] = [m.id for m in managers]
    return [r.id for r in reps]


def _territories(session: Any, org_id: int, rep_ids: list[int], outlets: list[dict[str, Any]]) -> dict[int, int]:
    """One square territory per rep around its outlets: rep index -> territory id."""
    from server.accounts.models import Territory, TerritoryRep
    from server.dialects import for_bind

    d = for_bind(session)
    boxes: dict[int, list[float]] = {}
    for o in outlets:
        b = boxes.setdefault(o["rep"], [180, 90, -180, -90])
        b[0], b[1] = min(b[0], o["lon"]), min(b[1], o["lat"])
        b[2], b[3] = max(b[2], o["lon"]), max(b[3], o["lat"])
    out = {}
    for r, rep_id in enumerate(rep_ids):
        x0, y0, x1, y1 = boxes[r]
        wkt = f"MULTIPOLYGON((({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0})))"
        t = Territory(org_id=org_id, name=f"Territory {r:03d}", geom=d.geometry(wkt))
        session.add(t)
        session.flush()
        session.add(TerritoryRep(territory_id=t.id, user_id=rep_id))
        out[r] = t.id
    return out


PRODUCTS = [  # brand, name, category, own, price (cents), reference
    ("Brisa", "Sparkling 0.5 l", "water", True, 69, False),
    ("Brisa", "Still 0.5 l", "water", True, 69, False),
    ("Brisa", "Still 1.5 l", "water", True, 89, False),
    ("Brisa", "Lemon Spritz", "soft_drinks", True, 119, False),
    ("Brisa", "Cola Zero", "soft_drinks", True, 129, False),
    ("Brisa", "Orange Fizz", "soft_drinks", True, 119, False),
    ("Brisa", "Iced Tea Peach", "iced_tea", True, 139, False),
    ("Brisa", "Energy", "energy", True, 159, False),
    ("Alpenquell", "Sprudel", "water", False, 65, True),
    ("Source Claire", "Eau minérale", "water", False, 79, False),
    ("Fizzo", "Cola", "soft_drinks", False, 139, True),
    ("Limonaia", "Zitrone", "soft_drinks", False, 109, False),
    ("Teafresh", "Peach", "iced_tea", False, 129, True),
    ("VoltUp", "Energy", "energy", False, 149, True),
]


def _catalog(session: Any, org_id: int) -> dict[str, Any]:
    from server.analytics.models import AnalyticsSettings, ListMembership
    from server.catalog.gtin import with_check_digit
    from server.catalog.models import Product, ProductList, ProductListItem
    from server.surveys import definition as defs
    from server.surveys.models import Form, FormVersion
    from server.surveys.service import canonical_json, sha256

    products = []
    for i, (brand, name, category, own, price, reference) in enumerate(PRODUCTS):
        p = Product(
            org_id=org_id,
            gtin=with_check_digit(f"42605990{i:04d}"),
            brand=brand,
            name=f"{brand} {name}",
            category=category,
            own=own,
            list_price_minor=price,
        )
        session.add(p)
        products.append((p, reference))
    session.flush()
    lists = {}
    for key, members in (("store_check", products), ("core_range", [x for x in products if x[0].own])):
        pl = ProductList(org_id=org_id, key=key, name=key)
        session.add(pl)
        session.flush()
        for pos, (p, reference) in enumerate(members):
            session.add(
                ProductListItem(
                    org_id=org_id,
                    list_id=pl.id,
                    product_id=p.id,
                    position=pos,
                    reference=reference and key == "store_check",
                )
            )
        lists[key] = pl
    promo = ProductList(org_id=org_id, key="summer_promo", name="Summer")
    session.add(promo)
    session.flush()
    for pos, (p, _) in enumerate(products[3:6]):
        session.add(ProductListItem(org_id=org_id, list_id=promo.id, product_id=p.id, position=pos))
    session.flush()
    session.execute(ListMembership.__table__.update().values(listed_from=None))
    template = dict(defs.templates()["store_check"])
    template.pop("targeting", None)
    form = Form(org_id=org_id, key="store_check", title="Store check", source="template", template_key="store_check")
    session.add(form)
    session.flush()
    versions = []
    for number, note in ((1, "ready-made"), (2, "new photo rules")):
        definition = json.loads(json.dumps(template))
        if number == 2:
            definition["sections"][-1]["questions"][0]["max_photos"] = 6
        v = FormVersion(
            org_id=org_id,
            form_id=form.id,
            version=number,
            definition=definition,
            checksum=sha256(canonical_json(definition)),
            note=note,
        )
        session.add(v)
        session.flush()
        versions.append(v)
    form.current_version_id = versions[-1].id
    config = {
        "must_stock": {"*": "core_range"},
        "promotions": [
            {"name": "Summer", "list": "summer_promo", "from": "2026-06-01", "to": "2026-08-31"},
        ],
    }
    session.add(AnalyticsSettings(org_id=org_id, config=config))
    session.flush()
    return {
        "products": [(p.id, p.gtin, p.name, p.brand, p.category, p.own, p.list_price_minor) for p, _ in products],
        "form_id": form.id,
        "versions": [(v.id, v.definition) for v in versions],
        "lists": {k: v.id for k, v in lists.items()},
    }


def _accounts(raw: Any, org_id: int, rep_ids: list[int], outlets: list[dict[str, Any]], rnd: random.Random) -> list:
    by_rep: dict[int, list[dict[str, Any]]] = {}
    for o in outlets:
        by_rep.setdefault(o["rep"], []).append(o)
    chosen = []
    total = sum(len(v) for v in by_rep.values())
    target = round(total / 1.3)
    for r, items in by_rep.items():
        take = round(len(items) * target / total)
        for o in sorted(items, key=lambda o: -o["sales_area"])[:take]:
            chosen.append((r, o))
    now = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
    rows = []
    for index, (r, o) in enumerate(sorted(chosen, key=lambda x: (x[0], -x[1]["sales_area"]))):
        rank = index % 100
        klass = "A" if rank < 10 else "B" if rank < 35 else "C"
        rows.append(
            (
                org_id,
                o["id"],
                "customer" if rnd.random() < 0.8 else "prospect",
                klass,
                {"A": 1, "B": 2, "C": 4}[klass],
                rep_ids[r],
                "{}",
                "[]",
                "{}",
                now,
                now,
                1,
            )
        )
    with raw.cursor() as cursor:
        with cursor.copy(
            "COPY accounts (org_id, outlet_id, status, account_class, visit_every_weeks, assigned_rep_id, custom, "
            "tags, field_clock, created_at, updated_at, version) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        ids = dict(cursor.execute("SELECT outlet_id, id FROM accounts WHERE org_id = %s", (org_id,)).fetchall())
    raw.commit()
    return [{"id": ids[row[1]], "outlet": row[1], "class": row[3], "weeks": row[4], "rep": row[5]} for row in rows]


def _year(
    session: Any,
    app: Any,
    org_id: int,
    rep_ids: list[int],
    accounts: list[dict[str, Any]],
    outlets: list[dict[str, Any]],
    territories: dict[int, int],
    catalog: dict[str, Any],
    rnd: random.Random,
    log: Any,
) -> dict[str, int]:
    """Visits and store checks of the year, written with COPY; facts from the real extraction code."""
    from server.analytics.facts import (
        RESPONSE_COLUMNS,
        SHELF_COLUMNS,
        OutletInfo,
        ResponseData,
        assign_latest,
        extract,
        load_context,
        segment_id,
    )

    ctx = load_context(session, org_id)
    by_outlet = {o["id"]: o for o in outlets}
    for o in outlets:
        ctx.outlets[o["id"]] = OutletInfo(
            o["country"],
            o["region_code"],
            o["region"],
            o["banner"],
            o["group"] or "",
            o["format"],
            o["sales_area"],
            o["lon"],
            o["lat"],
        )
    rep_index = {rep_id: i for i, rep_id in enumerate(rep_ids)}
    segments = {}
    for a in accounts:
        ctx.accounts[a["id"]] = (a["class"], {})
        ctx.account_territory[a["id"]] = territories[rep_index[a["rep"]]]
        segments[a["id"]] = segment_id(session, ctx, ctx.outlets[a["outlet"]], a["class"])
    session.commit()
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        for name, _table, _cols in _FACT_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    raw.commit()
    products = catalog["products"]
    snapshot = {str(p[0]): {"gtin": p[1], "name": p[2], "brand": p[3], "category": p[4], "own": p[5]} for p in products}
    snapshot_json = json.dumps(snapshot)
    (v1, d1), (v2, d2) = catalog["versions"]
    switch = dt.date(2026, 5, 1)
    visit_cols = (
        "id, org_id, uuid, account_id, rep_id, source, status, planned_date, planned_start_min, "
        "planned_duration_min, check_in_at, check_in_distance_m, flagged, check_out_at, outcome, created_at, "
        "updated_at"
    )
    response_cols = (
        "id, org_id, uuid, form_id, form_version_id, outlet_id, account_id, visit_uuid, rep_id, answers, "
        "computed, products, warnings, started_at, completed_at, received_at, body_sha256, locale"
    )
    counts = {"visits": 0, "responses": 0, "answer_rows": 0, "shelf_facts": 0, "response_facts": 0}
    weeks = (YEAR_END - YEAR_START).days // 7 + 1
    visit_id = response_id = 0
    by_rep: dict[int, list[dict[str, Any]]] = {}
    for a in accounts:
        by_rep.setdefault(a["rep"], []).append(a)
    began = time.monotonic()
    for n_rep, (rep_id, mine) in enumerate(by_rep.items(), start=1):
        visits, responses, shelf_rows, response_rows = [], [], [], []
        for a in mine:
            outlet = by_outlet[a["outlet"]]
            seg = segments[a["id"]]
            weekday = _stable(a["id"], "d") % 5
            phase = _stable(a["id"], "p") % a["weeks"]
            outlet_shelf, outlet_resp = [], []
            for week in range(weeks):
                if week % a["weeks"] != phase:
                    continue
                day = YEAR_START + dt.timedelta(days=7 * week + weekday)
                roll = rnd.random()
                status = "done" if roll < 0.9 else "missed" if roll < 0.97 else "cancelled"
                visit_id += 1
                start_min = 8 * 60 + 30 + rnd.randint(0, 480)
                stay = max(8, int(rnd.gauss(STAY[outlet["format"]], 6)))
                check_in = dt.datetime.combine(day, dt.time(0), dt.UTC) + dt.timedelta(minutes=start_min - 60)
                flagged = status == "done" and rnd.random() < 0.03
                vuuid = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
                done = status == "done"
                visits.append(
                    (
                        visit_id,
                        org_id,
                        vuuid,
                        a["id"],
                        rep_id,
                        "plan",
                        status,
                        day,
                        start_min,
                        stay,
                        check_in if done else None,
                        (rnd.uniform(250, 800) if flagged else rnd.uniform(3, 90)) if done else None,
                        flagged,
                        check_in + dt.timedelta(minutes=stay) if done else None,
                        "survey_only" if done else None,
                        check_in,
                        check_in,
                    )
                )
                if not done:
                    continue
                response_id += 1
                completed = check_in + dt.timedelta(minutes=stay - 2)
                answers = _store_check(rnd, outlet, products, completed)
                version, definition = (v1, d1) if day < switch else (v2, d2)
                data = ResponseData(
                    response_id,
                    org_id,
                    outlet["id"],
                    a["id"],
                    rep_id,
                    catalog["form_id"],
                    version,
                    completed,
                    answers,
                    snapshot,
                )
                shelf, resp = extract(ctx, data, definition, seg, ctx.account_territory[a["id"]])
                outlet_shelf.extend(shelf)
                outlet_resp.append(resp)
                counts["answer_rows"] += len(answers["shelf"]) + len(answers) - 1
                responses.append(
                    (
                        response_id,
                        org_id,
                        str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
                        catalog["form_id"],
                        version,
                        outlet["id"],
                        a["id"],
                        vuuid,
                        rep_id,
                        json.dumps(answers),
                        "{}",
                        snapshot_json,
                        "[]",
                        check_in,
                        completed,
                        completed,
                        "0" * 64,
                        "de",
                    )
                )
            assign_latest(outlet_shelf, ("product_id",))
            assign_latest(outlet_resp, ("form_id",))
            shelf_rows.extend(outlet_shelf)
            response_rows.extend(outlet_resp)
        with raw.cursor() as cursor:
            for table, cols, rows in (("visits", visit_cols, visits), ("survey_responses", response_cols, responses)):
                with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            for table, cols, rows in (
                ("analytics_shelf_facts", SHELF_COLUMNS, shelf_rows),
                ("analytics_response_facts", RESPONSE_COLUMNS, response_rows),
            ):
                with cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([row[c] for c in cols])
        raw.commit()
        counts["visits"] += len(visits)
        counts["responses"] += len(responses)
        counts["shelf_facts"] += len(shelf_rows)
        counts["response_facts"] += len(response_rows)
        if n_rep % 20 == 0 or n_rep == len(by_rep):
            log(
                f"  rep {n_rep}/{len(by_rep)}: {counts['responses']:,} responses, {counts['shelf_facts']:,} facts, "
                f"{counts['answer_rows']:,} answer rows, {time.monotonic() - began:.0f} s"
            )
    with raw.cursor() as cursor:
        for table in ("visits", "survey_responses"):
            cursor.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
        cursor.execute(
            "UPDATE analytics_settings SET built_at = now(), built_checksum = %s WHERE org_id = %s",
            (_checksum(session, org_id), org_id),
        )
    raw.commit()
    return counts


def _checksum(session: Any, org_id: int) -> str:
    from server.analytics import config

    return config.checksum(config.load(session, org_id))


def _store_check(rnd: random.Random, outlet: dict[str, Any], products: list[Any], completed: dt.datetime) -> dict:
    summer = dt.date(2026, 6, 1) <= completed.date() <= dt.date(2026, 8, 31)
    rows = []
    any_promo = False
    base = LISTED[outlet["format"]]
    for pid, _gtin, _name, _brand, _category, own, price in products:
        listed = _stable(outlet["id"], pid) % 1000 < (base if own else min(0.95, base + 0.08)) * 1000
        row: dict[str, Any] = {"product_id": pid}
        if listed and rnd.random() > (0.06 if own else 0.04):
            row["present"] = True
            row["facings"] = rnd.randint(2, 6) if own else rnd.randint(2, 8)
            row["shelf_price"] = round(price * rnd.uniform(0.95, 1.12)) / 100
            row["promo"] = own and rnd.random() < (0.35 if summer and 3 <= pid % 14 <= 5 else 0.08)
            any_promo = any_promo or row["promo"]
        else:
            row["present"] = False
            if own:
                row["out_of_stock"] = listed
        rows.append(row)
    answers: dict[str, Any] = {"shelf": rows, "promo_running": any_promo and rnd.random() < 0.9}
    if answers["promo_running"]:
        answers["promo_type"] = rnd.choice(["multibuy", "display", "other"])
    answers["animation_sold"] = rnd.random() < 0.05
    material = [m for m in ("poster", "shelf_strip", "wobbler", "display_stand", "cooler") if rnd.random() < 0.2]
    answers["pos_present"] = material or ["none"]
    if material:
        answers["pos_placement"] = rnd.choices(["yes", "partly", "no"], weights=[70, 20, 10])[0]
    answers["shelf_photos"] = [str(uuid.UUID(int=rnd.getrandbits(128), version=4))]
    return answers


# --- queries ---------------------------------------------------------------------------------------


def workload(session: Any, org_id: int, n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Random KPI queries over the year: every KPI, random cuts, filters and grain."""
    from sqlalchemy import select

    from server.accounts.models import Territory
    from server.analytics.kpis import DIMS, KPIS
    from server.analytics.models import Segment
    from server.auth.models import User
    from server.catalog.models import Product
    from server.surveys.models import FormVersion

    rnd = random.Random(seed)
    segs = session.execute(select(Segment).where(Segment.org_id == org_id)).scalars().all()
    values = {
        "country": sorted({s.country for s in segs}),
        "region": sorted({s.region_code for s in segs}),
        "banner": sorted({s.banner for s in segs}),
        "format": sorted({s.format for s in segs}),
        "class": ["A", "B", "C"],
        "rep": session.execute(select(User.id).where(User.org_id == org_id, User.role == "rep")).scalars().all(),
        "territory": session.execute(select(Territory.id).where(Territory.org_id == org_id)).scalars().all(),
        "product": session.execute(select(Product.id).where(Product.org_id == org_id)).scalars().all(),
        "category": ["water", "soft_drinks", "iced_tea", "energy"],
        "form_version": session.execute(select(FormVersion.id).where(FormVersion.org_id == org_id)).scalars().all(),
    }
    keys = list(KPIS)
    out = []
    for i in range(n):
        kpi = KPIS[keys[i % len(keys)]]
        dims = [d for d in DIMS[kpi.source] if d not in ("outlet", "account")]
        group_by = rnd.sample(dims, rnd.choice([0, 1, 1, 2])) if dims else []
        filters: dict[str, Any] = {}
        candidates = [d for d in dims if d in values] + (["own", "list"] if kpi.source == "shelf" else [])
        for name in rnd.sample(candidates, min(len(candidates), rnd.choice([0, 1, 2, 3]))):
            if name == "own":
                filters["own"] = rnd.random() < 0.7
            elif name == "list":
                filters["list"] = [rnd.choice(["core_range", "summer_promo"])]
            else:
                size = 1 if name in ("rep", "territory") else rnd.randint(1, 2)
                filters[name] = rnd.sample(values[name], min(size, len(values[name])))
        period = rnd.choice(["day", "week", "month", "month"])
        out.append({"kpi": kpi.key, "period": period, "group_by": group_by, "filters": filters})
    return out


def time_queries(url: str, queries: list[dict[str, Any]], who: str) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from server.analytics import kpis
    from server.auth.models import User
    from server.db import db

    app = _app(url)
    results = []
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == who)).scalar_one()
        for q in queries[:3]:  # warm the caches
            kpis.run(
                db.session, user, kpis.Query(q["kpi"], q["period"], YEAR_START, YEAR_END, q["group_by"], q["filters"])
            )
        for q in queries:
            started = time.perf_counter()
            result = kpis.run(
                db.session, user, kpis.Query(q["kpi"], q["period"], YEAR_START, YEAR_END, q["group_by"], q["filters"])
            )
            elapsed = (time.perf_counter() - started) * 1000
            db.session.commit()  # as the request boundary does
            results.append(
                {
                    **q,
                    "ms": round(elapsed, 1),
                    "source": result["source"],
                    "rows": len(result["rows"]),
                    "n": result["n"],
                    "value": result["value"],
                }
            )
        db.engine.dispose()
    return results


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pct(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 1)

    return {
        "count": len(values),
        "p50": pct(0.5),
        "p95": pct(0.95),
        "max": round(ordered[-1], 1),
        "mean": round(statistics.fmean(values), 1),
    }


# --- export --------------------------------------------------------------------------------------------


def export_child(url: str, month: str, layout: str, fmt: str) -> None:
    """Run in a child process: one month's export to a file; prints JSON with rows, seconds, peak memory."""
    from sqlalchemy import select

    from server.analytics import exports
    from server.auth.models import User
    from server.db import db

    app = _app(url)
    start = dt.date.fromisoformat(month)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    path = Path(f"/tmp/rayon-bench-export-{os.getpid()}.{fmt}")
    began = time.monotonic()
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == "hq@bench.test")).scalar_one()
        rows = exports.response_rows(db.session, user, start, end, {}, layout)
        count = 0

        def counted() -> Any:
            nonlocal count
            for row in rows:
                count += 1
                yield row

        if fmt == "xlsx":
            exports.write_xlsx(counted(), "responses", path)
        else:
            with path.open("w", encoding="utf-8", newline="") as handle:
                for chunk in exports.csv_chunks(counted()):
                    handle.write(chunk)
    size = path.stat().st_size
    path.unlink()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "layout": layout,
                "format": fmt,
                "month": month,
                "rows": count - 1,
                "seconds": round(time.monotonic() - began, 1),
                "file_mb": round(size / 1e6, 1),
                "peak_rss_mb": round(peak_mb, 1),
            }
        )
    )


def run_export(url: str, month: str, layout: str, fmt: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--export-child", url, month, layout, fmt],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- main ----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--reload", action="store_true", help="generate the data again")
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--export-child", nargs=4, metavar=("URL", "MONTH", "LAYOUT", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        export_child(*args.export_child)
        return

    def log(message: str) -> None:
        print(message, flush=True)

    url = database_url(args.scale)
    result_path = RESULTS / f"analytics-postgresql-{args.scale:g}.json"
    previous = json.loads(result_path.read_text()) if result_path.exists() else {}
    if args.reload or not _exists(url):
        log(f"generating scale {args.scale:g} into {url.rsplit('/', 1)[1]}")
        data = generate(url, args.scale, log)
    else:
        data = previous.get("data") or _loaded(url)
        log("reusing the loaded database (--reload to generate again)")
    log(f"data: {json.dumps({k: v for k, v in data.items() if k not in ('rep_ids', 'manager_ids')})}")
    app = _app(url)
    from server.db import db

    with app.app_context():
        queries = workload(db.session, data["org_id"], args.queries)
        db.engine.dispose()
    load_before = round(os.getloadavg()[0], 1)  # the machine is shared: say how busy it was
    log(f"timing {len(queries)} queries as HQ (load average {load_before})")
    hq = time_queries(url, queries, "hq@bench.test")
    log(f"timing {len(queries) // 3} queries as a manager (20 reps)")
    manager = time_queries(url, queries[: len(queries) // 3], "manager0@bench.test")
    by_source: dict[str, list[float]] = {}
    for r in hq:
        by_source.setdefault(r["source"], []).append(r["ms"])
    report: dict[str, Any] = {
        "measured": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "scale": args.scale,
        "load_average_1m": {"before": load_before, "after": round(os.getloadavg()[0], 1)},
        "data": data,
        "hq": summary([r["ms"] for r in hq]),
        "manager": summary([r["ms"] for r in manager]),
        "by_source": {k: summary(v) for k, v in sorted(by_source.items())},
        "slowest": sorted(hq, key=lambda r: -r["ms"])[:8],
        "queries": hq,
    }
    log(f"HQ: {report['hq']}; manager: {report['manager']}")
    for source, stats in report["by_source"].items():
        log(f"  {source}: {stats}")
    if args.no_export and previous.get("exports"):
        report["exports"] = previous["exports"]  # measured by an earlier run on the same data
        report["exports_measured"] = previous.get("exports_measured", previous.get("measured"))
    if not args.no_export:
        report["exports_measured"] = report["measured"]
        report["exports"] = []
        for layout, fmt in (("answers", "xlsx"), ("products", "xlsx"), ("answers", "csv")):
            log(f"exporting a month: {layout} as {fmt}")
            report["exports"].append(run_export(url, "2026-06-01", layout, fmt))
            log(f"  {report['exports'][-1]}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    result_path.write_text(json.dumps(report, indent=1, default=str) + "\n")
    log(f"wrote {result_path}")


if __name__ == "__main__":
    main()
