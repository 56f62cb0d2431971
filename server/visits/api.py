"""Visits, check-in/out, tasks, to-do lists and the offline sync endpoint.

GET   /api/v1/visits                     list (rep, account, status, flagged, dates)
POST  /api/v1/visits                     plan one (or start an unplanned one); idempotent by uuid
GET   /api/v1/visits/{id}                one visit
POST  /api/v1/visits/{id}/check-in       position + accuracy; distance to the outlet; flagged past the geofence
POST  /api/v1/visits/{id}/check-out      outcome, notes; the account's last visit moves
POST  /api/v1/visits/{id}/cancel         cancel a planned visit
GET   /api/v1/tasks                      follow-up tasks
POST  /api/v1/tasks                      create one (idempotent by uuid)
PATCH /api/v1/tasks/{id}                 change or complete
GET   /api/v1/todo                       overdue accounts, outlets to re-verify, open tasks
POST  /api/v1/sync                       a batch of offline changes, one answer per change
GET   /api/v1/sync                       what the phone needs offline, changed since a cursor
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.views import MethodView
from marshmallow import RAISE, Schema, fields, validate
from sqlalchemy import func, select
from webargs.fields import DelimitedList

from server.api import Blueprint
from server.auth.models import User
from server.auth.permissions import require
from server.auth.schemas import StrictSchema
from server.db import db
from server.errors import Problem
from server.http import body_doc, created, load_body
from server.tenancy import current_user, get_scoped, task_visibility
from server.visits import service, sync
from server.visits.models import OUTCOMES, Task, VisitStatus

blp = Blueprint("visits", __name__, url_prefix="/api/v1", description="Visits, check-in, tasks and offline sync")


class VisitQuery(StrictSchema):
    rep = fields.String(validate=validate.Regexp(r"^(\d{1,10}|me)$", error="a user id or 'me'"))
    account_id = fields.Integer()
    status = DelimitedList(fields.String(validate=validate.OneOf([s.value for s in VisitStatus])))
    flagged = fields.Boolean()
    date_from = fields.Date()
    date_to = fields.Date()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


class VisitCreateSchema(StrictSchema):
    uuid = fields.UUID(required=True, metadata={"description": "made by the client; sending it again is harmless"})
    account_id = fields.Integer(required=True)
    rep_id = fields.Integer(allow_none=True)
    planned_date = fields.Date(allow_none=True)
    planned_start_min = fields.Integer(validate=validate.Range(min=0, max=1440), allow_none=True)
    planned_duration_min = fields.Integer(validate=validate.Range(min=1, max=720), allow_none=True)
    notes = fields.String(validate=validate.Length(max=5000), allow_none=True)


class CheckInSchema(StrictSchema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    accuracy_m = fields.Float(validate=validate.Range(min=0, max=100_000), allow_none=True)
    client_at = fields.AwareDateTime(required=True, metadata={"description": "the phone's time, ISO 8601 with offset"})


class CheckOutSchema(StrictSchema):
    lat = fields.Float(validate=validate.Range(min=-90, max=90), allow_none=True)
    lon = fields.Float(validate=validate.Range(min=-180, max=180), allow_none=True)
    accuracy_m = fields.Float(validate=validate.Range(min=0, max=100_000), allow_none=True)
    client_at = fields.AwareDateTime(required=True)
    outcome = fields.String(validate=validate.OneOf(OUTCOMES), allow_none=True)
    notes = fields.String(validate=validate.Length(max=5000), allow_none=True)


class CancelSchema(StrictSchema):
    reason = fields.String(validate=validate.Length(max=1000), allow_none=True)


class TaskCreateSchema(StrictSchema):
    uuid = fields.UUID(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    account_id = fields.Integer(allow_none=True)
    visit_uuid = fields.UUID(allow_none=True)
    due_date = fields.Date(allow_none=True)
    assigned_to_id = fields.Integer(allow_none=True)


class TaskUpdateSchema(StrictSchema):
    title = fields.String(validate=validate.Length(min=1, max=300))
    due_date = fields.Date(allow_none=True)
    status = fields.String(validate=validate.OneOf(["open", "done", "cancelled"]))


class TaskQuery(StrictSchema):
    status = DelimitedList(fields.String(validate=validate.OneOf(["open", "done", "cancelled"])))
    rep = fields.String(validate=validate.Regexp(r"^(\d{1,10}|me)$", error="a user id or 'me'"))
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))


class TodoQuery(StrictSchema):
    rep = fields.String(
        validate=validate.Regexp(r"^(\d{1,10}|me)$", error="a user id or 'me'"),
        metadata={"description": "one rep (default: yourself for reps, the whole team for managers)"},
    )


class SyncPullQuery(StrictSchema):
    since = fields.String(validate=validate.Length(max=2000), metadata={"description": "`next` of the last pull"})
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=2000))


class SyncBatchSchema(Schema):
    changes = fields.List(
        fields.Dict(),
        required=True,
        metadata={"description": "each {uuid, kind, client_at, data}; kinds: " + ", ".join(sorted(sync.KINDS))},
    )


def _rep_arg(user: User, value: str | None) -> int | None:
    if value is None:
        return None
    rep_id = user.id if value == "me" else int(value)
    if rep_id != user.id:
        try:
            get_scoped(User, rep_id, what="user", user=user)
        except Problem:
            raise Problem(
                "not-found",
                f"rep: there is no user {rep_id}.",
                errors=[{"field": "rep", "in": "query", "message": f"no user {rep_id}"}],
            ) from None
    return rep_id


@blp.route("/visits")
class Visits(MethodView):
    @blp.arguments(VisitQuery, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """Visits the user may see (reps: theirs; managers: their team's)"""
        user = current_user()
        require(user, "visits.read")
        query = service.list_visits(db.session, user, args)
        total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
        items = db.session.execute(query.limit(args["limit"]).offset(args["offset"])).scalars()
        return jsonify({"items": [service.visit_json(v) for v in items], "total": total})

    @blp.doc(requestBody=body_doc(VisitCreateSchema))
    def post(self) -> Any:
        """Plan a visit, or start an unplanned one (no planned_date)"""
        user = current_user()
        require(user, "visits.record")
        data = load_body(VisitCreateSchema)
        data["uuid"] = str(data["uuid"])
        visit, was_created = service.create_visit(db.session, user, data)
        return created(service.visit_json(visit), new=was_created)


@blp.route("/visits/<int:visit_id>")
class VisitDetail(MethodView):
    def get(self, visit_id: int) -> Any:
        """One visit, with the survey responses made during it (also those sent before it)"""
        from server.surveys import service as surveys
        from server.surveys.models import SurveyResponse

        user = current_user()
        visit = service.get_visit(db.session, user, visit_id)
        responses = db.session.execute(
            surveys.responses_query(user).where(SurveyResponse.visit_uuid == visit.uuid).order_by(SurveyResponse.id)
        ).scalars()
        body = service.visit_json(visit)
        body["responses"] = [surveys.response_json(db.session, r, full=False) for r in responses]
        return jsonify(body)


@blp.route("/visits/<int:visit_id>/check-in")
class VisitCheckIn(MethodView):
    @blp.doc(requestBody=body_doc(CheckInSchema))
    def post(self, visit_id: int) -> Any:
        """Check in: the distance to the outlet is computed and checked against the geofence"""
        user = current_user()
        visit = service.get_visit(db.session, user, visit_id)
        require(user, "visits.record")
        service.check_in(db.session, user, visit, load_body(CheckInSchema))
        return jsonify(service.visit_json(visit))


@blp.route("/visits/<int:visit_id>/check-out")
class VisitCheckOut(MethodView):
    @blp.doc(requestBody=body_doc(CheckOutSchema))
    def post(self, visit_id: int) -> Any:
        """Check out with the outcome; not possible before checking in"""
        user = current_user()
        visit = service.get_visit(db.session, user, visit_id)
        require(user, "visits.record")
        service.check_out(db.session, user, visit, load_body(CheckOutSchema))
        return jsonify(service.visit_json(visit))


@blp.route("/visits/<int:visit_id>/cancel")
class VisitCancel(MethodView):
    @blp.doc(requestBody=body_doc(CancelSchema))
    def post(self, visit_id: int) -> Any:
        """Cancel a planned visit"""
        user = current_user()
        visit = service.get_visit(db.session, user, visit_id)
        require(user, "visits.record")
        service.cancel_visit(db.session, user, visit, load_body(CancelSchema).get("reason"))
        return jsonify(service.visit_json(visit))


@blp.route("/tasks")
class Tasks(MethodView):
    @blp.arguments(TaskQuery, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """Follow-up tasks"""
        user = current_user()
        query = select(Task).where(task_visibility(user))
        if args.get("status"):
            query = query.where(Task.status.in_(args["status"]))
        rep_id = _rep_arg(user, args.get("rep"))
        if rep_id is not None:
            query = query.where(Task.assigned_to_id == rep_id)
        items = db.session.execute(query.order_by(Task.due_date, Task.id).limit(args["limit"])).scalars()
        return jsonify({"items": [service.task_json(t) for t in items]})

    @blp.doc(requestBody=body_doc(TaskCreateSchema))
    def post(self) -> Any:
        """Create a follow-up task"""
        user = current_user()
        require(user, "tasks.write")
        data = load_body(TaskCreateSchema)
        data["uuid"] = str(data["uuid"])
        if data.get("visit_uuid"):
            data["visit_uuid"] = str(data["visit_uuid"])
        task, was_created = service.create_task(db.session, user, data)
        return created(service.task_json(task), new=was_created)


@blp.route("/tasks/<int:task_id>")
class TaskDetail(MethodView):
    @blp.doc(requestBody=body_doc(TaskUpdateSchema))
    def patch(self, task_id: int) -> Any:
        """Change or complete a task"""
        user = current_user()
        task = get_scoped(Task, task_id, what="task", user=user)
        require(user, "tasks.write")
        service.update_task(db.session, user, task, load_body(TaskUpdateSchema, partial=True))
        return jsonify(service.task_json(task))


@blp.route("/todo")
class Todo(MethodView):
    @blp.arguments(TodoQuery, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """To do: overdue accounts, outlets to re-verify, open tasks"""
        user = current_user()
        rep_id = _rep_arg(user, args.get("rep"))
        if rep_id is None and user.role == "rep":
            rep_id = user.id
        return jsonify(service.todo(db.session, user, rep_id))


@blp.route("/sync")
class Sync(MethodView):
    @blp.arguments(SyncPullQuery, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """Pull what the phone needs offline

        The first pull (no `since`) returns everything in scope; later pulls only what
        changed since `since` (the `next` of the previous answer), with deletions.
        Follow `next` while `has_more` is true.
        """
        user = current_user()
        require(user, "sync.use")
        return jsonify(sync.pull(db.session, user, args.get("since"), args["limit"]))

    @blp.doc(requestBody=body_doc(SyncBatchSchema))
    def post(self) -> Any:
        """Push a batch of offline changes

        Each change is `{uuid, kind, client_at, data}` and gets its own answer:
        `applied` (with the result), `duplicate` (sent before: the stored result) or
        `rejected` (with a problem). One bad change never blocks the others.
        """
        user = current_user()
        require(user, "sync.use")
        data = load_body(sync.Batch)
        return jsonify({"results": sync.apply_batch(db.session, user, data["changes"])})
