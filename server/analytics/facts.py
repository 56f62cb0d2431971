"""Survey responses into facts, on write and in bulk, and the rollups kept from them.

:func:`record_response` is called where a response is stored (``server.surveys.service``), in the
same transaction: it writes the response's facts, moves the "latest observation" flags of its outlet
and adds (and subtracts) the changed facts to the rollups. :func:`rebuild` computes everything of an
organization again from its responses (after a configuration change, or for data loaded in bulk);
both use :func:`extract`, so a fact is the same whichever way it was made.

Which grid columns mean what (documented in docs/kpis.md): ``present``/``available`` (on the
shelf), ``facings``, ``shelf_price``/``price``, ``promo``, ``out_of_stock`` (or a ``reason`` column
answered ``out_of_stock``), and ``not_applicable``/``na`` (the whole row is excluded). Store-level
questions: ``pos_present`` (POS material, multiple choice, ``none``), ``pos_placement`` (``yes``,
``partly``, ``no``), ``promo_running``. A choice answered ``not_applicable``/``na`` counts as not
answered.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import logging
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import Point, shape
from shapely.prepared import prep
from sqlalchemy import and_, delete, event, func, insert, or_, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from server.analytics import config as settings
from server.analytics.measures import response_aggregates, shelf_aggregates
from server.analytics.models import (
    RESPONSE_MEASURES,
    SHELF_MEASURES,
    AnalyticsSettings,
    ListMembership,
    ResponseFact,
    Segment,
    ShelfFact,
    response_rollup,
    shelf_rollup,
)
from server.auth.models import utcnow

log = logging.getLogger(__name__)

PRESENT = ("present", "available", "on_shelf")
FACINGS = ("facings",)
PRICE = ("shelf_price", "price")
PROMO = ("promo", "on_promotion")
OOS = ("out_of_stock", "oos")
REASON = ("reason",)
NA = ("not_applicable", "na")
NA_VALUES = frozenset({"not_applicable", "na", "n_a"})
POS = ("pos_present", "pos_material")
PLACEMENT = ("pos_placement",)
PROMO_RUNNING = ("promo_running",)

GRAIN_COLUMNS = {"D": "day", "W": "week", "M": "month"}
FLAG = {"D": "latest_d", "W": "latest_w", "M": "latest_m"}

SHELF_COLUMNS = [c.name for c in ShelfFact.__table__.columns]
RESPONSE_COLUMNS = [c.name for c in ResponseFact.__table__.columns]


# --- dates -----------------------------------------------------------------------------------------


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def bucket_of(grain: str, day: dt.date) -> dt.date:
    return day if grain == "D" else week_start(day) if grain == "W" else month_start(day)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


# --- the organization's context ------------------------------------------------------------------


@dataclass
class OutletInfo:
    country: str
    region_code: str
    region: str
    banner: str
    group_name: str
    format: str
    sales_area: int | None
    lon: float | None
    lat: float | None


@dataclass
class OrgContext:
    """What extracting a response's facts needs to know about its organization (loaded once)."""

    org_id: int
    config: dict[str, Any]
    territories: list[tuple[int, Any]] = field(default_factory=list)
    #: list key -> product id -> [(from, to)] (None: open)
    windows: dict[str, dict[int, list[tuple[dt.datetime | None, dt.datetime | None]]]] = field(default_factory=dict)
    references: dict[str, set[int]] = field(default_factory=dict)
    segments: dict[tuple[str, ...], int] = field(default_factory=dict)
    outlets: dict[int, OutletInfo] = field(default_factory=dict)
    accounts: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    account_territory: dict[int, int | None] = field(default_factory=dict)
    specs: dict[int, Any] = field(default_factory=dict)

    @property
    def zone(self) -> Any:
        return settings.zone(self.config)

    def listed(self, list_key: str | None, product_id: int, at: dt.datetime) -> bool:
        if not list_key:
            return False
        for start, end in self.windows.get(list_key, {}).get(product_id, ()):
            if (start is None or _aware(start) <= at) and (end is None or at < _aware(end)):
                return True
        return False

    def territory_at(self, lon: float | None, lat: float | None) -> int | None:
        if lon is None or lat is None:
            return None
        point = Point(lon, lat)
        for territory_id, geom in self.territories:
            if geom.covers(point):
                return territory_id
        return None


def load_context(session: Session, org_id: int, *, bulk: bool = True) -> OrgContext:
    """The organization's context; ``bulk=False`` (one response) skips territories and segments,
    which are then looked up one at a time."""
    from server.accounts.models import Territory
    from server.catalog.models import ProductList, ProductListItem
    from server.dialects import for_bind

    ctx = OrgContext(org_id=org_id, config=settings.load(session, org_id))
    d = for_bind(session)
    if bulk:
        for territory_id, geojson in session.execute(
            select(Territory.id, d.as_geojson(Territory.geom)).where(Territory.org_id == org_id).order_by(Territory.id)
        ):
            if geojson:
                ctx.territories.append((territory_id, prep(shape(json.loads(geojson)))))
    ctx.windows = membership_windows(session, org_id)
    for key, product_id in session.execute(
        select(ProductList.key, ProductListItem.product_id)
        .join(ProductListItem, ProductListItem.list_id == ProductList.id)
        .where(ProductList.org_id == org_id, ProductListItem.reference.is_(True))
    ):
        ctx.references.setdefault(key, set()).add(product_id)
    if bulk:
        for row in session.execute(select(Segment).where(Segment.org_id == org_id)).scalars():
            ctx.segments[_segment_key(row)] = row.id
    return ctx


def membership_windows(
    session: Session, org_id: int
) -> dict[str, dict[int, list[tuple[dt.datetime | None, dt.datetime | None]]]]:
    """When each product was on each list: the recorded history, and for a current item without
    history (loaded around the ORM), "always"."""
    from server.catalog.models import ProductList, ProductListItem

    keys = dict(session.execute(select(ProductList.id, ProductList.key).where(ProductList.org_id == org_id)).all())
    out: dict[str, dict[int, list[tuple[dt.datetime | None, dt.datetime | None]]]] = {k: {} for k in keys.values()}
    for list_id, product_id, start, end in session.execute(
        select(
            ListMembership.list_id, ListMembership.product_id, ListMembership.listed_from, ListMembership.listed_to
        ).where(ListMembership.org_id == org_id)
    ):
        if list_id in keys:
            out[keys[list_id]].setdefault(product_id, []).append((start, end))
    for list_id, product_id in session.execute(
        select(ProductListItem.list_id, ProductListItem.product_id).where(ProductListItem.org_id == org_id)
    ):
        if list_id in keys and product_id not in out[keys[list_id]]:
            out[keys[list_id]][product_id] = [(None, None)]
    return out


def _segment_key(s: Any) -> tuple[str, ...]:
    return (s.country, s.region_code, s.banner, s.group_name, s.format, s.account_class)


def _load_outlets(session: Session, ctx: OrgContext, ids: Iterable[int]) -> None:
    from server.dialects import for_bind
    from server.outlets.models import Outlet

    missing = sorted({i for i in ids if i not in ctx.outlets})
    d = for_bind(session)
    for start in range(0, len(missing), 5000):
        chunk = missing[start : start + 5000]
        for row in session.execute(
            select(
                Outlet.id,
                Outlet.country,
                Outlet.region_code,
                Outlet.region,
                Outlet.banner,
                Outlet.group_name,
                Outlet.format,
                Outlet.sales_area_m2,
                d.lon(Outlet.geom),
                d.lat(Outlet.geom),
            ).where(Outlet.id.in_(chunk))
        ):
            ctx.outlets[row[0]] = OutletInfo(
                row[1] or "",
                row[2] or "",
                row[3] or "",
                row[4] or "",
                row[5] or "",
                row[6] or "",
                row[7],
                row[8],
                row[9],
            )


def _load_accounts(session: Session, ctx: OrgContext, ids: Iterable[int | None]) -> None:
    from server.accounts.models import Account

    missing = sorted({i for i in ids if i is not None and i not in ctx.accounts})
    for start in range(0, len(missing), 5000):
        chunk = missing[start : start + 5000]
        for account_id, klass, custom in session.execute(
            select(Account.id, Account.account_class, Account.custom).where(Account.id.in_(chunk))
        ):
            ctx.accounts[account_id] = (klass or "", custom or {})


def segment_id(session: Session, ctx: OrgContext, outlet: OutletInfo, account_class: str) -> int:
    key = (outlet.country, outlet.region_code, outlet.banner, outlet.group_name, outlet.format, account_class)
    found = ctx.segments.get(key)
    if found is not None:
        return found
    values = dict(zip(("country", "region_code", "banner", "group_name", "format", "account_class"), key, strict=True))
    existing = session.execute(
        select(Segment.id).where(Segment.org_id == ctx.org_id, *[getattr(Segment, k) == v for k, v in values.items()])
    ).scalar()
    if existing is None:
        row = Segment(org_id=ctx.org_id, region=outlet.region, **values)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
            existing = row.id
        except Exception:  # noqa: BLE001 - created by a concurrent writer meanwhile
            existing = session.execute(
                select(Segment.id).where(
                    Segment.org_id == ctx.org_id, *[getattr(Segment, k) == v for k, v in values.items()]
                )
            ).scalar_one()
    ctx.segments[key] = existing
    return existing


# --- extraction -----------------------------------------------------------------------------------


@dataclass
class ResponseData:
    id: int
    org_id: int
    outlet_id: int
    account_id: int | None
    rep_id: int | None
    form_id: int
    form_version_id: int
    completed_at: dt.datetime
    answers: dict[str, Any]
    products: dict[str, Any]


def _role(columns: dict[str, dict[str, Any]], names: tuple[str, ...], types: tuple[str, ...]) -> str | None:
    for name in names:
        column = columns.get(name)
        if column is not None and column.get("type") in types:
            return name
    return None


def _cents(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int((decimal.Decimal(repr(value)) * 100).to_integral_value(decimal.ROUND_HALF_EVEN))


def _flag(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _weight(ctx: OrgContext, outlet: OutletInfo, account_custom: dict[str, Any]) -> float | None:
    rule = ctx.config.get("weight", "sales_area")
    if rule == "none":
        return 1.0
    if rule.startswith("custom:"):
        value = account_custom.get(rule.split(":", 1)[1])
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0 else None
    return float(outlet.sales_area) if outlet.sales_area is not None else None


@dataclass(frozen=True)
class FormSpec:
    """What of a form version the facts read: its product grids with their column roles, and the
    store-level questions (computed once per version)."""

    grids: tuple[tuple[str, str, dict[str, str | None]], ...]
    questions: dict[str, str]


def form_spec(definition: dict[str, Any]) -> FormSpec:
    from server.surveys.definition import iter_questions

    grids = []
    questions = {}
    for _path, question in iter_questions(definition):
        questions[question["key"]] = question["type"]
        if question.get("type") != "product_grid":
            continue
        columns = {c["key"]: c for c in question.get("columns", [])}
        roles = {
            "present": _role(columns, PRESENT, ("boolean",)),
            "facings": _role(columns, FACINGS, ("integer", "decimal")),
            "price": _role(columns, PRICE, ("price", "decimal")),
            "promo": _role(columns, PROMO, ("boolean",)),
            "oos": _role(columns, OOS, ("boolean",)),
            "reason": _role(columns, REASON, ("single",)),
            "na": _role(columns, NA, ("boolean",)),
        }
        if any(roles[r] for r in ("present", "facings", "price", "promo", "oos")):
            grids.append((question["key"], question.get("product_list") or "", roles))
    return FormSpec(tuple(grids), questions)


def _answer(spec: FormSpec, answers: dict[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    for key in keys:
        if key in spec.questions and key in answers:
            return spec.questions[key], answers[key]
    return None, None


def extract(
    ctx: OrgContext, data: ResponseData, definition: dict[str, Any], seg: int, territory_id: int | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The shelf facts (one per product row) and the response fact of one response."""
    completed = _aware(data.completed_at)
    local_day = completed.astimezone(ctx.zone).date()
    outlet = ctx.outlets[data.outlet_id]
    klass, custom = ctx.accounts.get(data.account_id, ("", {})) if data.account_id else ("", {})
    weight = _weight(ctx, outlet, custom)
    base = {
        "org_id": data.org_id,
        "outlet_id": data.outlet_id,
        "account_id": data.account_id,
        "rep_id": data.rep_id,
        "territory_id": territory_id,
        "segment_id": seg,
        "form_id": data.form_id,
        "form_version_id": data.form_version_id,
        "completed_at": completed,
        "day": local_day,
        "week": week_start(local_day),
        "month": month_start(local_day),
        "weight": weight,
    }
    must_list = ctx.config.get("must_stock", {}).get(outlet.format) or ctx.config.get("must_stock", {}).get("*")
    promotions = [
        p
        for p in ctx.config.get("promotions", [])
        if dt.date.fromisoformat(p["from"]) <= local_day <= dt.date.fromisoformat(p["to"])
    ]
    shelf: list[dict[str, Any]] = []
    seen: set[int] = set()
    grids: dict[str, list[dict[str, Any]]] = {}
    spec = ctx.specs.get(data.form_version_id)
    if spec is None:
        spec = ctx.specs[data.form_version_id] = form_spec(definition)
    for question_key, list_key, roles in spec.grids:
        rows = data.answers.get(question_key)
        for row in rows if isinstance(rows, list) else ():
            if not isinstance(row, dict) or not isinstance(row.get("product_id"), int):
                continue
            product_id = row["product_id"]
            if product_id in seen:
                continue
            seen.add(product_id)
            if roles["na"] and row.get(roles["na"]) is True:
                continue
            snapshot = data.products.get(str(product_id)) or {}
            own = bool(snapshot.get("own", True))
            present = _flag(row.get(roles["present"])) if roles["present"] else None
            oos_answer = _flag(row.get(roles["oos"])) if roles["oos"] else None
            reason = row.get(roles["reason"]) if roles["reason"] else None
            if isinstance(reason, str) and reason in NA_VALUES:
                continue
            if reason == "out_of_stock":
                oos_answer = 1
            # Out of stock: asked of products that are listed; on the shelf means in stock.
            if oos_answer == 1:
                oos: int | None = 1
            elif present == 1 and (own or oos_answer is not None):
                oos = 0
            else:
                oos = None
            facings = _int(row.get(roles["facings"])) if roles["facings"] else None
            if facings is None and present == 0 and roles["facings"]:
                facings = 0  # not on the shelf: no facings
            promo = _flag(row.get(roles["promo"])) if roles["promo"] and present != 0 else None
            fact = {
                **base,
                "response_id": data.id,
                "product_id": product_id,
                "own": int(own),
                "present": present,
                "facings": facings,
                "price_minor": _cents(row.get(roles["price"])) if roles["price"] else None,
                "promo": promo,
                "oos": oos,
                "price_index_bp": None,
                "must_stock": int(ctx.listed(must_list, product_id, completed)),
                "promo_planned": int(any(ctx.listed(p["list"], product_id, completed) for p in promotions)),
                "latest_d": False,
                "latest_w": False,
                "latest_m": False,
            }
            shelf.append(fact)
            grids.setdefault(list_key, []).append(fact)

    # Price index: each own price against the mean price of the list's reference competitors of the same
    # category in the same response.
    def category(fact: dict[str, Any]) -> Any:
        return (data.products.get(str(fact["product_id"])) or {}).get("category")

    for list_key, facts in grids.items():
        references = ctx.references.get(list_key, set())
        prices: dict[Any, list[int]] = {}
        for f in facts:
            if f["product_id"] in references and f["price_minor"]:
                prices.setdefault(category(f), []).append(f["price_minor"])
        for f in facts:
            same = prices.get(category(f))
            if f["own"] and f["price_minor"] is not None and same:
                reference = decimal.Decimal(sum(same)) / len(same)
                f["price_index_bp"] = int(
                    (decimal.Decimal(f["price_minor"]) * 10000 / reference).to_integral_value(decimal.ROUND_HALF_EVEN)
                )
    kind, pos = _answer(spec, data.answers, POS)
    pos_any = None
    if isinstance(pos, list) and pos and not set(pos) & NA_VALUES:
        pos_any = int(any(v != "none" for v in pos))
    elif kind == "boolean":
        pos_any = _flag(pos)
    _, placement = _answer(spec, data.answers, PLACEMENT)
    pos_ok = {"yes": 1, "partly": 0, "no": 0}.get(placement) if isinstance(placement, str) else None
    _, running = _answer(spec, data.answers, PROMO_RUNNING)
    response = {
        **base,
        "response_id": data.id,
        "pos_any": pos_any,
        "pos_ok": pos_ok,
        "promo_running": _flag(running),
        "score_bp": None,
        "latest_d": False,
        "latest_w": False,
        "latest_m": False,
    }
    response["score_bp"] = perfect_store_score(ctx.config, shelf, response, must_list is not None)
    return shelf, response


def perfect_store_score(
    config: dict[str, Any], shelf: list[dict[str, Any]], response: dict[str, Any], has_must_stock: bool
) -> int | None:
    """The perfect-store score of one store visit x 100 (0 … 10000), or None when nothing is measurable."""
    ps = config["perfect_store"]
    weights = ps["weights"]
    own = [f for f in shelf if f["own"]]
    parts: dict[str, float] = {}
    base = [f for f in shelf if f["must_stock"]] if has_must_stock else own
    observed = [f["present"] for f in base if f["present"] is not None]
    if observed:
        parts["assortment"] = sum(observed) / len(observed)
    facings_all = sum(f["facings"] for f in shelf if f["facings"] is not None)
    if facings_all > 0:
        share = 100 * sum(f["facings"] for f in own if f["facings"] is not None) / facings_all
        parts["share_of_shelf"] = min(1.0, share / ps["share_of_shelf_target"])
    oos = [f["oos"] for f in own if f["oos"] is not None]
    if oos:
        parts["availability"] = 1 - sum(oos) / len(oos)
    planned = [f["promo"] for f in shelf if f["promo_planned"] and f["promo"] is not None]
    if planned:
        parts["promotion"] = sum(planned) / len(planned)
    if response["pos_any"] is not None:
        parts["pos"] = float(response["pos_any"])
    indexes = [f["price_index_bp"] for f in own if f["price_index_bp"] is not None]
    if indexes:
        mean = sum(indexes) / len(indexes) / 100
        parts["price"] = 1.0 if ps["price_index_min"] <= mean <= ps["price_index_max"] else 0.0
    total = sum(weights.get(k, 0) for k in parts)
    if not parts or total <= 0:
        return None
    score = sum(weights.get(k, 0) * v for k, v in parts.items()) / total
    return int(decimal.Decimal(repr(score * 10000)).to_integral_value(decimal.ROUND_HALF_EVEN))


# --- on write ----------------------------------------------------------------------------------------


def _response_data(response: Any) -> ResponseData:
    return ResponseData(
        id=response.id,
        org_id=response.org_id,
        outlet_id=response.outlet_id,
        account_id=response.account_id,
        rep_id=response.rep_id,
        form_id=response.form_id,
        form_version_id=response.form_version_id,
        completed_at=response.completed_at,
        answers=response.answers or {},
        products=response.products or {},
    )


def _dims(session: Session, ctx: OrgContext, data: ResponseData) -> tuple[int, int | None]:
    _load_outlets(session, ctx, [data.outlet_id])
    _load_accounts(session, ctx, [data.account_id])
    outlet = ctx.outlets[data.outlet_id]
    klass = ctx.accounts.get(data.account_id, ("", {}))[0] if data.account_id else ""
    if data.account_id is not None and data.account_id in ctx.account_territory:
        territory = ctx.account_territory[data.account_id]
    elif ctx.territories:
        territory = ctx.territory_at(outlet.lon, outlet.lat)
    else:
        territory = _territory_of_outlet(session, ctx.org_id, data.outlet_id)
    return segment_id(session, ctx, outlet, klass), territory


def _territory_of_outlet(session: Session, org_id: int, outlet_id: int) -> int | None:
    from server.accounts.models import Territory
    from server.dialects import for_bind
    from server.outlets.models import Outlet

    d = for_bind(session)
    return session.execute(
        select(func.min(Territory.id))
        .select_from(Territory)
        .join(Outlet, Outlet.id == outlet_id)
        .where(Territory.org_id == org_id, d.geoms_intersect(Territory.geom, Outlet.geom))
    ).scalar()


PENDING = "analytics_pending"
#: Pauses before the attempts to write a response's facts again (a deadlock on a hot rollup row).
WRITE_RETRY_SECONDS = (0.05, 0.2, 0.5)


def record_response(session: Session, response: Any) -> None:
    """Keep the facts and rollups up to date with one newly stored response.

    On PostgreSQL the facts are written right after the response's transaction commits, in a short
    transaction of their own (:func:`_write_pending`), not inside it: a sync batch of fifty store
    checks must not hold the rollup rows that every other rep's batch updates too (under load that
    serialised the whole field force and deadlocked). A response whose transaction is rolled back
    writes nothing. A failure never touches the rep's response: it is retried, then logged and the
    organization's facts marked stale, so the next analytics request rebuilds them.
    """
    if session.get_bind().dialect.name == "sqlite":
        # One writer at a time on SQLite: nothing to deadlock, and a second connection writing while
        # the request's session lives (the embedded server's threads) would only wait on it.
        _record_in_transaction(session, response)
        return
    session.info.setdefault(PENDING, []).append((response.org_id, response.id))


def _record_in_transaction(session: Session, response: Any) -> None:
    try:
        with session.begin_nested():
            _record_response(session, response)
    except Exception:  # noqa: BLE001 - the response matters more than its analytics
        log.exception("analytics facts of response %s not written; the organization will be rebuilt", response.id)
        _mark_for_rebuild(session, response.org_id)
        session.flush()


@event.listens_for(Session, "after_commit")
def _write_pending(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    for org_id, response_id in pending:
        _write_one(engine, org_id, response_id)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING, None)


def _state(session: Session, org_id: int) -> AnalyticsSettings:
    """The organization's analytics settings row, added when it has none yet."""
    state = session.get(AnalyticsSettings, org_id)
    if state is None:
        state = AnalyticsSettings(org_id=org_id, config={})
        session.add(state)
    return state


def _mark_for_rebuild(session: Session, org_id: int) -> None:
    """The organization's facts are stale: the next analytics request rebuilds them."""
    _state(session, org_id).built_at = None


def _write_one(engine: Any, org_id: int, response_id: int) -> None:
    from server.surveys.models import SurveyResponse

    failure: BaseException | None = None
    for pause in (*WRITE_RETRY_SECONDS, None):
        with Session(bind=engine) as own:
            try:
                response = own.get(SurveyResponse, response_id)
                if response is None:  # rolled back to its savepoint (a rejected sync change)
                    return
                _record_response(own, response)
                own.commit()
                return
            except OperationalError as exc:  # a deadlock or a busy database: again, shortly
                own.rollback()
                failure = exc
                if pause is None:
                    break
                log.info("analytics facts of response %s: %s; again", response_id, exc.orig)
                time.sleep(pause * (1 + random.random()))
            except Exception as exc:  # noqa: BLE001 - the response matters more than its analytics
                own.rollback()
                failure = exc
                break
    log.error(
        "analytics facts of response %s not written; the organization will be rebuilt",
        response_id,
        exc_info=failure,
    )
    try:
        with Session(bind=engine) as own:
            _mark_for_rebuild(own, org_id)
            own.commit()
    except Exception:  # noqa: BLE001
        log.exception("organization %s could not be marked for an analytics rebuild", org_id)


def _record_response(session: Session, response: Any) -> None:
    from server.surveys.models import FormVersion

    ctx = load_context(session, response.org_id, bulk=False)
    data = _response_data(response)
    definition = session.execute(
        select(FormVersion.definition).where(FormVersion.id == data.form_version_id)
    ).scalar_one()
    seg, territory = _dims(session, ctx, data)
    shelf, resp = extract(ctx, data, definition, seg, territory)
    if session.get_bind().dialect.name == "postgresql":
        # One writer per outlet at a time: two responses of one outlet must not both become "latest".
        session.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": 0x52414E, "b": data.outlet_id})
    if shelf:
        session.execute(insert(ShelfFact.__table__), shelf)
    session.execute(insert(ResponseFact.__table__), [resp])
    completed = _aware(data.completed_at)
    for grain, column in GRAIN_COLUMNS.items():
        if shelf:
            _promote_shelf(session, data, shelf, grain, column, completed)
        _promote_response(session, data, resp, grain, column, completed)


def _is_later(a: tuple[dt.datetime, int], b: tuple[dt.datetime, int]) -> bool:
    return (_aware(a[0]), a[1]) > (_aware(b[0]), b[1])


def _promote_shelf(
    session: Session, data: ResponseData, shelf: list[dict[str, Any]], grain: str, column: str, completed: dt.datetime
) -> None:
    t = ShelfFact.__table__
    flag = t.c[FLAG[grain]]
    bucket = shelf[0][column]
    products = [f["product_id"] for f in shelf]
    current = session.execute(
        select(t.c.response_id, t.c.product_id, t.c.completed_at).where(
            t.c.org_id == data.org_id,
            t.c.outlet_id == data.outlet_id,
            t.c.product_id.in_(products),
            t.c[column] == bucket,
            flag.is_(True),
            t.c.response_id != data.id,
        )
    ).all()
    holder = {p: (rid, at) for rid, p, at in current}
    promote, demote = [], []
    for product in products:
        old = holder.get(product)
        if old is None or _is_later((completed, data.id), (old[1], old[0])):
            promote.append(product)
            if old is not None:
                demote.append((old[0], product))
    if demote:
        where = or_(*[and_(t.c.response_id == r, t.c.product_id == p) for r, p in demote])
        _add_shelf(session, grain, where, -1)
        session.execute(update(t).where(where).values({FLAG[grain]: False}))
    if promote:
        where = and_(t.c.response_id == data.id, t.c.product_id.in_(promote))
        session.execute(update(t).where(where).values({FLAG[grain]: True}))
        _add_shelf(session, grain, where, +1)


def _promote_response(
    session: Session, data: ResponseData, resp: dict[str, Any], grain: str, column: str, completed: dt.datetime
) -> None:
    t = ResponseFact.__table__
    flag = t.c[FLAG[grain]]
    old = session.execute(
        select(t.c.response_id, t.c.completed_at).where(
            t.c.org_id == data.org_id,
            t.c.outlet_id == data.outlet_id,
            t.c.form_id == data.form_id,
            t.c[column] == resp[column],
            flag.is_(True),
            t.c.response_id != data.id,
        )
    ).first()
    if old is not None and not _is_later((completed, data.id), (old[1], old[0])):
        return
    if old is not None:
        _add_response(session, grain, t.c.response_id == old[0], -1)
        session.execute(update(t).where(t.c.response_id == old[0]).values({FLAG[grain]: False}))
    session.execute(update(t).where(t.c.response_id == data.id).values({FLAG[grain]: True}))
    _add_response(session, grain, t.c.response_id == data.id, +1)


def _upsert(session: Session, target: Any, keys: list[str], measures: list[str], source: Any) -> None:
    """INSERT … SELECT … ON CONFLICT (keys) DO UPDATE SET m = m + excluded.m, on both databases."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    statement = dialect_insert(target).from_select([*keys, *measures], source)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={m: target.c[m] + statement.excluded[m] for m in measures}
    )
    session.execute(statement)


def _add_shelf(session: Session, grain: str, where: Any, sign: int) -> None:
    t = ShelfFact.__table__
    bucket = t.c[GRAIN_COLUMNS[grain]]
    aggregates = shelf_aggregates(t)
    source = (
        select(
            t.c.org_id,
            _grain_literal(grain),
            bucket,
            t.c.segment_id,
            t.c.product_id,
            t.c.form_version_id,
            *[(a * sign) for a in aggregates.values()],
        )
        .where(where)
        .group_by(t.c.org_id, bucket, t.c.segment_id, t.c.product_id, t.c.form_version_id)
    )
    keys = ["org_id", "grain", "bucket", "segment_id", "product_id", "form_version_id"]
    _upsert(session, shelf_rollup, keys, list(SHELF_MEASURES), source)


def _add_response(session: Session, grain: str, where: Any, sign: int) -> None:
    t = ResponseFact.__table__
    bucket = t.c[GRAIN_COLUMNS[grain]]
    aggregates = response_aggregates(t)
    source = (
        select(
            t.c.org_id,
            _grain_literal(grain),
            bucket,
            t.c.segment_id,
            t.c.form_version_id,
            *[(a * sign) for a in aggregates.values()],
        )
        .where(where)
        .group_by(t.c.org_id, bucket, t.c.segment_id, t.c.form_version_id)
    )
    keys = ["org_id", "grain", "bucket", "segment_id", "form_version_id"]
    _upsert(session, response_rollup, keys, list(RESPONSE_MEASURES), source)


def _grain_literal(grain: str) -> Any:
    from sqlalchemy import String, literal

    return literal(grain, String(1))


# --- in bulk ------------------------------------------------------------------------------------------


def assign_latest(rows: list[dict[str, Any]], key: tuple[str, ...]) -> None:
    """Flag, per ``key`` + bucket and grain, the row with the greatest (completed_at, response_id)."""
    for grain, column in GRAIN_COLUMNS.items():
        best: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in rows:
            k = (*[row[c] for c in key], row[column])
            other = best.get(k)
            if other is None or _is_later(
                (row["completed_at"], row["response_id"]), (other["completed_at"], other["response_id"])
            ):
                best[k] = row
        for row in rows:
            row[FLAG[grain]] = False
        for row in best.values():
            row[FLAG[grain]] = True


class FactWriter:
    """Bulk inserts of facts: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, session: Session, batch: int = 20_000) -> None:
        self.session = session
        self.batch = batch
        self.shelf: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.counts = {"shelf_facts": 0, "response_facts": 0}

    def add(self, shelf: list[dict[str, Any]], responses: list[dict[str, Any]]) -> None:
        self.shelf.extend(shelf)
        self.responses.extend(responses)
        if len(self.shelf) >= self.batch or len(self.responses) >= self.batch:
            self.flush()

    def flush(self) -> None:
        self._write(ShelfFact.__table__, SHELF_COLUMNS, self.shelf)
        self._write(ResponseFact.__table__, RESPONSE_COLUMNS, self.responses)
        self.counts["shelf_facts"] += len(self.shelf)
        self.counts["response_facts"] += len(self.responses)
        self.shelf, self.responses = [], []

    def _write(self, table: Any, columns: list[str], rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.postgres:
            raw = self.session.connection().connection.driver_connection
            with raw.cursor() as cursor:
                with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([row[c] for c in columns])
        else:
            # executemany on the driver with the columns' own bind processors: what SQLAlchemy stores,
            # without its per-row overhead (a rebuild of the demo writes 35,000 facts).
            dialect = self.session.get_bind().dialect
            processors = [table.c[c].type._cached_bind_processor(dialect) for c in columns]
            values = [
                tuple(
                    v if p is None or v is None else p(v)
                    for p, v in zip(processors, [r[c] for c in columns], strict=True)
                )
                for r in rows
            ]
            marks = ", ".join("?" for _ in columns)
            raw = self.session.connection().connection.driver_connection
            raw.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", values)


def rebuild(session: Session, org_id: int, *, progress: Any = None) -> dict[str, int]:
    """Compute an organization's facts and rollups again from all its responses."""
    from server.accounts.models import Account
    from server.surveys.models import FormVersion, SurveyResponse

    started = utcnow()
    clear(session, org_id)
    ctx = load_context(session, org_id)
    ctx.account_territory = account_territories(session, ctx)
    definitions = dict(
        session.execute(select(FormVersion.id, FormVersion.definition).where(FormVersion.org_id == org_id)).all()
    )
    _load_accounts(session, ctx, session.execute(select(Account.id).where(Account.org_id == org_id)).scalars().all())
    writer = FactWriter(session)
    columns = (
        SurveyResponse.id,
        SurveyResponse.org_id,
        SurveyResponse.outlet_id,
        SurveyResponse.account_id,
        SurveyResponse.rep_id,
        SurveyResponse.form_id,
        SurveyResponse.form_version_id,
        SurveyResponse.completed_at,
        SurveyResponse.answers,
        SurveyResponse.products,
    )
    outlets = (
        session.execute(select(SurveyResponse.outlet_id).where(SurveyResponse.org_id == org_id).distinct())
        .scalars()
        .all()
    )
    outlets.sort()
    done = 0
    # Outlet by outlet (in chunks), each outlet's responses in time order: the latest flags are set
    # in memory and the facts written in bulk.
    for start in range(0, len(outlets), 300):
        chunk = outlets[start : start + 300]
        rows = session.execute(
            select(*columns)
            .where(SurveyResponse.org_id == org_id, SurveyResponse.outlet_id.in_(chunk))
            .order_by(SurveyResponse.outlet_id, SurveyResponse.completed_at, SurveyResponse.id)
        ).all()
        _load_outlets(session, ctx, chunk)
        outlet_shelf: list[dict[str, Any]] = []
        outlet_resp: list[dict[str, Any]] = []
        current_outlet: int | None = None
        for row in rows:
            data = ResponseData(*row)
            if data.outlet_id != current_outlet:
                _finish_outlet(writer, outlet_shelf, outlet_resp)
                outlet_shelf, outlet_resp, current_outlet = [], [], data.outlet_id
            seg, territory = _dims(session, ctx, data)
            shelf, resp = extract(ctx, data, definitions[data.form_version_id], seg, territory)
            outlet_shelf.extend(shelf)
            outlet_resp.append(resp)
            done += 1
        _finish_outlet(writer, outlet_shelf, outlet_resp)
        if progress:
            progress(done)
    writer.flush()
    refresh_rollups(session, org_id)
    state = _state(session, org_id)
    state.built_checksum = settings.checksum(ctx.config)
    state.built_at = started
    session.flush()
    return {"responses": done, **writer.counts}


def _finish_outlet(writer: FactWriter, shelf: list[dict[str, Any]], responses: list[dict[str, Any]]) -> None:
    if not responses:
        return
    assign_latest(shelf, ("product_id",))
    assign_latest(responses, ("form_id",))
    writer.add(shelf, responses)


def clear(session: Session, org_id: int) -> None:
    session.execute(delete(shelf_rollup).where(shelf_rollup.c.org_id == org_id))
    session.execute(delete(response_rollup).where(response_rollup.c.org_id == org_id))
    session.execute(delete(ShelfFact.__table__).where(ShelfFact.__table__.c.org_id == org_id))
    session.execute(delete(ResponseFact.__table__).where(ResponseFact.__table__.c.org_id == org_id))


def refresh_rollups(session: Session, org_id: int) -> None:
    """Recompute the rollups of an organization from its facts (set-based)."""
    session.execute(delete(shelf_rollup).where(shelf_rollup.c.org_id == org_id))
    session.execute(delete(response_rollup).where(response_rollup.c.org_id == org_id))
    s, r = ShelfFact.__table__, ResponseFact.__table__
    for grain, column in GRAIN_COLUMNS.items():
        flag_s, flag_r = s.c[FLAG[grain]], r.c[FLAG[grain]]
        bucket = s.c[column]
        source = (
            select(
                s.c.org_id,
                _grain_literal(grain),
                bucket,
                s.c.segment_id,
                s.c.product_id,
                s.c.form_version_id,
                *shelf_aggregates(s).values(),
            )
            .where(s.c.org_id == org_id, flag_s.is_(True))
            .group_by(s.c.org_id, bucket, s.c.segment_id, s.c.product_id, s.c.form_version_id)
        )
        keys = ["org_id", "grain", "bucket", "segment_id", "product_id", "form_version_id"]
        session.execute(insert(shelf_rollup).from_select([*keys, *SHELF_MEASURES], source))
        bucket = r.c[column]
        source = (
            select(
                r.c.org_id,
                _grain_literal(grain),
                bucket,
                r.c.segment_id,
                r.c.form_version_id,
                *response_aggregates(r).values(),
            )
            .where(r.c.org_id == org_id, flag_r.is_(True))
            .group_by(r.c.org_id, bucket, r.c.segment_id, r.c.form_version_id)
        )
        keys = ["org_id", "grain", "bucket", "segment_id", "form_version_id"]
        session.execute(insert(response_rollup).from_select([*keys, *RESPONSE_MEASURES], source))


# --- territories of accounts -----------------------------------------------------------------------------


def account_territories(session: Session, ctx: OrgContext, only: Any = None) -> dict[int, int | None]:
    """Which territory (lowest id when several) each account of the organization (or of the ``only``
    subquery of account ids) lies in."""
    from server.accounts.models import Account
    from server.dialects import for_bind
    from server.outlets.models import Outlet

    d = for_bind(session)
    out: dict[int, int | None] = {}
    rows = session.execute(
        select(Account.id, d.lon(Outlet.geom), d.lat(Outlet.geom))
        .join(Outlet, Outlet.id == Account.outlet_id)
        .where(Account.org_id == ctx.org_id, *([Account.id.in_(only)] if only is not None else []))
    ).all()
    if not ctx.territories:
        return {r[0]: None for r in rows}
    from shapely import STRtree

    geoms = [g.context for _, g in ctx.territories]
    tree = STRtree(geoms)
    for account_id, lon, lat in rows:
        if lon is None or lat is None:
            out[account_id] = None
            continue
        point = Point(lon, lat)
        hits = sorted(int(i) for i in tree.query(point))
        out[account_id] = next((ctx.territories[i][0] for i in hits if ctx.territories[i][1].covers(point)), None)
    return out


def refresh_account_territories(session: Session, org_id: int) -> None:
    """Bring ``analytics_account_territory`` up to date: every account again when the territories
    changed, else only the accounts created or changed since the last refresh."""
    from server.accounts.models import Account, Territory
    from server.analytics.models import AccountTerritory

    accounts_at = session.execute(select(func.max(Account.updated_at)).where(Account.org_id == org_id)).scalar()
    territories = session.execute(
        select(func.count(Territory.id), func.max(Territory.updated_at), func.max(Territory.id)).where(
            Territory.org_id == org_id
        )
    ).one()
    stamp = accounts_at.isoformat() if accounts_at is not None else ""
    shape_key = f"{territories[0]}|{territories[1]}|{territories[2]}"
    state = session.get(AnalyticsSettings, org_id)
    old_shape, _, old_stamp = (state.territory_watermark or "").rpartition("#") if state else ("", "", "")
    if state is not None and state.territory_watermark == f"{shape_key}#{stamp}":
        return
    ctx = load_context(session, org_id)
    table = AccountTerritory.__table__
    if state is not None and old_shape == shape_key and old_stamp:
        since = dt.datetime.fromisoformat(old_stamp)
        changed = select(Account.id).where(Account.org_id == org_id, Account.updated_at >= since)
        mapping = account_territories(session, ctx, changed)
        session.execute(delete(table).where(table.c.account_id.in_(list(mapping) or [0])))
    else:
        mapping = account_territories(session, ctx)
        session.execute(delete(table).where(table.c.org_id == org_id))
    if mapping:
        session.execute(
            insert(table), [{"account_id": a, "org_id": org_id, "territory_id": t} for a, t in mapping.items()]
        )
    state = state or _state(session, org_id)
    state.territory_watermark = f"{shape_key}#{stamp}"
    session.flush()


# --- product list history (a mapper hook, like the audit log's) ----------------------------------------


def _install_membership_hooks() -> None:
    from sqlalchemy import event

    from server.catalog.models import ProductListItem

    table = ListMembership.__table__

    @event.listens_for(ProductListItem, "after_insert")
    def _listed(mapper: Any, connection: Any, item: Any) -> None:  # noqa: ARG001
        connection.execute(
            insert(table).values(
                org_id=item.org_id, list_id=item.list_id, product_id=item.product_id, listed_from=utcnow()
            )
        )

    @event.listens_for(ProductListItem, "after_delete")
    def _unlisted(mapper: Any, connection: Any, item: Any) -> None:  # noqa: ARG001
        connection.execute(
            update(table)
            .where(
                table.c.list_id == item.list_id,
                table.c.product_id == item.product_id,
                table.c.listed_to.is_(None),
            )
            .values(listed_to=utcnow())
        )


_install_membership_hooks()
