"""Production behaviour: security headers, CORS, request ids, JSON logs without secrets,
Prometheus metrics, readiness, the per-token rate limit and request size limits."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server import observability
from server.app import create_app
from server.db import db
from tests.conftest import require
from tests.tenants import PASSWORD, As, make_tenant

PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    return response.get_json()


@pytest.fixture
def variant(app: Flask) -> Iterator[Any]:
    """``variant(**settings)``: another app on the same database with some settings changed."""
    made: list[Flask] = []

    def build(**changes: Any) -> Flask:
        other = create_app(dataclasses.replace(app.config["RAYON"], **changes), TESTING=True)
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            db.engine.dispose()


# --- headers ------------------------------------------------------------------------------


def test_every_response_carries_the_security_headers(client: Any, anonymous: FlaskClient) -> None:
    """API answers, errors and the web app shell all carry CSP, frame-ancestors, nosniff."""
    for response in (
        client.get("/api/v1/outlets?limit=1"),
        anonymous.get("/api/v1/accounts"),  # 401
        client.get("/api/v1/nope"),  # 404
        anonymous.get("/"),
        anonymous.get("/nearby"),
    ):
        csp = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP
        response.close()  # the web app's index.html is sent from an open file
    # What a rep read may be kept on the phone for offline use (revalidated), never in a shared cache;
    # tokens and the answers to writes are never kept.
    assert client.get("/api/v1/outlets?limit=1").headers["Cache-Control"] == "private, no-cache"
    assert anonymous.post("/api/v1/auth/login", json={}).headers["Cache-Control"] == "no-store"
    assert client.post("/api/v1/outlets", json={}).headers["Cache-Control"] == "no-store"


def test_only_the_docs_page_may_use_inline_styles(anonymous: FlaskClient) -> None:
    """The server-rendered docs page has inline styles; scripts stay 'self' there too."""
    csp = anonymous.get("/api/v1/docs").headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp and "script-src 'self';" in csp


def test_hsts_is_sent_over_https_and_behind_a_trusted_proxy(anonymous: FlaskClient, variant: Any) -> None:
    """HTTPS answers carry HSTS; behind a proxy it counts only when the proxy is trusted."""
    response = anonymous.get("/api/v1/health", base_url="https://rayon.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert "Strict-Transport-Security" not in anonymous.get("/api/v1/health", headers=proxied).headers
    behind = variant(trusted_proxies=1).test_client()
    assert "Strict-Transport-Security" in behind.get("/api/v1/health", headers=proxied).headers


def test_cors_is_closed_by_default(client: Any, anonymous: FlaskClient) -> None:
    """No origin is allowed: no Access-Control-Allow-Origin on answers or preflights."""
    origin = {"Origin": "https://evil.example"}
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/outlets?limit=1", headers=origin).headers
    preflight = anonymous.options(
        "/api/v1/accounts",
        headers={**origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"},
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Methods" not in preflight.headers


def test_cors_allows_only_the_listed_origins(app: Flask, variant: Any, viewers: dict[str, Any], db_kind: str) -> None:
    """With RAYON_CORS_ORIGINS an allowed origin gets preflights and answers, without credentials."""
    other = variant(cors_origins="https://crm.example, https://bi.example")
    anonymous = other.test_client()
    preflight = anonymous.options(
        "/api/v1/accounts", headers={"Origin": "https://crm.example", "Access-Control-Request-Method": "PATCH"}
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://crm.example"
    assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    client = As(other.test_client(), viewers[db_kind].tokens["hq"])
    answer = client.get("/api/v1/outlets?limit=1", headers={"Origin": "https://bi.example"})
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "https://bi.example"
    assert "Origin" in answer.headers["Vary"]
    refused = client.get("/api/v1/outlets?limit=1", headers={"Origin": "https://crm.example.evil"})
    assert "Access-Control-Allow-Origin" not in refused.headers


# --- request ids and logs -----------------------------------------------------------------


def test_request_ids_are_kept_or_made(anonymous: FlaskClient) -> None:
    """A sane X-Request-ID is echoed; a missing or hostile one is replaced by a fresh id."""
    assert anonymous.get("/api/v1/health", headers={"X-Request-ID": "lb-1234.abc"}).headers["X-Request-ID"] == (
        "lb-1234.abc"
    )
    for hostile in ("a" * 65, "x y", "id\u00e9", "<script>"):
        made = anonymous.get("/api/v1/health", headers={"X-Request-ID": hostile}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", made), made
    first = anonymous.get("/api/v1/health").headers["X-Request-ID"]
    assert first != anonymous.get("/api/v1/health").headers["X-Request-ID"]


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything logged (every logger, DEBUG and up) as JSON lines, while the test runs."""
    stream = io.StringIO()
    handler = observability.make_handler("json", stream)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_logs_are_json_with_request_ids_and_never_hold_secrets(app: Flask, captured_logs: io.StringIO) -> None:
    """Logins (good and bad), bearer calls, a password change and an invitation: each request is
    one JSON line with its id, user and route, and no password or token appears anywhere."""
    tenant = make_tenant(app, roles={"admin": "admin", "rep": "rep"}, name="Logs")
    anonymous = app.test_client()
    wrong = "Wrong-Password-" + uuid.uuid4().hex
    assert anonymous.post("/api/v1/auth/login", json={"email": tenant.emails["rep"], "password": wrong}).status_code
    login = anonymous.post("/api/v1/auth/login", json={"email": tenant.emails["rep"], "password": PASSWORD})
    token = login.get_json()["access_token"]
    rep = As(app.test_client(), token)
    me = rep.get("/api/v1/auth/me", headers={"X-Request-ID": "trace-me-1"})
    assert me.status_code == 200
    new_password = "New-Password-" + uuid.uuid4().hex
    change = rep.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": new_password})
    assert change.status_code == 204
    assert rep.get("/api/v1/auth/me").status_code == 401  # the old token died with the password
    admin = tenant.client(app.test_client(), "admin")
    invite = admin.post(
        "/api/v1/users", json={"email": f"new-{uuid.uuid4().hex[:6]}@logs.test", "name": "New Rep", "role": "rep"}
    )
    assert invite.status_code == 201, invite.get_json()
    link = invite.get_json()["invitation"]
    page = anonymous.get(link["url"])  # the web app page that sets the password
    assert page.status_code == 200
    page.close()

    text = captured_logs.getvalue()
    for secret in (PASSWORD, wrong, new_password, token, tenant.tokens["admin"], link["token"]):
        assert secret not in text
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    requests = [e for e in lines if e["logger"] == "rayon.request"]
    traced = [e for e in requests if e["request_id"] == "trace-me-1"]
    assert len(traced) == 1
    assert traced[0]["route"] == "/api/v1/auth/me" and traced[0]["status"] == 200
    assert traced[0]["user_id"] == tenant.users["rep"] and traced[0]["org_id"] == tenant.org_id
    assert traced[0]["duration_ms"] >= 0 and traced[0]["method"] == "GET"
    assert all(e["request_id"] and e["ts"] and e["level"] for e in requests)
    assert {e["status"] for e in requests} >= {200, 201, 204, 401}


def test_token_like_path_segments_are_masked() -> None:
    """An invitation link's secret in a web app path never reaches the log."""
    assert observability.loggable_path("/invite/Zm9vYmFyYmF6cXV4cXV1eHF1dXg") == "/invite/[redacted]"
    assert observability.loggable_path("/api/v1/accounts/12/history") == "/api/v1/accounts/12/history"


# --- metrics ------------------------------------------------------------------------------


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in Prometheus text format (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        series, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if series.split("{")[0] == name and all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return 0.0


def test_metrics_count_requests_and_latencies_by_route(client: Any, anonymous: FlaskClient) -> None:
    """Requests by method, route template and status; a latency histogram per route; job gauges."""
    route = "/api/v1/outlets/<int:outlet_id>"
    before = anonymous.get("/api/v1/metrics").get_data(as_text=True)
    ok = [client.get(f"/api/v1/outlets/{i}") for i in (1, 2)]
    missing = client.get("/api/v1/outlets/999999999")
    assert [r.status_code for r in ok] == [200, 200] and missing.status_code == 404
    response = anonymous.get("/api/v1/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    after = response.get_data(as_text=True)
    counted = "rayon_http_requests_total"
    assert _sample(after, counted, route=route, status="200") - _sample(before, counted, route=route, status="200") == 2
    assert _sample(after, counted, route=route, status="404") - _sample(before, counted, route=route, status="404") == 1
    count = "rayon_http_request_duration_seconds_count"
    assert _sample(after, count, route=route, method="GET") - _sample(before, count, route=route, method="GET") == 3
    assert _sample(after, "rayon_http_request_duration_seconds_bucket", route=route, le="+Inf") >= 3
    assert "/api/v1/outlets/1" not in after  # routes, not raw paths: the series stay few
    assert re.search(r"^rayon_jobs\{status=\"queued\"\} \d", after, re.M)
    assert re.search(r"^rayon_job_queue_depth \d", after, re.M)


def test_metrics_count_queued_jobs(app: Flask, anonymous: FlaskClient) -> None:
    """A job waiting for a worker shows in the queue depth."""
    from server.jobs import Job

    tenant = make_tenant(app, roles={"manager": "manager"}, name="Metrics")
    before = _sample(anonymous.get("/api/v1/metrics").get_data(as_text=True), "rayon_job_queue_depth")
    db.session.add(Job(org_id=tenant.org_id, kind="test.waiting", params={}, status="queued"))
    db.session.commit()
    after = _sample(anonymous.get("/api/v1/metrics").get_data(as_text=True), "rayon_job_queue_depth")
    assert after == before + 1
    db.session.execute(Job.__table__.delete().where(Job.__table__.c.kind == "test.waiting"))
    db.session.commit()


def test_metrics_token_guards_the_metrics(variant: Any) -> None:
    """With RAYON_METRICS_TOKEN the scraper must send it; anything else is a 401 problem."""
    anonymous = variant(metrics_token="scrape-secret-123").test_client()
    assert_problem(anonymous.get("/api/v1/metrics"), 401)
    assert_problem(anonymous.get("/api/v1/metrics", headers={"Authorization": "Bearer wrong"}), 401)
    assert anonymous.get("/api/v1/metrics", headers={"Authorization": "Bearer scrape-secret-123"}).status_code == 200


# --- readiness ----------------------------------------------------------------------------


def test_ready_when_the_database_answers_at_the_newest_migration(anonymous: FlaskClient) -> None:
    """Readiness lists the applied migrations, which are the code's newest."""
    from server import migrate

    response = anonymous.get("/api/v1/ready")
    assert response.status_code == 200, response.get_json()
    assert set(response.get_json()["migrations"]) == migrate.head_revisions()


def test_not_ready_before_migrations_or_without_a_database(app: Flask, tmp_path: Path, db_kind: str) -> None:
    """An unmigrated database or an unreachable one is a 503 problem with Retry-After."""
    from server.config import Settings

    apps = []
    try:
        empty = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}", secret_key="x"))
        apps.append(empty)
        body = assert_problem(empty.test_client().get("/api/v1/ready"), 503)
        assert "rayon init-db" in body["detail"]
        down = create_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:9/none", secret_key="x"))
        apps.append(down)
        response = down.test_client().get("/api/v1/ready")
        assert_problem(response, 503)
        assert response.headers["Retry-After"] == "5"
    finally:
        for other in apps:
            with other.app_context():
                db.engine.dispose()


# --- rate limit ---------------------------------------------------------------------------


def _rate_limited(other: Flask, app: Flask, name: str) -> None:
    tenant = make_tenant(app, roles={"rep": "rep", "rep2": "rep"}, name=name)
    first = tenant.client(other.test_client(), "rep")
    remaining = []
    for _ in range(5):
        response = first.get("/api/v1/auth/me")
        assert response.status_code == 200
        remaining.append(int(response.headers["RateLimit-Remaining"]))
    assert remaining == sorted(remaining, reverse=True) and remaining[-1] <= 1
    refused = first.get("/api/v1/auth/me")
    body = assert_problem(refused, 429)
    assert body["type"] == "/api/v1/problems/rate-limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Another token has its own allowance.
    assert tenant.client(other.test_client(), "rep2").get("/api/v1/auth/me").status_code == 200


def test_the_api_rate_limit_is_per_token(app: Flask, variant: Any) -> None:
    """Past RAYON_API_RATE_LIMIT requests a minute a token gets 429 + Retry-After; others go on."""
    _rate_limited(variant(api_rate_limit=5), app, "Rate")


def test_the_rate_limit_is_shared_through_redis(app: Flask, variant: Any) -> None:
    """With Redis every worker process counts in one place (two apps stand for two workers)."""
    import os

    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    url = os.environ.get("RAYON_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        Redis.from_url(url).ping()
        reachable = True
    except RedisDown:
        reachable = False
    require(reachable, f"Redis is not reachable at {url}")
    one, two = variant(api_rate_limit=5, redis_url=url), variant(api_rate_limit=5, redis_url=url)
    tenant = make_tenant(app, roles={"rep": "rep"}, name="Shared rate")
    for n in range(5):
        worker = one if n % 2 else two
        assert tenant.client(worker.test_client(), "rep").get("/api/v1/auth/me").status_code == 200
    assert_problem(tenant.client(one.test_client(), "rep").get("/api/v1/auth/me"), 429)
    assert_problem(tenant.client(two.test_client(), "rep").get("/api/v1/auth/me"), 429)


def test_no_rate_limit_in_development_unless_set(app: Flask) -> None:
    """The default: 1,200 a minute in production, off in development (tests, demos)."""
    from server.security import rate_limit_of

    settings = app.config["RAYON"]
    assert rate_limit_of(dataclasses.replace(settings, env="development")) == 0
    assert rate_limit_of(dataclasses.replace(settings, env="production")) == 1200
    assert rate_limit_of(dataclasses.replace(settings, env="production", api_rate_limit=0)) == 0


# --- size limits --------------------------------------------------------------------------


def test_oversized_bodies_and_uploads_are_413_problems(app: Flask) -> None:
    """JSON bodies above RAYON_MAX_CONTENT_LENGTH and photos above 15 MB are refused whole."""
    tenant = make_tenant(app, roles={"rep": "rep"}, name="Sizes")
    rep = tenant.client(app.test_client(), "rep")
    big = json.dumps({"changes": [{"uuid": str(uuid.uuid4()), "kind": "x", "data": {"pad": "x" * 3_000_000}}]})
    assert_problem(rep.post("/api/v1/sync", data=big, content_type="application/json"), 413)
    # The multipart body written here: the test client's own encoder spools 16 MB to a temporary file
    # that it never closes (a ResourceWarning in whichever test runs next).
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="uuid"\r\n\r\n{uuid.uuid4()}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + b"\xff\xd8\xff\xe0"
        + b"\0" * 16_000_000
        + f"\r\n--{boundary}--\r\n".encode()
    )
    upload = rep.post("/api/v1/photos", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert_problem(upload, 413)
    # Nothing of either was stored.
    assert rep.get("/api/v1/sync").status_code == 200


# --- hostile input ------------------------------------------------------------------------

SQLISH = ["' OR '1'='1' --", "1; DROP TABLE outlets; --", "%' UNION SELECT password_hash FROM users --"]


def _outlet_total(client: Any) -> int:
    return client.get("/api/v1/outlets?limit=1&q=a").get_json()["total"]


def test_sql_ish_values_in_every_documented_parameter_change_nothing(app: Flask) -> None:
    """Every query parameter of every GET in the OpenAPI document, one at a time, gets SQL-ish
    text: a 2xx or a 4xx problem, never a 500, and the data is untouched afterwards."""
    tenant = make_tenant(app, roles={"admin": "admin"}, name="Hostile")
    client = tenant.client(app.test_client(), "admin")
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    before = _outlet_total(client)
    checked = 0
    for template, operations in spec["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        path = re.sub(r"\{[^}]+\}", "1", template)
        names = [p["name"] for p in get.get("parameters", []) + operations.get("parameters", []) if p["in"] == "query"]
        for name in names:
            for value in SQLISH:
                response = client.get(path, query_string={name: value})
                checked += 1
                assert response.status_code < 500, (
                    path,
                    name,
                    value,
                    response.get_data(as_text=True)[:300],
                )
                if response.status_code >= 400:
                    assert response.mimetype == PROBLEM, (path, name)
                response.close()
    assert checked > 100
    assert _outlet_total(client) == before


HOSTILE_BODIES = [
    ("[" * 20_000 + "]" * 20_000, "application/json"),  # nesting bomb
    ('{"a": ' * 500 + "1" + "}" * 500, "application/json"),
    ('{"type": "Polygon", "coordinates": ' + "[" * 3000 + "]" * 3000 + "}", "application/json"),
    ("x" * 2_100_000, "application/json"),  # over the request size limit
    ("name=x&email=y", "text/plain"),
    ('--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nx\r\n', "multipart/form-data; boundary=zz"),
]


def test_every_write_route_refuses_bombs_and_wrong_types_with_4xx(app: Flask) -> None:
    """Every POST/PUT/PATCH route answers nesting bombs, oversized bodies and wrong content types
    with a 4xx problem (never a 500)."""
    from tests.api.test_errors import _concrete_paths

    tenant = make_tenant(app, roles={"admin": "admin"}, name="Bombs")
    client = tenant.client(app.test_client(), "admin")
    checked = 0
    for path, methods in _concrete_paths(app):
        if not path.startswith("/api/") or path.endswith("/logout") or path.endswith("/password"):
            continue
        for method in sorted(methods & {"POST", "PUT", "PATCH"}):
            for data, content_type in HOSTILE_BODIES:
                response = client.open(path, method=method, data=data, content_type=content_type)
                checked += 1
                assert 400 <= response.status_code < 500, (method, path, content_type, response.status_code)
                assert response.mimetype == PROBLEM, (method, path)
                response.close()
    assert checked > 50


TRAVERSALS = [
    "/api/v1/photos/..%2F..%2F..%2Fetc%2Fpasswd/file",
    "/api/v1/photos/1/file/../../../../etc/passwd",
    "/api/v1/photos/%2e%2e%2f%2e%2e%2fserver%2fconfig.py/thumbnail",
    "/..%2F..%2Fserver%2Fconfig.py",
    "/assets/..%2F..%2F..%2Fserver%2Fconfig.py",
    "/assets/../../../server/config.py",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/icons/..%5C..%5C..%5Cpyproject.toml",
]


def test_path_traversal_never_reaches_a_file(client: Any) -> None:
    """Photo, static and web app routes never serve a file outside their folder."""
    for path in TRAVERSALS:
        response = client.get(path)
        body = response.get_data(as_text=True)
        response.close()
        assert response.status_code in (200, 404), (path, response.status_code)
        for leaked in ("root:x:0", "class Settings", "[project]", "parse_boolean"):
            assert leaked not in body, (path, leaked)
        if path.startswith("/api/"):
            assert response.status_code == 404 and response.mimetype == PROBLEM


def test_an_uploaded_file_name_is_never_used_as_a_path(app: Flask, tmp_path: Path) -> None:
    """A photo sent as '../../…' is stored under the photo folder by the server's own name."""
    from PIL import Image

    tenant = make_tenant(app, roles={"rep": "rep"}, name="Traversal")
    rep = tenant.client(app.test_client(), "rep")
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(image, "JPEG")
    target = tmp_path / "escaped.jpg"
    name = "../" * 12 + str(target).lstrip("/")
    image.seek(0)
    response = rep.post(
        "/api/v1/photos",
        data={"file": (image, name, "image/jpeg"), "uuid": str(uuid.uuid4())},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 201), response.get_json()
    assert not target.exists()
    assert name not in json.dumps(response.get_json())
