"""Gunicorn settings from the environment: ``gunicorn -c python:server.gunicorn_conf server.wsgi:app``.

``rayon serve`` uses it; every value can be changed without rebuilding an image:

==========================  ========================  ==============================================
variable                    default                   meaning
==========================  ========================  ==============================================
``HOST`` / ``PORT``         ``127.0.0.1`` / ``8000``  where to listen
``RAYON_WORKERS``           ``2``                     worker processes (about 2 per core)
``RAYON_THREADS``           ``1``                     threads per worker (gthread)
``RAYON_TIMEOUT``           ``60``                    seconds a request may take before its worker is restarted
``RAYON_GRACEFUL_TIMEOUT``  ``30``                    seconds to finish requests on restart/stop
``RAYON_KEEPALIVE``         ``5``                     seconds to hold an idle keep-alive connection
``RAYON_MAX_REQUESTS``      ``2000``                  restart a worker after this many requests (0: never)
``RAYON_ACCESS_LOG``        ``false``                 gunicorn's own access log (the app logs each request)
==========================  ========================  ==============================================

Request line and header sizes are capped (a 8 KiB URL, 100 headers of 8 KiB): larger requests
are refused by gunicorn before the app sees them. Prometheus counters of all workers are summed
through ``PROMETHEUS_MULTIPROC_DIR`` (a fresh directory per start unless set).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from server.config import ConfigError, parse_boolean


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


bind = f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000, 1)}"
workers = _int("RAYON_WORKERS", 2, 1)
threads = _int("RAYON_THREADS", 1, 1)
worker_class = "gthread"
timeout = _int("RAYON_TIMEOUT", 60, 1)
graceful_timeout = _int("RAYON_GRACEFUL_TIMEOUT", 30, 1)
keepalive = _int("RAYON_KEEPALIVE", 5, 0)
max_requests = _int("RAYON_MAX_REQUESTS", 2000, 0)
max_requests_jitter = max_requests // 10
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-" if parse_boolean("ACCESS_LOG", os.environ.get("RAYON_ACCESS_LOG", "false")) else None
errorlog = "-"
# Behind a proxy the app trusts X-Forwarded-* only through RAYON_TRUSTED_PROXIES (ProxyFix).
forwarded_allow_ips = "127.0.0.1"
proxy_allow_ips = "127.0.0.1"

_OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_METRICS_DIR:
    # Set before any worker imports prometheus_client, so every worker writes its counters here.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="rayon-metrics-")


def on_starting(server: Any) -> None:
    """Counters left by an earlier run must not be summed into this one."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name.endswith(".db"):
            os.remove(os.path.join(directory, name))


def child_exit(server: Any, worker: Any) -> None:
    """A worker that stopped no longer reports its live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def _log_format() -> str:
    fmt = os.environ.get("RAYON_LOG_FORMAT", "").strip()
    return fmt or ("json" if os.environ.get("RAYON_ENV", "development") == "production" else "text")


if _log_format() == "json":
    # gunicorn's own messages (worker starts, timeouts) in the same JSON lines as the app's.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "server.observability.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
