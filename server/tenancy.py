"""Tenancy and visibility, in one place.

Every read of an organization's data goes through these helpers, which add the
organization filter and the role's visibility (a rep sees the accounts assigned to
them, a manager their team's and the unassigned pool, HQ and admins everything in
the organization). Routes never filter by organization themselves.

An object that exists in another organization, or that the user may not see, is
answered with 404 ``not-found``, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import g, has_request_context
from sqlalchemy import ColumnElement, Select, false, or_, select, true

from server.auth.models import Role, User
from server.db import db
from server.errors import Problem

T = TypeVar("T")


def current_user() -> User:
    """The logged-in user. :raise Problem: 401 when nobody is logged in."""
    user = g.get("user") if has_request_context() else None
    if user is None:
        raise Problem("unauthorized", "Log in first.", headers={"WWW-Authenticate": 'Bearer realm="rayon"'})
    return user


def current_org_id() -> int:
    return current_user().org_id


def org_clause(model: Any, user: User | None = None) -> ColumnElement[bool]:
    user = user or current_user()
    return model.org_id == user.org_id


def team_ids(user: User) -> list[int]:
    """The manager and the users who report to them."""
    rows = db.session.execute(select(User.id).where(User.org_id == user.org_id, User.manager_id == user.id))
    return [user.id, *rows.scalars()]


def account_visibility(user: User | None = None) -> ColumnElement[bool]:
    """Which accounts of the organization ``user`` may see."""
    from server.accounts.models import Account

    user = user or current_user()
    role = Role(user.role)
    scope: ColumnElement[bool]
    if role in (Role.HQ, Role.ADMIN):
        scope = true()
    elif role == Role.MANAGER:
        scope = or_(Account.assigned_rep_id.in_(team_ids(user)), Account.assigned_rep_id.is_(None))
    elif role == Role.REP:
        scope = Account.assigned_rep_id == user.id
    else:  # pragma: no cover - roles are validated on write
        scope = false()
    return (Account.org_id == user.org_id) & scope


def user_visibility(user: User | None = None) -> ColumnElement[bool]:
    """Which users of the organization ``user`` may see (reps: themselves and their manager)."""
    user = user or current_user()
    role = Role(user.role)
    same_org = User.org_id == user.org_id
    if role in (Role.HQ, Role.ADMIN, Role.MANAGER):
        return same_org
    return same_org & or_(User.id == user.id, User.id == user.manager_id)


def visit_visibility(user: User | None = None) -> ColumnElement[bool]:
    """Reps see their visits, managers their team's, HQ and admins all of the organization."""
    from server.visits.models import Visit

    user = user or current_user()
    role = Role(user.role)
    same_org = Visit.org_id == user.org_id
    if role in (Role.HQ, Role.ADMIN):
        return same_org
    if role == Role.MANAGER:
        return same_org & Visit.rep_id.in_(team_ids(user))
    return same_org & (Visit.rep_id == user.id)


def task_visibility(user: User | None = None) -> ColumnElement[bool]:
    """Tasks assigned to the user (reps), to the team or created by the manager, or all (HQ, admin)."""
    from server.visits.models import Task

    user = user or current_user()
    role = Role(user.role)
    same_org = Task.org_id == user.org_id
    if role in (Role.HQ, Role.ADMIN):
        return same_org
    if role == Role.MANAGER:
        return same_org & or_(Task.assigned_to_id.in_(team_ids(user)), Task.created_by_id == user.id)
    return same_org & (Task.assigned_to_id == user.id)


def job_visibility(user: User | None = None) -> ColumnElement[bool]:
    """Reps see the jobs they started; everyone else all jobs of the organization."""
    from server.jobs import Job

    user = user or current_user()
    same_org = Job.org_id == user.org_id
    return same_org & (Job.user_id == user.id) if Role(user.role) == Role.REP else same_org


def outlet_visibility(org_id: int | None) -> ColumnElement[bool]:
    """Public outlets, plus the private ones of ``org_id``."""
    from server.outlets.models import Outlet

    if org_id is None:
        return Outlet.org_id.is_(None)
    return or_(Outlet.org_id.is_(None), Outlet.org_id == org_id)


_VISIBILITY = {
    "Account": account_visibility,
    "User": user_visibility,
    "Visit": visit_visibility,
    "Task": task_visibility,
    "Job": job_visibility,
}


def scoped(model: type[T], user: User | None = None) -> Select[tuple[T]]:
    """``SELECT model`` restricted to what ``user`` (default: the current user) may see."""
    user = user or current_user()
    rule = _VISIBILITY.get(model.__name__)
    if rule is not None:
        return select(model).where(rule(user))
    if model.__name__ == "Contact":
        from server.accounts.models import Account, Contact

        visible = select(Account.id).where(account_visibility(user))
        return select(model).where(Contact.org_id == user.org_id, Contact.account_id.in_(visible))
    return select(model).where(org_clause(model, user))


def get_scoped(model: type[T], object_id: Any, *, what: str | None = None, user: User | None = None) -> T:
    """One object the user may see. :raise Problem: 404 otherwise (also for other organizations)."""
    label = what or model.__name__.lower()
    if not isinstance(object_id, int) or isinstance(object_id, bool):
        raise Problem("not-found", f"There is no {label} {object_id!r}.")
    obj = db.session.execute(scoped(model, user).where(model.id == object_id)).scalar_one_or_none()  # type: ignore[attr-defined]
    if obj is None:
        raise Problem("not-found", f"There is no {label} {object_id}.")
    return obj


def check_reference(model: type[T], object_id: int | None, field: str, *, user: User | None = None) -> T | None:
    """Resolve an id given in a filter or a body; a foreign one is a 404 naming the field."""
    if object_id is None:
        return None
    try:
        return get_scoped(model, object_id, user=user)
    except Problem:
        raise Problem(
            "not-found",
            f"{field}: there is no {model.__name__.lower()} {object_id}.",
            errors=[{"field": field, "in": "query", "message": f"no {model.__name__.lower()} {object_id}"}],
        ) from None


def delete_scoped(model: type[T], object_id: int, *, what: str, permission: str, user: User | None = None) -> None:
    """Delete one object the user may see and may change. :raise Problem: 404, then 403."""
    from server.auth.permissions import require

    user = user or current_user()
    obj = get_scoped(model, object_id, what=what, user=user)
    require(user, permission)
    db.session.delete(obj)
    db.session.flush()
