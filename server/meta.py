"""Service endpoints: health, the problem catalogue, and the browsable API docs."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, render_template
from flask.views import MethodView
from sqlalchemy import func, select, text

from server import __version__
from server.api import Blueprint
from server.db import db
from server.errors import CATALOGUE, Problem
from server.outlets.models import Outlet
from server.outlets.schemas import HealthSchema

blp = Blueprint("meta", __name__, url_prefix="/api/v1", description="Service status and documentation")


@blp.route("/health")
class Health(MethodView):
    public = True

    @blp.response(200, HealthSchema)
    def get(self) -> Any:
        """Service health

        Database kind, its spatial extension and the number of public reference outlets.
        """
        dialect = db.engine.dialect.name
        if dialect == "sqlite":
            spatial = "SpatiaLite " + db.session.execute(text("SELECT spatialite_version()")).scalar_one()
        else:
            spatial = "PostGIS " + db.session.execute(text("SELECT postgis_lib_version()")).scalar_one()
        return {
            "status": "ok",
            "database": dialect,
            "spatial": spatial,
            "outlets": _public_outlet_count(),
            "version": __version__,
        }


_COUNT_TTL = 60.0
_count_cache: dict[str, tuple[float, int]] = {}


def _public_outlet_count() -> int:
    """The number of public outlets, recounted at most once a minute per process: a
    health probe every few seconds must not scan a million rows each time."""
    key = str(db.engine.url)
    now = time.monotonic()
    cached = _count_cache.get(key)
    if cached and now - cached[0] < _COUNT_TTL:
        return cached[1]
    count = db.session.execute(select(func.count()).select_from(Outlet).where(Outlet.org_id.is_(None))).scalar_one()
    _count_cache[key] = (now, count)
    return count


@blp.route("/problems")
class ProblemCatalogue(MethodView):
    public = True

    def get(self) -> Any:
        """The problem types this API answers with"""
        return {"items": [_problem_doc(p.slug) for p in CATALOGUE.values()]}


@blp.route("/problems/<slug>")
class ProblemTypeDoc(MethodView):
    public = True

    def get(self, slug: str) -> Any:
        """One problem type"""
        if slug not in CATALOGUE:
            raise Problem("not-found", f"There is no problem type {slug!r}.")
        return _problem_doc(slug)


def _problem_doc(slug: str) -> dict[str, Any]:
    p = CATALOGUE[slug]
    return {"type": f"/api/v1/problems/{p.slug}", "status": p.status, "title": p.title, "description": p.description}


@blp.route("/docs")
class Docs(MethodView):
    public = True

    @blp.doc(responses={"200": {"description": "HTML page", "content": {"text/html": {}}}})
    def get(self) -> Any:
        """Browsable API documentation (HTML)"""
        from server.api import api

        spec = api.spec.to_dict()
        return current_app.response_class(render_template("api_docs.html", spec=spec), mimetype="text/html")
