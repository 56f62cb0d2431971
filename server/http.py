"""Request helpers shared by every blueprint: JSON bodies, content negotiation, paging links."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from server.errors import Problem

JSON_TYPES = ("application/json",)
GEOJSON = "application/geo+json"

# Nesting deeper than this is never a legitimate request (a MultiPolygon is 4 deep).
_MAX_DEPTH = 32


def json_body(accept: tuple[str, ...] = JSON_TYPES) -> Any:
    """The request body parsed as JSON, or a 4xx problem.

    :raise Problem: ``unsupported-media-type`` when the Content-Type is not one of
        ``accept``; ``malformed-json`` when the body does not parse (with the
        position); ``payload-too-large`` above the configured size.
    """
    mimetype = request.mimetype
    if mimetype not in accept:
        raise Problem(
            "unsupported-media-type",
            f"Send the body as {' or '.join(accept)}"
            + (f", not {mimetype}." if mimetype else " (the Content-Type header is missing)."),
        )
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise Problem("payload-too-large", "The request body is too large.") from None
    if not raw.strip():
        raise Problem("malformed-json", "The request body is empty; send a JSON document.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem("malformed-json", f"The body is not UTF-8 (byte {exc.start}).") from None
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise Problem(
            "malformed-json",
            f"The body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
        ) from None
    except (ValueError, RecursionError) as exc:
        raise Problem("malformed-json", f"The body is not valid JSON: {exc}.") from None
    if _depth(value) > _MAX_DEPTH:
        raise Problem("malformed-json", f"The body is nested more than {_MAX_DEPTH} levels deep.")
    if "\\u0000" in text or "\x00" in text:
        raise Problem("malformed-json", "The body contains a NUL character, which no field accepts.")
    return value


def reject_nul_in_query() -> None:
    """before_request hook: a NUL character is never valid in a parameter (and PostgreSQL
    refuses it in text), so say so instead of failing later."""
    for name, value in request.args.items(multi=True):
        if "\x00" in value or "\x00" in name:
            raise Problem(
                "validation-error",
                f"{name}: contains a NUL character",
                errors=[{"field": name, "in": "query", "message": "contains a NUL character"}],
            )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _depth(value: Any, level: int = 0) -> int:
    if level > _MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def wants_geojson(output: str | None) -> bool:
    """Whether to answer with GeoJSON: ``output``/``format`` parameter first, then Accept.

    :raise Problem: ``not-acceptable`` when Accept allows neither JSON nor GeoJSON.
    """
    if output:
        return output == "geojson"
    accept = request.accept_mimetypes
    if not accept or accept.provided is False:
        return False
    best = accept.best_match([JSON_TYPES[0], GEOJSON, "application/problem+json"])
    if best is None:
        raise Problem(
            "not-acceptable",
            f"This resource is available as {JSON_TYPES[0]} or {GEOJSON}; "
            f"the Accept header asks for {request.headers.get('Accept')!r}.",
        )
    return best == GEOJSON


def url_with(**params: Any) -> str:
    """The current URL with some query parameters replaced (``None`` removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in params.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    from urllib.parse import urlencode

    query = urlencode([(k, v) for k, vs in args.items() for v in vs])
    return request.path + (f"?{query}" if query else "")


def load_body(schema: Any, *, partial: bool = False, accept: tuple[str, ...] = JSON_TYPES) -> Any:
    """The JSON body validated by a marshmallow schema (instance or class).

    :raise Problem: as :func:`json_body`, or ``validation-error`` listing each bad field.
    """
    from marshmallow import Schema, ValidationError

    from server.errors import flatten_messages

    instance = schema() if isinstance(schema, type) and issubclass(schema, Schema) else schema
    data = json_body(accept)
    if not isinstance(data, dict):
        raise Problem(
            "validation-error",
            "The body must be a JSON object.",
            errors=[{"field": "(body)", "in": "body", "message": "expected a JSON object"}],
        )
    try:
        return instance.load(data, partial=partial)
    except ValidationError as exc:
        errors = flatten_messages(exc.messages, "body")
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        raise Problem("validation-error", detail, errors=errors) from None


def body_doc(schema: Any, description: str = "", content_type: str = "application/json") -> dict[str, Any]:
    """OpenAPI requestBody for a view documented with ``@blp.doc(requestBody=body_doc(...))``."""
    return {"required": True, "description": description, "content": {content_type: {"schema": schema}}}


def created(body: Any, *, new: bool = True) -> Any:
    """A JSON answer: 201 Created for something new, 200 when a retry found it already there."""
    from flask import jsonify

    response = jsonify(body)
    response.status_code = 201 if new else 200
    return response
