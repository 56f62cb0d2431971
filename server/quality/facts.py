"""Writing public outlet facts in one place: new outlets, field changes with their source, flags,
and the notices other organizations see in their to-do lists when a store closes or moves."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.auth.models import utcnow
from server.dialects import for_bind, haversine_m
from server.outlets.models import Outlet, outlet_rank_key
from server.quality.models import NoticeKind, OutletChangeNotice, OutletFactSource, OutletFlag

#: The public facts of an outlet that corrections, imports and verification speak about.
PUBLIC_FIELDS = (
    "name",
    "banner",
    "format",
    "street",
    "house_number",
    "postcode",
    "city",
    "country",
    "position",
    "opening_hours",
    "phone",
    "website",
    "status",
)
#: Moving a store less than this is a correction of its pin, not a move worth a notice.
MOVE_NOTICE_M = 50.0


def new_outlet(
    session: Session,
    values: dict[str, Any],
    *,
    org_id: int | None,
    source: str,
    source_id: str | None = None,
    status: str = "open",
    verified: dt.date | None = None,
) -> Outlet:
    """A new outlet (public when ``org_id`` is None), flushed."""
    d = for_bind(session)
    outlet = Outlet(
        name=values["name"][:200],
        banner=values.get("banner"),
        group_name=values.get("group"),
        format=values["format"],
        street=values.get("street"),
        house_number=values.get("house_number"),
        postcode=values.get("postcode"),
        city=values.get("city"),
        region=values.get("region"),
        region_code=values.get("region_code"),
        country=values["country"],
        opening_hours=values.get("opening_hours"),
        phone=values.get("phone"),
        website=values.get("website"),
        status=status,
        source=source,
        source_id=source_id or str(uuid.uuid4()),
        org_id=org_id,
        geom=d.point(values["lon"], values["lat"]),
        last_verified_at=verified,
    )
    outlet.rank_key = outlet_rank_key(outlet.source, outlet.source_id)
    outlet.refresh_search_text()
    session.add(outlet)
    session.flush()
    return outlet


def position_of(session: Session, outlet_id: int) -> tuple[float, float]:
    """(lat, lon) of an outlet as stored."""
    d = for_bind(session)
    lat, lon = session.execute(select(d.lat(Outlet.geom), d.lon(Outlet.geom)).where(Outlet.id == outlet_id)).one()
    return float(lat), float(lon)


def set_facts(
    session: Session,
    outlet: Outlet,
    changes: dict[str, Any],
    *,
    source: str,
    source_ref: str | None = None,
    verified: dt.date | None = None,
    notice_source: str | None = None,
) -> list[str]:
    """Change public facts of an outlet, recording each field's source; notices for closing,
    reopening, moving and renaming. ``changes`` may hold ``lat``/``lon`` (the position).

    :returns: the fields that changed.
    """
    changed: list[str] = []
    before_status = outlet.status
    before_name = (outlet.name, outlet.banner)
    moved_m = None
    if "lat" in changes and "lon" in changes:
        lat, lon = position_of(session, outlet.id)
        moved_m = haversine_m(lon, lat, changes["lon"], changes["lat"])
        if moved_m > 0.5:
            outlet.geom = for_bind(session).point(changes["lon"], changes["lat"])
            changed.append("position")
        else:
            moved_m = None
    for key, value in changes.items():
        if key in ("lat", "lon"):
            continue
        if getattr(outlet, key) != value:
            setattr(outlet, key, value)
            changed.append(key)
    if set(changed) & {"name", "banner", "street", "house_number", "postcode", "city"}:
        outlet.refresh_search_text()
    if verified is not None:
        outlet.last_verified_at = verified
    for key in changed:
        row = session.get(OutletFactSource, (outlet.id, key))
        if row is None:
            row = OutletFactSource(outlet_id=outlet.id, field=key)
            session.add(row)
        row.source, row.source_ref, row.verified_at, row.updated_at = source, source_ref, verified, utcnow()
    if "opening_hours" in changed:
        flag_opening_hours(session, outlet)
    if outlet.org_id is None and notice_source:
        if "status" in changed and outlet.status == "closed":
            notify(session, outlet.id, NoticeKind.CLOSED, {"name": outlet.name}, notice_source)
        elif "status" in changed and before_status == "closed":
            notify(session, outlet.id, NoticeKind.REOPENED, {"name": outlet.name}, notice_source)
        if moved_m is not None and moved_m >= MOVE_NOTICE_M:
            notify(session, outlet.id, NoticeKind.MOVED, {"distance_m": round(moved_m)}, notice_source)
        if "name" in changed or "banner" in changed:
            notify(
                session,
                outlet.id,
                NoticeKind.RENAMED,
                {
                    "from": {"name": before_name[0], "banner": before_name[1]},
                    "name": outlet.name,
                    "banner": outlet.banner,
                },
                notice_source,
            )
    session.flush()
    return changed


def notify(session: Session, outlet_id: int, kind: NoticeKind, detail: dict[str, Any], source: str) -> None:
    session.add(OutletChangeNotice(outlet_id=outlet_id, kind=kind.value, detail=detail, source=source))


def opening_hours_problem(value: str | None) -> str | None:
    """Why an opening_hours value cannot be read, or None when it reads (or is empty)."""
    from server.outlets import opening_hours

    if not value:
        return None
    try:
        opening_hours.validate(value)
    except opening_hours.OpeningHoursError as exc:
        return exc.message[:300]
    return None


def flag_opening_hours(session: Session, outlet: Outlet) -> str | None:
    """Flag unreadable opening hours (kept as written); clear the flag when they read. Returns the reason."""
    reason = opening_hours_problem(outlet.opening_hours)
    set_flag(session, outlet.id, "opening_hours_invalid", reason)
    return reason


def set_flag(session: Session, outlet_id: int, flag: str, detail: str | None) -> None:
    """Set (``detail`` given) or clear (None) a flag."""
    row = session.get(OutletFlag, (outlet_id, flag))
    if detail is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(OutletFlag(outlet_id=outlet_id, flag=flag, detail=detail))
    else:
        row.detail = detail


def facts_json(session: Session, outlet: Outlet) -> dict[str, Any]:
    """Each public fact with its value, source and last-verified date; flags."""
    lat, lon = position_of(session, outlet.id)
    query = select(OutletFactSource).where(OutletFactSource.outlet_id == outlet.id)
    rows = {r.field: r for r in session.execute(query).scalars()}
    flags = session.execute(select(OutletFlag).where(OutletFlag.outlet_id == outlet.id)).scalars().all()
    facts = {}
    for key in PUBLIC_FIELDS:
        value: Any = {"lat": round(lat, 6), "lon": round(lon, 6)} if key == "position" else getattr(outlet, key)
        row = rows.get(key)
        verified = outlet.last_verified_at
        if row is not None and row.verified_at is not None and (verified is None or row.verified_at > verified):
            verified = row.verified_at
        facts[key] = {
            "value": value,
            "source": row.source if row else outlet.source.split(":")[0],
            "verified_at": verified.isoformat() if verified else None,
        }
    return {
        "outlet_id": outlet.id,
        "source": outlet.source.split(":")[0],
        "last_verified_at": outlet.last_verified_at.isoformat() if outlet.last_verified_at else None,
        "facts": facts,
        "flags": [{"flag": f.flag, "detail": f.detail} for f in flags],
    }
