"""The rep's day in the store, offline: Today with the planned visits, check-in with the GPS
position, the availability check with a photo, the store check with a product grid (relevance,
a computed share of shelf), check-out; the outbox survives a reload, drains once back online
(also when the first push loses its answer), nothing is duplicated, and a refused change shows
under "needs attention". Everything is checked against the API afterwards.

Screenshots of each screen go to var/screenshots/ for people to look at.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from server.catalog.gtin import with_check_digit
from tests.browser.helpers import SERVICE_WORKER_TIMEOUT_MS, SMALL_TARGETS, screen

pytestmark = pytest.mark.browser

REP1 = "rep1@demo.rayon.test"
LUXEMBOURG = ZoneInfo("Europe/Luxembourg")
SYNC_TIMEOUT_MS = 60_000


def today() -> str:
    return dt.datetime.now(LUXEMBOURG).date().isoformat()


def jpeg(colour: tuple[int, int, int] = (200, 40, 40)) -> dict[str, Any]:
    """A small JPEG, as the camera input would hand it over."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), colour).save(buffer, "JPEG")
    return {"name": "shelf.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def rep1_accounts(rep: Any, formats: tuple[str, ...] = ("supermarket", "hypermarket")) -> list[dict[str, Any]]:
    """rep1's customer accounts of these formats (with coordinates), by name."""
    items = rep.get("/api/v1/accounts?rep=me&sort=name&limit=500").get_json()["items"]
    return [a for a in items if a["outlet"]["format"] in formats and a["status"] == "customer" and a["outlet"]["lat"]]


def plan_visit(rep: Any, account: dict[str, Any], start_min: int) -> dict[str, Any]:
    answer = rep.post(
        "/api/v1/visits",
        json={
            "uuid": str(uuid.uuid4()),
            "account_id": account["id"],
            "planned_date": today(),
            "planned_start_min": start_min,
        },
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def phone_for(make_page: Any, api: Any, account: dict[str, Any], metres_north: float = 33.0, **options: Any) -> Any:
    """rep1's phone, in English, standing `metres_north` of the account's outlet."""
    me = api(REP1).get("/api/v1/auth/me").get_json()["user"]
    lat = account["outlet"]["lat"] + metres_north / 111_195
    page = make_page(
        login=REP1, geolocation={"latitude": lat, "longitude": account["outlet"]["lon"], "accuracy": 15}, **options
    )
    page.add_init_script(
        f"localStorage.setItem('rayon.lang', 'en'); localStorage.setItem('rayon.lang.u{me['id']}', 'en');"
    )
    return page


def wait_for_worker(page: Any) -> None:
    """The service worker controls the page (so the app opens offline)."""
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null",
        timeout=SERVICE_WORKER_TIMEOUT_MS,
    )


def into_view(locator: Any, block: str = "start") -> None:
    """Scroll the screen so that the element is where a screenshot shows it (below the sticky header)."""
    locator.evaluate(
        "(el, block) => { el.scrollIntoView({ block });"
        " if (block === 'start') el.closest('.screen').scrollBy(0, -64); }",
        block,
    )


def sync_chip(page: Any) -> Any:
    return screen(page).locator(".sync-chip")


def test_today_lists_the_planned_visits_and_replans(make_page: Any, api: Any, screenshot: Any) -> None:
    """Today (the rep's home) shows the day's visits in time order with status chips; re-planning
    is online only; a visit can be added at any of the rep's accounts."""
    rep = api(REP1)
    accounts = rep1_accounts(rep, ("discount",))[0:3]
    planned = [plan_visit(rep, accounts[i], start) for i, start in ((1, 660), (0, 540), (2, 600))]
    page = phone_for(make_page, api, accounts[0])
    now = dt.datetime.now(LUXEMBOURG).replace(hour=10, minute=5, second=0, microsecond=0)
    page.clock.set_fixed_time(now)  # re-planning "the rest of the day" needs a time inside the shift
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    expect(page.get_by_role("navigation").get_by_role("link")).to_have_text(["Today", "Nearby", "Map", "Accounts"])
    expect(sync_chip(page)).to_contain_text("Synced", timeout=SYNC_TIMEOUT_MS)
    links = screen(page).locator(".visit-link")
    for visit in planned:  # the list shows what the pull brought (a moment after the chip says so)
        expect(screen(page).locator(f'.visit-link[data-visit-uuid="{visit["uuid"]}"]')).to_have_count(1)
    ours = {v["uuid"] for v in planned}
    uuids = [u for u in links.evaluate_all("(l) => l.map((a) => a.dataset.visitUuid)") if u in ours]
    by_start = sorted(planned, key=lambda v: v["planned_start_min"])
    assert uuids == [v["uuid"] for v in by_start], "visits in the order of their planned times"
    first = screen(page).locator(f'.visit-link[data-visit-uuid="{by_start[0]["uuid"]}"]')
    expect(first.locator(".visit-time")).to_have_text("9:00 AM")
    expect(first.locator(".visit-name")).to_have_text(by_start[0]["outlet"]["name"])
    expect(first.locator(".visit-status")).to_have_text("Planned")
    assert page.evaluate(SMALL_TARGETS) == []
    screenshot(page, "today")

    # The next stop with directions, the route on a small map, and the overdue accounts (not visited today).
    day = rep.get(f"/api/v1/visits?rep=me&date_from={today()}&date_to={today()}&limit=1000").get_json()["items"]
    todays = sorted(
        (v for v in day if v["status"] in ("planned", "in_progress")),
        key=lambda v: (v["status"] != "in_progress", v["planned_start_min"] or 0),
    )
    next_stop = screen(page).locator(".next-stop")
    expect(next_stop.locator(".panel-title")).to_have_text(f"Next: {todays[0]['outlet']['name']}")
    expect(next_stop.get_by_role("link", name="Directions")).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/directions\?to=")
    )
    screen(page).get_by_role("button", name="Show the route on a map").click()
    shown = [v for v in day if v["status"] != "cancelled"]
    expect(screen(page).locator(".today-map .route-stop")).to_have_count(len(shown))
    into_view(screen(page).locator(".today-map-toggle"))
    screenshot(page, "today-map")
    overdue = rep.get("/api/v1/accounts?rep=me&overdue=true&limit=500").get_json()["items"]
    visited_today = {v["account_id"] for v in shown}
    due = [a for a in overdue if a["status"] != "lost" and a["id"] not in visited_today]
    if due:
        expect(screen(page).locator("#overdue-title .count")).to_have_text(f"({len(due)})")
        expect(screen(page).locator(".overdue-link")).to_have_count(min(20, len(due)))
    else:
        expect(screen(page).locator(".overdue-list")).to_have_count(0)

    screen(page).get_by_role("button", name="Re-plan the rest of my day").click()
    expect(screen(page).locator(".replan-summary")).to_contain_text("Re-planned at", timeout=30_000)
    expect(screen(page).locator(".badge-arrive").first).to_be_visible()
    screenshot(page, "today-replanned")
    screen(page).get_by_role("button", name="Back to the planned order").click()
    expect(screen(page).locator(".replan-summary")).to_have_count(0)

    page.context.set_offline(True)
    expect(screen(page).get_by_role("button", name="Re-plan the rest of my day")).to_be_disabled()
    expect(screen(page).get_by_text("Re-planning needs a connection.")).to_be_visible()
    expect(sync_chip(page)).to_have_text("Offline")
    page.context.set_offline(False)

    # An unplanned visit at another account, checked in online: confirmed by the server.
    other = rep1_accounts(rep, ("discount",))[3]
    page.context.set_geolocation(
        {"latitude": other["outlet"]["lat"], "longitude": other["outlet"]["lon"], "accuracy": 10}
    )
    screen(page).get_by_role("button", name="Add a visit").click()
    screen(page).get_by_label("Find one of your accounts").fill(other["outlet"]["name"])
    screenshot(page, "today-add-visit")
    choice = screen(page).locator(f'.picker-item[data-account-id="{other["id"]}"]')
    expect(choice).to_have_attribute("aria-label", f"Start a visit at {other['outlet']['name']}")
    choice.click()
    expect(page).to_have_url(re.compile(r"/visits/[0-9a-f-]{36}$"))
    visit_uuid = page.url.rsplit("/", 1)[1]
    screen(page).get_by_role("button", name="Check in").click()
    expect(screen(page).locator(".checkin-ok")).to_have_text(
        "Check-in confirmed by the server.", timeout=SYNC_TIMEOUT_MS
    )
    made = rep.get(f"/api/v1/visits?rep=me&account_id={other['id']}").get_json()["items"]
    assert [(v["uuid"], v["source"], v["status"]) for v in made if v["uuid"] == visit_uuid] == [
        (visit_uuid, "unplanned", "in_progress")
    ]
    page.get_by_role("button", name="Back").click()
    expect(screen(page).locator(f'.visit-link[data-visit-uuid="{visit_uuid}"] .visit-status')).to_have_text(
        "In progress"
    )


def test_a_visit_offline_with_forms_reload_and_a_lost_answer(make_page: Any, api: Any, screenshot: Any) -> None:
    """Offline: check in near the outlet, the availability check with a photo, the store check with
    a product grid, check out; reload offline (the outbox persists); online again the outbox
    drains although the first push loses its answer; the API has everything exactly once."""
    rep = api(REP1)
    account = rep1_accounts(rep)[0]  # a supermarket: the store check is mandatory there
    visit = plan_visit(rep, account, 600)
    page = phone_for(make_page, api, account, metres_north=33)
    page.goto("/")
    expect(sync_chip(page)).to_contain_text("Synced", timeout=SYNC_TIMEOUT_MS)
    wait_for_worker(page)

    page.context.set_offline(True)
    screen(page).locator(f'.visit-link[data-visit-uuid="{visit["uuid"]}"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(account["outlet"]["name"])
    body = screen(page)
    expect(body.get_by_role("button", name="Check out")).to_be_disabled()
    forms = body.locator(".form-item")
    expect(forms.first).to_contain_text("Store check")  # mandatory first
    expect(forms.first).to_contain_text("Mandatory")
    screenshot(page, "visit-planned")
    body.get_by_role("button", name="Check in").click()
    expect(body.locator(".checkin-done .panel-title")).to_contain_text("Checked in at")
    expect(body.locator(".checkin-distance")).to_contain_text(re.compile(r"(30|35)\sm from the outlet"))
    expect(body.locator(".checkin-server")).to_have_text("Saved on this phone; the server confirms it once it is sent.")
    expect(body.get_by_role("button", name="Check out")).to_be_enabled()
    screenshot(page, "visit-checked-in-offline")

    # The quick availability check, with a photo of the gap and a scanned (typed) barcode.
    body.locator('.form-item[data-form-key="availability_check"] a').click()
    form = screen(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Quick availability check")
    rows = form.locator(".grid-row")
    expect(rows).to_have_count(9)
    rows.nth(0).locator('[data-column="available"]').get_by_role("button", name="Yes").click()
    expect(rows.nth(1).locator('[data-column="reason"]')).to_have_count(0)
    rows.nth(1).locator('[data-column="available"]').get_by_role("button", name="No").click()
    rows.nth(1).locator('[data-column="reason"] select').select_option("not_listed")  # shown once "No" is chosen
    photo = form.locator('[data-question="shelf_photo"]')
    expect(photo).to_be_visible()  # relevant now that a product is missing
    photo.locator('input[type="file"]').set_input_files(jpeg())
    expect(photo.locator(".photo img")).to_have_count(1)
    barcode = form.locator('[data-question="found_barcode"] input')
    good = with_check_digit("426059900010")
    barcode.fill(good[:-1] + str((int(good[-1]) + 1) % 10))
    expect(form.locator('[data-question="found_barcode"] .field-error')).to_contain_text("check the digits")
    barcode.fill(good)
    expect(form.locator('[data-question="found_barcode"] .field-error')).to_have_count(0)
    expect(form.locator('[data-computed="availability_rate"] dd')).to_have_text("50%")
    into_view(form.locator(".grid-q"))
    screenshot(page, "form-availability")
    into_view(photo)
    screenshot(page, "form-availability-photo")
    form.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(account["outlet"]["name"])
    expect(screen(page).get_by_text("Form saved. It is sent with the next sync.")).to_be_visible()
    expect(screen(page).locator('.form-item[data-form-key="availability_check"] .form-state')).to_have_text(
        "Waiting to be sent"
    )

    # The store check: the grid's facings appear with "on the shelf"; share of shelf is computed.
    screen(page).locator('.form-item[data-form-key="store_check"] a').click()
    form = screen(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Store check")

    def row_of(gtin_body: str) -> Any:
        return form.locator(f'.grid-row[data-gtin="{with_check_digit(gtin_body)}"]')

    own, own_missing, reference = row_of("426059900001"), row_of("426059900003"), row_of("409912300001")
    expect(reference.locator(".grid-meta")).to_contain_text("reference")
    expect(own.locator('[data-column="facings"]')).to_have_count(0)
    own.locator('[data-column="present"]').get_by_role("button", name="Yes").click()
    own.locator('[data-column="facings"] input').fill("6")
    own.locator('[data-column="shelf_price"] input').fill("0.69")
    own.locator('[data-column="promo"]').get_by_role("button", name="No").click()
    own_missing.locator('[data-column="present"]').get_by_role("button", name="No").click()
    own_missing.locator('[data-column="out_of_stock"]').get_by_role("button", name="Yes").click()
    reference.locator('[data-column="present"]').get_by_role("button", name="Yes").click()
    reference.locator('[data-column="facings"] input').fill("10")
    reference.locator('[data-column="shelf_price"] input').fill("0.65")
    expect(form.locator('[data-computed="share_of_shelf"] dd')).to_have_text("37.5%")
    expect(form.locator('[data-computed="price_index"] dd')).to_contain_text("106.2")
    into_view(own)
    screenshot(page, "form-store-check-grid")
    form.get_by_role("button", name="Send").click()  # required answers are missing: shown at each
    expect(form.locator(".form-bar-issues")).to_contain_text("need a look")
    expect(form.locator('[data-question="promo_running"] .field-error')).to_have_text("An answer is needed.")
    form.locator('[data-question="promo_running"]').get_by_role("button", name="Yes").click()
    expect(form.locator('[data-question="promo_type"]')).to_be_visible()  # relevance
    form.locator('[data-question="promo_running"]').get_by_role("button", name="No").click()
    expect(form.locator('[data-question="promo_type"]')).to_have_count(0)
    form.locator('[data-question="animation_sold"]').get_by_role("button", name="No").click()
    form.locator('[data-question="pos_present"]').get_by_label("Poster").check()
    form.locator('[data-question="pos_placement"]').get_by_label("Yes").check()
    form.locator('[data-question="shelf_photos"] input[type="file"]').set_input_files(jpeg((40, 120, 60)))
    expect(form.locator('[data-question="shelf_photos"] .photo img')).to_have_count(1)
    into_view(form.locator('[data-question="pos_placement"]'))
    screenshot(page, "form-store-check")
    into_view(form.locator(".results"), "center")
    screenshot(page, "form-store-check-results")
    form.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(account["outlet"]["name"])

    body = screen(page)
    body.get_by_label("Outcome").select_option("no_order")
    body.get_by_label("Notes").fill("Manager away; shelf checked.")
    body.get_by_role("button", name="Check out").click()
    expect(body.locator(".checkout-done .panel-title")).to_contain_text("Checked out at")
    into_view(body.locator(".form-list"))
    screenshot(page, "visit-done-offline")

    # Closed and opened again, offline: the outbox is still there.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(account["outlet"]["name"])
    page.goto("/sync")
    sync = screen(page)
    expect(sync.locator(".sync-waiting")).to_have_text("4")
    expect(sync.locator(".sync-photos")).to_have_text("2")
    expect(sync.locator(".pending-item")).to_have_count(4)
    expect(sync.get_by_role("button", name="Sync now")).to_be_disabled()
    screenshot(page, "sync-offline")
    page.goto("/")
    row = screen(page).locator(f'.visit-link[data-visit-uuid="{visit["uuid"]}"]')
    expect(row.locator(".visit-status")).to_have_text("Done")
    expect(row.locator(".badge-pending")).to_have_text("Not sent yet")
    expect(sync_chip(page)).to_have_text("6 to send")
    expect(sync_chip(page)).to_have_attribute("aria-label", "Sync: Offline · 6 to send")
    screenshot(page, "today-offline")

    # Back online; the first push reaches the server but its answer is lost.
    pushes: list[str] = []

    def lose_first_answer(route: Any) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        pushes.append(route.request.post_data or "")
        if len(pushes) == 1:
            route.fetch()  # the server applies the batch...
            route.abort("connectionreset")  # ...and the phone never hears of it
        else:
            route.fallback()

    page.route("**/api/v1/sync", lose_first_answer)
    page.context.set_offline(False)
    expect(sync_chip(page)).to_contain_text("Synced", timeout=SYNC_TIMEOUT_MS)
    expect(row.locator(".badge-pending")).to_have_count(0)
    assert len(pushes) >= 2 and pushes[0] == pushes[1], "the lost batch is sent again as it was"

    # The server has the visit once, done, with its distance; both responses once, photos linked.
    visits = rep.get(f"/api/v1/visits?rep=me&account_id={account['id']}&date_from={today()}").get_json()["items"]
    assert [v["uuid"] for v in visits] == [visit["uuid"]], "one visit today, none made twice"
    done = visits[0]
    assert done["status"] == "done" and done["outcome"] == "no_order" and not done["flagged"]
    assert 25 <= done["check_in"]["distance_m"] <= 45
    assert done["check_in"]["accuracy_m"] == 15
    responses = rep.get(f"/api/v1/responses?visit_uuid={visit['uuid']}").get_json()
    assert responses["total"] == 2
    by_form = {r["form"]["key"]: r for r in responses["items"]}
    assert set(by_form) == {"availability_check", "store_check"}
    assert by_form["store_check"]["computed"]["share_of_shelf"] == 37.5
    assert by_form["availability_check"]["computed"]["availability_rate"] == 50
    for item in responses["items"]:
        detail = rep.get(f"/api/v1/responses/{item['id']}").get_json()
        assert [p["status"] for p in detail["photos"]] == ["uploaded"], detail["photos"]
    availability = rep.get(f"/api/v1/responses/{by_form['availability_check']['id']}").get_json()
    assert availability["answers"]["found_barcode"] == good
    assert availability["answers"]["availability"][1]["reason"] == "not_listed"

    page.goto("/sync")
    expect(screen(page).locator(".sync-waiting")).to_have_text("0")
    expect(screen(page).locator(".sync-photos")).to_have_text("0")
    expect(screen(page).get_by_text("Everything is sent.")).to_be_visible()
    screenshot(page, "sync-done")


def noisy_jpeg(width: int = 1600, height: int = 1200) -> dict[str, Any]:
    """A camera-sized JPEG of noise: still well over 256 KB after the phone shrinks and re-encodes it."""
    import os

    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "JPEG", quality=92)
    return {"name": "shelf.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def test_a_large_photo_goes_in_pieces_over_a_dropping_connection(make_page: Any, api: Any) -> None:
    """A photo over 256 KB is sent in 256 KB pieces (resumable upload); one piece is lost on the
    way and the answer to another is lost: the phone asks the server how much it has, goes on
    from there, and the server ends with the photo once, linked to its response."""
    rep = api(REP1)
    account = rep1_accounts(rep)[1]
    visit = plan_visit(rep, account, 660)
    page = phone_for(make_page, api, account, metres_north=20)
    page.goto("/")
    expect(sync_chip(page)).to_contain_text("Synced", timeout=SYNC_TIMEOUT_MS)

    requests: list[str] = []
    announced: dict[str, Any] = {}

    def flaky(route: Any) -> None:
        request = route.request
        if request.method == "POST":
            announced.update(request.post_data_json)
        offset = request.headers.get("upload-offset")
        requests.append(f"{request.method}@{offset}" if offset is not None else request.method)
        patches = sum(r.startswith("PATCH") for r in requests)
        if request.method == "PATCH" and patches == 2:
            route.abort("connectionreset")  # lost on the way: the server never sees it
        elif request.method == "PATCH" and patches == 4:
            route.fetch()  # the server appends it...
            route.abort("connectionreset")  # ...and the phone never hears of it
        else:
            route.fallback()

    page.route("**/api/v1/photos/uploads**", flaky)
    screen(page).locator(f'.visit-link[data-visit-uuid="{visit["uuid"]}"]').click()
    body = screen(page)
    body.get_by_role("button", name="Check in").click()
    expect(body.locator(".checkin-done .panel-title")).to_contain_text("Checked in at")
    body.locator('.form-item[data-form-key="availability_check"] a').click()
    form = screen(page)
    rows = form.locator(".grid-row")
    rows.nth(0).locator('[data-column="available"]').get_by_role("button", name="Yes").click()
    rows.nth(1).locator('[data-column="available"]').get_by_role("button", name="No").click()
    rows.nth(1).locator('[data-column="reason"] select').select_option("not_listed")
    photo = form.locator('[data-question="shelf_photo"]')
    photo.locator('input[type="file"]').set_input_files(noisy_jpeg())
    expect(photo.locator(".photo img")).to_have_count(1)
    form.locator('[data-question="found_barcode"] input').fill(with_check_digit("426059900010"))
    form.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(account["outlet"]["name"])
    expect(sync_chip(page)).to_contain_text("Synced", timeout=SYNC_TIMEOUT_MS)
    page.goto("/sync")
    expect(screen(page).locator(".sync-photos")).to_have_text("0", timeout=SYNC_TIMEOUT_MS)

    size, piece = announced["size"], 256 * 1024
    assert size > 2 * piece, f"the photo should take several pieces, it has {size} bytes"
    expected = ["POST", "PATCH@0", f"PATCH@{piece}", "GET", f"PATCH@{piece}", f"PATCH@{2 * piece}", "GET"]
    expected += [f"PATCH@{offset}" for offset in range(3 * piece, size, piece)]
    assert requests == expected, requests
    assert len(announced.get("sha256", "")) == 64 and announced["response_uuid"]

    responses = rep.get(f"/api/v1/responses?visit_uuid={visit['uuid']}").get_json()["items"]
    assert [r["form"]["key"] for r in responses] == ["availability_check"]
    photos = rep.get(f"/api/v1/responses/{responses[0]['id']}").get_json()["photos"]
    assert [p["status"] for p in photos] == ["uploaded"], photos
    stored = rep.get(f"/api/v1/photos/uploads/{announced['uuid']}").get_json()
    assert stored["complete"] is True and stored["size"] == size


def test_a_refused_change_needs_attention(make_page: Any, api: Any, screenshot: Any) -> None:
    """A check-in made offline for a visit that was cancelled meanwhile is refused by the server:
    it shows under "needs attention" with the server's words until the rep discards it."""
    rep = api(REP1)
    account = rep1_accounts(rep, ("convenience",))[0]
    visit = plan_visit(rep, account, 720)
    page = phone_for(make_page, api, account, metres_north=400)
    page.goto("/")
    expect(sync_chip(page)).to_contain_text("Synced", timeout=SYNC_TIMEOUT_MS)
    page.context.set_offline(True)
    screen(page).locator(f'.visit-link[data-visit-uuid="{visit["uuid"]}"]').click()
    assert (
        rep.post(f"/api/v1/visits/{visit['id']}/cancel", json={"reason": "Store closed for works"}).status_code == 200
    )

    body = screen(page)
    body.get_by_role("button", name="Check in").click()
    expect(body.locator(".checkin-far")).to_contain_text(
        re.compile(r"You are 400\sm from the outlet, more than 200\sm\.")
    )
    screenshot(page, "visit-far")
    body.get_by_role("button", name="Check in anyway").click()
    expect(body.locator(".checkin-done")).to_contain_text(re.compile(r"More than 200\sm from the outlet"))

    page.context.set_offline(False)
    page.get_by_role("button", name="Back").click()
    attention = screen(page).locator(".attention-link")
    expect(attention).to_have_text("1 change needs your attention", timeout=SYNC_TIMEOUT_MS)
    row = screen(page).locator(f'.visit-link[data-visit-uuid="{visit["uuid"]}"]')
    expect(row.locator(".visit-status")).to_have_text("Cancelled")
    screenshot(page, "today-attention")
    attention.click()
    problem = screen(page).locator(".problem")
    expect(problem).to_have_count(1)
    expect(problem.locator(".problem-title")).to_have_text(f"Check-in · {account['outlet']['name']}")
    expect(problem.locator(".problem-detail")).to_contain_text("only a planned visit can be checked in")
    screenshot(page, "sync-attention")
    assert page.evaluate(SMALL_TARGETS) == []

    problem.get_by_role("button", name="Discard").click()
    problem.get_by_role("button", name="Tap again to discard").click()
    expect(screen(page).locator(".problem")).to_have_count(0)
    expect(screen(page).get_by_text("Nothing needs your attention.")).to_be_visible()
    after = rep.get(f"/api/v1/visits/{visit['id']}").get_json()
    assert after["status"] == "cancelled" and after["check_in"] is None


def test_visit_and_form_screens_in_german_with_big_targets(make_page: Any, api: Any, screenshot: Any) -> None:
    """The visit and a form in the rep's own language (German), every control at least 44×44 px."""
    rep = api(REP1)
    account = rep1_accounts(rep)[1]
    visit = plan_visit(rep, account, 780)
    lat = account["outlet"]["lat"] + 20 / 111_195
    page = make_page(login=REP1, geolocation={"latitude": lat, "longitude": account["outlet"]["lon"], "accuracy": 8})
    page.goto(f"/visits/{visit['uuid']}")
    body = screen(page)
    expect(body.get_by_role("button", name="Einchecken")).to_be_visible(timeout=SYNC_TIMEOUT_MS)
    assert page.evaluate(SMALL_TARGETS) == []
    body.get_by_role("button", name="Einchecken").click()
    expect(body.locator(".checkin-ok")).to_have_text("Check-in vom Server bestätigt.", timeout=SYNC_TIMEOUT_MS)
    screenshot(page, "visit-de")
    body.locator('.form-item[data-form-key="store_check"] a').click()
    form = screen(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Store-Check")
    form.locator(".grid-row").nth(0).locator('[data-column="present"]').get_by_role("button", name="Ja").click()
    form.locator(".grid-row").nth(0).locator('[data-column="shelf_price"] input').fill("0,695")
    expect(form.locator(".grid-row").nth(0).locator('[data-column="shelf_price"] .field-error')).to_have_text(
        "Höchstens 2 Nachkommastellen."
    )
    form.locator(".grid-row").nth(0).locator('[data-column="shelf_price"] input').fill("0,69")
    expect(form.locator(".grid-row").nth(0).locator(".field-error")).to_have_count(0)
    assert page.evaluate(SMALL_TARGETS) == []
    screenshot(page, "form-de")
    # The draft stays on the phone: leaving and coming back keeps the answers.
    form.get_by_role("button", name="Zurück zum Besuch").click()
    expect(screen(page).locator('.form-item[data-form-key="store_check"] .form-state')).to_have_text(
        "Entwurf gespeichert"
    )
    screen(page).locator('.form-item[data-form-key="store_check"] a').click()
    expect(screen(page).locator(".grid-row").nth(0).locator('[data-column="shelf_price"] input')).to_have_value("0,69")


def test_today_is_the_route_the_manager_published(make_page: Any, api: Any) -> None:
    """manager1 plans rep3's class A accounts for today and publishes the plan; rep3's phone
    shows exactly those visits, in the plan's order, at the plan's times."""
    manager = api("manager1@demo.rayon.test")
    rep3 = api("rep3@demo.rayon.test").get("/api/v1/auth/me").get_json()["user"]
    created = manager.post(
        "/api/v1/route-plans",
        json={
            "name": "Today for rep3",
            "date_from": today(),
            "date_to": today(),
            "rep_ids": [rep3["id"]],
            "accounts": {"account_class": ["A"], "rep": str(rep3["id"]), "status": ["customer"]},
            "options": {"time_limit_s": 1, "weekdays": list(range(7)), "shift_start": "06:00", "shift_end": "20:00"},
        },
    )
    assert created.status_code == 202, created.get_json()
    plan = created.get_json()
    deadline = time.monotonic() + 120
    while manager.get(plan["job_url"]).get_json()["status"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.3)
    plan = manager.get(f"/api/v1/route-plans/{plan['id']}").get_json()
    assert plan["status"] == "planned", plan
    assert manager.post(f"/api/v1/route-plans/{plan['id']}/publish").status_code == 200
    stops = [s for r in plan["result"]["routes"] for s in r["stops"]]

    page = make_page(login="rep3@demo.rayon.test")
    page.add_init_script(f"localStorage.setItem('rayon.lang.u{rep3['id']}', 'en');")
    page.goto("/")
    expect(sync_chip(page)).to_contain_text("Synced", timeout=SYNC_TIMEOUT_MS)
    rows = screen(page).locator(".visit-link")
    if not stops:  # every account closed today (a Sunday, a public holiday): nothing to visit
        expect(screen(page).locator(".today-empty")).to_be_visible()
        return
    expect(rows.locator(".visit-name")).to_have_text([s["outlet_name"] for s in stops])
    first = dt.datetime.strptime(stops[0]["start"], "%H:%M")
    expect(rows.first.locator(".visit-time")).to_have_text(f"{first.hour % 12 or 12}:{first:%M} {first:%p}")
    expect(screen(page).locator(".next-stop .panel-title")).to_have_text(f"Next: {stops[0]['outlet_name']}")
