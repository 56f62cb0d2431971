"""Offline sync: a batch of changes in, one answer per change; what a phone needs, out.

Push (``POST /api/v1/sync``). Every change carries the phone's UUID, a kind and the
phone's time. Each is applied in its own SAVEPOINT, so one bad change never blocks
the others, and recorded in ``sync_changes`` with its result; the batch commits
once. A change whose UUID is already recorded is not applied again: the stored
result is returned (``duplicate``); a different change reusing a UUID is rejected.
A batch cut off halfway was never committed, so sending it again applies it once;
two batches racing with the same UUID are settled by the ledger's unique key.

Conflicts. Account fields are merged field by field, last writer wins by the
phone's clock (``field_clock`` keeps, per field, the time of the value it holds);
an older write is skipped and reported as a conflict, never applied silently.
Survey responses are immutable: the same UUID with other answers is rejected.

Pull (``GET /api/v1/sync?since=``). What the rep needs offline: visits from
yesterday to a week ahead, their accounts with outlet data, open tasks, and what was
deleted or taken away since the cursor. Pages are read up to a fixed time taken at
the first page; the next pull starts two minutes before it, so a row committed late
by a slow transaction is sent again rather than missed (phones upsert by id).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid as uuid_module
from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from server.accounts import service as accounts
from server.accounts.models import Account, Contact
from server.auth.models import Role, User, utcnow
from server.dialects import for_bind
from server.errors import Problem, flatten_messages
from server.outlets.models import Outlet
from server.tenancy import account_visibility, get_scoped, task_visibility, visit_visibility
from server.visits import service as visits
from server.visits.models import OUTCOMES, SyncChange, Task, Tombstone, Visit, VisitStatus

MAX_BATCH = 500
OVERLAP = dt.timedelta(minutes=2)
PULL_DAYS_BACK, PULL_DAYS_AHEAD = 1, 7
#: Account fields a rep may change from the field; the rest is for managers.
REP_ACCOUNT_FIELDS = frozenset({"notes", "tags", "custom"})
MANAGER_ACCOUNT_FIELDS = REP_ACCOUNT_FIELDS | {"status", "account_class", "visit_every_weeks", "distributor"}


# --- data schemas per kind --------------------------------------------------------------


class _Strict(Schema):
    class Meta:
        unknown = "raise"


class Position(_Strict):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    accuracy_m = fields.Float(validate=validate.Range(min=0, max=100_000), allow_none=True)


class VisitCreate(_Strict):
    visit_uuid = fields.UUID()
    account_id = fields.Integer(required=True)
    planned_date = fields.Date(allow_none=True)
    planned_start_min = fields.Integer(validate=validate.Range(min=0, max=1440), allow_none=True)
    planned_duration_min = fields.Integer(validate=validate.Range(min=1, max=720), allow_none=True)
    notes = fields.String(validate=validate.Length(max=5000), allow_none=True)


class VisitCheckIn(Position):
    visit_uuid = fields.UUID(required=True)
    account_id = fields.Integer(metadata={"description": "for an unplanned visit: the account"})


class VisitCheckOut(_Strict):
    visit_uuid = fields.UUID(required=True)
    lat = fields.Float(validate=validate.Range(min=-90, max=90), allow_none=True)
    lon = fields.Float(validate=validate.Range(min=-180, max=180), allow_none=True)
    accuracy_m = fields.Float(validate=validate.Range(min=0, max=100_000), allow_none=True)
    outcome = fields.String(validate=validate.OneOf(OUTCOMES), allow_none=True)
    notes = fields.String(validate=validate.Length(max=5000), allow_none=True)


class VisitCancel(_Strict):
    visit_uuid = fields.UUID(required=True)
    reason = fields.String(validate=validate.Length(max=1000), allow_none=True)


class AccountUpdate(_Strict):
    account_id = fields.Integer(required=True)
    fields_ = fields.Dict(data_key="fields", required=True)


class ContactCreate(_Strict):
    account_id = fields.Integer(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(validate=validate.Length(max=100), allow_none=True)
    phone = fields.String(validate=validate.Length(max=40), allow_none=True)
    email = fields.Email(allow_none=True)
    preferred_language = fields.String(validate=validate.OneOf(["de", "fr", "en"]), allow_none=True)
    consent = fields.Boolean()


class ContactUpdate(_Strict):
    contact_id = fields.Integer(required=True)
    fields_ = fields.Dict(data_key="fields", required=True)


class TaskCreate(_Strict):
    task_uuid = fields.UUID()
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    account_id = fields.Integer(allow_none=True)
    visit_uuid = fields.UUID(allow_none=True)
    due_date = fields.Date(allow_none=True)
    assigned_to_id = fields.Integer(allow_none=True)


class TaskUpdate(_Strict):
    task_uuid = fields.UUID(required=True)
    status = fields.String(validate=validate.OneOf(["open", "done", "cancelled"]))
    title = fields.String(validate=validate.Length(min=1, max=300))
    due_date = fields.Date(allow_none=True)


class Change(_Strict):
    uuid = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.Length(max=40))
    client_at = fields.AwareDateTime(required=True, default_timezone=dt.UTC)
    data = fields.Dict(required=True)


class Batch(_Strict):
    changes = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1, max=MAX_BATCH))


# --- handlers ---------------------------------------------------------------------------

Handler = Callable[[Session, User, dict[str, Any], dt.datetime, str, dict[str, Any]], dict[str, Any]]


def _visit(session: Session, user: User, visit_uuid: Any) -> Visit:
    visit = visits.visit_by_uuid(session, user, str(visit_uuid))
    if visit is None or visit.id not in _visible_visit_ids(session, user, visit.id):
        raise Problem("not-found", f"There is no visit {visit_uuid} (yet): send its visit.create or check-in first.")
    return visit


def _visible_visit_ids(session: Session, user: User, visit_id: int) -> set[int]:
    return set(session.execute(select(Visit.id).where(Visit.id == visit_id, visit_visibility(user))).scalars())


def _visit_create(
    session: Session, user: User, data: dict[str, Any], client_at: dt.datetime, change_uuid: str, raw: dict[str, Any]
) -> dict[str, Any]:
    payload = {**data, "uuid": str(data.pop("visit_uuid", None) or change_uuid)}
    visit, _ = visits.create_visit(session, user, payload)
    return visits.visit_json(visit)


def _visit_check_in(
    session: Session, user: User, data: dict[str, Any], client_at: dt.datetime, change_uuid: str, raw: dict[str, Any]
) -> dict[str, Any]:
    visit = visits.visit_by_uuid(session, user, str(data["visit_uuid"]))
    if visit is None:
        if data.get("account_id") is None:
            raise Problem(
                "validation-error",
                "data.account_id: needed to check in to an unplanned visit",
                errors=[{"field": "data.account_id", "in": "body", "message": "required for a new visit"}],
            )
        visit, _ = visits.create_visit(
            session, user, {"uuid": str(data["visit_uuid"]), "account_id": data["account_id"]}
        )
    else:
        visit = _visit(session, user, data["visit_uuid"])
    visits.check_in(session, user, visit, {**data, "client_at": client_at})
    return visits.visit_json(visit)


def _visit_check_out(
    session: Session, user: User, data: dict[str, Any], client_at: dt.datetime, change_uuid: str, raw: dict[str, Any]
) -> dict[str, Any]:
    visit = _visit(session, user, data["visit_uuid"])
    visits.check_out(session, user, visit, {**data, "client_at": client_at})
    return visits.visit_json(visit)


def _visit_cancel(
    session: Session, user: User, data: dict[str, Any], client_at: dt.datetime, change_uuid: str, raw: dict[str, Any]
) -> dict[str, Any]:
    visit = _visit(session, user, data["visit_uuid"])
    visits.cancel_visit(session, user, visit, data.get("reason"))
    return visits.visit_json(visit)


def _account_update(
    session: Session, user: User, data: dict[str, Any], client_at: dt.datetime, change_uuid: str, raw: dict[str, Any]
) -> dict[str, Any]:
    """Field-level last-writer-wins by the phone's clock; older writes are reported, not applied."""
    account = get_scoped(Account, data["account_id"], what="account", user=user)
    allowed = REP_ACCOUNT_FIELDS if Role(user.role) == Role.REP else MANAGER_ACCOUNT_FIELDS
    if Role(user.role) == Role.HQ:
        raise Problem("forbidden", "HQ reads accounts; it does not change them.")
    changes = data["fields_"]
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise Problem(
            "validation-error",
            f"data.fields: {', '.join(unknown)} cannot be changed from the field",
            errors=[{"field": f"data.fields.{k}", "in": "body", "message": "not changeable by sync"} for k in unknown],
        )
    validated = _load(accounts_schema(), changes, "data.fields")
    clock = dict(account.field_clock or {})
    applied, conflicts = {}, []
    for key, value in validated.items():
        held = clock.get(key)
        if held is not None and dt.datetime.fromisoformat(held) > client_at:
            conflicts.append(
                {
                    "field": key,
                    "kept": "server",
                    "server_value_from": held,
                    "message": f"a newer value of {key} (from {held}) was kept",
                }
            )
            continue
        applied[key] = value
    if applied:
        accounts.apply_account_changes(session, user, account, applied, clock_at=client_at)
    return {
        "account": {"id": account.id, "version": account.version, **{k: getattr(account, k) for k in applied}},
        "applied_fields": sorted(applied),
        "conflicts": conflicts,
    }


def accounts_schema() -> Schema:
    from server.accounts.schemas import AccountWriteSchema

    return AccountWriteSchema(partial=True)


def _contact_create(
    session: Session, user: User, data: dict[str, Any], client_at: dt.datetime, change_uuid: str, raw: dict[str, Any]
) -> dict[str, Any]:
    account = get_scoped(Account, data.pop("account_id"), what="account", user=user)
    contact = Contact(org_id=user.org_id, account_id=account.id)
    accounts.save_contact(session, user, contact, data, account.outlet.country)
    return accounts.contact_json(contact)


def _contact_update(
    session: Session, user: User, data: dict[str, Any], client_at: dt.datetime, change_uuid: str, raw: dict[str, Any]
) -> dict[str, Any]:
    from server.accounts.schemas import ContactWriteSchema

    contact = get_scoped(Contact, data["contact_id"], what="contact", user=user)
    values = _load(ContactWriteSchema(partial=True), data["fields_"], "data.fields")
    accounts.save_contact(session, user, contact, values, contact.account.outlet.country)
    return accounts.contact_json(contact)


def _task_create(
    session: Session, user: User, data: dict[str, Any], client_at: dt.datetime, change_uuid: str, raw: dict[str, Any]
) -> dict[str, Any]:
    payload = {**data, "uuid": str(data.pop("task_uuid", None) or change_uuid)}
    if payload.get("visit_uuid"):
        payload["visit_uuid"] = str(payload["visit_uuid"])
    task, _ = visits.create_task(session, user, payload)
    return visits.task_json(task)


def _task_update(
    session: Session, user: User, data: dict[str, Any], client_at: dt.datetime, change_uuid: str, raw: dict[str, Any]
) -> dict[str, Any]:
    task = session.execute(
        select(Task).where(Task.uuid == str(data.pop("task_uuid")), task_visibility(user))
    ).scalar_one_or_none()
    if task is None:
        raise Problem("not-found", "There is no such task.")
    visits.update_task(session, user, task, data)
    return visits.task_json(task)


def _response_submit(
    session: Session, user: User, data: dict[str, Any], client_at: dt.datetime, change_uuid: str, raw: dict[str, Any]
) -> dict[str, Any]:
    """A survey response: immutable; the same UUID with other answers is rejected (409)."""
    from server.surveys import service as surveys

    response, _ = surveys.submit_response(session, user, data, raw)
    return surveys.response_json(session, response, full=False)


def _response_schema() -> type[Schema]:
    from server.surveys.schemas import ResponseWriteSchema

    return ResponseWriteSchema


KINDS: dict[str, tuple[type[Schema], Handler]] = {
    "visit.create": (VisitCreate, _visit_create),
    "visit.check_in": (VisitCheckIn, _visit_check_in),
    "visit.check_out": (VisitCheckOut, _visit_check_out),
    "visit.cancel": (VisitCancel, _visit_cancel),
    "account.update": (AccountUpdate, _account_update),
    "contact.create": (ContactCreate, _contact_create),
    "contact.update": (ContactUpdate, _contact_update),
    "task.create": (TaskCreate, _task_create),
    "task.update": (TaskUpdate, _task_update),
}
KINDS["response.submit"] = (_response_schema(), _response_submit)


def register_kind(kind: str, schema: type[Schema], handler: Handler) -> None:
    """Other features add their change kinds (survey responses, corrections) here."""
    KINDS[kind] = (schema, handler)


def _load(schema: Schema, data: Any, prefix: str) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ValidationError as exc:
        errors = flatten_messages(exc.messages, "body", prefix)
        raise Problem(
            "validation-error", "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]), errors=errors
        ) from None


def _hash(change: dict[str, Any]) -> str:
    canonical = json.dumps({"kind": change.get("kind"), "data": change.get("data")}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- push -------------------------------------------------------------------------------


def apply_batch(session: Session, user: User, raw_changes: list[Any]) -> list[dict[str, Any]]:
    """Apply each change once; answer per change (``applied``, ``duplicate``, ``rejected``)."""
    # One query for the whole batch's ledger entries (a resent batch is mostly duplicates).
    uuids = [str(r["uuid"]) for r in raw_changes if isinstance(r, dict) and isinstance(r.get("uuid"), str)]
    known = (
        {
            entry.uuid: entry
            for entry in session.execute(
                select(SyncChange).where(SyncChange.org_id == user.org_id, SyncChange.uuid.in_(uuids))
            ).scalars()
        }
        if uuids
        else {}
    )
    return [_apply_one(session, user, raw, index, known) for index, raw in enumerate(raw_changes)]


def _apply_one(session: Session, user: User, raw: Any, index: int, known: dict[str, SyncChange]) -> dict[str, Any]:
    raw_uuid = raw.get("uuid") if isinstance(raw, dict) else None
    try:
        change = _load(Change(), raw, f"changes[{index}]")
    except Problem as problem:
        return {"index": index, "uuid": raw_uuid, "status": "rejected", "problem": problem.to_dict()}
    change_uuid = str(change["uuid"])
    body_hash = _hash(raw)
    ledger = known.get(change_uuid)
    if ledger is not None:
        if ledger.body_hash != body_hash:
            problem = Problem(
                "conflict",
                f"Change {change_uuid} was received before with other content; a change's UUID must not be reused.",
            )
            return {"index": index, "uuid": change_uuid, "status": "rejected", "problem": problem.to_dict()}
        return {"index": index, "uuid": change_uuid, "status": "duplicate", "result": ledger.result}
    if change["kind"] not in KINDS:
        problem = Problem(
            "validation-error",
            f"changes[{index}].kind: unknown kind {change['kind']!r}",
            errors=[{"field": f"changes[{index}].kind", "in": "body", "message": f"one of {', '.join(sorted(KINDS))}"}],
        )
        return {"index": index, "uuid": change_uuid, "status": "rejected", "problem": problem.to_dict()}
    schema, handler = KINDS[change["kind"]]
    for attempt in (1, 2):
        savepoint = session.begin_nested()
        try:
            data = _load(schema(), change["data"], f"changes[{index}].data")
            result = handler(session, user, data, change["client_at"], change_uuid, change["data"])
            entry = SyncChange(
                org_id=user.org_id,
                user_id=user.id,
                uuid=change_uuid,
                kind=change["kind"],
                body_hash=body_hash,
                client_at=change["client_at"],
                status="applied",
                result=json.loads(json.dumps(result, default=str)),
            )
            session.add(entry)
            session.flush()
            savepoint.commit()
            known[change_uuid] = entry
            break
        except Problem as problem:
            savepoint.rollback()
            # Refused on data that a copy of this very change (a batch resent while its first copy was
            # still being applied) has just changed: that copy's answer is the answer.
            copy = _applied_copy(session, user, change_uuid, body_hash)
            if copy is not None:
                return {"index": index, "uuid": change_uuid, "status": "duplicate", "result": copy.result}
            return {"index": index, "uuid": change_uuid, "status": "rejected", "problem": problem.to_dict()}
        except (IntegrityError, StaleDataError) as exc:
            # Another request changed the same object or recorded the same UUID a moment ago (the
            # phone resent a batch whose first copy was still being applied): a duplicate when that
            # request applied this very change; else the change is applied again on fresh data, once.
            savepoint.rollback()
            copy = _applied_copy(session, user, change_uuid, body_hash)
            if copy is not None:
                return {"index": index, "uuid": change_uuid, "status": "duplicate", "result": copy.result}
            if attempt == 1 and isinstance(exc, StaleDataError):
                session.expire_all()
                continue
            problem = Problem("conflict", "The change conflicts with data saved meanwhile; send it again.")
            return {"index": index, "uuid": change_uuid, "status": "rejected", "problem": problem.to_dict()}
    return {"index": index, "uuid": change_uuid, "status": "applied", "result": result}


def _applied_copy(session: Session, user: User, change_uuid: str, body_hash: str) -> SyncChange | None:
    """The ledger entry of this very change if another request applied it meanwhile (read afresh)."""
    entry = session.execute(
        select(SyncChange).where(SyncChange.org_id == user.org_id, SyncChange.uuid == change_uuid)
    ).scalar_one_or_none()
    return entry if entry is not None and entry.body_hash == body_hash else None


# --- pull -------------------------------------------------------------------------------

COLLECTIONS = ("accounts", "visits", "tasks", "deleted")


def _encode(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str) -> dict[str, Any]:
    try:
        state = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        if not isinstance(state, dict) or "until" not in state:
            raise ValueError
        dt.datetime.fromisoformat(state["until"])
        return state
    except (ValueError, TypeError, UnicodeDecodeError):
        raise Problem(
            "bad-request",
            "The sync cursor is not one this API issued; pull without it.",
            errors=[{"field": "since", "in": "query", "message": "invalid cursor"}],
        ) from None


def pull(session: Session, user: User, since: str | None, limit: int, today: dt.date | None = None) -> dict[str, Any]:
    """One page of what the phone needs, changed since ``since`` (None: everything)."""
    now = utcnow()
    state = _decode(since) if since else {"until": None}
    if state.get("page"):
        window_start = state.get("from")
        until = dt.datetime.fromisoformat(state["until"])
        positions = state.get("pos", {})
    else:
        window_start = (dt.datetime.fromisoformat(state["until"]) - OVERLAP).isoformat() if state["until"] else None
        until = now
        positions = {}
    start = dt.datetime.fromisoformat(window_start) if window_start else None
    today = today or now.date()
    body: dict[str, Any] = {"server_time": now.isoformat(), "full": start is None}
    more = False
    new_positions = dict(positions)
    for name in COLLECTIONS:
        if positions.get(name) == "done":
            body[name] = []
            continue
        rows, last, has_more = _collection(session, user, name, start, until, positions.get(name), limit, today)
        body[name] = rows
        new_positions[name] = last if has_more else "done"
        more = more or has_more
    if not state.get("page"):
        body["forms"] = _forms_if_changed(session, user, start)
    if more:
        body["next"] = _encode({"page": True, "from": window_start, "until": until.isoformat(), "pos": new_positions})
        body["has_more"] = True
    else:
        body["next"] = _encode({"until": until.isoformat()})
        body["has_more"] = False
    return body


def _window(column: Any, id_column: Any, start: dt.datetime | None, until: dt.datetime, position: Any) -> list[Any]:
    clauses = [column <= until]
    if start is not None:
        clauses.append(column >= start)
    if position:
        at, last_id = dt.datetime.fromisoformat(position[0]), position[1]
        clauses.append(or_(column > at, and_(column == at, id_column > last_id)))
    return clauses


def _collection(
    session: Session,
    user: User,
    name: str,
    start: dt.datetime | None,
    until: dt.datetime,
    position: Any,
    limit: int,
    today: dt.date,
) -> tuple[list[dict[str, Any]], Any, bool]:
    d = for_bind(session)
    if name == "accounts":
        query = (
            select(Account, d.lat(Outlet.geom), d.lon(Outlet.geom))
            .join(Outlet, Outlet.id == Account.outlet_id)
            .where(account_visibility(user), *_window(Account.updated_at, Account.id, start, until, position))
            .order_by(Account.updated_at, Account.id)
            .limit(limit + 1)
        )
        rows = session.execute(query).all()
        items = [
            {**accounts.account_json(r[0], coords=(r[1], r[2])), "outlet_detail": _outlet_detail(r[0].outlet)}
            for r in rows[:limit]
        ]
        keys = [(r[0].updated_at, r[0].id) for r in rows[:limit]]
    elif name == "visits":
        scope = or_(
            Visit.planned_date.between(
                today - dt.timedelta(days=PULL_DAYS_BACK), today + dt.timedelta(days=PULL_DAYS_AHEAD)
            ),
            Visit.status == VisitStatus.IN_PROGRESS.value,
        )
        query = (
            select(Visit)
            .where(
                visit_visibility(user),
                Visit.rep_id == user.id,
                scope,
                *_window(Visit.updated_at, Visit.id, start, until, position),
            )
            .order_by(Visit.updated_at, Visit.id)
            .limit(limit + 1)
        )
        rows = session.execute(query).scalars().all()
        items = [visits.visit_json(v) for v in rows[:limit]]
        keys = [(v.updated_at, v.id) for v in rows[:limit]]
    elif name == "tasks":
        query = (
            select(Task)
            .where(
                task_visibility(user),
                Task.assigned_to_id == user.id,
                *_window(Task.updated_at, Task.id, start, until, position),
            )
            .order_by(Task.updated_at, Task.id)
            .limit(limit + 1)
        )
        rows = session.execute(query).scalars().all()
        items = [visits.task_json(t) for t in rows[:limit]]
        keys = [(t.updated_at, t.id) for t in rows[:limit]]
    else:
        if start is None:
            return [], None, False  # a full pull replaces everything: nothing to delete
        query = (
            select(Tombstone)
            .where(
                Tombstone.org_id == user.org_id,
                or_(Tombstone.user_id.is_(None), Tombstone.user_id == user.id),
                *_window(Tombstone.deleted_at, Tombstone.id, start, until, position),
            )
            .order_by(Tombstone.deleted_at, Tombstone.id)
            .limit(limit + 1)
        )
        rows = session.execute(query).scalars().all()
        items = [{"type": t.object_type, "id": t.object_id} for t in rows[:limit]]
        keys = [(t.deleted_at, t.id) for t in rows[:limit]]
    has_more = len(rows) > limit
    last = [keys[-1][0].isoformat(), keys[-1][1]] if keys else position
    return items, last, has_more


def _forms_if_changed(session: Session, user: User, start: dt.datetime | None) -> dict[str, Any] | None:
    """The active forms (definitions, targeting) and the product lists they need, when any
    of them changed since ``start`` (always on a full pull); None when nothing changed."""
    from server.catalog.models import Product
    from server.surveys import definition as defs
    from server.surveys import service as surveys
    from server.surveys.models import Form, FormVersion

    if start is not None:
        changed = any(
            session.execute(select(column).where(org == user.org_id, column >= start).limit(1)).first()
            for column, org in (
                (Form.updated_at, Form.org_id),
                (FormVersion.created_at, FormVersion.org_id),
                (Product.updated_at, Product.org_id),
            )
        )
        if not changed:
            return None
    forms = (
        session.execute(select(Form).where(Form.org_id == user.org_id, Form.active.is_(True)).order_by(Form.key))
        .scalars()
        .all()
    )
    items, lists = [], set()
    for form in forms:
        body = surveys.form_json(session, form, detail=True)
        body.pop("versions", None)
        items.append(body)
        if "definition" in body:
            lists |= defs.product_lists_of(body["definition"])
    return {"items": items, "product_lists": surveys.product_lists_json(session, user.org_id, lists)}


def _outlet_detail(outlet: Outlet) -> dict[str, Any]:
    return {
        "opening_hours": outlet.opening_hours,
        "phone": outlet.phone,
        "website": outlet.website,
        "postcode": outlet.postcode,
        "region": outlet.region,
        "status": outlet.status,
        "last_verified_at": outlet.last_verified_at.isoformat() if outlet.last_verified_at else None,
    }


def new_uuid() -> str:
    return str(uuid_module.uuid4())
