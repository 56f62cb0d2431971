"""The catalog: products by GTIN, product lists, CSV/XLSX import with a report, by role."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask

from server.catalog.gtin import with_check_digit
from tests.tenants import make_tenant

API = "/api/v1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def gtin(n: int, prefix: str = "4260599") -> str:
    return with_check_digit(f"{prefix}{n:05d}")


@pytest.fixture
def org(app: Flask) -> Any:
    tenant = make_tenant(app, name="Catalog")
    http = app.test_client()
    tenant.as_ = lambda who: tenant.client(http, who)  # noqa: E731
    return tenant


def product(n: int, **fields: Any) -> dict[str, Any]:
    return {"gtin": gtin(n), "brand": "Brisa", "name": f"Brisa {n}", "size": "0.5 l", "list_price": 1.29, **fields}


def test_products_are_created_with_valid_gtins_only(org: Any) -> None:
    """A wrong check digit is a 422 that says the right one; a GTIN twice is a 409; reps only read."""
    hq, rep = org.as_("hq"), org.as_("rep1")
    created = hq.post(f"{API}/products", json=product(1, category="water"))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["gtin"] == gtin(1) and body["own"] is True and body["list_price"] == 1.29 and body["currency"] == "EUR"
    bad = hq.post(f"{API}/products", json={**product(2), "gtin": gtin(2)[:-1] + str((int(gtin(2)[-1]) + 1) % 10)})
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["field"] == "gtin" and f"should be {gtin(2)[-1]}" in bad.get_json()["detail"]
    duplicate = hq.post(f"{API}/products", json=product(1))
    assert duplicate.status_code == 409 and duplicate.get_json()["product_id"] == body["id"]
    assert hq.post(f"{API}/products", json={**product(3), "list_price": 1.299}).get_json()["errors"][0]["field"] == (
        "list_price"
    )
    assert rep.post(f"{API}/products", json=product(4)).status_code == 403
    assert rep.get(f"{API}/products/{body['id']}").status_code == 200
    competitor = hq.post(f"{API}/products", json={**product(5), "brand": "Fizzo", "name": "Fizzo Cola", "own": False})
    assert competitor.status_code == 201
    changed = hq.patch(f"{API}/products/{body['id']}", json={"active": False, "list_price": None})
    assert (
        changed.status_code == 200
        and changed.get_json()["active"] is False
        and changed.get_json()["list_price"] is None
    )
    assert [p["name"] for p in rep.get(f"{API}/products?own=false").get_json()["items"]] == ["Fizzo Cola"]
    assert rep.get(f"{API}/products?q=fizzo cola").get_json()["total"] == 1
    assert rep.get(f"{API}/products?gtin={gtin(1)}").get_json()["items"][0]["id"] == body["id"]
    assert rep.get(f"{API}/products?gtin=123").status_code == 422


def test_product_lists_keep_order_and_reference_products(org: Any) -> None:
    hq = org.as_("hq")
    ids = [hq.post(f"{API}/products", json=product(n)).get_json()["id"] for n in range(1, 5)]
    body = {
        "key": "store_check",
        "name": "Store check",
        "products": [{"product_id": ids[2]}, {"gtin": gtin(1)}, {"product_id": ids[3], "reference": True}],
    }
    created = hq.post(f"{API}/product-lists", json=body)
    assert created.status_code == 201, created.get_json()
    listed = created.get_json()["products"]
    assert [p["id"] for p in listed] == [ids[2], ids[0], ids[3]] and [p["reference"] for p in listed] == [
        False,
        False,
        True,
    ]
    bad = hq.patch(
        f"{API}/product-lists/{created.get_json()['id']}",
        json={
            "products": [{"product_id": ids[0]}, {"gtin": "123"}, {"product_id": 999999999}, {"product_id": ids[0]}, {}]
        },
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.get_json()["errors"]] == [
        "products[1].gtin",
        "products[2].product_id",
        "products[3]",
        "products[4]",
    ]
    replaced = hq.patch(f"{API}/product-lists/{created.get_json()['id']}", json={"products": [{"product_id": ids[1]}]})
    assert [p["id"] for p in replaced.get_json()["products"]] == [ids[1]]
    assert hq.post(f"{API}/product-lists", json={**body, "products": []}).status_code == 409
    assert org.as_("rep1").get(f"{API}/product-lists").get_json()["items"][0]["product_count"] == 1
    assert hq.delete(f"{API}/product-lists/{created.get_json()['id']}").status_code == 204
    assert hq.get(f"{API}/products").get_json()["total"] == 4


CSV = f"""gtin;brand;name;category;size;own;price;colour
{gtin(1)};Brisa;Brisa Sparkling;water;0.5 l;yes;0,69;blue
{gtin(2)};Brisa;Brisa Still;water;1.5 l;own;0.89;
{gtin(3, "4099123")};Alpenquell;Alpenquell Sprudel;water;0.5 l;competitor;0.65;
4260599000049;Brisa;Wrong check digit;water;;yes;1;
{gtin(5)};;No brand;water;;yes;1;
{gtin(6)};Brisa;Bad price;water;;yes;1,999;
{gtin(7)};Brisa;Bad own;water;;maybe;1;
{gtin(1)};Brisa;Twice;water;;yes;1;
"""


def test_import_reports_rejected_rows_then_applies_idempotently(org: Any) -> None:
    """A dry run reports what would change and every rejected row (row, column, reason); the import
    applies the valid rows; the same file again changes nothing; a changed price updates one."""
    hq = org.as_("hq")

    def run(data: bytes | str, dry_run: bool, content_type: str = "text/csv") -> dict[str, Any]:
        response = hq.post(
            f"{API}/products/import?dry_run={str(dry_run).lower()}", data=data, content_type=content_type
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    dry = run(CSV, True)
    assert (dry["rows"], dry["created"], dry["updated"], dry["unchanged"]) == (8, 3, 0, 0)
    assert dry["ignored_columns"] == ["colour"]
    assert [(r["row"], r["column"]) for r in dry["rejected"]] == [
        (5, "gtin"),
        (6, "brand"),
        (7, "list_price"),
        (8, "own"),
        (9, "gtin"),
    ]
    reasons = [r["reason"] for r in dry["rejected"]]
    assert "check digit should be" in reasons[0] and reasons[1] == "is empty" and "2 decimals" in reasons[2]
    assert reasons[4] == "the same GTIN as row 2"
    assert hq.get(f"{API}/products").get_json()["total"] == 0
    applied = run(CSV, False)
    assert (applied["created"], len(applied["rejected"])) == (3, 5)
    items = {p["gtin"]: p for p in hq.get(f"{API}/products").get_json()["items"]}
    assert items[gtin(1)]["list_price"] == 0.69 and items[gtin(3, "4099123")]["own"] is False
    again = run(CSV, False)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    history = hq.get(f"{API}/audit?object_type=product").get_json()["items"]
    assert len(history) == 3  # the second import wrote nothing
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["EAN", "Brand", "Name", "List price", "Own"])
    sheet.append([int(gtin(1)), "Brisa", "Brisa Sparkling", 0.75, "yes"])
    sheet.append([int(gtin(8)), "Brisa", "Brisa Energy", 1.59, "yes"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    xlsx = hq.post(
        f"{API}/products/import?dry_run=false",
        data={"file": (io.BytesIO(buffer.getvalue()), "p.xlsx")},
        content_type="multipart/form-data",
    )
    assert xlsx.status_code == 200, xlsx.get_json()
    assert (xlsx.get_json()["created"], xlsx.get_json()["updated"]) == (1, 1)
    assert hq.get(f"{API}/products?gtin={gtin(1)}").get_json()["items"][0]["list_price"] == 0.75


def test_import_refuses_what_is_not_a_product_table(org: Any) -> None:
    hq = org.as_("hq")
    missing = hq.post(f"{API}/products/import", data="ean,name\n1,2\n", content_type="text/csv")
    assert missing.status_code == 422 and "lacks the column brand" in missing.get_json()["detail"]
    assert hq.post(f"{API}/products/import", data="", content_type="text/csv").status_code == 422
    assert hq.post(f"{API}/products/import", data="{}", content_type="application/json").status_code == 415
    broken = hq.post(f"{API}/products/import", data=b"PK\x03\x04garbage", content_type=XLSX)
    assert broken.status_code == 422 and broken.get_json()["errors"][0]["field"] == "file"
    assert hq.post(f"{API}/products/import?dry_run=perhaps", data="x", content_type="text/csv").status_code == 422
    assert org.as_("manager").post(f"{API}/products/import", data="x", content_type="text/csv").status_code == 403
