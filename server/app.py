"""The application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, Response, send_from_directory
from werkzeug.routing import IntegerConverter

from server.config import REPO_ROOT, Settings

WEBAPP_DIST = REPO_ROOT / "webapp" / "dist"


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: at most 2**31 - 1, the range of the id columns. A larger number
    in a URL is an id that cannot exist (404), never an overflow in the database (500)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    """Build the Flask app.

    :param settings: defaults to :meth:`Settings.from_env`.
    :param overrides: extra Flask config (tests use ``TESTING=True``).
    """
    from server import api, audit, errors, jobs, transactions  # noqa: F401 - audit registers its flush hook
    from server.auth import middleware
    from server.db import db, engine_options, install_listeners

    settings = settings or Settings.from_env()
    app = Flask(__name__, static_folder=None)
    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.config.update(
        RAYON=settings,
        SECRET_KEY=settings.secret_key,
        DEBUG=settings.debug,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(settings.database_url),
        MAX_CONTENT_LENGTH=settings.max_content_length,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.config.update(overrides)
    logging.basicConfig(level=logging.DEBUG if settings.debug else logging.INFO)

    db.init_app(app)
    with app.app_context():
        install_listeners(db.engine)
    api.init_app(app)
    errors.init_app(app)
    from server.http import reject_nul_in_query

    app.before_request(reject_nul_in_query)
    middleware.init_app(app)
    from server import observability, security

    security.init_app(app)  # headers, CORS, proxies; the per-token rate limit (after the middleware)
    observability.init_app(app)  # request ids, JSON logs, metrics
    transactions.init_app(app)
    jobs.init_app(app)
    _webapp(app, WEBAPP_DIST)
    return app


def _webapp(app: Flask, dist: Path) -> None:
    """Serve the built web app at / (client-side routes fall back to index.html)."""

    @app.get("/")
    @app.get("/<path:path>")
    def webapp(path: str = "") -> Response:
        from server.errors import Problem

        if path.startswith("api/"):
            raise Problem("not-found", f"No resource at /{path}.")
        index = dist / "index.html"
        if path and (dist / path).is_file():
            return send_from_directory(dist, path)
        if index.is_file():
            response = send_from_directory(dist, "index.html")
            response.headers["Cache-Control"] = "no-cache"
            return response
        return Response(
            "<!doctype html><meta name=viewport content='width=device-width'><title>Rayon</title>"
            "<h1>Rayon</h1><p>The web app is not built (run <code>make run</code>). "
            "The API is at <a href='/api/v1/docs'>/api/v1/docs</a>.</p>",
            mimetype="text/html",
        )

    webapp.public = True  # type: ignore[attr-defined]  # the shell; the API behind it checks logins
