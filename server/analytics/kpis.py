"""The KPIs: each defined once (:data:`KPIS`), computed for any filters, cut and period.

A query names a KPI, a period grain (day, week, month), a date range (snapped to whole periods), up
to two dimensions to cut by and any filters. It runs on one of five sources:

* ``shelf``: the latest shelf observation per outlet, product and period (``analytics_shelf_facts``),
  read from the rollups when every filter and cut is a rollup dimension, else from the facts;
* ``response``: the latest response per outlet, form and period (``analytics_response_facts``);
* ``visits``: the visits themselves (planned, done, missed, check-in and -out times, flags);
* ``coverage``: the accounts against their visit frequencies;
* ``plans``: the published route plans (driving time).

Every KPI value is a ratio or mean of summable measures, so a range, a cut and the total are computed
the same way (see docs/kpis.md). Results respect the organization and the role: a rep sees their own
observations and visits, a manager their team's, HQ and admins the whole organization.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session

from server.analytics import config as settings
from server.analytics.facts import GRAIN_COLUMNS, bucket_of, membership_windows
from server.analytics.measures import response_aggregates, rollup_sums, shelf_aggregates
from server.analytics.models import (
    RESPONSE_MEASURES,
    SHELF_MEASURES,
    AccountTerritory,
    ResponseFact,
    Segment,
    ShelfFact,
    response_rollup,
    shelf_rollup,
)
from server.auth.models import Role, User
from server.errors import Problem, field_error

GRAIN = {"day": "D", "week": "W", "month": "M"}
MAX_BUCKETS = 800


def _ratio(num: str, den: str, scale: float = 100.0) -> Callable[[dict[str, float]], float | None]:
    def compute(m: dict[str, float]) -> float | None:
        return scale * m[num] / m[den] if m.get(den) else None

    return compute


def _mean(total: str, count: str, scale: float = 1.0) -> Callable[[dict[str, float]], float | None]:
    def compute(m: dict[str, float]) -> float | None:
        return m[total] / m[count] / scale if m.get(count) else None

    return compute


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str
    source: str
    formula: str
    compute: Callable[[dict[str, float]], float | None]
    n: str
    #: Product KPIs default to the organization's own products when no product filter is given.
    own_by_default: bool = False
    decimals: int = 1

    @property
    def better(self) -> str | None:
        """Which way is good: "higher", "lower", or None where neither is (prices, time in store)."""
        return BETTER.get(self.key, "higher")


#: KPIs for which higher is not better (see :attr:`Kpi.better`).
BETTER: dict[str, str | None] = {
    "out_of_stock_rate": "lower",
    "flagged_rate": "lower",
    "drive_time": "lower",
    "shelf_price": None,
    "price_index": None,
    "time_in_store": None,
}


def _price_stats(m: dict[str, float]) -> dict[str, float | None]:
    n = m.get("n_price") or 0
    if not n:
        return {"mean": None, "stddev": None}
    mean = m["s_price"] / n
    variance = max(0.0, m["s_price2"] / n - mean * mean)
    return {"mean": round(mean / 100, 2), "stddev": round(math.sqrt(variance) / 100, 2)}


KPIS: dict[str, Kpi] = {
    k.key: k
    for k in [
        Kpi(
            "numeric_distribution",
            "Numeric distribution",
            "%",
            "shelf",
            "100 × outlets where the product is on the shelf / outlets where it was checked",
            _ratio("n_present", "n_obs"),
            "n_obs",
            True,
        ),
        Kpi(
            "weighted_distribution",
            "Weighted distribution",
            "%",
            "shelf",
            "100 × Σ weight of outlets where present / Σ weight of outlets checked (weight: sales area or the "
            "brand's weight)",
            _ratio("w_present", "w_obs"),
            "n_obs",
            True,
        ),
        Kpi(
            "assortment_compliance",
            "Must-stock compliance",
            "%",
            "shelf",
            "100 × must-stock products on the shelf / must-stock products checked (must-stock list of the "
            "outlet's format at the time of the check)",
            _ratio("s_ms", "n_ms"),
            "n_ms",
        ),
        Kpi(
            "share_of_shelf",
            "Share of shelf",
            "%",
            "shelf",
            "100 × facings of the selected products / all facings (own and competitors) in their categories",
            lambda m: None,
            "n_fac",
            True,
        ),
        Kpi(
            "average_facings",
            "Average facings",
            "facings",
            "shelf",
            "Σ facings / product rows with a facings count (0 when not on the shelf)",
            _mean("s_fac", "n_fac"),
            "n_fac",
            True,
            2,
        ),
        Kpi(
            "out_of_stock_rate",
            "Out-of-stock rate",
            "%",
            "shelf",
            "100 × listed products out of stock / listed products checked (on the shelf, or listed but out of stock)",
            _ratio("s_oos", "n_oos"),
            "n_oos",
            True,
        ),
        Kpi(
            "shelf_price",
            "Average shelf price",
            "EUR",
            "shelf",
            "Σ shelf prices / prices recorded (per product: cut or filter by product)",
            _mean("s_price", "n_price", 100.0),
            "n_price",
            True,
            2,
        ),
        Kpi(
            "price_index",
            "Price index",
            "index",
            "shelf",
            "mean of 100 × own shelf price / mean shelf price of the list's reference competitors of the same category "
            "in the same check",
            _mean("s_pi", "n_pi", 100.0),
            "n_pi",
            True,
        ),
        Kpi(
            "promo_share",
            "On promotion",
            "%",
            "shelf",
            "100 × products on promotion / products on the shelf with the promotion question answered",
            _ratio("s_promo", "n_promo"),
            "n_promo",
            True,
        ),
        Kpi(
            "promo_compliance",
            "Promotion compliance",
            "%",
            "shelf",
            "100 × products of a planned promotion marked on promotion / those on the shelf during the promotion",
            _ratio("s_pp", "n_pp"),
            "n_pp",
        ),
        Kpi(
            "promotion_presence",
            "Promotion running",
            "%",
            "response",
            "100 × store checks where one of our promotions runs / store checks that answered",
            _ratio("s_prun", "n_prun"),
            "n_prun",
        ),
        Kpi(
            "pos_presence",
            "POS material present",
            "%",
            "response",
            "100 × store checks with any of our POS material / store checks that answered",
            _ratio("s_pos", "n_pos"),
            "n_pos",
        ),
        Kpi(
            "pos_compliance",
            "POS placed as agreed",
            "%",
            "response",
            "100 × checks where the POS material is placed as agreed / checks that answered the placement",
            _ratio("s_place", "n_place"),
            "n_place",
        ),
        Kpi(
            "perfect_store_score",
            "Perfect store score",
            "points",
            "response",
            "mean over checked outlets of Σ weight × component / Σ weight (components in 0…1: assortment, "
            "share of shelf against its target, availability, promotion, POS, price in band) × 100",
            _mean("s_score", "n_score", 100.0),
            "n_score",
        ),
        Kpi(
            "visits_done",
            "Visits done",
            "visits",
            "visits",
            "count of visits checked out (planned or not), on their planned day or their check-in day",
            lambda m: float(m["done_n"]),
            "done_n",
            decimals=0,
        ),
        Kpi(
            "visit_compliance",
            "Planned visits done",
            "%",
            "visits",
            "100 × planned visits done / planned visits not cancelled",
            _ratio("planned_done", "planned_n"),
            "planned_n",
        ),
        Kpi(
            "visits_per_rep_day",
            "Visits per rep per day",
            "visits",
            "visits",
            "visits done / days on which a rep did at least one visit",
            _mean("done_n", "rep_days"),
            "rep_days",
            decimals=2,
        ),
        Kpi(
            "time_in_store",
            "Time in store",
            "min",
            "visits",
            "mean of check-out − check-in over visits done with both",
            _mean("stay_sum", "stay_n", 60.0),
            "stay_n",
        ),
        Kpi(
            "flagged_rate",
            "Flagged check-ins",
            "%",
            "visits",
            "100 × check-ins beyond the geofence / check-ins",
            _ratio("flagged_n", "checkins_n"),
            "checkins_n",
        ),
        Kpi(
            "coverage",
            "Coverage",
            "%",
            "coverage",
            "100 × accounts visited at least as often as their frequency asks / active accounts with a frequency "
            "(expected visits in a period: max(1, round(days / (7 × weeks between visits))))",
            _ratio("covered", "accounts"),
            "accounts",
        ),
        Kpi(
            "frequency_attainment",
            "Visit frequency attainment",
            "%",
            "coverage",
            "100 × Σ min(visits done, visits expected) / Σ visits expected, over active accounts with a frequency",
            _ratio("attained", "expected"),
            "expected",
        ),
        Kpi(
            "drive_time",
            "Driving time per rep-day",
            "min",
            "plans",
            "Σ planned driving minutes of published route plans / rep-days planned",
            _mean("drive_min", "rep_days"),
            "rep_days",
        ),
    ]
}

#: Dimensions a query may cut by or filter on, per source.
OUTLET_DIMS = ("country", "region", "banner", "group", "format", "class")
DIMS: dict[str, tuple[str, ...]] = {
    "shelf": (
        "period",
        *OUTLET_DIMS,
        "territory",
        "rep",
        "outlet",
        "account",
        "product",
        "brand",
        "category",
        "own",
        "form",
        "form_version",
    ),
    "response": ("period", *OUTLET_DIMS, "territory", "rep", "outlet", "account", "form", "form_version"),
    "visits": ("period", *OUTLET_DIMS, "territory", "rep", "outlet", "account"),
    "coverage": ("period", *OUTLET_DIMS, "territory", "rep", "account"),
    "plans": ("period", "rep"),
}
FILTERS = (
    "country",
    "region",
    "banner",
    "group",
    "format",
    "class",
    "territory",
    "rep",
    "outlet",
    "account",
    "product",
    "brand",
    "category",
    "own",
    "form",
    "form_version",
    "list",
)
PRODUCT_DIMS = frozenset({"product", "brand", "category", "own"})
#: Cuts and filters the rollups do not carry: the query reads the facts.
FACT_ONLY = frozenset({"territory", "rep", "outlet", "account", "list"})


@dataclass
class Query:
    kpi: str
    period: str = "month"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    group_by: list[str] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)
    compare: bool = True
    #: "auto" (rollups where possible), "facts" or "rollup" (tests compare the two).
    path: str = "auto"


# --- periods -------------------------------------------------------------------------------------------


def next_bucket(grain: str, start: dt.date) -> dt.date:
    if grain == "D":
        return start + dt.timedelta(days=1)
    if grain == "W":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def buckets(grain: str, start: dt.date, end: dt.date) -> list[dt.date]:
    out, current = [], bucket_of(grain, start)
    while current <= end:
        out.append(current)
        current = next_bucket(grain, current)
    return out


def snap(grain: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The range widened to whole periods."""
    first = bucket_of(grain, start)
    last = next_bucket(grain, bucket_of(grain, end)) - dt.timedelta(days=1)
    return first, last


def previous_range(grain: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    count = len(buckets(grain, start, end))
    current = start
    for _ in range(count):
        current = bucket_of(grain, current - dt.timedelta(days=1))
    return current, start - dt.timedelta(days=1)


def period_label(grain: str, start: dt.date) -> str:
    if grain == "D":
        return start.isoformat()
    if grain == "W":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.strftime("%Y-%m")


def today(session: Session, org_id: int) -> dt.date:
    return dt.datetime.now(settings.zone(settings.load(session, org_id))).date()


# --- visibility ----------------------------------------------------------------------------------------


def rep_scope(user: User, column: Any) -> Any:
    """Observations and visits a user may count: a rep their own, a manager their team's (the same rule
    as server.tenancy.visit_visibility and the responses' visibility), HQ and admins all."""
    from server.tenancy import team_ids

    role = Role(user.role)
    if role in (Role.HQ, Role.ADMIN):
        return true()
    if role == Role.MANAGER:
        return column.in_(team_ids(user))
    return column == user.id


def _restricted(user: User) -> bool:
    return Role(user.role) not in (Role.HQ, Role.ADMIN)


# --- the engine ----------------------------------------------------------------------------------------


@dataclass
class Plan:
    """How one query runs: the range, the grain, the source and path."""

    kpi: Kpi
    grain: str
    start: dt.date
    end: dt.date
    group_by: list[str]
    filters: dict[str, Any]
    path: str


def validate(session: Session, user: User, query: Query) -> Plan:
    """Check a query against its KPI: dimensions, filters, range. :raise Problem: 422 naming the field."""
    kpi = KPIS.get(query.kpi)
    if kpi is None:
        raise field_error("kpi", f"unknown KPI {query.kpi!r} (known: {', '.join(KPIS)})")
    grain = GRAIN[query.period]
    allowed = DIMS[kpi.source]
    for dim in query.group_by:
        if dim not in allowed:
            raise field_error("group_by", f"{kpi.key} cannot be cut by {dim} (it can by: {', '.join(allowed)})")
    if len(set(query.group_by)) != len(query.group_by):
        raise field_error("group_by", "a dimension is named twice")
    for name, value in query.filters.items():
        if value is None or value == []:
            continue
        if name == "list" and kpi.source != "shelf":
            raise field_error("list", f"{kpi.key} is not about products; the list filter does not apply")
        if name != "list" and name not in allowed:
            raise field_error(name, f"{kpi.key} cannot be filtered by {name} (it can by: {', '.join(allowed[1:])})")
    end = query.date_to or today(session, user.org_id)
    start = query.date_from or bucket_of(grain, end)
    if start > end:
        raise field_error("from", "must not be after to")
    start, end = snap(grain, start, end)
    if len(buckets(grain, start, end)) > MAX_BUCKETS:
        raise field_error("from", f"the range has more than {MAX_BUCKETS} {query.period}s; choose a longer period")
    filters = dict(query.filters)
    if kpi.own_by_default and not any(filters.get(k) not in (None, []) for k in ("product", "brand", "own")):
        filters["own"] = True
    path = query.path
    if path == "auto":
        if filters.get("list"):
            filters = _list_as_products(session, user.org_id, filters, start, end)
        uses = set(query.group_by) | {k for k, v in filters.items() if v not in (None, [])}
        path = "facts" if uses & FACT_ONLY or _restricted(user) else "rollup"
    return Plan(kpi, grain, start, end, list(query.group_by), filters, path)


def _list_as_products(session: Session, org_id: int, filters: dict[str, Any], start: dt.date, end: dt.date) -> dict:
    """A list filter whose products were on the list during the whole range, or not at all, is a plain
    product filter (which the rollups answer); a product that joined or left the list within the range
    keeps the list filter, answered from the facts with each check's time."""
    windows = membership_windows(session, org_id)
    begin = dt.datetime.combine(start - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    finish = dt.datetime.combine(end + dt.timedelta(days=2), dt.time.min, tzinfo=dt.UTC)
    products: set[int] = set()
    for key in filters["list"]:
        for product_id, spans in windows.get(key, {}).items():
            for lo, hi in spans:
                lo_ = lo if lo is None or lo.tzinfo else lo.replace(tzinfo=dt.UTC)
                hi_ = hi if hi is None or hi.tzinfo else hi.replace(tzinfo=dt.UTC)
                if (lo_ is None or lo_ <= begin) and (hi_ is None or hi_ >= finish):
                    products.add(product_id)
                elif (hi_ is not None and hi_ <= begin) or (lo_ is not None and lo_ >= finish):
                    continue
                else:
                    return filters  # changed during the range
    out = {k: v for k, v in filters.items() if k != "list"}
    if out.get("product"):
        products &= set(out["product"])
    out["product"] = sorted(products) or [0]
    return out


def run(session: Session, user: User, query: Query) -> dict[str, Any]:
    """One KPI: its value over the range, per cut, against the previous range."""
    plan = validate(session, user, query)
    ensure_built(session, user.org_id)
    if session.get_bind().dialect.name == "postgresql":
        # A year of facts sorts and hashes in memory (this transaction only; 4 MB spills to disk).
        session.execute(text("SET LOCAL work_mem = '64MB'"))
    current = _compute(session, user, plan)
    result: dict[str, Any] = {
        "kpi": plan.kpi.key,
        "label": plan.kpi.label,
        "unit": plan.kpi.unit,
        "better": plan.kpi.better,
        "formula": plan.kpi.formula,
        "period": query.period,
        "from": plan.start.isoformat(),
        "to": plan.end.isoformat(),
        "group_by": plan.group_by,
        "filters": _filters_json(plan.filters),
        "source": plan.kpi.source + ("" if plan.kpi.source not in ("shelf", "response") else f":{plan.path}"),
        "value": current["total"]["value"],
        "n": current["total"]["n"],
    }
    if "stats" in current["total"]:
        result["stats"] = current["total"]["stats"]
    rows = current["rows"]
    if query.compare:
        p_start, p_end = previous_range(plan.grain, plan.start, plan.end)
        previous = _compute(
            session, user, Plan(plan.kpi, plan.grain, p_start, p_end, plan.group_by, plan.filters, plan.path)
        )
        result["previous"] = {
            "from": p_start.isoformat(),
            "to": p_end.isoformat(),
            "value": previous["total"]["value"],
            "n": previous["total"]["n"],
        }
        result["change"] = _change(result["value"], previous["total"]["value"], plan.kpi)
        if "period" not in plan.group_by:
            before = {_key(r["keys"]): r for r in previous["rows"]}
            for row in rows:
                old = before.get(_key(row["keys"]))
                row["previous_value"] = old["value"] if old else None
                row["change"] = _change(row["value"], row["previous_value"], plan.kpi)
    _label_rows(session, user, plan, rows)
    result["rows"] = rows
    return result


def _key(keys: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted((k, str(v)) for k, v in keys.items()))


def _change(value: float | None, previous: float | None, kpi: Kpi) -> float | None:
    if value is None or previous is None:
        return None
    return round(value - previous, kpi.decimals + 1)


def _filters_json(filters: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in filters.items() if v not in (None, [])}


def _compute(session: Session, user: User, plan: Plan) -> dict[str, Any]:
    source = plan.kpi.source
    if plan.kpi.key == "share_of_shelf":
        return _share_of_shelf(session, user, plan)
    if source in ("shelf", "response"):
        groups = _measure_query(session, user, plan)
        return _finish(plan, groups)
    if source == "visits":
        groups, total = _visit_query(session, user, plan)
        return _finish(plan, groups, total=total)
    if source == "coverage":
        return _finish(plan, _coverage(session, user, plan))
    return _finish(plan, _drive_time(session, user, plan))


def _finish(
    plan: Plan,
    groups: dict[tuple[Any, ...], dict[str, float]],
    total: dict[tuple[Any, ...], dict[str, float]] | None = None,
) -> dict[str, Any]:
    kpi = plan.kpi
    if total is None:
        summed: dict[str, float] = {}
        for measures in groups.values():
            for name, value in measures.items():
                summed[name] = summed.get(name, 0) + value
    else:
        summed = next(iter(total.values()), {})
    rows = [
        _row(kpi, dict(zip(plan.group_by, key, strict=True)), measures)
        for key, measures in sorted(groups.items(), key=lambda item: tuple(_sortable(v) for v in item[0]))
    ]
    if "period" in plan.group_by:
        rows = _fill_periods(plan, rows)
    return {"total": _row(kpi, {}, summed), "rows": rows}


def _sortable(value: Any) -> tuple[int, Any]:
    return (
        (0, "") if value is None else (1, str(value)) if not isinstance(value, int | float) else (1, f"{value:020.4f}")
    )


def _row(kpi: Kpi, keys: dict[str, Any], measures: dict[str, float]) -> dict[str, Any]:
    value = kpi.compute(measures) if measures else None
    row: dict[str, Any] = {
        "keys": {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in keys.items()},
        "value": None if value is None else round(value, kpi.decimals),
        "n": int(measures.get(kpi.n, 0) or 0),
    }
    if kpi.key == "shelf_price":
        row["stats"] = _price_stats(measures)
    return row


def _fill_periods(plan: Plan, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A time series has every period of the range, null where nothing was measured."""
    others = [d for d in plan.group_by if d != "period"]
    if others and not rows:
        return rows
    seen = {_key(r["keys"]): r for r in rows}
    combos = sorted({tuple((d, r["keys"][d]) for d in others) for r in rows}, key=str) or [()]
    out = []
    for combo in combos:
        for start in buckets(plan.grain, plan.start, plan.end):
            keys = {**dict(combo), "period": start.isoformat()}
            ordered = {d: keys[d] for d in plan.group_by}
            out.append(seen.get(_key(ordered)) or {"keys": ordered, "value": None, "n": 0})
    return out


# --- shelf and response sources --------------------------------------------------------------------------


def _sources(plan: Plan) -> tuple[Any, Any, dict[str, Any], Any]:
    """(from-clause table, its alias for columns, measure expressions, range condition)."""
    from server.catalog.models import Product  # noqa: F401

    shelf = plan.kpi.source == "shelf"
    if plan.path == "facts":
        table = (ShelfFact if shelf else ResponseFact).__table__
        bucket = table.c[GRAIN_COLUMNS[plan.grain]]
        flag = table.c[{"D": "latest_d", "W": "latest_w", "M": "latest_m"}[plan.grain]]
        measures = shelf_aggregates(table) if shelf else response_aggregates(table)
        # The range snaps to whole periods, so the days are the same range: said twice, the day index
        # narrows the scan (an empty previous range costs nothing).
        condition = and_(
            flag.is_(True), bucket >= plan.start, bucket <= plan.end, table.c.day >= plan.start, table.c.day <= plan.end
        )
    else:
        table = shelf_rollup if shelf else response_rollup
        bucket = table.c.bucket
        measures = rollup_sums(table, list(SHELF_MEASURES if shelf else RESPONSE_MEASURES))
        condition = and_(table.c.grain == plan.grain, bucket >= plan.start, bucket <= plan.end)
    return table, bucket, measures, condition


def _dimension(plan: Plan, table: Any, bucket: Any, seg: Any, product: Any, version: Any, dim: str) -> Any:
    columns = {
        "period": bucket,
        "country": seg.c.country,
        "region": seg.c.region_code,
        "banner": seg.c.banner,
        "group": seg.c.group_name,
        "format": seg.c.format,
        "class": seg.c.account_class,
        "form": version.c.form_id,
        "form_version": table.c.form_version_id,
    }
    if product is not None:
        columns.update(
            {
                "product": table.c.product_id,
                "brand": product.c.brand,
                "category": product.c.category,
                "own": product.c.own,
            }
        )
    if plan.path == "facts":
        columns.update(
            {
                "rep": table.c.rep_id,
                "territory": table.c.territory_id,
                "outlet": table.c.outlet_id,
                "account": table.c.account_id,
            }
        )
    return columns[dim]


def _conditions(
    session: Session,
    user: User,
    plan: Plan,
    table: Any,
    bucket: Any,
    seg: Any,
    product: Any,
    version: Any,
    *,
    products: bool = True,
) -> list[Any]:
    out = []
    for name, value in plan.filters.items():
        if value in (None, []):
            continue
        if name in PRODUCT_DIMS and not products:
            continue
        if name == "list":
            if products:
                out.append(_list_condition(session, user.org_id, table, value))
            continue
        column = _dimension(plan, table, bucket, seg, product, version, name)
        if name == "own" and plan.path == "facts" and "own" not in plan.group_by:
            out.append(table.c.own == (1 if value else 0))  # the fact carries it: no join
        elif name == "own":
            out.append(column.is_(True) if value else column.is_(False))
        elif name in ("country", "region", "banner", "group", "format", "class") and "" in value:
            out.append(or_(column.in_([v for v in value if v]), column == ""))
        else:
            out.append(column.in_(value))
    if plan.path == "facts":
        out.append(rep_scope(user, table.c.rep_id))
    return out


def _list_condition(session: Session, org_id: int, table: Any, keys: list[str]) -> Any:
    """The product was on one of the lists when it was checked (history of the list)."""
    windows = membership_windows(session, org_id)
    terms = []
    for key in keys:
        for product_id, spans in windows.get(key, {}).items():
            for start, end in spans:
                term = [table.c.product_id == product_id]
                if start is not None:
                    term.append(table.c.completed_at >= start)
                if end is not None:
                    term.append(table.c.completed_at < end)
                terms.append(and_(*term))
    return or_(*terms) if terms else false()


def _joins(plan: Plan) -> tuple[Any, Any, Any, Any, Any, Any, Any]:
    from server.catalog.models import Product
    from server.surveys.models import FormVersion

    table, bucket, measures, condition = _sources(plan)
    seg = Segment.__table__
    product = Product.__table__ if plan.kpi.source == "shelf" else None
    version = FormVersion.__table__
    # Join only what a cut or filter reads: over a year of facts each join costs a pass.
    used = set(plan.group_by) | {k for k, v in plan.filters.items() if v not in (None, [])}
    source = table
    if used & set(OUTLET_DIMS):
        source = source.join(seg, seg.c.id == table.c.segment_id)
    if "form" in used:
        source = source.join(version, version.c.id == table.c.form_version_id)
    own_on_fact = plan.path == "facts" and "own" not in plan.group_by
    needs_product = used & {"brand", "category"} or ("own" in used and not own_on_fact)
    if product is not None and (needs_product or plan.kpi.key == "share_of_shelf"):
        source = source.join(product, product.c.id == table.c.product_id)
    return table, bucket, measures, condition, seg, product, (version, source)


def _measure_query(session: Session, user: User, plan: Plan) -> dict[tuple[Any, ...], dict[str, float]]:
    table, bucket, measures, condition, seg, product, (version, source) = _joins(plan)
    dims = [_dimension(plan, table, bucket, seg, product, version, d).label(f"g_{d}") for d in plan.group_by]
    where = [
        table.c.org_id == user.org_id,
        condition,
        *_conditions(session, user, plan, table, bucket, seg, product, version),
    ]
    statement = select(*dims, *[m.label(name) for name, m in measures.items()]).select_from(source).where(*where)
    if dims:
        statement = statement.group_by(*dims)
    out: dict[tuple[Any, ...], dict[str, float]] = {}
    for row in session.execute(statement):
        key = tuple(_plain(v) for v in row[: len(dims)])
        values = {name: float(row[len(dims) + i] or 0) for i, name in enumerate(measures)}
        if dims or values.get("n_obs", values.get("n_resp", 0)):
            out[key] = values
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _share_of_shelf(session: Session, user: User, plan: Plan) -> dict[str, Any]:
    """Facings of the selected products over all facings of their categories, per cut."""
    table, bucket, _measures, condition, seg, product, (version, source) = _joins(plan)
    assert product is not None
    selected = and_(
        true(),
        *_conditions(session, user, plan, table, bucket, seg, product, version, products=True),
    )
    facts = plan.path == "facts"
    s_fac = table.c.facings if facts else table.c.s_fac
    n_fac = case((table.c.facings.is_not(None), 1), else_=0) if facts else table.c.n_fac
    other_cut = [d for d in plan.group_by if d not in PRODUCT_DIMS]
    base = [
        table.c.org_id == user.org_id,
        condition,
        *_conditions(session, user, plan, table, bucket, seg, product, version, products=False),
    ]
    if plan.filters.get("category"):
        base.append(product.c.category.in_(plan.filters["category"]))

    def grouped(cut: list[str], numerator: bool) -> dict[tuple[Any, ...], dict[str, float]]:
        dims = [_dimension(plan, table, bucket, seg, product, version, d) for d in cut]
        category = func.coalesce(product.c.category, literal_column("''"))
        measures = (
            [
                func.coalesce(func.sum(case((selected, s_fac), else_=0)), 0),
                func.coalesce(func.sum(case((selected, n_fac), else_=0)), 0),
            ]
            if numerator
            else [func.coalesce(func.sum(s_fac), 0), func.coalesce(func.sum(n_fac), 0)]
        )
        statement = select(*dims, category, *measures).select_from(source).where(*base).group_by(*dims, category)
        out: dict[tuple[Any, ...], dict[str, float]] = {}
        for row in session.execute(statement):
            key = tuple(_plain(v) for v in row[: len(dims)])
            out.setdefault(key, {})[row[len(dims)]] = (float(row[-2] or 0), float(row[-1] or 0))
        return out

    numerators = grouped(plan.group_by, True)
    denominators = grouped(other_cut, False)
    groups: dict[tuple[Any, ...], dict[str, float]] = {}
    for key, per_category in numerators.items():
        keys = dict(zip(plan.group_by, key, strict=True))
        den_key = tuple(keys[d] for d in other_cut)
        totals = denominators.get(den_key, {})
        num = sum(f for c, (f, n) in per_category.items() if n > 0)
        den = sum(totals.get(c, (0, 0))[0] for c, (f, n) in per_category.items() if n > 0)
        count = sum(n for _c, (_f, n) in per_category.items())
        if count or plan.group_by:
            if count:
                groups[key] = {"num": num, "den": den, "n_fac": count}
    kpi = plan.kpi

    def value(m: dict[str, float]) -> float | None:
        return 100 * m["num"] / m["den"] if m.get("den") else None

    sos = Kpi(kpi.key, kpi.label, kpi.unit, kpi.source, kpi.formula, value, "n_fac", True)
    # Without a cut the rows are the total; a cut by product dimensions only has the total's denominators.
    total_num = numerators.get((), {}) if not plan.group_by else grouped([], True).get((), {})
    total_den = denominators.get((), {}) if not other_cut else grouped([], False).get((), {})
    total = {
        "num": sum(f for c, (f, n) in total_num.items() if n > 0),
        "den": sum(total_den.get(c, (0, 0))[0] for c, (f, n) in total_num.items() if n > 0),
        "n_fac": sum(n for _c, (_f, n) in total_num.items()),
    }
    rows = [
        _row(sos, dict(zip(plan.group_by, key, strict=True)), m)
        for key, m in sorted(groups.items(), key=lambda item: tuple(_sortable(v) for v in item[0]))
    ]
    if "period" in plan.group_by:
        rows = _fill_periods(plan, rows)
    return {"total": _row(sos, {}, total if total["n_fac"] else {}), "rows": rows}


# --- visits ----------------------------------------------------------------------------------------------


def _checkin_day(session: Session) -> Any:
    from server.visits.models import Visit

    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(literal_column("'UTC'"), Visit.check_in_at), Date)
    return func.date(Visit.check_in_at, type_=Date)


def _visit_day(session: Session) -> Any:
    from server.visits.models import Visit

    return func.coalesce(Visit.planned_date, _checkin_day(session), type_=Date)


def bucket_expr(session: Session, grain: str, day: Any) -> Any:
    """The first day of the day's week or month, in SQL (the two databases differ)."""
    if grain == "D":
        return day
    # Constants are written into the SQL (not bound) so that GROUP BY matches the selected expression.
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc(literal_column("'week'" if grain == "W" else "'month'"), day), Date)
    if grain == "W":
        back = (cast(func.strftime(literal_column("'%w'"), day), Integer) + literal_column("6")) % literal_column("7")
        return func.date(day, literal_column("'-'") + cast(back, String) + literal_column("' days'"), type_=Date)
    return func.date(day, literal_column("'start of month'"), type_=Date)


def _seconds(session: Session, start: Any, end: Any) -> Any:
    """Whole seconds between two times (integers, so both databases sum them exactly)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", end)) - func.floor(func.extract("epoch", start)), BigInteger)
    return cast(func.strftime(literal_column("'%s'"), end), BigInteger) - cast(
        func.strftime(literal_column("'%s'"), start), BigInteger
    )


def _account_dims(plan: Plan, account: Any, outlet: Any, territory: Any, rep: Any, bucket: Any) -> dict[str, Any]:
    return {
        "period": bucket,
        "country": outlet.country,
        "region": outlet.region_code,
        "banner": outlet.banner,
        "group": outlet.group_name,
        "format": outlet.format,
        "class": account.account_class,
        "territory": territory.territory_id,
        "rep": rep,
        "outlet": outlet.id,
        "account": account.id,
    }


def _account_conditions(plan: Plan, columns: dict[str, Any]) -> list[Any]:
    out = []
    for name, value in plan.filters.items():
        if value in (None, []) or name not in columns:
            continue
        column = columns[name]
        if "" in value and name in OUTLET_DIMS:
            out.append(or_(column.in_([v for v in value if v]), column.is_(None), column == ""))
        else:
            out.append(column.in_(value))
    return out


def _visit_query(
    session: Session, user: User, plan: Plan
) -> tuple[dict[tuple[Any, ...], dict[str, float]], dict[tuple[Any, ...], dict[str, float]]]:
    """The visit measures per cut, and their total.

    Rep-days are counted distinct, so a cut's rows do not add up to the total (a rep-day may fall in two
    banners): for visits per rep-day the query groups by rep and day as well, and the rep-days are
    counted here, per cut and overall, in one pass (no DISTINCT sort, no second query).
    """
    from server.accounts.models import Account
    from server.outlets.models import Outlet
    from server.tenancy import visit_visibility
    from server.visits.models import Visit

    refresh_territories(session, user.org_id, plan)
    day = _visit_day(session)
    bucket = bucket_expr(session, plan.grain, day)
    territory = AccountTerritory.__table__
    columns = {
        **_account_dims(plan, Account, Outlet, territory.c, Visit.rep_id, bucket),
        "outlet": Account.outlet_id,
        "account": Visit.account_id,
    }
    cut = plan.group_by
    per_rep_day = plan.kpi.key == "visits_per_rep_day"
    dims = [columns[d].label(f"g_{d}") for d in cut]
    rep_day = [Visit.rep_id.label("r"), day.label("d")] if per_rep_day else []
    planned = Visit.source.in_(["plan", "manual"])
    done = Visit.status == "done"
    stay = _seconds(session, Visit.check_in_at, Visit.check_out_at)
    has_stay = and_(done, Visit.check_in_at.is_not(None), Visit.check_out_at.is_not(None))
    measures = {
        "planned_n": func.sum(case((and_(planned, Visit.status != "cancelled"), 1), else_=0)),
        "planned_done": func.sum(case((and_(planned, done), 1), else_=0)),
        "done_n": func.sum(case((done, 1), else_=0)),
        "rep_days": literal_column("0"),
        "stay_n": func.sum(case((has_stay, 1), else_=0)),
        "stay_sum": func.coalesce(func.sum(case((has_stay, stay), else_=None)), 0),
        "checkins_n": func.sum(case((Visit.check_in_at.is_not(None), 1), else_=0)),
        "flagged_n": func.sum(case((and_(Visit.check_in_at.is_not(None), Visit.flagged.is_(True)), 1), else_=0)),
    }
    assert tuple(measures) == VISIT_MEASURES
    # Join the accounts, outlets and territories only when a cut or filter needs them.
    used = set(cut) | {k for k, v in plan.filters.items() if v not in (None, [])}
    source = Visit.__table__
    if used & {*OUTLET_DIMS, "outlet", "territory"}:
        source = source.join(Account.__table__, Account.id == Visit.account_id)
    if used & {"country", "region", "banner", "group", "format"}:
        source = source.join(Outlet.__table__, Outlet.id == Account.outlet_id)
    if "territory" in used:
        source = source.outerjoin(territory, territory.c.account_id == Visit.account_id)
    where = [visit_visibility(user), Visit.status != "cancelled", _day_in(session, plan)]
    where += _account_conditions(plan, columns)
    labelled = [m.label(k) for k, m in measures.items()]
    statement = select(*dims, *rep_day, *labelled).select_from(source).where(*where)
    statement_without_cut = select(*rep_day, *labelled).select_from(source).where(*where)
    if per_rep_day:
        # Per cut, rep and day first; then per cut, counting the rep-days with a visit done. The total
        # of rep-days is counted apart (a rep-day may fall in two cuts, in two banners for instance).
        inner = statement.group_by(*dims, *rep_day).subquery()
        outer = [inner.c[f"g_{d}"] for d in cut]
        sums = [
            func.sum(case((inner.c.done_n > 0, 1), else_=0)) if k == "rep_days" else func.sum(inner.c[k])
            for k in VISIT_MEASURES
        ]
        statement = select(*outer, *[m.label(k) for k, m in zip(VISIT_MEASURES, sums, strict=True)])
        if outer:
            statement = statement.group_by(*outer)
    elif dims:
        statement = statement.group_by(*dims)
    out: dict[tuple[Any, ...], dict[str, float]] = {}
    total = dict.fromkeys(VISIT_MEASURES, 0.0)
    for row in session.execute(statement):
        key = tuple(_plain(v) for v in row[: len(dims)])
        values = {k: float(row[len(dims) + i] or 0) for i, k in enumerate(VISIT_MEASURES)}
        for name, value in values.items():
            total[name] += value
        if values["planned_n"] or values["done_n"] or values["checkins_n"] or not dims:
            out[key] = values
    if per_rep_day and dims:
        everyone = statement_without_cut.group_by(*rep_day).subquery()
        total["rep_days"] = float(
            session.execute(select(func.count()).select_from(everyone).where(everyone.c.done_n > 0)).scalar() or 0
        )
    if not dims:
        out = {(): total}
    return out, {(): total}


VISIT_MEASURES = ("planned_n", "planned_done", "done_n", "rep_days", "stay_n", "stay_sum", "checkins_n", "flagged_n")


def _day_in(session: Session, plan: Plan) -> Any:
    """The visit's day (planned, else of its check-in) is in the range: written per case rather than
    on the COALESCE, so that the planner estimates it from the planned-date statistics and can use
    that index (a COALESCE range is guessed at a few hundred rows, and nested loops follow)."""
    from server.visits.models import Visit

    checked_in = _checkin_day(session)
    return or_(
        Visit.planned_date.between(plan.start, plan.end),
        and_(Visit.planned_date.is_(None), checked_in >= plan.start, checked_in <= plan.end),
    )


def refresh_territories(session: Session, org_id: int, plan: Plan) -> None:
    if "territory" in plan.group_by or plan.filters.get("territory"):
        from server.analytics.facts import refresh_account_territories

        refresh_account_territories(session, org_id)


# --- coverage ------------------------------------------------------------------------------------------


def expected_visits(days: int, weeks: int) -> int:
    return max(1, round(days / (7 * weeks)))


def _coverage(session: Session, user: User, plan: Plan) -> dict[tuple[Any, ...], dict[str, float]]:
    from server.accounts.models import Account
    from server.outlets.models import Outlet
    from server.tenancy import account_visibility
    from server.visits.models import Visit

    refresh_territories(session, user.org_id, plan)
    territory = AccountTerritory.__table__
    day = _visit_day(session)
    bucket = bucket_expr(session, plan.grain, day)
    columns = _account_dims(plan, Account, Outlet, territory.c, Account.assigned_rep_id, bucket)
    static = [d for d in plan.group_by if d != "period"]
    by_period = "period" in plan.group_by
    scope = [
        account_visibility(user),
        Account.visit_every_weeks.is_not(None),
        Account.status.in_(["customer", "prospect"]),
        *_account_conditions(plan, columns),
    ]
    source = Account.__table__.join(Outlet.__table__, Outlet.id == Account.outlet_id).outerjoin(
        territory, territory.c.account_id == Account.id
    )
    static_cols = [columns[d].label(f"g_{d}") for d in static]
    population: dict[tuple[Any, ...], dict[int, int]] = {}
    statement = select(*static_cols, Account.visit_every_weeks, func.count()).select_from(source).where(*scope)
    statement = statement.group_by(*static_cols, Account.visit_every_weeks)
    for row in session.execute(statement):
        population.setdefault(tuple(_plain(v) for v in row[: len(static)]), {})[int(row[-2])] = int(row[-1])
    # Visits done per account and period (from the visits alone), then accounts counted by dimensions,
    # frequency, period and how many visits they had.
    per_account = (
        select(
            Visit.account_id.label("aid"),
            *([bucket.label("b")] if by_period else []),
            func.count().label("d"),
        )
        .where(Visit.org_id == user.org_id, Visit.status == "done", _day_in(session, plan))
        .group_by(Visit.account_id, *([bucket] if by_period else []))
        .subquery()
    )
    outer_bucket = [per_account.c.b] if by_period else []
    counted = (
        select(*static_cols, Account.visit_every_weeks, *outer_bucket, per_account.c.d, func.count())
        .select_from(source.join(per_account, per_account.c.aid == Account.id))
        .where(*scope)
        .group_by(*static_cols, Account.visit_every_weeks, *outer_bucket, per_account.c.d)
    )
    visits: dict[tuple[Any, ...], list[tuple[int, Any, int, int]]] = {}
    for row in session.execute(counted):
        key = tuple(_plain(v) for v in row[: len(static)])
        b = _plain(row[len(static) + 1]) if by_period else None
        visits.setdefault(key, []).append((int(row[len(static)]), b, int(row[-2]), int(row[-1])))
    periods = buckets(plan.grain, plan.start, plan.end) if by_period else [None]

    def days_of(start: dt.date | None) -> int:
        if start is None:
            return (plan.end - plan.start).days + 1
        return (next_bucket(plan.grain, start) - start).days

    out: dict[tuple[Any, ...], dict[str, float]] = {}
    for key, frequencies in population.items():
        for start in periods:
            accounts = sum(frequencies.values())
            expected = sum(expected_visits(days_of(start), f) * n for f, n in frequencies.items())
            covered = attained = 0
            for f, b, d, n in visits.get(key, []):
                if by_period and b != start:
                    continue
                e = expected_visits(days_of(start), f)
                covered += n if d >= e else 0
                attained += n * min(d, e)
            keys = dict(zip(static, key, strict=True))
            if by_period:
                keys["period"] = start
            out[tuple(keys[d] for d in plan.group_by)] = {
                "accounts": accounts,
                "covered": covered,
                "expected": expected,
                "attained": attained,
            }
    return out


# --- driving time from route plans -----------------------------------------------------------------------


def _drive_time(session: Session, user: User, plan: Plan) -> dict[tuple[Any, ...], dict[str, float]]:
    from server.plans.models import RoutePlan

    plans = session.execute(
        select(RoutePlan.id, RoutePlan.published_at, RoutePlan.result)
        .where(
            RoutePlan.org_id == user.org_id,
            RoutePlan.status == "published",
            RoutePlan.date_to >= plan.start,
            RoutePlan.date_from <= plan.end,
        )
        .order_by(RoutePlan.published_at, RoutePlan.id)
    ).all()
    visible = _visible_reps(session, user)
    reps_filter = set(plan.filters.get("rep") or [])
    days: dict[tuple[int, dt.date], float] = {}
    for _id, _published, result in plans:  # later publications replace earlier ones' rep-days
        for route in (result or {}).get("routes", []):
            try:
                rep_id, day = int(route["rep_id"]), dt.date.fromisoformat(route["date"])
            except (KeyError, TypeError, ValueError):
                continue
            if not plan.start <= day <= plan.end or (visible is not None and rep_id not in visible):
                continue
            if reps_filter and rep_id not in reps_filter:
                continue
            days[(rep_id, day)] = float(route.get("travel_min") or 0)
    out: dict[tuple[Any, ...], dict[str, float]] = {}
    for (rep_id, day), minutes in days.items():
        keys = {"rep": rep_id, "period": bucket_of(plan.grain, day)}
        key = tuple(keys[d] for d in plan.group_by)
        m = out.setdefault(key, {"drive_min": 0.0, "rep_days": 0.0})
        m["drive_min"] += minutes
        m["rep_days"] += 1
    return out


def _visible_reps(session: Session, user: User) -> set[int] | None:
    from server.tenancy import team_ids

    role = Role(user.role)
    if role in (Role.HQ, Role.ADMIN):
        return None
    if role == Role.MANAGER:
        return set(team_ids(user))
    return {user.id}


# --- labels ----------------------------------------------------------------------------------------------


def _label_rows(session: Session, user: User, plan: Plan, rows: list[dict[str, Any]]) -> None:
    from server.accounts.models import Account, Territory
    from server.catalog.models import Product
    from server.outlets.models import Outlet
    from server.surveys.models import Form, FormVersion

    for dim in plan.group_by:
        values = {r["keys"][dim] for r in rows if r["keys"].get(dim) is not None}
        labels: dict[Any, str] = {}
        if dim == "period":
            for r in rows:
                r.setdefault("labels", {})["period"] = period_label(
                    plan.grain, dt.date.fromisoformat(r["keys"]["period"])
                )
            continue
        if not values:
            continue
        ids = sorted(v for v in values if isinstance(v, int) and not isinstance(v, bool))
        if dim == "rep":
            labels = dict(
                session.execute(select(User.id, User.name).where(User.org_id == user.org_id, User.id.in_(ids))).all()
            )
        elif dim == "territory":
            labels = dict(
                session.execute(
                    select(Territory.id, Territory.name).where(Territory.org_id == user.org_id, Territory.id.in_(ids))
                ).all()
            )
        elif dim == "product":
            labels = {
                i: (n if n.lower().startswith(b.lower()) else f"{b} {n}") + (f" {s}" if s else "")
                for i, b, n, s in session.execute(
                    select(Product.id, Product.brand, Product.name, Product.size).where(
                        Product.org_id == user.org_id, Product.id.in_(ids)
                    )
                )
            }
        elif dim == "form":
            labels = dict(
                session.execute(select(Form.id, Form.title).where(Form.org_id == user.org_id, Form.id.in_(ids))).all()
            )
        elif dim == "form_version":
            labels = {
                i: f"{t} v{v}"
                for i, t, v in session.execute(
                    select(FormVersion.id, Form.title, FormVersion.version)
                    .join(Form, Form.id == FormVersion.form_id)
                    .where(FormVersion.org_id == user.org_id, FormVersion.id.in_(ids))
                )
            }
        elif dim in ("outlet", "account"):
            query = (
                select(Outlet.id, Outlet.name, Outlet.city).where(Outlet.id.in_(ids))
                if dim == "outlet"
                else select(Account.id, Outlet.name, Outlet.city)
                .join(Outlet, Outlet.id == Account.outlet_id)
                .where(Account.org_id == user.org_id, Account.id.in_(ids))
            )
            labels = {i: f"{n}, {c}" if c else n for i, n, c in session.execute(query)}
        elif dim == "region":
            labels = dict(
                session.execute(
                    select(Segment.region_code, func.max(Segment.region))
                    .where(Segment.org_id == user.org_id, Segment.region_code.in_(sorted(map(str, values))))
                    .group_by(Segment.region_code)
                ).all()
            )
            if len(labels) < len(values):
                from server.outlets.models import Outlet as O

                labels.update(
                    dict(
                        session.execute(
                            select(O.region_code, func.max(O.region))
                            .where(O.region_code.in_(sorted(map(str, values))))
                            .group_by(O.region_code)
                        ).all()
                    )
                )
        for r in rows:
            value = r["keys"].get(dim)
            if value in labels:
                r.setdefault("labels", {})[dim] = labels[value]


# --- upkeep ------------------------------------------------------------------------------------------------


def ensure_built(session: Session, org_id: int) -> None:
    """Build the organization's facts when responses exist that were never built (stored before the
    analytics migration), or when the configuration changed since the last build."""
    from server.analytics.facts import rebuild
    from server.analytics.models import AnalyticsSettings
    from server.surveys.models import SurveyResponse

    state = session.get(AnalyticsSettings, org_id)
    if state is not None and state.built_at is not None:
        if state.built_checksum == settings.checksum(settings.merged(state.config)):
            return
    elif session.execute(select(SurveyResponse.id).where(SurveyResponse.org_id == org_id).limit(1)).first() is None:
        return
    rebuild(session, org_id)


def overview(session: Session, user: User, query: Query) -> dict[str, Any]:
    """The dashboard cards: each KPI of the organization's overview over the range, against the previous."""
    keys = settings.load(session, user.org_id)["overview"]
    cards = []
    period = {}
    for key in keys:
        # Each card takes the filters that apply to it and names the others (a visit KPI has no product).
        kpi = KPIS[key]
        applies = {*DIMS[kpi.source], *(["list"] if kpi.source == "shelf" else [])}
        own = {k: v for k, v in query.filters.items() if k in applies}
        ignored = sorted(k for k, v in query.filters.items() if k not in applies and v not in (None, []))
        result = run(session, user, Query(key, query.period, query.date_from, query.date_to, [], own, True))
        period = {
            "from": result["from"],
            "to": result["to"],
            "previous": {k: result["previous"][k] for k in ("from", "to")},
        }
        cards.append(
            {
                "kpi": key,
                "label": result["label"],
                "unit": result["unit"],
                "better": kpi.better,
                "value": result["value"],
                "n": result["n"],
                "previous_value": result["previous"]["value"],
                "change": result["change"],
                "ignored_filters": ignored,
            }
        )
    return {"period": query.period, **period, "filters": _filters_json(query.filters), "cards": cards}


def kpi_catalog() -> list[dict[str, Any]]:
    return [
        {
            "key": k.key,
            "label": k.label,
            "unit": k.unit,
            "source": k.source,
            "formula": k.formula,
            "better": k.better,
            "decimals": k.decimals,
            "dimensions": list(DIMS[k.source]),
            "filters": [*DIMS[k.source][1:], *(["list"] if k.source == "shelf" else [])],
            "own_products_by_default": k.own_by_default,
        }
        for k in KPIS.values()
    ]


def check_filters(session: Session, user: User, filters: dict[str, Any]) -> None:
    """Filters naming objects: each must be one the user may see (a foreign one is a 404 naming it)."""
    from server.accounts.models import Account, Territory
    from server.catalog.models import Product, ProductList
    from server.surveys.models import Form, FormVersion
    from server.tenancy import check_reference

    for name, model in (
        ("rep", User),
        ("territory", Territory),
        ("product", Product),
        ("form", Form),
        ("form_version", FormVersion),
        ("account", Account),
    ):
        for value in filters.get(name) or []:
            check_reference(model, value, name, user=user)
    for key in filters.get("list") or []:
        found = session.execute(
            select(ProductList.id).where(ProductList.org_id == user.org_id, ProductList.key == key)
        ).first()
        if found is None:
            raise Problem(
                "not-found",
                f"list: there is no product list {key!r}.",
                errors=[{"field": "list", "in": "query", "message": f"no product list {key!r}"}],
            )
    for value in filters.get("outlet") or []:
        from server.outlets.models import Outlet
        from server.tenancy import outlet_visibility

        if session.execute(select(Outlet.id).where(Outlet.id == value, outlet_visibility(user.org_id))).first() is None:
            raise Problem(
                "not-found",
                f"outlet: there is no outlet {value}.",
                errors=[{"field": "outlet", "in": "query", "message": f"no outlet {value}"}],
            )
