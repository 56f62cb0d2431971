"""Observability: request ids, structured logs, Prometheus metrics and readiness.

* Every request gets an id: the caller's ``X-Request-ID`` when it is a plain token of at
  most 64 characters, else a new one; it is echoed in the response and attached to every
  log record written while the request runs.
* Logs: with ``RAYON_LOG_FORMAT=json`` (the default in production) one JSON object per
  line; each request is logged once (method, path without query string, route, status,
  duration, user and organization ids). Headers, bodies and query strings are never
  logged, so passwords and tokens cannot appear in the log.
* ``GET /api/v1/metrics``: Prometheus text format. Requests and latencies by method and
  route (the URL rule, not the raw path, so the series stay few), jobs by status from the
  database and the Redis queue's length. Under gunicorn the counters of every worker are
  summed through ``PROMETHEUS_MULTIPROC_DIR`` (set by ``server/gunicorn_conf.py``). With
  ``RAYON_METRICS_TOKEN`` set the scraper must send it as a bearer token.
* ``GET /api/v1/ready``: 200 when the database answers and its schema is at the newest
  migration, else a 503 problem with ``Retry-After`` (``/api/v1/health`` is liveness).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hmac
import json
import logging
import os
import re
import sys
import time
import uuid
from typing import Any, TextIO

from flask import Flask, Response, current_app, g, request
from flask.views import MethodView
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from server.api import Blueprint
from server.errors import Problem

log = logging.getLogger("rayon.request")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("rayon_request_id", default=None)

# --- logs ---------------------------------------------------------------------------------

_STANDARD_ATTRS = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys() | {"message", "asctime", "request_id"}
)


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or _request_id.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def make_handler(fmt: str, stream: TextIO | None = None) -> logging.Handler:
    """A stream handler writing ``json`` or ``text`` records with the request id."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    return handler


def log_format_of(settings: Any) -> str:
    return settings.log_format or ("json" if settings.env == "production" else "text")


def configure_logging(settings: Any) -> None:
    """Replace the root logger's plain stream handlers by one in the configured format
    (test runners' capturing handlers are left alone)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler) is logging.StreamHandler and not getattr(handler, "rayon", False):
            root.removeHandler(handler)
    if not any(getattr(h, "rayon", False) for h in root.handlers):
        handler = make_handler(log_format_of(settings))
        handler.rayon = True  # type: ignore[attr-defined]
        root.addHandler(handler)


# --- metrics ------------------------------------------------------------------------------

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
REQUESTS = Counter("rayon_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "rayon_http_request_duration_seconds",
    "Time to answer a request, by route",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "(unmatched)"


class JobCollector:
    """Jobs by status from the database, and the Redis queue's length, read at scrape time."""

    def __init__(self, jobs: dict[str, int], queue_length: int | None) -> None:
        self.jobs = jobs
        self.queue_length = queue_length

    def collect(self) -> Any:
        by_status = GaugeMetricFamily("rayon_jobs", "Background jobs by status", labels=["status"])
        for status in ("queued", "running", "done", "failed"):
            by_status.add_metric([status], self.jobs.get(status, 0))
        yield by_status
        depth = GaugeMetricFamily(
            "rayon_job_queue_depth", "Jobs waiting for a worker (queued in the database, or in Redis when used)"
        )
        depth.add_metric([], self.queue_length if self.queue_length is not None else self.jobs.get("queued", 0))
        yield depth


def _job_counts() -> tuple[dict[str, int], int | None]:
    from server.db import db
    from server.jobs import Job

    rows = db.session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
    backend = current_app.extensions.get("rayon.jobs")
    queue_length = None
    if backend is not None and backend.name == "rq":
        try:
            queue_length = len(backend.queue)
        except Exception as exc:  # Redis down: the database's count stands in
            logging.getLogger(__name__).warning("queue length unknown: %s", exc)
    return {status: count for status, count in rows}, queue_length


def metrics_text() -> bytes:
    jobs, queue_length = _job_counts()
    extra = CollectorRegistry()
    extra.register(JobCollector(jobs, queue_length))
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry) + generate_latest(extra)
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY) + generate_latest(extra)


# --- request hooks ------------------------------------------------------------------------


def _start() -> None:
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = sent if _VALID_REQUEST_ID.match(sent) else uuid.uuid4().hex
    g.request_started = time.perf_counter()
    _request_id.set(g.request_id)


_SECRET_LOOKING = re.compile(r"[A-Za-z0-9_-]{20,}")


def loggable_path(path: str) -> str:
    """The path with token-like segments (an invitation link's secret, /invite/<secret>) masked."""
    return _SECRET_LOOKING.sub("[redacted]", path)


QUIET_ROUTES = frozenset({"/api/v1/health", "/api/v1/ready", "/api/v1/metrics"})


def _finish(response: Response) -> Response:
    """after_request, the last of all (after the commit decided the status)."""
    request_id = g.get("request_id")
    if request_id is None:  # a hook before ours refused the request
        _start()
        request_id = g.request_id
    response.headers[REQUEST_ID_HEADER] = request_id
    elapsed = time.perf_counter() - g.get("request_started", time.perf_counter())
    route = _route()
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    LATENCY.labels(request.method, route).observe(elapsed)
    user_id, org_id = g.get("user_ids") or (None, None)  # never the expired user object: no new query
    log.log(
        logging.DEBUG if route in QUIET_ROUTES and response.status_code < 400 else logging.INFO,
        "%s %s %s %.1f ms",
        request.method,
        loggable_path(request.path),
        response.status_code,
        elapsed * 1000,
        extra={
            "method": request.method,
            "path": loggable_path(request.path),
            "route": route,
            "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 2),
            "bytes": response.calculate_content_length(),
            "user_id": user_id,
            "org_id": org_id,
            "remote_addr": request.remote_addr,
        },
    )
    return response


def _forget(_exc: BaseException | None = None) -> None:
    _request_id.set(None)


# --- endpoints ----------------------------------------------------------------------------

blp = Blueprint("ops", __name__, url_prefix="/api/v1", description="Readiness and metrics for operators")


@blp.route("/ready")
class Ready(MethodView):
    public = True

    @blp.doc(responses={"503": {"description": "Not ready (problem+json, with Retry-After)"}})
    def get(self) -> Any:
        """Readiness: the database answers and its schema is current

        For load balancers and orchestrators: take the instance out of rotation on 503.
        `/api/v1/health` is the liveness probe.
        """
        from server.db import db

        try:
            db.session.execute(text("SELECT 1")).scalar_one()
        except SQLAlchemyError as exc:
            db.session.rollback()
            logging.getLogger(__name__).warning("not ready: database unreachable: %s", exc)
            raise Problem(
                "service-unavailable", "The database is not reachable.", headers={"Retry-After": "5"}
            ) from None
        current = _current_revisions()
        expected = _head_revisions()
        if current != expected:
            raise Problem(
                "service-unavailable",
                f"The database schema is at {', '.join(sorted(current)) or 'no revision'}; this version needs "
                f"{', '.join(sorted(expected))} (run `rayon init-db`).",
                headers={"Retry-After": "30"},
            )
        return {"status": "ready", "database": db.engine.dialect.name, "migrations": sorted(current)}


def _current_revisions() -> set[str]:
    """The revisions recorded in the database (read directly: Alembic's context logs on every call)."""
    from server.db import db

    try:
        with db.session.begin_nested():
            rows = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:  # no alembic_version table: never migrated
        return set()
    return set(rows)


_HEADS: set[str] = set()


def _head_revisions() -> set[str]:
    """The newest migrations this code ships (read once: the files do not change at run time)."""
    if not _HEADS:
        from server import migrate

        _HEADS.update(migrate.head_revisions())
    return set(_HEADS)


@blp.route("/metrics")
class Metrics(MethodView):
    public = True  # a scraper has no user; RAYON_METRICS_TOKEN guards it instead

    @blp.doc(responses={"200": {"description": "Prometheus text format", "content": {"text/plain": {}}}})
    def get(self) -> Any:
        """Prometheus metrics: requests, latencies by route, jobs and queue depth"""
        expected = current_app.config["RAYON"].metrics_token
        if expected:
            scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), expected.encode()):
                raise Problem(
                    "unauthorized",
                    "Send the metrics token as 'Authorization: Bearer <RAYON_METRICS_TOKEN>'.",
                    headers={"WWW-Authenticate": 'Bearer realm="rayon-metrics"'},
                )
        return Response(metrics_text(), mimetype="text/plain", headers={"Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    """Register first among the hooks: the request id is set before anything logs, and the
    request is counted after everything else (the commit may still change its status)."""
    configure_logging(app.config["RAYON"])
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    # after_request hooks run in reverse order of registration: first in the list runs last.
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
    app.teardown_request(_forget)
