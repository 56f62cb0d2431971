"""The OpenAPI-documented REST API (flask-smorest), with errors in problem+json.

Each feature's ``api.py`` defines one ``blp``; :func:`init_app` registers them all,
so this file is the list of what the API contains.
"""

from __future__ import annotations

import http
from typing import Any

import marshmallow as ma
from flask import Flask, Response
from flask_smorest import Api as _Api
from flask_smorest import Blueprint
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from server.errors import PROBLEM_MEDIA_TYPE, from_http_exception, problem_response

__all__ = ["Api", "Blueprint", "api", "init_app"]


class ProblemFieldSchema(ma.Schema):
    field = ma.fields.String()
    in_ = ma.fields.String(data_key="in", metadata={"description": "query, body or path"})
    message = ma.fields.String()


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, the body of every error response."""

    type = ma.fields.String(metadata={"description": "URI reference of the problem type; GET it for a description"})
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    instance = ma.fields.String()
    errors = ma.fields.List(ma.fields.Nested(ProblemFieldSchema))


class Api(_Api):
    """flask-smorest's Api whose every HTTP error is a problem+json document."""

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        return problem_response(from_http_exception(error))

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        """Document every error response as problem+json (flask-smorest says application/json)."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error (problem+json)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


api = Api()


def init_app(app: Flask) -> None:
    from server import jobs_api, meta
    from server.accounts import api as accounts_api
    from server.accounts import org_api
    from server.auth import api as auth_api
    from server.auth import users_api
    from server.catalog import api as catalog_api
    from server.outlets import api as outlets_api
    from server.plans import api as plans_api
    from server.surveys import api as surveys_api
    from server.visits import api as visits_api

    app.config.setdefault("API_TITLE", "Rayon API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "Rayon field-sales CRM. Errors are RFC 9457 problem+json documents; "
                "see /api/v1/problems."
            },
        },
    )
    api.init_app(app)
    for blueprint in (
        meta.blp,
        auth_api.blp,
        users_api.blp,
        outlets_api.blp,
        accounts_api.blp,
        org_api.blp,
        visits_api.blp,
        jobs_api.blp,
        plans_api.blp,
    ):
        api.register_blueprint(blueprint)
    for blueprint in (catalog_api.blp, surveys_api.blp):  # catalog, forms, responses, photos
        api.register_blueprint(blueprint)
    from server.analytics import api as analytics_api

    api.register_blueprint(analytics_api.blp)  # KPIs, dashboards, exports
    from server.quality import api as quality_api

    api.register_blueprint(quality_api.blp)  # data quality: imports, duplicates, corrections, re-verification
    from server import observability

    api.register_blueprint(observability.blp)  # readiness and Prometheus metrics
