"""``rayon analytics …`` commands (registered on the analytics blueprint's command group).

rayon analytics export --org demo --kind responses --dir var/exports
    the last full week (``--period week --last 1``, the default), or ``--from``/``--to``; CSV or XLSX.
    Schedule it weekly (cron: ``0 6 * * 1 rayon analytics export --org demo --kind responses``).
rayon analytics rebuild [--org SLUG]
    compute the facts and rollups again from the responses (after a bulk load or a restore).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click
from flask.cli import with_appcontext


def _organizations(slug: str | None) -> list[object]:
    from sqlalchemy import select

    from server.auth.models import Organization
    from server.db import db

    query = select(Organization).order_by(Organization.id)
    if slug:
        query = query.where(Organization.slug == slug)
    found = list(db.session.execute(query).scalars())
    if slug and not found:
        raise click.BadParameter(f"there is no organization {slug!r}", param_hint="--org")
    return found


def last_periods(period: str, count: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """The ``count`` full periods before the current one."""
    from server.analytics.kpis import GRAIN, bucket_of

    grain = GRAIN[period]
    end = bucket_of(grain, today) - dt.timedelta(days=1)
    start = end
    for _ in range(count):
        start = bucket_of(grain, start)
        first = start
        start = start - dt.timedelta(days=1)
    return first, end


@click.command("export")
@click.option("--org", "slug", required=True, help="Organization slug.")
@click.option("--kind", type=click.Choice(["responses", "visits", "accounts"]), default="responses", show_default=True)
@click.option("--layout", type=click.Choice(["products", "answers"]), default="products", show_default=True)
@click.option("--output", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx", show_default=True)
@click.option("--period", type=click.Choice(["day", "week", "month"]), default="week", show_default=True)
@click.option("--last", type=click.IntRange(1, 60), default=1, show_default=True, help="Full periods before this one.")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--dir", "folder", type=click.Path(file_okay=False), default="var/exports", show_default=True)
@with_appcontext
def export_command(
    slug: str,
    kind: str,
    layout: str,
    fmt: str,
    period: str,
    last: int,
    date_from: dt.datetime | None,
    date_to: dt.datetime | None,
    folder: str,
) -> None:
    """Write an export of an organization's data (as its HQ sees it) to a folder."""
    from server.analytics import exports
    from server.analytics.kpis import today
    from server.auth.models import User
    from server.db import db

    org = _organizations(slug)[0]
    if (date_from is None) != (date_to is None):
        raise click.BadParameter("give both --from and --to, or neither", param_hint="--from")
    if date_from is not None and date_to is not None:
        start, end = date_from.date(), date_to.date()
    else:
        start, end = last_periods(period, last, today(db.session, org.id))  # type: ignore[attr-defined]
    viewer = User(id=0, org_id=org.id, role="hq", name="export", email="export@localhost")  # type: ignore[attr-defined]
    if kind == "responses":
        rows = exports.response_rows(db.session, viewer, start, end, {}, layout)
        name = f"responses-{layout}"
    elif kind == "visits":
        rows = exports.visit_rows(db.session, viewer, start, end, {}, None)
        name = "visits"
    else:
        rows = exports.account_rows(db.session, viewer, start, end, {})
        name = "accounts"
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{slug}-{name}-{start.isoformat()}_{end.isoformat()}.{fmt}"
    began = time.monotonic()
    count = 0

    def counted() -> object:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    if fmt == "xlsx":
        exports.write_xlsx(counted(), name[:31], path)  # type: ignore[arg-type]
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            for chunk in exports.csv_chunks(counted()):  # type: ignore[arg-type]
                handle.write(chunk)
    db.session.rollback()
    click.echo(f"{path}: {max(0, count - 1):,} rows ({start} to {end}) in {time.monotonic() - began:.1f} s")


@click.command("rebuild")
@click.option("--org", "slug", default=None, help="Organization slug (default: every organization).")
@with_appcontext
def rebuild_command(slug: str | None) -> None:
    """Compute the analytics facts and rollups again from the survey responses."""
    from server.analytics.facts import rebuild
    from server.db import db

    for org in _organizations(slug):
        began = time.monotonic()
        counts = rebuild(db.session, org.id)  # type: ignore[attr-defined]
        db.session.commit()
        click.echo(f"{org.slug}: {counts} in {time.monotonic() - began:.1f} s")  # type: ignore[attr-defined]
