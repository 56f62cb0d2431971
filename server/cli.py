"""The ``rayon`` command: database set-up, seeding and serving.

rayon init-db            create or upgrade the schema (Alembic)
rayon seed [--count N]   load the bundled outlet database (once; --force to reload)
rayon seed-demo          load the demo brand (not in production)
rayon gdpr anonymise-lost   erase contacts of long-lost accounts
rayon import osm FILE    OpenStreetMap outlets (.osm.pbf, .osm, .osm.gz, Overpass JSON)
rayon import accounts FILE --org SLUG   match a customer list to outlets (--apply)
rayon quality ...        moderators, duplicate scans, weekly quality snapshots
rayon serve              init-db + seed on first start, then gunicorn
"""

from __future__ import annotations

import os
import sys
import time

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, select


def _create_app() -> object:
    from server.app import create_app

    return create_app()


@click.group(
    cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False, load_dotenv=False
)
def main() -> None:
    """Rayon field-sales CRM."""


@main.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database schema or bring it up to date."""
    from server import migrate
    from server.db import db

    migrate.upgrade(db.engine)
    click.echo(f"database at revision {migrate.current_revision(db.engine)} ({db.engine.dialect.name})")


@main.command("seed")
@click.option("--count", type=int, default=None, help="Number of outlets (default: the bundled set's size).")
@click.option("--seed", "random_seed", type=int, default=None, help="Random seed of the generator.")
@click.option("--force", is_flag=True, help="Delete the seeded outlets and load them again.")
@with_appcontext
def seed(count: int | None, random_seed: int | None, force: bool) -> None:
    """Load the bundled, generated outlet database (skipped when already loaded)."""
    from server.seeding import seed_outlets

    started = time.monotonic()
    loaded = seed_outlets(
        count=count, random_seed=random_seed, force=force, progress=lambda n: click.echo(f"  {n:,} outlets…")
    )
    if loaded is None:
        click.echo("outlets already seeded; use --force to reload")
    else:
        click.echo(f"seeded {loaded:,} outlets in {time.monotonic() - started:.1f} s")


@main.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo brand (users, accounts, contacts, territories); refused in production."""
    from server.db import db
    from server.demo import DemoRefused, seed_demo

    settings = current_app.config["RAYON"]
    try:
        counts = seed_demo(db.session, password=settings.demo_password, env=settings.env)
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    if counts:
        click.echo("demo brand loaded: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    else:
        click.echo("demo brand already loaded")


@main.group("gdpr")
def gdpr() -> None:
    """Data-protection tasks (schedule them, e.g. nightly)."""


@gdpr.command("anonymise-lost")
@click.option("--org", "org_slug", default=None, help="Only this organization (slug).")
@click.option("--months", type=int, default=None, help="Override the organizations' retention setting.")
@with_appcontext
def anonymise_lost(org_slug: str | None, months: int | None) -> None:
    """Erase contacts of accounts lost for longer than the retention period."""
    from server.accounts.service import anonymise_lost_contacts
    from server.auth.models import Organization
    from server.db import db

    org_id = None
    if org_slug:
        org = db.session.execute(select(Organization).where(Organization.slug == org_slug)).scalar_one_or_none()
        if org is None:
            raise click.ClickException(f"no organization {org_slug!r}")
        org_id = org.id
    erased = anonymise_lost_contacts(db.session, org_id=org_id, months=months)
    db.session.commit()
    click.echo(f"anonymised {erased} contacts")


@main.group("visits")
def visits_group() -> None:
    """Visit housekeeping (schedule close-day nightly)."""


@visits_group.command("close-day")
@click.option(
    "--date",
    "before",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Mark planned visits before this day as missed (default: today).",
)
@with_appcontext
def close_day_command(before: object) -> None:
    """Mark planned visits of past days as missed; their accounts stay due for the next plan."""
    import datetime as dt

    from server.db import db
    from server.visits.service import close_day

    day = before.date() if isinstance(before, dt.datetime) else dt.date.today()
    missed = close_day(db.session, before=day)
    db.session.commit()
    click.echo(f"{missed} planned visits before {day} marked as missed")


def _print_logins() -> None:
    from server.db import db
    from server.demo import demo_exists, demo_logins

    if not demo_exists(db.session):
        return
    password = current_app.config["RAYON"].demo_password
    click.echo(f"Demo logins (password: {password}):")
    for email, role in demo_logins():
        click.echo(f"  {role:8} {email}")


@main.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued jobs, then stop.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run background jobs from Redis (RQ); needs RAYON_REDIS_URL."""
    from server.jobs import run_worker

    try:
        run_worker(current_app._get_current_object(), burst=burst)  # type: ignore[attr-defined]
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None


def _data_quality_commands() -> None:
    """``rayon import osm|accounts`` and ``rayon quality ...`` (server.quality.cli)."""
    from server.quality.cli import import_group, quality_group

    main.add_command(import_group)
    main.add_command(quality_group)


_data_quality_commands()


@main.command("serve")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "8000")), show_default="8000")
@click.option("--workers", type=int, default=lambda: int(os.environ.get("RAYON_WORKERS", "2")))
@with_appcontext
def serve(host: str, port: int, workers: int) -> None:
    """Prepare the database on first start, then serve with gunicorn."""
    from server import migrate
    from server.db import db
    from server.outlets.models import Outlet

    settings = current_app.config["RAYON"]
    migrate.upgrade(db.engine)
    if settings.seed_on_start:
        with db.engine.connect() as connection:
            empty = connection.execute(select(func.count()).select_from(Outlet)).scalar_one() == 0
        if empty:
            click.echo("first start: loading the bundled outlet database…")
            ctx = click.get_current_context()
            ctx.invoke(seed, count=settings.seed_count)
    if settings.seed_demo and settings.env != "production":
        click.get_current_context().invoke(seed_demo_command)
    _print_logins()
    db.engine.dispose()  # gunicorn forks workers; none may inherit a connection
    url = f"http://{host}:{port}"
    click.echo(f"\nRayon is running at {url}  (API docs: {url}/api/v1/docs)\n")
    argv = [
        "gunicorn",
        "--config",
        "python:server.gunicorn_conf",  # timeouts, threads, limits, metrics: from RAYON_* variables
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "server.wsgi:app",
    ]
    os.execvp(sys.executable, [sys.executable, "-m", *argv])
