"""Shared corrections, duplicates and re-verification, on a database of their own (they change
public outlets). Several brands work on the same stores; the tests prove what they may see."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from server.accounts.models import Account, Contact
from server.db import db
from server.outlets.models import Outlet
from server.quality.models import Correction, OutletFactSource, PlatformModerator
from server.visits.models import Visit
from tests.api.test_quality_imports import overpass, own_apps, qapp  # noqa: F401 - fixtures
from tests.tenants import As, Tenant, make_tenant

SECRET = "PRIVATE-NOTE-93b1"
ROLES = {"admin": "admin", "hq": "hq", "manager": "manager", "rep1": "rep", "rep2": "rep"}


def brand(app: Flask, name: str) -> Tenant:
    db.session.rollback()  # requests share the test's session: let it see the new users
    tenant = make_tenant(app, roles=ROLES, name=name)
    tenant.http = app.test_client()  # type: ignore[attr-defined]
    return tenant


def as_(tenant: Tenant, who: str) -> As:
    return tenant.client(tenant.http, who)  # type: ignore[attr-defined]


def public_outlet(offset: int = 0, **where: Any) -> Outlet:
    query = select(Outlet).where(Outlet.org_id.is_(None), Outlet.source == "seed", Outlet.status == "open")
    for key, value in where.items():
        query = query.where(getattr(Outlet, key) == value)
    return db.session.execute(query.order_by(Outlet.id).offset(offset).limit(1)).scalar_one()


def account(tenant: Tenant, outlet_id: int, rep: str = "rep1", force: bool = False, **fields: Any) -> dict[str, Any]:
    body = {"outlet_id": outlet_id, "assigned_rep_id": tenant.users[rep], **fields}
    response = as_(tenant, "admin").post("/api/v1/accounts" + ("?force=true" if force else ""), json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def moderator(app: Flask) -> Tenant:
    tenant = brand(app, "Platform")
    db.session.add(PlatformModerator(user_id=tenant.users["admin"]))
    db.session.commit()
    return tenant


# --- corrections --------------------------------------------------------------------------------


def test_a_correction_confirmed_by_two_brands_becomes_public(qapp: Flask) -> None:  # noqa: F811
    """One brand's proposal stays pending however many of its reps confirm; a second brand's
    confirmation makes it public, with its source and date; proposers stay anonymous."""
    a, b, c = brand(qapp, "Alpha"), brand(qapp, "Beta"), brand(qapp, "Gamma")
    outlet = public_outlet(3)
    account(c, outlet.id)
    first = as_(a, "rep1").post("/api/v1/corrections", json={"outlet_id": outlet.id, "kind": "closed"})
    assert first.status_code == 201, first.get_json()
    proposal = first.get_json()
    assert proposal["status"] == "pending" and proposal["yours"] and proposal["confirmed_by_organizations"] == 1
    again = as_(a, "rep2").post("/api/v1/corrections", json={"outlet_id": outlet.id, "kind": "closed"})
    assert again.status_code == 200 and again.get_json()["id"] == proposal["id"]
    assert again.get_json()["status"] == "pending"  # the same brand twice is still one brand
    seen_by_b = as_(b, "rep1").get(f"/api/v1/corrections/{proposal['id']}")
    text = seen_by_b.get_data(as_text=True)
    assert seen_by_b.get_json()["yours"] is False and seen_by_b.get_json()["proposed_by_user_id"] is None
    assert "Alpha" not in text and a.emails["rep1"] not in text
    confirmed = as_(b, "rep1").post("/api/v1/corrections", json={"outlet_id": outlet.id, "kind": "closed"})
    assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "accepted"
    assert confirmed.get_json()["decided_by"] == "organizations"
    db.session.expire_all()
    assert db.session.get(Outlet, outlet.id).status == "closed"
    source = db.session.get(OutletFactSource, (outlet.id, "status"))
    assert source.source == "correction" and source.verified_at == dt.date.today()
    facts = as_(c, "rep1").get(f"/api/v1/quality/outlets/{outlet.id}/facts").get_json()
    assert facts["facts"]["status"] == {
        "value": "closed",
        "source": "correction",
        "verified_at": dt.date.today().isoformat(),
    }
    todo = as_(c, "rep1").get("/api/v1/todo").get_json()["outlet_changes"]
    assert [(n["outlet_id"], n["change"]) for n in todo] == [(outlet.id, "closed")]
    assert as_(a, "rep1").get("/api/v1/todo").get_json()["outlet_changes"] == []  # no account there
    assert as_(c, "rep1").post(f"/api/v1/quality/notices/{todo[0]['notice_id']}/dismiss").status_code == 204
    assert as_(c, "manager").get("/api/v1/todo").get_json()["outlet_changes"] == []
    assert as_(b, "rep1").post(f"/api/v1/quality/notices/{todo[0]['notice_id']}/dismiss").status_code == 404
    counts = as_(a, "rep1").get("/api/v1/corrections/counts").get_json()
    assert counts["you"] == 1
    assert as_(a, "manager").get("/api/v1/corrections/counts").get_json()["items"][0] == {
        "user_id": a.users["rep1"],
        "name": counts["items"][0]["name"],
        "accepted_corrections": 1,
    }
    late = as_(b, "rep2").post(f"/api/v1/corrections/{proposal['id']}/votes", json={"vote": "reject"})
    assert late.status_code == 409


def test_private_data_can_never_enter_a_correction(qapp: Flask) -> None:  # noqa: F811
    """Values are public facts only: notes, customer status, contacts are refused naming the
    field, on the API and through the offline sync; nothing of a brand's account leaks."""
    a, b = brand(qapp, "Privacy A"), brand(qapp, "Privacy B")
    outlet = public_outlet(5)
    mine = account(a, outlet.id, status="customer", notes=SECRET, tags=[SECRET])
    contact = as_(a, "admin").post(
        f"/api/v1/accounts/{mine['id']}/contacts", json={"name": SECRET, "email": "secret@a.test"}
    )
    assert contact.status_code == 201
    refused = [
        ({"kind": "renamed", "values": {"name": "X", "notes": SECRET}}, "values.notes"),
        ({"kind": "renamed", "values": {"name": "X", "status": "customer"}}, "values.status"),
        ({"kind": "contact", "values": {"phone": "+49 89 1234567", "email": "secret@a.test"}}, "values.email"),
        ({"kind": "contact", "values": {"contact_name": SECRET}}, "values.contact_name"),
        ({"kind": "closed", "values": {"account_class": "A"}}, "values.account_class"),
        ({"kind": "closed", "notes": SECRET}, "notes"),
        ({"kind": "opening_hours", "values": {"opening_hours": "whenever"}}, "values.opening_hours"),
        ({"kind": "moved", "values": {"lat": 91, "lon": 2}}, "values.lat"),
        ({"kind": "format", "values": {"format": "bazaar"}}, "values.format"),
        ({"kind": "renamed"}, "values.name"),
    ]
    for body, field in refused:
        response = as_(a, "rep1").post("/api/v1/corrections", json={"outlet_id": outlet.id, **body})
        assert response.status_code == 422, (body, response.get_json())
        assert field in [e["field"] for e in response.get_json()["errors"]], (body, response.get_json())
    synced = (
        as_(a, "rep1")
        .post(
            "/api/v1/sync",
            json={
                "changes": [
                    {
                        "uuid": str(uuid.uuid4()),
                        "kind": "correction.propose",
                        "client_at": dt.datetime.now(dt.UTC).isoformat(),
                        "data": {"outlet_id": outlet.id, "kind": "contact", "values": {"phone": None, "notes": SECRET}},
                    }
                ]
            },
        )
        .get_json()["results"][0]
    )
    assert synced["status"] == "rejected" and synced["problem"]["errors"][0]["field"] == "values.notes"
    ok = as_(a, "rep1").post(
        "/api/v1/corrections",
        json={"outlet_id": outlet.id, "kind": "contact", "values": {"website": "https://example.org/store"}},
    )
    assert ok.status_code == 201
    assert all(
        set(c.values) <= {"name", "banner", "phone", "website", "opening_hours", "format", "lat", "lon"}
        for c in db.session.execute(select(Correction)).scalars()
        if c.kind != "new_outlet"
    )
    for path in ("/api/v1/corrections", f"/api/v1/corrections/{ok.get_json()['id']}", "/api/v1/corrections/counts"):
        text = as_(b, "rep1").get(path).get_data(as_text=True)
        assert SECRET not in text and "secret@a.test" not in text
    assert SECRET not in json.dumps([c.values for c in db.session.execute(select(Correction)).scalars()])


def test_conflicting_proposals_side_by_side_and_a_moderator_decides(qapp: Flask) -> None:  # noqa: F811
    """Different opening hours for one store are shown together; a moderator's confirmation
    applies one and supersedes the other; a moderator can also reject."""
    a, b, mod = brand(qapp, "Hours A"), brand(qapp, "Hours B"), moderator(qapp)
    outlet = public_outlet(7)
    one = (
        as_(a, "rep1")
        .post(
            "/api/v1/corrections",
            json={"outlet_id": outlet.id, "kind": "opening_hours", "values": {"opening_hours": "Mo-Sa 08:00-20:00"}},
        )
        .get_json()
    )
    two = (
        as_(b, "rep1")
        .post(
            "/api/v1/corrections",
            json={"outlet_id": outlet.id, "kind": "opening_hours", "values": {"opening_hours": "Mo-Fr 09:00-18:00"}},
        )
        .get_json()
    )
    assert one["id"] != two["id"]
    detail = as_(b, "rep1").get(f"/api/v1/corrections/{two['id']}").get_json()
    assert [c["id"] for c in detail["conflicting"]] == [one["id"]]
    assert detail["current"] == {"opening_hours": outlet.opening_hours}
    facts = as_(b, "rep1").get(f"/api/v1/quality/outlets/{outlet.id}/facts").get_json()
    assert {c["id"] for c in facts["pending_corrections"]["opening_hours"]} == {one["id"], two["id"]}
    decided = as_(mod, "admin").post(f"/api/v1/corrections/{two['id']}/votes", json={"vote": "confirm"})
    assert decided.get_json()["status"] == "accepted" and decided.get_json()["decided_by"] == "moderator"
    db.session.expire_all()
    assert db.session.get(Outlet, outlet.id).opening_hours == "Mo-Fr 09:00-18:00"
    assert as_(a, "rep1").get(f"/api/v1/corrections/{one['id']}").get_json()["status"] == "superseded"
    renamed = (
        as_(a, "rep1")
        .post("/api/v1/corrections", json={"outlet_id": outlet.id, "kind": "renamed", "values": {"name": "Nonsense"}})
        .get_json()
    )
    rejected = as_(mod, "admin").post(f"/api/v1/corrections/{renamed['id']}/votes", json={"vote": "reject"})
    assert rejected.get_json()["status"] == "rejected"
    db.session.expire_all()
    assert db.session.get(Outlet, outlet.id).name == outlet.name


def test_moves_new_outlets_offline_and_withdrawals(qapp: Flask) -> None:  # noqa: F811
    """Two reps' GPS fixes a few metres apart are one proposal; a new store proposed offline
    and confirmed by another brand becomes a public outlet; a withdrawn proposal is private."""
    from tests.data import destination

    a, b, c = brand(qapp, "Move A"), brand(qapp, "Move B"), brand(qapp, "Move C")
    outlet = public_outlet(9)
    account(c, outlet.id)
    lat, lon = db.session.execute(
        select(func.ST_Y(Outlet.geom), func.ST_X(Outlet.geom)).where(Outlet.id == outlet.id)
    ).one()
    there = destination(lat, lon, 90, 400)
    close_by = destination(there[0], there[1], 0, 12)
    first = (
        as_(a, "rep1")
        .post(
            "/api/v1/corrections",
            json={"outlet_id": outlet.id, "kind": "moved", "values": {"lat": there[0], "lon": there[1]}},
        )
        .get_json()
    )
    second = as_(b, "rep1").post(
        "/api/v1/corrections",
        json={"outlet_id": outlet.id, "kind": "moved", "values": {"lat": close_by[0], "lon": close_by[1]}},
    )
    assert second.status_code == 200 and second.get_json()["id"] == first["id"]
    assert second.get_json()["status"] == "accepted"
    notices = as_(c, "rep1").get("/api/v1/quality/notices").get_json()["items"]
    assert notices[0]["change"] == "moved" and 380 <= notices[0]["detail"]["distance_m"] <= 420
    new = {
        "name": "Kiosk Neuland",
        "format": "convenience",
        "street": "Neulandweg",
        "house_number": "1",
        "city": "Luxembourg",
        "country": "LU",
        "lat": 49.59,
        "lon": 6.10,
    }
    change = {
        "uuid": str(uuid.uuid4()),
        "kind": "correction.propose",
        "client_at": dt.datetime.now(dt.UTC).isoformat(),
        "data": {"kind": "new_outlet", "values": new},
    }
    result = as_(a, "rep1").post("/api/v1/sync", json={"changes": [change]}).get_json()["results"][0]
    assert result["status"] == "applied", result
    assert result["result"]["correction"]["status"] == "pending"
    repeat = as_(a, "rep1").post("/api/v1/sync", json={"changes": [change]}).get_json()["results"][0]
    assert repeat["status"] == "duplicate"
    confirmed = (
        as_(b, "rep2")
        .post(
            "/api/v1/corrections",
            json={"kind": "new_outlet", "values": {**new, "name": "KIOSK NEULAND", "lat": 49.5901}},
        )
        .get_json()
    )
    assert confirmed["status"] == "accepted" and confirmed["outlet_id"]
    found = as_(c, "rep1").get("/api/v1/outlets?q=kiosk neuland").get_json()["items"]
    assert [o["id"] for o in found] == [confirmed["outlet_id"]] and found[0]["source"] == "rayon"
    duplicate = as_(c, "rep1").post("/api/v1/corrections", json={"kind": "new_outlet", "values": new})
    assert duplicate.status_code == 409 and duplicate.get_json()["duplicates"][0]["outlet_id"] == confirmed["outlet_id"]
    withdrawn = (
        as_(a, "rep1")
        .post(
            "/api/v1/corrections", json={"outlet_id": outlet.id, "kind": "format", "values": {"format": "specialist"}}
        )
        .get_json()
    )
    assert as_(b, "rep1").post(f"/api/v1/corrections/{withdrawn['id']}/withdraw").status_code == 403
    assert as_(a, "rep2").post(f"/api/v1/corrections/{withdrawn['id']}/withdraw").get_json()["status"] == "withdrawn"
    assert as_(b, "rep1").get(f"/api/v1/corrections/{withdrawn['id']}").status_code == 404
    assert as_(a, "rep1").get(f"/api/v1/corrections/{withdrawn['id']}").status_code == 200
    assert withdrawn["id"] not in [c["id"] for c in as_(b, "rep1").get("/api/v1/corrections").get_json()["items"]]


# --- duplicates ---------------------------------------------------------------------------------


def test_a_new_outlet_that_looks_like_an_existing_one_is_answered_first(qapp: Flask) -> None:  # noqa: F811
    """Creating an account with a new private outlet 20 m from the same store: 409 with the
    likely duplicate and nothing created; ?force=true creates it; linking uses the outlet."""
    from tests.data import destination

    a = brand(qapp, "Creator")
    outlet = public_outlet(11, country="DE")
    lat, lon = db.session.execute(
        select(func.ST_Y(Outlet.geom), func.ST_X(Outlet.geom)).where(Outlet.id == outlet.id)
    ).one()
    near = destination(lat, lon, 45, 20)
    body = {
        "outlet": {
            "name": outlet.name.upper(),
            "format": outlet.format,
            "street": outlet.street,
            "house_number": outlet.house_number,
            "postcode": outlet.postcode,
            "city": outlet.city,
            "country": outlet.country,
            "lat": near[0],
            "lon": near[1],
        }
    }
    count = db.session.execute(select(func.count()).select_from(Outlet)).scalar_one()
    manager = as_(a, "manager")
    refused = manager.post("/api/v1/accounts", json=body)
    assert refused.status_code == 409, refused.get_json()
    duplicates = refused.get_json()["duplicates"]
    assert duplicates[0]["outlet_id"] == outlet.id and duplicates[0]["score"] >= 0.72
    assert duplicates[0]["reasons"]
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Outlet)).scalar_one() == count
    checked = manager.post("/api/v1/duplicates/check", json=body["outlet"]).get_json()["duplicates"]
    assert checked[0]["outlet_id"] == outlet.id
    assert manager.post("/api/v1/accounts?force=maybe", json=body).status_code == 422
    linked = manager.post("/api/v1/accounts", json={"outlet_id": duplicates[0]["outlet_id"]})
    assert linked.status_code == 201 and linked.get_json()["outlet"]["id"] == outlet.id
    forced = as_(a, "admin").post("/api/v1/accounts?force=true", json=body)
    assert forced.status_code == 201 and forced.get_json()["outlet"]["private"] is True


def test_duplicate_finder_and_merge_across_brands(qapp: Flask, tmp_path: Path) -> None:  # noqa: F811
    """Two OSM elements of one Lidl 40 m apart are found with a score; a moderator merges them:
    every brand's account, visits and responses follow, without anyone learning about the
    other brands; a later import does not bring the merged element back."""
    from server.quality.osm import import_osm
    from tests.data import destination

    a, b, mod = brand(qapp, "Merge A"), brand(qapp, "Merge B"), moderator(qapp)
    base = (53.0, 9.0)
    other = destination(*base, 80, 40)
    file = overpass(
        tmp_path / "lidl.json",
        [
            {"type": "node", "id": 880001, "lat": base[0], "lon": base[1],
             "tags": {"shop": "supermarket", "name": "Lidl", "addr:street": "Hafenstraße", "addr:housenumber": "5",
                      "addr:country": "DE"}},
            {"type": "way", "id": 880002, "center": {"lat": other[0], "lon": other[1]}, "nodes": [1, 2],
             "tags": {"shop": "supermarket", "brand": "Lidl", "building": "retail", "addr:country": "DE"}},
        ],
    )  # fmt: skip
    summary = import_osm(db.session, file)
    db.session.commit()
    assert summary["added"] == 2
    keep_id, drop_id = (
        db.session.execute(select(Outlet.id).where(Outlet.source_id == sid)).scalar_one()
        for sid in ("node/880001", "way/880002")
    )
    a_keep, a_drop = account(a, keep_id), account(a, drop_id, force=True)  # one store, twice: A insists
    b_drop = account(b, drop_id, notes=SECRET)
    visit = as_(a, "rep1").post("/api/v1/visits", json={"uuid": str(uuid.uuid4()), "account_id": a_drop["id"]})
    assert visit.status_code == 201
    contact = as_(a, "admin").post(f"/api/v1/accounts/{a_drop['id']}/contacts", json={"name": "Frau Hafen"})
    assert contact.status_code == 201, contact.get_json()
    refused = as_(a, "manager").post(
        "/api/v1/duplicates/scan", json={"scope": "public", "bbox": [8.9, 52.9, 9.1, 53.1]}
    )
    assert refused.status_code == 403
    scan = as_(mod, "admin").post("/api/v1/duplicates/scan", json={"scope": "public", "bbox": [8.9, 52.9, 9.1, 53.1]})
    assert scan.status_code == 200 and scan.get_json()["new_pairs"] == 1, scan.get_json()
    pairs = as_(a, "rep1").get("/api/v1/duplicates?scope=public&bbox=8.9,52.9,9.1,53.1").get_json()["items"]
    assert len(pairs) == 1 and pairs[0]["score"] >= 0.6 and 35 <= pairs[0]["distance_m"] <= 45
    assert {o["id"] for o in pairs[0]["outlets"]} == {keep_id, drop_id}
    assert [o["your_accounts"] for o in pairs[0]["outlets"]] == [1, 1]
    pair_id = pairs[0]["id"]
    assert (
        as_(a, "admin").post(f"/api/v1/duplicates/{pair_id}/merge", json={"keep_outlet_id": keep_id}).status_code == 403
    )
    bad = as_(mod, "admin").post(f"/api/v1/duplicates/{pair_id}/merge", json={"keep_outlet_id": 1})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "keep_outlet_id"
    merged = as_(mod, "admin").post(f"/api/v1/duplicates/{pair_id}/merge", json={"keep_outlet_id": keep_id})
    assert merged.status_code == 200, merged.get_json()
    assert merged.get_json()["moved"] == {"accounts": 0, "visits": 0, "responses": 0}  # nothing of the moderator's
    assert SECRET not in merged.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Outlet, drop_id) is None
    assert db.session.get(Account, b_drop["id"]).outlet_id == keep_id  # B's account followed
    assert db.session.get(Account, a_drop["id"]) is None  # A had both: one account remains
    assert db.session.get(Visit, visit.get_json()["id"]).account_id == a_keep["id"]
    assert db.session.get(Contact, contact.get_json()["id"]).account_id == a_keep["id"]  # history kept
    assert as_(b, "rep1").get(f"/api/v1/accounts/{b_drop['id']}").get_json()["outlet"]["id"] == keep_id
    again = import_osm(db.session, file)
    db.session.commit()
    assert again["skipped_by_reason"] == {f"merged into outlet {keep_id}": 1} and again["added"] == 0


def test_an_account_on_the_same_store_twice_in_the_data_is_answered_first(qapp: Flask, tmp_path: Path) -> None:  # noqa: F811
    """The same Netto twice in OSM (a node and its building, 30 m apart): a brand with an account
    on one is answered 409 with that account when it opens one on the other; ?force=true opens
    it; a brand with no account on either opens it at once; nothing is created by the 409."""
    from server.quality.osm import import_osm
    from tests.data import destination

    a, b = brand(qapp, "Twice A"), brand(qapp, "Twice B")
    base = (53.4, 9.4)
    other = destination(*base, 120, 30)
    tags = {"shop": "supermarket", "name": "Netto", "addr:street": "Moorweg", "addr:housenumber": "3"}
    file = overpass(
        tmp_path / "netto.json",
        [
            {"type": "node", "id": 891001, "lat": base[0], "lon": base[1], "tags": {**tags, "addr:country": "DE"}},
            {"type": "way", "id": 891002, "center": {"lat": other[0], "lon": other[1]}, "nodes": [1, 2],
             "tags": {**tags, "building": "retail", "addr:country": "DE"}},
        ],
    )  # fmt: skip
    assert import_osm(db.session, file)["added"] == 2
    db.session.commit()
    first, second = (
        db.session.execute(select(Outlet.id).where(Outlet.source_id == sid)).scalar_one()
        for sid in ("node/891001", "way/891002")
    )
    existing = account(a, first)
    count = db.session.execute(select(func.count()).select_from(Account)).scalar_one()
    body = {"outlet_id": second, "assigned_rep_id": a.users["rep1"]}
    refused = as_(a, "admin").post("/api/v1/accounts", json=body)
    assert refused.status_code == 409, refused.get_json()
    problem = refused.get_json()
    assert problem["account_id"] == existing["id"]
    assert [d["outlet_id"] for d in problem["duplicates"]] == [first] and problem["duplicates"][0]["score"] >= 0.72
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Account)).scalar_one() == count
    assert as_(a, "admin").post("/api/v1/accounts?force=true", json=body).status_code == 201
    assert account(b, second)["outlet"]["id"] == second  # B has no account on the other: no question


def test_a_merge_is_undone(qapp: Flask, tmp_path: Path) -> None:  # noqa: F811
    """Undo puts back the merged outlet with its OSM identity, every brand's account on it, the
    account folded into its twin with its visit and contact, and the facts copied over; the pair
    is open again; only whoever may merge it undoes it, and only once."""
    from server.quality.osm import import_osm
    from tests.data import destination

    a, b, mod = brand(qapp, "Undo A"), brand(qapp, "Undo B"), moderator(qapp)
    base = (53.2, 9.2)
    other = destination(*base, 80, 40)
    file = overpass(
        tmp_path / "penny.json",
        [
            {"type": "node", "id": 890001, "lat": base[0], "lon": base[1],
             "tags": {"shop": "supermarket", "name": "Penny", "addr:country": "DE"}},
            {"type": "way", "id": 890002, "center": {"lat": other[0], "lon": other[1]}, "nodes": [1, 2],
             "tags": {"shop": "supermarket", "brand": "Penny", "addr:street": "Deichweg", "addr:country": "DE"}},
        ],
    )  # fmt: skip
    assert import_osm(db.session, file)["added"] == 2
    db.session.commit()
    keep_id, drop_id = (
        db.session.execute(select(Outlet.id).where(Outlet.source_id == sid)).scalar_one()
        for sid in ("node/890001", "way/890002")
    )
    a_keep, a_drop = account(a, keep_id), account(a, drop_id, force=True)  # one store, twice: A insists
    b_drop = account(b, drop_id, notes=SECRET)
    visit = as_(a, "rep1").post("/api/v1/visits", json={"uuid": str(uuid.uuid4()), "account_id": a_drop["id"]})
    contact = as_(a, "admin").post(f"/api/v1/accounts/{a_drop['id']}/contacts", json={"name": "Herr Deich"})
    assert visit.status_code == contact.status_code == 201
    box = {"scope": "public", "bbox": [9.1, 53.1, 9.3, 53.3]}
    assert as_(mod, "admin").post("/api/v1/duplicates/scan", json=box).get_json()["new_pairs"] == 1
    pair_id = as_(mod, "admin").get("/api/v1/duplicates?scope=public&bbox=9.1,53.1,9.3,53.3").get_json()["items"][0]
    pair_id = pair_id["id"]
    assert as_(mod, "admin").post(f"/api/v1/duplicates/{pair_id}/undo").status_code == 409  # not merged yet
    merged = as_(mod, "admin").post(f"/api/v1/duplicates/{pair_id}/merge", json={"keep_outlet_id": keep_id})
    assert merged.status_code == 200, merged.get_json()
    db.session.expire_all()
    assert db.session.get(Outlet, keep_id).street == "Deichweg"  # the gap was filled
    assert as_(a, "admin").post(f"/api/v1/duplicates/{pair_id}/undo").status_code == 403
    assert as_(b, "admin").post("/api/v1/duplicates/999999/undo").status_code == 404
    undone = as_(mod, "admin").post(f"/api/v1/duplicates/{pair_id}/undo")
    assert undone.status_code == 200, undone.get_json()
    assert undone.get_json()["status"] == "open" and SECRET not in undone.get_data(as_text=True)
    db.session.expire_all()
    restored = db.session.get(Outlet, drop_id)
    assert restored is not None and restored.source_id == "way/890002" and restored.street == "Deichweg"
    assert db.session.get(Outlet, keep_id).street is None  # the copied fact was taken back
    assert db.session.get(Account, b_drop["id"]).outlet_id == drop_id
    assert db.session.get(Account, a_drop["id"]).outlet_id == drop_id
    assert db.session.get(Account, a_keep["id"]).outlet_id == keep_id
    assert db.session.get(Visit, visit.get_json()["id"]).account_id == a_drop["id"]
    assert db.session.get(Contact, contact.get_json()["id"]).account_id == a_drop["id"]
    assert as_(b, "rep1").get(f"/api/v1/accounts/{b_drop['id']}").get_json()["notes"] == SECRET
    assert as_(mod, "admin").post(f"/api/v1/duplicates/{pair_id}/undo").status_code == 409  # once
    near = (base[0] + 0.0002, base[1])
    assert restored.id in {
        o["id"] for o in as_(a, "rep1").get(f"/api/v1/outlets?near={near[0]},{near[1]}&radius=500").get_json()["items"]
    }
    again = import_osm(db.session, file)  # the element is known again: nothing added, nothing skipped as merged
    db.session.commit()
    assert again["added"] == 0 and again["skipped"] == 0


def test_private_duplicates_are_the_brands_own_business(qapp: Flask) -> None:  # noqa: F811
    """A brand's private outlet next to the same public store: its managers find and merge the
    pair into the public outlet; no other brand sees the pair."""
    from tests.data import destination

    a, b = brand(qapp, "Private dup A"), brand(qapp, "Private dup B")
    outlet = public_outlet(13, country="FR")
    lat, lon = db.session.execute(
        select(func.ST_Y(Outlet.geom), func.ST_X(Outlet.geom)).where(Outlet.id == outlet.id)
    ).one()
    near = destination(lat, lon, 180, 25)
    created = (
        as_(a, "admin")
        .post(
            "/api/v1/accounts?force=true",
            json={
                "outlet": {
                    "name": outlet.name,
                    "format": outlet.format,
                    "city": outlet.city,
                    "country": outlet.country,
                    "lat": near[0],
                    "lon": near[1],
                },
                "notes": SECRET,
            },
        )
        .get_json()
    )
    scan = as_(a, "manager").post("/api/v1/duplicates/scan").get_json()
    assert scan["new_pairs"] == 1
    pair = as_(a, "manager").get("/api/v1/duplicates?scope=yours").get_json()["items"][0]
    assert pair["scope"] == "yours"
    assert as_(b, "admin").get(f"/api/v1/duplicates/{pair['id']}").status_code == 404
    assert pair["id"] not in [p["id"] for p in as_(b, "admin").get("/api/v1/duplicates").get_json()["items"]]
    private_id = created["outlet"]["id"]
    refused = as_(a, "manager").post(f"/api/v1/duplicates/{pair['id']}/merge", json={"keep_outlet_id": private_id})
    assert refused.status_code == 422
    merged = as_(a, "manager").post(f"/api/v1/duplicates/{pair['id']}/merge", json={"keep_outlet_id": outlet.id})
    assert merged.get_json()["moved"]["accounts"] == 1
    moved = as_(a, "admin").get(f"/api/v1/accounts/{created['id']}").get_json()
    assert moved["outlet"]["id"] == outlet.id and moved["notes"] == SECRET
    assert SECRET not in json.dumps(as_(b, "admin").get(f"/api/v1/quality/outlets/{outlet.id}/facts").get_json())


# --- re-verification and the quality view -------------------------------------------------------


def test_due_lists_verification_in_store_and_the_quality_view(qapp: Flask) -> None:  # noqa: F811
    """Old facts are due, nearest first; confirming in the store (not from afar) clears them;
    contacts too; the quality view counts completeness and freshness with a weekly trend."""
    a = brand(qapp, "Verifier")
    outlet = public_outlet(15)
    mine = account(a, outlet.id)
    contact = as_(a, "rep1").post(f"/api/v1/accounts/{mine['id']}/contacts", json={"name": "Eva Store"}).get_json()
    db.session.rollback()
    db.session.get(Outlet, outlet.id).last_verified_at = dt.date(2020, 1, 1)
    db.session.commit()
    lat, lon = mine["outlet"]["lat"], mine["outlet"]["lon"]
    due = as_(a, "rep1").get(f"/api/v1/quality/due?near={lat},{lon}&radius=2000").get_json()
    assert [o["outlet_id"] for o in due["outlets"]] == [outlet.id] and due["outlets"][0]["distance_m"] < 1
    assert [c["contact_id"] for c in due["contacts"]] == [contact["id"]]
    far = as_(a, "rep1").post(f"/api/v1/quality/outlets/{outlet.id}/verify", json={"lat": lat + 0.05, "lon": lon})
    assert far.status_code == 422 and far.get_json()["errors"][0]["field"] == "lat"
    assert as_(a, "hq").post(f"/api/v1/quality/outlets/{outlet.id}/verify").status_code == 403
    here = as_(a, "rep1").post(f"/api/v1/quality/outlets/{outlet.id}/verify", json={"lat": lat, "lon": lon})
    assert here.status_code == 200 and here.get_json()["last_verified_at"] == dt.date.today().isoformat()
    assert as_(a, "rep1").post(f"/api/v1/quality/contacts/{contact['id']}/verify").status_code == 200
    due = as_(a, "rep1").get(f"/api/v1/quality/due?near={lat},{lon}&radius=2000").get_json()
    assert due["outlets"] == [] and due["contacts"] == []
    assert as_(a, "rep1").get("/api/v1/quality/due?radius=5").status_code == 422
    assert as_(a, "rep1").get("/api/v1/quality/report").status_code == 403
    report = as_(a, "hq").get("/api/v1/quality/report").get_json()
    assert report["outlets"]["count"] == 1 and report["freshness"]["verified_recently"] == 1.0
    assert report["contacts"] == {"count": 1, "with_phone": 0.0, "with_email": 0.0, "verified_recently": 1.0}
    assert set(report["outlets"]["completeness"]) >= {"street", "postcode", "phone", "opening_hours"}
    assert report["trend"][-1]["outlets"] == 1
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    assert report["trend"][-1]["week"] == monday.isoformat()
