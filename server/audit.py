"""The audit log, written in one place: a flush hook records every change to audited objects.

No route or service has to remember to log: whatever an organization's user
creates, changes or deletes through the ORM is written to ``audit_log`` in the same
transaction, with the fields before and after. Secrets (password hashes) and
bookkeeping columns are never recorded.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from flask import g, has_request_context
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from server.auth.models import AuditLog, Organization, User
from server.db import db

#: Bookkeeping or secret columns never written to the log.
NOT_LOGGED = frozenset(
    {"password_hash", "version", "created_at", "updated_at", "search_text", "last_login_at", "password_changed_at"}
)


def _audited() -> dict[type, str]:
    from server.accounts.models import Account, Contact, CustomFieldDefinition, Territory, TerritoryRep
    from server.outlets.models import Outlet
    from server.visits.models import Task, Visit

    return {
        Visit: "visit",
        Task: "task",
        Account: "account",
        Contact: "contact",
        CustomFieldDefinition: "custom_field",
        Territory: "territory",
        TerritoryRep: "territory_rep",
        User: "user",
        Organization: "organization",
        Outlet: "outlet",
        **_audited_surveys_catalog(),
    }


def _audited_surveys_catalog() -> dict[type, str]:
    from server.catalog.models import Product, ProductList, ProductListItem
    from server.surveys.models import Form, FormVersion, Photo, SurveyResponse

    return {
        Product: "product",
        ProductList: "product_list",
        ProductListItem: "product_list_item",
        Form: "form",
        FormVersion: "form_version",
        SurveyResponse: "survey_response",
        Photo: "photo",
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    return "(geometry)" if type(value).__name__.endswith("Element") else str(value)


def _org_id(obj: Any) -> int | None:
    if isinstance(obj, Organization):
        return obj.id
    if hasattr(obj, "org_id"):
        return obj.org_id
    if hasattr(obj, "territory_id"):  # TerritoryRep
        from server.accounts.models import Territory

        territory = db.session.get(Territory, obj.territory_id)
        return territory.org_id if territory else None
    return None


def _object_id(obj: Any) -> int:
    return obj.id if hasattr(obj, "id") else obj.territory_id


def _changes(obj: Any, action: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in NOT_LOGGED or key == "id":
            continue
        if action == "create":
            changes[key] = [None, _plain(getattr(obj, key))]
        elif action == "delete":
            changes[key] = [_plain(state.attrs[key].loaded_value), None]
        else:
            history = state.attrs[key].history
            if history.has_changes():
                before = history.deleted[0] if history.deleted else None
                after = history.added[0] if history.added else None
                if _plain(before) != _plain(after):
                    changes[key] = [_plain(before), _plain(after)]
    return changes


def _entries(session: Session) -> list[dict[str, Any]]:
    audited = _audited()
    user_id = request_id = None
    if has_request_context():
        user = g.get("user")
        user_id = user.id if user is not None else None
        request_id = g.get("request_id")
    rows = []
    for action, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            object_type = audited.get(type(obj))
            if object_type is None:
                continue
            if object_type == "outlet" and obj.org_id is None:
                continue  # public reference data: corrections keep their own history
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            org_id = _org_id(obj)
            if org_id is None:
                continue
            rows.append(
                {
                    "org_id": org_id,
                    "user_id": user_id,
                    "action": getattr(obj, "_audit_action", action),
                    "object_type": object_type,
                    "object_id": _object_id(obj),
                    "changes": changes,
                    "request_id": request_id,
                    "at": dt.datetime.now(dt.UTC),
                }
            )
    return rows


@event.listens_for(Session, "after_flush")
def _record(session: Session, _context: Any) -> None:
    if session.info.get("skip_audit"):  # bulk loads of demo data
        return
    rows = _entries(session)
    if rows:
        session.connection().execute(insert(AuditLog), rows)


def record(
    session: Session,
    *,
    org_id: int,
    action: str,
    object_type: str,
    object_id: int,
    changes: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
    """An explicit entry, for actions that are not a plain field change (exports, erasure)."""
    user = g.get("user") if has_request_context() else None
    session.add(
        AuditLog(
            org_id=org_id,
            user_id=user.id if user else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            changes=changes or {},
            note=note,
        )
    )
