"""Both databases give the same answers, use their spatial and text indexes, and migrate."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text

from server import migrate
from server.db import db
from server.dialects import BBox, for_bind
from server.outlets.service import OutletFilters, PageRequest, filter_clauses, search_outlets
from tests.conftest import DATABASES

QUERIES = [
    OutletFilters(near=(48.1374, 11.5755), radius_m=5_000),
    OutletFilters(near=(48.8566, 2.3522), radius_m=3_000, formats=("convenience", "supermarket")),
    OutletFilters(q="lidl"),
    OutletFilters(q="carrefour market"),
    OutletFilters(bbox=BBox(2.25, 48.81, 2.42, 48.90)),
    OutletFilters(banners=("REWE", "EDEKA"), regions=("DE-BY",)),
]


def _ids(app: Flask, filters: OutletFilters) -> list[int]:
    with app.app_context():
        page = search_outlets(db.session, filters, PageRequest(limit=500))
        return [i["id"] for i in page.items]


def test_sqlite_and_postgresql_return_the_same_results(apps: dict[str, Flask]) -> None:
    """The same queries return the same outlets in the same order on both databases."""
    results = {kind: [_ids(apps[kind], f) for f in QUERIES] for kind in DATABASES}
    assert results["sqlite"] == results["postgresql"]
    assert all(results["sqlite"]), "every query finds something"


def _plan(app: Flask, filters: OutletFilters) -> str:
    from sqlalchemy import select

    from server.outlets.models import Outlet

    d = for_bind(db.session)
    query = select(Outlet.id).where(*filter_clauses(d, filters))
    if filters.near:
        query = query.order_by(d.nearest_order(Outlet.geom, filters.near[1], filters.near[0])).limit(50)
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    if d.name == "postgresql":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")
            rows = conn.exec_driver_sql(f"EXPLAIN {compiled}").all()
    else:
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    return "\n".join(" ".join(str(c) for c in r) for r in rows)


@pytest.mark.parametrize(
    ("filters", "postgres_index", "sqlite_index"),
    [
        (OutletFilters(near=(48.1374, 11.5755), radius_m=5_000), "ix_outlets_geog", "idx_outlets_geom"),
        (OutletFilters(bbox=BBox(11.4, 48.0, 11.7, 48.2)), "ix_outlets_geom", "idx_outlets_geom"),
        (OutletFilters(q="rewe munchen"), "ix_outlets_search_vector", "outlets_fts"),
    ],
)
def test_queries_use_the_spatial_and_text_indexes(
    app: Flask, db_kind: str, filters: OutletFilters, postgres_index: str, sqlite_index: str
) -> None:
    """EXPLAIN shows the GiST/GIN indexes on PostGIS and the R*Tree/FTS5 tables on SpatiaLite."""
    plan = _plan(app, filters)
    assert (postgres_index if db_kind == "postgresql" else sqlite_index) in plan, plan


def test_migrations_go_down_and_up_again(tmp_path, db_kind: str) -> None:
    """The schema can be downgraded to nothing and upgraded to head on both databases."""
    from server.app import create_app
    from server.config import Settings
    from tests.conftest import PostgresDatabase, _postgres_admin_url, require

    handle = None
    if db_kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    else:
        admin = _postgres_admin_url()
        require(admin is not None, "PostgreSQL is not reachable")
        handle = PostgresDatabase(admin)
        url = handle.create()
    try:
        app = create_app(Settings(database_url=url, secret_key="x", seed_on_start=False))
        with app.app_context():
            migrate.upgrade(db.engine)
            assert migrate.is_current(db.engine)
            migrate.downgrade(db.engine, "base")
            assert migrate.current_revision(db.engine) is None
            migrate.upgrade(db.engine)
            assert migrate.is_current(db.engine)
            with db.engine.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM outlets")).scalar() == 0
            db.engine.dispose()
    finally:
        if handle:
            handle.drop()
