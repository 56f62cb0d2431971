"""Route plans through the API: a manager plans a week, publishes it; a rep optimises a day."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from flask import Flask

from tests.tenants import make_tenant, outlet_ids


def next_monday() -> dt.date:
    today = dt.date.today()
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)


@pytest.fixture
def team(app: Flask) -> Any:
    """A manager with rep1 and rep2 (homes in München) and 16 accounts in München, A to C."""
    tenant = make_tenant(app, name="Plans")
    tenant.http = app.test_client()
    admin = tenant.client(tenant.http, "admin")
    tenant.accounts = []
    for i, outlet in enumerate(outlet_ids(app, city="München", limit=16)):
        klass = "ABCC"[i % 4]
        account = admin.post(
            "/api/v1/accounts",
            json={
                "outlet_id": outlet,
                "status": "customer",
                "account_class": klass,
                "visit_every_weeks": {"A": 1, "B": 2, "C": 4}[klass],
                "assigned_rep_id": tenant.users["rep1" if i % 2 else "rep2"],
            },
        ).get_json()
        tenant.accounts.append(account)
    return tenant


def wait_job(client: Any, url: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(url).get_json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError("the planning job did not finish")


def test_a_manager_plans_a_week_and_publishes_it(team: Any) -> None:
    """Weekly A accounts get one visit in the week, routes start and end at home, visits fall in
    opening hours; publishing creates planned visits once."""
    manager = team.client(team.http, "manager")
    monday = next_monday()
    created = manager.post(
        "/api/v1/route-plans",
        json={
            "name": "Week plan",
            "date_from": monday.isoformat(),
            "date_to": (monday + dt.timedelta(days=4)).isoformat(),
            "rep_ids": [team.users["rep1"], team.users["rep2"]],
            "accounts": {"status": ["customer"]},
            "options": {"time_limit_s": 8, "shift_start": "08:00", "shift_end": "17:00"},
        },
    )
    assert created.status_code == 202, created.get_json()
    plan = created.get_json()
    job = wait_job(manager, plan["job_url"])
    assert job["status"] == "done", job
    plan = manager.get(f"/api/v1/route-plans/{plan['id']}").get_json()
    assert plan["status"] == "planned"
    routes = plan["result"]["routes"]
    visited = [s["account_id"] for r in routes for s in r["stops"]]
    a_accounts = [a["id"] for a in team.accounts if a["account_class"] == "A"]
    for account_id in a_accounts:
        assert visited.count(account_id) == 1, "A accounts are visited once a week"
    for route in routes:
        assert "08:00" <= route["depart"] and route["arrive"] <= "17:00"
        starts = [s["start"] for s in route["stops"]]
        assert starts == sorted(starts)
    geojson = manager.get(f"/api/v1/route-plans/{plan['id']}/geojson")
    assert geojson.mimetype == "application/geo+json" and geojson.get_json()["features"]
    published = manager.post(f"/api/v1/route-plans/{plan['id']}/publish").get_json()
    assert published["visits_created"] == len(visited)
    assert manager.post(f"/api/v1/route-plans/{plan['id']}/publish").get_json()["visits_created"] == 0
    rep_visits = (
        team.client(team.http, "rep1").get(f"/api/v1/visits?date_from={monday.isoformat()}&rep=me").get_json()["items"]
    )
    assert rep_visits and all(v["source"] == "plan" and v["route_plan_id"] == plan["id"] for v in rep_visits)


def test_bad_plan_requests_are_explained(app: Flask, team: Any) -> None:
    """Reversed dates, foreign or homeless reps and reps asking to plan are refused."""
    manager = team.client(team.http, "manager")
    monday = next_monday().isoformat()
    base = {"date_from": monday, "date_to": monday, "rep_ids": [team.users["rep1"]]}
    reversed_ = manager.post("/api/v1/route-plans", json={**base, "date_to": "2000-01-01"})
    assert reversed_.status_code == 422 and reversed_.get_json()["errors"][0]["field"] == "date_to"
    other = make_tenant(app, roles={"rep": "rep"}, name="Elsewhere")
    foreign = manager.post("/api/v1/route-plans", json={**base, "rep_ids": [other.users["rep"]]})
    assert foreign.status_code == 422 and foreign.get_json()["errors"][0]["field"] == "rep_ids[0]"
    outside = manager.post("/api/v1/route-plans", json={**base, "rep_ids": [team.users["rep3"]]})
    assert outside.status_code == 422
    assert team.client(team.http, "rep1").post("/api/v1/route-plans", json=base).status_code == 403
    nothing = manager.post("/api/v1/route-plans", json={**base, "accounts": {"tag": "no-such-tag"}})
    assert nothing.status_code == 422 and nothing.get_json()["errors"][0]["field"] == "accounts"


def test_a_rep_optimises_a_day_and_the_rest_of_it(team: Any) -> None:
    """optimize-day orders the rep's stops with times within seconds; with now and position
    it plans only what is left."""
    rep = team.client(team.http, "rep1")
    mine = [a["id"] for a in team.accounts if a["assigned_rep_id"] == team.users["rep1"]]
    started = time.monotonic()
    day = rep.post("/api/v1/routes/optimize-day", json={"account_ids": mine, "date": next_monday().isoformat()})
    assert day.status_code == 200, day.get_json()
    assert time.monotonic() - started < 10
    body = day.get_json()
    assert sorted(s["account_id"] for s in body["stops"]) + sorted(d["account_id"] for d in body["dropped"]) == sorted(
        mine
    )
    assert [s["start"] for s in body["stops"]] == sorted(s["start"] for s in body["stops"])
    rest = rep.post(
        "/api/v1/routes/optimize-day",
        json={
            "account_ids": mine,
            "date": next_monday().isoformat(),
            "now": "13:10",
            "position": {"lat": 48.137, "lon": 11.575},
        },
    )
    assert rest.status_code == 200 and all(s["start"] >= "13:10" for s in rest.get_json()["stops"])
    assert (
        rep.post(
            "/api/v1/routes/optimize-day", json={"account_ids": [team.accounts[0]["id"]] * 1 + [99999999]}
        ).status_code
        == 422
    )
    assert rep.post("/api/v1/routes/optimize-day", json={"now": "13:10"}).status_code == 422
