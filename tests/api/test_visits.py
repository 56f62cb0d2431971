"""Visits: planning, GPS check-in with the geofence, check-out, day end, tasks and to-do lists."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from flask import Flask

from server.db import db
from server.visits.service import close_day
from tests.tenants import make_tenant, outlet_ids


def new_uuid() -> str:
    return str(uuid.uuid4())


def now_iso(minutes: int = 0) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def field(app: Flask) -> Any:
    """An organization where rep1 has two accounts in München and rep2 one."""
    tenant = make_tenant(app, name="Visits")
    tenant.http = app.test_client()
    admin = tenant.client(tenant.http, "admin")
    tenant.accounts = []
    for outlet, rep in zip(outlet_ids(app, city="München", limit=3), ["rep1", "rep1", "rep2"], strict=True):
        response = admin.post(
            "/api/v1/accounts",
            json={
                "outlet_id": outlet,
                "assigned_rep_id": tenant.users[rep],
                "account_class": "A",
                "visit_every_weeks": 1,
            },
        )
        assert response.status_code == 201
        tenant.accounts.append(response.get_json())
    return tenant


def outlet_position(account: dict[str, Any]) -> tuple[float, float]:
    return account["outlet"]["lat"], account["outlet"]["lon"]


def test_a_rep_plans_checks_in_and_out(field: Any) -> None:
    """Planned visit, check-in at the store, check-out: the account is no longer overdue."""
    rep = field.client(field.http, "rep1")
    account = field.accounts[0]
    visit_uuid = new_uuid()
    created = rep.post(
        "/api/v1/visits",
        json={
            "uuid": visit_uuid,
            "account_id": account["id"],
            "planned_date": dt.date.today().isoformat(),
            "planned_start_min": 540,
        },
    )
    assert created.status_code == 201
    visit = created.get_json()
    assert visit["status"] == "planned" and visit["source"] == "manual"
    again = rep.post(
        "/api/v1/visits",
        json={
            "uuid": visit_uuid,
            "account_id": account["id"],
            "planned_date": dt.date.today().isoformat(),
            "planned_start_min": 540,
        },
    )
    assert again.status_code == 200 and again.get_json()["id"] == visit["id"]
    lat, lon = outlet_position(account)
    early_out = rep.post(f"/api/v1/visits/{visit['id']}/check-out", json={"client_at": now_iso()})
    assert early_out.status_code == 409
    checked_in = rep.post(
        f"/api/v1/visits/{visit['id']}/check-in",
        json={"lat": lat + 0.0003, "lon": lon, "accuracy_m": 12, "client_at": now_iso()},
    )
    assert checked_in.status_code == 200, checked_in.get_json()
    body = checked_in.get_json()
    assert body["status"] == "in_progress" and not body["flagged"]
    assert body["check_in"]["distance_m"] == pytest.approx(33, abs=3)
    backwards = rep.post(f"/api/v1/visits/{visit['id']}/check-out", json={"client_at": now_iso(-60)})
    assert backwards.status_code == 422
    done = rep.post(
        f"/api/v1/visits/{visit['id']}/check-out",
        json={"client_at": now_iso(25), "outcome": "order_taken", "notes": "ordered 3 cases"},
    )
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    detail = field.client(field.http, "manager").get(f"/api/v1/accounts/{account['id']}").get_json()
    assert detail["overdue"] is False and detail["last_visit_at"]


def test_far_check_ins_are_accepted_but_flagged(field: Any) -> None:
    """A check-in beyond the geofence is kept, flagged with the distance, and managers see it."""
    rep = field.client(field.http, "rep1")
    account = field.accounts[1]
    lat, lon = outlet_position(account)
    visit = rep.post("/api/v1/visits", json={"uuid": new_uuid(), "account_id": account["id"]}).get_json()
    assert visit["source"] == "unplanned"
    checked = rep.post(
        f"/api/v1/visits/{visit['id']}/check-in",
        json={"lat": lat + 0.01, "lon": lon, "accuracy_m": 20, "client_at": now_iso()},
    ).get_json()
    assert checked["flagged"] and checked["check_in"]["distance_m"] == pytest.approx(1112, abs=5)
    assert "geofence 200 m" in checked["flag_reason"]
    flagged = field.client(field.http, "manager").get("/api/v1/visits?flagged=true").get_json()["items"]
    assert [v["id"] for v in flagged] == [visit["id"]]
    assert field.client(field.http, "rep2").get(f"/api/v1/visits/{visit['id']}").status_code == 404


def test_reps_cannot_visit_other_reps_accounts(field: Any) -> None:
    """rep2 gets 404 for rep1's account; HQ may read visits but not record them."""
    rep2 = field.client(field.http, "rep2")
    assert (
        rep2.post("/api/v1/visits", json={"uuid": new_uuid(), "account_id": field.accounts[0]["id"]}).status_code == 404
    )
    hq = field.client(field.http, "hq")
    assert (
        hq.post("/api/v1/visits", json={"uuid": new_uuid(), "account_id": field.accounts[0]["id"]}).status_code == 403
    )
    assert hq.get("/api/v1/visits").status_code == 200


def test_missed_visits_are_marked_at_day_end(app: Flask, field: Any) -> None:
    """Planned visits of past days become missed; their accounts stay due."""
    rep = field.client(field.http, "rep1")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    visit = rep.post(
        "/api/v1/visits", json={"uuid": new_uuid(), "account_id": field.accounts[0]["id"], "planned_date": yesterday}
    ).get_json()
    with app.app_context():
        assert close_day(db.session, before=dt.date.today(), org_id=field.org_id) == 1
        db.session.commit()
    assert rep.get(f"/api/v1/visits/{visit['id']}").get_json()["status"] == "missed"
    assert field.accounts[0]["id"] in [a["account_id"] for a in rep.get("/api/v1/todo").get_json()["overdue_accounts"]]


def test_tasks_and_todo_lists(field: Any) -> None:
    """Reps keep their follow-ups; managers see the team's; outlets due for re-verification are listed."""
    rep = field.client(field.http, "rep1")
    task = rep.post(
        "/api/v1/tasks",
        json={
            "uuid": new_uuid(),
            "title": "Bring the listing contract",
            "account_id": field.accounts[0]["id"],
            "due_date": dt.date.today().isoformat(),
        },
    )
    assert task.status_code == 201
    todo = rep.get("/api/v1/todo").get_json()
    assert [t["title"] for t in todo["open_tasks"]] == ["Bring the listing contract"]
    assert {a["account_id"] for a in todo["overdue_accounts"]} == {a["id"] for a in field.accounts[:2]}
    assert "outlets_to_reverify" in todo and todo["reverify_after_months"] == 12
    team = field.client(field.http, "manager").get("/api/v1/todo").get_json()
    assert len(team["open_tasks"]) == 1 and len(team["overdue_accounts"]) == 3
    done = rep.patch(f"/api/v1/tasks/{task.get_json()['id']}", json={"status": "done"})
    assert done.status_code == 200 and done.get_json()["done_at"]
    assert rep.get("/api/v1/todo").get_json()["open_tasks"] == []
    assert (
        field.client(field.http, "rep2")
        .patch(f"/api/v1/tasks/{task.get_json()['id']}", json={"status": "open"})
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("body", "field_name"),
    [
        ({"lat": 91, "lon": 11, "client_at": "2026-11-25T10:00:00+01:00"}, "lat"),
        ({"lat": 48, "lon": 11}, "client_at"),
        ({"lat": 48, "lon": 11, "client_at": "2026-11-25T10:00:00"}, "client_at"),
        ({"lat": "x", "lon": 11, "client_at": "2026-11-25T10:00:00+01:00"}, "lat"),
    ],
)
def test_bad_check_ins_are_explained(field: Any, body: dict[str, Any], field_name: str) -> None:
    """Out-of-range or missing positions and times without a zone are 422 naming the field."""
    rep = field.client(field.http, "rep1")
    visit = rep.post("/api/v1/visits", json={"uuid": new_uuid(), "account_id": field.accounts[0]["id"]}).get_json()
    response = rep.post(f"/api/v1/visits/{visit['id']}/check-in", json=body)
    assert response.status_code == 422
    assert field_name in [e["field"] for e in response.get_json()["errors"]]
    assert rep.get(f"/api/v1/visits/{visit['id']}").get_json()["status"] == "planned"
