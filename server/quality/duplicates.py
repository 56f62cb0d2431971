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
from sqlalchemy import func, or_, select
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


def refuse_duplicate_account(session: Session, user: User, outlet: Outlet) -> None:
    """Before an account is opened on ``outlet``: 409 when the organization has an account on an
    outlet that looks like it (the same store twice in the data), unless ``?force=true``.

    :raise Problem: ``conflict`` with ``account_id`` and ``duplicates`` (each with its account).
    """
    if _force_flag():
        return
    d = for_bind(session)
    lat, lon = session.execute(select(d.lat(Outlet.geom), d.lon(Outlet.geom)).where(Outlet.id == outlet.id)).one()
    description = {k: getattr(outlet, k) for k in ("name", "banner", "street", "house_number", "postcode", "city")}
    found = likely_duplicates(
        session, user.org_id, {**description, "country": outlet.country, "phone": outlet.phone, "lat": lat, "lon": lon}
    )
    others = {f["outlet_id"]: f for f in found if f["outlet_id"] != outlet.id}
    if not others:
        return
    accounts = session.execute(
        select(Account.outlet_id, Account.id).where(Account.org_id == user.org_id, Account.outlet_id.in_(others))
    ).all()
    if not accounts:
        return
    duplicates = [{**others[outlet_id], "account_id": account_id} for outlet_id, account_id in accounts]
    duplicates.sort(key=lambda item: -item["score"])
    best = duplicates[0]
    raise Problem(
        "conflict",
        f"outlet_id: you have account {best['account_id']} on outlet {best['outlet_id']} ({best['name']}, "
        f"{best['distance_m']:.0f} m away, score {best['score']:.2f}), which looks like the same store. Use that "
        "account, or send the request again with ?force=true.",
        account_id=best["account_id"],
        duplicates=duplicates,
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

    Everything the merge changes is recorded (``OutletMerge.undo``) so that :func:`undo_merge`
    puts it back.

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
    session.flush()
    record: dict[str, Any] = {"outlet": _outlet_row(session, dropped.id), "owned": _owned_rows(session, dropped.id)}
    moved = _move_references(session, user, dropped.id, kept.id, public=dropped.org_id is None, record=record)
    record["filled"] = _fill_gaps(kept, dropped) if kept.org_id is None and dropped.org_id is None else {}
    snapshot = {k: getattr(dropped, k) for k in PUBLIC_FIELDS if k != "position"} if dropped.org_id is None else {}
    others = session.execute(
        select(DuplicatePair).where(
            DuplicatePair.id != pair.id,
            or_(DuplicatePair.outlet_a_id == dropped.id, DuplicatePair.outlet_b_id == dropped.id),
        )
    ).scalars()
    record["pairs"] = []
    for other in others:
        record["pairs"].append(_dump(DuplicatePair.__table__, _table_row(session, DuplicatePair.__table__, other.id)))
        session.delete(other)
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
            undo=record,
        )
    )
    pair.status, pair.resolved_at, pair.resolved_by_id = "merged", utcnow(), user.id
    session.flush()
    session.delete(dropped)
    session.flush()
    return {"pair_id": pair.id, "kept_outlet_id": kept.id, "merged_outlet_id": drop_id, "moved": moved}


def _fill_gaps(kept: Outlet, dropped: Outlet) -> dict[str, Any]:
    """Public facts the kept outlet lacks, from the other; returns the kept outlet's old values."""
    before = {}
    for key in ("banner", "street", "house_number", "postcode", "city", "opening_hours", "phone", "website"):
        if getattr(kept, key) in (None, "") and getattr(dropped, key):
            before[key] = getattr(kept, key)
            setattr(kept, key, getattr(dropped, key))
    kept.refresh_search_text()
    return before


# --- rows kept for undo -----------------------------------------------------------------------


def _dump(table: Any, row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date | dt.datetime) else v) for k, v in row.items()}


def _load(table: Any, row: dict[str, Any]) -> dict[str, Any]:
    """A dumped row back in the column types (dates and times were written as ISO text)."""
    from sqlalchemy import Date, DateTime

    out = {}
    for key, value in row.items():
        column_type = table.c[key].type if key in table.c else None
        if isinstance(value, str) and isinstance(column_type, DateTime):
            value = dt.datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(column_type, Date):
            value = dt.date.fromisoformat(value)
        out[key] = value
    return out


def _plain_columns(table: Any) -> list[Any]:
    return [c for c in table.c if "geometry" not in type(c.type).__name__.lower()]


def _table_row(session: Session, table: Any, row_id: int) -> dict[str, Any]:
    return dict(session.execute(select(*_plain_columns(table)).where(table.c.id == row_id)).mappings().one())


def _outlet_row(session: Session, outlet_id: int) -> dict[str, Any]:
    table = Outlet.__table__
    d = for_bind(session)
    row = _table_row(session, table, outlet_id)
    lon, lat = session.execute(select(d.lon(table.c.geom), d.lat(table.c.geom)).where(table.c.id == outlet_id)).one()
    return {"row": _dump(table, row), "lon": lon, "lat": lat}


def _outlet_tables(primary: bool) -> list[Any]:
    """Tables with an outlet_id column: those where it is part of the key (rows owned by the
    outlet, deleted with it) or not (references that a merge moves)."""
    return [
        t
        for t in db.metadata.sorted_tables
        if t.name != "outlets" and "outlet_id" in t.c and bool(t.c.outlet_id.primary_key) == primary
    ]


def _owned_rows(session: Session, outlet_id: int) -> dict[str, list[dict[str, Any]]]:
    owned = {}
    for table in _outlet_tables(primary=True):
        rows = session.execute(select(*_plain_columns(table)).where(table.c.outlet_id == outlet_id)).mappings()
        dumped = [_dump(table, dict(r)) for r in rows]
        if dumped:
            owned[table.name] = dumped
    return owned


def _keys(session: Session, table: Any, where: Any) -> list[list[Any]]:
    return [list(r) for r in session.execute(select(*table.primary_key.columns).where(where)).all()]


def _where_key(table: Any, key: list[Any]) -> Any:
    from sqlalchemy import and_

    return and_(*(column == value for column, value in zip(table.primary_key.columns, key, strict=True)))


def _move(session: Session, table: Any, column: str, old: int, new: int, moved: dict[str, Any]) -> int:
    """Point ``column`` of the rows that hold ``old`` to ``new``; their keys go to ``moved``."""
    keys = _keys(session, table, table.c[column] == old)
    if keys:
        session.execute(table.update().where(table.c[column] == old).values({column: new}))
        moved.setdefault(table.name, []).extend(keys)
    return len(keys)


def _move_references(
    session: Session, user: User, drop_id: int, keep_id: int, public: bool, record: dict[str, Any]
) -> dict[str, int]:
    """Every row that points to ``drop_id`` points to ``keep_id`` afterwards. Accounts: an
    organization with an account on both keeps the one on the kept outlet, and everything of
    the other (visits, tasks, contacts, responses...) moves to it. Counts are those of
    ``user``'s organization only. What moved is written into ``record``."""
    from server.visits.models import Tombstone

    mine: dict[str, int] = {"accounts": 0, "visits": 0, "responses": 0}
    record.update(accounts=[], moved={}, tombstones=[], notices=[])
    account_tables = [t for t in db.metadata.sorted_tables if t.name != "accounts" and "account_id" in t.c]
    accounts = session.execute(select(Account).where(Account.outlet_id == drop_id)).scalars().all()
    for account in accounts:
        own = account.org_id == user.org_id
        twin = session.execute(
            select(Account).where(Account.org_id == account.org_id, Account.outlet_id == keep_id)
        ).scalar_one_or_none()
        if twin is None:
            account.outlet_id = keep_id  # through the ORM: its version changes, phones pull it
            record["moved"].setdefault("accounts", []).append([account.id])
            mine["accounts"] += own
            continue
        entry: dict[str, Any] = {
            "row": _dump(Account.__table__, _table_row(session, Account.__table__, account.id)),
            "twin_id": twin.id,
            "moved": {},
            "owned": {},
        }
        for table in account_tables:
            if table.c.account_id.primary_key:  # derived rows keyed by account: kept to restore
                rows = session.execute(select(*_plain_columns(table)).where(table.c.account_id == account.id))
                entry["owned"][table.name] = [_dump(table, dict(r)) for r in rows.mappings()]
                session.execute(table.delete().where(table.c.account_id == account.id))
                continue
            count = _move(session, table, "account_id", account.id, twin.id, entry["moved"])
            if table.name == "visits" and own:
                mine["visits"] += count
        tombstone = Tombstone(org_id=account.org_id, object_type="account", object_id=account.id, user_id=None)
        session.add(tombstone)
        session.flush()
        record["tombstones"].append(tombstone.id)
        record["accounts"].append(entry)
        session.delete(account)
    session.flush()
    from server.surveys.models import SurveyResponse

    mine["responses"] = session.execute(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.outlet_id == drop_id, SurveyResponse.org_id == user.org_id)
    ).scalar_one()
    # Every table with an outlet_id column: accounts, corrections, notices, import rows,
    # survey responses, analytics facts...
    for table in _outlet_tables(primary=False):
        _move(session, table, "outlet_id", drop_id, keep_id, record["moved"])
    if (
        public
        and session.execute(select(func.count()).select_from(Account).where(Account.outlet_id == keep_id)).scalar_one()
    ):
        notify(session, keep_id, NoticeKind.MERGED, {"merged_outlet_id": drop_id}, "merge")
        session.flush()
        record["notices"] = list(
            session.execute(
                select(OutletChangeNotice.id).where(
                    OutletChangeNotice.outlet_id == keep_id, OutletChangeNotice.kind == NoticeKind.MERGED.value
                )
            ).scalars()
        )[-1:]
    session.flush()
    return mine


# --- undo -------------------------------------------------------------------------------------


def undo_merge(session: Session, user: User, pair: DuplicatePair) -> dict[str, Any]:
    """Undo the merge of ``pair``: the merged outlet comes back with everything that pointed
    to it, accounts folded into their twin come back with their visits, contacts...; facts
    copied onto the kept outlet are taken back; the pair is open again.

    :raise Problem: 403 without the right; 409 when the pair is not merged, the merge was
        recorded before undo existed, or the kept outlet is gone (merged away since).
    """
    from server.visits.models import Tombstone

    _require_pair_rights(session, user, pair)
    if pair.status != "merged":
        raise Problem("conflict", f"Pair {pair.id} is {pair.status}, not merged.")
    merge_row = session.execute(
        select(OutletMerge).where(OutletMerge.pair_id == pair.id).order_by(OutletMerge.id.desc())
    ).scalar_one_or_none()
    if merge_row is None or not merge_row.undo:
        raise Problem("conflict", f"The merge of pair {pair.id} cannot be undone (no record of what it changed).")
    kept = session.get(Outlet, merge_row.kept_outlet_id)
    if kept is None:
        raise Problem("conflict", f"Outlet {merge_row.kept_outlet_id} was merged or removed since; undo that first.")
    if session.get(Outlet, merge_row.merged_outlet_id) is not None:
        raise Problem("conflict", f"Outlet {merge_row.merged_outlet_id} exists again; nothing to undo.")
    record = merge_row.undo
    d = for_bind(session)
    outlets = Outlet.__table__
    position = d.point(record["outlet"]["lon"], record["outlet"]["lat"])
    session.execute(outlets.insert().values(**_load(outlets, record["outlet"]["row"]), geom=position))
    tables = db.metadata.tables
    for name, rows in record.get("owned", {}).items():
        session.execute(tables[name].insert(), [_load(tables[name], r) for r in rows])
    for name, keys in record.get("moved", {}).items():
        table = tables[name]
        for key in keys:
            if name == "accounts":
                account = session.get(Account, key[0])
                if account is not None:
                    account.outlet_id = merge_row.merged_outlet_id
                continue
            session.execute(table.update().where(_where_key(table, key)).values(outlet_id=merge_row.merged_outlet_id))
    for entry in record.get("accounts", []):
        accounts = Account.__table__
        row = _load(accounts, entry["row"])
        row["updated_at"] = utcnow()  # phones pull it again
        session.execute(accounts.insert().values(**row))
        for name, keys in entry["moved"].items():
            table = tables[name]
            for key in keys:
                session.execute(table.update().where(_where_key(table, key)).values(account_id=row["id"]))
        for name, rows in entry["owned"].items():
            if rows:
                session.execute(tables[name].insert(), [_load(tables[name], r) for r in rows])
    if record.get("tombstones"):
        session.execute(Tombstone.__table__.delete().where(Tombstone.__table__.c.id.in_(record["tombstones"])))
    if record.get("notices"):
        session.execute(
            OutletChangeNotice.__table__.delete().where(OutletChangeNotice.__table__.c.id.in_(record["notices"]))
        )
    for key, value in record.get("filled", {}).items():
        setattr(kept, key, value)
    kept.refresh_search_text()
    for row in record.get("pairs", []):
        session.execute(DuplicatePair.__table__.insert().values(**_load(DuplicatePair.__table__, row)))
    pair.status, pair.resolved_at, pair.resolved_by_id = "open", None, None
    session.delete(merge_row)
    session.flush()
    return {"pair_id": pair.id, "kept_outlet_id": kept.id, "restored_outlet_id": merge_row.merged_outlet_id}
