"""Re-verification and the data-quality view.

* Confirming an outlet's facts (in the store) sets its ``last_verified_at``; a contact's
  confirmation sets the contact's. What has not been confirmed for the organization's
  ``reverify_after_months`` is *due*; :func:`due` lists it for a rep, nearest first.
* :func:`notices_for_todo` lists, for the to-do list, public outlets of the user's accounts
  that another organization's rep (or an import, or a merge) reported closed, reopened,
  moved, renamed or merged.
* :func:`report` is the organization's data-quality view: completeness of the key fields of
  its accounts' outlets and contacts, freshness, open duplicates, pending corrections, and
  the trend from weekly snapshots (:func:`snapshot`, taken when the view is read and by
  ``rayon quality snapshot``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from server.accounts.models import Account, Contact
from server.auth.models import Role, User, utcnow
from server.auth.permissions import require
from server.dialects import for_bind, haversine_m
from server.errors import Problem, field_error
from server.outlets.models import Outlet
from server.quality import facts
from server.quality.models import (
    Correction,
    DuplicatePair,
    NoticeAck,
    OutletChangeNotice,
    OutletFlag,
    QualitySnapshot,
    contacts_table,
)
from server.tenancy import account_visibility, outlet_visibility

NOTICE_DAYS = 180


def _months_ago(months: int, today: dt.date | None = None) -> dt.date:
    return (today or dt.date.today()) - dt.timedelta(days=round(months * 30.44))


# --- confirming ---------------------------------------------------------------------------------


def verify_outlet(session: Session, user: User, outlet: Outlet, data: dict[str, Any]) -> dict[str, Any]:
    """All facts of the outlet are right today. With a position, the user must be at the store
    (within the organization's geofence plus the GPS accuracy)."""
    require(user, "outlets.verify")
    if data.get("lat") is not None and data.get("lon") is not None:
        lat, lon = facts.position_of(session, outlet.id)
        distance = haversine_m(lon, lat, data["lon"], data["lat"])
        allowed = float(user.organization.setting("geofence_m")) + float(data.get("accuracy_m") or 0)
        if distance > allowed:
            raise field_error(
                "lat",
                f"you are {distance:.0f} m from the outlet (at most {allowed:.0f} m): confirm in the store",
                "body",
            )
    outlet.last_verified_at = dt.date.today()
    session.flush()
    return facts.facts_json(session, outlet)


def visible_outlet(session: Session, user: User, outlet_id: int) -> Outlet:
    outlet = session.execute(
        select(Outlet).where(Outlet.id == outlet_id, outlet_visibility(user.org_id))
    ).scalar_one_or_none()
    if outlet is None:
        raise Problem("not-found", f"There is no outlet {outlet_id}.")
    return outlet


def verify_contact(session: Session, user: User, contact: Contact) -> dict[str, Any]:
    require(user, "contacts.write")
    if contact.erased_at is not None:
        raise Problem("conflict", "This contact was erased.")
    today = dt.date.today()
    session.execute(update(contacts_table).where(contacts_table.c.id == contact.id).values(last_verified_at=today))
    return {"contact_id": contact.id, "last_verified_at": today.isoformat()}


# --- due lists -----------------------------------------------------------------------------------


def due(session: Session, user: User, args: dict[str, Any]) -> dict[str, Any]:
    """Outlets and contacts of the user's accounts whose facts are due for confirmation."""
    months = int(user.organization.setting("reverify_after_months"))
    cutoff = _months_ago(months)
    d = for_bind(session)
    lat_c, lon_c = d.lat(Outlet.geom).label("lat"), d.lon(Outlet.geom).label("lon")
    query = (
        select(Account.id, Outlet.id, Outlet.name, Outlet.city, Outlet.last_verified_at, Outlet.org_id, lat_c, lon_c)
        .join(Outlet, Outlet.id == Account.outlet_id)
        .where(
            account_visibility(user),
            Outlet.status != "closed",
            or_(Outlet.last_verified_at.is_(None), Outlet.last_verified_at < cutoff),
        )
    )
    if Role(user.role) == Role.REP:
        query = query.where(Account.assigned_rep_id == user.id)
    near = args.get("near")
    if near is not None:
        lat, lon = near
        query = query.where(d.within_m(Outlet.geom, Outlet.id, lon, lat, args.get("radius") or 10_000))
        query = query.order_by(d.distance_m(Outlet.geom, lon, lat), Account.id)
    else:
        query = query.order_by(Outlet.last_verified_at.is_not(None), Outlet.last_verified_at, Account.id)
    rows = session.execute(query.limit(args.get("limit", 50))).all()
    outlets = [
        {
            "account_id": r[0],
            "outlet_id": r[1],
            "name": r[2],
            "city": r[3],
            "last_verified_at": r[4].isoformat() if r[4] else None,
            "private": r[5] is not None,
            "lat": round(float(r[6]), 6),
            "lon": round(float(r[7]), 6),
            "distance_m": round(haversine_m(near[1], near[0], float(r[7]), float(r[6])), 1) if near else None,
        }
        for r in rows
    ]
    c = contacts_table.c
    account_ids = select(Account.id).where(account_visibility(user))
    if Role(user.role) == Role.REP:
        account_ids = account_ids.where(Account.assigned_rep_id == user.id)
    if near is not None:
        account_ids = account_ids.join(Outlet, Outlet.id == Account.outlet_id).where(
            d.within_m(Outlet.geom, Outlet.id, near[1], near[0], args.get("radius") or 10_000)
        )
    contacts = session.execute(
        select(c.id, c.account_id, c.name, c.last_verified_at)
        .where(
            c.org_id == user.org_id,
            c.account_id.in_(account_ids),
            c.erased_at.is_(None),
            or_(c.last_verified_at.is_(None), c.last_verified_at < cutoff),
        )
        .order_by(c.last_verified_at.is_not(None), c.last_verified_at, c.id)
        .limit(args.get("limit", 50))
    ).all()
    return {
        "reverify_after_months": months,
        "outlets": outlets,
        "contacts": [
            {
                "contact_id": r.id,
                "account_id": r.account_id,
                "name": r.name,
                "last_verified_at": r.last_verified_at.isoformat() if r.last_verified_at else None,
            }
            for r in contacts
        ],
    }


# --- notices ------------------------------------------------------------------------------------


def _notice_query(user: User, rep_id: int | None) -> Any:
    accounts = select(Account.id, Account.outlet_id).where(account_visibility(user))
    if rep_id is not None:
        accounts = accounts.where(Account.assigned_rep_id == rep_id)
    accounts = accounts.subquery()
    acked = select(NoticeAck.notice_id).where(NoticeAck.org_id == user.org_id)
    since = utcnow() - dt.timedelta(days=NOTICE_DAYS)
    return (
        select(OutletChangeNotice, accounts.c.id, Outlet.name, Outlet.city)
        .join(accounts, accounts.c.outlet_id == OutletChangeNotice.outlet_id)
        .join(Outlet, Outlet.id == OutletChangeNotice.outlet_id)
        .where(OutletChangeNotice.created_at >= since, OutletChangeNotice.id.not_in(acked))
    )


def notices_for_todo(session: Session, user: User, rep_id: int | None) -> list[dict[str, Any]]:
    """Changes to public outlets of the user's accounts (closed, moved...) not yet dealt with."""
    rows = session.execute(
        _notice_query(user, rep_id).order_by(OutletChangeNotice.created_at.desc(), OutletChangeNotice.id).limit(200)
    ).all()
    return [
        {
            "notice_id": notice.id,
            "change": notice.kind,
            "account_id": account_id,
            "outlet_id": notice.outlet_id,
            "outlet_name": name,
            "city": city,
            "detail": notice.detail,
            "source": notice.source,
            "at": notice.created_at.isoformat() if notice.created_at else None,
        }
        for notice, account_id, name, city in rows
    ]


def acknowledge(session: Session, user: User, notice_id: int) -> None:
    """The organization has dealt with a notice. :raise Problem: 404 when it is not one of its to-dos."""
    found = session.execute(
        select(OutletChangeNotice.id)
        .join(Account, Account.outlet_id == OutletChangeNotice.outlet_id)
        .where(OutletChangeNotice.id == notice_id, account_visibility(user))
        .limit(1)
    ).scalar_one_or_none()
    if found is None:
        raise Problem("not-found", f"There is no notice {notice_id}.")
    if session.get(NoticeAck, (notice_id, user.org_id)) is None:
        session.add(NoticeAck(notice_id=notice_id, org_id=user.org_id, user_id=user.id))
        session.flush()


# --- the quality view ----------------------------------------------------------------------------

KEY_FIELDS = ("street", "house_number", "postcode", "city", "phone", "website", "opening_hours", "banner")


def metrics(session: Session, user: User) -> dict[str, Any]:
    from server.outlets import opening_hours

    months = int(user.organization.setting("reverify_after_months"))
    cutoff = _months_ago(months)
    scope = select(Account.outlet_id).where(account_visibility(user)).subquery()
    rows = session.execute(
        select(
            Outlet.id,
            Outlet.status,
            Outlet.last_verified_at,
            Outlet.org_id,
            *[getattr(Outlet, k) for k in KEY_FIELDS],
        ).join(scope, scope.c.outlet_id == Outlet.id)
    ).all()
    n = len(rows)
    filled = {k: 0 for k in KEY_FIELDS}
    readable_hours = 0
    fresh = never = closed = private = 0
    hours_cache: dict[str, bool] = {}
    for row in rows:
        m = row._mapping
        for key in KEY_FIELDS:
            if m[key]:
                filled[key] += 1
        value = m["opening_hours"]
        if value:
            if value not in hours_cache:
                try:
                    opening_hours.validate(value)
                    hours_cache[value] = True
                except opening_hours.OpeningHoursError:
                    hours_cache[value] = False
            readable_hours += hours_cache[value]
        verified = m["last_verified_at"]
        never += verified is None
        fresh += verified is not None and verified >= cutoff
        closed += m["status"] == "closed"
        private += m["org_id"] is not None

    def share(count: int, total: int) -> float | None:
        return round(count / total, 4) if total else None

    c = contacts_table.c
    contact_rows = session.execute(
        select(c.phone, c.email, c.last_verified_at).where(
            c.org_id == user.org_id,
            c.erased_at.is_(None),
            c.account_id.in_(select(Account.id).where(account_visibility(user))),
        )
    ).all()
    nc = len(contact_rows)
    outlet_ids = select(scope.c.outlet_id)
    duplicates = session.execute(
        select(func.count())
        .select_from(DuplicatePair)
        .where(
            DuplicatePair.status == "open",
            or_(DuplicatePair.org_id.is_(None), DuplicatePair.org_id == user.org_id),
            or_(DuplicatePair.outlet_a_id.in_(outlet_ids), DuplicatePair.outlet_b_id.in_(outlet_ids)),
        )
    ).scalar_one()
    pending_here = session.execute(
        select(func.count())
        .select_from(Correction)
        .where(Correction.status == "pending", Correction.outlet_id.in_(outlet_ids))
    ).scalar_one()
    pending_ours = session.execute(
        select(func.count())
        .select_from(Correction)
        .where(Correction.status == "pending", Correction.proposer_org_id == user.org_id)
    ).scalar_one()
    accepted_ours = session.execute(
        select(func.count())
        .select_from(Correction)
        .where(Correction.status == "accepted", Correction.proposer_org_id == user.org_id)
    ).scalar_one()
    flagged = session.execute(
        select(func.count()).select_from(OutletFlag).where(OutletFlag.outlet_id.in_(outlet_ids))
    ).scalar_one()
    return {
        "outlets": {
            "count": n,
            "private": private,
            "closed": closed,
            "completeness": {k: share(v, n) for k, v in filled.items()},
            "opening_hours_readable": share(readable_hours, filled["opening_hours"]),
            "flagged": flagged,
        },
        "freshness": {
            "reverify_after_months": months,
            "verified_recently": share(fresh, n),
            "never_verified": share(never, n),
            "due": n - fresh,
        },
        "contacts": {
            "count": nc,
            "with_phone": share(sum(1 for r in contact_rows if r.phone), nc),
            "with_email": share(sum(1 for r in contact_rows if r.email), nc),
            "verified_recently": share(
                sum(1 for r in contact_rows if r.last_verified_at and r.last_verified_at >= cutoff), nc
            ),
        },
        "open_duplicates": duplicates,
        "corrections": {
            "pending_on_your_outlets": pending_here,
            "pending_proposed_by_you": pending_ours,
            "accepted_proposed_by_you": accepted_ours,
        },
    }


def _week(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def snapshot(session: Session, user: User, values: dict[str, Any] | None = None, day: dt.date | None = None) -> None:
    """Store (or refresh) this week's figures of the organization (as seen by ``user``)."""
    week = _week(day or dt.date.today())
    values = values if values is not None else metrics(session, user)
    row = session.execute(
        select(QualitySnapshot).where(QualitySnapshot.org_id == user.org_id, QualitySnapshot.week == week)
    ).scalar_one_or_none()
    if row is None:
        session.add(QualitySnapshot(org_id=user.org_id, week=week, metrics=values))
    else:
        row.metrics = values
    session.flush()


def report(session: Session, user: User, weeks: int = 12) -> dict[str, Any]:
    require(user, "quality.read")
    current = metrics(session, user)
    if Role(user.role) in (Role.HQ, Role.ADMIN):  # the organization's whole view is the trend
        snapshot(session, user, current)
    since = _week(dt.date.today()) - dt.timedelta(weeks=weeks)
    history = session.execute(
        select(QualitySnapshot)
        .where(QualitySnapshot.org_id == user.org_id, QualitySnapshot.week >= since)
        .order_by(QualitySnapshot.week)
    ).scalars()
    trend = [
        {
            "week": s.week.isoformat(),
            "outlets": s.metrics.get("outlets", {}).get("count"),
            "verified_recently": s.metrics.get("freshness", {}).get("verified_recently"),
            "address_complete": s.metrics.get("outlets", {}).get("completeness", {}).get("street"),
            "open_duplicates": s.metrics.get("open_duplicates"),
            "pending_corrections": s.metrics.get("corrections", {}).get("pending_on_your_outlets"),
        }
        for s in history
    ]
    return {"as_of": utcnow().isoformat(), **current, "trend": trend}
