"""OpenStreetMap and customer-list imports, on a database of their own (they change public outlets)."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from server.accounts.models import Account
from server.db import db
from server.jobs import Job
from server.outlets.models import Outlet
from server.quality import customers
from server.quality.models import OutletChangeNotice, OutletFlag, PlatformModerator
from tests.conftest import make_app, shared_path
from tests.tenants import make_tenant


@pytest.fixture(scope="module")
def own_apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Flask]]:
    """Apps on databases of this module's own: imports add, change and close public outlets."""
    handles: list[Any] = []

    class Apps(dict):  # type: ignore[type-arg]
        def __missing__(self, kind: str) -> Flask:
            app, handle = make_app(kind, tmp_path_factory.mktemp(f"quality-imports-{kind}"))
            if handle is not None:
                handles.append(handle)
            self[kind] = app
            return app

    registry = Apps()
    yield registry
    for app in registry.values():
        with app.app_context():
            db.engine.dispose()
    for handle in handles:
        handle.drop()


@pytest.fixture
def qapp(own_apps: dict[str, Flask], db_kind: str) -> Iterator[Flask]:
    application = own_apps[db_kind]
    with application.app_context():
        yield application


def wait_for_job(app: Flask, job_id: int, timeout: float = 120) -> Job:
    # Requests share the test's session (its app context stays pushed): end the transaction the
    # last request left open, as popping the request's own context would; on SQLite a write
    # request's transaction holds the write lock the job needs.
    db.session.commit()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.get(Job, job_id)
            if job.status in ("done", "failed"):
                db.session.expunge(job)
                return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def real(*parts: str) -> Path:
    return shared_path("data", "real", *parts)


def overpass(path: Path, elements: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"version": 0.6, "elements": elements}))
    return path


def node(osm_id: int, version: int, lat: float, lon: float, **tags: str) -> dict[str, Any]:
    return {
        "type": "node",
        "id": osm_id,
        "version": version,
        "timestamp": f"2024-0{version}-01T00:00:00Z",
        "lat": lat,
        "lon": lon,
        "tags": {"shop": "supermarket", "addr:country": "DE", **tags},
    }


# --- OpenStreetMap ----------------------------------------------------------------------------


def test_osm_command_imports_kaiserslautern_then_the_pbf_changes_nothing(qapp: Flask, tmp_path: Path) -> None:
    """`rayon import osm` on the XML adds the shops with a summary; the same data as PBF is unchanged;
    the city-centre extract closes what it no longer has inside its bounds."""
    from server.quality.cli import import_group

    runner = qapp.test_cli_runner()
    first = runner.invoke(import_group, ["osm", str(real("osm_xml", "kaiserslautern_2013.osm.gz")), "--json"])
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert summary["added"] > 100 and summary["metadata_trusted"] is False
    assert summary["skipped"] == summary["shop_objects"] - summary["added"]
    assert summary["skipped_by_reason"]["shop=… is not a grocery, drugstore or food shop"] > 100
    assert summary["countries"] == {"DE": summary["added"]}
    again = runner.invoke(import_group, ["osm", str(real("osm_pbf", "kaiserslautern_2013.osm.pbf"))])
    assert again.exit_code == 0, again.output
    assert f"unchanged  {summary['added']}" in again.stdout and "added      0" in again.stdout
    assert "closed     0" in again.stdout
    centre = runner.invoke(import_group, ["osm", str(real("osm_xml", "kaiserslautern_centre_2013.osm")), "--json"])
    closed = json.loads(centre.stdout)
    assert closed["added"] == 0 and closed["unchanged"] > 20
    bad = runner.invoke(import_group, ["osm", str(real("chain_lists", "cora_fr_hypermarkets.csv"))])
    assert bad.exit_code != 0 and "not an OSM file" in bad.output


def test_newer_versions_update_missing_ones_close_older_ones_are_skipped(qapp: Flask, tmp_path: Path) -> None:
    """Upsert by id and version: v2 updates only what OSM changed, a missing element inside the
    bounds is closed (brands with an account there are told), v1 again is skipped, a reappearing
    element is reopened."""
    from server.quality.osm import import_osm

    tenant = make_tenant(qapp, name="OSM watchers")
    first = [
        node(9001, 1, 52.50, 13.40, name="Testmarkt Eins", brand="Lidl", opening_hours="Mo-Sa 08:00-20:00"),
        node(9002, 1, 52.51, 13.41, name="Testmarkt Zwei", opening_hours="dauerhaft geschlossen"),
        node(9003, 1, 52.505, 13.405, name="Testmarkt Drei", brand="Lidl"),
    ]
    summary = import_osm(db.session, overpass(tmp_path / "v1.json", first))
    db.session.commit()
    assert summary["added"] == 3 and summary["opening_hours_flagged"] == 1
    ids = dict(db.session.execute(select(Outlet.source_id, Outlet.id).where(Outlet.source == "osm")).all())
    flag = db.session.get(OutletFlag, (ids["node/9002"], "opening_hours_invalid"))
    assert flag is not None and db.session.get(Outlet, ids["node/9002"]).opening_hours == "dauerhaft geschlossen"
    db.session.add(Account(org_id=tenant.org_id, outlet_id=ids["node/9003"], status="customer", custom={}, tags=[]))
    db.session.commit()
    changed = [node(9001, 2, 52.50, 13.40, name="Testmarkt Eins Neu", brand="Lidl"), first[1]]
    summary = import_osm(db.session, overpass(tmp_path / "v2.json", changed))
    db.session.commit()
    assert (summary["updated"], summary["unchanged"], summary["closed"]) == (1, 1, 1)
    assert db.session.get(Outlet, ids["node/9001"]).name == "Testmarkt Eins Neu"
    assert db.session.get(Outlet, ids["node/9003"]).status == "closed"
    notice = db.session.execute(
        select(OutletChangeNotice).where(OutletChangeNotice.outlet_id == ids["node/9003"])
    ).scalar_one()
    assert notice.kind == "closed"
    client = tenant.client(qapp.test_client(), "admin")
    todo = client.get("/api/v1/todo").get_json()
    assert [c["outlet_id"] for c in todo["outlet_changes"]] == [ids["node/9003"]]
    summary = import_osm(db.session, overpass(tmp_path / "v1b.json", [first[0], *changed[1:], first[2]]))
    db.session.commit()
    assert summary["skipped_by_reason"] == {"older than the version already imported (v1 < v2)": 1}
    assert summary["reopened"] == 1 and db.session.get(Outlet, ids["node/9003"]).status == "open"


def test_osm_upload_is_a_moderators_job(qapp: Flask) -> None:
    """Through the API an import is a background job, for moderators only."""
    tenant = make_tenant(qapp, roles={"admin": "admin", "mod": "admin"}, name="OSM uploads")
    db.session.add(PlatformModerator(user_id=tenant.users["mod"]))
    db.session.commit()
    data = real("osm_pbf", "monaco_2019-09.osm.pbf").read_bytes()
    refused = tenant.client(qapp.test_client(), "admin").post(
        "/api/v1/imports/osm", data=data, content_type="application/octet-stream"
    )
    assert refused.status_code == 403
    moderator = tenant.client(qapp.test_client(), "mod")
    garbage = moderator.post("/api/v1/imports/osm", data=b"hello", content_type="application/octet-stream")
    assert garbage.status_code == 422 and garbage.get_json()["errors"][0]["field"] == "file"
    accepted = moderator.post("/api/v1/imports/osm", data=data, content_type="application/octet-stream")
    assert accepted.status_code == 202, accepted.get_json()
    job = wait_for_job(qapp, accepted.get_json()["job_id"])
    assert job.status == "done", job.error
    assert job.result["added"] >= 10 and job.result["countries"] == {"MC": job.result["added"]}
    listed = moderator.get("/api/v1/imports/osm").get_json()["items"]
    assert listed[0]["summary"]["kind"] == "pbf"


# --- customer lists ---------------------------------------------------------------------------


def test_cora_list_every_row_is_reported_then_applied_once(qapp: Flask) -> None:
    """The messy Cora file: each row matched, ambiguous or new with notes (BP, Cedex, 0,0);
    apply creates accounts and private outlets; the same file again changes nothing."""
    tenant = make_tenant(qapp, name="Cora buyer")
    admin = tenant.client(qapp.test_client(), "admin")
    data = real("chain_lists", "cora_fr_hypermarkets.csv").read_bytes()
    upload = admin.post(
        "/api/v1/customer-imports?banner=Cora&country=FR",
        data={"file": (io.BytesIO(data), "cora.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    body = upload.get_json()
    summary = body["summary"]
    assert summary["rows"] == 61 and summary["matched"] + summary["ambiguous"] + summary["new"] == 61
    assert body["columns"]["external_id"] == "magasin_id" and body["columns"]["address"] == "adress"
    assert summary["ignored_columns"] == ["region_name"]
    rows = admin.get(f"/api/v1/customer-imports/{body['id']}/rows?limit=100").get_json()["items"]
    assert len(rows) == 61
    by_id = {r["raw"]["magasin_id"]: r for r in rows}
    assert any("BP 20219" in n for n in by_id["72"]["notes"]) and by_id["72"]["values"]["city"] == "Alès"
    assert by_id["72"]["values"]["street"] == "Quai du mas d'hours"
    assert by_id["138"]["values"]["postcode"] == "02207" and by_id["138"]["values"]["cedex"] is True
    head_office = by_id["167"]
    assert any("0,0" in n for n in head_office["notes"]) and head_office["values"]["lat"] is None
    assert all(r["values"]["banner"] == "Cora" and r["values"]["name"].startswith("Cora") for r in rows)
    before = db.session.execute(select(func.count()).select_from(Outlet)).scalar_one()
    applied = admin.post(f"/api/v1/customer-imports/{body['id']}/apply")
    assert applied.status_code == 200, applied.get_json()
    changes = applied.get_json()["changes"]
    accounts = db.session.execute(
        select(func.count()).select_from(Account).where(Account.org_id == tenant.org_id)
    ).scalar_one()
    assert accounts == changes.get("accounts_created", 0) > 50
    assert db.session.execute(select(func.count()).select_from(Outlet)).scalar_one() == before + changes.get(
        "private_outlets_created", 0
    )
    again = admin.post("/api/v1/customer-imports?banner=Cora&country=FR", data=data, content_type="text/csv").get_json()
    assert again["summary"]["new"] == 0
    assert again["summary"]["matched_by"].get("external_id", 0) == accounts
    reapplied = admin.post(f"/api/v1/customer-imports/{again['id']}/apply").get_json()["changes"]
    assert reapplied.get("accounts_created", 0) == reapplied.get("private_outlets_created", 0) == 0
    assert admin.post(f"/api/v1/customer-imports/{body['id']}/apply").get_json()["changes"] == {}
    assert (
        db.session.execute(
            select(func.count()).select_from(Account).where(Account.org_id == tenant.org_id)
        ).scalar_one()
        == accounts
    )
    db.session.rollback()  # requests share this test's session: let it see the new tenant
    other = make_tenant(qapp, name="Cora other").client(qapp.test_client(), "admin")
    assert other.get(f"/api/v1/customer-imports/{body['id']}").status_code == 404


def _messy_list(qapp: Flask) -> tuple[bytes, list[int | None]]:
    """Twenty public outlets written badly, and three stores that are not in the data."""
    rows = db.session.execute(
        select(Outlet)
        .where(Outlet.org_id.is_(None), Outlet.source == "seed", Outlet.street.is_not(None))
        .where(Outlet.house_number.is_not(None), Outlet.postcode.is_not(None))
        .order_by(Outlet.id)
        .limit(20)
    ).scalars()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Kunden-Nr", "Geschäft", "Anschrift", "PLZ", "Ort", "Land"])
    truth: list[int | None] = []
    for i, o in enumerate(rows):
        street = (o.street or "").replace("straße", "str.").replace("Avenue", "av.")
        address = f"{o.house_number} {street}" if o.country == "FR" else f"{street} {o.house_number}"
        postcode = o.postcode.lstrip("0") if i % 3 == 0 else o.postcode
        writer.writerow([f"Q{i}", o.name.upper() if i % 2 else o.name, address, postcode, o.city.upper(), o.country])
        truth.append(o.id)
    for i, (name, city) in enumerate([("Kiosk Am Zoo", "Bremen"), ("Épicerie Zéphyr", "Lille"), ("Späti 24", "Kiel")]):
        writer.writerow([f"N{i}", name, f"Erfundene Gasse {i + 1}", "", city, "DE" if city != "Lille" else "FR"])
        truth.append(None)
    return buffer.getvalue().encode("cp1252"), truth


def test_a_messy_list_of_known_and_new_stores(qapp: Flask) -> None:
    """Capitals, abbreviations, lost zeros, no coordinates: known stores match their outlet,
    invented ones are new (placed on their town), and the Windows-1252 file reads."""
    tenant = make_tenant(qapp, name="Messy list")
    admin = tenant.client(qapp.test_client(), "manager")
    data, truth = _messy_list(qapp)
    body = admin.post("/api/v1/customer-imports", data=data, content_type="text/csv").get_json()
    assert body["encoding"] == "cp1252" and body["columns"]["name"] == "Geschäft"
    rows = admin.get(f"/api/v1/customer-imports/{body['id']}/rows?limit=100").get_json()["items"]
    outcomes = [(r["outcome"], r["outlet_id"]) for r in rows]
    for (outcome, outlet_id), expected in zip(outcomes, truth, strict=True):
        if expected is None:
            assert outcome == "new"
        else:
            assert outcome in ("matched", "ambiguous") and (outcome != "matched" or outlet_id == expected)
    assert sum(1 for o, _ in outcomes if o == "matched") >= 17
    assert all(r["score"] is None or 0 <= r["score"] <= 1 for r in rows)


def test_ambiguous_rows_wait_for_a_person(qapp: Flask) -> None:
    """Two stores of one chain in a town and a row naming neither: candidates are shown; the
    chosen one is applied at once after apply; skip leaves it out."""
    tenant = make_tenant(qapp, name="Resolver")
    admin = tenant.client(qapp.test_client(), "admin")
    pair = db.session.execute(
        select(Outlet.banner, Outlet.postcode, Outlet.city, Outlet.country)
        .where(Outlet.org_id.is_(None), Outlet.banner.is_not(None), Outlet.postcode.is_not(None))
        .group_by(Outlet.banner, Outlet.postcode, Outlet.city, Outlet.country)
        .having(func.count() >= 2)
        .limit(1)
    ).one()
    data = f"name,postcode,city,country\n{pair[0]},{pair[1]},{pair[2]},{pair[3]}\n".encode()
    body = admin.post("/api/v1/customer-imports", data=data, content_type="text/csv").get_json()
    row = admin.get(f"/api/v1/customer-imports/{body['id']}/rows").get_json()["items"][0]
    assert row["outcome"] == "ambiguous" and len(row["candidates"]) >= 2
    assert admin.post(f"/api/v1/customer-imports/{body['id']}/apply").get_json()["changes"] == {}
    bad = admin.post(f"/api/v1/customer-imports/{body['id']}/rows/{row['id']}/resolve", json={"outlet_id": 10**8})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "outlet_id"
    both = admin.post(
        f"/api/v1/customer-imports/{body['id']}/rows/{row['id']}/resolve", json={"outlet_id": 1, "decision": "new"}
    )
    assert both.status_code == 422
    chosen = row["candidates"][1]["outlet_id"]
    resolved = admin.post(f"/api/v1/customer-imports/{body['id']}/rows/{row['id']}/resolve", json={"outlet_id": chosen})
    assert resolved.status_code == 200, resolved.get_json()
    assert resolved.get_json()["applied"] == "created" and resolved.get_json()["method"] == "chosen"
    account = db.session.get(Account, resolved.get_json()["account_id"])
    assert account.outlet_id == chosen and account.org_id == tenant.org_id
    again = admin.post(f"/api/v1/customer-imports/{body['id']}/rows/{row['id']}/resolve", json={"decision": "skip"})
    assert again.status_code == 409


def test_saved_mappings_defaults_and_bad_input(qapp: Flask) -> None:
    """A mapping saved per organization maps odd column names; bad mappings name the field."""
    tenant = make_tenant(qapp, name="Mapper")
    admin = tenant.client(qapp.test_client(), "admin")
    mapping = admin.post(
        "/api/v1/customer-imports/mappings",
        json={"name": "ERP", "columns": {"name": "Bezeichnung", "city": "Wo"}, "defaults": {"country": "Germany"}},
    )
    assert mapping.status_code == 201, mapping.get_json()
    assert mapping.get_json()["defaults"] == {"country": "DE"}
    bad = admin.post("/api/v1/customer-imports/mappings", json={"name": "X", "columns": {"colour": "Farbe"}})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "columns.colour"
    bad = admin.post("/api/v1/customer-imports/mappings", json={"name": "Y", "defaults": {"format": "mall"}})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "defaults.format"
    assert admin.post("/api/v1/customer-imports/mappings", json={"name": "ERP"}).status_code == 409
    data = b"Bezeichnung;Wo\nKiosk Nirgendwo;Hintertupfingen-Nord\n"
    body = admin.post(
        f"/api/v1/customer-imports?mapping_id={mapping.get_json()['id']}", data=data, content_type="text/csv"
    ).get_json()
    assert body["columns"] == {"name": "Bezeichnung", "city": "Wo"} and body["defaults"] == {"country": "DE"}
    row = admin.get(f"/api/v1/customer-imports/{body['id']}/rows").get_json()["items"][0]
    assert row["outcome"] == "new" and any("no position" in n for n in row["notes"])
    applied = admin.post(f"/api/v1/customer-imports/{body['id']}/apply").get_json()
    assert applied["changes"] == {"skipped": 1}
    row = admin.get(f"/api/v1/customer-imports/{body['id']}/rows").get_json()["items"][0]
    assert row["applied"] == "skipped" and any("lacks" in n for n in row["notes"])
    wrong = admin.post(
        "/api/v1/customer-imports",
        data={"file": (io.BytesIO(data), "x.csv"), "columns": json.dumps({"name": "Nope"})},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422 and wrong.get_json()["errors"][0]["field"] == "columns.name"
    rep = tenant.client(qapp.test_client(), "rep1")
    assert rep.post("/api/v1/customer-imports", data=data, content_type="text/csv").status_code == 403
    assert admin.delete(f"/api/v1/customer-imports/mappings/{mapping.get_json()['id']}").status_code == 204


def test_large_lists_are_matched_by_a_job(qapp: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the inline limit the import is matched in the background; apply waits for it."""
    monkeypatch.setattr(customers, "INLINE_ROWS", 2)
    tenant = make_tenant(qapp, name="Big list")
    admin = tenant.client(qapp.test_client(), "admin")
    data, _ = _messy_list(qapp)
    body = admin.post("/api/v1/customer-imports", data=data, content_type="text/csv").get_json()
    assert body["status"] == "matching" and body["job_id"]
    job = wait_for_job(qapp, body["job_id"])
    assert job.status == "done", job.error
    assert job.result["rows"] == 23
    ready = admin.get(f"/api/v1/customer-imports/{body['id']}").get_json()
    assert ready["status"] == "ready" and ready["summary"]["matched"] >= 17
