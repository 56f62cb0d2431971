"""Login, tokens, cookie sessions with CSRF, throttling, invitations and resets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from server.auth.models import AuthToken
from server.db import db
from tests.tenants import PASSWORD, As, make_tenant


@pytest.fixture
def tenant(app: Flask) -> Any:
    return make_tenant(app, name="Auth")


def login(app: Flask, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    return app.test_client().post(
        "/api/v1/auth/login",
        json={"email": email, "password": password, **extra},
        environ_base={"REMOTE_ADDR": f"10.0.{hash(email) % 250}.1"},
    )


def test_login_returns_a_bearer_token_that_opens_the_api(app: Flask, tenant: Any) -> None:
    """POST /auth/login gives a token; /auth/me with it names the user and their permissions."""
    response = login(app, tenant.emails["rep1"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["user"]["role"] == "rep"
    me = As(app.test_client(), body["access_token"]).get("/api/v1/auth/me").get_json()
    assert me["user"]["email"] == tenant.emails["rep1"]
    assert "accounts.read" in me["permissions"] and "accounts.write" not in me["permissions"]


def test_email_is_case_insensitive(app: Flask, tenant: Any) -> None:
    """Logging in with the email in capitals works."""
    assert login(app, tenant.emails["hq"].upper()).status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_401(app: Flask, tenant: Any) -> None:
    """A wrong password and an unknown email are indistinguishable problems."""
    wrong = login(app, tenant.emails["rep2"], "not the password")
    unknown = login(app, "nobody@nowhere.test", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["detail"] == unknown.get_json()["detail"] == "Wrong email or password."
    assert wrong.mimetype == "application/problem+json"


def test_repeated_failures_are_throttled(app: Flask, tenant: Any) -> None:
    """After five failures for an email, even the right password gets 429 with Retry-After."""
    email = tenant.emails["rep3"]
    for _ in range(5):
        assert login(app, email, "wrong password").status_code == 401
    blocked = login(app, email)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0


def test_logout_revokes_the_token(app: Flask, tenant: Any) -> None:
    """After logout the same token gets 401."""
    token = login(app, tenant.emails["manager"]).get_json()["access_token"]
    client = As(app.test_client(), token)
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_password_change_revokes_every_token(app: Flask, tenant: Any) -> None:
    """Changing one's password ends all sessions; the new password works, the old does not."""
    first = login(app, tenant.emails["admin"]).get_json()["access_token"]
    second = As(app.test_client(), login(app, tenant.emails["admin"]).get_json()["access_token"])
    wrong = second.post("/api/v1/auth/password", json={"current_password": "nope", "new_password": "x" * 12})
    assert wrong.status_code == 422
    short = second.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422
    ok = second.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "a new secret pw"})
    assert ok.status_code == 204
    assert As(app.test_client(), first).get("/api/v1/auth/me").status_code == 401
    assert second.get("/api/v1/auth/me").status_code == 401
    assert login(app, tenant.emails["admin"]).status_code == 401
    assert login(app, tenant.emails["admin"], "a new secret pw").status_code == 200


def test_expired_and_garbage_tokens_are_refused(app: Flask, tenant: Any) -> None:
    """An expired token, a made-up token and a wrong scheme all get 401 problems."""
    token = login(app, tenant.emails["hq"]).get_json()["access_token"]
    from server.auth.service import hash_secret

    with app.app_context():
        row = db.session.query(AuthToken).filter_by(token_hash=hash_secret(token)).one()
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        db.session.commit()
    assert As(app.test_client(), token).get("/api/v1/auth/me").status_code == 401
    assert As(app.test_client(), "made-up").get("/api/v1/auth/me").status_code == 401
    response = app.test_client().get("/api/v1/auth/me", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers


def test_cookie_session_needs_the_csrf_header_for_writes(app: Flask, tenant: Any) -> None:
    """cookie:true sets an HttpOnly session cookie; writes without X-CSRF-Token are 403."""
    client = app.test_client()
    response = client.post(
        "/api/v1/auth/login", json={"email": tenant.emails["manager"], "password": PASSWORD, "cookie": True}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert "access_token" not in body and body["csrf_token"]
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("rayon_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert client.get("/api/v1/auth/me").status_code == 200
    refused = client.post("/api/v1/auth/logout")
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.get_json()["detail"]
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_invitation_sets_a_password_once(app: Flask, tenant: Any) -> None:
    """An admin invites a user; the link sets the password once and then expires."""
    admin = tenant.client(app.test_client(), "admin")
    email = f"new.rep@{tenant.slug}.test"
    invited = admin.post(
        "/api/v1/users",
        json={
            "email": email,
            "name": "New Rep",
            "role": "rep",
            "manager_id": tenant.users["manager"],
            "home": {"lat": 48.1, "lon": 11.5, "address": "Somewhere 1"},
        },
    )
    assert invited.status_code == 201, invited.get_json()
    token = invited.get_json()["invitation"]["token"]
    assert login(app, email, "whatever-password").status_code == 401
    accepted = app.test_client().post("/api/v1/auth/accept", json={"token": token, "password": "my own password"})
    assert accepted.status_code == 200
    assert login(app, email, "my own password").status_code == 200
    again = app.test_client().post("/api/v1/auth/accept", json={"token": token, "password": "another password"})
    assert again.status_code == 404
    duplicate = admin.post("/api/v1/users", json={"email": email.upper(), "name": "Again", "role": "rep"})
    assert duplicate.status_code == 409


def test_admin_reset_revokes_tokens_and_issues_a_link(app: Flask, tenant: Any) -> None:
    """A reset by an admin logs the user out everywhere and gives a one-time link."""
    rep = tenant.client(app.test_client(), "rep2")
    assert rep.get("/api/v1/auth/me").status_code == 200
    admin = tenant.client(app.test_client(), "admin")
    reset = admin.post(f"/api/v1/users/{tenant.users['rep2']}/password-reset")
    assert reset.status_code == 200
    assert rep.get("/api/v1/auth/me").status_code == 401
    token = reset.get_json()["token"]
    assert (
        app.test_client().post("/api/v1/auth/accept", json={"token": token, "password": "reset password!"}).status_code
        == 200
    )
    assert login(app, tenant.emails["rep2"], "reset password!").status_code == 200


@pytest.mark.parametrize("role", ["rep1", "manager", "hq"])
def test_only_admins_manage_users(app: Flask, tenant: Any, role: str) -> None:
    """Inviting and changing users is for admins; others get 403 and nothing changes."""
    user = tenant.client(app.test_client(), role)
    response = user.post("/api/v1/users", json={"email": f"x.{role}@{tenant.slug}.test", "name": "X", "role": "admin"})
    assert response.status_code == 403
    assert user.patch(f"/api/v1/users/{tenant.users['rep3']}", json={"role": "admin"}).status_code in (403, 404)


def test_bad_user_input_is_explained(app: Flask, tenant: Any) -> None:
    """Invalid role, email, manager or home give 422 naming the field."""
    admin = tenant.client(app.test_client(), "admin")
    cases = [
        ({"email": "not-an-email", "name": "A", "role": "rep"}, "email"),
        ({"email": "a@b.test", "name": "A", "role": "boss"}, "role"),
        ({"email": "a@b.test", "name": "A", "role": "rep", "manager_id": 99999999}, "manager_id"),
        ({"email": "a@b.test", "name": "A", "role": "rep", "home": {"lat": 95, "lon": 1}}, "home.lat"),
        ({"email": "a@b.test", "name": "A", "role": "rep", "extra": 1}, "extra"),
    ]
    for body, field in cases:
        response = admin.post("/api/v1/users", json=body)
        assert response.status_code == 422, (body, response.get_json())
        assert field in [e["field"] for e in response.get_json()["errors"]]


def test_tokens_can_be_listed_and_revoked(app: Flask, tenant: Any) -> None:
    """A user sees their own tokens and can revoke one."""
    token = login(app, tenant.emails["hq"]).get_json()["access_token"]
    client = As(app.test_client(), token)
    items = client.get("/api/v1/auth/tokens").get_json()["items"]
    current = next(t for t in items if t["current"])
    other = next(t for t in items if not t["current"])
    assert client.delete(f"/api/v1/auth/tokens/{other['id']}").status_code == 204
    assert client.delete(f"/api/v1/auth/tokens/{other['id']}").status_code == 404
    assert client.delete(f"/api/v1/auth/tokens/{current['id']}").status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/outlets",
        "/api/v1/outlets/1",
        "/api/v1/outlets/clusters?bbox=1,1,2,2&zoom=5",
        "/api/v1/accounts",
        "/api/v1/users",
        "/api/v1/territories",
        "/api/v1/audit",
    ],
)
def test_everything_but_login_health_and_docs_needs_a_login(anonymous: Any, path: str) -> None:
    """Reference outlets and all organization data answer 401 without a login."""
    response = anonymous.get(path)
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert anonymous.get("/api/v1/health").status_code == 200
    assert anonymous.get("/api/v1/openapi.json").status_code == 200
