"""Screenshots of the web app's main views at 360x780 (phone) and 1280x800 (laptop): ``make screenshots``.

A fresh throwaway SQLite database is prepared as ``make run`` does (``rayon init-db``, ``rayon seed``,
``rayon seed-demo``: the bundled outlets and the demo brand), the Flask app serves it and the built web
app on a free port, and Debian's Chromium (driven by Playwright, set up as in the browser tests) logs in
as the demo rep, manager and HQ users and saves PNGs into var/screenshots/<size>/<role>-<view>.png.
Requests to other hosts are aborted, so the maps show their points on a plain background.

    .venv/bin/python scripts/screenshots.py [--out var/screenshots] [--only phone|laptop]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.conftest import (  # noqa: E402  (the browser tests' Chromium, phone and login)
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_PASSWORD,
    PHONE,
    _buffered,
    _is_local,
    log_in,
)
from tests.browser.helpers import screen  # noqa: E402

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover - the test extra installs it
    raise SystemExit("playwright is missing: .venv/bin/pip install -e '.[test]' (make screenshots does)") from None

REP = "rep1@demo.rayon.test"
MANAGER = "manager1@demo.rayon.test"
HQ = "hq@demo.rayon.test"
SIZES: dict[str, dict[str, Any]] = {
    "phone": PHONE,
    "laptop": {
        **{k: v for k, v in PHONE.items() if k not in ("is_mobile", "has_touch")},
        "viewport": {"width": 1280, "height": 800},
        "device_scale_factor": 1,
    },
}
TIMEOUT_MS = 30_000


def prepare_database(url: str) -> None:
    """Schema, bundled outlets and the demo brand, with the same commands ``make run`` uses."""
    env = {**os.environ, "RAYON_DATABASE_URL": url, "RAYON_DEMO_PASSWORD": DEMO_PASSWORD, "RAYON_ENV": "development"}
    rayon = str(Path(sys.executable).with_name("rayon"))
    for command in (["init-db"], ["seed"], ["seed-demo"]):
        print(f"rayon {' '.join(command)}", flush=True)
        subprocess.run([rayon, *command], env=env, check=True, cwd=REPO)


@contextmanager
def serve(url: str) -> Iterator[str]:
    """The app on that database, on a free port of 127.0.0.1, in a background thread."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    os.environ["RAYON_DATABASE_URL"] = url
    os.environ["RAYON_DEMO_PASSWORD"] = DEMO_PASSWORD
    os.environ.setdefault("RAYON_SEED_ON_START", "false")
    from server.app import create_app

    app = create_app()
    logging.getLogger("rayon.request").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="rayon-screenshots", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def plan_todays_visits(context: Any, base_url: str, count: int = 4) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Give the demo rep a day: visits today at a few of their supermarkets (the store check applies there);
    (account, visit) pairs in the day's order."""
    accounts = context.request.get(f"{base_url}/api/v1/accounts?rep=me&sort=name&limit=500").json()["items"]
    shops = [
        a
        for a in accounts
        if a["status"] == "customer" and a["outlet"]["lat"] and a["outlet"]["format"] in ("supermarket", "hypermarket")
    ][:count]
    if not shops:
        raise SystemExit("the demo rep has no supermarket accounts: is the demo brand seeded?")
    zone = ZoneInfo(PHONE["timezone_id"])
    today = dt.datetime.now(zone).date().isoformat()
    csrf = next((c["value"] for c in context.cookies() if "csrf" in c["name"].lower()), "")
    visits = []
    for i, account in enumerate(shops):
        answer = context.request.post(
            f"{base_url}/api/v1/visits",
            data={
                "uuid": str(uuid.uuid4()),
                "account_id": account["id"],
                "planned_date": today,
                "planned_start_min": 540 + 75 * i,
            },
            headers={"X-CSRF-Token": csrf},
        )
        if not answer.ok:
            raise SystemExit(f"planning a visit failed: {answer.status} {answer.text()}")
        visits.append(answer.json())
    return list(zip(shops, visits, strict=True))


class Shooter:
    def __init__(self, browser: Any, base_url: str, out: Path) -> None:
        self.browser, self.base_url, self.out = browser, base_url, out
        self.saved: list[Path] = []

    def context(self, size: str, email: str, **options: Any) -> Any:
        context = self.browser.new_context(**{**SIZES[size], "base_url": self.base_url, **options})
        context.set_default_timeout(TIMEOUT_MS)
        context.route(lambda url: not _is_local(url), lambda route: route.abort("internetdisconnected"))
        log_in(context, self.base_url, email)
        me = context.request.get(f"{self.base_url}/api/v1/auth/me").json()["user"]
        # English, also for demo users with a language of their own (as the browser tests do)
        context.add_init_script(
            f"localStorage.setItem('rayon.lang', 'en'); localStorage.setItem('rayon.lang.u{me['id']}', 'en');"
        )
        return context

    def shot(self, page: Any, size: str, name: str) -> None:
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(600)  # map markers and charts settle
        path = self.out / size / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), animations="disabled", caret="initial")
        self.saved.append(path)
        print(f"  {path.relative_to(REPO) if path.is_relative_to(REPO) else path}", flush=True)

    def view(self, page: Any, size: str, name: str, path: str, ready: Callable[[Any], None] | None = None) -> None:
        page.goto(path)
        page.get_by_role("heading", level=1).first.wait_for()
        if ready is not None:
            try:
                ready(page)
            except PlaywrightTimeout:  # shoot what is there: a picture of a slow screen still helps
                print(f"  ({name}: not ready after {TIMEOUT_MS // 1000} s)", flush=True)
        self.shot(page, size, name)


def rep_views(shooter: Shooter, size: str, account: dict[str, Any], visit: dict[str, Any]) -> None:
    outlet = account["outlet"]
    near = {"latitude": outlet["lat"] + 30 / 111_195, "longitude": outlet["lon"], "accuracy": 15}
    context = shooter.context(size, REP, geolocation=near)
    page = context.new_page()
    synced = lambda p: screen(p).locator(".sync-chip").filter(has_text="Synced").wait_for()  # noqa: E731
    shooter.view(page, size, "rep-today", "/", synced)
    shooter.view(page, size, "rep-nearby", "/nearby", lambda p: screen(p).locator("a").nth(3).wait_for())
    shooter.view(page, size, "rep-map", "/map", lambda p: screen(p).locator(".leaflet-container").wait_for())
    shooter.view(page, size, "rep-outlet", f"/outlets/{outlet['id']}")
    shooter.view(page, size, "rep-visit", f"/visits/{visit['uuid']}")
    body = screen(page)
    body.get_by_role("button", name="Check in").click()
    body.locator(".checkin-done").wait_for()
    shooter.shot(page, size, "rep-visit-checked-in")
    body.locator('.form-item[data-form-key="store_check"] a').click()
    page.get_by_role("heading", level=1, name="Store check").wait_for()
    shooter.shot(page, size, "rep-visit-store-check")
    context.close()


def where(account: dict[str, Any]) -> dict[str, Any]:
    """Standing at the demo rep's first supermarket (distances in lists are then the demo region's)."""
    return {"latitude": account["outlet"]["lat"], "longitude": account["outlet"]["lon"], "accuracy": 15}


def manager_views(shooter: Shooter, size: str, account: dict[str, Any]) -> None:
    context = shooter.context(size, MANAGER, geolocation=where(account))
    page = context.new_page()
    shooter.view(page, size, "manager-plan", "/plan")
    listed = lambda p: screen(p).locator(".account-link").first.wait_for()  # noqa: E731
    shooter.view(page, size, "manager-accounts", "/accounts", listed)
    shooter.view(page, size, "manager-insights", "/insights")
    context.close()


def hq_views(shooter: Shooter, size: str, account: dict[str, Any]) -> None:
    context = shooter.context(size, HQ, geolocation=where(account))
    page = context.new_page()
    shooter.view(page, size, "hq-insights", "/insights")
    shooter.view(page, size, "hq-insights-explore", "/insights/explore")
    context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "var" / "screenshots")
    parser.add_argument("--only", choices=sorted(SIZES), default=None)
    args = parser.parse_args()
    if not (REPO / "webapp" / "dist" / "index.html").is_file():
        raise SystemExit("webapp/dist is missing: run scripts/build-webapp.sh (make screenshots does)")
    if not Path(CHROMIUM).is_file():
        raise SystemExit(f"Chromium is missing at {CHROMIUM} (apt-get install chromium, or set RAYON_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rayon-screenshots-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'rayon.sqlite3'}"
        prepare_database(url)
        with serve(url) as base_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            shooter = Shooter(browser, base_url, args.out)
            planner = shooter.context("phone", REP)
            day = plan_todays_visits(planner, base_url)
            planner.close()
            for i, size in enumerate(s for s in SIZES if args.only in (None, s)):
                print(f"{size} ({SIZES[size]['viewport']['width']}x{SIZES[size]['viewport']['height']}):", flush=True)
                rep_views(shooter, size, *day[i])  # a visit of its own: checked in at each size
                manager_views(shooter, size, day[0][0])
                hq_views(shooter, size, day[0][0])
            browser.close()
    print(f"{len(shooter.saved)} screenshots in {args.out} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
