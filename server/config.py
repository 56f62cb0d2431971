"""Settings, read from the environment (``RAYON_*``) with safe defaults.

Every setting has one name here and one environment variable, ``RAYON_<NAME>``.
A value that cannot be understood stops start-up with a clear message instead of
being guessed at (a typo in ``RAYON_DEBUG=ture`` must not silently mean False).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"


class ConfigError(RuntimeError):
    """A setting in the environment has a value that cannot be used."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def parse_boolean(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"RAYON_{name} must be one of true/false/1/0/yes/no, not {value!r}")


def _default_database_url() -> str:
    return f"sqlite:///{VAR_DIR / 'rayon.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    """The application's settings. ``from_env()`` builds them from ``RAYON_*`` variables."""

    #: SQLAlchemy URL. ``sqlite:///path`` (SpatiaLite, the embedded default) or
    #: ``postgresql+psycopg://user@host/db`` (PostGIS, production).
    database_url: str = field(default_factory=_default_database_url)
    #: Signs session cookies and tokens. Generated per process when unset (dev only).
    secret_key: str = ""
    debug: bool = False
    #: Largest page a list endpoint returns.
    max_page_size: int = 500
    default_page_size: int = 50
    #: Largest request body accepted, in bytes (JSON and GeoJSON bodies).
    max_content_length: int = 2_000_000
    #: Largest search radius accepted by ``near=``, in metres.
    max_radius_m: int = 100_000
    #: Vertices accepted in a search polygon.
    max_polygon_vertices: int = 10_000
    #: Results counted exactly before a total is reported as a lower bound.
    exact_total_limit: int = 1_000
    #: Seed the embedded database with the bundled outlets on first start.
    seed_on_start: bool = True
    #: Number of outlets to seed (empty: the bundled set's natural size).
    seed_count: int | None = None
    #: ``development`` or ``production``; production refuses demo data and insecure defaults.
    env: str = "development"
    #: Seed the demo brand (users, accounts, territories) on first start (never in production).
    seed_demo: bool = True
    #: Password of every demo user.
    demo_password: str = "rayon-demo"
    #: Lifetime of bearer tokens and of browser sessions, in hours.
    token_ttl_hours: int = 720
    session_ttl_hours: int = 336
    #: Redis for the job queue (RQ). Empty: jobs run on threads of the web process.
    redis_url: str = ""
    #: Threads that run jobs in-process when there is no Redis.
    job_threads: int = 1
    #: Mark cookies Secure; empty: when the request came over HTTPS.
    secure_cookies: bool | None = None
    # --- production (server/security.py, server/observability.py, server/gunicorn_conf.py) ---
    #: Requests per minute per token (or per address without one); empty: 1200 in production,
    #: off in development; 0: off.
    api_rate_limit: int | None = None
    #: Origins allowed to call the API from a browser (comma-separated); empty: none (CORS closed).
    cors_origins: str = ""
    #: Extra image sources the web app's CSP allows (map tiles), space-separated.
    csp_img_src: str = "https://tile.openstreetmap.org https://*.tile.openstreetmap.org"
    #: Strict-Transport-Security max-age sent on HTTPS responses; 0: none.
    hsts_seconds: int = 31_536_000
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted.
    trusted_proxies: int = 0
    #: ``json`` (one JSON object per line) or ``text``; empty: json in production, text otherwise.
    log_format: str = ""
    #: Bearer token Prometheus must send to /api/v1/metrics; empty: metrics are open.
    metrics_token: str = ""
    #: RQ queue name (several installations may share one Redis).
    job_queue: str = "rayon"
    #: A running job without a heartbeat for this long is queued again (or failed).
    job_stale_seconds: int = 600

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"RAYON_{f.name.upper()}")
            if raw is None:
                continue
            values[f.name] = _convert(f.name.upper(), f.type, raw)
        settings = cls(**values)
        if settings.env not in ("development", "production"):
            raise ConfigError(f"RAYON_ENV must be development or production, not {settings.env!r}")
        if settings.env == "production" and not settings.secret_key:
            raise ConfigError("RAYON_SECRET_KEY must be set in production")
        if settings.log_format not in ("", "json", "text"):
            raise ConfigError(f"RAYON_LOG_FORMAT must be json or text, not {settings.log_format!r}")
        if not settings.secret_key:
            settings = cls(**{**values, "secret_key": secrets.token_urlsafe(32)})
        return settings

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _convert(name: str, type_name: object, raw: str) -> object:
    type_text = str(type_name)
    if type_text.startswith("bool"):
        if raw.strip() == "" and "None" in type_text:
            return None
        return parse_boolean(name, raw)
    if type_text.startswith("int"):
        if raw.strip() == "" and "None" in type_text:
            return None
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"RAYON_{name} must be a whole number, not {raw!r}") from None
    return raw
