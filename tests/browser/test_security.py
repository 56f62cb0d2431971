"""The web app under the server's own security headers (not a policy injected by the test):
no Content-Security-Policy violation on any screen, for a rep and for a manager."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.helpers import screen

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '')));
"""


def _watch(page: Any) -> list[str]:
    seen: list[str] = []
    page.add_init_script(COLLECT_VIOLATIONS)
    page.on("console", lambda message: "Content Security Policy" in message.text and seen.append(message.text))
    return seen


def _violations(page: Any, seen: list[str]) -> list[str]:
    return seen + page.evaluate("() => window.__cspViolations || []")


def test_the_server_policy_is_strict_and_the_app_passes_it(make_page: Any, live_server: str) -> None:
    """Every screen of a rep runs under the server's CSP without a single violation."""
    page = make_page(login="rep1@demo.rayon.test")
    seen = _watch(page)
    response = page.goto("/nearby")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy and "unsafe" not in policy
    expect(screen(page).locator(".outlet-name").first).to_be_visible()
    checked = []
    for path in ("/today", "/accounts", "/map", "/search?q=quokka", "/outlets/1", "/sync"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        checked.extend(_violations(page, seen))
    assert checked == []


def test_a_manager_sees_no_violation_either(make_page: Any) -> None:
    """The manager's screens (accounts, map, insights) pass the same policy."""
    page = make_page(login="manager1@demo.rayon.test")
    seen = _watch(page)
    violations = []
    for path in ("/", "/accounts", "/map", "/insights"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        violations.extend(_violations(page, seen))
    assert violations == []


def test_the_login_page_is_not_framable_and_passes(make_page: Any) -> None:
    """Logged out: the login page has frame-ancestors 'none' and no violation."""
    page = make_page(login=None)
    seen = _watch(page)
    response = page.goto("/login")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    page.get_by_label("Email", exact=True).wait_for()
    assert _violations(page, seen) == []
