"""The OpenAPI document describes every route, and the docs page renders it."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient


def test_openapi_document_lists_every_api_route(app: Flask, client: FlaskClient) -> None:
    """Each /api/v1 URL rule appears in openapi.json with its methods and problem responses."""
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {
        re.sub(r"\{[^}]+\}", "{}", p): {m.upper() for m in ops if m != "parameters"} for p, ops in spec["paths"].items()
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith("openapi.json"):
            continue
        path = re.sub(r"<[^>]+>", "{}", rule.rule)
        assert path in documented, f"{rule.rule} is missing from the OpenAPI document"
        assert (set(rule.methods or ()) - {"HEAD", "OPTIONS"}) <= documented[path]
    listing = spec["paths"]["/api/v1/outlets"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"q", "near", "radius", "bbox", "banner", "format", "limit", "cursor"} <= names
    responses = spec["components"]["responses"]
    problem = (responses.get("UNPROCESSABLE_CONTENT") or responses["UNPROCESSABLE_ENTITY"])["content"]
    assert "application/problem+json" in problem


def test_docs_page_is_browsable_html(client: FlaskClient) -> None:
    """/api/v1/docs is an HTML page naming the endpoints, with no external assets."""
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "/api/v1/outlets/search" in html and "Outlets inside a polygon" in html
    assert "<script src=" not in html
