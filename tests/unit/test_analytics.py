"""The pure parts of the analytics: periods, fact extraction, latest flags, scores."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.analytics import config
from server.analytics.facts import OrgContext, OutletInfo, ResponseData, assign_latest, extract, perfect_store_score
from server.analytics.kpis import buckets, expected_visits, period_label, previous_range, snap

UTC = dt.UTC


def test_ranges_snap_to_whole_periods_and_the_previous_range_has_as_many() -> None:
    assert snap("W", dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == (dt.date(2026, 9, 28), dt.date(2026, 11, 1))
    assert snap("M", dt.date(2026, 2, 10), dt.date(2026, 2, 11)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert previous_range("M", dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )
    assert previous_range("W", dt.date(2026, 11, 23), dt.date(2026, 11, 29)) == (
        dt.date(2026, 11, 16),
        dt.date(2026, 11, 22),
    )
    assert len(buckets("D", dt.date(2024, 2, 1), dt.date(2024, 2, 29))) == 29
    assert period_label("W", dt.date(2025, 12, 29)) == "2026-W01"
    assert period_label("M", dt.date(2026, 3, 1)) == "2026-03"


def test_expected_visits_follow_the_frequency() -> None:
    assert [expected_visits(31, w) for w in (1, 2, 4)] == [4, 2, 1]
    assert expected_visits(7, 4) == 1  # at least one


GRID = {
    "key": "shelf",
    "type": "product_grid",
    "product_list": "shelf",
    "label": "x",
    "columns": [
        {"key": "present", "type": "boolean", "label": "x"},
        {"key": "facings", "type": "integer", "label": "x"},
        {"key": "shelf_price", "type": "price", "label": "x"},
        {"key": "promo", "type": "boolean", "label": "x"},
        {"key": "out_of_stock", "type": "boolean", "label": "x"},
        {"key": "not_applicable", "type": "boolean", "label": "x"},
    ],
}
DEFINITION = {
    "key": "f",
    "title": "f",
    "sections": [
        {"key": "s", "title": "s", "questions": [GRID, {"key": "pos_present", "type": "multiple", "label": "x"}]}
    ],
}
PRODUCTS = {
    "1": {"own": True, "category": "water"},
    "2": {"own": True, "category": "soft"},
    "3": {"own": False, "category": "water"},
    "4": {"own": False, "category": "soft"},
}


def _context(**settings: Any) -> OrgContext:
    ctx = OrgContext(org_id=1, config=config.merged(settings))
    ctx.outlets[10] = OutletInfo("DE", "DE-BY", "Bayern", "REWE", "REWE Group", "supermarket", 1200, 11.5, 48.1)
    ctx.accounts[20] = ("A", {"weight": 3})
    ctx.references = {"shelf": {3}}
    ctx.windows = {"must": {1: [(None, None)], 2: [(dt.datetime(2026, 10, 15, tzinfo=UTC), None)]}}
    return ctx


def _response(rows: list[dict[str, Any]], at: dt.datetime, **answers: Any) -> ResponseData:
    return ResponseData(7, 1, 10, 20, 5, 3, 4, at, {"shelf": rows, **answers}, PRODUCTS)


def test_extract_reads_the_grid_by_column_meaning() -> None:
    ctx = _context(must_stock={"*": "must"}, weight="custom:weight")
    rows = [
        {"product_id": 1, "present": True, "facings": 4, "shelf_price": 1.1, "promo": True},
        {"product_id": 2, "present": False, "out_of_stock": True},
        {"product_id": 3, "present": True, "facings": 5, "shelf_price": 1.0},
        {"product_id": 4, "present": False, "not_applicable": True},
    ]
    shelf, response = extract(
        ctx, _response(rows, dt.datetime(2026, 10, 10, 22, 30, tzinfo=UTC), pos_present=["none"]), DEFINITION, 99, 8
    )
    assert [f["product_id"] for f in shelf] == [1, 2, 3]  # not applicable: left out
    one, two, three = shelf
    assert (one["present"], one["facings"], one["price_minor"], one["promo"], one["oos"]) == (1, 4, 110, 1, 0)
    assert (two["present"], two["facings"], two["price_minor"], two["promo"], two["oos"]) == (0, 0, None, None, 1)
    assert three["oos"] is None  # a competitor's stock is not asked
    assert one["price_index_bp"] == 11000 and two["price_index_bp"] is None  # same category only
    assert (one["must_stock"], two["must_stock"]) == (1, 0)  # product 2 listed from 10-15
    assert one["weight"] == 3.0 and one["segment_id"] == 99 and one["territory_id"] == 8
    assert one["day"] == dt.date(2026, 10, 11)  # 00:30 in Berlin
    assert (one["week"], one["month"]) == (dt.date(2026, 10, 5), dt.date(2026, 10, 1))
    assert response["pos_any"] == 0 and response["score_bp"] is not None
    later, _ = extract(ctx, _response(rows, dt.datetime(2026, 10, 20, tzinfo=UTC)), DEFINITION, 99, 8)
    assert later[1]["must_stock"] == 1


def test_the_latest_observation_per_product_and_period_is_flagged() -> None:
    def fact(response_id: int, product: int, day: dt.date) -> dict[str, Any]:
        at = dt.datetime.combine(day, dt.time(10), UTC)
        week, month = day - dt.timedelta(days=day.weekday()), day.replace(day=1)
        return {
            "response_id": response_id,
            "product_id": product,
            "completed_at": at,
            "day": day,
            "week": week,
            "month": month,
        }

    rows = [
        fact(1, 1, dt.date(2026, 10, 5)),
        fact(2, 1, dt.date(2026, 10, 7)),
        fact(3, 1, dt.date(2026, 10, 20)),
        fact(3, 2, dt.date(2026, 10, 20)),
    ]
    assign_latest(rows, ("product_id",))
    assert [(r["latest_d"], r["latest_w"], r["latest_m"]) for r in rows] == [
        (True, False, False),
        (True, True, False),
        (True, True, True),
        (True, True, True),
    ]


def test_the_perfect_store_score_weighs_the_components_it_measured() -> None:
    settings = config.merged({})
    shelf = [
        {
            "own": 1,
            "must_stock": 0,
            "present": 1,
            "facings": 3,
            "oos": 0,
            "promo": 0,
            "promo_planned": 0,
            "price_index_bp": None,
        },
        {
            "own": 1,
            "must_stock": 0,
            "present": 0,
            "facings": 0,
            "oos": 1,
            "promo": None,
            "promo_planned": 0,
            "price_index_bp": None,
        },
        {
            "own": 0,
            "must_stock": 0,
            "present": 1,
            "facings": 7,
            "oos": None,
            "promo": None,
            "promo_planned": 0,
            "price_index_bp": None,
        },
    ]
    # assortment 1/2 (40), share 30 % of a 30 % target = 1 (20), availability 1/2 (20), POS 1 (10):
    # (20 + 20 + 10 + 10) / 90
    assert perfect_store_score(settings, shelf, {"pos_any": 1}, False) == 6667
    assert perfect_store_score(settings, [], {"pos_any": None}, False) is None


def test_the_xlsx_writer_streams_a_workbook_that_reads_back(tmp_path: Any) -> None:
    """Numbers, booleans, empty cells and awkward text survive; the header is bold."""
    from openpyxl import load_workbook

    from server.analytics.exports import write_xlsx

    rows = [
        ["id", "text", "flag", "price", "none"],
        [1, "=SUM(A1) & <b>\x07", True, 1.25, None],
        [2, " leading space", False, 0, "x" * 40000],
    ]
    path = write_xlsx(iter(rows), "responses/answers", tmp_path / "out.xlsx")
    book = load_workbook(path)
    sheet = book.active
    assert sheet.title == "responsesanswers"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("id", "text", "flag", "price", "none")
    assert values[1] == (1, "=SUM(A1) & <b>", True, 1.25, None)
    assert values[2][:4] == (2, " leading space", False, 0) and len(values[2][4]) == 32767
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
