"""Accounts on the phone: a rep's own list (the same as the API's), the account page, contacts
with the server's checks, and a manager's edits with optimistic concurrency.

Screenshots of each screen go to var/screenshots/ for people to look at.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SMALL_TARGETS, saved_urls, screen, shown_ids, wait_until_saved

pytestmark = pytest.mark.browser

REP1 = "rep1@demo.rayon.test"
MANAGER1 = "manager1@demo.rayon.test"


def test_rep_sees_exactly_their_accounts(make_page: Any, api: Any, screenshot: Any) -> None:
    """rep1's "My accounts" is the API's list for rep1, in the same order (due first), page after page."""
    rep = api(REP1)
    me = rep.get("/api/v1/auth/me").get_json()["user"]
    first_page = rep.get("/api/v1/accounts?rep=me&sort=due&limit=30").get_json()
    everything = rep.get("/api/v1/accounts?rep=me&limit=500").get_json()
    assert first_page["total"] > 30, "the demo should give rep1 more than one page"
    assert all(a["assigned_rep_id"] == me["id"] for a in everything["items"])

    page = make_page(login=REP1, locale="en-US")
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name="Kunden").click()
    expect(page).to_have_url(re.compile(r"/accounts$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Kunden")
    expect(screen(page).locator(".result-count")).to_have_text(f"{first_page['total']} Kunden")
    expect(screen(page).locator(".account-link")).to_have_count(30)
    assert shown_ids(page) == [a["id"] for a in first_page["items"]]
    first = screen(page).locator(".account-item").first
    expect(first.locator(".account-name")).to_have_text(first_page["items"][0]["outlet"]["name"])
    expect(first.locator(".class-badge")).to_contain_text(first_page["items"][0]["account_class"])
    screenshot(page, "accounts-rep")

    # Scrolling to the end loads the rest.
    screen(page).evaluate("(s) => s.scrollTo(0, s.scrollHeight)")
    expect(screen(page).locator(".account-link")).to_have_count(first_page["total"])
    assert set(shown_ids(page)) == {a["id"] for a in everything["items"]}
    expect(screen(page).locator(".list-end")).to_be_visible()

    # Class chips and the overdue toggle narrow the list as the API does.
    class_a = rep.get("/api/v1/accounts?rep=me&class=A&sort=due&limit=30").get_json()
    screen(page).get_by_role("button", name="Klasse A").click()
    expect(screen(page).locator(".result-count")).to_have_text(re.compile(rf"^{class_a['total']} Kunden?$"))
    assert shown_ids(page) == [a["id"] for a in class_a["items"]]
    overdue_a = rep.get("/api/v1/accounts?rep=me&class=A&overdue=true&sort=due&limit=30").get_json()
    screen(page).get_by_role("button", name="Überfällig").click()
    expect(screen(page).locator(".result-count")).to_have_text(re.compile(rf"^{overdue_a['total']} Kunden?$"))
    screen(page).get_by_role("button", name="Überfällig").click()
    screen(page).get_by_label("Sortieren nach").select_option("name")
    by_name = rep.get("/api/v1/accounts?rep=me&class=A&sort=name&limit=30").get_json()
    expect(screen(page).locator(".account-link").first).to_have_attribute(
        "data-account-id", str(by_name["items"][0]["id"])
    )
    assert shown_ids(page) == [a["id"] for a in by_name["items"]]


def test_account_page_and_a_new_contact(make_page: Any, api: Any, screenshot: Any) -> None:
    """The account page shows the account; an invalid phone gets the server's message at the field,
    a valid one is saved in E.164."""
    rep = api(REP1)
    account = rep.get("/api/v1/accounts?rep=me&class=A&sort=name&limit=1").get_json()["items"][0]
    detail = rep.get(f"/api/v1/accounts/{account['id']}").get_json()

    page = make_page(login=REP1, locale="en-US")
    page.goto("/")
    page.get_by_role("button", name="Einstellungen").click()
    page.get_by_role("dialog").get_by_label("English").check()
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    page.goto(f"/accounts/{account['id']}")
    body = page.locator(".screen-detail")
    expect(page.get_by_role("heading", level=1)).to_have_text(account["outlet"]["name"])
    expect(body.locator(".fact-class")).to_have_text("A")
    expect(body.locator(".fact-frequency")).to_have_text("Every week")
    expect(body.locator(".fact-status")).to_have_text(account["status"].title())
    expect(body.get_by_role("link", name=re.compile("Outlet page"))).to_have_attribute(
        "href", f"/outlets/{account['outlet']['id']}"
    )
    expect(body.locator(".contact")).to_have_count(len(detail["contacts"]))
    if detail["contacts"]:
        c = detail["contacts"][0]
        expect(body.locator(".contact-phone").first).to_have_attribute("href", f"tel:{c['phone']}")
        expect(body.locator(".contact-email").first).to_have_attribute("href", f"mailto:{c['email']}")
    expect(body.get_by_role("button", name="Edit account")).to_have_count(0)  # reps do not edit accounts
    screenshot(page, "account")

    body.get_by_role("button", name="Add contact").click()
    form = body.locator(".contact-form")
    form.get_by_label("Name").fill("Eva Probe")
    form.get_by_label("Position", exact=True).fill("Filialleitung")
    phone = form.get_by_label("Phone", exact=True)
    phone.fill("12345")
    form.get_by_role("button", name="Save contact").click()
    error = form.locator("#contact-new-phone-error")
    expect(error).to_contain_text("not a valid phone number")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_be_focused()
    screenshot(page, "contact-invalid-phone")

    phone.fill("089 1234567")
    expect(error).to_have_count(0)
    form.get_by_role("button", name="Save contact").click()
    expect(body.get_by_text("Contact added.")).to_be_visible()
    added = body.locator(".contact", has_text="Eva Probe")
    expect(added.locator(".contact-phone")).to_have_text("+49891234567")
    expect(added.locator(".contact-phone")).to_have_attribute("href", "tel:+49891234567")
    added.scroll_into_view_if_needed()
    screenshot(page, "contact-added")
    saved = rep.get(f"/api/v1/accounts/{account['id']}").get_json()["contacts"]
    assert [c["phone"] for c in saved if c["name"] == "Eva Probe"] == ["+49891234567"]

    # Editing it: a bad email is refused at its field.
    added.get_by_role("button", name="Edit Eva Probe").click()
    edit = body.locator(".contact-form")
    edit.get_by_label("Email", exact=True).fill("eva@")
    edit.get_by_role("button", name="Save contact").click()
    expect(edit.locator(".field-error")).to_be_visible()
    edit.get_by_label("Email", exact=True).fill("Eva.Probe@Example.de")
    edit.get_by_role("button", name="Save contact").click()
    email = body.locator(".contact", has_text="Eva Probe").locator(".contact-email")
    expect(email).to_have_text("eva.probe@example.de")

    # Neither logins nor writes were saved by the service worker.
    wait_until_saved(page, f"/api/v1/accounts/{account['id']}")
    assert not [url for url in saved_urls(page) if "/auth/" in url or "/contacts" in url]


def test_manager_changes_an_accounts_class(make_page: Any, api: Any, screenshot: Any) -> None:
    """manager1 sees the team with a rep filter, opens an account and changes its class from C to B."""
    manager = api(MANAGER1)
    team_total = manager.get("/api/v1/accounts?limit=1").get_json()["total"]
    account = manager.get("/api/v1/accounts?class=C&status=customer&sort=name&limit=1").get_json()["items"][0]

    page = make_page(login=MANAGER1, locale="en-US")
    page.goto("/")
    page.get_by_role("button", name="Einstellungen").click()
    page.get_by_role("dialog").get_by_label("English").check()
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    page.get_by_role("navigation").get_by_role("link", name="Accounts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts")
    rep_filter = screen(page).get_by_label("Rep", exact=True)
    expect(rep_filter).to_have_value("")
    expect(screen(page).locator(".result-count")).to_have_text(f"{team_total:,} accounts")
    expect(screen(page).locator(".account-rep").first).to_be_visible()
    expect(rep_filter.locator("option")).to_have_count(2 + 5)  # team, unassigned, five reps
    screenshot(page, "accounts-manager")
    rep_filter.select_option(label="Lukas Huber")
    rep1_id = api(REP1).get("/api/v1/auth/me").get_json()["user"]["id"]
    rep1_total = manager.get(f"/api/v1/accounts?rep={rep1_id}&limit=1").get_json()["total"]
    expect(screen(page).locator(".result-count")).to_have_text(f"{rep1_total} accounts")
    expect(screen(page).locator(".account-rep").first).to_have_text("Lukas Huber")

    rep_filter.select_option("")
    screen(page).get_by_role("button", name="Class C").click()
    screen(page).get_by_label("Filter by name or address").fill(account["outlet"]["name"])
    item = screen(page).locator(f'.account-link[data-account-id="{account["id"]}"]')
    item.click()
    body = page.locator(".screen-detail")
    expect(body.locator(".fact-class")).to_have_text("C")
    body.get_by_role("button", name="Edit account").click()
    form = body.locator(".account-form")
    form.get_by_label("Class", exact=True).select_option("B")
    screenshot(page, "account-edit")
    form.get_by_role("button", name="Save", exact=True).click()
    expect(body.get_by_text("Changes saved.")).to_be_visible()
    expect(body.locator(".fact-class")).to_have_text("B")
    expect(body.locator(".account-summary .class-badge")).to_contain_text("B")
    after = manager.get(f"/api/v1/accounts/{account['id']}").get_json()
    assert after["account_class"] == "B" and after["version"] == account["version"] + 1

    # Back in the list, the account shows its new class without a reload.
    page.get_by_role("button", name="Back").click()
    expect(page).to_have_url(re.compile(r"/accounts$"))
    expect(item.locator(".class-badge")).to_contain_text("B")


def test_stale_version_says_reload(make_page: Any, api: Any, screenshot: Any) -> None:
    """Someone else saves the account while the manager edits it: the save is refused (409), the
    form says to reload, and after Reload the change goes through."""
    manager = api(MANAGER1)
    account = manager.get("/api/v1/accounts?class=B&status=customer&sort=name&limit=1").get_json()["items"][0]

    page = make_page(login=MANAGER1, locale="en-US")
    page.goto(f"/accounts/{account['id']}")
    body = page.locator(".screen-detail")
    body.get_by_role("button", name="Kunde bearbeiten").click()
    form = body.locator(".account-form")
    form.get_by_label("Status", exact=True).select_option("prospect")

    other = manager.patch(
        f"/api/v1/accounts/{account['id']}", json={"notes": "Changed at the office", "version": account["version"]}
    )
    assert other.status_code == 200, other.get_json()

    form.get_by_role("button", name="Speichern", exact=True).click()
    conflict = form.locator(".conflict")
    expect(conflict).to_contain_text("Jemand anderes hat diesen Kunden inzwischen geändert")
    expect(form.get_by_role("button", name="Speichern", exact=True)).to_be_disabled()
    screenshot(page, "account-conflict")
    conflict.get_by_role("button", name="Neu laden").click()
    expect(conflict).to_have_count(0)
    expect(form.get_by_label("Notizen", exact=True)).to_have_value("Changed at the office")
    expect(form.get_by_label("Status", exact=True)).to_have_value(account["status"])
    form.get_by_label("Status", exact=True).select_option("prospect")
    form.get_by_role("button", name="Speichern", exact=True).click()
    expect(body.locator(".fact-status")).to_have_text("Interessent")
    after = manager.get(f"/api/v1/accounts/{account['id']}").get_json()
    assert after["status"] == "prospect" and after["notes"] == "Changed at the office"
    assert after["version"] == account["version"] + 2


def test_account_screens_have_big_enough_targets(make_page: Any, api: Any) -> None:
    """Every control on the account list, the account page and its forms is at least 44×44 CSS px."""
    account = api(MANAGER1).get("/api/v1/accounts?class=A&sort=name&limit=1").get_json()["items"][0]
    page = make_page(login=MANAGER1)
    page.goto("/accounts")
    expect(screen(page).locator(".account-item").first).to_be_visible()
    assert page.evaluate(SMALL_TARGETS) == []
    page.goto(f"/accounts/{account['id']}")
    body = page.locator(".screen-detail")
    expect(body.locator(".account-facts")).to_be_visible()
    assert page.evaluate(SMALL_TARGETS) == []
    body.get_by_role("button", name="Kunde bearbeiten").click()
    body.get_by_role("button", name="Ansprechpartner hinzufügen").click()
    expect(body.locator(".account-form")).to_be_visible()
    expect(body.locator(".contact-form")).to_be_visible()
    assert page.evaluate(SMALL_TARGETS) == []
