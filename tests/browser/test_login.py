"""Logging in and out on the phone: the login screen and its messages, a session that ends
mid-way, invitation links, and that one user's saved data never shows for another.

Screenshots of each screen go to var/screenshots/ for people to look at.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.helpers import SMALL_TARGETS, log_in_with_form, saved_urls, screen, shown_ids, wait_until_saved

pytestmark = pytest.mark.browser

REP1 = "rep1@demo.rayon.test"
REP2 = "rep2@demo.rayon.test"


def account_ids(api: Any, email: str) -> list[int]:
    """The ids of every account the user sees, from the API."""
    body = api(email).get("/api/v1/accounts?limit=500").get_json()
    return [a["id"] for a in body["items"]]


def test_wrong_password_shows_the_message(make_page: Any, screenshot: Any) -> None:
    """A wrong password says so in plain words, keeps what was typed, and the message goes once the user types again."""
    page = make_page(login=None)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    screenshot(page, "login")

    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.locator("#login-email-error")).to_have_text("Enter your email address.")
    expect(page.get_by_label("Email", exact=True)).to_have_attribute("aria-invalid", "true")

    log_in_with_form(page, "rep9@demo.rayon.test", "not-the-password")
    error = page.locator(".login-error")
    expect(error).to_have_text("Wrong email or password.")
    expect(page.get_by_label("Email", exact=True)).to_have_value("rep9@demo.rayon.test")
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("type", "password")
    page.get_by_role("button", name="Show password").click()
    expect(password).to_have_attribute("type", "text")
    expect(password).to_have_value("not-the-password")
    screenshot(page, "login-wrong-password")
    page.get_by_role("button", name="Hide password").click()
    expect(password).to_have_attribute("type", "password")

    password.fill(DEMO_PASSWORD)
    expect(error).to_have_count(0)  # typing clears the message
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    # rep9 works around Paris: the user's locale (fr) wins over the phone's English.
    expect(page.get_by_role("navigation").get_by_role("link", name="Clients")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_too_many_attempts_say_how_long_to_wait(make_page: Any, live_server: str, screenshot: Any) -> None:
    """After five failures for an email the server says 429 with Retry-After: the screen says to wait 15 minutes."""
    email = f"locked-{uuid.uuid4().hex[:8]}@demo.rayon.test"
    page = make_page(login=None)
    for _ in range(5):
        answer = page.context.request.post(
            f"{live_server}/api/v1/auth/login", data={"email": email, "password": "wrong-wrong", "cookie": True}
        )
        assert answer.status == 401
    page.goto("/login")
    log_in_with_form(page, email, "wrong-wrong")
    expect(page.locator(".login-error")).to_have_text("Too many failed attempts. Wait 15 minutes, then try again.")
    screenshot(page, "login-too-many-attempts")


def test_rep_with_a_locale_gets_their_language(make_page: Any, screenshot: Any) -> None:
    """rep1's locale is German: on an English phone the app is German, due dates included."""
    page = make_page(login=REP1)
    page.goto("/accounts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Kunden")
    expect(page.get_by_role("navigation").get_by_role("link")).to_have_text(["Heute", "In der Nähe", "Karte", "Kunden"])
    expect(screen(page).locator(".due").first).to_have_text(re.compile(r"überfällig|Fällig|fällig|Noch nie besucht"))
    screenshot(page, "accounts-de")


def test_session_ending_mid_way_goes_to_login_and_back(make_page: Any, api: Any, screenshot: Any) -> None:
    """When the server ends the session, the next request (401) shows the login; after it the user
    is back where they were."""
    page = make_page(login=REP1)
    page.goto("/accounts")
    first = screen(page).locator(".account-link").first
    expect(first).to_be_visible()
    account_id = first.get_attribute("data-account-id")
    name = first.locator(".account-name").inner_text()

    rep = api(REP1)
    for token in rep.get("/api/v1/auth/tokens").get_json()["items"]:
        if token["kind"] == "session":
            assert rep.delete(f"/api/v1/auth/tokens/{token['id']}").status_code == 204

    first.click()  # GET /accounts/{id} -> 401
    expect(page).to_have_url(re.compile(rf"/login\?next=%2Faccounts%2F{account_id}$"))
    expect(page.get_by_text("Ihre Sitzung ist abgelaufen")).to_be_visible()
    expect(page.get_by_label("E-Mail", exact=True)).to_have_value(REP1)
    screenshot(page, "login-session-ended")
    page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/accounts/{account_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_invitation_link_sets_a_password_and_logs_in(make_page: Any, api: Any, screenshot: Any) -> None:
    """The admin's invitation link opens a page to choose a password (twice); then the new user is logged in."""
    email = f"nina-{uuid.uuid4().hex[:8]}@demo.rayon.test"
    created = api("admin@demo.rayon.test").post(
        "/api/v1/users", json={"email": email, "name": "Nina Neumann", "role": "rep"}
    )
    assert created.status_code == 201, created.get_json()
    link = created.get_json()["invitation"]["url"]

    page = make_page(login=None)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    screenshot(page, "invite")
    new, again = page.get_by_label("New password", exact=True), page.get_by_label("Repeat the password", exact=True)
    new.fill("short")
    page.get_by_role("button", name="Save password and log in").click()
    expect(page.locator("#invite-password-error")).to_have_text("Use at least 10 characters.")
    new.fill("a long enough secret")
    again.fill("a long enough secreT")
    page.get_by_role("button", name="Save password and log in").click()
    expect(page.locator("#invite-repeat-error")).to_have_text("The two passwords are not the same.")
    screenshot(page, "invite-mismatch")
    again.fill("a long enough secret")
    page.get_by_role("button", name="Save password and log in").click()

    expect(page.get_by_role("navigation").get_by_role("link", name="Accounts")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))
    page.get_by_role("button", name="Settings").click()
    sheet = page.get_by_role("dialog", name="Settings")
    expect(sheet.locator(".user-name")).to_have_text("Nina Neumann")
    expect(sheet).to_contain_text("Sales rep · Brisa Drinks (demo)")
    expect(sheet).to_contain_text(email)

    # The link works once.
    other = make_page(login=None)
    other.goto(link)
    other.get_by_label("New password", exact=True).fill("another long secret")
    other.get_by_label("Repeat the password", exact=True).fill("another long secret")
    other.get_by_role("button", name="Save password and log in").click()
    expect(other.locator(".invite-error")).to_contain_text("already used or has expired")


def test_logout_then_another_rep_sees_nothing_of_the_first(
    make_page: Any, api: Any, live_server: str, screenshot: Any
) -> None:
    """Logout ends the session and deletes the saved answers; the next rep sees only their own
    accounts, online and offline."""
    page = make_page(login=None, locale="en-GB")
    page.goto("/accounts")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Faccounts$"))
    log_in_with_form(page, REP1, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts$"))
    rep1_ids = set(account_ids(api, REP1))
    expect(screen(page).locator(".account-link").first).to_be_visible()
    first_id = int(screen(page).locator(".account-link").first.get_attribute("data-account-id"))
    assert first_id in rep1_ids
    wait_until_saved(page, "/api/v1/accounts?")
    page.goto(f"/accounts/{first_id}")
    expect(page.locator(".account-facts")).to_be_visible()
    wait_until_saved(page, f"/api/v1/accounts/{first_id}")

    page.get_by_role("navigation").get_by_role("link", name="Kunden").click()
    page.get_by_role("button", name="Einstellungen").click()
    sheet = page.get_by_role("dialog", name="Einstellungen")
    expect(sheet.locator(".user-name")).to_have_text("Lukas Huber")
    expect(sheet).to_contain_text("Außendienst · Brisa Drinks (demo)")
    screenshot(page, "settings-user")
    sheet.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("Sie sind abgemeldet.")).to_be_visible()
    assert saved_urls(page) == []
    assert page.evaluate("() => localStorage.getItem('rayon.me')") is None
    # The session is gone on the server too.
    assert page.context.request.get(f"{live_server}/api/v1/auth/me").status == 401

    log_in_with_form_de(page, REP2)
    expect(page).to_have_url(re.compile(r"/$"))
    page.get_by_role("navigation").get_by_role("link", name="Kunden").click()
    items = screen(page).locator(".account-link")
    expect(items.first).to_be_visible()
    rep2_ids = set(account_ids(api, REP2))
    shown = set(shown_ids(page))
    assert shown and shown <= rep2_ids and not shown & rep1_ids
    wait_until_saved(page, "/api/v1/accounts?")

    # Offline, the phone has rep2's list and nothing of rep1's.
    page.context.set_offline(True)
    page.reload()
    expect(page.locator(".offline-banner")).to_be_visible()
    expect(screen(page).locator(".account-link").first).to_be_visible()
    assert set(shown_ids(page)) == shown
    page.goto(f"/accounts/{first_id}")
    expect(page.locator(".message-error")).to_be_visible()
    expect(page.locator(".account-facts")).to_have_count(0)


def log_in_with_form_de(page: Any, email: str) -> None:
    page.get_by_label("E-Mail", exact=True).fill(email)
    page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()


def test_another_user_after_an_ended_session_gets_no_saved_data(make_page: Any, api: Any) -> None:
    """If rep1's session ends without a logout and rep2 logs in on the same phone, rep1's saved
    answers are deleted first."""
    page = make_page(login=REP1)
    page.goto("/accounts")
    expect(screen(page).locator(".account-link").first).to_be_visible()
    wait_until_saved(page, "/api/v1/accounts?")
    page.context.clear_cookies()
    page.goto("/login")
    expect(page.get_by_label("Email", exact=True)).to_have_value(REP1)
    assert any("/api/v1/accounts?" in url for url in saved_urls(page))  # still rep1's phone until someone else logs in
    page.get_by_label("Email", exact=True).fill(REP2)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Heute")  # rep2's Today, in rep2's German
    assert not [url for url in saved_urls(page) if "/api/v1/accounts" in url]
    rep1_id = api(REP1).get("/api/v1/auth/me").get_json()["user"]["id"]
    databases = page.evaluate("async () => (await indexedDB.databases()).map((d) => d.name)")
    assert f"rayon-field-u{rep1_id}" not in databases, "rep1's day is deleted from the phone"

    page.context.set_offline(True)
    page.get_by_role("navigation").get_by_role("link", name="Kunden").click()  # rep2's locale is German
    expect(screen(page).locator(".message-error")).to_be_visible()
    expect(screen(page).locator(".account-link")).to_have_count(0)


def test_login_runs_under_a_strict_csp_with_big_targets(make_page: Any, screenshot: Any) -> None:
    """The login and account screens run under a strict CSP (no inline scripts or styles) and have 44 px targets."""
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "worker-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    page = make_page(login=None, service_workers="block")
    violations: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))

    def add_policy(route: Any) -> None:
        if route.request.resource_type != "document":
            route.fallback()
            return
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": policy})

    page.route("**/*", add_policy)
    page.goto("/accounts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert page.evaluate(SMALL_TARGETS) == []
    log_in_with_form(page, "rep6@demo.rayon.test", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes clients")
    expect(screen(page).locator(".account-item").first).to_be_visible()
    screenshot(page, "accounts-fr")
    screen(page).locator(".account-link").first.click()
    expect(page.locator(".account-facts")).to_be_visible()
    screenshot(page, "account-fr")
    assert violations == []
