"""Test organizations: users of every role with tokens, and a client that acts as one of them.

Each test module makes its own organizations (unique names), so tests that write
never see each other's data on the shared, session-wide database.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from server.auth import service as auth
from server.auth.models import Organization, User
from server.db import db
from server.outlets.models import Outlet

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


@functools.lru_cache(maxsize=1)
def password_hash() -> str:
    return auth.hash_password(PASSWORD)


class As:
    """A test client that sends one user's bearer token."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client = client
        self.token = token

    def open(self, url: str, method: str = "GET", **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url: str, **kw: Any) -> Any:
        return self.open(url, "GET", **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.open(url, "POST", **kw)

    def patch(self, url: str, **kw: Any) -> Any:
        return self.open(url, "PATCH", **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.open(url, "DELETE", **kw)


@dataclass
class Tenant:
    org_id: int
    slug: str
    users: dict[str, int] = field(default_factory=dict)  # key -> user id
    tokens: dict[str, str] = field(default_factory=dict)  # key -> bearer secret
    emails: dict[str, str] = field(default_factory=dict)

    def client(self, client: FlaskClient, who: str) -> As:
        return As(client, self.tokens[who])


def make_tenant(app: Flask, *, roles: dict[str, str] | None = None, name: str = "Test brand") -> Tenant:
    """An organization with users keyed by name (default: admin, hq, manager, rep1, rep2, rep3)
    where rep1 and rep2 report to the manager; each user gets a bearer token."""
    roles = roles or {"admin": "admin", "hq": "hq", "manager": "manager", "rep1": "rep", "rep2": "rep", "rep3": "rep"}
    n = next(_counter)
    slug = f"t{n}-{uuid.uuid4().hex[:6]}"
    with app.app_context():
        org = Organization(name=f"{name} {n}", slug=slug, settings={})
        db.session.add(org)
        db.session.flush()
        tenant = Tenant(org.id, slug)
        users: dict[str, User] = {}
        for key, role in roles.items():
            email = f"{key}@{slug}.test"
            user = User(
                org_id=org.id,
                email=email,
                name=f"{key.title()} {name} {n}",
                role=role,
                password_hash=password_hash(),
                active=True,
                home_lat=48.14,
                home_lon=11.58,
            )
            db.session.add(user)
            users[key] = user
            tenant.emails[key] = email
        db.session.flush()
        for key, user in users.items():
            if user.role == "rep" and "manager" in users and key in ("rep1", "rep2"):
                user.manager_id = users["manager"].id
            tenant.users[key] = user.id
            tenant.tokens[key] = auth.issue_token(
                db.session, user, kind="bearer", ttl=dt.timedelta(hours=2), user_agent="tests"
            ).secret
        db.session.commit()
    return tenant


def outlet_ids(app: Flask, *, country: str = "DE", limit: int = 20, city: str | None = None) -> list[int]:
    """Public outlet ids from the test data."""
    with app.app_context():
        query = select(Outlet.id).where(Outlet.country == country, Outlet.org_id.is_(None))
        if city:
            query = query.where(Outlet.city == city)
        return list(db.session.execute(query.order_by(Outlet.id).limit(limit)).scalars())
