"""Shared fixtures: an app per database kind, loaded once per test session.

API tests take the ``app``/``client`` fixtures and run once on SQLite+SpatiaLite and
once on PostgreSQL+PostGIS. PostgreSQL comes from ``RAYON_TEST_POSTGRES_URL`` (a
maintenance database the tests may create throwaway databases from). When it is
unreachable the PostgreSQL half is skipped, except in CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.config import Settings
from tests import data

IN_CI = os.environ.get("CI", "").lower() == "true"
SHARED = Path(__file__).resolve().parents[2] / "shared"
POSTGRES_URL = os.environ.get("RAYON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DATABASES = ("sqlite", "postgresql")


def require(condition: bool, reason: str) -> None:
    """Skip when ``condition`` is false, but fail in CI: nothing may silently not run there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    require(path.exists(), f"{path} is missing (the ../shared folder beside the repo)")
    return path


def _postgres_admin_url() -> str | None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_URL)
    try:
        with psycopg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            dbname=url.database or "postgres",
            connect_timeout=3,
        ):
            return POSTGRES_URL
    except psycopg.OperationalError:
        return None


class PostgresDatabase:
    """A throwaway database on the test server, dropped at the end."""

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy.engine import make_url

        self.admin = make_url(admin_url)
        self.name = f"rayon_test_{uuid.uuid4().hex[:10]}"
        self.url = self.admin.set(database=self.name).render_as_string(hide_password=False)

    def _exec(self, sql: str) -> None:
        import psycopg

        a = self.admin
        with psycopg.connect(
            host=a.host,
            port=a.port or 5432,
            user=a.username,
            password=a.password,
            dbname=a.database or "postgres",
            autocommit=True,
        ) as conn:
            conn.execute(sql)

    def create(self) -> str:
        self._exec(f'CREATE DATABASE "{self.name}"')
        return self.url

    def drop(self) -> None:
        self._exec(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def make_app(kind: str, tmp_dir: Path) -> tuple[Flask, object | None]:
    """A migrated, loaded app on a fresh database of ``kind``; returns (app, cleanup handle)."""
    from server import migrate
    from server.app import create_app
    from server.db import db
    from server.seeding import seed_outlets

    handle: PostgresDatabase | None = None
    if kind == "sqlite":
        url = f"sqlite:///{tmp_dir / 'rayon-test.sqlite3'}"
    else:
        admin = _postgres_admin_url()
        require(admin is not None, f"PostgreSQL is not reachable at {POSTGRES_URL}")
        assert admin is not None
        handle = PostgresDatabase(admin)
        url = handle.create()
    settings = Settings(database_url=url, secret_key="test-secret", seed_on_start=False)
    app = create_app(settings, TESTING=True)
    with app.app_context():
        migrate.upgrade(db.engine)
        seed_outlets(records=data.all_records())
        if kind == "postgresql":
            with db.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE outlets")
                conn.commit()
    return app, handle


@pytest.fixture(scope="session")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Flask]]:
    """Lazily built apps per database kind, shared by the whole session."""
    handles: list[PostgresDatabase] = []

    class Apps(dict):  # type: ignore[type-arg]
        def __missing__(self, kind: str) -> Flask:
            app, handle = make_app(kind, tmp_path_factory.mktemp(kind))
            if handle is not None:
                handles.append(handle)  # type: ignore[arg-type]
            self[kind] = app
            return app

    registry = Apps()
    yield registry
    from server.db import db

    for app in registry.values():
        with app.app_context():
            db.engine.dispose()
    for handle in handles:
        handle.drop()


@pytest.fixture(params=DATABASES)
def db_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def app(apps: dict[str, Flask], db_kind: str) -> Iterator[Flask]:
    application = apps[db_kind]
    with application.app_context():
        yield application


@pytest.fixture(scope="session")
def viewers(apps: dict[str, Flask]) -> dict[str, Any]:
    """Per database, an organization whose HQ user browses the reference data."""
    from tests.tenants import make_tenant

    class Viewers(dict):  # type: ignore[type-arg]
        def __missing__(self, kind: str) -> Any:
            self[kind] = make_tenant(apps[kind], roles={"hq": "hq"}, name="Viewer")
            return self[kind]

    return Viewers()


@pytest.fixture
def anonymous(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def client(app: Flask, viewers: dict[str, Any], db_kind: str) -> Any:
    """A test client logged in as an HQ user (bearer token)."""
    from tests.tenants import As

    return As(app.test_client(), viewers[db_kind].tokens["hq"])
