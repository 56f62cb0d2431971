"""Browser tests: the built web app, served by the real Flask app, in headless Chromium.

The app runs on the session's SQLite app (``apps["sqlite"]``: 3,000 generated outlets plus
the hand-placed Quokka outlets around Luxembourg City, and the demo brand seeded once per
session: ``rep1@demo.rayon.test`` … with the password ``rayon-demo``) behind a werkzeug
server on a free port. Every API call needs a login: ``make_page()`` logs the browser in
through the API (the session cookie lands in the browser context) as a rep without a
language of their own, ``make_page(login="rep1@demo.rayon.test")`` as a demo user, and
``make_page(login=None)`` not at all (for tests of the login itself).

Chromium is Debian's (``/usr/bin/chromium``, or ``RAYON_CHROMIUM``), driven by
Playwright; every request to another host is aborted, as on a phone without network
(so map tiles fail, as they must be allowed to). ``webapp/dist`` is built first when it is
missing or older than its sources (``scripts/build-webapp.sh``).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests import data
from tests.conftest import require
from tests.tenants import As

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "webapp" / "dist"
SCREENSHOTS = REPO / "var" / "screenshots"
CHROMIUM = os.environ.get("RAYON_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: A phone: 360×780 CSS pixels, touch, at the hand-placed outlets' centre.
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 780},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-US",
    "timezone_id": "Europe/Luxembourg",
    "geolocation": {"latitude": data.CENTRE[0], "longitude": data.CENTRE[1], "accuracy": 20},
    "permissions": ["geolocation"],
}


DEMO_PASSWORD = "rayon-demo"


@pytest.fixture(scope="session")
def demo_app(apps: dict[str, Flask]) -> Flask:
    """The SQLite app with the demo brand (idempotent: the API tests may have seeded it already)."""
    from server.db import db
    from server.demo import seed_demo

    app = apps["sqlite"]
    with app.app_context():
        seed_demo(db.session, password=DEMO_PASSWORD, env="development")
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def viewer(demo_app: Flask) -> tuple[str, str]:
    """(email, password) of a rep with no language of their own, in an organization of their own:
    the phone's language applies, as the outlet tests expect."""
    from tests.tenants import PASSWORD, make_tenant

    tenant = make_tenant(demo_app, roles={"rep": "rep"}, name="Browser")
    return tenant.emails["rep"], PASSWORD


@pytest.fixture(scope="session")
def api(demo_app: Flask) -> Callable[[str], As]:
    """``api(email)``: a Flask test client acting as that demo user (bearer token), in-process."""
    clients: dict[str, As] = {}

    def client_for(email: str) -> As:
        if email not in clients:
            test_client = demo_app.test_client()
            response = test_client.post(
                "/api/v1/auth/login",
                json={"email": email, "password": DEMO_PASSWORD},
                environ_base={"REMOTE_ADDR": "10.9.9.9"},
            )
            assert response.status_code == 200, response.get_json()
            clients[email] = As(demo_app.test_client(), response.get_json()["access_token"])
        return clients[email]

    return client_for


def log_in(context: Any, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log the browser context in through the API: the session and CSRF cookies land in the context."""
    response = context.request.post(
        f"{base_url}/api/v1/auth/login", data={"email": email, "password": password, "cookie": True}
    )
    assert response.ok, f"login as {email} failed: {response.status} {response.text()}"


@pytest.fixture(scope="session")
def webapp_dist() -> Path:
    """webapp/dist, built by scripts/build-webapp.sh when missing or stale (one build at a time)."""
    lock_path = REPO / "var" / "webapp-build.lock"
    lock_path.parent.mkdir(exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # pytest-xdist workers: one builds, the others wait
        if shutil.which("npm") or not (DIST / "index.html").is_file():
            build = subprocess.run(
                [str(REPO / "scripts" / "build-webapp.sh")],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=900,
            )
            if build.returncode != 0:
                pytest.fail(
                    f"building the web app failed ({build.returncode}):\n{build.stdout}\n{build.stderr}", pytrace=False
                )
    if not (DIST / "index.html").is_file():
        pytest.fail("webapp/dist/index.html is missing after the build", pytrace=False)
    return DIST


def _buffered(app: Flask) -> Callable[..., Any]:
    """The app, with each response body read and closed before it is sent.

    The werkzeug development server does not close a response (such as an open static file)
    when the browser drops the connection mid-transfer, which happens when a test closes its
    browser while the service worker is still downloading: the ResourceWarning would then
    fail whichever test runs next.
    """

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture(scope="session")
def live_server(demo_app: Flask, webapp_dist: Path) -> Iterator[str]:
    """Base URL of the SQLite app (with the demo brand), served in a background thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _buffered(demo_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="rayon-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        sync_playwright = None
    require(sync_playwright is not None, "playwright is not installed (pip install -e '.[test]')")
    assert sync_playwright is not None
    require(Path(CHROMIUM).is_file(), f"Chromium is missing at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _is_local(url: str) -> bool:
    return urlsplit(url).hostname in ("127.0.0.1", "localhost")


@pytest.fixture
def make_page(browser: Any, live_server: str, viewer: tuple[str, str]) -> Iterator[Callable[..., Any]]:
    """``make_page(login="viewer", **context_options)``: a page in a fresh phone context (new
    storage, new service worker), logged in as ``login`` (an email of a demo user, "viewer"
    for a rep without a language of their own, None for nobody); options override PHONE.
    JavaScript errors on the page fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def factory(login: str | None = "viewer", **options: Any) -> Any:
        context = browser.new_context(**{**PHONE, "base_url": live_server, **options})
        context.set_default_timeout(15_000)
        context.route(lambda url: not _is_local(url), lambda route: route.abort("internetdisconnected"))
        contexts.append(context)
        if login == "viewer":
            log_in(context, live_server, *viewer)
        elif login is not None:
            log_in(context, live_server, login)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield factory
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(make_page: Callable[..., Any]) -> Any:
    """A page on a phone at the Quokka centre, English, position allowed."""
    return make_page()


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """``screenshot(page, name)`` saves var/screenshots/<name>.png (for people to look at)."""

    def save(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), animations="disabled", caret="initial")
        return path

    return save
