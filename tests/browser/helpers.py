"""Helpers shared by the browser tests: the screen on show, the service worker's saved answers, logging in."""

from __future__ import annotations

from typing import Any

API_CACHE = "rayon-api-v1"


def screen(page: Any) -> Any:
    """The screen on show (the other tabs stay in the page, hidden, keeping their state)."""
    return page.locator(".screen:not([hidden])")


#: Installing the service worker downloads every file of the build: slow on a busy machine.
SERVICE_WORKER_TIMEOUT_MS = 60_000


def wait_until_saved(page: Any, fragment: str) -> None:
    """Wait until the service worker controls the page and has saved an API answer whose URL has ``fragment``."""
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null",
        timeout=SERVICE_WORKER_TIMEOUT_MS,
    )
    page.wait_for_function(
        """async ([name, fragment]) => {
            const cache = await caches.open(name);
            return (await cache.keys()).some((request) => request.url.includes(fragment));
        }""",
        arg=[API_CACHE, fragment],
        timeout=SERVICE_WORKER_TIMEOUT_MS,
    )


def shown_ids(page: Any) -> list[int]:
    """The ids of the accounts listed on the screen on show, in order."""
    links = screen(page).locator(".account-link")
    return [int(i) for i in links.evaluate_all("(links) => links.map((a) => a.dataset.accountId)")]


def saved_urls(page: Any) -> list[str]:
    """URLs of the API answers the service worker has saved (none when the cache does not exist)."""
    return page.evaluate(
        """async (name) => (await caches.has(name))
            ? (await (await caches.open(name)).keys()).map((request) => request.url) : []""",
        API_CACHE,
    )


def go_to_tab(page: Any, name: str, more: str = "More") -> None:
    """Open a tab from the bottom bar, or from the "More" sheet when it is not in the bar."""
    nav = page.get_by_role("navigation").first
    link = nav.get_by_role("link", name=name, exact=True)
    if link.count() == 0:
        nav.get_by_role("button", name=more, exact=True).click()
        link = page.get_by_role("dialog", name=more).get_by_role("link", name=name, exact=True)
    link.click()


def log_in_with_form(page: Any, email: str, password: str) -> None:
    """Fill in and send the login form (the page shows it)."""
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()


#: Links, buttons, text boxes, selects and map markers on show (in the visible screen, the
#: navigation, or the login card) smaller than 44×44 CSS px. Check boxes, radio buttons and file
#: inputs (the camera button) count by their label.
SMALL_TARGETS = """() => [...document.querySelectorAll(
        '.screen:not([hidden]) a, .screen:not([hidden]) button, .screen:not([hidden]) input, '
        + '.screen:not([hidden]) select, .screen:not([hidden]) .leaflet-marker-icon, nav a, nav button, '
        + '.auth-screen a, .auth-screen button, .auth-screen input')]
    .map((el) => (['checkbox', 'radio', 'file'].includes(el.type) && el.closest('label')) || el)
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .filter((el) => !el.closest('.leaflet-control-attribution'))  // a credit line, not a control
    .map((el) => { const r = el.getBoundingClientRect();
                   return { what: el.outerHTML.slice(0, 100), width: r.width, height: r.height }; })
    .filter(({ width, height }) => width < 44 || height < 44)"""
