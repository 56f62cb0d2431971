"""Security headers, CORS, reverse proxies and the API rate limit, applied to every response.

* Headers: a Content-Security-Policy the web app passes (no inline script, no eval; map
  tiles from ``RAYON_CSP_IMG_SRC``), ``frame-ancestors 'none'`` (and X-Frame-Options for
  old browsers), nosniff, a strict referrer policy, and HSTS on HTTPS responses.
* CORS is closed by default: no response carries ``Access-Control-Allow-Origin`` unless
  the request's Origin is listed in ``RAYON_CORS_ORIGINS``. Allowed origins get bearer-token
  access only (no credentials): the session cookie never works cross-origin.
* ``RAYON_TRUSTED_PROXIES=N`` trusts N proxies' X-Forwarded-* headers (Werkzeug's ProxyFix),
  so ``request.is_secure`` and the client address are right behind a TLS terminator.
* Rate limit: ``RAYON_API_RATE_LIMIT`` requests per minute per token (per client address
  for anonymous calls), counted in Redis when ``RAYON_REDIS_URL`` is set (shared by every
  gunicorn worker), else in the process. A sliding-window counter: the previous minute's
  count weighs by how much of it still lies inside the last 60 seconds. Over the limit:
  429 problem with ``Retry-After``. Login has its own, stricter throttle (server/auth).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import Any

from flask import Flask, Response, current_app, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from server.errors import Problem

log = logging.getLogger(__name__)

WINDOW = 60
PRODUCTION_RATE_LIMIT = 1200


#: Endpoints whose pages carry inline styles (the server-rendered API docs): allowed there only.
INLINE_STYLE_ENDPOINTS = frozenset({"meta.Docs"})


def content_security_policy(img_src: str, *, inline_styles: bool = False) -> str:
    """The policy for every response. The API answers JSON; the web app is a static bundle
    whose only scripts are its own files (settings come from /config.js, not an inline
    script) and whose styles are its stylesheet or set from script (CSSOM, which CSP allows)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'" + (" 'unsafe-inline'" if inline_styles else ""),
            f"img-src 'self' data: blob: {img_src}".strip(),
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _security_headers(response: Response) -> Response:
    settings = current_app.config["RAYON"]
    headers = response.headers
    relaxed = request.endpoint in INLINE_STYLE_ENDPOINTS
    headers.setdefault("Content-Security-Policy", current_app.extensions["rayon.csp"][relaxed])
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=(), payment=()")
    if request.is_secure and settings.hsts_seconds > 0:
        headers.setdefault("Strict-Transport-Security", f"max-age={settings.hsts_seconds}; includeSubDomains")
    if request.path.startswith("/api/") and "Cache-Control" not in headers:
        # Private data never sits in shared caches. The rep's phone may keep what it read (the web
        # app's offline copies, revalidated when online: no-cache); tokens and writes are never kept.
        keep = request.method == "GET" and not request.path.startswith("/api/v1/auth/")
        headers["Cache-Control"] = "private, no-cache" if keep else "no-store"
    _cors_headers(response)
    return response


# --- CORS ---------------------------------------------------------------------------------

CORS_METHODS = "GET, POST, PUT, PATCH, DELETE"
CORS_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Request-ID"


def _allowed_origin() -> str | None:
    origin = request.headers.get("Origin")
    if not origin:
        return None
    allowed = current_app.extensions["rayon.cors_origins"]
    return origin if origin in allowed else None


def _cors_headers(response: Response) -> None:
    if not request.path.startswith("/api/"):
        return
    origin = _allowed_origin()
    if origin is None:
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "Location, Retry-After, X-Request-ID, RateLimit-Remaining"
    response.vary.add("Origin")


def _preflight() -> Response | None:
    """before_request (first of all, a preflight carries no credentials): answer an allowed
    origin's preflight; others fall through to the 401/404/405 the route gives (no CORS
    headers, so the browser refuses)."""
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return None
    if not request.path.startswith("/api/") or _allowed_origin() is None:
        return None
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
    response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
    response.headers["Access-Control-Max-Age"] = "600"
    return response


# --- rate limit ---------------------------------------------------------------------------


class LocalCounter:
    """Counts per key and minute in this process (the embedded default)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: dict[tuple[str, int], int] = {}

    def hit(self, key: str, window: int) -> tuple[int, int]:
        """Add one hit to ``window``; returns (hits in it, hits in the previous one)."""
        with self.lock:
            current = self.counts.get((key, window), 0) + 1
            self.counts[(key, window)] = current
            previous = self.counts.get((key, window - 1), 0)
            if len(self.counts) > 100_000:  # forget windows that no longer count
                self.counts = {k: v for k, v in self.counts.items() if k[1] >= window - 1}
            return current, previous


class RedisCounter:
    """Counts in Redis, shared by every worker process of every host."""

    def __init__(self, url: str, namespace: str) -> None:
        from redis import Redis

        self.redis = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix = f"rayon:rate:{namespace}"

    def hit(self, key: str, window: int) -> tuple[int, int]:
        pipe = self.redis.pipeline()
        pipe.incr(f"{self.prefix}:{key}:{window}")
        pipe.expire(f"{self.prefix}:{key}:{window}", 2 * WINDOW + 5)
        pipe.get(f"{self.prefix}:{key}:{window - 1}")
        current, _, previous = pipe.execute()
        return int(current), int(previous or 0)


def rate_limit_of(settings: Any) -> int:
    if settings.api_rate_limit is None:
        return PRODUCTION_RATE_LIMIT if settings.env == "production" else 0
    return max(0, settings.api_rate_limit)


def _rate_limit() -> None:
    """before_request, after authentication: count this request against its token."""
    limit = current_app.extensions["rayon.rate_limit"]
    if not limit or not request.path.startswith("/api/"):
        return
    token = getattr(g, "token", None)
    key = f"t{token.id}" if token is not None else f"a{request.remote_addr}"
    now = time.time()
    window = int(now // WINDOW)
    try:
        current, previous = current_app.extensions["rayon.rate_counter"].hit(key, window)
    except Exception as exc:  # Redis down: serve rather than refuse everyone
        log.warning("rate limit not counted: %s", exc)
        return
    elapsed = (now % WINDOW) / WINDOW
    used = previous * (1 - elapsed) + current
    g.rate_limit = (limit, max(0, int(limit - used)))
    if used > limit:
        retry = max(1, int(WINDOW - now % WINDOW))
        raise Problem(
            "rate-limited",
            f"More than {limit} requests in a minute with this token; retry in {retry} s.",
            headers={"Retry-After": str(retry), "RateLimit-Limit": str(limit), "RateLimit-Remaining": "0"},
        )


def _rate_limit_headers(response: Response) -> Response:
    state = getattr(g, "rate_limit", None)
    if state is not None and "RateLimit-Limit" not in response.headers:
        response.headers["RateLimit-Limit"] = str(state[0])
        response.headers["RateLimit-Remaining"] = str(state[1])
    return response


def init_app(app: Flask) -> None:
    """Register after the authentication middleware (the rate limit needs ``g.token``)."""
    settings = app.config["RAYON"]
    if settings.trusted_proxies > 0:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]
    app.extensions["rayon.csp"] = {
        False: content_security_policy(settings.csp_img_src),
        True: content_security_policy(settings.csp_img_src, inline_styles=True),
    }
    app.extensions["rayon.cors_origins"] = frozenset(o.strip() for o in settings.cors_origins.split(",") if o.strip())
    app.extensions["rayon.rate_limit"] = rate_limit_of(settings)
    # Token ids are per database: installations sharing one Redis count apart.
    namespace = hashlib.sha256(settings.database_url.encode()).hexdigest()[:12]
    app.extensions["rayon.rate_counter"] = (
        RedisCounter(settings.redis_url, namespace) if settings.redis_url else LocalCounter()
    )
    # Preflights carry no credentials: answer them before the authentication middleware.
    app.before_request_funcs.setdefault(None, []).insert(0, _preflight)
    app.before_request(_rate_limit)
    # after_request hooks run in reverse order: at the front of the list they run after the
    # commit hook, so a response it replaces (409, 503) gets the headers too.
    after = app.after_request_funcs.setdefault(None, [])
    after.insert(0, _rate_limit_headers)
    after.insert(0, _security_headers)
    if settings.env == "production":
        app.config.setdefault("SESSION_COOKIE_SECURE", True)
