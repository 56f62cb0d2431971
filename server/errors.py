"""One error format for the whole application: RFC 9457 ``application/problem+json``.

Any layer raises :class:`Problem` (or lets Flask/webargs raise an HTTP error); the
handlers registered by :func:`init_app` turn every one of them into the same JSON
shape::

    {
      "type": "/api/v1/problems/validation-error",
      "title": "Invalid request",
      "status": 422,
      "detail": "radius: must be between 1 and 100000 metres",
      "instance": "/api/v1/outlets",
      "errors": [{"field": "radius", "in": "query", "message": "..."}]
    }

``type`` is a relative URI; ``GET`` on it returns the catalogue entry, so a client
(or a developer) can look up what a problem means. The catalogue below is the only
place a problem type is defined.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "/api/v1/problems/"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str
    description: str


CATALOGUE: dict[str, ProblemType] = {
    p.slug: p
    for p in [
        ProblemType(
            "validation-error",
            422,
            "Invalid request",
            "One or more parameters or body fields are invalid. `errors` lists each "
            "offending field with where it was (`query`, `body`, `path`) and why.",
        ),
        ProblemType(
            "malformed-json",
            400,
            "Malformed JSON",
            "The request body is not valid JSON. `detail` gives the position of the error.",
        ),
        ProblemType(
            "bad-request",
            400,
            "Bad request",
            "The request cannot be understood as sent (for example an invalid cursor).",
        ),
        ProblemType(
            "unsupported-media-type",
            415,
            "Unsupported media type",
            "The request body's Content-Type is not one this endpoint reads. `detail` names the accepted types.",
        ),
        ProblemType(
            "not-acceptable",
            406,
            "Not acceptable",
            "None of the media types in the Accept header can be produced. `detail` names the available ones.",
        ),
        ProblemType("not-found", 404, "Not found", "There is nothing at this URL, or it is not yours to see."),
        ProblemType(
            "method-not-allowed",
            405,
            "Method not allowed",
            "This URL exists but does not take this HTTP method; the Allow header lists the ones it takes.",
        ),
        ProblemType(
            "payload-too-large",
            413,
            "Payload too large",
            "The request body is larger than the server accepts.",
        ),
        ProblemType("conflict", 409, "Conflict", "The request conflicts with the current state."),
        ProblemType("unauthorized", 401, "Login required", "Log in or send a valid bearer token."),
        ProblemType("forbidden", 403, "Forbidden", "Your role does not allow this action."),
        ProblemType("rate-limited", 429, "Too many requests", "Slow down; retry after the Retry-After delay."),
        ProblemType(
            "service-unavailable",
            503,
            "Service unavailable",
            "A service the request needs (usually the database) is not reachable right now; retry later.",
        ),
        ProblemType(
            "internal-error",
            500,
            "Internal error",
            "The server failed. This is a bug; the log has the details under the request id.",
        ),
    ]
}

_STATUS_TO_SLUG = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "rate-limited",
    503: "service-unavailable",
}


class Problem(Exception):
    """An error that becomes a problem+json response.

    :param slug: a key of :data:`CATALOGUE`.
    :param detail: a human sentence about this occurrence.
    :param errors: per-field errors, each ``{"field", "in", "message"}``.
    :param headers: extra response headers (``Allow``, ``Retry-After``...).
    :param extra: further members of the problem object.
    """

    def __init__(
        self,
        slug: str,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        if slug not in CATALOGUE:
            raise KeyError(f"unknown problem type {slug!r}")
        super().__init__(detail)
        self.type = CATALOGUE[slug]
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra

    @property
    def status(self) -> int:
        return self.type.status

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.type.slug,
            "title": self.type.title,
            "status": self.type.status,
            "detail": self.detail,
        }
        try:
            body["instance"] = request.path
        except RuntimeError:  # outside a request
            pass
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def field_error(field: str, message: str, location: str = "query") -> Problem:
    """The common case: one invalid field."""
    return Problem(
        "validation-error",
        f"{field}: {message}",
        errors=[{"field": field, "in": location, "message": message}],
    )


def problem_response(problem: Problem) -> Response:
    response = Response(
        json.dumps(problem.to_dict(), ensure_ascii=False),
        status=problem.status,
        mimetype=PROBLEM_MEDIA_TYPE,
    )
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def flatten_messages(messages: Any, location: str, prefix: str = "") -> list[dict[str, Any]]:
    """Turn marshmallow's nested ``{"field": ["msg"]}`` into a flat list of field errors.

    List items are named ``field[i]`` in bodies; in a query string a comma-separated
    list is one parameter, so its items are reported on the parameter itself.
    """
    out: list[dict[str, Any]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                out.extend(flatten_messages(value, location, prefix))
            elif isinstance(key, int) and location == "query":
                for error in flatten_messages(value, location, prefix):
                    error["message"] = f"value {key + 1}: {error['message']}"
                    out.append(error)
            elif isinstance(key, int):
                out.extend(flatten_messages(value, location, f"{prefix}[{key}]"))
            else:
                out.extend(flatten_messages(value, location, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        for message in messages:
            out.append({"field": prefix or "(request)", "in": location, "message": message})
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            out.extend(flatten_messages(value, location, f"{prefix}[{index}]"))
    else:
        out.append({"field": prefix or "(request)", "in": location, "message": str(messages)})
    return out


def from_http_exception(error: HTTPException) -> Problem:
    """Map any Werkzeug/webargs/flask-smorest HTTP error onto the catalogue."""
    code = error.code or 500
    slug = _STATUS_TO_SLUG.get(code, "internal-error" if code >= 500 else "bad-request")
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    messages = data.get("messages")
    if messages:
        errors: list[dict[str, Any]] = []
        for location, per_field in messages.items():
            errors.extend(flatten_messages(per_field, location))
        if any("json" in e["in"] for e in errors) and any("Invalid JSON" in e["message"] for e in errors):
            return Problem("malformed-json", "The request body is not valid JSON.", headers=headers)
        for e in errors:
            if e["in"] == "json":
                e["in"] = "body"
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return Problem("validation-error", detail, errors=errors, headers=headers)
    if code == 404:
        detail = f"No resource at {request.path}."
    elif code == 405:
        detail = f"{request.method} is not allowed on {request.path}."
    elif code == 413:
        detail = "The request body is too large."
    else:
        detail = error.description or CATALOGUE[slug].title
    return Problem(slug, detail, headers=headers)


def init_app(app: Flask) -> None:
    """Register the handlers that make every error a problem+json response."""

    @app.errorhandler(Problem)
    def _problem(problem: Problem) -> Response:
        return problem_response(problem)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        return problem_response(from_http_exception(error))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        from sqlalchemy.exc import OperationalError

        if isinstance(error, OperationalError) and _is_connection_error(error):
            log.warning("database unavailable: %s", error)
            return problem_response(
                Problem(
                    "service-unavailable", "The database is not reachable; retry shortly.", headers={"Retry-After": "5"}
                )
            )
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(Problem("internal-error", "The server failed to handle this request."))


def _is_connection_error(error: Exception) -> bool:
    text = str(error).lower()
    return any(
        s in text
        for s in (
            "could not connect",
            "connection refused",
            "server closed",
            "terminating connection",
            "database is locked",
        )
    )
