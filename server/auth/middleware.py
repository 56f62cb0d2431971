"""Who is calling: bearer tokens for API clients, a session cookie (with CSRF) for the web app.

Every /api route requires a login unless its view class says ``public = True``;
forgetting to protect a new route therefore protects it.
"""

from __future__ import annotations

import hmac

from flask import Flask, current_app, g, request

from server.auth import service
from server.db import db
from server.errors import Problem

SESSION_COOKIE = "rayon_session"
CSRF_COOKIE = "rayon_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Endpoints of extensions that cannot carry a ``public`` attribute.
PUBLIC_ENDPOINTS = frozenset({"api-docs.openapi_json"})


def _is_public(endpoint: str | None) -> bool:
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return True  # unrouted requests end as 404/405 problems
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(getattr(view, "view_class", None), "public", False) or getattr(view, "public", False))


def _unauthorized(detail: str) -> Problem:
    return Problem("unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="rayon"'})


def authenticate_request() -> None:
    """before_request: set ``g.user`` and ``g.token`` or refuse with 401/403."""
    g.user = None
    g.token = None
    if not request.path.startswith("/api/"):
        return
    if _is_public(request.endpoint):
        # Public routes still know who is calling when credentials come along.
        try:
            _authenticate()
        except Problem:
            g.user = g.token = None
        return
    _authenticate()


def _authenticate() -> None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise _unauthorized("Send 'Authorization: Bearer <token>' (from POST /api/v1/auth/login).")
        token = service.authenticate(db.session, secret.strip(), kind="bearer")
        if token is None:
            raise _unauthorized("The token is unknown, expired or revoked; log in again.")
    else:
        secret = request.cookies.get(SESSION_COOKIE)
        if not secret:
            raise _unauthorized("Log in first: POST /api/v1/auth/login.")
        token = service.authenticate(db.session, secret, kind="session")
        if token is None:
            raise _unauthorized("Your session has ended; log in again.")
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            expected = request.cookies.get(CSRF_COOKIE, "")
            if not sent or not expected or not hmac.compare_digest(sent, expected):
                raise Problem(
                    "forbidden",
                    f"Cookie-authenticated writes need the {CSRF_HEADER} header "
                    f"with the value of the {CSRF_COOKIE} cookie.",
                )
    g.user = token.user
    g.token = token
    # Read now, while loaded: after the request's commit the user is expired, and reading it
    # then (the request log) would open a new transaction that outlives the request.
    g.user_ids = (token.user.id, token.user.org_id)


def init_app(app: Flask) -> None:
    app.before_request(authenticate_request)
