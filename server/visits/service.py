"""Visits: planning by hand, GPS check-in and check-out, day-end closing; tasks; to-do lists.

The same functions serve the REST endpoints and the offline sync, so a change has
one meaning whichever way it arrives. Times sent by the phone are kept beside the
server's (a phone's clock can be wrong; the server's decides ordering on the server).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from server.accounts.models import Account
from server.auth.models import Role, User, utcnow
from server.auth.permissions import require
from server.dialects import for_bind, haversine_m
from server.errors import Problem, field_error
from server.outlets.models import Outlet
from server.tenancy import account_visibility, get_scoped, task_visibility, team_ids, visit_visibility
from server.visits.models import Task, TaskStatus, Visit, VisitSource, VisitStatus


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _aware(value).isoformat()  # type: ignore[union-attr]
    return value.isoformat()


def visit_json(visit: Visit) -> dict[str, Any]:
    outlet = visit.account.outlet
    return {
        "id": visit.id,
        "uuid": visit.uuid,
        "account_id": visit.account_id,
        "rep_id": visit.rep_id,
        "outlet": {
            "id": outlet.id,
            "name": outlet.name,
            "city": outlet.city,
            "street": outlet.street,
            "house_number": outlet.house_number,
        },
        "source": visit.source,
        "status": visit.status,
        "planned_date": _iso(visit.planned_date),
        "planned_start_min": visit.planned_start_min,
        "planned_duration_min": visit.planned_duration_min,
        "route_plan_id": visit.route_plan_id,
        "sequence": visit.sequence,
        "check_in": None
        if visit.check_in_at is None
        else {
            "at": _iso(visit.check_in_at),
            "client_at": _iso(visit.check_in_client_at),
            "lat": visit.check_in_lat,
            "lon": visit.check_in_lon,
            "accuracy_m": visit.check_in_accuracy_m,
            "distance_m": visit.check_in_distance_m,
        },
        "check_out": None
        if visit.check_out_at is None
        else {
            "at": _iso(visit.check_out_at),
            "client_at": _iso(visit.check_out_client_at),
            "lat": visit.check_out_lat,
            "lon": visit.check_out_lon,
            "accuracy_m": visit.check_out_accuracy_m,
        },
        "flagged": visit.flagged,
        "flag_reason": visit.flag_reason,
        "outcome": visit.outcome,
        "notes": visit.notes,
        "updated_at": _iso(visit.updated_at),
    }


def get_visit(session: Session, user: User, visit_id: int) -> Visit:
    visit = session.execute(select(Visit).where(Visit.id == visit_id, visit_visibility(user))).scalar_one_or_none()
    if visit is None:
        raise Problem("not-found", f"There is no visit {visit_id}.")
    return visit


def visit_by_uuid(session: Session, user: User, uuid: str) -> Visit | None:
    return session.execute(select(Visit).where(Visit.org_id == user.org_id, Visit.uuid == uuid)).scalar_one_or_none()


def create_visit(session: Session, user: User, data: dict[str, Any]) -> tuple[Visit, bool]:
    """A planned (``planned_date`` given) or unplanned visit; idempotent by ``uuid``.

    Reps create visits for their own accounts; managers for their team's, naming the rep.
    Returns (visit, created).

    :raise Problem: 404 for an account the user cannot see, 409 for a reused UUID with
        other content, 422 for a rep outside the user's reach.
    """
    existing = visit_by_uuid(session, user, data["uuid"])
    if existing is not None:
        same = existing.account_id == data["account_id"] and (
            data.get("planned_date") is None or existing.planned_date == data.get("planned_date")
        )
        if not same or (existing.rep_id != user.id and Role(user.role) == Role.REP):
            raise Problem("conflict", f"Visit {data['uuid']} exists already with other content.")
        return existing, False
    account = get_scoped(Account, data["account_id"], what="account", user=user)
    rep_id = data.get("rep_id") or account.assigned_rep_id or user.id
    if Role(user.role) == Role.REP:
        if rep_id != user.id:
            raise field_error("rep_id", "reps plan their own visits", "body")
    elif rep_id != user.id:
        rep = session.execute(select(User).where(User.id == rep_id, User.org_id == user.org_id)).scalar_one_or_none()
        if rep is None or (Role(user.role) == Role.MANAGER and rep_id not in team_ids(user)):
            raise field_error("rep_id", f"user {rep_id} is not a rep you can plan for", "body")
    planned = data.get("planned_date") is not None
    visit = Visit(
        org_id=user.org_id,
        uuid=data["uuid"],
        account_id=account.id,
        rep_id=rep_id,
        source=data.get("source") or (VisitSource.MANUAL if planned else VisitSource.UNPLANNED).value,
        status=VisitStatus.PLANNED.value,
        planned_date=data.get("planned_date"),
        planned_start_min=data.get("planned_start_min"),
        planned_duration_min=data.get("planned_duration_min"),
        notes=data.get("notes"),
        route_plan_id=data.get("route_plan_id"),
        sequence=data.get("sequence"),
    )
    visit.account = account
    session.add(visit)
    session.flush()
    return visit, True


def _outlet_position(session: Session, outlet_id: int) -> tuple[float, float]:
    d = for_bind(session)
    lat, lon = session.execute(select(d.lat(Outlet.geom), d.lon(Outlet.geom)).where(Outlet.id == outlet_id)).one()
    return lat, lon


def check_in(session: Session, user: User, visit: Visit, data: dict[str, Any]) -> Visit:
    """Record arrival: position, accuracy, distance to the outlet; flagged beyond the geofence.

    :raise Problem: 409 when the visit is not planned (already started, done, cancelled).
    """
    if visit.rep_id != user.id:
        raise Problem("forbidden", "Only the visit's rep checks in.")
    if visit.status == VisitStatus.IN_PROGRESS and visit.check_in_client_at == data.get("client_at"):
        return visit  # the same check-in again
    if visit.status not in (VisitStatus.PLANNED, VisitStatus.MISSED):
        raise Problem("conflict", f"Visit {visit.uuid} is {visit.status}; only a planned visit can be checked in.")
    lat, lon = _outlet_position(session, visit.account.outlet_id)
    distance = haversine_m(lon, lat, data["lon"], data["lat"])
    geofence = user.organization.setting("geofence_m")
    visit.status = VisitStatus.IN_PROGRESS.value
    visit.check_in_at = utcnow()
    visit.check_in_client_at = data.get("client_at")
    visit.check_in_lat, visit.check_in_lon = data["lat"], data["lon"]
    visit.check_in_accuracy_m = data.get("accuracy_m")
    visit.check_in_distance_m = round(distance, 1)
    visit.flagged = distance > geofence
    visit.flag_reason = (
        f"checked in {distance:.0f} m from the outlet (geofence {geofence} m"
        + (f", GPS accuracy {data['accuracy_m']:.0f} m)" if data.get("accuracy_m") is not None else ")")
        if visit.flagged
        else None
    )
    session.flush()
    return visit


def check_out(session: Session, user: User, visit: Visit, data: dict[str, Any]) -> Visit:
    """Record departure and outcome; the account's last visit moves to this one.

    :raise Problem: 409 when the visit was not checked in.
    """
    if visit.rep_id != user.id:
        raise Problem("forbidden", "Only the visit's rep checks out.")
    if visit.status == VisitStatus.DONE and visit.check_out_client_at == data.get("client_at"):
        return visit
    if visit.status != VisitStatus.IN_PROGRESS:
        raise Problem("conflict", f"Visit {visit.uuid} is {visit.status}: check in before checking out.")
    client_in, client_out = _aware(visit.check_in_client_at), _aware(data.get("client_at"))
    if client_in and client_out and client_out < client_in:
        raise field_error("client_at", "check-out is earlier than check-in", "body")
    visit.status = VisitStatus.DONE.value
    visit.check_out_at = utcnow()
    visit.check_out_client_at = data.get("client_at")
    visit.check_out_lat, visit.check_out_lon = data.get("lat"), data.get("lon")
    visit.check_out_accuracy_m = data.get("accuracy_m")
    visit.outcome = data.get("outcome") or visit.outcome
    if data.get("notes"):
        visit.notes = data["notes"]
    account = visit.account
    visited_at = client_in or _aware(visit.check_in_at)
    if account.last_visit_at is None or (_aware(account.last_visit_at) or visited_at) <= visited_at:
        account.last_visit_at = visited_at
        account.set_visit_due()
    session.flush()
    return visit


def cancel_visit(session: Session, user: User, visit: Visit, reason: str | None) -> Visit:
    if visit.status in (VisitStatus.DONE, VisitStatus.IN_PROGRESS):
        raise Problem("conflict", f"Visit {visit.uuid} is {visit.status} and cannot be cancelled.")
    if visit.rep_id != user.id:
        require(user, "visits.plan")
    visit.status = VisitStatus.CANCELLED.value
    if reason:
        visit.notes = reason
    session.flush()
    return visit


def close_day(session: Session, *, before: dt.date, org_id: int | None = None) -> int:
    """Mark planned visits of days before ``before`` as missed (their accounts stay due,
    so the next plan takes them up again)."""
    query = select(Visit).where(Visit.status == VisitStatus.PLANNED.value, Visit.planned_date < before)
    if org_id is not None:
        query = query.where(Visit.org_id == org_id)
    visits = session.execute(query).scalars().all()
    for visit in visits:
        visit.status = VisitStatus.MISSED.value
    session.flush()
    return len(visits)


def list_visits(session: Session, user: User, args: dict[str, Any]) -> Select[Any]:
    query = select(Visit).where(visit_visibility(user))
    if "rep" in args:
        rep_id = user.id if args["rep"] == "me" else int(args["rep"])
        if rep_id != user.id:
            try:
                get_scoped(User, rep_id, what="user", user=user)
            except Problem:
                raise Problem(
                    "not-found",
                    f"rep: there is no user {rep_id}.",
                    errors=[{"field": "rep", "in": "query", "message": f"no user {rep_id}"}],
                ) from None
        query = query.where(Visit.rep_id == rep_id)
    if "account_id" in args:
        get_scoped(Account, args["account_id"], what="account", user=user)
        query = query.where(Visit.account_id == args["account_id"])
    if args.get("status"):
        query = query.where(Visit.status.in_(args["status"]))
    if "flagged" in args:
        query = query.where(Visit.flagged == args["flagged"])
    if "date_from" in args:
        query = query.where(
            or_(
                Visit.planned_date >= args["date_from"],
                and_(
                    Visit.planned_date.is_(None),
                    Visit.check_in_at >= dt.datetime.combine(args["date_from"], dt.time(), tzinfo=dt.UTC),
                ),
            )
        )
    if "date_to" in args:
        query = query.where(
            or_(
                Visit.planned_date <= args["date_to"],
                and_(
                    Visit.planned_date.is_(None),
                    Visit.check_in_at
                    < dt.datetime.combine(args["date_to"] + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC),
                ),
            )
        )
    return query.order_by(Visit.planned_date, Visit.sequence, Visit.id)


# --- tasks ------------------------------------------------------------------------------


def task_json(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "uuid": task.uuid,
        "account_id": task.account_id,
        "visit_id": task.visit_id,
        "assigned_to_id": task.assigned_to_id,
        "created_by_id": task.created_by_id,
        "title": task.title,
        "due_date": _iso(task.due_date),
        "status": task.status,
        "done_at": _iso(task.done_at),
        "updated_at": _iso(task.updated_at),
    }


def create_task(session: Session, user: User, data: dict[str, Any]) -> tuple[Task, bool]:
    existing = session.execute(
        select(Task).where(Task.org_id == user.org_id, Task.uuid == data["uuid"])
    ).scalar_one_or_none()
    if existing is not None:
        if existing.title != data["title"]:
            raise Problem("conflict", f"Task {data['uuid']} exists already with other content.")
        return existing, False
    if data.get("account_id") is not None:
        get_scoped(Account, data["account_id"], what="account", user=user)
    assignee = data.get("assigned_to_id") or user.id
    if assignee != user.id:
        if Role(user.role) == Role.REP:
            raise field_error("assigned_to_id", "reps create tasks for themselves", "body")
        try:
            get_scoped(User, assignee, what="user", user=user)
        except Problem:
            raise field_error("assigned_to_id", f"there is no user {assignee}", "body") from None
    visit_id = None
    if data.get("visit_uuid"):
        visit = visit_by_uuid(session, user, data["visit_uuid"])
        visit_id = visit.id if visit else None
    task = Task(
        org_id=user.org_id,
        uuid=data["uuid"],
        account_id=data.get("account_id"),
        visit_id=visit_id,
        assigned_to_id=assignee,
        created_by_id=user.id,
        title=data["title"],
        due_date=data.get("due_date"),
    )
    session.add(task)
    session.flush()
    return task, True


def update_task(session: Session, user: User, task: Task, data: dict[str, Any]) -> Task:
    if "title" in data:
        task.title = data["title"]
    if "due_date" in data:
        task.due_date = data["due_date"]
    if "status" in data and data["status"] != task.status:
        task.status = data["status"]
        task.done_at = utcnow() if data["status"] == TaskStatus.DONE else None
    session.flush()
    return task


# --- to-do ------------------------------------------------------------------------------


def todo(session: Session, user: User, rep_id: int | None) -> dict[str, Any]:
    """What needs doing: overdue accounts, outlets to re-verify, open tasks (one rep or the team)."""
    org = user.organization
    now = utcnow()
    accounts = select(Account).where(account_visibility(user))
    tasks = select(Task).where(task_visibility(user), Task.status == TaskStatus.OPEN.value)
    if rep_id is not None:
        accounts = accounts.where(Account.assigned_rep_id == rep_id)
        tasks = tasks.where(Task.assigned_to_id == rep_id)
    overdue = (
        session.execute(
            accounts.where(
                Account.visit_every_weeks.is_not(None), or_(Account.visit_due_at.is_(None), Account.visit_due_at < now)
            )
            .order_by(Account.visit_due_at.is_not(None), Account.visit_due_at, Account.id)
            .limit(200)
        )
        .scalars()
        .all()
    )
    months = int(org.setting("reverify_after_months"))
    stale_before = (now - dt.timedelta(days=round(months * 30.44))).date()
    reverify = (
        session.execute(
            accounts.join(Outlet, Outlet.id == Account.outlet_id)
            .where(
                or_(Outlet.last_verified_at.is_(None), Outlet.last_verified_at < stale_before),
                Outlet.status != "closed",
            )
            .order_by(Outlet.last_verified_at, Account.id)
            .limit(200)
        )
        .scalars()
        .all()
    )
    open_tasks = (
        session.execute(tasks.order_by(Task.due_date.is_(None), Task.due_date, Task.id).limit(200)).scalars().all()
    )
    return {
        "overdue_accounts": [
            {
                "account_id": a.id,
                "outlet_name": a.outlet.name,
                "city": a.outlet.city,
                "account_class": a.account_class,
                "visit_every_weeks": a.visit_every_weeks,
                "last_visit_at": _iso(a.last_visit_at),
                "visit_due_at": _iso(a.visit_due_at),
                "assigned_rep_id": a.assigned_rep_id,
            }
            for a in overdue
        ],
        "outlets_to_reverify": [
            {
                "account_id": a.id,
                "outlet_id": a.outlet_id,
                "outlet_name": a.outlet.name,
                "last_verified_at": _iso(a.outlet.last_verified_at),
            }
            for a in reverify
        ],
        "reverify_after_months": months,
        "open_tasks": [task_json(t) for t in open_tasks],
        # Public outlets of these accounts that other brands' reps (or an import) reported
        # closed, moved, renamed... (server.quality).
        "outlet_changes": _outlet_changes(session, user, rep_id),
    }


def _outlet_changes(session: Session, user: User, rep_id: int | None) -> list[dict[str, Any]]:
    from server.quality.verification import notices_for_todo

    return notices_for_todo(session, user, rep_id)
