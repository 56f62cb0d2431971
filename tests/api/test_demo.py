"""The demo brand: stable logins, roles that differ, refused in production."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from server.db import db
from server.demo import DemoRefused, demo_logins, seed_demo
from tests.tenants import As


@pytest.fixture
def demo(app: Flask) -> Flask:
    seed_demo(db.session, password="rayon-demo", env="development")
    db.session.commit()
    return app


def token(app: Flask, email: str) -> As:
    response = app.test_client().post("/api/v1/auth/login", json={"email": email, "password": "rayon-demo"})
    assert response.status_code == 200, response.get_json()
    return As(app.test_client(), response.get_json()["access_token"])


def test_every_demo_login_works(demo: Flask) -> None:
    """All fourteen demo users log in with the demo password and have the documented roles."""
    for email, role in demo_logins():
        me = token(demo, email).get("/api/v1/auth/me").get_json()
        assert me["user"]["role"] == role and me["organization"]["slug"] == "demo"


def test_demo_reps_and_managers_see_and_do_different_things(demo: Flask) -> None:
    """rep1 sees only their accounts and may not edit; manager1 sees the team's and may."""
    rep = token(demo, "rep1@demo.rayon.test")
    manager = token(demo, "manager1@demo.rayon.test")
    hq = token(demo, "hq@demo.rayon.test")
    mine = rep.get("/api/v1/accounts?limit=500").get_json()
    team = manager.get("/api/v1/accounts?limit=500").get_json()
    everything = hq.get("/api/v1/accounts?limit=500").get_json()
    me = rep.get("/api/v1/auth/me").get_json()["user"]
    assert mine["total"] > 0 and all(a["assigned_rep_id"] == me["id"] for a in mine["items"])
    assert mine["total"] < team["total"] < everything["total"]
    account = mine["items"][0]
    assert rep.patch(f"/api/v1/accounts/{account['id']}", json={"notes": "checked"}).status_code == 403
    assert manager.patch(f"/api/v1/accounts/{account['id']}", json={"notes": "checked"}).status_code == 200
    territories = manager.get("/api/v1/territories").get_json()["items"]
    assert len(territories) == 10
    assert rep.get("/api/v1/accounts/export").status_code == 403
    assert hq.get("/api/v1/accounts/export").status_code == 200


def test_demo_data_has_classes_frequencies_and_contacts(demo: Flask) -> None:
    """Accounts carry classes with matching frequencies; A and B accounts have contacts."""
    hq = token(demo, "hq@demo.rayon.test")
    items: list[dict[str, Any]] = hq.get("/api/v1/accounts?class=A&limit=20").get_json()["items"]
    assert items and all(a["visit_every_weeks"] == 1 for a in items)
    detail = hq.get(f"/api/v1/accounts/{items[0]['id']}").get_json()
    assert detail["contacts"] and detail["contacts"][0]["phone"].startswith("+")


def test_demo_seeding_is_refused_in_production(app: Flask) -> None:
    """RAYON_ENV=production never gets demo users."""
    with pytest.raises(DemoRefused):
        seed_demo(db.session, password="x", env="production")
