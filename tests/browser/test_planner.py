"""The manager's planner: the team's accounts on a map and in a list with filters, assigned and
given a frequency in bulk; a week planned by the optimizer (its job watched), each rep's days as
routes and ordered lists with times, what was left out, publishing, moving a published visit, and
the team's coverage. Everything is checked against the API afterwards.

Screenshots at 1280x800 (laptop) and 360x780 (phone) go to var/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SMALL_TARGETS, screen

pytestmark = pytest.mark.browser

MANAGER1 = "manager1@demo.rayon.test"
REP4 = "rep4@demo.rayon.test"
REP5 = "rep5@demo.rayon.test"
LAPTOP: dict[str, Any] = {
    "viewport": {"width": 1280, "height": 800},
    "device_scale_factor": 1,
    "is_mobile": False,
    "has_touch": False,
}
JOB_TIMEOUT_MS = 120_000


def next_monday() -> dt.date:
    today = dt.date.today()
    return today + dt.timedelta(days=7 - today.weekday())


def user_of(api: Any, email: str) -> dict[str, Any]:
    return api(email).get("/api/v1/auth/me").get_json()["user"]


def manager_page(make_page: Any, **options: Any) -> Any:
    page = make_page(login=MANAGER1, locale="en-US", **options)
    page.add_init_script("localStorage.setItem('rayon.lang', 'en');")
    return page


def set_english(page: Any, api: Any) -> None:
    me = api(MANAGER1).get("/api/v1/auth/me").get_json()["user"]
    page.add_init_script(f"localStorage.setItem('rayon.lang.u{me['id']}', 'en');")


def test_a_manager_assigns_accounts_and_sets_their_frequency(make_page: Any, api: Any, screenshot: Any) -> None:
    """The list and the map show the team's accounts; filters narrow both; two accounts are
    assigned to another rep and visited every two weeks from then on."""
    manager = api(MANAGER1)
    rep4, rep5 = user_of(api, REP4), user_of(api, REP5)
    team_total = manager.get("/api/v1/accounts?limit=1").get_json()["total"]
    rep5_c = manager.get(f"/api/v1/accounts?rep={rep5['id']}&class=C&sort=name&limit=2").get_json()["items"]
    assert len(rep5_c) == 2
    page = manager_page(make_page, **LAPTOP)
    set_english(page, api)
    page.goto("/plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan")
    body = screen(page)
    expect(body.locator(".planner-count .result-count")).to_have_text(f"{team_total:,} accounts", timeout=30_000)
    expect(body.locator(".planner-map.leaflet-container")).to_be_visible()
    expect(body.locator(".planner-legend li")).to_have_count(5 + 1)  # five reps and "no rep"
    screenshot(page, "planner-accounts-laptop")

    body.get_by_role("button", name="C", exact=True).click()
    body.get_by_label("Rep", exact=True).select_option(str(rep5["id"]))
    rep5_c_total = manager.get(f"/api/v1/accounts?rep={rep5['id']}&class=C&limit=1").get_json()["total"]
    expect(body.locator(".planner-count .result-count")).to_have_text(f"{rep5_c_total} accounts")
    try:
        rows = [body.locator(f'.planner-account[data-account-id="{a["id"]}"]') for a in rep5_c]
        for row in rows:
            row.get_by_role("checkbox").check()
        expect(body.locator(".planner-count .result-count")).to_contain_text("2 selected")
        body.get_by_label("Visit every", exact=True).last.select_option("2")
        body.get_by_role("button", name="Set frequency").click()
        for row in rows:
            expect(row.locator(".planner-frequency")).to_have_text("2 weeks")
        body.get_by_label("Assign to").select_option(str(rep4["id"]))
        screenshot(page, "planner-bulk-laptop")
        body.get_by_role("button", name="Assign", exact=True).click()
        expect(body.get_by_text("2 accounts changed.")).to_be_visible()
        # The list follows the change: they are no longer rep5's.
        expect(body.locator(".planner-count .result-count")).to_contain_text(f"{rep5_c_total - 2} accounts")
        for account in rep5_c:
            after = manager.get(f"/api/v1/accounts/{account['id']}").get_json()
            assert after["assigned_rep_id"] == rep4["id"] and after["visit_every_weeks"] == 2
    finally:  # other tests count rep5's accounts: give them back as they were
        for account in rep5_c:
            restored = manager.post(
                "/api/v1/accounts/bulk",
                json={
                    "ids": [account["id"]],
                    "set": {"assigned_rep_id": rep5["id"], "visit_every_weeks": account["visit_every_weeks"]},
                },
            )
            assert restored.status_code == 200


def test_a_manager_plans_a_week_publishes_and_moves_a_visit(make_page: Any, api: Any, screenshot: Any) -> None:
    """Class A accounts of one rep, planned for next week by the optimizer (progress shown), as
    routes on the map and ordered lists with times; published once; a visit moved to Friday
    afternoon becomes a visit planned by hand, the plan's one cancelled; coverage adds up."""
    manager = api(MANAGER1)
    rep4 = user_of(api, REP4)
    monday = next_monday()
    friday = monday + dt.timedelta(days=4)
    page = manager_page(make_page, **LAPTOP)
    set_english(page, api)
    page.goto("/plan")
    body = screen(page)
    expect(body.locator(".planner-count .result-count")).to_contain_text("accounts", timeout=30_000)
    body.get_by_role("button", name="A", exact=True).click()
    body.get_by_label("Rep", exact=True).select_option(str(rep4["id"]))
    a_accounts = manager.get(f"/api/v1/accounts?rep={rep4['id']}&class=A&limit=500").get_json()["items"]
    expect(body.locator(".planner-count .result-count")).to_have_text(f"{len(a_accounts)} accounts")

    body.get_by_role("button", name="Week plan").click()
    form = body.locator(".planner-form")
    expect(form.get_by_label("Week starting")).to_have_value(monday.isoformat())
    for box in form.locator(".planner-check input").all():
        box.uncheck()
    form.get_by_label(rep4["name"], exact=True).check()
    form.get_by_label("Optimizer time (seconds)").fill("2")
    form.get_by_label("Name").fill("Browser test week")
    expect(form).to_contain_text(f"the {len(a_accounts)} matching")
    form.get_by_role("button", name="Plan the week").click()
    expect(body.locator(".planner-job")).to_be_visible()
    screenshot(page, "planner-job-laptop")
    expect(body.locator(".plan-status").first).to_have_text("Ready to publish", timeout=JOB_TIMEOUT_MS)

    plans = manager.get("/api/v1/route-plans").get_json()["items"]
    plan = manager.get(f"/api/v1/route-plans/{plans[0]['id']}").get_json()
    assert plan["name"] == "Browser test week" and plan["rep_ids"] == [rep4["id"]]
    routes = plan["result"]["routes"]
    stops = sum(len(r["stops"]) for r in routes)
    assert stops > 0
    # Each rep-day is a card with its stops in time order, and a route on the map.
    cards = body.locator(".planner-route")
    expect(cards).to_have_count(len(routes))
    first_route = routes[0]
    card = body.locator(f'.planner-route[data-rep-id="{rep4["id"]}"][data-date="{first_route["date"]}"]')
    expect(card.locator(".planner-stop-name")).to_have_text([s["outlet_name"] for s in first_route["stops"]])
    expect(card.locator(".planner-stop-time").first).to_have_text(
        dt.datetime.strptime(first_route["stops"][0]["start"], "%H:%M").strftime("%-I:%M %p")
    )
    expect(body.locator(".leaflet-marker-icon.plan-stop")).to_have_count(stops)
    unplanned = plan["result"]["unplanned"]
    expect(body.locator(".planner-unplanned .count")).to_have_text(f"({len(unplanned)})")
    expect(body.get_by_text("Publish the plan to move its visits.")).to_be_visible()
    screenshot(page, "planner-week-laptop")

    body.get_by_role("button", name="Publish to the reps").click()
    expect(body.locator(".planner-published")).to_be_visible(timeout=30_000)
    expect(body.get_by_text(f"{stops} visits planned for the reps")).to_be_visible()
    visits = manager.get(
        f"/api/v1/visits?rep={rep4['id']}&date_from={monday}&date_to={friday}&status=planned&limit=1000"
    ).get_json()["items"]
    ours = [v for v in visits if v["route_plan_id"] == plan["id"]]
    assert len(ours) == stops

    # Move the first stop of the first day to Friday, 15:30.
    moved_stop = first_route["stops"][0]
    row = card.locator(f'.planner-stop[data-account-id="{moved_stop["account_id"]}"]')
    row.get_by_role("button", name=f"Move {moved_stop['outlet_name']}").click()
    move = row.locator(".planner-move-form")
    move.get_by_label("Day").select_option(friday.isoformat())
    move.get_by_label("Time").fill("15:30")
    screenshot(page, "planner-move-laptop")
    move.get_by_role("button", name="Move the visit").click()
    friday_card = body.locator(f'.planner-route[data-rep-id="{rep4["id"]}"][data-date="{friday}"]')
    moved = friday_card.locator(f'.planner-stop[data-account-id="{moved_stop["account_id"]}"]')
    expect(moved).to_contain_text("Planned by hand")
    expect(moved.locator(".planner-stop-time")).to_have_text("3:30 PM")
    after = manager.get(
        f"/api/v1/visits?account_id={moved_stop['account_id']}&date_from={monday}&date_to={friday}&limit=100"
    ).get_json()["items"]
    states = sorted((v["planned_date"], v["status"], v["source"], v["planned_start_min"]) for v in after)
    assert states == [
        (first_route["date"], "cancelled", "plan", states[0][3]),
        (friday.isoformat(), "planned", "manual", 15 * 60 + 30),
    ]

    body.get_by_role("button", name="Coverage").click()
    team = body.locator(".planner-coverage-team")
    covered = len({s["account_id"] for r in routes for s in r["stops"]})
    expect(team).to_contain_text(f"{covered} of {len(a_accounts)} accounts have a visit in the plan")
    row = body.locator(f'.planner-table tr[data-rep-id="{rep4["id"]}"]')
    expect(row.locator("td").nth(2)).to_have_text(str(stops))
    screenshot(page, "planner-coverage-laptop")


def wait_for_plan(client: Any, plan: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + JOB_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        job = client.get(plan["job_url"]).get_json()
        if job["status"] in ("done", "failed"):
            assert job["status"] == "done", job
            return client.get(f"/api/v1/route-plans/{plan['id']}").get_json()
        time.sleep(0.3)
    raise AssertionError("the planning job did not finish")


def test_the_planner_on_a_phone(make_page: Any, api: Any, screenshot: Any) -> None:
    """On a phone the map sits above the list; the tabs, filters and rows are big enough to tap;
    an earlier plan opens with its days."""
    manager = api(MANAGER1)
    rep5 = user_of(api, REP5)
    monday = next_monday()
    created = manager.post(
        "/api/v1/route-plans",
        json={
            "name": "Phone check",
            "date_from": monday.isoformat(),
            "date_to": (monday + dt.timedelta(days=4)).isoformat(),
            "rep_ids": [rep5["id"]],
            "accounts": {"account_class": ["A"], "rep": str(rep5["id"])},
            "options": {"time_limit_s": 1},
        },
    )
    assert created.status_code == 202, created.get_json()
    plan = wait_for_plan(manager, created.get_json())
    assert plan["result"]["routes"]

    page = manager_page(make_page)
    set_english(page, api)
    page.goto("/plan")
    body = screen(page)
    expect(body.locator(".planner-count .result-count")).to_contain_text("accounts", timeout=30_000)
    assert page.evaluate(SMALL_TARGETS) == []
    screenshot(page, "planner-accounts-phone")
    body.get_by_role("button", name="Week plan").click()
    expect(body.locator(".planner-form")).to_be_visible()
    assert page.evaluate(SMALL_TARGETS) == []
    screenshot(page, "planner-form-phone")
    body.get_by_role("button", name="Open Phone check").first.click()
    expect(body.locator(".planner-plan-head")).to_contain_text("Phone check")
    expect(body.locator(".planner-route")).to_have_count(len(plan["result"]["routes"]))
    body.locator(".planner-route").first.scroll_into_view_if_needed()
    assert page.evaluate(SMALL_TARGETS) == []
    screenshot(page, "planner-week-phone")


def test_reps_have_no_planner(make_page: Any) -> None:
    """A rep has no Plan tab, and /plan is not a page for them."""
    page = make_page(login="rep1@demo.rayon.test", locale="en-US")
    page.add_init_script("localStorage.setItem('rayon.lang', 'en');")
    page.goto("/plan")
    expect(page.get_by_role("navigation").get_by_role("link", name=re.compile("Plan|Planen"))).to_have_count(0)
    expect(screen(page).locator(".message")).to_be_visible()
