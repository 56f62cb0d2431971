"""The mobile web app, as a rep uses it on a phone (360×780), against the real API: the outlet
screens (Nearby, Map, Search, outlet page), languages, offline use, CSP, keyboard and touch.
Each page is logged in (``make_page``) as a rep without a language of their own.

Each test saves a screenshot of the screen it checks to var/screenshots/ for people to look at.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import API_CACHE, SMALL_TARGETS, go_to_tab, screen, wait_until_saved
from tests.data import PLACED

pytestmark = pytest.mark.browser

#: The hand-placed outlets within 2 km of the centre, nearest first (metres from the centre).
NEAREST = ["REWE Quokka-Markt", "Aldi Süd Quokka", "E.Leclerc Quokka", "Épicerie Quokka", "dm Quokka"]
QUOKKA_NAMES = sorted(o["name"] for o in PLACED)
#: A rep's bottom bar: four tabs, then "More" (a button: Search is in its sheet).
NAV_EN = ["Today", "Nearby", "Map", "Accounts"]
NAV_DE = ["Heute", "In der Nähe", "Karte", "Kunden"]
NAV_FR = ["Aujourd’hui", "À proximité", "Carte", "Clients"]


def metres(value: str) -> re.Pattern[str]:
    r"""The distance as shown, allowing the no-break spaces Intl puts before units ("100\xa0m")."""
    return re.compile("^" + value.replace(" ", r"\s") + "$")


def test_nearby_lists_nearest_outlets_first(page: Any, screenshot: Any) -> None:
    """Nearby, with the position at the centre, lists REWE Quokka-Markt first at 100 m, then by distance."""
    page.goto("/nearby")
    items = screen(page).locator(".outlet-item")
    expect(items.first.locator(".outlet-name")).to_have_text("REWE Quokka-Markt")
    expect(items.first.locator(".outlet-distance")).to_have_text(metres("100 m"))
    expect(items.nth(1).locator(".outlet-distance")).to_have_text(metres("350 m"))
    expect(items.nth(3).locator(".outlet-distance")).to_have_text(metres("1.2 km"))
    assert screen(page).locator(".outlet-name").all_inner_texts()[:5] == NEAREST
    expect(items.first).to_contain_text("REWE · Supermarket")
    expect(items.first).to_contain_text("Quokkastraße 100, 1009 Luxembourg")
    expect(page.get_by_text("Near your position")).to_be_visible()
    screenshot(page, "nearby")


def test_nearby_filters_by_format_and_text(page: Any) -> None:
    """The format chips and the text box narrow the Nearby list (still nearest first)."""
    page.goto("/nearby")
    expect(screen(page).locator(".outlet-name").first).to_have_text("REWE Quokka-Markt")
    page.get_by_role("button", name="Discounter").click()
    expect(page.get_by_role("button", name="Discounter")).to_have_attribute("aria-pressed", "true")
    expect(screen(page).locator(".outlet-name").first).to_have_text("Aldi Süd Quokka")
    page.get_by_role("button", name="All").click()
    page.get_by_label("Filter by name or address").fill("leclerc quokka")
    expect(screen(page).locator(".outlet-name")).to_have_text(["E.Leclerc Quokka"])
    expect(screen(page).locator(".result-count")).to_have_text("1 outlet")


def test_nearby_without_position_offers_cities(make_page: Any, screenshot: Any) -> None:
    """Without location permission, Nearby says so and lists outlets near a city the user picks."""
    page = make_page(permissions=[])
    page.goto("/nearby")
    expect(page.get_by_role("alert")).to_contain_text("Location access is off")
    screenshot(page, "nearby-no-position")
    page.get_by_role("button", name="Luxembourg").click()
    expect(page.get_by_text("Near Luxembourg")).to_be_visible()
    expect(screen(page).locator(".outlet-name").first).to_have_text("REWE Quokka-Markt")


def test_search_finds_the_quokka_outlets(page: Any, screenshot: Any) -> None:
    """Typing "quokka" in Search lists the seven Quokka outlets and keeps the query in the URL."""
    page.goto("/nearby")
    go_to_tab(page, "Search")
    box = page.get_by_label("Search outlets")
    expect(box).to_be_focused()
    box.press_sequentially("quokka", delay=40)
    expect(screen(page).locator(".outlet-item")).to_have_count(len(PLACED))
    assert sorted(screen(page).locator(".outlet-name").all_inner_texts()) == QUOKKA_NAMES
    expect(screen(page).locator(".result-count")).to_have_text(f"{len(PLACED)} outlets")
    expect(page).to_have_url(re.compile(r"/search\?q=quokka$"))
    screenshot(page, "search")


def test_outlet_page_shows_the_week(page: Any, screenshot: Any) -> None:
    """Tapping a search result opens the outlet page with its facts and the week's hours, today highlighted."""
    page.goto("/search?q=quokka")
    page.get_by_role("link", name=re.compile("REWE Quokka-Markt")).click()
    expect(page).to_have_url(re.compile(r"/outlets/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("REWE Quokka-Markt")
    facts = page.locator(".facts")
    expect(facts).to_contain_text("Supermarket")
    expect(facts).to_contain_text("900 m²")
    expect(facts).to_contain_text("Quokkastraße 100, 1009 Luxembourg")

    rows = page.locator("table.hours tbody tr")
    expect(rows).to_have_count(7)
    expect(rows.nth(0)).to_contain_text("Monday")
    expect(rows.nth(0)).to_contain_text("8:00 AM–8:00 PM")
    expect(rows.nth(6)).to_contain_text("Sunday")
    expect(rows.nth(6)).to_contain_text("Closed")
    today = dt.datetime.now(ZoneInfo("Europe/Luxembourg")).weekday()
    expect(page.locator("table.hours tr.is-today")).to_have_count(1)
    expect(rows.nth(today)).to_have_class(re.compile(r"\bis-today\b"))
    expect(rows.nth(today)).to_have_attribute("aria-current", "date")

    expect(page.get_by_role("link", name="Directions")).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/directions\?to=49\.61")
    )
    expect(page.locator(".provenance")).to_contain_text("Last verified: Jan 15, 2026")
    expect(page.locator(".mini-map .outlet-pin")).to_have_count(1)
    screenshot(page, "outlet")
    page.locator(".screen-detail").evaluate("(screen) => screen.scrollTo(0, screen.scrollHeight)")
    screenshot(page, "outlet-hours")

    page.get_by_role("button", name="Back").click()
    expect(page).to_have_url(re.compile(r"/search\?q=quokka$"))
    expect(screen(page).locator(".outlet-item")).to_have_count(len(PLACED))


#: Labels cut by the bar ("Aujour…"): their text is wider than their box.
CUT_LABELS = """() => [...document.querySelectorAll('.bottom-nav .nav-label')]
    .filter((label) => label.scrollWidth > label.clientWidth + 1 || label.scrollHeight > label.clientHeight + 1)
    .map((label) => label.textContent)"""


@pytest.mark.parametrize(
    ("login", "bar", "more"),
    [
        ("rep1@demo.rayon.test", ["Aujourd’hui", "À proximité", "Carte", "Clients"], ["Recherche"]),
        (
            "manager1@demo.rayon.test",
            ["Planifier", "Clients", "Analyses", "Carte"],
            ["Aujourd’hui", "À proximité", "Qualité des données", "Recherche"],
        ),
        ("hq@demo.rayon.test", ["Analyses", "Clients", "Carte", "À proximité"], ["Recherche"]),
    ],
)
def test_each_role_has_five_entries_that_fit(
    make_page: Any, api: Any, screenshot: Any, login: str, bar: list[str], more: list[str]
) -> None:
    """At 360 px in French every role has its four most used tabs and "Plus" (the rest in a sheet),
    no label cut; "/" is the bar's first tab; a tab under "Plus" opens and "Plus" shows it is there."""
    user_id = api(login).get("/api/v1/auth/me").get_json()["user"]["id"]
    page = make_page(login=login, locale="fr-FR")
    page.add_init_script(f"localStorage.setItem('rayon.lang.u{user_id}', 'fr');")  # French, whatever the user's locale
    page.goto("/")
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav.get_by_role("link")).to_have_text(bar)
    expect(nav.get_by_role("link").first).to_have_attribute("aria-current", "page")
    plus = nav.get_by_role("button", name="Plus", exact=True)
    expect(plus).to_be_visible()
    assert page.evaluate(CUT_LABELS) == []
    role = login.split("@")[0].rstrip("0123456789")
    screenshot(page, f"nav-{role}-fr")

    plus.click()
    sheet = page.get_by_role("dialog", name="Plus")
    expect(sheet.get_by_role("link")).to_have_text(more + (["Synchronisation"] if "Aujourd’hui" in bar + more else []))
    for item in sheet.locator(".more-item").all():
        box = item.bounding_box()
        assert box and box["height"] >= 48 and box["width"] >= 200
    screenshot(page, f"nav-{role}-more-fr")
    go_to_tab(page, "Recherche", more="Plus")  # the sheet is open: its link
    expect(sheet).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/search$"))
    expect(page.get_by_label(re.compile("Rechercher"))).to_be_focused()
    expect(plus).to_have_class(re.compile("nav-item-active"))
    page.go_back()
    expect(nav.get_by_role("link").first).to_have_attribute("aria-current", "page")
    expect(plus).not_to_have_class(re.compile("nav-item-active"))


def test_switching_to_german_changes_the_labels(page: Any, screenshot: Any) -> None:
    """Choosing Deutsch in the settings sheet changes the navigation and list to German, also after a reload."""
    page.goto("/nearby")
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link")).to_have_text(NAV_EN)
    page.get_by_role("button", name="Settings").click()
    expect(page.get_by_role("dialog", name="Settings")).to_be_visible()
    screenshot(page, "settings")
    page.get_by_label("Deutsch").check()
    expect(nav.get_by_role("link")).to_have_text(NAV_DE)
    page.get_by_role("dialog").get_by_role("button", name="Schließen").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(screen(page).locator(".outlet-item").first).to_contain_text("REWE · Supermarkt")
    expect(screen(page).locator(".outlet-distance").nth(3)).to_have_text(metres("1,2 km"))
    screenshot(page, "nearby-de")
    page.reload()
    expect(nav.get_by_role("link")).to_have_text(NAV_DE)


def test_french_phone_gets_french(make_page: Any) -> None:
    """A phone set to French gets the app in French, with French number formats."""
    page = make_page(locale="fr-FR")
    page.goto("/nearby")
    expect(page.get_by_role("navigation").get_by_role("link")).to_have_text(NAV_FR)
    expect(screen(page).locator(".outlet-distance").nth(3)).to_have_text(metres("1,2 km"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_map_shows_outlets_without_tiles(page: Any, screenshot: Any) -> None:
    """With every tile request failing, the map shows markers near the position and cluster bubbles when zoomed out."""
    page.goto("/map")
    expect(page.locator(".map-chip-muted")).to_contain_text("No background map")
    rewe = page.get_by_role("button", name="REWE Quokka-Markt")
    expect(rewe).to_be_visible()
    assert page.locator(".outlet-pin").count() >= 3
    screenshot(page, "map")

    rewe.click()
    card = page.locator(".map-card")
    expect(card).to_contain_text("REWE Quokka-Markt")
    screenshot(page, "map-card")
    card.get_by_role("link", name="Details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("REWE Quokka-Markt")
    page.go_back()
    page.get_by_role("button", name="Close").click()
    expect(card).to_be_hidden()

    the_map = page.locator(".map")
    expect(the_map).to_have_attribute("data-zoom", "15")
    for zoom in range(14, 7, -1):  # zoom out to 8, one step at a time, as a thumb would
        page.locator(".leaflet-control-zoom-out").click()
        expect(the_map).to_have_attribute("data-zoom", str(zoom))
    expect(the_map).to_have_attribute("data-mode", "clusters")
    expect(the_map).to_have_attribute("data-loading", "false")
    bubbles = page.locator(".cluster-bubble")
    expect(bubbles.first).to_be_visible()
    expect(page.get_by_text("Zoom in to see single outlets")).to_be_visible()
    counts = [int(re.sub(r"\D", "", text)) for text in bubbles.all_inner_texts()]
    assert sum(counts) >= len(PLACED)
    screenshot(page, "map-clusters")


def test_offline_reload_shows_saved_nearby(page: Any, screenshot: Any) -> None:
    """After one online visit, an offline reload opens the app with the saved Nearby list and a banner."""
    page.goto("/nearby")
    expect(screen(page).locator(".outlet-name").first).to_have_text("REWE Quokka-Markt")
    expect(page.locator(".offline-banner")).to_be_hidden()
    wait_until_saved(page, "near=")

    page.context.set_offline(True)
    page.reload()
    banner = page.locator(".offline-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Offline — showing saved data")
    expect(page.get_by_role("navigation").get_by_role("link")).to_have_text(NAV_EN)
    expect(screen(page).locator(".outlet-name").first).to_have_text("REWE Quokka-Markt")
    expect(screen(page).locator(".outlet-distance").first).to_have_text(metres("100 m"))
    screenshot(page, "offline-nearby")

    page.context.set_offline(False)
    page.get_by_role("button", name="Update my position").click()
    expect(banner).to_be_hidden()


def test_service_worker_never_saves_errors(page: Any) -> None:
    """API error answers reach the app but are not saved: offline, the same request fails instead of replaying."""
    page.goto("/nearby")
    wait_until_saved(page, "near=")
    answers = page.evaluate(
        """async (name) => {
            const statuses = [];
            for (const url of ['/api/v1/outlets?near=91,0', '/api/v1/outlets/99999999']) {
                statuses.push((await fetch(url)).status);
            }
            const cache = await caches.open(name);
            const saved = (await cache.keys()).map((request) => request.url);
            return { statuses, saved };
        }""",
        API_CACHE,
    )
    assert answers["statuses"] == [422, 404]
    assert not [url for url in answers["saved"] if "91,0" in url or "99999999" in url]

    page.context.set_offline(True)
    offline = page.evaluate(
        """() => fetch('/api/v1/outlets?near=91,0').then((r) => 'answered ' + r.status, () => 'failed')"""
    )
    assert offline == "failed"


def test_runs_under_a_strict_content_security_policy(make_page: Any) -> None:
    """With a strict CSP (script-src 'self', no inline styles or scripts), the app runs without violations."""
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: "
        "https://tile.openstreetmap.org; connect-src 'self'; worker-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    page = make_page(service_workers="block")
    violations: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))

    def add_policy(route: Any) -> None:
        if route.request.resource_type != "document":
            route.fallback()
            return
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": policy})

    page.route("**/*", add_policy)
    page.goto("/nearby")
    expect(screen(page).locator(".outlet-name").first).to_have_text("REWE Quokka-Markt")
    page.goto("/outlets/1")
    expect(page.locator(".mini-map.leaflet-container")).to_be_visible()
    page.goto("/map")
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    assert violations == []


def test_works_with_the_keyboard(page: Any) -> None:
    """Tab shows a skip link and a visible focus ring; "More" and its tabs and a result open with Enter."""
    page.goto("/nearby")
    expect(screen(page).locator(".outlet-item").first).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()

    def tab_to(text: str) -> None:
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.textContent.trim()") == text:
                return
        pytest.fail(f"{text} cannot be reached with Tab")

    tab_to("More")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="More")).to_be_visible()
    tab_to("Search")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="More")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/search$"))
    expect(page.get_by_label("Search outlets")).to_be_focused()
    page.keyboard.type("rewe quokka")
    expect(screen(page).locator(".outlet-name")).to_have_text(["REWE Quokka-Markt"])
    page.keyboard.press("Tab")  # the clear button
    page.keyboard.press("Tab")  # the result
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("REWE Quokka-Markt")
    expect(page.get_by_role("heading", level=1)).to_be_focused()


def test_touch_targets_are_at_least_44_px(page: Any) -> None:
    """Every link, button, text box and map marker on Nearby, the map and the navigation is at least 44×44 CSS px."""
    page.goto("/nearby")
    expect(screen(page).locator(".outlet-item").first).to_be_visible()
    assert page.evaluate(SMALL_TARGETS) == []
    page.get_by_role("navigation").get_by_role("link", name="Map").click()
    expect(page.locator(".map")).to_have_attribute("data-mode", "markers")
    assert page.evaluate(SMALL_TARGETS) == []
