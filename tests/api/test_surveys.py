"""Forms, targeting, responses and photos through the API, by role, on both databases."""

from __future__ import annotations

import datetime as dt
import io
import uuid as uuidlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from server.accounts.models import Account
from server.catalog.demo import seed_catalog_and_forms
from server.db import db
from server.outlets.models import Outlet
from tests.tenants import As, make_tenant

API = "/api/v1"


@pytest.fixture(autouse=True)
def photo_dir(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """Photos of these tests go to a temporary folder."""
    before = app.config.get("PHOTO_STORAGE_DIR")
    app.config["PHOTO_STORAGE_DIR"] = str(tmp_path / "photos")
    yield tmp_path / "photos"
    app.config["PHOTO_STORAGE_DIR"] = before


def outlet_of_format(fmt: str, n: int = 0) -> int:
    ids = (
        db.session.execute(
            select(Outlet.id)
            .where(Outlet.format == fmt, Outlet.org_id.is_(None), Outlet.country == "DE")
            .order_by(Outlet.id)
        )
        .scalars()
        .all()
    )
    assert len(ids) > n, f"the test data has {fmt} outlets"
    return ids[n]


@pytest.fixture
def org(app: Flask) -> Any:
    """An organization with the demo catalog and the four ready-made forms, and two accounts:
    a supermarket of class A for rep1 and a discounter of class C for rep3."""
    tenant = make_tenant(app, name="Surveys")
    seed_catalog_and_forms(db.session, tenant.org_id)
    db.session.commit()
    http = app.test_client()
    tenant.http = http
    tenant.as_ = lambda who: tenant.client(http, who)  # noqa: E731
    admin = tenant.as_("admin")
    tenant.supermarket = outlet_of_format("supermarket")
    tenant.discounter = outlet_of_format("discount")
    tenant.accounts = {}
    for outlet, klass, rep in ((tenant.supermarket, "A", "rep1"), (tenant.discounter, "C", "rep3")):
        body = {"outlet_id": outlet, "status": "customer", "account_class": klass, "assigned_rep_id": tenant.users[rep]}
        response = admin.post(f"{API}/accounts", json=body)
        assert response.status_code == 201, response.get_json()
        tenant.accounts[outlet] = response.get_json()["id"]
    forms = admin.get(f"{API}/forms").get_json()["items"]
    tenant.forms = {f["key"]: f for f in forms}
    return tenant


def jpeg(width: int = 200, height: int = 100, *, orientation: int | None = None, exif_gps: bool = False) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (width, height), (30, 120, 200))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if exif_gps:
        sub = exif.get_ifd(0x8769)
        sub[36867] = "2026:11:20 10:15:00"
        sub[36881] = "+01:00"
        gps = exif.get_ifd(0x8825)
        gps.update({1: "N", 2: (48.0, 8.0, 15.0), 3: "E", 4: (11.0, 34.0, 30.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(client: As, data: bytes, photo_uuid: str, name: str = "../../../etc/passwd.jpg", **fields: Any) -> Any:
    form = {"file": (io.BytesIO(data), name), "uuid": photo_uuid, **{k: str(v) for k, v in fields.items()}}
    return client.post(f"{API}/photos", data=form, content_type="multipart/form-data")


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def store_check(applicable: dict[str, Any], photos: list[str], **answers: Any) -> dict[str, Any]:
    """A full store check for the outlet, from what /forms/applicable returned."""
    item = next(i for i in applicable["items"] if i["key"] == "store_check")
    products = applicable["product_lists"]["store_check"]
    shelf = []
    for n, p in enumerate(products):
        if p["own"] and n in (1, 3):
            shelf.append({"product_id": p["product_id"], "present": False, "out_of_stock": True})
        else:
            shelf.append(
                {
                    "product_id": p["product_id"],
                    "present": True,
                    "facings": 2 + n % 4,
                    "shelf_price": round(0.99 + n / 10, 2),
                    "promo": n == 0,
                }
            )
    body_answers = {
        "shelf": shelf,
        "promo_running": True,
        "promo_type": "price_cut",
        "promo_price": 0.79,
        "animation_sold": True,
        "animation_date": "2026-12-04",
        "animation_days": 2,
        "pos_present": ["poster", "display_stand"],
        "pos_placement": "partly",
        "shelf_photos": photos,
        "comment": "Regal gut gefüllt",
        **answers,
    }
    return {
        "uuid": new_uuid(),
        "form_version_id": item["form_version_id"],
        "outlet_id": applicable["outlet"]["id"],
        "visit_uuid": new_uuid(),
        "started_at": now(),
        "completed_at": now(),
        "answers": body_answers,
    }


# --- forms ----------------------------------------------------------------------------------


def test_ready_made_forms_are_offered_and_adopted(app: Flask) -> None:
    """A new organization sees the ready-made forms and adopts one in a call; HQ configures, reps do not."""
    tenant = make_tenant(app, name="Adopt")
    http = app.test_client()
    hq, rep = tenant.client(http, "hq"), tenant.client(http, "rep1")
    templates = hq.get(f"{API}/form-templates").get_json()["items"]
    assert {t["key"] for t in templates} >= {"store_check", "availability_check", "new_listing", "digital_presence"}
    assert rep.post(f"{API}/forms", json={"template": "store_check"}).status_code == 403
    created = hq.post(f"{API}/forms", json={"template": "store_check"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["current_version"]["version"] == 1 and body["source"] == "template"
    assert body["targeting"]["rules"][0] == {"formats": ["hypermarket", "supermarket"], "mandatory": True}
    assert body["missing_product_lists"] == ["store_check"]
    again = hq.post(f"{API}/forms", json={"template": "store_check"})
    assert again.status_code == 409 and again.get_json()["form_id"] == body["id"]
    unknown = hq.post(f"{API}/forms", json={"template": "nope"})
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["field"] == "template"


def test_a_wrong_definition_is_refused_with_every_path(org: Any) -> None:
    """Each problem of a definition sent to the API names its path under `definition`."""
    definition = {
        "key": "mine",
        "title": {"en": "Mine", "xx": "?"},
        "sections": [
            {
                "key": "s",
                "title": "S",
                "questions": [
                    {"key": "a", "type": "integr", "label": "A"},
                    {"key": "b", "type": "integer", "label": "B", "relevant": "${a} >", "choices": []},
                    {"key": "b", "type": "single", "label": "C"},
                ],
            }
        ],
    }
    response = org.as_("hq").post(f"{API}/forms", json={"definition": definition})
    assert response.status_code == 422
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert {
        "definition.title.xx",
        "definition.sections[0].questions[0].type",
        "definition.sections[0].questions[1].choices",
        "definition.sections[0].questions[2].choices",
    } <= fields, fields
    definition = {
        "key": "mine",
        "title": "Mine",
        "sections": [
            {
                "key": "s",
                "title": "S",
                "questions": [
                    {"key": "a", "type": "integer", "label": "A", "relevant": "${zz} > 1"},
                    {"key": "a", "type": "text", "label": "A again", "pattern": "(a|b)*"},
                ],
            }
        ],
    }
    response = org.as_("hq").post(f"{API}/forms", json={"definition": definition})
    errors = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert "${zz} is not a question" in errors["definition.sections[0].questions[0].relevant"]
    assert "appears twice" in errors["definition.sections[0].questions[1].key"]
    assert "repeated group" in errors["definition.sections[0].questions[1].pattern"]


def test_editing_makes_versions_and_old_responses_keep_theirs(org: Any) -> None:
    """A response keeps the version it answered; an edit is a new version; the same edit twice is one."""
    hq, rep = org.as_("hq"), org.as_("rep1")
    form = org.as_("admin").get(f"{API}/forms/{org.forms['digital_presence']['id']}").get_json()
    v1 = form["current_version"]["id"]
    body = {
        "uuid": new_uuid(),
        "form_version_id": v1,
        "account_id": org.accounts[org.supermarket],
        "completed_at": now(),
        "answers": {"listed_online": False, "click_and_collect": False, "delivery": "none"},
    }
    first = rep.post(f"{API}/responses", json=body)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["computed"] == {"digital_score": 0}
    definition = form["definition"]
    definition["sections"][0]["questions"][0]["label"]["en"] = "Sold online?"
    definition["sections"][1]["questions"].append(
        {"key": "marketplace", "type": "boolean", "label": "On a marketplace"}
    )
    edited = hq.post(f"{API}/forms/{form['id']}/versions", json={"definition": definition, "note": "marketplaces"})
    assert edited.status_code == 201 and edited.get_json()["version"] == 2
    same = hq.post(f"{API}/forms/{form['id']}/versions", json={"definition": definition})
    assert same.status_code == 200 and same.get_json()["version"] == 2
    renamed = hq.post(f"{API}/forms/{form['id']}/versions", json={"definition": {**definition, "key": "other"}})
    assert renamed.status_code == 422 and renamed.get_json()["errors"][0]["field"] == "definition.key"
    old = rep.get(f"{API}/responses/{first.get_json()['id']}").get_json()
    assert old["form_version"] == {"id": v1, "version": 1}
    assert (
        hq.get(f"{API}/form-versions/{v1}")
        .get_json()["definition"]["sections"][0]["questions"][0]["label"]["en"]
        .startswith("Are our products")
    )
    detail = hq.get(f"{API}/forms/{form['id']}").get_json()
    assert [v["version"] for v in detail["versions"]] == [2, 1]
    # An answer to the new question is refused on version 1, accepted on version 2.
    body2 = {**body, "uuid": new_uuid(), "answers": {**body["answers"], "marketplace": True}}
    assert rep.post(f"{API}/responses", json=body2).get_json()["errors"][0]["field"] == "answers.marketplace"
    body2["form_version_id"] = edited.get_json()["id"]
    assert rep.post(f"{API}/responses", json=body2).status_code == 201


def test_forms_are_copied_and_switched_off(org: Any) -> None:
    hq = org.as_("hq")
    source = org.forms["availability_check"]
    copy = hq.post(f"{API}/forms/{source['id']}/copy", json={"key": "availability_fr", "title": {"fr": "Dispo"}})
    assert copy.status_code == 201, copy.get_json()
    assert copy.get_json()["definition"]["title"] == {"fr": "Dispo"} and copy.get_json()["source"] == "copy"
    assert hq.post(f"{API}/forms/{source['id']}/copy", json={"key": "availability_fr"}).status_code == 409
    off = hq.patch(f"{API}/forms/{copy.get_json()['id']}", json={"active": False})
    assert off.status_code == 200 and off.get_json()["active"] is False
    bad = hq.patch(f"{API}/forms/{source['id']}", json={"targeting": {"rules": [{"formats": ["kiosk"]}]}})
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"].startswith("targeting.rules[0].formats")
    assert [f["key"] for f in hq.get(f"{API}/forms?active=false").get_json()["items"]] == ["availability_fr"]


def test_applicable_forms_follow_the_targeting(org: Any) -> None:
    """Supermarket of class A: store check mandatory, digital check; discounter: store check optional;
    an outlet without account counts as a prospect: the new-listing visit is mandatory."""
    rep = org.as_("rep1")
    supermarket = rep.get(f"{API}/forms/applicable?outlet_id={org.supermarket}").get_json()
    items = {i["key"]: i for i in supermarket["items"]}
    assert set(items) == {"store_check", "availability_check", "digital_presence"}
    assert items["store_check"]["mandatory"] and not items["availability_check"]["mandatory"]
    assert supermarket["items"][0]["key"] == "store_check"  # mandatory first
    assert supermarket["account"]["class"] == "A"
    shelf = supermarket["product_lists"]["store_check"]
    assert len(shelf) == 11 and sum(p["reference"] for p in shelf) == 2 and shelf[0]["own"] is True
    assert items["store_check"]["definition"]["key"] == "store_check"
    hq = org.as_("hq")
    by_account = hq.get(f"{API}/forms/applicable?account_id={org.accounts[org.discounter]}").get_json()
    assert {i["key"]: i["mandatory"] for i in by_account["items"]} == {
        "store_check": False,
        "availability_check": False,
    }
    prospect = hq.get(f"{API}/forms/applicable?outlet_id={outlet_of_format('supermarket', 1)}").get_json()
    assert {i["key"]: i["mandatory"] for i in prospect["items"]} == {
        "store_check": True,
        "availability_check": False,
        "new_listing": True,
    }
    assert rep.get(f"{API}/forms/applicable?outlet_id=999999999").status_code == 404
    assert rep.get(f"{API}/forms/applicable").status_code == 422
    # A rep sees only their accounts: rep1 does not know rep3's discounter is class C.
    assert rep.get(f"{API}/forms/applicable?account_id={org.accounts[org.discounter]}").status_code == 404


# --- responses and photos -----------------------------------------------------------------------


def test_a_rep_submits_a_store_check_with_a_photo_and_the_manager_reads_it(org: Any) -> None:
    """The full flow: applicable forms, photo, response, computed values, manager's read-back."""
    rep, manager = org.as_("rep1"), org.as_("manager")
    applicable = rep.get(f"{API}/forms/applicable?outlet_id={org.supermarket}").get_json()
    photo_uuid = new_uuid()
    uploaded = upload(rep, jpeg(orientation=6, exif_gps=True), photo_uuid)
    assert uploaded.status_code == 201, uploaded.get_json()
    photo = uploaded.get_json()
    assert (photo["width"], photo["height"]) == (100, 200)  # EXIF orientation applied
    assert photo["taken_at"] == "2026-11-20T09:15:00+00:00" and photo["taken_at_source"] == "exif"
    assert (photo["lat"], photo["lon"], photo["position_source"]) == (48.1375, 11.575, "exif")
    body = store_check(applicable, [photo_uuid])
    response = rep.post(f"{API}/responses", json=body)
    assert response.status_code == 201, response.get_json()
    stored = response.get_json()
    assert stored["account_id"] == org.accounts[org.supermarket]
    computed = stored["computed"]
    assert computed["own_facings"] + 0 > 0 and 0 < computed["share_of_shelf"] < 100
    assert computed["distribution"] == 60 and computed["out_of_stock_count"] == 2
    assert computed["price_index"] is not None
    assert stored["photos"][0]["status"] == "uploaded" and stored["photos"][0]["question"] == "shelf_photos"
    read = manager.get(f"{API}/responses/{stored['id']}")
    assert read.status_code == 200
    answers = read.get_json()["answers"]
    assert answers["comment"] == "Regal gut gefüllt" and len(answers["shelf"]) == 11
    assert answers["shelf"][0]["gtin"] == applicable["product_lists"]["store_check"][0]["gtin"]
    image = manager.get(read.get_json()["photos"][0]["url"])
    assert image.status_code == 200 and image.mimetype == "image/jpeg" and image.data[:3] == b"\xff\xd8\xff"
    assert manager.get(read.get_json()["photos"][0]["thumbnail_url"]).status_code == 200
    # rep2 (same team, another rep) and rep3 see nothing of it; HQ does.
    assert org.as_("rep2").get(f"{API}/responses/{stored['id']}").status_code == 404
    assert org.as_("rep2").get(photo["url"]).status_code == 404
    assert org.as_("hq").get(f"{API}/responses/{stored['id']}").status_code == 200


def test_a_bad_response_gets_every_error_and_nothing_is_stored(org: Any) -> None:
    rep = org.as_("rep1")
    applicable = rep.get(f"{API}/forms/applicable?outlet_id={org.supermarket}").get_json()
    body = store_check(applicable, ["not-a-uuid"], promo_type="coupon", animation_date="2026-02-30")
    body["answers"]["shelf"][5]["facings"] = -2
    body["answers"]["shelf"][4]["shelf_price"] = "cheap"
    del body["answers"]["pos_placement"]
    response = rep.post(f"{API}/responses", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    errors = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert errors == {
        "answers.shelf[5].facings": "must be at least 0",
        "answers.shelf[4].shelf_price": "must be a number",
        "answers.promo_type": "must be one of: price_cut, multibuy, display, other",
        "answers.animation_date": "2026-02-30 is not a date of the calendar",
        "answers.pos_placement": "is required",
        "answers.shelf_photos[0]": "must be a photo UUID",
    }
    assert rep.get(f"{API}/responses").get_json()["total"] == 0
    bad_refs = {**body, "form_version_id": 999999999, "answers": {}}
    assert rep.post(f"{API}/responses", json=bad_refs).get_json()["errors"][0]["field"] == "form_version_id"
    missing = rep.post(f"{API}/responses", json={"uuid": "x", "answers": []})
    assert {e["field"] for e in missing.get_json()["errors"]} >= {"uuid", "form_version_id", "completed_at", "answers"}


def test_the_same_uuid_is_stored_once(org: Any) -> None:
    """A retried upload (same UUID, same body) gets the stored response; another body is a 409."""
    rep = org.as_("rep1")
    applicable = rep.get(f"{API}/forms/applicable?outlet_id={org.supermarket}").get_json()
    body = store_check(applicable, [new_uuid()])
    first = rep.post(f"{API}/responses", json=body)
    assert first.status_code == 201
    again = rep.post(f"{API}/responses", json=dict(reversed(list(body.items()))))  # key order does not matter
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    changed = rep.post(f"{API}/responses", json={**body, "answers": {**body["answers"], "comment": "other"}})
    assert changed.status_code == 409 and changed.get_json()["errors"][0]["field"] == "uuid"
    assert rep.get(f"{API}/responses").get_json()["total"] == 1


def test_a_photo_may_come_before_or_after_its_response(org: Any) -> None:
    rep = org.as_("rep1")
    applicable = rep.get(f"{API}/forms/applicable?outlet_id={org.supermarket}").get_json()
    later = new_uuid()
    response = rep.post(f"{API}/responses", json=store_check(applicable, [later]))
    assert response.get_json()["photos"] == [
        {"uuid": later, "question": "shelf_photos", "position": 0, "status": "pending"}
    ]
    assert upload(rep, jpeg(), later, lat=48.2, lon=11.6, taken_at="2026-11-25T09:00:00+01:00").status_code == 201
    photos = rep.get(f"{API}/responses/{response.get_json()['id']}").get_json()["photos"]
    assert photos[0]["status"] == "uploaded" and photos[0]["position_source"] == "request"
    assert photos[0]["lat"] == 48.2 and photos[0]["taken_at"] == "2026-11-25T08:00:00+00:00"
    detail = rep.get(photos[0]["url"].removesuffix("/file")).get_json()
    assert detail["responses"] == [{"response_id": response.get_json()["id"], "question": "shelf_photos"}]


def test_photos_are_checked_by_their_content(org: Any, photo_dir: Path) -> None:
    """Not an image, HEIC, a broken JPEG, a foreign UUID or a bad position are refused; names never matter."""
    rep = org.as_("rep1")
    cases = [
        (b"GIF89a not really", "photo.jpg", "not a JPEG, PNG or WebP"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, "photo.heic", "HEIC"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "photo.jpg", "cannot be decoded"),
        (b"<?php echo 1; ?>", "shell.php", "not a JPEG, PNG or WebP"),
    ]
    for data, name, words in cases:
        response = upload(rep, data, new_uuid(), name=name)
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["errors"][0]["field"] == "file" and words in response.get_json()["detail"]
    for fields, field in (
        ({"lat": 91, "lon": 1}, "lat"),
        ({"lat": 48}, "lon"),
        ({"taken_at": "yesterday"}, "taken_at"),
    ):
        response = upload(rep, jpeg(), new_uuid(), **fields)
        assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == field
    assert upload(rep, jpeg(), "../../etc/passwd").get_json()["errors"][0]["field"] == "uuid"
    raw = rep.post(f"{API}/photos", data=jpeg(), content_type="image/jpeg")
    assert raw.status_code == 415
    png = io.BytesIO()
    from PIL import Image

    Image.new("RGBA", (40, 30), (0, 0, 0, 0)).save(png, "PNG")
    photo_uuid = new_uuid()
    first = upload(rep, png.getvalue(), photo_uuid, name="x.gif")
    assert first.status_code == 201 and first.get_json()["original_format"] == "png"
    assert upload(rep, png.getvalue(), photo_uuid).status_code == 200  # a retry
    assert upload(rep, jpeg(), photo_uuid).status_code == 409  # another photo, same uuid
    stored = sorted(p.relative_to(photo_dir).as_posix() for p in photo_dir.rglob("*") if p.is_file())
    assert stored == [
        f"{org.org_id}/{photo_uuid[:2]}/{photo_uuid}.jpg",
        f"{org.org_id}/{photo_uuid[:2]}/{photo_uuid}.thumb.jpg",
    ]
    assert org.as_("hq").post(f"{API}/photos", data={}, content_type="multipart/form-data").status_code == 403


def test_photos_over_the_size_limit_are_refused(org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from server.surveys import api as surveys_api

    monkeypatch.setattr(surveys_api, "PHOTO_MAX_BYTES", 500)
    response = upload(org.as_("rep1"), jpeg(400, 400, orientation=1) + b"\x00" * 1000, new_uuid())
    assert response.status_code == 413 and "500 bytes" in response.get_json()["detail"]


def test_lists_follow_roles_and_filters(org: Any) -> None:
    """Reps see their own responses, managers their team's, HQ all; filters by rep, form, outlet, period."""
    applicable = org.as_("rep1").get(f"{API}/forms/applicable?outlet_id={org.supermarket}").get_json()
    assert org.as_("rep1").post(f"{API}/responses", json=store_check(applicable, [new_uuid()])).status_code == 201
    rep3 = org.as_("rep3")
    availability = rep3.get(f"{API}/forms/applicable?outlet_id={org.discounter}").get_json()
    item = next(i for i in availability["items"] if i["key"] == "availability_check")
    rows = [{"product_id": p["product_id"], "available": True} for p in availability["product_lists"]["core_range"]]
    body = {
        "uuid": new_uuid(),
        "form_version_id": item["form_version_id"],
        "outlet_id": org.discounter,
        "completed_at": "2026-01-15T10:00:00+01:00",
        "answers": {"availability": rows},
    }
    created = rep3.post(f"{API}/responses", json=body)
    assert created.status_code == 201 and created.get_json()["computed"] == {
        "availability_rate": 100,
        "missing_count": 0,
    }

    def total(who: str, query: str = "") -> int:
        response = org.as_(who).get(f"{API}/responses{query}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()["total"]

    assert (total("rep1"), total("rep3"), total("manager"), total("hq")) == (1, 1, 1, 2)
    assert total("hq", f"?rep={org.users['rep3']}") == 1 and total("rep3", "?rep=me") == 1
    assert total("hq", f"?form_id={org.forms['availability_check']['id']}") == 1
    assert total("hq", f"?outlet_id={org.supermarket}") == 1
    assert total("hq", "?from=2026-01-15&to=2026-01-15") == 1 and total("hq", "?to=2026-01-14") == 0
    assert org.as_("rep1").get(f"{API}/responses?rep={org.users['rep3']}").status_code == 404
    assert org.as_("hq").get(f"{API}/responses?from=2026-02-01&to=2026-01-01").status_code == 422
    items = org.as_("hq").get(f"{API}/responses").get_json()["items"]
    assert "answers" not in items[0] and items[0]["computed"]


def test_xlsform_import_and_export_through_the_api(org: Any) -> None:
    """Export a form, import the workbook (dry run reports, apply creates), and the definitions agree."""
    hq = org.as_("hq")
    form = org.forms["new_listing"]
    exported = hq.get(f"{API}/forms/{form['id']}/xlsform")
    assert exported.status_code == 200 and exported.data[:2] == b"PK"
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(exported.data))
    workbook["settings"]["B2"] = "new_listing_kobo"
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload_ = {"file": (io.BytesIO(buffer.getvalue()), "form.xlsx")}
    dry = hq.post(f"{API}/forms/import-xlsform", data=upload_, content_type="multipart/form-data")
    assert dry.status_code == 200, dry.get_json()
    assert dry.get_json()["unsupported"] == [] and dry.get_json()["definition"]["key"] == "new_listing_kobo"
    applied = hq.post(
        f"{API}/forms/import-xlsform?dry_run=false",
        data=buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    assert applied.status_code == 201, applied.get_json()
    imported = hq.get(f"{API}/forms/{applied.get_json()['form']['id']}").get_json()["definition"]
    original = hq.get(f"{API}/forms/{form['id']}").get_json()["definition"]
    assert {**imported, "key": "new_listing"} == original
    bad = hq.post(f"{API}/forms/import-xlsform", data=b"not a workbook", content_type="application/octet-stream")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "file"
    assert (
        org.as_("rep1")
        .post(f"{API}/forms/import-xlsform", data=buffer.getvalue(), content_type="application/octet-stream")
        .status_code
        == 403
    )


def test_the_demo_rep_can_do_a_store_check(app: Flask) -> None:
    """Done when: a demo rep fetches the forms of an outlet, submits the store check with a photo,
    gets precise errors for a bad one, and their manager reads it back."""
    from server.demo import seed_demo

    seed_demo(db.session, password="rayon-demo", env="development")
    db.session.commit()

    def login(email: str) -> As:
        response = app.test_client().post(f"{API}/auth/login", json={"email": email, "password": "rayon-demo"})
        assert response.status_code == 200
        return As(app.test_client(), response.get_json()["access_token"])

    rep, manager = login("rep1@demo.rayon.test"), login("manager1@demo.rayon.test")
    accounts = rep.get(f"{API}/accounts?limit=500").get_json()["items"]
    account = next(
        a for a in accounts if a["outlet"]["format"] in ("supermarket", "hypermarket") and a["status"] == "customer"
    )
    applicable = rep.get(f"{API}/forms/applicable?account_id={account['id']}").get_json()
    assert applicable["items"][0]["key"] == "store_check" and applicable["items"][0]["mandatory"]
    photo_uuid = new_uuid()
    assert upload(rep, jpeg(), photo_uuid).status_code == 201
    bad = store_check(applicable, [photo_uuid])
    bad["answers"]["shelf"][0]["facings"] = 1000
    refused = rep.post(f"{API}/responses", json=bad)
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == [
        {"field": "answers.shelf[0].facings", "in": "body", "message": "must be at most 200"}
    ]
    good = store_check(applicable, [photo_uuid])
    good["account_id"] = account["id"]
    created = rep.post(f"{API}/responses", json=good)
    assert created.status_code == 201, created.get_json()
    listed = manager.get(f"{API}/responses?account_id={account['id']}").get_json()["items"]
    assert listed[0]["id"] == created.get_json()["id"]  # newest first, before the demo's history
    read = manager.get(f"{API}/responses/{created.get_json()['id']}").get_json()
    assert read["rep"]["name"] == "Lukas Huber" and read["photos"][0]["status"] == "uploaded"
    assert read["computed"]["share_of_shelf"] == created.get_json()["computed"]["share_of_shelf"]


def test_account_and_outlet_must_agree(org: Any) -> None:
    rep = org.as_("rep1")
    applicable = rep.get(f"{API}/forms/applicable?outlet_id={org.supermarket}").get_json()
    body = store_check(applicable, [new_uuid()])
    body["account_id"] = org.accounts[org.supermarket]
    body["outlet_id"] = org.discounter
    response = rep.post(f"{API}/responses", json=body)
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "outlet_id"
    body["account_id"] = org.accounts[org.discounter]  # rep3's account: not visible to rep1
    assert rep.post(f"{API}/responses", json=body).get_json()["errors"][0]["field"] == "account_id"
    with_account = db.session.execute(select(Account).where(Account.id == org.accounts[org.supermarket])).scalar_one()
    assert with_account.outlet_id == org.supermarket
