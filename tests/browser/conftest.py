"""Browser tests: the built web app, served by the real Flask app, in headless Chromium.

The app runs on the session's SQLite app (``apps["sqlite"]``: 3,000 generated outlets plus
the hand-placed Quokka outlets around Luxembourg City) behind a werkzeug server on a free
port. Chromium is Debian's (``/usr/bin/chromium``, or ``RAYON_CHROMIUM``), driven by
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
def live_server(apps: dict[str, Flask], webapp_dist: Path) -> Iterator[str]:
    """Base URL of the SQLite app, served in a background thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _buffered(apps["sqlite"]), threaded=True)
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
def make_page(browser: Any, live_server: str) -> Iterator[Callable[..., Any]]:
    """``make_page(**context_options)``: a page in a fresh phone context (new storage, new
    service worker); options override PHONE. JavaScript errors on the page fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def factory(**options: Any) -> Any:
        context = browser.new_context(**{**PHONE, "base_url": live_server, **options})
        context.set_default_timeout(15_000)
        context.route(lambda url: not _is_local(url), lambda route: route.abort("internetdisconnected"))
        contexts.append(context)
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
