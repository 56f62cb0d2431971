"""axe-core (webapp/node_modules/axe-core, a devDependency of the web app) over the rep's day and
the manager's planner: no WCAG 2 A/AA violation (labels, names, contrast, structure).

axe is injected as a script, which the app's Content-Security-Policy forbids, so these pages run
with the policy bypassed; the policy itself is tested elsewhere (test_webapp, test_login).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import REPO
from tests.browser.helpers import screen

pytestmark = pytest.mark.browser

AXE = REPO / "webapp" / "node_modules" / "axe-core" / "axe.min.js"
REP1 = "rep1@demo.rayon.test"
MANAGER1 = "manager1@demo.rayon.test"


def violations(page: Any) -> list[dict[str, Any]]:
    """WCAG 2 A and AA violations on the page as shown (hidden tabs are skipped by axe)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'], resultTypes: ['violations'] }))
            .violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))"""
    )


@pytest.fixture
def axe_ready() -> None:
    assert AXE.is_file(), "axe-core is missing: npm ci in webapp/ (scripts/build-webapp.sh does it)"


def test_the_reps_day_has_no_accessibility_violations(make_page: Any, api: Any, axe_ready: None) -> None:
    """Today, a visit, a store check form and the sync screen pass axe's WCAG 2 A/AA rules."""
    me = api(REP1).get("/api/v1/auth/me").get_json()["user"]
    account = [
        a
        for a in api(REP1).get("/api/v1/accounts?rep=me&sort=name&limit=500").get_json()["items"]
        if a["outlet"]["format"] == "supermarket" and a["outlet"]["lat"]
    ][2]
    planned = api(REP1).post(
        "/api/v1/visits",
        json={
            "uuid": str(uuid.uuid4()),
            "account_id": account["id"],
            "planned_date": dt.datetime.now(ZoneInfo("Europe/Luxembourg")).date().isoformat(),
            "planned_start_min": 17 * 60,
        },
    )
    assert planned.status_code == 201, planned.get_json()
    page = make_page(
        login=REP1,
        bypass_csp=True,
        geolocation={"latitude": account["outlet"]["lat"], "longitude": account["outlet"]["lon"], "accuracy": 10},
    )
    page.add_init_script(f"localStorage.setItem('rayon.lang.u{me['id']}', 'en');")
    page.goto("/")
    expect(screen(page).locator(".sync-chip")).to_contain_text("Synced", timeout=60_000)
    screen(page).get_by_role("button", name="Show the route on a map").click()
    assert violations(page) == []

    screen(page).locator(f'.visit-link[data-visit-uuid="{planned.get_json()["uuid"]}"]').click()
    expect(screen(page).get_by_role("button", name="Check in")).to_be_visible()
    assert violations(page) == []
    screen(page).get_by_role("button", name="Check in").click()
    expect(screen(page).locator(".checkin-done")).to_be_visible()
    screen(page).locator('.form-item[data-form-key="store_check"] a').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Store check")
    first_row = screen(page).locator(".grid-row").nth(0)
    first_row.locator('[data-column="present"]').get_by_role("button", name="Yes").click()
    assert violations(page) == []
    page.goto("/sync")
    expect(screen(page).locator(".sync-waiting")).to_be_visible()
    assert violations(page) == []


def test_the_planner_has_no_accessibility_violations(make_page: Any, api: Any, axe_ready: None) -> None:
    """The planner's accounts, plan form and coverage views pass axe's WCAG 2 A/AA rules."""
    me = api(MANAGER1).get("/api/v1/auth/me").get_json()["user"]
    page = make_page(login=MANAGER1, bypass_csp=True, viewport={"width": 1280, "height": 800}, is_mobile=False)
    page.add_init_script(f"localStorage.setItem('rayon.lang.u{me['id']}', 'en');")
    page.goto("/plan")
    body = screen(page)
    expect(body.locator(".planner-count .result-count")).to_contain_text("accounts", timeout=30_000)
    body.locator(".planner-account input").first.check()
    assert violations(page) == []
    body.get_by_role("button", name="Week plan").click()
    expect(body.locator(".planner-form")).to_be_visible()
    assert violations(page) == []
    body.get_by_role("button", name="Coverage").click()
    expect(body.locator(".planner-table")).to_be_visible()
    assert violations(page) == []


def test_more_corrections_and_the_review_have_no_accessibility_violations(
    make_page: Any, api: Any, axe_ready: None
) -> None:
    """On a phone: the "More" sheet, the outlet page's correction form and the manager's data-quality
    review pass axe's WCAG 2 A/AA rules."""
    me = api(MANAGER1).get("/api/v1/auth/me").get_json()["user"]
    outlet_id = api(MANAGER1).get("/api/v1/accounts?sort=name&limit=1").get_json()["items"][0]["outlet"]["id"]
    proposed = api(REP1).post(
        "/api/v1/corrections",
        json={"outlet_id": outlet_id, "kind": "contact", "values": {"website": "https://quokka.example"}},
    )
    assert proposed.status_code in (200, 201), proposed.get_json()
    page = make_page(login=MANAGER1, bypass_csp=True)
    page.add_init_script(f"localStorage.setItem('rayon.lang.u{me['id']}', 'en');")
    page.goto("/review")
    card = screen(page).locator(f'[data-correction-id="{proposed.get_json()["id"]}"]')
    expect(card.get_by_role("button", name="Withdraw")).to_be_visible()
    assert violations(page) == []
    page.get_by_role("navigation").get_by_role("button", name="More").click()
    expect(page.get_by_role("dialog", name="More")).to_be_visible()
    assert violations(page) == []
    page.keyboard.press("Escape")
    page.goto(f"/outlets/{outlet_id}")
    panel = screen(page).locator(".correction-panel")
    panel.get_by_role("button", name="Propose a correction").click()
    panel.get_by_label("Phone or website").check()
    expect(panel.get_by_role("textbox", name="Website")).to_be_visible()
    assert violations(page) == []
