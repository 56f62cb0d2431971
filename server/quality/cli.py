"""Commands: ``rayon import osm FILE``, ``rayon import accounts FILE``, ``rayon quality ...``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select


@click.group("import")
def import_group() -> None:
    """Bring data in: OpenStreetMap outlets, a brand's customer list."""


def _summary_lines(summary: dict[str, Any]) -> list[str]:
    bounds = summary.get("bounds")
    lines = [
        f"{summary['file']} ({summary['kind']}"
        + (f", data as of {summary['data_as_of']}" if summary.get("data_as_of") else "")
        + (", metadata trusted" if summary["metadata_trusted"] else ", metadata not trusted: compared by content")
        + ")",
        f"  bounds     {', '.join(f'{b:.5f}' for b in bounds) if bounds else 'unknown'}",
        f"  shops read {summary['shop_objects']:,}",
        f"  added      {summary['added']:,}",
        f"  updated    {summary['updated']:,}",
        f"  unchanged  {summary['unchanged']:,}",
        f"  reopened   {summary['reopened']:,}",
        f"  closed     {summary['closed']:,}  (missing from this file, inside its bounds)",
        f"  skipped    {summary['skipped']:,}",
    ]
    for reason, count in summary["skipped_by_reason"].items():
        lines.append(f"    {count:>6,}  {reason}")
    if summary["opening_hours_flagged"]:
        lines.append(f"  opening_hours kept but flagged as unreadable: {summary['opening_hours_flagged']:,}")
    if summary["countries"]:
        lines.append("  countries  " + ", ".join(f"{k} {v:,}" for k, v in summary["countries"].items()))
    return lines


@import_group.command("osm")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--country", default=None, help="ISO code for elements that do not name their country (e.g. MC).")
@click.option("--no-close", is_flag=True, help="Do not close outlets of earlier imports missing from this file.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@with_appcontext
def import_osm_command(file: Path, country: str | None, no_close: bool, as_json: bool) -> None:
    """Import retail outlets from an .osm.pbf, .osm, .osm.gz or Overpass JSON FILE."""
    from server.db import db
    from server.quality.osm import import_osm

    started = time.monotonic()
    bar: Any = None
    state = {"phase": None}

    def progress(phase: str, done: int, total: int) -> None:
        nonlocal bar
        if phase == "reading":
            click.echo(f"\r  reading… {done:,} objects", nl=False, err=True)
            return
        if state["phase"] != phase:
            if bar is not None:
                bar.render_finish()
            if state["phase"] == "reading" or state["phase"] is None:
                click.echo("", err=True)
            state["phase"] = phase
            bar = click.progressbar(length=max(total, 1), label=f"  {phase}", file=sys.stderr)
            bar.render_progress()
        bar.update(done - bar.pos)

    if country and (len(country) != 2 or not country.isalpha()):
        raise click.BadParameter("a two-letter ISO code such as MC", param_hint="--country")
    try:
        summary = import_osm(
            db.session,
            file,
            country=country.upper() if country else None,
            close_missing=not no_close,
            progress=progress,
        )
    except ValueError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    if bar is not None:
        bar.update(bar.length - bar.pos)
        bar.render_finish()
    click.echo("", err=True)
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    for line in _summary_lines(summary):
        click.echo(line)
    click.echo(f"done in {time.monotonic() - started:.1f} s")


@import_group.command("accounts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_slug", required=True, help="The organization (slug).")
@click.option("--user", "email", default=None, help="Who imports (default: the organization's first admin).")
@click.option("--mapping", "mapping_name", default=None, help="A saved column mapping of the organization.")
@click.option("--column", "columns", multiple=True, help="FIELD=COLUMN, e.g. --column postcode='Code postal'.")
@click.option("--default", "defaults", multiple=True, help="KEY=VALUE for every row: country, banner, format, status.")
@click.option("--apply", "apply_", is_flag=True, help="Apply after matching (default: a dry run).")
@with_appcontext
def import_accounts_command(
    file: Path,
    org_slug: str,
    email: str | None,
    mapping_name: str | None,
    columns: tuple[str, ...],
    defaults: tuple[str, ...],
    apply_: bool,
) -> None:
    """Match a customer list (CSV or XLSX) to outlets; with --apply create the accounts."""
    from server.auth.models import Organization, User
    from server.db import db
    from server.errors import Problem
    from server.quality import customers
    from server.quality.models import CustomerImportRow, ImportMapping

    org = db.session.execute(select(Organization).where(Organization.slug == org_slug)).scalar_one_or_none()
    if org is None:
        raise click.ClickException(f"no organization {org_slug!r}")
    query = select(User).where(User.org_id == org.id, User.active.is_(True))
    query = query.where(User.email == email) if email else query.where(User.role == "admin").order_by(User.id)
    user = db.session.execute(query.limit(1)).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"no active {'user ' + email if email else 'admin'} in {org_slug}")

    def pairs(items: tuple[str, ...], option: str) -> dict[str, str]:
        out = {}
        for item in items:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint=option)
            out[key.strip()] = value.strip()
        return out

    mapping_id = None
    if mapping_name:
        mapping_id = db.session.execute(
            select(ImportMapping.id).where(ImportMapping.org_id == org.id, ImportMapping.name == mapping_name)
        ).scalar_one_or_none()
        if mapping_id is None:
            raise click.ClickException(f"no mapping {mapping_name!r} in {org_slug}")
    customers.INLINE_ROWS = 10**9  # the command waits anyway
    try:
        record = customers.start_import(
            db.session,
            user,
            file.read_bytes(),
            file_name=file.name,
            columns=pairs(columns, "--column"),
            defaults=pairs(defaults, "--default"),
            mapping_id=mapping_id,
        )
        result = customers.apply_import(db.session, user, record)["changes"] if apply_ else None
    except Problem as problem:
        db.session.rollback()
        raise click.ClickException(problem.detail) from None
    db.session.commit()
    s = record.summary
    click.echo(f"import {record.id}: {s['rows']:,} rows (columns: {json.dumps(record.columns, ensure_ascii=False)})")
    click.echo(f"  matched    {s['matched']:,}  {s['matched_by']}")
    click.echo(
        f"  ambiguous  {s['ambiguous']:,}  (resolve them: /api/v1/customer-imports/{record.id}/rows?outcome=ambiguous)"
    )
    click.echo(f"  new        {s['new']:,}")
    click.echo(
        f"  rows with notes {s['rows_with_notes']:,}; ignored columns: {', '.join(s['ignored_columns']) or 'none'}"
    )
    rows = db.session.execute(
        select(CustomerImportRow).where(CustomerImportRow.import_id == record.id).order_by(CustomerImportRow.row_number)
    ).scalars()
    for row in rows:
        target = (
            f"outlet {row.outlet_id}" if row.outlet_id else ", ".join(str(c["outlet_id"]) for c in row.candidates[:3])
        )
        click.echo(
            f"  row {row.row_number:>5}  {row.outcome:<9} {row.score if row.score is not None else '':<6} "
            f"{(row.values.get('name') or '')[:40]:<40} {target}" + (f"  [{'; '.join(row.notes)}]" if row.notes else "")
        )
    if result is not None:
        click.echo("applied: " + ", ".join(f"{k} {v}" for k, v in sorted(result.items())))
    else:
        click.echo("dry run: nothing changed (add --apply)")


@click.group("quality")
def quality_group() -> None:
    """Data-quality housekeeping: moderators, duplicate scans, weekly snapshots."""


@quality_group.command("moderator")
@click.argument("action", type=click.Choice(["add", "remove", "list"]))
@click.argument("email", required=False)
@click.option("--note", default=None)
@with_appcontext
def moderator_command(action: str, email: str | None, note: str | None) -> None:
    """Grant or revoke the platform moderator role (it decides on public outlet data)."""
    from server.auth.models import User
    from server.db import db
    from server.quality.models import PlatformModerator

    if action == "list":
        for user, granted in db.session.execute(
            select(User, PlatformModerator.granted_at).join(PlatformModerator, PlatformModerator.user_id == User.id)
        ).all():
            click.echo(f"{user.email}  (since {granted:%Y-%m-%d})")
        return
    if not email:
        raise click.UsageError("give the user's email")
    user = db.session.execute(select(User).where(User.email == email.lower())).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"no user {email}")
    row = db.session.get(PlatformModerator, user.id)
    if action == "add" and row is None:
        db.session.add(PlatformModerator(user_id=user.id, note=note))
    elif action == "remove" and row is not None:
        db.session.delete(row)
    db.session.commit()
    click.echo(f"{email}: {'moderator' if action == 'add' else 'not a moderator'}")


@quality_group.command("find-duplicates")
@click.option("--bbox", default=None, help="minLon,minLat,maxLon,maxLat (default: everywhere).")
@with_appcontext
def find_duplicates_command(bbox: str | None) -> None:
    """Find pairs of public outlets that look like one store (moderators review them)."""
    from server.db import db
    from server.dialects import BBox
    from server.quality.duplicates import find_duplicates

    box = None
    if bbox:
        try:
            box = BBox(*(float(v) for v in bbox.split(",")))
        except (TypeError, ValueError):
            raise click.BadParameter("minLon,minLat,maxLon,maxLat", param_hint="--bbox") from None
    result = find_duplicates(db.session, bbox=box, progress=lambda i, n: click.echo(f"\r  {i:,}/{n:,}", nl=False))
    db.session.commit()
    click.echo(
        f"\n{result['outlets_scanned']:,} outlets: {result['pairs_found']:,} pairs "
        f"({result['new_pairs']:,} new); {result['open_pairs']:,} open"
    )


@quality_group.command("snapshot")
@with_appcontext
def snapshot_command() -> None:
    """Store this week's data-quality figures of every organization (schedule it weekly)."""
    from server.auth.models import Organization, User
    from server.db import db
    from server.quality.verification import snapshot

    count = 0
    for org in db.session.execute(select(Organization)).scalars():
        admin = db.session.execute(
            select(User).where(User.org_id == org.id, User.role.in_(["admin", "hq"])).order_by(User.id).limit(1)
        ).scalar_one_or_none()
        if admin is not None:
            snapshot(db.session, admin)
            count += 1
    db.session.commit()
    click.echo(f"snapshots stored for {count} organizations")
