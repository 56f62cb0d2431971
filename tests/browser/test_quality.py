"""Data quality in the web app (issue #10): a rep proposes a correction of a store's public facts
offline (it goes through the outbox as correction.propose) and follows its status; a manager
decides on another brand's correction and on a likely duplicate; the rep's to-do shows the store
of an account that closed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.browser.helpers import go_to_tab, screen
from tests.browser.test_field import REP1, SYNC_TIMEOUT_MS, phone_for, rep1_accounts, sync_chip
from tests.data import destination
from tests.tenants import make_tenant

pytestmark = pytest.mark.browser

MANAGER1 = "manager1@demo.rayon.test"
ADMIN = "admin@demo.rayon.test"


def spare_accounts(rep: Any) -> list[dict[str, Any]]:
    """rep1's customer accounts that the other browser tests leave alone (they may be changed here)."""
    used = {a["id"] for a in rep1_accounts(rep)[:2]}
    used |= {a["id"] for a in rep1_accounts(rep, ("discount",))[:3]}
    used |= {a["id"] for a in rep1_accounts(rep, ("convenience",))[:1]}
    every = rep1_accounts(rep, ("supermarket", "hypermarket", "discount", "convenience", "drugstore", "organic"))
    return [a for a in reversed(every) if a["id"] not in used and "Quokka" not in a["outlet"]["name"]]


def english(make_page: Any, api: Any, email: str) -> Any:
    """A phone logged in as `email`, in English whatever the user's own language."""
    user_id = api(email).get("/api/v1/auth/me").get_json()["user"]["id"]
    page = make_page(login=email, locale="en-US")
    page.add_init_script(f"localStorage.setItem('rayon.lang.u{user_id}', 'en');")
    return page


def test_corrections_duplicates_and_outlet_changes(make_page: Any, api: Any, demo_app: Flask, screenshot: Any) -> None:
    rep = api(REP1)
    closing, hours, _ = spare_accounts(rep)[:3]
    other_brand = make_tenant(demo_app, roles={"rep1": "rep"}, name="Other brand")
    other = other_brand.client(demo_app.test_client(), "rep1")
    proposal = other.post("/api/v1/corrections", json={"outlet_id": closing["outlet"]["id"], "kind": "closed"})
    assert proposal.status_code == 201, proposal.get_json()

    # The rep, on the outlet page, offline: a change of opening hours waits in the outbox.
    page = phone_for(make_page, api, hours)
    page.goto("/")
    expect(sync_chip(page)).to_contain_text("Synced", timeout=SYNC_TIMEOUT_MS)
    page.goto(f"/outlets/{hours['outlet']['id']}")
    panel = screen(page).locator(".correction-panel")
    expect(panel.get_by_role("heading", name="Something wrong here?")).to_be_visible()
    page.context.set_offline(True)
    panel.get_by_role("button", name="Propose a correction").click()
    panel.get_by_label("Opening hours").check()
    box = panel.get_by_role("textbox", name="Opening hours")
    box.fill("")
    panel.get_by_role("button", name="Send").click()
    expect(panel.locator(".message-error")).to_have_text("Change at least one value first.")
    box.fill("Mo-Fr 08:00-19:30; Sa 08:00-18:00")
    screenshot(page, "correction-form")
    panel.get_by_role("button", name="Send").click()
    expect(panel.get_by_role("status")).to_contain_text("Saved on this phone. It is sent with the next sync.")
    item = panel.locator(".correction-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Opening hours: Mo-Fr 08:00-19:30; Sa 08:00-18:00")
    expect(item).to_contain_text("Not sent yet")
    assert rep.get(f"/api/v1/corrections?outlet_id={hours['outlet']['id']}&mine=true").get_json()["total"] == 0

    page.context.set_offline(False)
    expect(item).to_have_attribute("data-status", "pending", timeout=SYNC_TIMEOUT_MS)
    expect(item).to_contain_text("Waiting for another brand: 1 of 2 confirmed")
    screenshot(page, "correction-status")
    mine = rep.get(f"/api/v1/corrections?outlet_id={hours['outlet']['id']}&mine=true").get_json()["items"]
    assert [(c["kind"], c["values"], c["status"]) for c in mine] == [
        ("opening_hours", {"opening_hours": "Mo-Fr 08:00-19:30; Sa 08:00-18:00"}, "pending")
    ]

    # A likely duplicate: the company's own entry for a store that is in the shared data.
    twin = spare_accounts(rep)[3]["outlet"]
    lat, lon = destination(twin["lat"], twin["lon"], 90, 15)
    created = api(ADMIN).post(
        "/api/v1/accounts?force=true",
        json={"outlet": {"name": twin["name"], "format": twin["format"], "city": twin["city"],
                         "country": twin["country"], "lat": lat, "lon": lon}},
    )  # fmt: skip
    assert created.status_code == 201, created.get_json()

    # The manager: confirms the other brand's correction, and says the pair is not a duplicate.
    manager = english(make_page, api, MANAGER1)
    manager.goto("/")
    go_to_tab(manager, "Data quality")
    expect(manager).to_have_url(re.compile(r"/review$"))
    review = screen(manager)
    expect(review.get_by_role("heading", level=1)).to_have_text("Data quality")
    theirs = review.locator(f'[data-correction-id="{proposal.get_json()["id"]}"]')
    expect(theirs).to_contain_text(closing["outlet"]["name"])
    expect(theirs).to_contain_text("Proposed by another brand")
    expect(theirs.locator(".review-compare")).to_contain_text("Open")  # the store's status now, in words
    ours = review.locator(f'[data-correction-id="{mine[0]["id"]}"]')
    expect(ours).to_contain_text("Proposed by your company")
    expect(ours.get_by_role("button", name="Withdraw")).to_be_visible()
    expect(ours.get_by_role("button", name="Confirm")).to_have_count(0)
    review.get_by_role("button", name="Look for duplicates").click()
    expect(review.get_by_role("status")).to_contain_text(re.compile(r"new pairs? found"))
    pair = review.locator(".review-item[data-pair-id]").filter(has_text=twin["name"]).first
    expect(pair).to_contain_text("Your company's entry")
    expect(pair).to_contain_text("Shared store data")
    theirs.scroll_into_view_if_needed()
    screenshot(manager, "review")
    theirs.get_by_role("button", name="Confirm").click()
    expect(theirs).to_contain_text("Accepted: now public")
    pair_id = pair.get_attribute("data-pair-id")
    pair.get_by_role("button", name="Not a duplicate").click()
    expect(review.get_by_role("status")).to_contain_text("Marked as not a duplicate.")
    expect(review.locator(f'[data-pair-id="{pair_id}"]')).to_have_count(0)
    assert api(MANAGER1).get(f"/api/v1/duplicates/{pair_id}").get_json()["status"] == "dismissed"
    assert api(MANAGER1).get(f"/api/v1/outlets/{closing['outlet']['id']}").get_json()["status"] == "closed"

    # The rep's to-do: the store of their account closed.
    page.goto("/")
    changes = screen(page).locator(".outlet-changes")
    change = changes.locator(".outlet-change").filter(has_text=closing["outlet"]["name"])
    expect(change).to_contain_text("Closed")
    change.scroll_into_view_if_needed()
    screenshot(page, "today-outlet-changes")
    change.get_by_role("button", name=f"Dealt with: {closing['outlet']['name']}").click()
    expect(change).to_have_count(0)
    notices = rep.get("/api/v1/quality/notices").get_json()["items"]
    assert closing["outlet"]["id"] not in [n["outlet_id"] for n in notices]
