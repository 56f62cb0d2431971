"""Background jobs: progress and results.

GET /api/v1/jobs          recent jobs of the organization (reps: their own)
GET /api/v1/jobs/{id}     one job: status, progress, result or error
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.views import MethodView
from marshmallow import RAISE, fields, validate

from server.api import Blueprint
from server.auth.schemas import StrictSchema
from server.db import db
from server.jobs import Job, job_json, reap_stale
from server.tenancy import current_user, get_scoped, scoped

blp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs", description="Background jobs")


class JobQuery(StrictSchema):
    kind = fields.String(validate=validate.Length(max=40))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


@blp.route("")
class Jobs(MethodView):
    @blp.arguments(JobQuery, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """Recent jobs, newest first"""
        reap_stale(db.session)
        query = scoped(Job, current_user())
        if "kind" in args:
            query = query.where(Job.kind == args["kind"])
        items = db.session.execute(query.order_by(Job.id.desc()).limit(args["limit"])).scalars()
        return jsonify({"items": [job_json(j) for j in items]})


@blp.route("/<int:job_id>")
class JobDetail(MethodView):
    def get(self, job_id: int) -> Any:
        """One job (poll it until status is done or failed)"""
        return jsonify(job_json(get_scoped(Job, job_id, what="job")))
