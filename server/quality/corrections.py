"""Shared corrections of public outlet facts: any rep proposes, two brands (or a moderator) decide.

Like drivers reporting on a map, reps of every brand keep the shared outlet data right:
closed, reopened, moved, renamed (name or banner), opening hours, the store's public phone
and website, format, or a store missing from the database.

Privacy by construction:

* ``values`` of each kind has a strict schema holding public facts only. Anything else (a
  contact, a brand's notes, a customer status, a free comment) is refused with a 422 naming
  the field, so private data cannot enter a correction at all;
* who proposed or voted is stored but never shown to another organization: they see counts
  of organizations, and ``yours`` for their own;
* a proposal withdrawn by its organization is seen by that organization only.

Decision. The proposer's organization confirms by proposing. A correction becomes public
(applied to the outlet, every changed fact recording ``source=correction`` and today's
verification date) when users of **two different organizations** confirm it, or when a
**moderator** (a platform role, :class:`PlatformModerator`) confirms it. Two organizations
rejecting it, or a moderator, reject it. The same proposal again (same outlet and kind,
equivalent values: positions within 30 m, the same opening hours once normalised...)
is a confirmation, not a new proposal; a different one for the same outlet and kind is a
conflicting proposal, and both are shown side by side. When one is accepted, the others
are superseded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.auth.models import User, utcnow
from server.auth.permissions import require
from server.dialects import haversine_m
from server.errors import Problem, field_error, flatten_messages
from server.outlets.models import Outlet, OutletFormat
from server.quality import facts
from server.quality.models import (
    Correction,
    CorrectionKind,
    CorrectionStatus,
    CorrectionVote,
    PlatformModerator,
)
from server.tenancy import outlet_visibility
from server.text import fold

SAME_POSITION_M = 30.0
ORGANIZATIONS_TO_ACCEPT = 2
FORMATS = [f.value for f in OutletFormat]


class _Strict(Schema):
    class Meta:
        unknown = "raise"


class _Nothing(_Strict):
    pass


class _Moved(_Strict):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))


class _Renamed(_Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    banner = fields.String(validate=validate.Length(min=1, max=100), allow_none=True)

    @validates_schema
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("give name, banner or both", "name")


class _OpeningHours(_Strict):
    opening_hours = fields.String(required=True, validate=validate.Length(min=1, max=255), allow_none=True)


class _Contact(_Strict):
    phone = fields.String(validate=validate.Length(max=40), allow_none=True)
    website = fields.Url(validate=validate.Length(max=300), allow_none=True)

    @validates_schema
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("give phone, website or both (null removes one)", "phone")


class _Format(_Strict):
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))


class _NewOutlet(_Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    banner = fields.String(validate=validate.Length(max=100), allow_none=True)
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    street = fields.String(validate=validate.Length(max=200), allow_none=True)
    house_number = fields.String(validate=validate.Length(max=20), allow_none=True)
    postcode = fields.String(validate=validate.Length(max=12), allow_none=True)
    city = fields.String(required=True, validate=validate.Length(min=1, max=120))
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="two capital letters"))
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    opening_hours = fields.String(validate=validate.Length(max=255), allow_none=True)
    phone = fields.String(validate=validate.Length(max=40), allow_none=True)
    website = fields.Url(validate=validate.Length(max=300), allow_none=True)


VALUES: dict[str, type[Schema]] = {
    CorrectionKind.CLOSED: _Nothing,
    CorrectionKind.REOPENED: _Nothing,
    CorrectionKind.VERIFIED: _Nothing,
    CorrectionKind.MOVED: _Moved,
    CorrectionKind.RENAMED: _Renamed,
    CorrectionKind.OPENING_HOURS: _OpeningHours,
    CorrectionKind.CONTACT: _Contact,
    CorrectionKind.FORMAT: _Format,
    CorrectionKind.NEW_OUTLET: _NewOutlet,
}
KINDS = [k.value for k in CorrectionKind]


class ProposalSchema(_Strict):
    """A proposed correction. ``values`` holds public facts only; its fields depend on ``kind``."""

    outlet_id = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1), metadata={"description": "the outlet (not for kind new_outlet)"}
    )
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    values = fields.Dict(
        load_default=dict,
        metadata={
            "description": "closed, reopened, verified: {}; moved: {lat, lon}; renamed: {name, banner}; "
            "opening_hours: {opening_hours}; contact: {phone, website}; format: {format}; new_outlet: "
            "{name, banner, format, street, house_number, postcode, city, country, lat, lon, opening_hours, "
            "phone, website}"
        },
    )

    @validates_schema
    def _outlet(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("kind") == CorrectionKind.NEW_OUTLET and "outlet_id" in data:
            raise ValidationError("a new outlet has no outlet_id yet", "outlet_id")
        if data.get("kind") not in (None, CorrectionKind.NEW_OUTLET) and "outlet_id" not in data:
            raise ValidationError("required for this kind", "outlet_id")


class VoteSchema(_Strict):
    vote = fields.String(required=True, validate=validate.OneOf(["confirm", "reject"]))


# --- who may decide ------------------------------------------------------------------------------


def is_moderator(session: Session, user: User) -> bool:
    return session.get(PlatformModerator, user.id) is not None


def correction_visibility(user: User) -> Any:
    """Proposals are shared with every organization, except those withdrawn by their own."""
    return or_(Correction.status != CorrectionStatus.WITHDRAWN.value, Correction.proposer_org_id == user.org_id)


def get_correction(session: Session, user: User, correction_id: int) -> Correction:
    correction = session.execute(
        select(Correction).where(Correction.id == correction_id, correction_visibility(user))
    ).scalar_one_or_none()
    if correction is None:
        raise Problem("not-found", f"There is no correction {correction_id}.")
    return correction


# --- values -------------------------------------------------------------------------------------


def _load_values(kind: str, values: Any) -> dict[str, Any]:
    try:
        return VALUES[kind]().load(values if isinstance(values, dict) else {})
    except ValidationError as exc:
        errors = flatten_messages(exc.messages, "body", "values")
        for error in errors:
            if "Unknown field" in error["message"]:
                error["message"] = f"not a public fact of a {kind} correction (private data never enters one)"
        raise Problem(
            "validation-error", "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]), errors=errors
        ) from None


def _public_outlet(session: Session, user: User, outlet_id: int) -> Outlet:
    outlet = session.execute(
        select(Outlet).where(Outlet.id == outlet_id, outlet_visibility(user.org_id))
    ).scalar_one_or_none()
    if outlet is None:
        raise Problem(
            "not-found",
            f"outlet_id: there is no outlet {outlet_id}.",
            errors=[{"field": "outlet_id", "in": "body", "message": f"no outlet {outlet_id}"}],
        )
    if outlet.org_id is not None:
        raise field_error(
            "outlet_id", "this outlet is your organization's private outlet; corrections are for public outlets", "body"
        )
    return outlet


def _check(session: Session, user: User, kind: str, values: dict[str, Any], outlet: Outlet | None) -> dict[str, Any]:
    """Kind-specific checks; returns the canonical values."""
    from server.accounts.service import normalise_phone
    from server.outlets import opening_hours

    if kind == CorrectionKind.CLOSED and outlet.status == "closed":  # type: ignore[union-attr]
        raise Problem("conflict", f"Outlet {outlet.id} is closed already.")  # type: ignore[union-attr]
    if kind == CorrectionKind.REOPENED and outlet.status != "closed":  # type: ignore[union-attr]
        raise Problem("conflict", f"Outlet {outlet.id} is not closed.")  # type: ignore[union-attr]
    if kind == CorrectionKind.MOVED:
        lat, lon = facts.position_of(session, outlet.id)  # type: ignore[union-attr]
        if haversine_m(lon, lat, values["lon"], values["lat"]) < 5:
            raise field_error("values.lat", "that is where the outlet is already", "body")
        values = {"lat": round(values["lat"], 6), "lon": round(values["lon"], 6)}
    if kind in (CorrectionKind.OPENING_HOURS, CorrectionKind.NEW_OUTLET) and values.get("opening_hours"):
        try:
            values["opening_hours"] = opening_hours.validate(values["opening_hours"])
        except opening_hours.OpeningHoursError as exc:
            raise field_error("values.opening_hours", exc.message, "body") from None
    if kind in (CorrectionKind.CONTACT, CorrectionKind.NEW_OUTLET) and values.get("phone"):
        country = values.get("country") or outlet.country  # type: ignore[union-attr]
        values["phone"] = normalise_phone(values["phone"], country, "values.phone")
    if kind == CorrectionKind.RENAMED:
        if all(values.get(k, getattr(outlet, k)) == getattr(outlet, k) for k in ("name", "banner")):
            raise field_error("values.name", "the outlet has this name and banner already", "body")
    if kind == CorrectionKind.FORMAT and values["format"] == outlet.format:  # type: ignore[union-attr]
        raise field_error("values.format", f"the outlet is a {outlet.format} already", "body")  # type: ignore[union-attr]
    return values


def _fingerprint(kind: str, outlet_id: int | None, values: dict[str, Any]) -> str:
    canonical = {
        k: (fold(v) if k in ("name", "banner", "city", "street") and isinstance(v, str) else v)
        for k, v in values.items()
        if k not in ("lat", "lon") or kind != CorrectionKind.MOVED
    }
    text = json.dumps([kind, outlet_id, canonical], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _equivalent(session: Session, correction: Correction, kind: str, values: dict[str, Any], fingerprint: str) -> bool:
    if kind == CorrectionKind.MOVED:
        a = correction.values
        return haversine_m(a["lon"], a["lat"], values["lon"], values["lat"]) <= SAME_POSITION_M
    if kind == CorrectionKind.NEW_OUTLET:
        from server.quality.matching import MATCH, Place, score

        a, b = correction.values, values
        pa = Place(
            **{k: a.get(k) for k in ("name", "banner", "street", "house_number", "postcode", "city", "lat", "lon")}
        )
        pb = Place(
            **{k: b.get(k) for k in ("name", "banner", "street", "house_number", "postcode", "city", "lat", "lon")}
        )
        pa.precision = pb.precision = "exact"
        return score(pa, pb).value >= MATCH
    return correction.fingerprint == fingerprint


# --- proposing and voting ------------------------------------------------------------------------


def propose(
    session: Session, user: User, data: dict[str, Any], *, via: str = "api"
) -> tuple[Correction | None, bool, dict[str, Any]]:
    """A proposal (or the confirmation of an equivalent pending one).

    :returns: (correction, created, extra). ``kind=verified`` applies at once (it changes no
        fact) and returns (None, True, the outlet's facts).
    :raise Problem: 404 for an outlet the user cannot see, 422 for a value that is not a
        public fact or is invalid, 409 for a new outlet that looks like an existing one
        (unless ``?force=true``) or a correction that changes nothing.
    """
    require(user, "corrections.propose")
    kind = data["kind"]
    outlet = _public_outlet(session, user, data["outlet_id"]) if kind != CorrectionKind.NEW_OUTLET else None
    values = _load_values(kind, data.get("values") or {})
    if kind == CorrectionKind.VERIFIED:
        from server.quality.verification import verify_outlet

        return None, True, verify_outlet(session, user, outlet, {})  # type: ignore[arg-type]
    values = _check(session, user, kind, values, outlet)
    if kind == CorrectionKind.NEW_OUTLET:
        from server.quality.duplicates import refuse_likely_duplicates

        refuse_likely_duplicates(session, user, values, field="values")
    outlet_id = outlet.id if outlet else None
    fingerprint = _fingerprint(kind, outlet_id, values)
    pending = session.execute(
        select(Correction).where(
            Correction.kind == kind,
            Correction.status == CorrectionStatus.PENDING.value,
            Correction.outlet_id == outlet_id if outlet_id is not None else Correction.outlet_id.is_(None),
        )
    ).scalars()
    for existing in pending:
        if _equivalent(session, existing, kind, values, fingerprint):
            _vote(session, user, existing, "confirm")
            return existing, False, {}
    correction = Correction(
        outlet_id=outlet_id,
        kind=kind,
        values=values,
        fingerprint=fingerprint,
        status=CorrectionStatus.PENDING.value,
        proposer_user_id=user.id,
        proposer_org_id=user.org_id,
        via=via,
    )
    session.add(correction)
    session.flush()
    _vote(session, user, correction, "confirm")
    return correction, True, {}


def vote(session: Session, user: User, correction: Correction, choice: str) -> Correction:
    require(user, "corrections.propose")
    if correction.status != CorrectionStatus.PENDING.value:
        raise Problem("conflict", f"Correction {correction.id} is {correction.status}; it takes no more votes.")
    _vote(session, user, correction, choice)
    return correction


def _vote(session: Session, user: User, correction: Correction, choice: str) -> None:
    ballot = session.execute(
        select(CorrectionVote).where(CorrectionVote.correction_id == correction.id, CorrectionVote.user_id == user.id)
    ).scalar_one_or_none()
    if ballot is None:
        session.add(CorrectionVote(correction_id=correction.id, user_id=user.id, org_id=user.org_id, vote=choice))
    else:
        ballot.vote, ballot.at = choice, utcnow()
    session.flush()
    if is_moderator(session, user):
        _decide(session, correction, choice == "confirm", "moderator", user.id)
        return
    confirming, rejecting = _tally(session, correction)
    if confirming >= ORGANIZATIONS_TO_ACCEPT:
        _decide(session, correction, True, "organizations", None)
    elif rejecting >= ORGANIZATIONS_TO_ACCEPT:
        _decide(session, correction, False, "organizations", None)


def _tally(session: Session, correction: Correction) -> tuple[int, int]:
    rows = session.execute(
        select(CorrectionVote.vote, func.count(func.distinct(CorrectionVote.org_id)))
        .where(CorrectionVote.correction_id == correction.id)
        .group_by(CorrectionVote.vote)
    ).all()
    counts = dict(rows)
    return counts.get("confirm", 0), counts.get("reject", 0)


def withdraw(session: Session, user: User, correction: Correction) -> Correction:
    if correction.proposer_org_id != user.org_id:
        raise Problem("forbidden", "Only the proposing organization withdraws a correction.")
    require(user, "corrections.propose")
    if correction.status != CorrectionStatus.PENDING.value:
        raise Problem(
            "conflict", f"Correction {correction.id} is {correction.status}; only pending ones are withdrawn."
        )
    correction.status, correction.decided_at, correction.decided_by = (
        CorrectionStatus.WITHDRAWN.value,
        utcnow(),
        "proposer",
    )
    session.flush()
    return correction


def _decide(session: Session, correction: Correction, accept: bool, by: str, moderator_id: int | None) -> None:
    correction.decided_at, correction.decided_by, correction.moderator_user_id = utcnow(), by, moderator_id
    if not accept:
        correction.status = CorrectionStatus.REJECTED.value
        session.flush()
        return
    correction.status = CorrectionStatus.ACCEPTED.value
    _apply(session, correction)
    others = session.execute(
        select(Correction).where(
            Correction.id != correction.id,
            Correction.kind == correction.kind,
            Correction.status == CorrectionStatus.PENDING.value,
            Correction.outlet_id == correction.outlet_id
            if correction.kind != CorrectionKind.NEW_OUTLET
            else Correction.id == -1,
        )
    ).scalars()
    for other in others:
        other.status, other.decided_at, other.decided_by = CorrectionStatus.SUPERSEDED.value, utcnow(), "superseded"
    session.flush()


def _apply(session: Session, correction: Correction) -> None:
    today = dt.date.today()
    ref = f"correction:{correction.id}"
    values = dict(correction.values)
    if correction.kind == CorrectionKind.NEW_OUTLET:
        outlet = facts.new_outlet(
            session, values, org_id=None, source="rayon", source_id=ref, status="open", verified=today
        )
        facts.flag_opening_hours(session, outlet)
        correction.outlet_id = outlet.id
        return
    outlet = session.get(Outlet, correction.outlet_id)
    if outlet is None:
        return
    changes: dict[str, Any] = {
        CorrectionKind.CLOSED: {"status": "closed"},
        CorrectionKind.REOPENED: {"status": "open"},
    }.get(correction.kind, values)  # type: ignore[call-overload]
    facts.set_facts(
        session, outlet, changes, source="correction", source_ref=ref, verified=today, notice_source="correction"
    )


# --- reading -------------------------------------------------------------------------------------


def _current(session: Session, correction: Correction) -> dict[str, Any] | None:
    if correction.outlet_id is None:
        return None
    outlet = session.get(Outlet, correction.outlet_id)
    if outlet is None:
        return None
    if correction.kind == CorrectionKind.MOVED:
        lat, lon = facts.position_of(session, outlet.id)
        return {"lat": round(lat, 6), "lon": round(lon, 6)}
    if correction.kind in (CorrectionKind.CLOSED, CorrectionKind.REOPENED):
        return {"status": outlet.status}
    keys = list(correction.values) or ["status"]
    return {k: getattr(outlet, k, None) for k in keys}


def correction_json(session: Session, correction: Correction, user: User, *, conflicts: bool = True) -> dict[str, Any]:
    """What any organization may know of a proposal; who proposed it only for its own."""
    confirming, rejecting = _tally(session, correction)
    mine = session.execute(
        select(CorrectionVote.vote).where(
            CorrectionVote.correction_id == correction.id, CorrectionVote.user_id == user.id
        )
    ).scalar_one_or_none()
    yours = correction.proposer_org_id == user.org_id
    body: dict[str, Any] = {
        "id": correction.id,
        "outlet_id": correction.outlet_id,
        "kind": correction.kind,
        "values": correction.values,
        "current": _current(session, correction),
        "status": correction.status,
        "confirmed_by_organizations": confirming,
        "rejected_by_organizations": rejecting,
        "yours": yours,
        "proposed_by_user_id": correction.proposer_user_id if yours else None,
        "your_vote": mine,
        "decided_by": correction.decided_by,
        "created_at": correction.created_at.isoformat() if correction.created_at else None,
        "decided_at": correction.decided_at.isoformat() if correction.decided_at else None,
        "url": f"/api/v1/corrections/{correction.id}",
    }
    if conflicts and correction.outlet_id is not None:
        others = session.execute(
            select(Correction)
            .where(
                Correction.id != correction.id,
                Correction.outlet_id == correction.outlet_id,
                Correction.kind == correction.kind,
                Correction.status == CorrectionStatus.PENDING.value,
            )
            .order_by(Correction.id)
        ).scalars()
        body["conflicting"] = [correction_json(session, o, user, conflicts=False) for o in others]
    return body


def list_corrections(session: Session, user: User, args: dict[str, Any]) -> dict[str, Any]:
    require(user, "corrections.read")
    query = select(Correction).where(correction_visibility(user))
    if args.get("status"):
        query = query.where(Correction.status.in_(args["status"]))
    if args.get("kind"):
        query = query.where(Correction.kind.in_(args["kind"]))
    if "outlet_id" in args:
        query = query.where(Correction.outlet_id == args["outlet_id"])
    if args.get("mine"):
        query = query.where(Correction.proposer_org_id == user.org_id)
    if args.get("near") is not None:
        from server.dialects import for_bind

        lat, lon = args["near"]
        d = for_bind(session)
        inside = select(Outlet.id).where(d.within_m(Outlet.geom, Outlet.id, lon, lat, args.get("radius") or 5_000))
        query = query.where(Correction.outlet_id.in_(inside))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(Correction.id.desc()).limit(args["limit"]).offset(args["offset"])).scalars()
    return {"items": [correction_json(session, c, user) for c in rows], "total": total}


def accepted_counts(session: Session, user: User) -> dict[str, Any]:
    """Accepted corrections per user of the organization the requester may see."""
    from server.tenancy import user_visibility

    users = session.execute(select(User.id, User.name).where(user_visibility(user), User.active.is_(True))).all()
    ids = [u.id for u in users]
    rows = dict(
        session.execute(
            select(Correction.proposer_user_id, func.count())
            .where(
                Correction.proposer_user_id.in_(ids or [-1]),
                Correction.status == CorrectionStatus.ACCEPTED.value,
            )
            .group_by(Correction.proposer_user_id)
        ).all()
    )
    items = sorted(
        ({"user_id": u.id, "name": u.name, "accepted_corrections": rows.get(u.id, 0)} for u in users),
        key=lambda item: (-item["accepted_corrections"], item["name"]),
    )
    return {"items": items, "you": rows.get(user.id, 0)}


# --- offline: the sync kind ----------------------------------------------------------------------


def _sync_propose(
    session: Session, user: User, data: dict[str, Any], client_at: dt.datetime, change_uuid: str, raw: dict[str, Any]
) -> dict[str, Any]:
    correction, created, extra = propose(session, user, data, via="sync")
    if correction is None:
        return {"verified": extra}
    return {"correction": correction_json(session, correction, user), "created": created}


def register_sync_kind() -> None:
    from server.visits.sync import register_kind

    register_kind("correction.propose", ProposalSchema, _sync_propose)
