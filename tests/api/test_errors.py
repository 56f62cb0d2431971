"""Every bad request gets a 4xx RFC 9457 problem, never a 500; routes are walked automatically."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["type"].startswith("/api/v1/problems/")
    assert body["title"] and body["detail"]
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    return body


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("near=91,11", "near", "latitude 91"),
        ("near=48,181", "near", "longitude 181"),
        ("near=48", "near", "lat,lon"),
        ("near=abc,def", "near", "not a number"),
        ("near=nan,1", "near", "finite"),
        ("near=48,11&radius=-5", "radius", "between 1 and"),
        ("near=48,11&radius=10000000", "radius", "between 1 and"),
        ("near=48,11&radius=abc", "radius", ""),
        ("radius=500", "radius", "needs near"),
        ("bbox=12,48,11,49", "bbox", "greater than maxLon"),
        ("bbox=11,49,12,48", "bbox", "greater than maxLat"),
        ("bbox=1,2,3", "bbox", "minLon,minLat,maxLon,maxLat"),
        ("bbox=1,2,3,95", "bbox", "latitude 95"),
        ("format=hyper", "format", "Must be one of"),
        ("status=gone", "status", "Must be one of"),
        ("country=DEU", "country", "two-letter"),
        ("limit=0", "limit", "between 1 and"),
        ("limit=100000", "limit", "between 1 and"),
        ("limit=ten", "limit", "integer"),
        ("offset=-1", "offset", "between 0"),
        ("offset=50000", "offset", "cursor"),
        ("offset=200000&q=quokka", "offset", ""),
        ("q=quokka&offset=5000", "offset", "past the end"),
        ("sort=distance", "sort", "needs near"),
        ("sort=price", "sort", "Must be one of"),
        ("output=xml", "output", "Must be one of"),
        ("radus=3", "radus", "Unknown"),
        ("q=" + "x" * 300, "q", "200"),
    ],
)
def test_bad_list_parameters_name_the_field(client: FlaskClient, query: str, field: str, words: str) -> None:
    """Each invalid parameter is a 422 problem whose errors name it and say why."""
    body = assert_problem(client.get(f"/api/v1/outlets?{query}"), 422, field)
    assert words in json.dumps(body)


def test_a_foreign_or_garbled_cursor_is_a_400(client: FlaskClient) -> None:
    """A cursor from another query, or not from this API, is refused with a clear message."""
    cursor = client.get("/api/v1/outlets?q=lidl&limit=2").get_json()["next_cursor"]
    assert cursor
    body = assert_problem(client.get(f"/api/v1/outlets?q=aldi&limit=2&cursor={cursor}"), 400, "cursor")
    assert "different query" in body["detail"]
    assert_problem(client.get("/api/v1/outlets?cursor=not-a-cursor"), 400, "cursor")
    assert_problem(client.get(f"/api/v1/outlets?q=lidl&limit=2&cursor={cursor}&offset=4"), 422, "offset")


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"type": "Point", "coordinates": [1, 2]}, "type", "Polygon or MultiPolygon"),
        (
            {"type": "Polygon", "coordinates": [[[11, 48], [12, 49], [12, 48], [11, 49], [11, 48]]]},
            "coordinates",
            "Self-intersection",
        ),
        ({"type": "Polygon", "coordinates": [[[11, 48], [12, 48], [12, 49], [11, 48.5]]]}, "coordinates[0]", "closed"),
        ({"type": "Polygon", "coordinates": [[[11, 48], [12, 48], [11, 48]]]}, "coordinates[0]", "at least 4"),
        (
            {"type": "Polygon", "coordinates": [[[11, 48], [12, 48], [12, 95], [11, 48]]]},
            "coordinates[0][2]",
            "latitude 95",
        ),
        (
            {"type": "Polygon", "coordinates": [[[11, 48], ["a", 48], [12, 49], [11, 48]]]},
            "coordinates[0][1]",
            "longitude must be a number",
        ),
        ({"type": "Polygon", "coordinates": []}, "coordinates", "non-empty"),
        ({"type": "Polygon"}, "coordinates", "non-empty"),
        (
            {"type": "MultiPolygon", "coordinates": [[[[1, 1], [2, 1], [2, 2], [1, 1]]], 7]},
            "coordinates[1]",
            "array of linear rings",
        ),
        ({"type": "Polygon", "coordinates": [[[11, 48], [11, 48], [11, 48], [11, 48]]]}, "coordinates", "not valid"),
        ({"type": "Feature", "geometry": None}, "geometry", "no geometry"),
        ([1, 2, 3], "(body)", "GeoJSON object"),
    ],
)
def test_bad_polygons_are_explained(client: FlaskClient, body: Any, field: str, words: str) -> None:
    """Invalid GeoJSON polygons are 422 problems naming the member and the reason."""
    problem = assert_problem(client.post("/api/v1/outlets/search", json=body), 422, field)
    assert words in json.dumps(problem)


def test_polygon_with_too_many_vertices_is_refused(client: FlaskClient) -> None:
    """A polygon over the vertex limit is refused before any geometry work."""
    import math

    ring = [
        [11 + 0.5 * math.cos(2 * math.pi * i / 20_000), 48 + 0.5 * math.sin(2 * math.pi * i / 20_000)]
        for i in range(20_000)
    ]
    ring.append(ring[0])
    assert_problem(client.post("/api/v1/outlets/search", json={"type": "Polygon", "coordinates": [ring]}), 422)


def test_malformed_bodies_and_media_types(client: FlaskClient) -> None:
    """Broken JSON is 400, a wrong or missing content type 415, a huge body 413."""
    body = assert_problem(client.post("/api/v1/outlets/search", data="{bad", content_type="application/json"), 400)
    assert "line 1, column 2" in body["detail"]
    assert_problem(client.post("/api/v1/outlets/search", data="", content_type="application/json"), 400)
    assert_problem(client.post("/api/v1/outlets/search", data=b"\xff\xfe", content_type="application/json"), 400)
    assert_problem(
        client.post("/api/v1/outlets/search", data="[" * 5000 + "]" * 5000, content_type="application/json"), 400
    )
    assert_problem(client.post("/api/v1/outlets/search", data='{"a": NaN}', content_type="application/json"), 400)
    assert_problem(
        client.post("/api/v1/outlets/search", data="x=1", content_type="application/x-www-form-urlencoded"), 415
    )
    assert_problem(client.post("/api/v1/outlets/search", data="{}"), 415)
    assert_problem(client.post("/api/v1/outlets/search", data="x" * 3_000_000, content_type="application/json"), 413)


def test_unknown_paths_methods_and_media_types(client: FlaskClient) -> None:
    """404 for unknown URLs and ids, 405 with Allow, 406 for an Accept we cannot serve."""
    assert_problem(client.get("/api/v1/nope"), 404)
    assert_problem(client.get("/api/v1/outlets/999999999"), 404)
    assert_problem(client.get("/api/v1/outlets/abc"), 404)
    response = client.delete("/api/v1/outlets")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]
    assert_problem(client.get("/api/v1/outlets", headers={"Accept": "text/csv"}), 406)
    assert client.get("/api/v1/outlets?limit=1", headers={"Accept": "text/html,*/*;q=0.8"}).status_code == 200


def test_cluster_parameters_are_validated(client: FlaskClient) -> None:
    """Clusters need a bbox and a zoom in range, and refuse views with too many cells."""
    assert_problem(client.get("/api/v1/outlets/clusters?zoom=5"), 422, "bbox")
    assert_problem(client.get("/api/v1/outlets/clusters?bbox=5,47,13,55"), 422, "zoom")
    assert_problem(client.get("/api/v1/outlets/clusters?bbox=5,47,13,55&zoom=23"), 422, "zoom")
    assert_problem(client.get("/api/v1/outlets/clusters?bbox=5,47,13,55&zoom=16"), 422, "bbox")


def test_problem_types_are_documented(client: FlaskClient) -> None:
    """Every problem type URI resolves to its description."""
    catalogue = client.get("/api/v1/problems").get_json()["items"]
    assert {p["type"] for p in catalogue} >= {"/api/v1/problems/validation-error", "/api/v1/problems/not-found"}
    for entry in catalogue:
        assert client.get(entry["type"]).get_json()["status"] == entry["status"]
    assert_problem(client.get("/api/v1/problems/nope"), 404)


# --- the walk ------------------------------------------------------------------------

GARBAGE_QUERIES = [
    "near=91,500&radius=-5&bbox=9,9,1,1&limit=0&offset=-1&zoom=99&format=nope&cursor=%%%",
    "q=" + "%27%3B%20DROP%20TABLE%20outlets%3B--" + "&banner=%27%20OR%201%3D1--&city=%00",
    "limit=999999999999999999999&offset=1e309&radius=inf&near=1e400,1",
    "unknown_parameter=1",
]
GARBAGE_BODIES = [
    ("{bad json", "application/json"),
    ("", "application/json"),
    ('{"type": "Polygon", "coordinates": [[[1e999, 1], [2, 2], [3, 3], [1e999, 1]]]}', "application/json"),
    ("<xml/>", "application/xml"),
    ('"just a string"', "application/json"),
    ("null", "application/json"),
]


def _concrete_paths(app: Flask) -> list[tuple[str, set[str]]]:
    """Every URL rule of the app, with variables filled by garbage that still routes."""
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<int:[^>]+>", "999999999", rule.rule)
        path = re.sub(r"<path:[^>]+>", "no/such/thing", path)
        path = re.sub(r"<[^>]+>", "no-such-thing", path)
        paths.append((path, set(rule.methods or ()) - {"HEAD", "OPTIONS"}))
    return paths


def test_every_route_answers_garbage_with_a_4xx_problem(app: Flask) -> None:
    """No route, given garbage parameters or bodies, answers 500; API errors are problem+json."""
    from tests.tenants import As, make_tenant

    # Its own admin: the walk logs out and revokes tokens along the way, so it logs in again.
    tenant = make_tenant(app, roles={"admin": "admin"}, name="Garbage")
    client = tenant.client(app.test_client(), "admin")
    checked = 0
    for path, methods in _concrete_paths(app):
        for method in sorted(methods):
            for query in GARBAGE_QUERIES:
                requests = [{}]
                if method in {"POST", "PUT", "PATCH"}:
                    requests = [{"data": data, "content_type": ctype} for data, ctype in GARBAGE_BODIES]
                for extra in requests:
                    response = client.open(f"{path}?{query}", method=method, **extra)
                    if response.status_code == 401 and client.get("/api/v1/auth/me").status_code == 401:
                        client = As(app.test_client(), _new_token(app, tenant.users["admin"]))
                        response = client.open(f"{path}?{query}", method=method, **extra)
                    checked += 1
                    response.close()
                    assert response.status_code < 500, (method, path, query, extra, response.get_data(as_text=True))
                    if response.status_code >= 400 and path.startswith("/api/"):
                        assert response.mimetype == PROBLEM, (method, path)
    assert checked > 30


def _new_token(app: Flask, user_id: int) -> str:
    import datetime as dt

    from server.auth.models import User
    from server.auth.service import issue_token
    from server.db import db

    with app.app_context():
        user = db.session.get(User, user_id)
        secret = issue_token(db.session, user, kind="bearer", ttl=dt.timedelta(hours=1), user_agent="walk").secret
        db.session.commit()
    return secret


def test_ids_beyond_the_id_range_are_404_not_overflows(app: Flask, client: FlaskClient) -> None:
    """An id in a URL larger than any id column holds is an object that cannot exist: 404."""
    checked = 0
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        path = re.sub(r"<int:[^>]+>", "99999999999999999999", rule.rule)
        path = re.sub(r"<[^>]+>", "no-such-thing", path)
        for method in sorted(set(rule.methods or ()) - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, json={} if method in {"POST", "PUT", "PATCH"} else None)
            assert response.status_code == 404, (method, path, response.status_code)
            assert response.mimetype == PROBLEM
            checked += 1
    assert checked > 20
