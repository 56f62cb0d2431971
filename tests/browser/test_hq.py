"""Insights (the HQ dashboards) in the browser, on the demo brand's eight weeks of history: the
figures on screen are the analytics API's for the same range and filters, in the user's locale
(the demo HQ user reads German); the explorer's table and chart, the map layer and the export
files; a manager sees their team; a rep has no Insights tab.

Screenshots at 360×780 and 1280×800 go to var/screenshots/ for people to look at.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import SMALL_TARGETS, screen

pytestmark = pytest.mark.browser

HQ = "hq@demo.rayon.test"
MANAGER1 = "manager1@demo.rayon.test"
REP1 = "rep1@demo.rayon.test"
LAPTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False}


def default_range() -> str:
    """The query the app sends by default: weeks, the last eight (from the Monday seven weeks back)."""
    today = dt.date.today()
    monday = today - dt.timedelta(days=today.weekday())
    return f"period=week&from={(monday - dt.timedelta(weeks=7)).isoformat()}"


def german_number(text: str) -> float:
    """62,5 % -> 62.5; 1.286 -> 1286 (German: a dot groups thousands, a comma is the decimal mark)."""
    match = re.search(r"[-+]?[\d.]+(?:,\d+)?", text.replace("\u00a0", " "))
    assert match, f"no number in {text!r}"
    return float(match.group(0).replace(".", "").replace(",", "."))


def test_hq_overview_shows_the_apis_figures(make_page: Any, api: Any, screenshot: Any) -> None:
    """HQ lands on Insights; each card shows the API's value over the last eight weeks, and
    filtering by a region shows that region's figures."""
    overview = api(HQ).get(f"/api/v1/analytics/overview?{default_range()}").get_json()
    cards = overview["cards"]
    assert len(cards) >= 8 and sum(c["value"] is not None for c in cards) >= 8, "the demo should have figures"

    for options, size in (({}, "phone"), (LAPTOP, "laptop")):
        page = make_page(login=HQ, **options)
        page.goto("/")  # HQ's home is Insights
        expect(page.get_by_role("heading", level=1)).to_have_text("Analysen")
        expect(
            page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Analysen")
        ).to_have_attribute("aria-current", "page")
        expect(screen(page).locator(".hq-card")).to_have_count(len(cards))
        for card in cards:
            value = screen(page).locator(f'.hq-card-link[data-kpi="{card["kpi"]}"] .hq-card-value')
            if card["value"] is None:
                expect(value).to_have_text("Keine Daten in diesem Zeitraum")
            else:
                expect(value).not_to_have_text("")
                assert german_number(value.inner_text()) == pytest.approx(card["value"], abs=0.051), card
        share = screen(page).locator('.hq-card-link[data-kpi="numeric_distribution"]')
        expect(share.locator(".hq-card-name")).to_have_text("Numerische Distribution")
        expect(share.locator(".hq-card-value")).to_have_text(re.compile(r"^\d{1,3},\d\u00a0%$"))
        assert page.evaluate(SMALL_TARGETS) == []
        screenshot(page, f"hq-overview-{size}")

    # A filter: Region = Bayern (its values are those measured in the range, named).
    screen(page).get_by_role("button", name="Filter", exact=True).click()
    screen(page).get_by_label("Filtern nach").select_option("region")
    screen(page).get_by_label("Wert").select_option(label="Bayern")
    screen(page).get_by_role("button", name="Filter hinzufügen").click()
    expect(screen(page).get_by_role("button", name="Filter Region: Bayern entfernen")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/insights\?region=DE-BY$"))
    bayern = api(HQ).get(f"/api/v1/analytics/overview?{default_range()}&region=DE-BY").get_json()["cards"]
    everywhere = {c["kpi"]: c["value"] for c in cards}
    differ = [c for c in bayern if c["value"] is not None and c["unit"] == "%" and c["value"] != everywhere[c["kpi"]]]
    assert differ, "Bayern's figures should differ from the whole organization's somewhere"
    first = differ[0]
    value = screen(page).locator(f'.hq-card-link[data-kpi="{first["kpi"]}"] .hq-card-value')
    expect(value).to_have_text(re.compile(r"%$"))
    page.wait_for_function(
        "([selector, text]) => document.querySelector(selector)?.textContent === text",
        arg=[
            f'.hq-card-link[data-kpi="{first["kpi"]}"] .hq-card-value',
            f"{first['value']:.1f}".replace(".", ",") + "\u00a0%",
        ],
    )


def test_hq_explores_a_kpi_by_region_and_sees_it_on_the_map(make_page: Any, api: Any, screenshot: Any) -> None:
    """The explorer's table is the API's cut (value, change, basis per region), with one chart line
    per region; the map shows one marker per region of the API's layer."""
    hq = api(HQ)
    result = hq.get(f"/api/v1/analytics/kpis?kpi=out_of_stock_rate&group_by=region&{default_range()}").get_json()
    assert len(result["rows"]) >= 2

    for options, size in (({}, "phone"), (LAPTOP, "laptop")):
        page = make_page(login=HQ, **options)
        page.goto("/insights")
        screen(page).get_by_role("link", name="Erkunden", exact=True).click()
        expect(page).to_have_url(re.compile(r"/insights/explore"))
        screen(page).get_by_label("Kennzahl").select_option("out_of_stock_rate")
        screen(page).get_by_label("Aufteilen nach").select_option("region")
        expect(page).to_have_url(re.compile(r"kpi=out_of_stock_rate&by=region"))
        rows = screen(page).locator(".hq-table tbody tr")
        expect(rows).to_have_count(len(result["rows"]))
        for row in result["rows"]:
            shown = rows.filter(has_text=row["labels"]["region"])
            assert german_number(shown.locator("td").nth(0).inner_text()) == pytest.approx(row["value"], abs=0.051)
            assert german_number(shown.locator("td").nth(-1).inner_text()) == row["n"]
        # Sorted by value, highest first; a tap on the column head turns it round.
        values = [r["value"] for r in result["rows"] if r["value"] is not None]
        assert german_number(rows.first.locator("td").first.inner_text()) == pytest.approx(max(values), abs=0.051)
        screen(page).get_by_role("button", name="Wert").click()
        expect(screen(page).locator('th[aria-sort="ascending"]')).to_have_count(1)
        assert german_number(rows.first.locator("td").first.inner_text()) == pytest.approx(min(values), abs=0.051)
        total = screen(page).locator(".hq-summary-value")
        assert german_number(total.inner_text()) == pytest.approx(result["value"], abs=0.051)
        expect(screen(page).locator(".hq-chart svg .hq-line")).to_have_count(len(result["rows"]))
        expect(screen(page).locator(".hq-legend li")).to_have_count(len(result["rows"]))
        assert page.evaluate(SMALL_TARGETS) == []
        screenshot(page, f"hq-explore-{size}")

        # The same KPI on the map, per region (tiles cannot load here: the markers still show).
        screen(page).get_by_role("link", name="Karte", exact=True).click()
        expect(page).to_have_url(re.compile(r"/insights/map\?kpi=out_of_stock_rate"))
        layer = hq.get(f"/api/v1/analytics/map?kpi=out_of_stock_rate&level=region&{default_range()}").get_json()
        expect(screen(page).locator(".hq-marker")).to_have_count(len(layer["features"]))
        expect(screen(page).locator(".hq-table tbody tr")).to_have_count(len(layer["features"]))
        assert page.evaluate(SMALL_TARGETS) == []
        screenshot(page, f"hq-map-{size}")

    # Per territory: its area and a marker with its value; per outlet: one marker per outlet measured.
    screen(page).get_by_label("Gebiet", exact=True).check()
    expect(page).to_have_url(re.compile(r"level=territory"))
    territories = hq.get(f"/api/v1/analytics/map?kpi=out_of_stock_rate&level=territory&{default_range()}").get_json()
    assert len(territories["features"]) > len(layer["features"])
    expect(screen(page).locator(".hq-marker")).to_have_count(len(territories["features"]))
    expect(screen(page).locator(".hq-map path.leaflet-interactive, .hq-map svg path")).to_have_count(
        len(territories["features"])
    )
    screenshot(page, "hq-map-territories-laptop")
    screen(page).get_by_label("Geschäft", exact=True).check()
    outlets = hq.get(f"/api/v1/analytics/map?kpi=out_of_stock_rate&level=outlet&{default_range()}").get_json()
    assert len(outlets["features"]) > len(territories["features"])
    expect(screen(page).locator(".hq-marker")).to_have_count(len(outlets["features"]))


def test_hq_downloads_exports_that_open_as_tables(make_page: Any, screenshot: Any) -> None:
    """The visits export downloads as CSV with a header and the visits of the range; the store
    checks as XLSX (a zip file, as spreadsheet programs expect)."""
    page = make_page(login=HQ, **LAPTOP)
    page.goto("/insights/exports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Analysen")
    assert page.evaluate(SMALL_TARGETS) == []
    screenshot(page, "hq-exports-laptop")

    with page.expect_download() as info:
        screen(page).get_by_role("link", name="Besuche als CSV herunterladen").click()
    download = info.value
    assert re.fullmatch(r"visits-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    lines = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) > 100, "eight weeks of demo visits"
    assert "," in lines[0] or ";" in lines[0]

    with page.expect_download() as info:
        screen(page).get_by_role("link", name="Store-Checks, eine Zeile je Produkt als XLSX herunterladen").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert Path(download.path()).read_bytes()[:2] == b"PK"


def test_manager_sees_their_team_and_a_rep_has_no_insights(make_page: Any, api: Any) -> None:
    """A manager's cards are the API's answer for the manager (their team); a rep has no Insights tab."""
    team = api(MANAGER1).get(f"/api/v1/analytics/overview?{default_range()}").get_json()["cards"]
    card = next(c for c in team if c["kpi"] == "visit_compliance")
    page = make_page(login=MANAGER1)
    page.goto("/insights")
    expect(screen(page).locator(".screen-subtitle")).to_have_text(re.compile("Team|équipe"))
    value = screen(page).locator('.hq-card-link[data-kpi="visit_compliance"] .hq-card-value')
    expect(value).to_have_text(re.compile(r"%$"))
    assert german_number(value.inner_text()) == pytest.approx(card["value"], abs=0.051)
    assert page.evaluate(SMALL_TARGETS) == []

    rep = make_page(login=REP1)
    rep.goto("/")
    expect(rep.get_by_role("navigation", name=re.compile(".")).first).to_be_visible()
    expect(rep.locator("nav.bottom-nav a")).not_to_have_count(0)
    expect(rep.locator('nav.bottom-nav a[href="/insights"]')).to_have_count(0)
    rep.goto("/insights")
    expect(screen(rep).locator(".message")).to_have_text(re.compile("keine Seite|no page|pas de page"))
