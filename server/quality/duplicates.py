"""Duplicates: caught when an outlet is created, found in the reference data, and merged.

* :func:`refuse_likely_duplicates` is called before a private outlet is created (accounts):
  when outlets the organization can see look like the new one, the request is answered
  with them (409, ``duplicates``) and nothing is created; the user links the account to one
  of them (``outlet_id``) or confirms with ``?force=true``.
* :func:`find_duplicates` scans outlets (public, or an organization's private ones against
  everything it sees) for pairs that look like one store, with a score and the reasons.
* :func:`merge` keeps one outlet of a pair and moves everything that points to the other
  (every organization's accounts, visits through them, survey responses, corrections...)
  to it, then deletes it and records the merge. What it tells the merging user counts only
  that user's organization's objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import has_request_context, request
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from server.accounts.models import Account
from server.auth.models import User, utcnow
from server.auth.permissions import require
from server.db import db
from server.dialects import BBox, for_bind
from server.errors import Problem, field_error
from server.outlets.models import Outlet
from server.quality import banners
from server.quality.facts import PUBLIC_FIELDS, notify
from server.quality.matching import Matcher, OutletIndex, Place, candidate_json, score
from server.quality.models import (
    Correction,
    CustomerImportRow,
    DuplicatePair,
    NoticeKind,
    OutletChangeNotice,
    OutletMerge,
)
from server.tenancy import outlet_visibility

#: A new outlet this alike an existing one is answered with the existing one first.
GUARD = 0.72
#: Pairs scoring at least this are listed by the finder.
PAIR = 0.6
#: Outlets further apart are never one store (positions of the reference data are exact).
PAIR_RADIUS_M = 150.0


# --- on creation ------------------------------------------------------------------------------


def _force_flag() -> bool:
    if not has_request_context() or "force" not in request.args:
        return False
    value = request.args.get("force", "").strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise field_error("force", "must be true or false")


def likely_duplicates(
    session: Session, org_id: int | None, data: dict[str, Any], limit: int = 5
) -> list[dict[str, Any]]:
    """Outlets ``org_id`` can see that look like the outlet described by ``data``."""
    place = Place(
        name=data.get("name"),
        banner=data.get("banner"),
        street=data.get("street"),
        house_number=data.get("house_number"),
        postcode=data.get("postcode"),
        city=data.get("city"),
        country=data.get("country"),
        lat=data.get("lat"),
        lon=data.get("lon"),
        phone=data.get("phone"),
        precision="exact",
    )
    if place.lat is None or place.lon is None:
        return []
    if place.banner is None and place.name:
        known = banners.lookup(place.name, place.country, anywhere=False)
        place.banner = known.name if known else None
    matcher = Matcher(session, org_id)
    found = []
    for candidate, result in matcher.ranked(place):
        if result.value < GUARD or len(found) >= limit:
            break
        found.append(candidate_json(candidate, result))
    return found


def refuse_likely_duplicates(session: Session, user: User, data: dict[str, Any], field: str = "outlet") -> None:
    """Before a new outlet is created: 409 with the likely duplicates, unless ``?force=true``.

    :raise Problem: ``conflict`` with ``duplicates`` (candidates with their scores and reasons).
    """
    if _force_flag():
        return
    found = likely_duplicates(session, user.org_id, data)
    if not found:
        return
    best = found[0]
    raise Problem(
        "conflict",
        f"{field}: this looks like an outlet that exists: {best['name']}, {best['street'] or ''} "
        f"{best['house_number'] or ''} {best['city'] or ''} ({best['distance_m']:.0f} m away, score "
        f"{best['score']:.2f}). Use its outlet_id, or send the request again with ?force=true.",
        duplicates=found,
    )


# --- finding ----------------------------------------------------------------------------------


def _pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def find_duplicates(
    session: Session,
    *,
    bbox: BBox | None = None,
    org_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Find pairs of outlets that look like one store and store them (open) with their score.

    ``org_id`` None: public outlets among themselves. Otherwise the organization's private
    outlets against everything it sees. Pairs dismissed before are not raised again.
    """
    d = for_bind(session)
    query = select(Outlet.id, d.lat(Outlet.geom), d.lon(Outlet.geom)).where(Outlet.status != "closed")
    query = query.where(Outlet.org_id.is_(None) if org_id is None else Outlet.org_id == org_id)
    if bbox is not None:
        query = query.where(d.in_bbox(Outlet.geom, Outlet.id, bbox))
    anchors = session.execute(query.order_by(Outlet.id)).all()
    index = OutletIndex(session, org_id, include_closed=False)
    scope = DuplicatePair.org_id.is_(None) if org_id is None else DuplicatePair.org_id == org_id
    existing = {
        _pair_key(p.outlet_a_id, p.outlet_b_id): p
        for p in session.execute(select(DuplicatePair).where(scope)).scalars()
    }
    found = new = 0
    for i, (outlet_id, lat, lon) in enumerate(anchors):
        if progress and i % 500 == 0:
            progress(i, len(anchors))
        near = index.near(float(lat), float(lon), PAIR_RADIUS_M, limit=20)
        me = next((p for _, p in near if p.id == outlet_id), None)
        if me is None:
            continue
        for _, other in near:
            if other.id == outlet_id or (org_id is None and other.id < outlet_id):
                continue
            if org_id is not None and other.org_id == org_id and other.id < outlet_id:
                continue
            result = score(me, other)
            if result.value < PAIR:
                continue
            key = _pair_key(outlet_id, other.id)
            found += 1
            pair = existing.get(key)
            if pair is None:
                pair = DuplicatePair(outlet_a_id=key[0], outlet_b_id=key[1], org_id=org_id, status="open")
                session.add(pair)
                existing[key] = pair
                new += 1
            if pair.status == "open":
                pair.score, pair.distance_m, pair.reasons = result.value, result.distance_m or 0.0, result.reasons
    session.flush()
    open_pairs = session.execute(
        select(func.count())
        .select_from(DuplicatePair)
        .where(
            DuplicatePair.status == "open",
            DuplicatePair.org_id.is_(None) if org_id is None else DuplicatePair.org_id == org_id,
        )
    ).scalar_one()
    return {"outlets_scanned": len(anchors), "pairs_found": found, "new_pairs": new, "open_pairs": open_pairs}


def pair_visibility(user: User) -> Any:
    """Pairs of public outlets (everyone), and pairs involving the organization's private ones."""
    return or_(DuplicatePair.org_id.is_(None), DuplicatePair.org_id == user.org_id)


def get_pair(session: Session, user: User, pair_id: int) -> DuplicatePair:
    pair = session.execute(
        select(DuplicatePair).where(DuplicatePair.id == pair_id, pair_visibility(user))
    ).scalar_one_or_none()
    if pair is None:
        raise Problem("not-found", f"There is no duplicate pair {pair_id}.")
    return pair


def pair_json(session: Session, pair: DuplicatePair, user: User) -> dict[str, Any]:
    d = for_bind(session)
    outlets = {
        row.id: row
        for row in session.execute(
            select(
                Outlet.id,
                Outlet.name,
                Outlet.banner,
                Outlet.street,
                Outlet.house_number,
                Outlet.postcode,
                Outlet.city,
                Outlet.status,
                Outlet.source,
                Outlet.org_id,
                d.lat(Outlet.geom).label("lat"),
                d.lon(Outlet.geom).label("lon"),
            ).where(Outlet.id.in_([pair.outlet_a_id, pair.outlet_b_id]), outlet_visibility(user.org_id))
        )
    }

    def side(outlet_id: int) -> dict[str, Any] | None:
        row = outlets.get(outlet_id)
        if row is None:
            return None
        body = {k: getattr(row, k) for k in ("id", "name", "banner", "street", "house_number", "postcode", "city")}
        accounts = session.execute(
            select(func.count())
            .select_from(Account)
            .where(Account.outlet_id == outlet_id, Account.org_id == user.org_id)
        ).scalar_one()
        return {
            **body,
            "status": row.status,
            "source": row.source.split(":")[0],
            "private": row.org_id is not None,
            "lat": round(float(row.lat), 6),
            "lon": round(float(row.lon), 6),
            "your_accounts": accounts,
        }

    return {
        "id": pair.id,
        "status": pair.status,
        "score": pair.score,
        "distance_m": pair.distance_m,
        "reasons": pair.reasons,
        "scope": "public" if pair.org_id is None else "yours",
        "outlets": [side(pair.outlet_a_id), side(pair.outlet_b_id)],
        "found_at": pair.found_at.isoformat() if pair.found_at else None,
        "resolved_at": pair.resolved_at.isoformat() if pair.resolved_at else None,
    }


def list_pairs(session: Session, user: User, args: dict[str, Any]) -> dict[str, Any]:
    require(user, "duplicates.read")
    query = select(DuplicatePair).where(pair_visibility(user), DuplicatePair.status.in_(args.get("status") or ["open"]))
    if args.get("scope") == "public":
        query = query.where(DuplicatePair.org_id.is_(None))
    elif args.get("scope") == "yours":
        query = query.where(DuplicatePair.org_id == user.org_id)
    if args.get("min_score") is not None:
        query = query.where(DuplicatePair.score >= args["min_score"])
    if args.get("bbox") is not None:
        d = for_bind(session)
        inside = select(Outlet.id).where(d.in_bbox(Outlet.geom, Outlet.id, args["bbox"]))
        query = query.where(or_(DuplicatePair.outlet_a_id.in_(inside), DuplicatePair.outlet_b_id.in_(inside)))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pairs = session.execute(
        query.order_by(DuplicatePair.score.desc(), DuplicatePair.id).limit(args["limit"]).offset(args["offset"])
    ).scalars()
    return {"items": [pair_json(session, p, user) for p in pairs], "total": total}


def dismiss(session: Session, user: User, pair: DuplicatePair) -> DuplicatePair:
    _require_pair_rights(session, user, pair)
    if pair.status != "open":
        raise Problem("conflict", f"Pair {pair.id} is {pair.status} already.")
    pair.status, pair.resolved_at, pair.resolved_by_id = "dismissed", utcnow(), user.id
    session.flush()
    return pair


def _require_pair_rights(session: Session, user: User, pair: DuplicatePair) -> None:
    from server.quality.corrections import is_moderator

    if pair.org_id is None:
        if not is_moderator(session, user):
            raise Problem("forbidden", "Only a moderator merges or dismisses duplicates of public outlets.")
    else:
        require(user, "duplicates.merge")


# --- merging ----------------------------------------------------------------------------------


def merge(session: Session, user: User, pair: DuplicatePair, keep_outlet_id: int) -> dict[str, Any]:
    """Keep ``keep_outlet_id``, move everything of the other outlet to it, delete the other.

    :raise Problem: 403 without the right, 409 when the pair is not open, 422 for a kept
        outlet that is not one of the pair or a private outlet kept over a public one.
    """
    _require_pair_rights(session, user, pair)
    if pair.status != "open":
        raise Problem("conflict", f"Pair {pair.id} is {pair.status} already.")
    if keep_outlet_id not in (pair.outlet_a_id, pair.outlet_b_id):
        raise field_error("keep_outlet_id", f"must be {pair.outlet_a_id} or {pair.outlet_b_id}", "body")
    drop_id = pair.outlet_b_id if keep_outlet_id == pair.outlet_a_id else pair.outlet_a_id
    kept = session.execute(
        select(Outlet).where(Outlet.id == keep_outlet_id, outlet_visibility(user.org_id))
    ).scalar_one_or_none()
    dropped = session.execute(
        select(Outlet).where(Outlet.id == drop_id, outlet_visibility(user.org_id))
    ).scalar_one_or_none()
    if kept is None or dropped is None:
        raise Problem("conflict", f"Pair {pair.id} refers to an outlet that no longer exists; dismiss it.")
    if kept.org_id is not None and dropped.org_id is None:
        raise field_error("keep_outlet_id", "keep the public outlet: a private one cannot replace public data", "body")
    moved = _move_references(session, user, dropped.id, kept.id, public=dropped.org_id is None)
    if kept.org_id is None and dropped.org_id is None:
        _fill_gaps(kept, dropped)  # only public facts flow between public outlets
    snapshot = {k: getattr(dropped, k) for k in PUBLIC_FIELDS if k != "position"} if dropped.org_id is None else {}
    session.add(
        OutletMerge(
            kept_outlet_id=kept.id,
            merged_outlet_id=dropped.id,
            merged_source=dropped.source,
            merged_source_id=dropped.source_id,
            snapshot={k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in snapshot.items()},
            org_id=dropped.org_id,
            pair_id=pair.id,
            by_user_id=user.id,
        )
    )
    for other in session.execute(
        select(DuplicatePair).where(
            DuplicatePair.id != pair.id,
            or_(DuplicatePair.outlet_a_id == dropped.id, DuplicatePair.outlet_b_id == dropped.id),
        )
    ).scalars():
        session.delete(other)
    pair.status, pair.resolved_at, pair.resolved_by_id = "merged", utcnow(), user.id
    session.flush()
    session.delete(dropped)
    session.flush()
    return {"pair_id": pair.id, "kept_outlet_id": kept.id, "merged_outlet_id": drop_id, "moved": moved}


def _fill_gaps(kept: Outlet, dropped: Outlet) -> None:
    for key in ("banner", "street", "house_number", "postcode", "city", "opening_hours", "phone", "website"):
        if getattr(kept, key) in (None, "") and getattr(dropped, key):
            setattr(kept, key, getattr(dropped, key))
    kept.refresh_search_text()


def _move_references(session: Session, user: User, drop_id: int, keep_id: int, public: bool) -> dict[str, int]:
    """Every row that points to ``drop_id`` points to ``keep_id`` afterwards. Accounts: an
    organization with an account on both keeps the one on the kept outlet, and the other's
    visits, tasks and responses move to it. Counts are those of ``user``'s organization only."""
    from server.visits.models import Task, Tombstone, Visit

    mine: dict[str, int] = {"accounts": 0, "visits": 0, "responses": 0}
    accounts = session.execute(select(Account).where(Account.outlet_id == drop_id)).scalars().all()
    for account in accounts:
        own = account.org_id == user.org_id
        twin = session.execute(
            select(Account).where(Account.org_id == account.org_id, Account.outlet_id == keep_id)
        ).scalar_one_or_none()
        if twin is None:
            account.outlet_id = keep_id
            mine["accounts"] += own
            continue
        visits = session.execute(
            update(Visit).where(Visit.account_id == account.id).values(account_id=twin.id)
        ).rowcount
        session.execute(update(Task).where(Task.account_id == account.id).values(account_id=twin.id))
        _update_column(session, "survey_responses", "account_id", account.id, twin.id)
        _update_column(session, "account_external_ids", "account_id", account.id, twin.id)
        session.add(Tombstone(org_id=account.org_id, object_type="account", object_id=account.id, user_id=None))
        mine["visits"] += visits if own else 0
        session.delete(account)
    session.flush()
    from server.surveys.models import SurveyResponse

    mine["responses"] = session.execute(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.outlet_id == drop_id, SurveyResponse.org_id == user.org_id)
    ).scalar_one()
    session.execute(update(Correction).where(Correction.outlet_id == drop_id).values(outlet_id=keep_id))
    session.execute(update(OutletChangeNotice).where(OutletChangeNotice.outlet_id == drop_id).values(outlet_id=keep_id))
    session.execute(update(CustomerImportRow).where(CustomerImportRow.outlet_id == drop_id).values(outlet_id=keep_id))
    # Every other table with an outlet_id column (survey responses, analytics facts...).
    handled = {"accounts", "corrections", "outlet_change_notices", "customer_import_rows"}
    for table in db.metadata.sorted_tables:
        if table.name in handled or "outlet_id" not in table.c or table.c.outlet_id.primary_key:
            continue
        session.execute(table.update().where(table.c.outlet_id == drop_id).values(outlet_id=keep_id))
    if (
        public
        and session.execute(select(func.count()).select_from(Account).where(Account.outlet_id == keep_id)).scalar_one()
    ):
        notify(session, keep_id, NoticeKind.MERGED, {"merged_outlet_id": drop_id}, "merge")
    session.flush()
    return mine


def _update_column(session: Session, table_name: str, column: str, old: int, new: int) -> None:
    table = db.metadata.tables.get(table_name)
    if table is not None and column in table.c:
        session.execute(table.update().where(table.c[column] == old).values({column: new}))
