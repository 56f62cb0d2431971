"""Offline sync: exactly once under repeats and cuts, field merges, and the pull."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from server.db import db
from server.visits.models import SyncChange, Visit
from tests.tenants import make_tenant, outlet_ids


def change(kind: str, data: dict[str, Any], minutes: int = 0, change_uuid: str | None = None) -> dict[str, Any]:
    at = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)
    return {"uuid": change_uuid or str(uuid.uuid4()), "kind": kind, "client_at": at.isoformat(), "data": data}


@pytest.fixture
def field(app: Flask) -> Any:
    tenant = make_tenant(app, name="Sync")
    tenant.http = app.test_client()
    admin = tenant.client(tenant.http, "admin")
    tenant.accounts = []
    for outlet in outlet_ids(app, city="München", limit=3):
        account = admin.post(
            "/api/v1/accounts",
            json={
                "outlet_id": outlet,
                "assigned_rep_id": tenant.users["rep1"],
                "account_class": "B",
                "visit_every_weeks": 2,
            },
        ).get_json()
        tenant.accounts.append(account)
    return tenant


def day_of_work(field: Any) -> list[dict[str, Any]]:
    """Check in, a task, an account note, a contact and check out at one outlet."""
    account = field.accounts[0]
    visit_uuid = str(uuid.uuid4())
    lat, lon = account["outlet"]["lat"], account["outlet"]["lon"]
    return [
        change(
            "visit.check_in",
            {"visit_uuid": visit_uuid, "account_id": account["id"], "lat": lat, "lon": lon, "accuracy_m": 8},
            0,
        ),
        change("task.create", {"title": "Order POS display", "account_id": account["id"], "visit_uuid": visit_uuid}, 5),
        change("account.update", {"account_id": account["id"], "fields": {"notes": "New store manager"}}, 6),
        change("contact.create", {"account_id": account["id"], "name": "Eva Berger", "phone": "089 555 1234"}, 7),
        change("visit.check_out", {"visit_uuid": visit_uuid, "outcome": "order_taken"}, 30),
    ]


def push(client: Any, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = client.post("/api/v1/sync", json={"changes": changes})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def test_a_day_of_work_syncs_and_a_repeat_changes_nothing(app: Flask, field: Any) -> None:
    """All changes apply; the same batch again answers 'duplicate' with the stored results."""
    rep = field.client(field.http, "rep1")
    batch = day_of_work(field)
    first = push(rep, batch)
    assert [r["status"] for r in first] == ["applied"] * 5, first
    second = push(rep, batch)
    assert [r["status"] for r in second] == ["duplicate"] * 5
    assert [r["result"] for r in second] == [r["result"] for r in first]
    with app.app_context():
        assert (
            db.session.execute(select(func.count()).select_from(Visit).where(Visit.org_id == field.org_id)).scalar()
            == 1
        )
    visit = first[-1]["result"]
    assert visit["status"] == "done" and visit["check_in"]["distance_m"] < 1
    account = rep.get(f"/api/v1/accounts/{field.accounts[0]['id']}").get_json()
    assert account["notes"] == "New store manager" and account["contacts"][0]["phone"] == "+49895551234"


def test_a_batch_cut_in_the_middle_and_sent_again_applies_everything_once(app: Flask, field: Any) -> None:
    """The first half arrived before the connection dropped; the resend completes the rest."""
    rep = field.client(field.http, "rep1")
    batch = day_of_work(field)
    push(rep, batch[:2])
    results = push(rep, batch)
    assert [r["status"] for r in results] == ["duplicate", "duplicate", "applied", "applied", "applied"]
    with app.app_context():
        count = db.session.execute(
            select(func.count()).select_from(SyncChange).where(SyncChange.org_id == field.org_id)
        ).scalar()
    assert count == 5


def test_one_bad_change_does_not_block_the_others(field: Any) -> None:
    """A change with bad data, one for a foreign account and a check-out without check-in are
    rejected with problems; the good ones around them apply."""
    rep = field.client(field.http, "rep1")
    good = change("account.update", {"account_id": field.accounts[1]["id"], "fields": {"tags": ["visited"]}})
    results = push(
        rep,
        [
            change(
                "visit.check_in",
                {"visit_uuid": str(uuid.uuid4()), "account_id": field.accounts[0]["id"], "lat": 123, "lon": 11},
            ),
            good,
            change("account.update", {"account_id": 99999999, "fields": {"notes": "x"}}),
            change("visit.check_out", {"visit_uuid": str(uuid.uuid4())}),
            change("account.update", {"account_id": field.accounts[1]["id"], "fields": {"status": "lost"}}),
            change("no.such_kind", {}),
            {"uuid": "not-a-uuid", "kind": "task.create", "client_at": "yesterday", "data": {}},
        ],
    )
    statuses = [r["status"] for r in results]
    assert statuses == ["rejected", "applied", "rejected", "rejected", "rejected", "rejected", "rejected"]
    assert results[0]["problem"]["errors"][0]["field"] == "changes[0].data.lat"
    assert results[2]["problem"]["status"] == 404
    assert "no visit" in results[3]["problem"]["detail"]
    assert results[4]["problem"]["errors"][0]["field"] == "data.fields.status"
    assert {e["field"] for e in results[6]["problem"]["errors"]} >= {"changes[6].uuid", "changes[6].client_at"}
    assert rep.get(f"/api/v1/accounts/{field.accounts[1]['id']}").get_json()["tags"] == ["visited"]


def test_a_reused_uuid_with_other_content_is_rejected(field: Any) -> None:
    """Same UUID, different change: refused, the first one stands."""
    rep = field.client(field.http, "rep1")
    first = change("account.update", {"account_id": field.accounts[0]["id"], "fields": {"notes": "A"}})
    push(rep, [first])
    forged = {**first, "data": {"account_id": field.accounts[0]["id"], "fields": {"notes": "B"}}}
    result = push(rep, [forged])[0]
    assert result["status"] == "rejected" and result["problem"]["status"] == 409
    assert rep.get(f"/api/v1/accounts/{field.accounts[0]['id']}").get_json()["notes"] == "A"


def test_two_people_editing_one_account_offline_merge_field_by_field(field: Any) -> None:
    """The later edit of a field wins by the phones' clocks, whatever the arrival order; the
    earlier one is reported as a conflict; different fields both apply."""
    rep = field.client(field.http, "rep1")
    manager = field.client(field.http, "manager")
    account_id = field.accounts[2]["id"]
    later = push(
        manager,
        [
            change(
                "account.update",
                {"account_id": account_id, "fields": {"notes": "manager at 10:00", "account_class": "A"}},
                60,
            )
        ],
    )[0]
    assert later["status"] == "applied" and later["result"]["conflicts"] == []
    earlier = push(
        rep,
        [
            change(
                "account.update", {"account_id": account_id, "fields": {"notes": "rep at 9:30", "tags": ["cooler"]}}, 30
            )
        ],
    )[0]
    assert earlier["status"] == "applied"
    assert earlier["result"]["applied_fields"] == ["tags"]
    assert [c["field"] for c in earlier["result"]["conflicts"]] == ["notes"]
    account = manager.get(f"/api/v1/accounts/{account_id}").get_json()
    assert account["notes"] == "manager at 10:00" and account["tags"] == ["cooler"] and account["account_class"] == "A"


def _age(app: Flask, org_id: int, minutes: int) -> None:
    """Move the organization's rows back in time (the pull re-sends the last two minutes)."""
    from sqlalchemy import update

    from server.accounts.models import Account

    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)
    with app.app_context():
        db.session.execute(update(Account).where(Account.org_id == org_id).values(updated_at=past))
        db.session.execute(update(Visit).where(Visit.org_id == org_id).values(updated_at=past))
        db.session.commit()


def test_pull_gives_the_day_and_then_only_changes(app: Flask, field: Any) -> None:
    """The first pull has the rep's accounts and visits; the next only what changed, with removals."""
    rep = field.client(field.http, "rep1")
    today = dt.date.today().isoformat()
    push(
        rep,
        [
            change(
                "visit.create", {"account_id": field.accounts[0]["id"], "planned_date": today, "planned_start_min": 540}
            )
        ],
    )
    _age(app, field.org_id, 10)
    full = rep.get("/api/v1/sync").get_json()
    _age(app, field.org_id, 10)
    assert full["full"] is True and full["has_more"] is False
    assert {a["id"] for a in full["accounts"]} == {a["id"] for a in field.accounts}
    assert full["accounts"][0]["outlet"]["lat"] and "opening_hours" in full["accounts"][0]["outlet_detail"]
    assert len(full["visits"]) == 1
    manager = field.client(field.http, "manager")
    manager.patch(f"/api/v1/accounts/{field.accounts[1]['id']}", json={"notes": "call before visiting"})
    manager.patch(f"/api/v1/accounts/{field.accounts[2]['id']}", json={"assigned_rep_id": field.users["rep2"]})
    delta = rep.get("/api/v1/sync", query_string={"since": full["next"]}).get_json()
    assert delta["full"] is False
    assert [a["id"] for a in delta["accounts"]] == [field.accounts[1]["id"]]
    assert {"type": "account", "id": field.accounts[2]["id"]} in delta["deleted"]


def test_pull_pages_without_losing_rows(field: Any) -> None:
    """With a small page size the pages together hold every account once."""
    rep = field.client(field.http, "rep1")
    seen: list[int] = []
    page = rep.get("/api/v1/sync", query_string={"limit": 1}).get_json()
    while True:
        seen += [a["id"] for a in page["accounts"]]
        if not page["has_more"]:
            break
        page = rep.get("/api/v1/sync", query_string={"limit": 1, "since": page["next"]}).get_json()
    assert sorted(seen) == sorted(a["id"] for a in field.accounts)


def test_bad_sync_requests(field: Any) -> None:
    """Garbage cursors, empty batches and HQ users get clear 4xx problems."""
    rep = field.client(field.http, "rep1")
    assert rep.get("/api/v1/sync?since=garbage").status_code == 400
    assert rep.post("/api/v1/sync", json={"changes": []}).status_code == 422
    assert rep.post("/api/v1/sync", json={"changes": [{}] * 501}).status_code == 422
    assert (
        field.client(field.http, "hq")
        .post("/api/v1/sync", json={"changes": [change("task.create", {"title": "x"})]})
        .status_code
        == 403
    )


def test_a_store_check_syncs_with_its_visit_in_any_order(app: Flask, field: Any) -> None:
    """A response sent before its visit, a photo before its response: all linked in the end;
    the manager sees the visit with its survey."""
    import io

    from PIL import Image

    from server.db import db as database
    from server.demo import _catalog_and_forms  # the ready-made forms and demo catalog

    with app.app_context():
        _catalog_and_forms(database.session, field.org_id)
        database.session.commit()
    rep = field.client(field.http, "rep1")
    account = field.accounts[0]
    applicable = rep.get(f"/api/v1/forms/applicable?account_id={account['id']}").get_json()
    quick = next(f for f in applicable["items"] if f["key"] == "availability_check")
    visit_uuid, photo_uuid = str(uuid.uuid4()), str(uuid.uuid4())
    image = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(image, "JPEG")
    photo = rep.post(
        "/api/v1/photos",
        data={"file": (io.BytesIO(image.getvalue()), "shelf.jpg"), "uuid": photo_uuid},
        content_type="multipart/form-data",
    )
    assert photo.status_code == 201, photo.get_json()
    products = applicable["product_lists"]["core_range"]
    rows = [
        {"product_id": p["product_id"], "available": n > 0, **({"reason": "out_of_stock"} if n == 0 else {})}
        for n, p in enumerate(products)
    ]
    answers = {"availability": rows, "shelf_photo": [photo_uuid]}
    response_change = change(
        "response.submit",
        {
            "uuid": str(uuid.uuid4()),
            "form_version_id": quick["form_version_id"],
            "account_id": account["id"],
            "visit_uuid": visit_uuid,
            "completed_at": dt.datetime.now(dt.UTC).isoformat(),
            "answers": answers,
        },
        10,
    )
    first = push(rep, [response_change])[0]
    lat, lon = account["outlet"]["lat"], account["outlet"]["lon"]
    later = push(
        rep,
        [
            change(
                "visit.check_in", {"visit_uuid": visit_uuid, "account_id": account["id"], "lat": lat, "lon": lon}, 0
            ),
            change("visit.check_out", {"visit_uuid": visit_uuid, "outcome": "survey_only"}, 20),
        ],
    )
    assert [r["status"] for r in later] == ["applied", "applied"]
    assert first["status"] == "applied", first
    manager = field.client(field.http, "manager")
    visit = manager.get(f"/api/v1/visits/{later[0]['result']['id']}").get_json()
    assert visit["status"] == "done" and [r["id"] for r in visit["responses"]] == [first["result"]["id"]]
    assert push(rep, [response_change])[0]["status"] == "duplicate"
