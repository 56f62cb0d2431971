"""Tenancy: nothing of organization A is reachable by organization B, through any route.

The walk is generated from the URL map, so a new route is covered the day it is
added: a route with a new kind of id in its URL fails until that id is registered
below (with an organization-A object), and any list, search or export that lets
A's data through to B fails on the secret marker A's objects carry.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.tenants import As, make_tenant, outlet_ids

MARKER = "ORGA-SECRET-7f3c"


@pytest.fixture(scope="module")
def world(apps: dict[str, Flask]) -> dict[str, Any]:
    """Per database: organization A full of marked data, organization B with every role."""
    built: dict[str, Any] = {}

    def build(kind: str) -> dict[str, Any]:
        if kind in built:
            return built[kind]
        app = apps[kind]
        a = make_tenant(app, name=MARKER)
        b = make_tenant(app, name="Other brand")
        client = app.test_client()
        admin_a = a.client(client, "admin")
        outlets = outlet_ids(app, limit=3)
        field = admin_a.post("/api/v1/custom-fields", json={"key": "secret_code", "label": MARKER, "type": "text"})
        assert field.status_code == 201, field.get_json()
        account = admin_a.post(
            "/api/v1/accounts",
            json={
                "outlet_id": outlets[0],
                "status": "customer",
                "account_class": "A",
                "assigned_rep_id": a.users["rep1"],
                "distributor": MARKER,
                "notes": MARKER,
                "tags": [MARKER],
                "custom": {"secret_code": MARKER},
            },
        )
        assert account.status_code == 201, account.get_json()
        private = admin_a.post(
            "/api/v1/accounts",
            json={
                "outlet": {
                    "name": f"{MARKER} private shop",
                    "format": "convenience",
                    "city": "München",
                    "country": "DE",
                    "lat": 48.15,
                    "lon": 11.56,
                    "street": f"{MARKER}straße",
                }
            },
        )
        assert private.status_code == 201, private.get_json()
        contact = admin_a.post(
            f"/api/v1/accounts/{account.get_json()['id']}/contacts",
            json={"name": f"{MARKER} Person", "email": "secret@orga.test", "phone": "+49 89 1234567"},
        )
        assert contact.status_code == 201, contact.get_json()
        square = [[11.5, 48.1], [11.7, 48.1], [11.7, 48.2], [11.5, 48.2], [11.5, 48.1]]
        territory = admin_a.post(
            "/api/v1/territories",
            json={
                "name": MARKER,
                "geometry": {"type": "Polygon", "coordinates": [square]},
                "rep_ids": [a.users["rep1"]],
            },
        )
        assert territory.status_code == 201, territory.get_json()
        rep_a = a.client(client, "rep1")
        visit = rep_a.post(
            "/api/v1/visits",
            json={
                "uuid": "00000000-0000-4000-8000-00000000000a",
                "account_id": account.get_json()["id"],
                "notes": MARKER,
            },
        )
        assert visit.status_code == 201, visit.get_json()
        task = rep_a.post(
            "/api/v1/tasks",
            json={
                "uuid": "00000000-0000-4000-8000-00000000000b",
                "title": MARKER,
                "account_id": account.get_json()["id"],
            },
        )
        assert task.status_code == 201, task.get_json()
        with app.app_context():
            from server.db import db
            from server.jobs import Job

            job = Job(
                org_id=a.org_id,
                user_id=a.users["admin"],
                kind="route_plan",
                params={"name": MARKER},
                status="failed",
                error=MARKER,
            )
            db.session.add(job)
            import datetime as dt

            from server.plans.models import RoutePlan

            plan = RoutePlan(
                org_id=a.org_id,
                created_by_id=a.users["manager"],
                name=MARKER,
                status="planned",
                date_from=dt.date(2026, 12, 7),
                date_to=dt.date(2026, 12, 11),
                rep_ids=[a.users["rep1"]],
                params={},
                result={"routes": [], "unplanned": [], "geojson": {"note": MARKER}},
            )
            db.session.add(plan)
            db.session.commit()
            job_id, plan_id = job.id, plan.id
        tokens = admin_a.get("/api/v1/auth/tokens").get_json()["items"]
        ids = {
            "account_id": account.get_json()["id"],
            "contact_id": contact.get_json()["id"],
            "territory_id": territory.get_json()["id"],
            "field_id": field.get_json()["id"],
            "user_id": a.users["rep1"],
            "token_id": tokens[0]["id"],
            "outlet_id": private.get_json()["outlet"]["id"],
            "visit_id": visit.get_json()["id"],
            "task_id": task.get_json()["id"],
            "job_id": job_id,
            "plan_id": plan_id,
        }
        ids.update(_surveys_and_catalog(app, a, admin_a, outlets[0]))
        ids.update(_data_quality(app, a, admin_a, outlets[0], ids["outlet_id"]))
        built[kind] = {"app": app, "a": a, "b": b, "ids": ids}
        return built[kind]

    class World(dict):  # type: ignore[type-arg]
        def __missing__(self, kind: str) -> Any:
            return build(kind)

    return World()


def _surveys_and_catalog(app: Flask, a: Any, admin_a: As, outlet_id: int) -> dict[str, Any]:
    """Organization A's marked product, product list, form, response and photo (as rep1's)."""
    import io
    import tempfile

    from PIL import Image

    app.config.setdefault("PHOTO_STORAGE_DIR", tempfile.mkdtemp(prefix="rayon-photos-"))
    product = admin_a.post(
        "/api/v1/products", json={"gtin": "4006381333931", "brand": MARKER, "name": MARKER, "own": False}
    )
    assert product.status_code == 201, product.get_json()
    product_list = admin_a.post(
        "/api/v1/product-lists",
        json={"key": "secret", "name": MARKER, "products": [{"product_id": product.get_json()["id"]}]},
    )
    assert product_list.status_code == 201, product_list.get_json()
    definition = {
        "key": "secret_form",
        "title": MARKER,
        "sections": [
            {
                "key": "main",
                "title": MARKER,
                "questions": [
                    {"key": "note", "type": "text", "label": MARKER},
                    {
                        "key": "shelf",
                        "type": "product_grid",
                        "product_list": "secret",
                        "label": MARKER,
                        "columns": [{"key": "present", "type": "boolean", "label": MARKER}],
                    },
                ],
            }
        ],
    }
    form = admin_a.post("/api/v1/forms", json={"definition": definition})
    assert form.status_code == 201, form.get_json()
    rep_a = a.client(app.test_client(), "rep1")
    image = io.BytesIO()
    Image.new("RGB", (8, 8)).save(image, "JPEG")
    photo_uuid = "00000000-0000-4000-8000-0000000000ff"
    photo = rep_a.post(
        "/api/v1/photos",
        data={"file": (io.BytesIO(image.getvalue()), "x.jpg"), "uuid": photo_uuid},
        content_type="multipart/form-data",
    )
    assert photo.status_code == 201, photo.get_json()
    response = rep_a.post(
        "/api/v1/responses",
        json={
            "uuid": "00000000-0000-4000-8000-0000000000fe",
            "form_version_id": form.get_json()["current_version"]["id"],
            "outlet_id": outlet_id,
            "completed_at": "2026-11-25T10:00:00+01:00",
            "answers": {"note": MARKER, "shelf": [{"product_id": product.get_json()["id"], "present": True}]},
        },
    )
    assert response.status_code == 201, response.get_json()
    upload_uuid = "00000000-0000-4000-8000-0000000000fd"  # a photo half uploaded in pieces
    upload = rep_a.post("/api/v1/photos/uploads", json={"uuid": upload_uuid, "size": 1000})
    assert upload.status_code == 201, upload.get_json()
    return {
        "upload_uuid": upload_uuid,
        "product_id": product.get_json()["id"],
        "list_id": product_list.get_json()["id"],
        "form_id": form.get_json()["id"],
        "form_version_id": form.get_json()["current_version"]["id"],
        "response_id": response.get_json()["id"],
        "photo_id": photo.get_json()["id"],
    }


def _data_quality(app: Flask, a: Any, admin_a: As, outlet_id: int, private_outlet_id: int) -> dict[str, int]:
    """Organization A's customer import (a row), saved mapping, a correction it withdrew (only A
    sees it), a duplicate pair involving its private outlet, and a notice about that outlet."""
    mapping = admin_a.post("/api/v1/customer-imports/mappings", json={"name": MARKER, "columns": {"name": "Name"}})
    assert mapping.status_code == 201, mapping.get_json()
    upload = admin_a.post(
        "/api/v1/customer-imports", data=f"Name,City,Country\n{MARKER} shop,München,DE\n", content_type="text/csv"
    )
    assert upload.status_code == 201, upload.get_json()
    rows = admin_a.get(f"/api/v1/customer-imports/{upload.get_json()['id']}/rows").get_json()["items"]
    proposal = a.client(app.test_client(), "rep1").post(
        "/api/v1/corrections", json={"outlet_id": outlet_id, "kind": "renamed", "values": {"name": MARKER}}
    )
    assert proposal.status_code == 201, proposal.get_json()
    assert admin_a.post(f"/api/v1/corrections/{proposal.get_json()['id']}/withdraw").status_code == 200
    with app.app_context():
        from server.db import db
        from server.quality.models import DuplicatePair, OutletChangeNotice

        pair = DuplicatePair(
            outlet_a_id=outlet_id, outlet_b_id=private_outlet_id, org_id=a.org_id, score=0.9, distance_m=10.0,
            reasons=[MARKER], status="open",
        )  # fmt: skip
        notice = OutletChangeNotice(outlet_id=private_outlet_id, kind="closed", detail={"name": MARKER}, source="test")
        db.session.add_all([pair, notice])
        db.session.commit()
        pair_id, notice_id = pair.id, notice.id
    return {
        "mapping_id": mapping.get_json()["id"],
        "import_id": upload.get_json()["id"],
        "row_id": rows[0]["id"],
        "correction_id": proposal.get_json()["id"],
        "pair_id": pair_id,
        "notice_id": notice_id,
    }


def _rules(app: Flask) -> list[Any]:
    rules = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(getattr(view, "view_class", None), "public", False) and "outlets" not in rule.rule:
            continue  # login, docs, health: no organization data
        rules.append(rule)
    return rules


def _fill(rule: Any, ids: dict[str, int]) -> str:
    path = rule.rule
    for name in rule.arguments:
        assert name in ids, (
            f"{rule.rule}: register an organization-A object for <{name}> in the tenancy walk "
            "(tests/api/test_tenancy.py) so this route is proven scoped"
        )
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(ids[name]), path)
    return path


BODY = {
    "name": "B was here",
    "status": "lost",
    "rep_id": None,
    "password": "x" * 12,
    "label": "B",
    "geometry": {"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [2, 2], [1, 1]]]},
}


def test_every_route_with_an_id_of_another_organization_is_404(world: dict[str, Any], db_kind: str) -> None:
    """As B's admin, every method of every route naming one of A's objects answers 404."""
    w = world[db_kind]
    b_admin = w["b"].client(w["app"].test_client(), "admin")
    walked = 0
    for rule in _rules(w["app"]):
        if not rule.arguments:
            continue
        path = _fill(rule, w["ids"])
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = b_admin.open(path, method, json=BODY if method in ("POST", "PATCH", "PUT") else None)
            assert response.status_code == 404, (method, path, response.status_code, response.get_data(as_text=True))
            assert MARKER not in response.get_data(as_text=True)
            walked += 1
    assert walked >= 15


#: Query parameters that name another object: a foreign id must be a 404.
REFERENCE_FILTERS = {"rep", "territory", "manager_id"}
REFERENCES = [
    {},
    {"q": MARKER.lower().replace("-", " ")},
    {"rep": "user_id"},
    {"territory": "territory_id"},
    {"manager_id": "user_id"},
    {"object_id": "account_id"},
    {"user_id": "user_id"},
    {"output": "csv"},
    {"output": "xlsx"},
    # Analytics: A's product (named with the marker) is on a shelf, by product and per outlet.
    {"kpi": "numeric_distribution", "group_by": "product", "own": "false", "from": "2026-11-01"},
    {"kpi": "numeric_distribution", "level": "outlet", "own": "false", "from": "2026-11-01"},
    {"layout": "answers", "from": "2026-11-01"},
]


def _query_names(app: Flask, rule: Any) -> list[str]:
    """The query parameters a route documents (from the OpenAPI document)."""
    from server.api import api

    with app.app_context():
        spec = api.spec.to_dict()
    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
    operation = spec["paths"].get(path, {}).get("get", {})
    return [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]


@pytest.mark.parametrize("role", ["admin", "hq", "manager", "rep1"])
def test_no_list_search_or_export_shows_another_organizations_data(
    world: dict[str, Any], db_kind: str, role: str
) -> None:
    """Every GET without an id, with filters naming A's objects, never returns A's data."""
    w = world[db_kind]
    b_user = w["b"].client(w["app"].test_client(), role)
    checked = 0
    for rule in _rules(w["app"]):
        if rule.arguments or "GET" not in (rule.methods or ()):
            continue
        for params in REFERENCES:
            query = {k: (w["ids"][v] if v in w["ids"] else v) for k, v in params.items()}
            response = b_user.get(rule.rule, query_string=query)
            body = response.get_data()
            assert MARKER.encode() not in body, (rule.rule, query)
            named = set(params) & REFERENCE_FILTERS
            if named and response.status_code not in (403, 422) and set(named) & set(_query_names(w["app"], rule)):
                # A filter naming a foreign object is refused like a missing one.
                assert response.status_code == 404, (rule.rule, query, response.status_code)
            checked += 1
    assert checked > 20


def test_private_outlets_stay_inside_their_organization(world: dict[str, Any], db_kind: str) -> None:
    """A's private outlet is found by A's users and by nobody else."""
    w = world[db_kind]
    client = w["app"].test_client()
    a_rep = w["a"].client(client, "admin")
    found = a_rep.get("/api/v1/outlets", query_string={"q": MARKER}).get_json()["items"]
    assert [o["id"] for o in found] == [w["ids"]["outlet_id"]]
    assert a_rep.get(f"/api/v1/outlets/{w['ids']['outlet_id']}").status_code == 200
    b_admin = w["b"].client(client, "admin")
    assert b_admin.get("/api/v1/outlets", query_string={"q": MARKER}).get_json()["items"] == []
    assert b_admin.get(f"/api/v1/outlets/{w['ids']['outlet_id']}").status_code == 404


def test_the_walk_covers_the_account_routes(world: dict[str, Any], db_kind: str) -> None:
    """The walk is not vacuous: A's own admin reaches A's objects on the same routes."""
    w = world[db_kind]
    a_admin: As = w["a"].client(w["app"].test_client(), "admin")
    for path in (
        "/api/v1/accounts/{account_id}",
        "/api/v1/contacts/{contact_id}",
        "/api/v1/territories/{territory_id}",
        "/api/v1/users/{user_id}",
    ):
        response = a_admin.get(path.format(**w["ids"]))
        assert response.status_code == 200
        assert MARKER in response.get_data(as_text=True)
    exported = a_admin.get("/api/v1/accounts/export?output=csv").get_data(as_text=True)
    assert MARKER in exported
    shelf = a_admin.get(
        "/api/v1/analytics/kpis?kpi=numeric_distribution&group_by=product&own=false&from=2026-11-01"
    ).get_data(as_text=True)
    assert MARKER in shelf
    answers = a_admin.get("/api/v1/analytics/exports/responses?layout=answers&from=2026-11-01").get_data(as_text=True)
    assert MARKER in answers
