"""Accounts, contacts, custom fields, territories, audit and GDPR, by role."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from flask import Flask

from server.accounts.models import Account
from server.accounts.service import anonymise_lost_contacts
from server.db import db
from tests.tenants import make_tenant, outlet_ids

SQUARE_MUNICH = [[11.40, 48.00], [11.80, 48.00], [11.80, 48.30], [11.40, 48.30], [11.40, 48.00]]


@pytest.fixture
def org(app: Flask) -> Any:
    """A fresh organization with six accounts in Munich: rep1 has two, rep2 one, rep3 one, two unassigned."""
    tenant = make_tenant(app, name="Accounts")
    client = app.test_client()
    admin = tenant.client(client, "admin")
    outlets = outlet_ids(app, city="München", limit=6)
    assert len(outlets) == 6, "the generated data has outlets in München"
    reps = ["rep1", "rep1", "rep2", "rep3", None, None]
    classes = ["A", "B", "C", "A", "B", None]
    ids = []
    for outlet, rep, klass in zip(outlets, reps, classes, strict=True):
        body = {
            "outlet_id": outlet,
            "status": "customer",
            "account_class": klass,
            "assigned_rep_id": tenant.users[rep] if rep else None,
            "tags": ["munich"],
        }
        response = admin.post("/api/v1/accounts", json=body)
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    tenant.accounts = ids
    tenant.outlets = outlets
    tenant.http = client
    return tenant


def ids_of(response: Any) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [a["id"] for a in response.get_json()["items"]]


def test_each_role_sees_its_own_accounts(org: Any) -> None:
    """Reps see theirs, the manager their team's and the unassigned, HQ and admin all."""
    a = org.accounts
    as_ = lambda who: org.client(org.http, who)  # noqa: E731
    assert ids_of(as_("rep1").get("/api/v1/accounts")) == [a[0], a[1]]
    assert ids_of(as_("rep3").get("/api/v1/accounts")) == [a[3]]
    assert ids_of(as_("manager").get("/api/v1/accounts")) == [a[0], a[1], a[2], a[4], a[5]]
    assert ids_of(as_("hq").get("/api/v1/accounts")) == a
    assert as_("rep1").get(f"/api/v1/accounts/{a[2]}").status_code == 404
    assert as_("rep1").get(f"/api/v1/accounts/{a[0]}").status_code == 200


def test_reps_read_but_do_not_change_accounts(org: Any) -> None:
    """A rep changing their own account gets 403, another rep's 404; nothing changes."""
    rep = org.client(org.http, "rep1")
    assert rep.patch(f"/api/v1/accounts/{org.accounts[0]}", json={"status": "lost"}).status_code == 403
    assert rep.patch(f"/api/v1/accounts/{org.accounts[2]}", json={"status": "lost"}).status_code == 404
    assert rep.post("/api/v1/accounts", json={"outlet_id": org.outlets[0]}).status_code == 403
    hq = org.client(org.http, "hq")
    assert hq.get(f"/api/v1/accounts/{org.accounts[0]}").get_json()["status"] == "customer"


def test_managers_assign_only_within_their_team(org: Any) -> None:
    """A manager can give an account to rep2 (team) but not to rep3 (not in the team)."""
    manager = org.client(org.http, "manager")
    ok = manager.patch(f"/api/v1/accounts/{org.accounts[4]}", json={"assigned_rep_id": org.users["rep2"]})
    assert ok.status_code == 200 and ok.get_json()["assigned_rep_id"] == org.users["rep2"]
    refused = manager.patch(f"/api/v1/accounts/{org.accounts[5]}", json={"assigned_rep_id": org.users["rep3"]})
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "assigned_rep_id"


def test_filters_and_sorting(org: Any) -> None:
    """Class, status, rep (id, me, none), tag, text and distance sorting filter the list."""
    hq = org.client(org.http, "hq")
    a = org.accounts
    assert ids_of(hq.get("/api/v1/accounts?class=A")) == [a[0], a[3]]
    assert ids_of(hq.get("/api/v1/accounts?class=B,C&status=customer")) == [a[1], a[2], a[4]]
    assert ids_of(hq.get(f"/api/v1/accounts?rep={org.users['rep1']}")) == [a[0], a[1]]
    assert ids_of(hq.get("/api/v1/accounts?rep=none")) == [a[4], a[5]]
    assert ids_of(org.client(org.http, "rep2").get("/api/v1/accounts?rep=me")) == [a[2]]
    assert ids_of(hq.get("/api/v1/accounts?tag=munich")) == a
    assert ids_of(hq.get("/api/v1/accounts?tag=other")) == []
    near = hq.get("/api/v1/accounts?near=48.1374,11.5755&sort=distance").get_json()["items"]
    distances = [i["distance_m"] for i in near]
    assert distances == sorted(distances) and len(near) == 6
    assert hq.get("/api/v1/accounts?rep=99999999").status_code == 404
    assert hq.get("/api/v1/accounts?class=D").status_code == 422
    assert hq.get("/api/v1/accounts?sort=distance").status_code == 422


def test_overdue_follows_visit_frequency(app: Flask, org: Any) -> None:
    """Never visited or visited longer ago than the frequency is overdue."""
    hq = org.client(org.http, "hq")
    assert len(ids_of(hq.get("/api/v1/accounts?overdue=true"))) == 6
    with app.app_context():
        account = db.session.get(Account, org.accounts[0])
        account.last_visit_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        account.visit_every_weeks = 2
        account.set_visit_due()
        db.session.commit()
    assert org.accounts[0] not in ids_of(hq.get("/api/v1/accounts?overdue=true"))
    assert ids_of(hq.get("/api/v1/accounts?overdue=false")) == [org.accounts[0]]


def test_duplicate_accounts_and_stale_versions_conflict(org: Any) -> None:
    """A second account on the same outlet, or an edit of an old version, is 409."""
    admin = org.client(org.http, "admin")
    assert admin.post("/api/v1/accounts", json={"outlet_id": org.outlets[0]}).status_code == 409
    current = admin.get(f"/api/v1/accounts/{org.accounts[0]}").get_json()
    assert (
        admin.patch(
            f"/api/v1/accounts/{org.accounts[0]}", json={"notes": "first", "version": current["version"]}
        ).status_code
        == 200
    )
    stale = admin.patch(f"/api/v1/accounts/{org.accounts[0]}", json={"notes": "second", "version": current["version"]})
    assert stale.status_code == 409
    assert admin.get(f"/api/v1/accounts/{org.accounts[0]}").get_json()["notes"] == "first"


def test_custom_fields_are_typed_and_validated(org: Any) -> None:
    """Values must match their definition's type and choices; required ones must be given."""
    admin = org.client(org.http, "admin")
    for definition in (
        {"key": "shelf_meters", "label": "Shelf metres", "type": "number"},
        {"key": "cooler", "label": "Cooler", "type": "choice", "choices": ["none", "own", "other"]},
        {"key": "contract_end", "label": "Contract end", "type": "date"},
    ):
        assert admin.post("/api/v1/custom-fields", json=definition).status_code == 201
    assert admin.post("/api/v1/custom-fields", json={"key": "x", "label": "X", "type": "choice"}).status_code == 422
    url = f"/api/v1/accounts/{org.accounts[1]}"
    good = admin.patch(url, json={"custom": {"shelf_meters": 4.5, "cooler": "own", "contract_end": "2027-03-31"}})
    assert good.status_code == 200 and good.get_json()["custom"]["cooler"] == "own"
    for custom, field in (
        ({"shelf_meters": "four"}, "custom.shelf_meters"),
        ({"cooler": "fridge"}, "custom.cooler"),
        ({"contract_end": "31.03.2027"}, "custom.contract_end"),
        ({"unknown": 1}, "custom.unknown"),
    ):
        response = admin.patch(url, json={"custom": custom})
        assert response.status_code == 422, custom
        assert response.get_json()["errors"][0]["field"] == field
    assert admin.get(url).get_json()["custom"]["shelf_meters"] == 4.5
    assert (
        admin.post(
            "/api/v1/custom-fields", json={"key": "must", "label": "Must", "type": "text", "required": True}
        ).status_code
        == 201
    )
    missing = admin.post("/api/v1/accounts", json={"outlet_id": outlet_ids(org_app(org), limit=40)[-1]})
    assert missing.status_code == 422 and missing.get_json()["errors"][0]["field"] == "custom.must"


def org_app(org: Any) -> Flask:
    return org.http.application


def test_private_outlet_account(org: Any) -> None:
    """An account for an outlet missing from the reference data creates a private outlet."""
    admin = org.client(org.http, "admin")
    response = admin.post(
        "/api/v1/accounts",
        json={
            "outlet": {
                "name": "Kiosk Zwieselquark",
                "format": "convenience",
                "street": "Quarkgasse",
                "house_number": "1",
                "postcode": "80331",
                "city": "München",
                "country": "DE",
                "lat": 48.137,
                "lon": 11.575,
                "phone": "089 21 21 21",
                "opening_hours": "Mo-Sa 06:00-22:00",
            }
        },
    )
    assert response.status_code == 201, response.get_json()
    outlet = response.get_json()["outlet"]
    assert outlet["private"] is True
    found = admin.get("/api/v1/outlets?q=kiosk zwieselquark quarkgasse").get_json()["items"]
    assert [o["id"] for o in found] == [outlet["id"]]
    bad = admin.post(
        "/api/v1/accounts",
        json={
            "outlet": {
                "name": "X",
                "format": "convenience",
                "city": "M",
                "country": "DE",
                "lat": 48.1,
                "lon": 11.5,
                "opening_hours": "sometimes",
            }
        },
    )
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "outlet.opening_hours"


def test_contacts_normalise_phones_and_validate_emails(org: Any) -> None:
    """Phones become E.164 in the outlet's country; invalid phones and emails are 422."""
    rep = org.client(org.http, "rep1")
    url = f"/api/v1/accounts/{org.accounts[0]}/contacts"
    created = rep.post(
        url,
        json={
            "name": "Anna Huber",
            "role": "Marktleiterin",
            "phone": "089 1234 5678",
            "email": "Anna.Huber@Example.de",
            "consent": True,
            "preferred_language": "de",
        },
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["phone"] == "+498912345678" and body["email"] == "anna.huber@example.de"
    assert body["consent"] is True and body["consent_at"]
    for payload, field in (
        ({"name": "X", "phone": "12"}, "phone"),
        ({"name": "X", "email": "nope"}, "email"),
        ({"phone": "+4989123456"}, "name"),
    ):
        response = rep.post(url, json=payload)
        assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == field
    assert org.client(org.http, "rep2").post(url, json={"name": "Y"}).status_code == 404


def test_bulk_update_is_all_or_nothing(app: Flask, org: Any) -> None:
    """A bulk change naming an invisible account changes nothing; a valid one changes all."""
    manager = org.client(org.http, "manager")
    refused = manager.post(
        "/api/v1/accounts/bulk", json={"ids": [org.accounts[0], org.accounts[3]], "set": {"account_class": "C"}}
    )
    assert refused.status_code == 404
    assert str(org.accounts[3]) in refused.get_json()["detail"]
    hq = org.client(org.http, "hq")
    assert hq.get(f"/api/v1/accounts/{org.accounts[0]}").get_json()["account_class"] == "A"
    ok = manager.post(
        "/api/v1/accounts/bulk",
        json={
            "ids": [org.accounts[0], org.accounts[1]],
            "set": {"account_class": "C", "add_tags": ["promo"], "visit_every_weeks": 2},
        },
    )
    assert ok.status_code == 200 and ok.get_json() == {"updated": 2}
    account = hq.get(f"/api/v1/accounts/{org.accounts[1]}").get_json()
    assert account["account_class"] == "C" and account["tags"] == ["munich", "promo"]


def test_export_csv_and_xlsx_follow_the_filters(org: Any) -> None:
    """HQ exports what a filter shows as CSV and XLSX; reps may not export."""
    hq = org.client(org.http, "hq")
    response = hq.get("/api/v1/accounts/export?class=A&output=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(int(r["account_id"]) for r in rows) == [org.accounts[0], org.accounts[3]]
    assert rows[0]["city"] == "München" and rows[0]["class"] == "A"
    xlsx = hq.get("/api/v1/accounts/export?output=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 7 and sheet.cell(1, 1).value == "account_id"
    assert org.client(org.http, "rep1").get("/api/v1/accounts/export").status_code == 403


def test_territories_assign_and_find_uncovered_accounts(org: Any) -> None:
    """Accounts inside a territory can be assigned in bulk; territory=none lists the rest."""
    manager = org.client(org.http, "manager")
    hq = org.client(org.http, "hq")
    assert len(ids_of(hq.get("/api/v1/accounts?territory=none"))) == 6
    created = manager.post(
        "/api/v1/territories",
        json={
            "name": "München",
            "color": "#1e88e5",
            "rep_ids": [org.users["rep2"]],
            "geometry": {"type": "Polygon", "coordinates": [SQUARE_MUNICH]},
        },
    )
    assert created.status_code == 201, created.get_json()
    territory = created.get_json()
    assert territory["geometry"]["type"] == "MultiPolygon" and territory["rep_ids"] == [org.users["rep2"]]
    inside = ids_of(hq.get(f"/api/v1/accounts?territory={territory['id']}"))
    assert inside and ids_of(hq.get("/api/v1/accounts?territory=none")) == sorted(set(org.accounts) - set(inside))
    assigned = manager.post(
        f"/api/v1/territories/{territory['id']}/assign", json={"rep_id": org.users["rep2"], "only_unassigned": True}
    )
    assert assigned.status_code == 200
    assert set(ids_of(hq.get(f"/api/v1/accounts?rep={org.users['rep2']}"))) >= {org.accounts[4], org.accounts[5]}
    bad = manager.post(
        "/api/v1/territories",
        json={
            "name": "Bad",
            "geometry": {"type": "Polygon", "coordinates": [[[11, 48], [12, 49], [12, 48], [11, 49], [11, 48]]]},
        },
    )
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "geometry.coordinates"
    assert (
        org.client(org.http, "rep1").post("/api/v1/territories", json={"name": "x", "geometry": {}}).status_code == 403
    )


def test_history_records_who_changed_what(org: Any) -> None:
    """Every change is in the account's history with the fields before and after."""
    manager = org.client(org.http, "manager")
    url = f"/api/v1/accounts/{org.accounts[0]}"
    manager.patch(url, json={"status": "lost", "notes": "closed for renovation"})
    history = manager.get(f"{url}/history").get_json()["items"]
    assert history[0]["action"] == "create"
    last = history[-1]
    assert last["action"] == "update" and last["user_id"] == org.users["manager"]
    assert last["changes"]["status"] == ["customer", "lost"]
    assert last["changes"]["notes"] == [None, "closed for renovation"]
    assert org.client(org.http, "rep1").get(f"{url}/history").status_code == 403


def test_gdpr_export_and_erasure(org: Any) -> None:
    """A contact's data can be exported; erasure removes it everywhere but keeps the history."""
    manager = org.client(org.http, "manager")
    contact = manager.post(
        f"/api/v1/accounts/{org.accounts[0]}/contacts",
        json={"name": "Jean Dupont", "email": "jean@example.fr", "phone": "+33 1 42 68 53 00"},
    ).get_json()
    manager.patch(f"/api/v1/contacts/{contact['id']}", json={"role": "Directeur"})
    exported = manager.get(f"/api/v1/contacts/{contact['id']}/gdpr-export").get_json()
    assert exported["contact"]["name"] == "Jean Dupont"
    assert [h["action"] for h in exported["history"]] == ["create", "update", "export"]
    assert org.client(org.http, "rep1").post(f"/api/v1/contacts/{contact['id']}/erase").status_code == 403
    erased = manager.post(f"/api/v1/contacts/{contact['id']}/erase").get_json()
    assert erased["erased"] is True and erased["name"] is None and erased["email"] is None
    history = manager.get(f"/api/v1/accounts/{org.accounts[0]}/history").get_json()["items"]
    text = str(history)
    assert "Jean Dupont" not in text and "jean@example.fr" not in text and "(erased)" in text
    assert any(h["action"] == "erase" for h in history)
    assert manager.patch(f"/api/v1/contacts/{contact['id']}", json={"name": "Back"}).status_code == 409


def test_retention_anonymises_contacts_of_long_lost_accounts(app: Flask, org: Any) -> None:
    """Contacts of accounts lost for longer than the retention period are erased."""
    manager = org.client(org.http, "manager")
    old = manager.post(f"/api/v1/accounts/{org.accounts[1]}/contacts", json={"name": "Old Contact"}).get_json()
    recent = manager.post(f"/api/v1/accounts/{org.accounts[2]}/contacts", json={"name": "Recent"}).get_json()
    manager.patch(f"/api/v1/accounts/{org.accounts[1]}", json={"status": "lost"})
    manager.patch(f"/api/v1/accounts/{org.accounts[2]}", json={"status": "lost"})
    with app.app_context():
        account = db.session.get(Account, org.accounts[1])
        account.status_changed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=800)
        db.session.commit()
        assert anonymise_lost_contacts(db.session, org_id=org.org_id) == 1
        db.session.commit()
    assert manager.get(f"/api/v1/contacts/{old['id']}").get_json()["erased"] is True
    assert manager.get(f"/api/v1/contacts/{recent['id']}").get_json()["name"] == "Recent"


def test_settings_are_validated(org: Any) -> None:
    """Admins change known settings to whole numbers; anything else is refused."""
    admin = org.client(org.http, "admin")
    assert (
        admin.patch("/api/v1/organization", json={"settings": {"geofence_m": 150}}).get_json()["settings"]["geofence_m"]
        == 150
    )
    assert admin.patch("/api/v1/organization", json={"settings": {"geofence": 1}}).status_code == 422
    assert admin.patch("/api/v1/organization", json={"settings": {"geofence_m": "wide"}}).status_code == 422
    assert org.client(org.http, "manager").patch("/api/v1/organization", json={"name": "X"}).status_code == 403
