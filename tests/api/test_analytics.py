"""Analytics: every KPI computed by hand on a small fixed data set, on both databases.

The data set (October 2026, organization time zone Europe/Berlin):

* products: P1, P2 (own, water), R1 (competitor, water, the list's reference), S1 (own, soft drinks),
  C2 (competitor, soft drinks); product list ``shelf`` (the grid) with all five;
  must-stock list ``must`` = P1, S1 since always and P2 from 2026-10-15 (added mid-period);
  planned promotion ``promo`` = S1 from 2026-10-01 to 2026-10-31;
* outlets O1 (account class A, weight 10), O2 (B, weight 5), O3 (C, weight 1);
* responses (store check v1 unless noted), each product as present / facings / price / promo / oos:
    r1 O1 2026-10-05 rep1: P1 y 4 1.00 n | P2 y 2 2.00 y | R1 y 6 0.80 | S1 n oos | C2 y 3 1.50;
                           POS poster, placed yes; promotion running
    r2 O1 2026-10-20 rep1: P1 y 5 1.10 n | P2 n not listed | R1 y 5 1.00 | S1 y 2 1.20 n | C2 y 4 1.40;
                           POS none; no promotion
    r3 O2 2026-10-10 rep2: P1 n oos | P2 y 3 2.20 n | R1 y 4 1.10 | S1 y 1 1.32 y | C2 not applicable;
                           POS poster + wobbler, placed partly; promotion running
    r4 O3 2026-10-12 rep1, form v2 (no promo column): P1 y 2 0.90 | R1 n | S1 y 1 1.25 | C2 y 2 1.60;
                           POS not applicable; promotion running
* visits: rep1 done 2026-10-05 O1 09:00-09:30, done 2026-10-05 O3 10:00-10:20 (flagged), missed
  2026-10-06 O1, unplanned done 2026-10-12 O3 11:00-11:40, cancelled 2026-10-07; rep2 done 2026-10-10
  O2 14:00-14:50, still planned 2026-10-20 O2;
* a published route plan: rep1 60 min on 10-05, 30 on 10-06; rep2 90 on 10-10.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from tests.tenants import As, make_tenant, outlet_ids

API = "/api/v1"
OCT = {"from": "2026-10-01", "to": "2026-10-31", "period": "month"}


def _grid(promo: bool) -> dict[str, Any]:
    columns: list[dict[str, Any]] = [
        {"key": "present", "type": "boolean", "required": True, "label": "On the shelf"},
        {"key": "facings", "type": "integer", "min": 0, "max": 200, "relevant": "${row.present}", "label": "F"},
        {"key": "shelf_price", "type": "price", "relevant": "${row.present}", "label": "Price"},
    ]
    if promo:
        columns.append({"key": "promo", "type": "boolean", "relevant": "${row.present}", "label": "Promo"})
    columns += [
        {
            "key": "out_of_stock",
            "type": "boolean",
            "relevant": "${row._own} and ${row.present} = false",
            "label": "OOS",
        },
        {"key": "not_applicable", "type": "boolean", "label": "N/A"},
    ]
    return {"key": "shelf", "type": "product_grid", "product_list": "shelf", "label": "Shelf", "columns": columns}


def _definition(promo: bool) -> dict[str, Any]:
    choices = [{"value": v, "label": v} for v in ("poster", "wobbler", "none", "not_applicable")]
    return {
        "key": "check",
        "title": "Check",
        "sections": [
            {"key": "s", "title": "Shelf", "questions": [_grid(promo)]},
            {
                "key": "store",
                "title": "Store",
                "questions": [
                    {"key": "promo_running", "type": "boolean", "required": True, "label": "Promotion?"},
                    {"key": "pos_present", "type": "multiple", "choices": choices, "label": "POS"},
                    {
                        "key": "pos_placement",
                        "type": "single",
                        "relevant": "count_selected(${pos_present}) > 0 and not selected(${pos_present}, 'none') "
                        "and not selected(${pos_present}, 'not_applicable')",
                        "choices": [{"value": v, "label": v} for v in ("yes", "partly", "no")],
                        "label": "Placed?",
                    },
                ],
            },
        ],
    }


def _row(pid: int, present: bool, facings: int | None = None, price: float | None = None, **extra: Any) -> dict:
    row: dict[str, Any] = {"product_id": pid, "present": present}
    if facings is not None:
        row["facings"] = facings
    if price is not None:
        row["shelf_price"] = price
    row.update(extra)
    return row


@pytest.fixture(scope="module")
def world(apps: dict[str, Flask]) -> dict[str, Any]:
    built: dict[str, Any] = {}

    class World(dict):  # type: ignore[type-arg]
        def __missing__(self, kind: str) -> Any:
            self[kind] = _build(apps[kind])
            return self[kind]

    return World(built)


def _build(app: Flask) -> dict[str, Any]:
    from server.analytics.models import ListMembership
    from server.db import db

    t = make_tenant(app, name="Analytics")
    client = app.test_client()
    admin, hq = t.client(client, "admin"), t.client(client, "hq")
    ok = lambda r, code=201: (r.status_code == code) or pytest.fail(r.get_data(as_text=True))  # noqa: E731
    ok(admin.post(f"{API}/custom-fields", json={"key": "weight", "label": "Weight", "type": "number"}))
    gtins = ["4006381333931", "4000417025005", "4005808262465", "4008400401621", "4260599000010"]
    spec = [("Brisa", "P1", "water", True), ("Brisa", "P2", "water", True), ("Alp", "R1", "water", False)]
    spec += [("Brisa", "S1", "soft", True), ("Fizz", "C2", "soft", False)]
    p: dict[str, int] = {}
    for gtin, (brand, name, category, own) in zip(gtins, spec, strict=True):
        r = hq.post(
            f"{API}/products", json={"gtin": gtin, "brand": brand, "name": name, "category": category, "own": own}
        )
        ok(r)
        p[name] = r.get_json()["id"]
    items = [{"product_id": p[n], "reference": n == "R1"} for n in ("P1", "P2", "R1", "S1", "C2")]
    lists = {}
    for key, members in (("shelf", items), ("must", [{"product_id": p["P1"]}, {"product_id": p["S1"]}])):
        r = hq.post(f"{API}/product-lists", json={"key": key, "name": key, "products": members})
        ok(r)
        lists[key] = r.get_json()["id"]
    r = hq.post(f"{API}/product-lists", json={"key": "promo", "name": "promo", "products": [{"product_id": p["S1"]}]})
    ok(r)
    lists["promo"] = r.get_json()["id"]
    r = hq.patch(
        f"{API}/product-lists/{lists['must']}",
        json={"products": [{"product_id": p["P1"]}, {"product_id": p["S1"]}, {"product_id": p["P2"]}]},
    )
    ok(r, 200)
    with app.app_context():
        # Listed since always, except P2 on the must-stock list: from 2026-10-15.
        db.session.execute(update(ListMembership).where(ListMembership.org_id == t.org_id).values(listed_from=None))
        db.session.execute(
            update(ListMembership)
            .where(ListMembership.list_id == lists["must"], ListMembership.product_id == p["P2"])
            .values(listed_from=dt.datetime(2026, 10, 15, tzinfo=dt.UTC))
        )
        db.session.commit()
    settings = {
        "weight": "custom:weight",
        "must_stock": {"*": "must"},
        "promotions": [{"name": "S1 in October", "list": "promo", "from": "2026-10-01", "to": "2026-10-31"}],
    }
    ok(hq.open(f"{API}/analytics/settings", "PUT", json=settings), 200)
    form = hq.post(f"{API}/forms", json={"definition": _definition(True)})
    ok(form)
    form_id, v1 = form.get_json()["id"], form.get_json()["current_version"]["id"]
    r = hq.post(f"{API}/forms/{form_id}/versions", json={"definition": _definition(False)})
    ok(r)
    v2 = r.get_json()["id"]
    outlets = outlet_ids(app, limit=3)
    accounts = {}
    for name, outlet, klass, weeks, rep, weight in (
        ("O1", outlets[0], "A", 1, "rep1", 10),
        ("O2", outlets[1], "B", 2, "rep2", 5),
        ("O3", outlets[2], "C", 4, "rep1", 1),
    ):
        r = admin.post(
            f"{API}/accounts",
            json={
                "outlet_id": outlet,
                "status": "customer",
                "account_class": klass,
                "visit_every_weeks": weeks,
                "assigned_rep_id": t.users[rep],
                "custom": {"weight": weight},
            },
        )
        ok(r)
        accounts[name] = r.get_json()["id"]
    P1, P2, R1, S1, C2 = (p[n] for n in ("P1", "P2", "R1", "S1", "C2"))  # noqa: N806
    responses = [
        (
            "rep1",
            "O1",
            v1,
            "2026-10-05T10:00:00Z",
            [
                _row(P1, True, 4, 1.00, promo=False),
                _row(P2, True, 2, 2.00, promo=True),
                _row(R1, True, 6, 0.80),
                _row(S1, False, out_of_stock=True),
                _row(C2, True, 3, 1.50),
            ],
            {"promo_running": True, "pos_present": ["poster"], "pos_placement": "yes"},
        ),
        (
            "rep1",
            "O1",
            v1,
            "2026-10-20T10:00:00Z",
            [
                _row(P1, True, 5, 1.10, promo=False),
                _row(P2, False, out_of_stock=False),
                _row(R1, True, 5, 1.00),
                _row(S1, True, 2, 1.20, promo=False),
                _row(C2, True, 4, 1.40),
            ],
            {"promo_running": False, "pos_present": ["none"]},
        ),
        (
            "rep2",
            "O2",
            v1,
            "2026-10-10T10:00:00Z",
            [
                _row(P1, False, out_of_stock=True),
                _row(P2, True, 3, 2.20, promo=False),
                _row(R1, True, 4, 1.10),
                _row(S1, True, 1, 1.32, promo=True),
                _row(C2, False, not_applicable=True),
            ],
            {"promo_running": True, "pos_present": ["poster", "wobbler"], "pos_placement": "partly"},
        ),
        (
            "rep1",
            "O3",
            v2,
            "2026-10-12T10:00:00Z",
            [_row(P1, True, 2, 0.90), _row(R1, False), _row(S1, True, 1, 1.25), _row(C2, True, 2, 1.60)],
            {"promo_running": True, "pos_present": ["not_applicable"]},
        ),
    ]
    ids = []
    for n, (rep, outlet, version, at, grid, rest) in enumerate(responses, start=1):
        r = t.client(client, rep).post(
            f"{API}/responses",
            json={
                "uuid": f"00000000-0000-4000-8000-{n:012d}",
                "form_version_id": version,
                "account_id": accounts[outlet],
                "completed_at": at,
                "answers": {"shelf": grid, **rest},
            },
        )
        ok(r)
        ids.append(r.get_json()["id"])
    _visits_and_plan(app, t, accounts)
    return {
        "app": app,
        "t": t,
        "p": p,
        "lists": lists,
        "form": form_id,
        "v1": v1,
        "v2": v2,
        "accounts": accounts,
        "responses": ids,
    }


def _visits_and_plan(app: Flask, t: Any, accounts: dict[str, int]) -> None:
    from server.db import db
    from server.plans.models import RoutePlan
    from server.visits.models import Visit

    def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(2026, 10, day, hour, minute, tzinfo=dt.UTC)

    rows = [
        ("rep1", "O1", "manual", "done", 5, at(5, 9), at(5, 9, 30), False),
        ("rep1", "O3", "plan", "done", 5, at(5, 10), at(5, 10, 20), True),
        ("rep1", "O1", "plan", "missed", 6, None, None, False),
        ("rep1", "O3", "unplanned", "done", None, at(12, 11), at(12, 11, 40), False),
        ("rep1", "O1", "plan", "cancelled", 7, None, None, False),
        ("rep2", "O2", "plan", "done", 10, at(10, 14), at(10, 14, 50), False),
        ("rep2", "O2", "plan", "planned", 20, None, None, False),
    ]
    with app.app_context():
        for n, (rep, outlet, source, status, day, check_in, check_out, flagged) in enumerate(rows, start=1):
            db.session.add(
                Visit(
                    org_id=t.org_id,
                    uuid=f"00000000-0000-4000-9000-{t.org_id:06d}{n:06d}",
                    account_id=accounts[outlet],
                    rep_id=t.users[rep],
                    source=source,
                    status=status,
                    planned_date=dt.date(2026, 10, day) if day else None,
                    check_in_at=check_in,
                    check_out_at=check_out,
                    flagged=flagged,
                )
            )
        routes = [
            {"rep_id": t.users["rep1"], "date": "2026-10-05", "travel_min": 60, "stops": []},
            {"rep_id": t.users["rep1"], "date": "2026-10-06", "travel_min": 30, "stops": []},
            {"rep_id": t.users["rep2"], "date": "2026-10-10", "travel_min": 90, "stops": []},
        ]
        db.session.add(
            RoutePlan(
                org_id=t.org_id,
                created_by_id=t.users["manager"],
                name="October",
                status="published",
                date_from=dt.date(2026, 10, 5),
                date_to=dt.date(2026, 10, 10),
                rep_ids=[t.users["rep1"], t.users["rep2"]],
                params={},
                result={"routes": routes, "unplanned": []},
                published_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
            )
        )
        db.session.commit()


def _kpi(w: dict[str, Any], who: str = "hq", **params: Any) -> dict[str, Any]:
    client = w["t"].client(w["app"].test_client(), who)
    response = client.get(f"{API}/analytics/kpis", query_string={**OCT, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _rows(result: dict[str, Any], dim: str) -> dict[Any, Any]:
    return {r["keys"][dim]: r["value"] for r in result["rows"]}


# --- shelf KPIs ------------------------------------------------------------------------------------


EXPECTED = {
    # (value, n): the hand computation in the module docstring, latest check per outlet and month.
    "numeric_distribution": (75.0, 8),  # O1 r2 2/3, O2 r3 2/3, O3 r4 2/2 of own products
    "weighted_distribution": (68.1, 8),  # (10·2 + 5·2 + 1·2) / (10·3 + 5·3 + 1·2) = 32 / 47
    "assortment_compliance": (71.4, 7),  # r2 P1 P2 S1: 2/3; r3 P1 S1 (P2 not yet listed): 1/2; r4 2/2
    "share_of_shelf": (48.3, 8),  # own 5+0+2 + 0+3+1 + 2+1 = 14 / all 10+6 + 7+1 + 2+3 = 29
    "average_facings": (1.75, 8),  # 14 facings / 8 own rows
    "out_of_stock_rate": (14.3, 7),  # P1 at O2 out of 7 listed own rows
    "price_index": (155.0, 2),  # P1 r2 1.10/1.00, P2 r3 2.20/1.10 (water only: R1 is water)
    "promo_share": (25.0, 4),  # S1 at O2 of r2 P1, S1; r3 P2, S1 (v2 has no promo column)
    "promo_compliance": (50.0, 2),  # S1 planned: r2 no, r3 yes (r4: not asked)
    "promotion_presence": (66.7, 3),  # r2 no, r3 yes, r4 yes
    "pos_presence": (50.0, 2),  # r2 none, r3 poster+wobbler, r4 not applicable
    "pos_compliance": (0.0, 1),  # r3 partly
    "perfect_store_score": (80.0, 3),  # r2 66.67, r3 73.33, r4 100 (see test_perfect_store_score)
}


@pytest.mark.parametrize("kpi", sorted(EXPECTED))
def test_each_store_kpi_matches_the_hand_computation(world: dict[str, Any], db_kind: str, kpi: str) -> None:
    """Each shelf and store KPI over October equals the value worked out by hand."""
    result = _kpi(world[db_kind], kpi=kpi)
    assert (result["value"], result["n"]) == EXPECTED[kpi], result


def test_cuts_by_product_category_class_and_week(world: dict[str, Any], db_kind: str) -> None:
    """Cuts give each group its own value; a week grain takes the latest check per week."""
    w = world[db_kind]
    p = w["p"]
    by_product = _rows(_kpi(w, kpi="numeric_distribution", group_by="product"), "product")
    assert by_product == {p["P1"]: 66.7, p["P2"]: 50.0, p["S1"]: 100.0}
    sos = _kpi(w, kpi="share_of_shelf", group_by="category")
    assert _rows(sos, "category") == {"soft": 40.0, "water": 52.6}
    assert _rows(_kpi(w, kpi="share_of_shelf", group_by="product"), "product")[p["P1"]] == 36.8  # 7 / 19
    assert _rows(_kpi(w, kpi="numeric_distribution", group_by="class"), "class") == {"A": 66.7, "B": 66.7, "C": 100.0}
    weekly = _kpi(w, kpi="numeric_distribution", period="week")
    assert (weekly["value"], weekly["n"]) == (72.7, 11)  # r1 2/3, r3 2/3, r4 2/2, r2 2/3
    assert weekly["from"] == "2026-09-28" and weekly["to"] == "2026-11-01"  # whole weeks
    price = _kpi(w, kpi="shelf_price", product=p["P1"])
    assert (price["value"], price["n"]) == (1.0, 2) and price["stats"] == {"mean": 1.0, "stddev": 0.1}
    competitors = _kpi(w, kpi="numeric_distribution", own="false", group_by="product")
    assert _rows(competitors, "product") == {p["R1"]: 66.7, p["C2"]: 100.0}  # C2 at O2 not applicable


def test_a_product_added_to_a_list_mid_period_counts_from_then(world: dict[str, Any], db_kind: str) -> None:
    """P2 joined the must-stock list on 10-15: O2's check of 10-10 does not count it, O1's of 10-20 does."""
    w = world[db_kind]
    listed = _kpi(w, kpi="numeric_distribution", list="must", group_by="product")
    assert listed["value"] == 71.4 and listed["n"] == 7
    assert _rows(listed, "product")[w["p"]["P2"]] == 0.0  # only r2 (O1, not on the shelf)
    assert listed["source"] == "shelf:facts"


def test_a_form_version_change_and_not_applicable_answers(world: dict[str, Any], db_kind: str) -> None:
    """Both versions count; a version filter keeps one; N/A rows and answers are left out."""
    w = world[db_kind]
    v2 = _kpi(w, kpi="numeric_distribution", form_version=w["v2"])
    assert (v2["value"], v2["n"]) == (100.0, 2)
    by_version = _rows(_kpi(w, kpi="promo_share", group_by="form_version"), "form_version")
    assert by_version == {w["v1"]: 25.0, w["v2"]: None}  # v2 has no promotion column: nothing measured
    c2 = _kpi(w, kpi="numeric_distribution", product=w["p"]["C2"], group_by="outlet")
    assert len(c2["rows"]) == 2  # O2 marked it not applicable


def test_no_checks_in_a_period_and_the_previous_period(world: dict[str, Any], db_kind: str) -> None:
    """November has nothing: null with n 0, compared with October's value; the series shows both."""
    w = world[db_kind]
    november = _kpi(w, kpi="numeric_distribution", **{"from": "2026-11-01", "to": "2026-11-30"})
    assert (november["value"], november["n"]) == (None, 0)
    assert november["previous"] == {"from": "2026-10-01", "to": "2026-10-31", "value": 75.0, "n": 8}
    assert november["change"] is None
    client = w["t"].client(w["app"].test_client(), "hq")
    series = client.get(
        f"{API}/analytics/series",
        query_string={"kpi": "numeric_distribution", "from": "2026-09-01", "to": "2026-11-30"},
    ).get_json()
    points = [(pt["label"], pt["value"]) for pt in series["series"][0]["points"]]
    assert points == [("2026-09", None), ("2026-10", 75.0), ("2026-11", None)]


def test_perfect_store_score(world: dict[str, Any], db_kind: str) -> None:
    """Per check: Σ weight × component / Σ weight of the components it measured (default weights)."""
    # r2: assortment 2/3 (40), share 43.75 % ≥ 30 % target → 1 (20), availability 1 (20), promotion 0 (10),
    #     POS 0 (10): 66.67.  r3: 1/2, 1, 2/3, 1, 1: 73.33.  r4: 1, 1, 1 (no promotion, POS n/a): 100.
    w = world[db_kind]
    by_outlet = _rows(_kpi(w, kpi="perfect_store_score", group_by="account"), "account")
    assert by_outlet == {w["accounts"]["O1"]: 66.7, w["accounts"]["O2"]: 73.3, w["accounts"]["O3"]: 100.0}


# --- field execution -----------------------------------------------------------------------------------


def test_field_execution_kpis(world: dict[str, Any], db_kind: str) -> None:
    """Visits done vs planned, per rep-day, time in store, flags, coverage and driving time."""
    w = world[db_kind]
    users = w["t"].users
    assert (_kpi(w, kpi="visit_compliance")["value"], _kpi(w, kpi="visit_compliance")["n"]) == (60.0, 5)
    by_rep = _rows(_kpi(w, kpi="visit_compliance", group_by="rep"), "rep")
    assert by_rep == {users["rep1"]: 66.7, users["rep2"]: 50.0}
    assert _kpi(w, kpi="visits_done")["value"] == 4
    assert _kpi(w, kpi="visits_per_rep_day")["value"] == 1.33  # 4 visits / 3 rep-days
    by_rep_day = _kpi(w, kpi="visits_per_rep_day", group_by="rep")
    assert _rows(by_rep_day, "rep") == {users["rep1"]: 1.5, users["rep2"]: 1.0}
    # Per account each visit is its own rep-day (1.0), but rep1's two visits on 10-05 are one rep-day overall.
    by_account = _kpi(w, kpi="visits_per_rep_day", group_by="account")
    assert set(_rows(by_account, "account").values()) == {1.0} and (by_account["value"], by_account["n"]) == (1.33, 3)
    assert _kpi(w, kpi="time_in_store")["value"] == 35.0  # (30 + 20 + 40 + 50) / 4
    assert _kpi(w, kpi="flagged_rate")["value"] == 25.0
    coverage = _kpi(w, kpi="coverage", group_by="class")
    assert (coverage["value"], coverage["n"]) == (33.3, 3)  # only O3 (monthly) was visited often enough
    assert _rows(coverage, "class") == {"A": 0.0, "B": 0.0, "C": 100.0}
    assert _kpi(w, kpi="frequency_attainment")["value"] == 42.9  # (1 + 1 + 1) / (4 + 2 + 1)
    drive = _kpi(w, kpi="drive_time", group_by="rep")
    assert drive["value"] == 60.0 and _rows(drive, "rep") == {users["rep1"]: 45.0, users["rep2"]: 90.0}
    weekly = _kpi(w, kpi="visits_done", period="week", group_by="period")
    assert [r["value"] for r in weekly["rows"] if r["value"]] == [3.0, 1.0]  # weeks of 10-05 and 10-12


# --- roles, paths, rebuild ---------------------------------------------------------------------------


def test_roles_see_their_own_their_team_or_everything(world: dict[str, Any], db_kind: str) -> None:
    """A rep counts their own checks and visits, the manager the team's, HQ all; another org nothing."""
    w = world[db_kind]
    assert _kpi(w, "rep1", kpi="numeric_distribution")["value"] == 80.0  # r2 and r4
    assert _kpi(w, "rep3", kpi="numeric_distribution")["n"] == 0
    assert _kpi(w, "manager", kpi="numeric_distribution")["value"] == 75.0
    assert _kpi(w, "rep2", kpi="visits_done")["value"] == 1
    assert _kpi(w, "rep1", kpi="drive_time")["value"] == 45.0
    other = make_tenant(w["app"], roles={"hq": "hq"}, name="Other")
    client = other.client(w["app"].test_client(), "hq")
    result = client.get(f"{API}/analytics/kpis", query_string={**OCT, "kpi": "numeric_distribution"}).get_json()
    assert result["n"] == 0
    forbidden = w["t"].client(w["app"].test_client(), "rep1").get(f"{API}/analytics/exports/visits")
    assert forbidden.status_code == 403


def test_rollups_facts_and_a_rebuild_agree(world: dict[str, Any], db_kind: str) -> None:
    """The rollups (kept on write) give what the facts give, and a rebuild from the responses too."""
    from server.analytics import kpis
    from server.analytics.facts import rebuild
    from server.auth.models import User
    from server.db import db

    w = world[db_kind]
    queries = [
        (k, g, period)
        for k in (
            "numeric_distribution",
            "weighted_distribution",
            "share_of_shelf",
            "out_of_stock_rate",
            "pos_presence",
        )
        for g in ([], ["period"], ["format"], ["class", "period"])
        for period in ("day", "week", "month")
    ]
    with w["app"].app_context():
        user = db.session.get(User, w["t"].users["hq"])

        def run_all(path: str) -> list[Any]:
            out = []
            for kpi, group_by, period in queries:
                q = kpis.Query(kpi, period, dt.date(2026, 10, 1), dt.date(2026, 10, 31), group_by, {}, False, path)
                result = kpis.run(db.session, user, q)
                out.append((result["value"], result["n"], [(r["keys"], r["value"], r["n"]) for r in result["rows"]]))
            return out

        facts, rollups = run_all("facts"), run_all("rollup")
        assert facts == rollups
        rebuild(db.session, w["t"].org_id)
        assert run_all("rollup") == rollups
        db.session.rollback()


# --- dashboards, map, exports ----------------------------------------------------------------------


def test_overview_cards_and_map(world: dict[str, Any], db_kind: str) -> None:
    w = world[db_kind]
    client = w["t"].client(w["app"].test_client(), "hq")
    overview = client.get(f"{API}/analytics/overview", query_string={"from": "2026-11-01", "to": "2026-11-30"})
    assert overview.status_code == 200
    cards = {c["kpi"]: c for c in overview.get_json()["cards"]}
    assert cards["numeric_distribution"]["previous_value"] == 75.0 and cards["numeric_distribution"]["value"] is None
    layer = client.get(f"{API}/analytics/map", query_string={**OCT, "kpi": "numeric_distribution", "level": "outlet"})
    assert layer.status_code == 200 and layer.mimetype == "application/geo+json"
    features = layer.get_json()["features"]
    assert sorted(f["properties"]["value"] for f in features) == [66.7, 66.7, 100.0]
    assert all(f["geometry"]["type"] == "Point" for f in features)
    regions = client.get(f"{API}/analytics/map", query_string={**OCT, "kpi": "visits_done"}).get_json()
    assert sum(f["properties"]["value"] for f in regions["features"]) == 4
    catalog = {k["key"]: k for k in client.get(f"{API}/analytics/definitions").get_json()["items"]}
    assert set(catalog) >= set(EXPECTED) | {"coverage", "drive_time"}
    assert [catalog[k]["better"] for k in ("numeric_distribution", "out_of_stock_rate", "shelf_price")] == [
        "higher",
        "lower",
        None,
    ]
    assert "list" in catalog["numeric_distribution"]["filters"] and "product" not in catalog["coverage"]["filters"]
    # A filter applies to the cards that can take it; the others say they did not use it.
    s1 = client.get(f"{API}/analytics/overview", query_string={**OCT, "product": w["p"]["S1"]}).get_json()
    by_card = {c["kpi"]: c for c in s1["cards"]}
    assert by_card["numeric_distribution"]["ignored_filters"] == [] and by_card["numeric_distribution"]["value"] == 100
    assert by_card["visit_compliance"]["ignored_filters"] == ["product"]
    assert by_card["visit_compliance"]["value"] == 60.0 and by_card["out_of_stock_rate"]["better"] == "lower"


def test_the_map_by_territory_draws_each_territory_with_its_value(world: dict[str, Any], db_kind: str) -> None:
    """A territory around O1 only: its polygon carries O1's visits; a KPI without territories is a 422."""
    from server.dialects import for_bind
    from server.outlets.models import Outlet

    w = world[db_kind]
    client = w["t"].client(w["app"].test_client(), "admin")
    with w["app"].app_context():
        from server.accounts.models import Account
        from server.db import db

        outlet = db.session.get(Outlet, db.session.get(Account, w["accounts"]["O1"]).outlet_id)
        d = for_bind(db.session)
        lon, lat = db.session.execute(
            select(d.lon(Outlet.geom), d.lat(Outlet.geom)).where(Outlet.id == outlet.id)
        ).one()
    ring = [[lon - 1e-4, lat - 1e-4], [lon + 1e-4, lat - 1e-4], [lon + 1e-4, lat + 1e-4], [lon - 1e-4, lat + 1e-4]]
    polygon = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    created = client.post(f"{API}/territories", json={"name": "Around O1", "geometry": polygon, "color": "#1e88e5"})
    assert created.status_code == 201, created.get_json()
    territory_id = created.get_json()["id"]
    try:
        layer = client.get(f"{API}/analytics/map", query_string={**OCT, "kpi": "visits_done", "level": "territory"})
        assert layer.status_code == 200 and layer.mimetype == "application/geo+json"
        (feature,) = layer.get_json()["features"]
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        props = feature["properties"]
        assert (props["territory"], props["label"], props["value"], props["color"]) == (
            territory_id,
            "Around O1",
            1.0,
            "#1e88e5",
        )
        assert props["centre"][0] == pytest.approx(lon, abs=2e-4) and props["centre"][1] == pytest.approx(lat, abs=2e-4)
        bad = client.get(f"{API}/analytics/map", query_string={**OCT, "kpi": "drive_time", "level": "territory"})
        assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "level"
    finally:
        assert client.delete(f"{API}/territories/{territory_id}").status_code == 204


def test_exports_as_csv_and_xlsx(world: dict[str, Any], db_kind: str) -> None:
    """Exports stream CSV and write XLSX that openpyxl reads back, with the same filters."""
    import csv

    from openpyxl import load_workbook

    w = world[db_kind]
    client = w["t"].client(w["app"].test_client(), "hq")
    products = client.get(f"{API}/analytics/exports/responses", query_string=OCT)
    assert products.status_code == 200 and products.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(products.get_data(as_text=True))))
    assert len(rows) == 19  # 5 + 5 + 5 + 4 grid rows
    na = [r for r in rows if r["product_id"] == str(w["p"]["C2"]) and '"not_applicable": true' in r["other_columns"]]
    assert len(na) == 1
    xlsx = client.get(f"{API}/analytics/exports/responses", query_string={**OCT, "output": "xlsx", "layout": "answers"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][-2:] == ("column", "value")
    answers = [v for v in values[1:] if v[17] == "pos_present"]
    assert sorted(v[-1] for v in answers) == ["none", "not_applicable", "poster", "poster|wobbler"]
    only_rep2 = client.get(
        f"{API}/analytics/exports/responses", query_string={**OCT, "rep": w["t"].users["rep2"], "product": w["p"]["S1"]}
    )
    assert len(list(csv.DictReader(io.StringIO(only_rep2.get_data(as_text=True))))) == 1
    visits = client.get(f"{API}/analytics/exports/visits", query_string={**OCT, "output": "xlsx"})
    table = list(load_workbook(io.BytesIO(visits.get_data())).active.iter_rows(values_only=True))
    assert len(table) == 8 and table[0][0] == "visit_id"
    assert sorted(r[20] for r in table[1:] if r[20] is not None) == [20.0, 30.0, 40.0, 50.0]
    by_product = client.get(f"{API}/analytics/exports/visits", query_string={**OCT, "product": w["p"]["S1"]})
    assert by_product.status_code == 422 and by_product.get_json()["errors"][0]["field"] == "product"
    accounts = client.get(f"{API}/analytics/exports/accounts", query_string={**OCT, "class": "C"})
    account_rows = list(csv.DictReader(io.StringIO(accounts.get_data(as_text=True))))
    assert [(r["visits_done"], r["visits_expected"], r["covered"]) for r in account_rows] == [("2", "1", "True")]


def test_the_weekly_export_command_writes_a_file(world: dict[str, Any], db_kind: str, tmp_path: Any) -> None:
    from openpyxl import load_workbook

    w = world[db_kind]
    runner = w["app"].test_cli_runner()
    result = runner.invoke(
        args=[
            "analytics",
            "export",
            "--org",
            w["t"].slug,
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
            "--dir",
            str(tmp_path),
        ]
    )
    assert result.exit_code == 0, result.output
    files = list(tmp_path.glob("*.xlsx"))
    assert len(files) == 1
    assert len(list(load_workbook(files[0]).active.iter_rows())) == 20


# --- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"kpi": "nope"}, 422, "kpi"),
        ({}, 422, "kpi"),
        ({"kpi": "coverage", "group_by": "product"}, 422, "group_by"),
        ({"kpi": "visits_done", "product": "1"}, 422, "product"),
        ({"kpi": "pos_presence", "list": "shelf"}, 422, "list"),
        ({"kpi": "drive_time", "region": "DE-BY"}, 422, "region"),
        ({"kpi": "numeric_distribution", "group_by": "period,class,format"}, 422, "group_by"),
        ({"kpi": "numeric_distribution", "group_by": "weather"}, 422, "group_by"),
        ({"kpi": "numeric_distribution", "period": "year"}, 422, "period"),
        ({"kpi": "numeric_distribution", "from": "2026-11-02", "to": "2026-11-01"}, 422, "from"),
        ({"kpi": "numeric_distribution", "from": "1999-01-01"}, 422, "from"),
        ({"kpi": "numeric_distribution", "from": "2000-01-01", "to": "2026-01-01", "period": "day"}, 422, "from"),
        ({"kpi": "numeric_distribution", "class": "D"}, 422, "class"),
        ({"kpi": "numeric_distribution", "product": "99999999999"}, 422, "product"),
        ({"kpi": "numeric_distribution", "product": "999999"}, 404, "product"),
        ({"kpi": "numeric_distribution", "list": "nope"}, 404, "list"),
        ({"kpi": "numeric_distribution", "rep": "x"}, 422, "rep"),
    ],
)
def test_bad_queries_are_problems_naming_the_field(
    world: dict[str, Any], db_kind: str, query: dict, status: int, field: str
) -> None:
    w = world[db_kind]
    response = w["t"].client(w["app"].test_client(), "hq").get(f"{API}/analytics/kpis", query_string=query)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert field in [e["field"] for e in response.get_json().get("errors", [])], response.get_json()


def test_settings_are_validated_and_limited_to_hq(world: dict[str, Any], db_kind: str) -> None:
    w = world[db_kind]
    hq: As = w["t"].client(w["app"].test_client(), "hq")
    bad = hq.open(f"{API}/analytics/settings", "PUT", json={"timezone": "Mars/Olympus", "must_stock": {"kiosk": "x"}})
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.get_json()["errors"]}
    assert "timezone" in fields and any(f.startswith("must_stock") for f in fields)
    assert (
        w["t"].client(w["app"].test_client(), "manager").open(f"{API}/analytics/settings", "PUT", json={}).status_code
        == 403
    )
    unknown = hq.open(f"{API}/analytics/settings", "PUT", json={"must_stock": {"supermarket": "nope"}})
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["field"] == "must_stock.supermarket"
    assert hq.get(f"{API}/analytics/settings").get_json()["must_stock"] == {"*": "must"}
