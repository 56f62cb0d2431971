"""Accounts, contacts, custom fields and territories: the rules, callable without HTTP.

Reads go through server.tenancy (organization and role visibility); writes check the
role's permission and that every referenced object (rep, territory, outlet) is one
the user may see. Functions flush; the request boundary commits.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import phonenumbers
from shapely.geometry import MultiPolygon, Polygon, shape
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from server.accounts.models import Account, Contact, CustomFieldDefinition, FieldType, Territory, TerritoryRep
from server.auth.models import Role, User, utcnow
from server.auth.permissions import require
from server.dialects import BBox, for_bind
from server.errors import Problem, field_error
from server.outlets.models import Outlet, outlet_rank_key, outlet_search_text
from server.tenancy import account_visibility, get_scoped, outlet_visibility, scoped, team_ids
from server.text import query_terms
from server.visits.models import Tombstone

# --- custom fields ---------------------------------------------------------------------


def definitions(session: Session, org_id: int) -> dict[str, CustomFieldDefinition]:
    rows = session.execute(select(CustomFieldDefinition).where(CustomFieldDefinition.org_id == org_id)).scalars()
    return {d.key: d for d in rows}


def validate_custom(
    session: Session, org_id: int, values: dict[str, Any], *, creating: bool, current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Custom field values checked against the organization's definitions.

    :raise Problem: ``validation-error`` naming ``custom.<key>`` for an unknown key,
        a value of the wrong type, a choice not offered, or a missing required field.
    """
    defs = definitions(session, org_id)
    result = dict(current or {})
    errors = []
    for key, value in values.items():
        definition = defs.get(key)
        if definition is None:
            errors.append((key, f"no custom field '{key}' is defined (known: {', '.join(sorted(defs)) or 'none'})"))
            continue
        if value is None:
            if definition.required:
                errors.append((key, "is required"))
            result.pop(key, None)
            continue
        message = _check_value(definition, value)
        if message:
            errors.append((key, message))
        else:
            result[key] = value
    if creating:
        for key, definition in defs.items():
            if definition.required and result.get(key) is None and key not in dict(errors):
                errors.append((key, "is required"))
    if errors:
        raise Problem(
            "validation-error",
            "; ".join(f"custom.{k}: {m}" for k, m in errors),
            errors=[{"field": f"custom.{k}", "in": "body", "message": m} for k, m in errors],
        )
    return result


def _check_value(definition: CustomFieldDefinition, value: Any) -> str | None:
    kind = FieldType(definition.type)
    if kind == FieldType.TEXT:
        if not isinstance(value, str):
            return "must be text"
        if len(value) > 1000:
            return "must have at most 1000 characters"
    elif kind == FieldType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return "must be a number"
    elif kind == FieldType.CHOICE:
        if value not in (definition.choices or []):
            return f"must be one of: {', '.join(definition.choices or [])}"
    elif kind == FieldType.DATE:
        try:
            dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return "must be a date such as 2026-11-25"
        if not isinstance(value, str) or len(value) != 10:
            return "must be a date such as 2026-11-25"
    return None


# --- phones -----------------------------------------------------------------------------


def normalise_phone(value: str | None, country: str | None, field: str = "phone") -> str | None:
    """A phone number in E.164 (``+4989123456``); national numbers are read in ``country``.

    :raise Problem: ``validation-error`` when it is not a valid number.
    """
    if value is None or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value, (country or "DE").upper())
    except phonenumbers.NumberParseException as exc:
        raise field_error(field, f"'{value}' is not a phone number ({exc})", "body") from None
    if not phonenumbers.is_valid_number(number):
        raise field_error(field, f"'{value}' is not a valid phone number for its country", "body")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- accounts: reading ------------------------------------------------------------------


def account_json(
    account: Account,
    *,
    distance_m: float | None = None,
    reps: dict[int, User] | None = None,
    coords: tuple[float, float] | None = None,
) -> dict[str, Any]:
    outlet = account.outlet
    rep = reps.get(account.assigned_rep_id) if reps and account.assigned_rep_id else None
    now = utcnow()
    due = _aware(account.visit_due_at)
    body: dict[str, Any] = {
        "id": account.id,
        "outlet": {
            "id": outlet.id,
            "name": outlet.name,
            "banner": outlet.banner,
            "format": outlet.format,
            "street": outlet.street,
            "house_number": outlet.house_number,
            "postcode": outlet.postcode,
            "city": outlet.city,
            "country": outlet.country,
            "private": outlet.org_id is not None,
            "lat": round(coords[0], 6) if coords else None,
            "lon": round(coords[1], 6) if coords else None,
        },
        "status": account.status,
        "account_class": account.account_class,
        "visit_every_weeks": account.visit_every_weeks,
        "assigned_rep_id": account.assigned_rep_id,
        "assigned_rep_name": rep.name if rep else None,
        "distributor": account.distributor,
        "custom": account.custom or {},
        "tags": account.tags or [],
        "notes": account.notes,
        "last_visit_at": _iso(account.last_visit_at),
        "visit_due_at": _iso(account.visit_due_at),
        "overdue": bool(account.visit_every_weeks) and (due is None or due < now),
        "version": account.version,
        "created_at": _iso(account.created_at),
        "updated_at": _iso(account.updated_at),
    }
    if distance_m is not None:
        body["distance_m"] = round(distance_m, 1)
    return body


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _aware(value).isoformat()  # type: ignore[union-attr]
    return value.isoformat()


def territory_geometry(session: Session, territory: Territory) -> MultiPolygon:
    d = for_bind(session)
    text = session.execute(select(d.as_geojson(Territory.geom)).where(Territory.id == territory.id)).scalar_one()
    return shape(json.loads(text))


def account_query(session: Session, user: User, args: dict[str, Any]) -> tuple[Select[Any], Any]:
    """The filtered, sorted SELECT of (Account, lat, lon[, distance]) for the list and the export.

    :raise Problem: 404 for a rep or territory id the user cannot see.
    """
    d = for_bind(session)
    lat_col, lon_col = d.lat(Outlet.geom).label("lat"), d.lon(Outlet.geom).label("lon")
    columns: list[Any] = [Account, lat_col, lon_col]
    query = select(*columns).join(Outlet, Outlet.id == Account.outlet_id).where(account_visibility(user))
    if args.get("status"):
        query = query.where(Account.status.in_(args["status"]))
    if args.get("account_class"):
        query = query.where(Account.account_class.in_(args["account_class"]))
    rep = args.get("rep")
    if rep == "me":
        query = query.where(Account.assigned_rep_id == user.id)
    elif rep == "none":
        query = query.where(Account.assigned_rep_id.is_(None))
    elif rep is not None:
        _visible_user(user, int(rep), "rep")
        query = query.where(Account.assigned_rep_id == int(rep))
    territory = args.get("territory")
    if territory == "none":
        inside_any = exists().where(Territory.org_id == user.org_id, d.geoms_intersect(Territory.geom, Outlet.geom))
        query = query.where(~inside_any)
    elif territory is not None:
        t = _visible_territory(user, int(territory), "territory")
        geometry = territory_geometry(session, t)
        query = query.where(d.intersects(Outlet.geom, Outlet.id, geometry.wkt, BBox(*geometry.bounds)))
    if args.get("overdue") is not None:
        overdue = and_(
            Account.visit_every_weeks.is_not(None), or_(Account.visit_due_at.is_(None), Account.visit_due_at < utcnow())
        )
        query = query.where(overdue if args["overdue"] else ~overdue)
    if args.get("tag"):
        query = query.where(d.json_array_contains(Account.tags, Account.__table__.c.tags, args["tag"]))
    if args.get("format"):
        query = query.where(Outlet.format.in_(args["format"]))
    if args.get("banner"):
        query = query.where(d.casefold(Outlet.banner).in_([b.casefold() for b in args["banner"]]))
    if args.get("q"):
        terms = query_terms(args["q"])
        if terms:
            query = query.where(d.text_match(Outlet.id, Outlet.search_text, terms))
    distance = None
    if args.get("near"):
        lat, lon = args["near"]
        distance = d.distance_m(Outlet.geom, lon, lat).label("distance_m")
        query = query.add_columns(distance)
        if args.get("radius"):
            query = query.where(d.within_m(Outlet.geom, Outlet.id, lon, lat, args["radius"]))
    sort = args.get("sort") or ("distance" if args.get("near") else "id")
    order: list[Any] = {
        "id": [Account.id],
        "name": [Outlet.name, Account.id],
        "class": [func.coalesce(Account.account_class, "Z"), Account.id],
        "distance": [distance, Account.id],
        "due": [func.coalesce(Account.visit_due_at, dt.datetime(1970, 1, 1, tzinfo=dt.UTC)), Account.id],
        "last_visit": [Account.last_visit_at, Account.id],
    }[sort]
    return query.order_by(*order), distance


def _visible_user(user: User, user_id: int, field: str) -> User:
    try:
        return get_scoped(User, user_id, what="user", user=user)
    except Problem:
        raise Problem(
            "not-found",
            f"{field}: there is no user {user_id}.",
            errors=[{"field": field, "in": "query", "message": f"no user {user_id}"}],
        ) from None


def _visible_territory(user: User, territory_id: int, field: str) -> Territory:
    try:
        return get_scoped(Territory, territory_id, what="territory", user=user)
    except Problem:
        raise Problem(
            "not-found",
            f"{field}: there is no territory {territory_id}.",
            errors=[{"field": field, "in": "query", "message": f"no territory {territory_id}"}],
        ) from None


def list_accounts(session: Session, user: User, args: dict[str, Any]) -> dict[str, Any]:
    require(user, "accounts.read")
    query, distance = account_query(session, user, args)
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    rows = session.execute(query.limit(args["limit"]).offset(args["offset"])).all()
    if not rows and args["offset"]:
        raise field_error("offset", f"offset {args['offset']} is past the end of the results ({total} in total)")
    reps = _reps_of(session, [r[0] for r in rows])
    items = [
        account_json(r[0], distance_m=r[3] if distance is not None else None, reps=reps, coords=(r[1], r[2]))
        for r in rows
    ]
    return {"items": items, "total": total, "limit": args["limit"], "offset": args["offset"]}


def _reps_of(session: Session, accounts: Sequence[Account]) -> dict[int, User]:
    ids = {a.assigned_rep_id for a in accounts if a.assigned_rep_id}
    if not ids:
        return {}
    return {u.id: u for u in session.execute(select(User).where(User.id.in_(ids))).scalars()}


def get_account_json(session: Session, user: User, account_id: int) -> dict[str, Any]:
    account = get_scoped(Account, account_id, what="account", user=user)
    d = for_bind(session)
    lat, lon = session.execute(
        select(d.lat(Outlet.geom), d.lon(Outlet.geom)).where(Outlet.id == account.outlet_id)
    ).one()
    body = account_json(account, reps=_reps_of(session, [account]), coords=(lat, lon))
    body["contacts"] = [contact_json(c) for c in account.contacts]
    return body


# --- accounts: writing ------------------------------------------------------------------


def _check_rep(session: Session, user: User, rep_id: int | None, field: str = "assigned_rep_id") -> None:
    """The rep must be an active rep (or manager) the user may assign: a manager only their team."""
    if rep_id is None:
        return
    try:
        rep = get_scoped(User, rep_id, what="user", user=user)
    except Problem:
        raise field_error(field, f"there is no user {rep_id}", "body") from None
    if rep.role not in (Role.REP, Role.MANAGER) or not rep.active:
        raise field_error(field, f"user {rep_id} is not an active rep", "body")
    if Role(user.role) == Role.MANAGER and rep_id not in team_ids(user):
        raise field_error(field, f"user {rep_id} is not in your team", "body")


def create_account(session: Session, user: User, data: dict[str, Any]) -> Account:
    require(user, "accounts.write")
    if "outlet" in data:
        outlet = _create_private_outlet(session, user, data["outlet"])
    else:
        outlet = session.execute(
            select(Outlet).where(Outlet.id == data["outlet_id"], outlet_visibility(user.org_id))
        ).scalar_one_or_none()
        if outlet is None:
            raise field_error("outlet_id", f"there is no outlet {data['outlet_id']}", "body")
    duplicate = session.execute(
        select(Account.id).where(Account.org_id == user.org_id, Account.outlet_id == outlet.id)
    ).scalar_one_or_none()
    if duplicate is not None:
        raise Problem("conflict", f"Outlet {outlet.id} is already account {duplicate}.", account_id=duplicate)
    if "outlet" not in data:
        # Data quality: the same store twice in the data, and an account on the other one (409 unless ?force=true).
        from server.quality.duplicates import refuse_duplicate_account

        refuse_duplicate_account(session, user, outlet)
    _check_rep(session, user, data.get("assigned_rep_id"))
    account = Account(org_id=user.org_id, outlet_id=outlet.id, status=data.get("status", "prospect"))
    account.outlet = outlet
    _apply_fields(session, user, account, data, creating=True)
    session.add(account)
    session.flush()
    return account


def _create_private_outlet(session: Session, user: User, data: dict[str, Any]) -> Outlet:
    require(user, "outlets.create_private")
    from server.outlets import opening_hours

    if data.get("opening_hours"):
        try:
            data["opening_hours"] = opening_hours.validate(data["opening_hours"])
        except opening_hours.OpeningHoursError as exc:
            raise field_error("outlet.opening_hours", exc.message, "body") from None
    phone = normalise_phone(data.get("phone"), data["country"], "outlet.phone")
    # Data quality: outlets that look like this one are answered first (409 unless ?force=true).
    from server.quality.duplicates import refuse_likely_duplicates

    refuse_likely_duplicates(session, user, {**data, "phone": phone})
    d = for_bind(session)
    outlet = Outlet(
        name=data["name"],
        banner=data.get("banner"),
        format=data["format"],
        street=data.get("street"),
        house_number=data.get("house_number"),
        postcode=data.get("postcode"),
        city=data["city"],
        country=data["country"],
        opening_hours=data.get("opening_hours"),
        phone=phone,
        website=data.get("website"),
        status="unverified",
        source=f"org:{user.org_id}",
        source_id=str(uuid.uuid4()),
        org_id=user.org_id,
        geom=d.point(data["lon"], data["lat"]),
        last_verified_at=dt.date.today(),
    )
    outlet.rank_key = outlet_rank_key(outlet.source, outlet.source_id)
    outlet.search_text = outlet_search_text(
        outlet.name, outlet.banner, outlet.street, outlet.house_number, outlet.postcode, outlet.city
    )
    session.add(outlet)
    session.flush()
    return outlet


CLOCKED_FIELDS = (
    "status",
    "account_class",
    "visit_every_weeks",
    "assigned_rep_id",
    "distributor",
    "tags",
    "custom",
    "notes",
)


def _apply_fields(
    session: Session,
    user: User,
    account: Account,
    data: dict[str, Any],
    *,
    creating: bool,
    clock_at: dt.datetime | None = None,
) -> None:
    """Set the given fields; ``field_clock`` records when each changed value was written
    (the phone's time for offline edits, else now) for the sync's field-level merge."""
    before = {key: getattr(account, key) for key in CLOCKED_FIELDS}
    if "status" in data and data["status"] != account.status:
        account.status = data["status"]
        account.status_changed_at = utcnow()
    for key in ("account_class", "distributor", "notes"):
        if key in data:
            setattr(account, key, data[key])
    if "visit_every_weeks" in data:
        account.visit_every_weeks = data["visit_every_weeks"]
    elif creating and account.visit_every_weeks is None:
        account.visit_every_weeks = user.organization.setting("default_visit_every_weeks")
    if "assigned_rep_id" in data and data["assigned_rep_id"] != account.assigned_rep_id:
        if account.assigned_rep_id is not None and not creating:
            # The previous rep's phone must forget the account at its next pull.
            session.add(
                Tombstone(
                    org_id=account.org_id, object_type="account", object_id=account.id, user_id=account.assigned_rep_id
                )
            )
        account.assigned_rep_id = data["assigned_rep_id"]
    if "tags" in data:
        account.tags = sorted({t.strip() for t in data["tags"] if t.strip()})
    if "custom" in data or creating:
        account.custom = validate_custom(
            session, user.org_id, data.get("custom", {}), creating=creating, current=account.custom
        )
    account.set_visit_due()
    stamp = (clock_at or utcnow()).isoformat()
    changed = [key for key in CLOCKED_FIELDS if getattr(account, key) != before[key]]
    if changed:
        account.field_clock = {**(account.field_clock or {}), **{key: stamp for key in changed}}


def apply_account_changes(
    session: Session, user: User, account: Account, data: dict[str, Any], *, clock_at: dt.datetime
) -> None:
    """Field changes from a phone (the sync decides which fields a role may send)."""
    _apply_fields(session, user, account, data, creating=False, clock_at=clock_at)
    session.flush()


def update_account(session: Session, user: User, account_id: int, data: dict[str, Any]) -> Account:
    account = get_scoped(Account, account_id, what="account", user=user)
    require(user, "accounts.write")
    if "version" in data and data["version"] != account.version:
        raise Problem(
            "conflict",
            f"Account {account_id} was changed meanwhile (version {account.version}, "
            f"you edited {data['version']}); reload it.",
            current_version=account.version,
        )
    if "assigned_rep_id" in data and data["assigned_rep_id"] != account.assigned_rep_id:
        _check_rep(session, user, data["assigned_rep_id"])
    _apply_fields(session, user, account, data, creating=False)
    session.flush()
    return account


def delete_account(session: Session, user: User, account_id: int) -> None:
    account = get_scoped(Account, account_id, what="account", user=user)
    require(user, "accounts.write")
    session.add(Tombstone(org_id=account.org_id, object_type="account", object_id=account.id, user_id=None))
    session.delete(account)
    session.flush()


def bulk_update(session: Session, user: User, ids: list[int], changes: dict[str, Any]) -> int:
    """Apply the same change to many accounts; all or nothing.

    :raise Problem: 404 listing the ids the user cannot see.
    """
    require(user, "accounts.write")
    unique = sorted(set(ids))
    accounts = session.execute(scoped(Account, user).where(Account.id.in_(unique))).scalars().all()
    missing = sorted(set(unique) - {a.id for a in accounts})
    if missing:
        shown = ", ".join(map(str, missing[:20])) + (" …" if len(missing) > 20 else "")
        raise Problem(
            "not-found",
            f"No accounts {shown}; nothing was changed.",
            errors=[{"field": "ids", "in": "body", "message": f"unknown ids: {shown}"}],
        )
    if "assigned_rep_id" in changes:
        _check_rep(session, user, changes["assigned_rep_id"], "set.assigned_rep_id")
    add, remove = set(changes.pop("add_tags", [])), set(changes.pop("remove_tags", []))
    for account in accounts:
        _apply_fields(session, user, account, changes, creating=False)
        if add or remove:
            account.tags = sorted((set(account.tags or []) | add) - remove)
    session.flush()
    return len(accounts)


# --- contacts ---------------------------------------------------------------------------


def contact_json(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "account_id": contact.account_id,
        "name": contact.name,
        "role": contact.role,
        "phone": contact.phone,
        "email": contact.email,
        "preferred_language": contact.preferred_language,
        "consent": contact.consent,
        "consent_at": _iso(contact.consent_at),
        "consent_note": contact.consent_note,
        "erased": contact.erased_at is not None,
        "created_at": _iso(contact.created_at),
        "updated_at": _iso(contact.updated_at),
    }


def save_contact(session: Session, user: User, contact: Contact, data: dict[str, Any], country: str) -> Contact:
    require(user, "contacts.write")
    if contact.erased_at is not None:
        raise Problem("conflict", "This contact was erased; create a new one instead.")
    for key in ("name", "role", "preferred_language", "consent_note"):
        if key in data:
            setattr(contact, key, data[key])
    if "email" in data:
        contact.email = data["email"].strip().lower() if data["email"] else None
    if "phone" in data:
        contact.phone = normalise_phone(data["phone"], country)
    if "consent" in data and data["consent"] != contact.consent:
        contact.consent = data["consent"]
        contact.consent_at = utcnow()
    session.add(contact)
    session.flush()
    return contact


PERSONAL_FIELDS = ("name", "role", "phone", "email", "preferred_language", "consent_note")


def erase_contact(session: Session, contact: Contact) -> None:
    """GDPR erasure: personal fields removed, also from the audit trail; the history stays."""
    from sqlalchemy import update

    from server.auth.models import AuditLog

    for key in PERSONAL_FIELDS:
        setattr(contact, key, None)
    contact.consent = False
    contact.erased_at = utcnow()
    contact._audit_action = "erase"  # type: ignore[attr-defined]
    session.flush()
    entries = session.execute(
        select(AuditLog).where(
            AuditLog.org_id == contact.org_id, AuditLog.object_type == "contact", AuditLog.object_id == contact.id
        )
    ).scalars()
    for entry in entries:
        changes = dict(entry.changes or {})
        for key in PERSONAL_FIELDS:
            if key in changes:
                changes[key] = ["(erased)" if v is not None else None for v in changes[key]]
        session.execute(update(AuditLog).where(AuditLog.id == entry.id).values(changes=changes))


def gdpr_export(session: Session, contact: Contact) -> dict[str, Any]:
    """Everything held about a contact, with the account it belongs to and its history."""
    from server.auth.models import AuditLog, Organization

    history = session.execute(
        select(AuditLog)
        .where(AuditLog.org_id == contact.org_id, AuditLog.object_type == "contact", AuditLog.object_id == contact.id)
        .order_by(AuditLog.id)
    ).scalars()
    outlet = contact.account.outlet
    return {
        "exported_at": utcnow().isoformat(),
        "controller": session.get(Organization, contact.org_id).name,
        "contact": contact_json(contact),
        "account": {
            "id": contact.account_id,
            "outlet": {"name": outlet.name, "street": outlet.street, "postcode": outlet.postcode, "city": outlet.city},
        },
        "history": [{"at": _iso(h.at), "action": h.action, "changes": h.changes} for h in history],
    }


def anonymise_lost_contacts(
    session: Session, *, org_id: int | None = None, months: int | None = None, now: dt.datetime | None = None
) -> int:
    """Erase the contacts of accounts lost for longer than each organization's retention setting."""
    from server.auth.models import Organization

    now = now or utcnow()
    orgs = (
        session.execute(select(Organization).where(Organization.id == org_id) if org_id else select(Organization))
        .scalars()
        .all()
    )
    erased = 0
    for org in orgs:
        keep = months if months is not None else int(org.setting("anonymise_lost_contacts_after_months"))
        cutoff = now - dt.timedelta(days=round(keep * 30.44))
        contacts = (
            session.execute(
                select(Contact)
                .join(Account, Account.id == Contact.account_id)
                .where(
                    Contact.org_id == org.id,
                    Contact.erased_at.is_(None),
                    Account.status == "lost",
                    Account.status_changed_at < cutoff,
                )
            )
            .scalars()
            .all()
        )
        for contact in contacts:
            erase_contact(session, contact)
            erased += 1
    return erased


# --- territories ------------------------------------------------------------------------


def territory_json(session: Session, territory: Territory) -> dict[str, Any]:
    rep_ids = (
        session.execute(
            select(TerritoryRep.user_id).where(TerritoryRep.territory_id == territory.id).order_by(TerritoryRep.user_id)
        )
        .scalars()
        .all()
    )
    return {
        "id": territory.id,
        "name": territory.name,
        "color": territory.color,
        "rep_ids": list(rep_ids),
        "geometry": territory_geometry(session, territory).__geo_interface__,
        "created_at": _iso(territory.created_at),
        "updated_at": _iso(territory.updated_at),
    }


def save_territory(session: Session, user: User, territory: Territory, data: dict[str, Any]) -> Territory:
    from flask import current_app

    from server.outlets.geometry import polygon_from_geojson

    require(user, "territories.write")
    if "geometry" in data:
        try:
            polygon = polygon_from_geojson(data["geometry"], current_app.config["RAYON"].max_polygon_vertices)
        except Problem as problem:
            for error in problem.errors:
                error["field"] = "geometry." + error["field"] if error["field"] != "(body)" else "geometry"
            raise
        multi = MultiPolygon([polygon]) if isinstance(polygon, Polygon) else polygon
        territory.geom = for_bind(session).geometry(multi.wkt)
    for key in ("name", "color"):
        if key in data:
            setattr(territory, key, data[key])
    session.add(territory)
    session.flush()
    if "rep_ids" in data:
        for rep_id in data["rep_ids"]:
            _check_rep(session, user, rep_id, "rep_ids")
        current = set(
            session.execute(select(TerritoryRep.user_id).where(TerritoryRep.territory_id == territory.id)).scalars()
        )
        wanted = set(data["rep_ids"])
        for rep_id in current - wanted:
            session.delete(session.get(TerritoryRep, (territory.id, rep_id)))
        for rep_id in sorted(wanted - current):
            session.add(TerritoryRep(territory_id=territory.id, user_id=rep_id))
        session.flush()
    session.expire(territory, ["geom"])
    return territory


def assign_territory(
    session: Session, user: User, territory: Territory, rep_id: int | None, only_unassigned: bool
) -> int:
    """Assign every visible account inside the territory to ``rep_id``."""
    require(user, "accounts.write")
    _check_rep(session, user, rep_id, "rep_id")
    query, _ = account_query(session, user, {"territory": str(territory.id)})
    accounts = [row[0] for row in session.execute(query)]
    changed = 0
    for account in accounts:
        if only_unassigned and account.assigned_rep_id is not None:
            continue
        if account.assigned_rep_id != rep_id:
            account.assigned_rep_id = rep_id
            changed += 1
    session.flush()
    return changed


def export_rows(session: Session, user: User, args: dict[str, Any]) -> Iterator[list[Any]]:
    """Header then one row per account the filter shows (for CSV/XLSX)."""
    require(user, "accounts.export")
    # Plain values only: the rows are produced while the response streams, after the
    # request's session has committed and let go of its objects.
    keys = sorted(definitions(session, user.org_id))
    query, _ = account_query(session, user, args)
    reps = {
        row.id: (row.name, row.email)
        for row in session.execute(select(User.id, User.name, User.email).where(User.org_id == user.org_id))
    }
    yield [
        "account_id",
        "outlet_id",
        "name",
        "banner",
        "format",
        "street",
        "house_number",
        "postcode",
        "city",
        "country",
        "lat",
        "lon",
        "status",
        "class",
        "visit_every_weeks",
        "assigned_rep",
        "assigned_rep_email",
        "distributor",
        "tags",
        "last_visit_at",
        "visit_due_at",
        "notes",
        *[f"custom.{k}" for k in keys],
    ]
    for row in session.execute(query.limit(args.get("limit", 1_000_000))).yield_per(1000):
        account, lat, lon = row[0], row[1], row[2]
        outlet = account.outlet
        rep_name, rep_email = reps.get(account.assigned_rep_id or 0, (None, None))
        yield [
            account.id,
            outlet.id,
            outlet.name,
            outlet.banner,
            outlet.format,
            outlet.street,
            outlet.house_number,
            outlet.postcode,
            outlet.city,
            outlet.country,
            round(lat, 6),
            round(lon, 6),
            account.status,
            account.account_class,
            account.visit_every_weeks,
            rep_name,
            rep_email,
            account.distributor,
            ";".join(account.tags or []),
            _iso(account.last_visit_at),
            _iso(account.visit_due_at),
            account.notes,
            *[(account.custom or {}).get(k) for k in keys],
        ]
