"""Database setup: one SQLAlchemy instance for SQLite+SpatiaLite and PostgreSQL+PostGIS.

The database is chosen by ``RAYON_DATABASE_URL`` alone. What differs between the two
spatial databases lives in :mod:`server.geo`; this module only makes connections:

* SQLite: SpatiaLite is loaded on every new connection. Python builds whose
  ``sqlite3`` lacks ``enable_load_extension`` (pyenv's, for example) use the
  ``pysqlite3`` DB-API module instead, which bundles a recent SQLite with FTS5.
  WAL mode lets gunicorn's workers read while one writes.
* PostgreSQL: psycopg 3; PostGIS must be installed on the server (the first
  migration creates the extension).
"""

from __future__ import annotations

import ctypes.util
import os
import sqlite3
from pathlib import Path
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase

# Identical constraint names on both databases, so migrations can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class SpatiaLiteMissing(RuntimeError):
    """mod_spatialite could not be loaded."""


def sqlite_module() -> Any:
    """The DB-API module that can load SQLite extensions on this Python."""
    probe = sqlite3.connect(":memory:")
    try:
        if hasattr(probe, "enable_load_extension"):
            return sqlite3
    finally:
        probe.close()
    try:
        import pysqlite3.dbapi2 as pysqlite3  # type: ignore[import-not-found]
    except ImportError as exc:  # pragma: no cover - depends on the platform
        raise SpatiaLiteMissing(
            "this Python's sqlite3 cannot load extensions and pysqlite3-binary is not "
            "installed; install it (pip install pysqlite3-binary) or use a Python built "
            "with --enable-loadable-sqlite-extensions"
        ) from exc
    return pysqlite3


def spatialite_library() -> str:
    """Path or name of mod_spatialite; ``SPATIALITE_LIBRARY_PATH`` overrides."""
    explicit = os.environ.get("SPATIALITE_LIBRARY_PATH")
    if explicit:
        return explicit
    for candidate in (
        "/usr/lib/x86_64-linux-gnu/mod_spatialite.so",
        "/usr/lib/aarch64-linux-gnu/mod_spatialite.so",
        "/usr/lib/mod_spatialite.so",
        "/usr/local/lib/mod_spatialite.so",
        "/opt/homebrew/lib/mod_spatialite.dylib",
    ):
        if Path(candidate).exists():
            return candidate
    return ctypes.util.find_library("spatialite") or "mod_spatialite"


def _casefold(value: str | None) -> str | None:
    return None if value is None else value.casefold()


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.enable_load_extension(True)
    try:
        dbapi_connection.load_extension(spatialite_library())
    except Exception as exc:
        raise SpatiaLiteMissing(
            f"could not load SpatiaLite ({exc}); on Debian/Ubuntu: apt-get install libsqlite3-mod-spatialite"
        ) from exc
    finally:
        dbapi_connection.enable_load_extension(False)
    # Unicode-aware case folding: SQLite's lower() only folds ASCII ("Évry").
    dbapi_connection.create_function("rayon_casefold", 1, _casefold, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA cache_size = -65536")
    cursor.execute("PRAGMA mmap_size = 268435456")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()
    # Let SQLAlchemy, not the driver, decide where transactions begin (see _on_sqlite_begin):
    # the driver's own implicit transactions break SAVEPOINTs, which the sync relies on.
    dbapi_connection.isolation_level = None


def _on_sqlite_begin(connection: Any) -> None:
    # A request that writes takes the write lock at BEGIN (IMMEDIATE): two writers then
    # wait for each other (busy_timeout) instead of one failing on its first write after
    # both have read. Reads keep plain BEGIN and never block.
    from flask import has_request_context, request

    writing = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def engine_options(database_url: str) -> dict[str, Any]:
    """Options for ``create_engine`` that suit the database the URL names."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        return {"module": sqlite_module(), "connect_args": {"check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10}


def install_listeners(engine: Engine) -> None:
    """Attach the per-connection set-up for this engine's dialect (idempotent)."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _on_sqlite_connect):
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)


def dialect_name(bind: Any = None) -> str:
    """``sqlite`` or ``postgresql`` for the given bind (default: the app's engine)."""
    engine = bind if bind is not None else db.engine
    return engine.dialect.name
