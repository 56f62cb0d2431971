"""Outlet search through the HTTP API, on SQLite+SpatiaLite and PostgreSQL+PostGIS."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from server.dialects import haversine_m
from tests.data import CENTRE, PLACED

NEAR = f"{CENTRE[0]},{CENTRE[1]}"


def get(client: FlaskClient, url: str, status: int = 200, **kwargs: Any) -> Any:
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def keys(items: list[dict[str, Any]]) -> list[str]:
    return [i["source_id"] for i in items if i["source"] == "test"]


def test_health_reports_the_database_and_the_outlet_count(client: FlaskClient, db_kind: str) -> None:
    """/health names the database kind, its spatial extension and counts the outlets."""
    body = get(client, "/api/v1/health")
    assert body["status"] == "ok"
    assert body["database"] == db_kind
    assert body["spatial"].startswith("SpatiaLite" if db_kind == "sqlite" else "PostGIS")
    assert body["outlets"] == 3_000 + len(PLACED)


def test_near_returns_outlets_within_the_radius_nearest_first_with_distances(client: FlaskClient) -> None:
    """near+radius gives exactly the outlets inside the circle, nearest first, with distance_m."""
    body = get(client, f"/api/v1/outlets?near={NEAR}&radius=2000")
    assert keys(body["items"]) == ["a", "b", "c", "d", "e"]
    assert body["total"] == 5 and body["total_relation"] == "eq"
    for item, expected in zip(body["items"], [100, 350, 700, 1200, 1900], strict=True):
        assert item["distance_m"] == pytest.approx(expected, abs=1.0)


def test_distance_matches_the_great_circle_distance(client: FlaskClient) -> None:
    """distance_m agrees with an independent haversine computation to 0.1 %."""
    body = get(client, "/api/v1/outlets?near=48.1374,11.5755&radius=20000&limit=100")
    assert body["items"], "the generated data has outlets in Munich"
    distances = [i["distance_m"] for i in body["items"]]
    assert distances == sorted(distances)
    for item in body["items"]:
        expected = haversine_m(11.5755, 48.1374, item["lon"], item["lat"])
        assert item["distance_m"] == pytest.approx(expected, rel=1e-3, abs=0.5)
        assert item["distance_m"] <= 20_000


def test_munich_centre_gives_munich_outlets(client: FlaskClient) -> None:
    """The README's example: outlets around Marienplatz are in München, nearest first."""
    body = get(client, "/api/v1/outlets?near=48.1374,11.5755&radius=5000&limit=20")
    assert body["items"]
    assert {i["city"] for i in body["items"]} == {"München"}
    assert all(i["country"] == "DE" and i["region"] == "Bayern" for i in body["items"])


def test_default_radius_is_five_kilometres(client: FlaskClient) -> None:
    """near without radius searches 5 km: f (2.6 km) and g (4 km) are in, nothing beyond."""
    body = get(client, f"/api/v1/outlets?near={NEAR}")
    assert keys(body["items"]) == ["a", "b", "c", "d", "e", "f", "g"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quokkastrasse", {"a", "b", "e", "f", "g"}),
        ("Quokkastraße", {"a", "b", "e", "f", "g"}),
        ("Quokkastr.", {"a", "b", "e", "f", "g"}),
        ("quokkastra", {"a", "b", "e", "f", "g"}),
        ("E Leclerc", {"c"}),
        ("e.leclerc quok", {"c"}),
        ("EPICERIE", {"d"}),
        ("evry", {"d"}),
        ("général", {"d"}),
        ("muenchener", {"e"}),
        ("München quokka", {"e"}),
        ("aldi sud quokka", {"b"}),
        ("Aldi Süd Quokka", {"b"}),
        ("rewe quokka-markt", {"a"}),
    ],
)
def test_text_search_ignores_case_accents_and_spelling_variants(
    client: FlaskClient, query: str, expected: set[str]
) -> None:
    """q matches word prefixes across Straße/Strasse/Str., ü/ue/u, é/e, E.Leclerc/E Leclerc."""
    body = get(client, "/api/v1/outlets", query_string={"q": query, "limit": 500})
    assert set(keys(body["items"])) == expected


def test_text_search_finds_generated_outlets_by_city_and_banner(client: FlaskClient) -> None:
    """'lidl muenchen' finds Lidl stores in München among the generated outlets."""
    body = get(client, "/api/v1/outlets", query_string={"q": "lidl muenchen", "limit": 500})
    for item in body["items"]:
        assert "Lidl" in item["name"] or item["banner"] == "Lidl"
        assert item["city"] == "München" or "münchen" in (item["street"] or "").lower()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"banner": "rewe", "country": "LU"}, {"a"}),
        ({"banner": "ALDI SÜD,auchan"}, {"b", "f"}),
        ({"format": "discount", "region": "LU-L"}, {"b"}),
        ({"format": "drugstore,hypermarket", "city": "luxembourg"}, {"e", "f"}),
        ({"country": "lu"}, {"a", "b", "c", "d", "e", "f", "g"}),
        ({"region": "LU-L", "status": "closed"}, {"g"}),
        ({"region": "luxembourg", "status": "unverified"}, {"d"}),
        ({"city": "ÉVRY-QUOKKA"}, {"d"}),
        ({"postcode": "1009", "status": "open"}, {"a", "b", "c", "e", "f"}),
    ],
)
def test_attribute_filters_combine_and_ignore_case(
    client: FlaskClient, params: dict[str, str], expected: set[str]
) -> None:
    """banner, format, country, region (name or code), city, postcode and status filter exactly."""
    body = get(client, "/api/v1/outlets", query_string={**params, "limit": 500})
    assert set(keys(body["items"])) == expected
    if params.get("country") == "lu":
        assert len(body["items"]) == len(expected)


def test_bbox_returns_the_outlets_inside_the_box(client: FlaskClient) -> None:
    """bbox keeps what lies inside minLon,minLat,maxLon,maxLat."""
    lat, lon = CENTRE
    bbox = f"{lon - 0.02},{lat - 0.012},{lon + 0.02},{lat + 0.012}"
    body = get(client, f"/api/v1/outlets?bbox={bbox}&limit=500")
    inside = {
        p["source_id"]
        for p in PLACED
        if lon - 0.02 <= p["lon"] <= lon + 0.02 and lat - 0.012 <= p["lat"] <= lat + 0.012
    }
    assert set(keys(body["items"])) == inside
    assert inside and inside != {p["source_id"] for p in PLACED}


def test_a_munich_bbox_holds_only_bavarian_outlets(client: FlaskClient) -> None:
    """A city-sized box returns outlets, all inside it."""
    body = get(client, "/api/v1/outlets?bbox=11.45,48.08,11.70,48.20&limit=500")
    assert body["total"] >= len(body["items"]) > 5
    for item in body["items"]:
        assert 11.45 <= item["lon"] <= 11.70 and 48.08 <= item["lat"] <= 48.20


def _square(lat: float, lon: float, half: float) -> list[list[float]]:
    return [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]


def test_polygon_search_returns_outlets_inside_polygon_and_multipolygon(client: FlaskClient) -> None:
    """POST /outlets/search with a (Multi)Polygon, holes respected, as geometry or Feature."""
    lat, lon = CENTRE
    polygon = {"type": "Polygon", "coordinates": [_square(lat, lon, 0.02)]}
    body = client.post("/api/v1/outlets/search?limit=500", json=polygon).get_json()
    assert set(keys(body["items"])) == {"a", "b", "c", "d", "e"}

    with_hole = {"type": "Polygon", "coordinates": [_square(lat, lon, 0.02), _square(lat, lon, 0.002)]}
    body = client.post(
        "/api/v1/outlets/search?limit=500", json={"type": "Feature", "properties": {}, "geometry": with_hole}
    ).get_json()
    assert set(keys(body["items"])) == {"b", "c", "d", "e"}

    a = next(p for p in PLACED if p["source_id"] == "a")
    f = next(p for p in PLACED if p["source_id"] == "f")
    multi = {
        "type": "MultiPolygon",
        "coordinates": [[_square(a["lat"], a["lon"], 0.0005)], [_square(f["lat"], f["lon"], 0.0005)]],
    }
    response = client.post(
        "/api/v1/outlets/search?limit=500", data=__import__("json").dumps(multi), content_type="application/geo+json"
    )
    assert response.status_code == 200
    assert set(keys(response.get_json()["items"])) == {"a", "f"}


def test_polygon_search_combines_with_filters_and_near(client: FlaskClient) -> None:
    """Query parameters apply to the polygon search too; near adds distances and order."""
    lat, lon = CENTRE
    polygon = {"type": "Polygon", "coordinates": [_square(lat, lon, 0.05)]}
    body = client.post(f"/api/v1/outlets/search?format=supermarket&near={NEAR}&radius=10000", json=polygon).get_json()
    assert keys(body["items"]) == ["a", "c", "g"]
    assert [round(i["distance_m"]) for i in body["items"]] == [100, 700, 4000]


def test_geojson_output_by_accept_header_and_parameter(client: FlaskClient) -> None:
    """Accept: application/geo+json, output=geojson and format=geojson give a FeatureCollection."""
    for kwargs in (
        {"headers": {"Accept": "application/geo+json"}},
        {"query_string": {"output": "geojson"}},
        {"query_string": {"format": "geojson"}},
    ):
        query = dict(kwargs.get("query_string", {}), near=NEAR, radius=2000)
        response = client.get("/api/v1/outlets", query_string=query, headers=kwargs.get("headers"))
        assert response.status_code == 200
        assert response.mimetype == "application/geo+json"
        doc = response.get_json()
        assert doc["type"] == "FeatureCollection"
        assert [f["properties"]["source_id"] for f in doc["features"]] == ["a", "b", "c", "d", "e"]
        first = doc["features"][0]
        assert first["geometry"]["type"] == "Point"
        assert first["geometry"]["coordinates"] == pytest.approx([PLACED[0]["lon"], PLACED[0]["lat"]], abs=1e-6)
        assert doc["total"] == 5


def test_offset_pages_and_cursor_pages_walk_the_same_results(client: FlaskClient) -> None:
    """limit/offset and the cursor both visit every result once, in the same order."""
    query = "q=lidl&limit=7"
    first = get(client, f"/api/v1/outlets?{query}")
    total = first["total"]
    assert total > 14
    by_offset: list[int] = []
    for offset in range(0, total, 7):
        by_offset += [i["id"] for i in get(client, f"/api/v1/outlets?{query}&offset={offset}")["items"]]
    by_cursor: list[int] = []
    page = first
    while True:
        by_cursor += [i["id"] for i in page["items"]]
        if not page["next_cursor"]:
            break
        assert page["links"]["next"].startswith("/api/v1/outlets?")
        page = get(client, f"/api/v1/outlets?{query}&cursor={page['next_cursor']}")
    assert by_offset == by_cursor
    assert len(by_cursor) == len(set(by_cursor)) == total


def test_cursor_paging_by_distance_and_by_name(client: FlaskClient) -> None:
    """Cursors also page results sorted by distance and by name without gaps or repeats."""
    for sort in ("distance", "name"):
        query = f"near=48.1374,11.5755&radius=3000&limit=5&sort={sort}"
        full = get(client, f"/api/v1/outlets?near=48.1374,11.5755&radius=3000&limit=500&sort={sort}")["items"]
        assert len(full) < 500
        walked: list[dict[str, Any]] = []
        page = get(client, f"/api/v1/outlets?{query}")
        while True:
            walked += page["items"]
            if not page["next_cursor"]:
                break
            page = get(client, f"/api/v1/outlets?{query}&cursor={page['next_cursor']}")
        assert [i["id"] for i in walked] == [i["id"] for i in full]
        assert len(walked) > 10


def test_total_is_a_lower_bound_above_the_exact_count_limit(app: Any, client: FlaskClient) -> None:
    """Above exact_total_limit the total says 'gte' instead of counting everything."""
    from dataclasses import replace

    settings = app.config["RAYON"]
    app.config["RAYON"] = replace(settings, exact_total_limit=100)
    try:
        body = get(client, "/api/v1/outlets?limit=10")
        assert body["total"] == 100 and body["total_relation"] == "gte"
        body = get(client, f"/api/v1/outlets?near={NEAR}&radius=2000")
        assert body["total"] == 5 and body["total_relation"] == "eq"
    finally:
        app.config["RAYON"] = settings


def test_outlet_detail_has_weekly_opening_hours(client: FlaskClient) -> None:
    """GET /outlets/{id} returns the outlet and its hours per weekday."""
    item = get(client, f"/api/v1/outlets?near={NEAR}&radius=200")["items"][0]
    detail = get(client, f"/api/v1/outlets/{item['id']}")
    assert detail["name"] == "REWE Quokka-Markt"
    assert detail["opening_hours_weekly"]["Mo"] == [["08:00", "20:00"]]
    assert detail["opening_hours_weekly"]["Su"] == []
    assert isinstance(detail["open_now"], bool)


def test_clusters_count_every_outlet_of_the_view_once(app: Any, client: FlaskClient) -> None:
    """Cluster counts over a view add up to the number of outlets in that view."""
    from dataclasses import replace

    bbox = "5.5,47.0,13.5,55.0"
    clusters = get(client, f"/api/v1/outlets/clusters?bbox={bbox}&zoom=5")
    settings = app.config["RAYON"]
    app.config["RAYON"] = replace(settings, exact_total_limit=1_000_000)
    try:
        listed = get(client, f"/api/v1/outlets?bbox={bbox}&limit=1")["total"]
    finally:
        app.config["RAYON"] = settings
    assert clusters["total"] == sum(c["count"] for c in clusters["clusters"]) == listed
    assert 1 < len(clusters["clusters"]) < listed
    for c in clusters["clusters"]:
        assert c["bbox"][0] <= c["lon"] <= c["bbox"][2] and c["bbox"][1] <= c["lat"] <= c["bbox"][3]
        assert (c["outlet_id"] is not None) == (c["count"] == 1)


def test_clusters_at_high_zoom_separate_single_outlets(client: FlaskClient) -> None:
    """Zoomed in, each placed outlet is its own cell carrying its id; filters apply."""
    lat, lon = CENTRE
    bbox = f"{lon - 0.06},{lat - 0.04},{lon + 0.06},{lat + 0.04}"
    body = get(client, f"/api/v1/outlets/clusters?bbox={bbox}&zoom=15&country=LU")
    assert body["total"] == 7
    assert all(c["count"] == 1 and c["outlet_id"] for c in body["clusters"])
    doc = get(client, f"/api/v1/outlets/clusters?bbox={bbox}&zoom=15&country=LU&output=geojson")
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 7
