"""Route plans and day optimisation.

GET  /api/v1/route-plans                   plans of the organization
POST /api/v1/route-plans                   plan reps x days x accounts (a background job)
GET  /api/v1/route-plans/{id}              the plan: per rep and day, ordered stops with times
GET  /api/v1/route-plans/{id}/geojson      the routes as GeoJSON (lines and numbered stops)
POST /api/v1/route-plans/{id}/publish      turn it into planned visits
POST /api/v1/routes/optimize-day           a rep's own day, at once (also: re-plan the rest of it)
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.views import MethodView
from marshmallow import ValidationError, fields, validate, validates_schema

from server.api import Blueprint
from server.auth.permissions import require
from server.auth.schemas import StrictSchema
from server.db import db
from server.http import GEOJSON, body_doc, load_body
from server.plans import service
from server.plans.models import RoutePlan
from server.tenancy import current_user, get_scoped, scoped

blp = Blueprint("plans", __name__, url_prefix="/api/v1", description="Route plans and day optimisation")

_time = fields.String(validate=validate.Regexp(r"^([01]\d|2[0-4]):[0-5]\d$", error="a time such as 08:30"))


class LunchSchema(StrictSchema):
    earliest = _time
    latest = _time
    min_minutes = fields.Integer(validate=validate.Range(min=0, max=180))
    max_minutes = fields.Integer(validate=validate.Range(min=0, max=240))


class PlanOptionsSchema(StrictSchema):
    shift_start = _time
    shift_end = _time
    lunch = fields.Nested(LunchSchema, allow_none=True)
    weekdays = fields.List(fields.Integer(validate=validate.Range(min=0, max=6)), validate=validate.Length(min=1))
    time_limit_s = fields.Float(validate=validate.Range(min=1, max=600))
    max_working_hours = fields.Float(validate=validate.Range(min=1, max=14))
    service_minutes_by_class = fields.Dict(
        keys=fields.String(validate=validate.OneOf(["A", "B", "C"])),
        values=fields.Integer(validate=validate.Range(min=1, max=240)),
    )


class AccountFilterSchema(StrictSchema):
    status = fields.List(fields.String(validate=validate.OneOf(["prospect", "customer", "lost", "not_a_target"])))
    account_class = fields.List(fields.String(validate=validate.OneOf(["A", "B", "C"])))
    rep = fields.String(validate=validate.Regexp(r"^(\d{1,10}|none)$"))
    territory = fields.String(validate=validate.Regexp(r"^(\d{1,10}|none)$"))
    tag = fields.String(validate=validate.Length(max=50))
    format = fields.List(fields.String())


class PlanRequestSchema(StrictSchema):
    name = fields.String(validate=validate.Length(max=200))
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    rep_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=50))
    accounts = fields.Nested(AccountFilterSchema, load_default=dict)
    options = fields.Nested(PlanOptionsSchema, load_default=dict)


class PositionSchema(StrictSchema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))


class OptimizeDaySchema(StrictSchema):
    date = fields.Date()
    account_ids = fields.List(fields.Integer(), validate=validate.Length(min=1, max=200))
    position = fields.Nested(PositionSchema)
    now = _time
    shift_start = _time
    shift_end = _time
    time_limit_s = fields.Float(validate=validate.Range(min=0.2, max=5))

    @validates_schema
    def _now(self, data: dict[str, Any], **_: Any) -> None:
        if "now" in data and "position" not in data:
            raise ValidationError("re-planning from now needs the position", "position")


@blp.route("/route-plans")
class RoutePlans(MethodView):
    def get(self) -> Any:
        """Route plans of the organization, newest first"""
        require(current_user(), "visits.plan")
        plans = db.session.execute(scoped(RoutePlan).order_by(RoutePlan.id.desc()).limit(100)).scalars()
        return jsonify({"items": [service.plan_json(p, with_result=False) for p in plans]})

    @blp.doc(requestBody=body_doc(PlanRequestSchema))
    def post(self) -> Any:
        """Plan reps over days (periodic routing), as a background job

        Accounts (chosen by the filter) are visited according to their frequency
        (every 1, 2, 4 weeks), inside opening hours, from and back to each rep's home,
        with a lunch break; visits planned by hand stay where they are. Poll `job_url`.
        """
        plan = service.create_plan(db.session, current_user(), load_body(PlanRequestSchema))
        response = jsonify(service.plan_json(plan))
        response.status_code = 202
        return response


@blp.route("/route-plans/<int:plan_id>")
class RoutePlanDetail(MethodView):
    def get(self, plan_id: int) -> Any:
        """One plan with its routes"""
        plan = get_scoped(RoutePlan, plan_id, what="route plan")
        require(current_user(), "visits.plan")
        return jsonify(service.plan_json(plan))


@blp.route("/route-plans/<int:plan_id>/geojson")
class RoutePlanGeoJSON(MethodView):
    def get(self, plan_id: int) -> Any:
        """The plan's routes as GeoJSON"""
        plan = get_scoped(RoutePlan, plan_id, what="route plan")
        require(current_user(), "visits.plan")
        response = jsonify((plan.result or {}).get("geojson") or {"type": "FeatureCollection", "features": []})
        response.mimetype = GEOJSON
        return response


@blp.route("/route-plans/<int:plan_id>/publish")
class RoutePlanPublish(MethodView):
    def post(self, plan_id: int) -> Any:
        """Publish: the plan's visits become planned visits of the reps (again: nothing doubles)"""
        plan = get_scoped(RoutePlan, plan_id, what="route plan")
        return jsonify(
            {**service.publish(db.session, current_user(), plan), "plan": service.plan_json(plan, with_result=False)}
        )


@blp.route("/routes/optimize-day")
class OptimizeDay(MethodView):
    @blp.doc(requestBody=body_doc(OptimizeDaySchema))
    def post(self) -> Any:
        """Optimise one rep's day now (a few seconds); with `now` and `position`, the rest of it"""
        return jsonify(service.optimize_day(db.session, current_user(), load_body(OptimizeDaySchema)))
