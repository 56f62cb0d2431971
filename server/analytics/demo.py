"""Eight weeks of demo history, so that the dashboards show something: visits planned from a route
plan and done (or missed), store checks and quick availability checks, with plausible numbers.

Called at the end of :func:`server.demo.seed_demo`; generated from a fixed seed, relative to the day it
runs. Visits and responses are inserted in bulk (the responses' answers are checked by the survey
checker like any submitted response), then the analytics facts are built once.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
import zlib
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from server.accounts.models import Account
from server.auth.models import User, utcnow
from server.outlets.models import Outlet

SEED = 8128
WEEKS = 8
PER_DAY = 9
NAMESPACE = uuid.UUID("6f1d6a52-3c1e-4d0e-9a51-5e4a2f3b7c10")
MINUTES = {"hypermarket": 40, "supermarket": 30, "cash_and_carry": 30, "discount": 20, "drugstore": 20}


def _uuid(*parts: Any) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(map(str, parts))))


def _stable(*parts: Any) -> int:
    return zlib.crc32(":".join(map(str, parts)).encode())


def _working_days(today: dt.date) -> list[dt.date]:
    start = today - dt.timedelta(days=7 * WEEKS)
    days = [start + dt.timedelta(days=i) for i in range((today - start).days)]
    return [d for d in days if d.weekday() < 5]


def seed_history(session: Session, org_id: int) -> dict[str, int]:
    from server.analytics.facts import rebuild
    from server.analytics.models import AnalyticsSettings, ListMembership
    from server.catalog.models import Product, ProductList, ProductListItem
    from server.plans.models import RoutePlan
    from server.surveys.answers import Catalog, GridProduct, check_answers
    from server.surveys.models import Form, FormVersion, SurveyResponse
    from server.visits.models import Visit

    rnd = random.Random(SEED)
    today = utcnow().date()
    days = _working_days(today)
    products = {p.gtin[:12]: p for p in session.execute(select(Product).where(Product.org_id == org_id)).scalars()}
    lists = {pl.key: pl for pl in session.execute(select(ProductList).where(ProductList.org_id == org_id)).scalars()}
    # Seeded lists count as listed since always; Brisa Summer Melon joins the store check three weeks ago.
    session.execute(update(ListMembership).where(ListMembership.org_id == org_id).values(listed_from=None))
    melon = products["426059900012"]
    listed_at = dt.datetime.combine(today - dt.timedelta(days=21), dt.time(6, 0), tzinfo=dt.UTC)
    item = ProductListItem(
        org_id=org_id, list_id=lists["store_check"].id, product_id=melon.id, position=len(lists["store_check"].items)
    )
    session.add(item)
    session.flush()
    session.execute(
        update(ListMembership)
        .where(ListMembership.list_id == lists["store_check"].id, ListMembership.product_id == melon.id)
        .values(listed_from=listed_at)
    )
    config = {
        "must_stock": {"*": "core_range"},
        "promotions": [
            {
                "name": "Summer promotion",
                "list": "summer_promo",
                "from": (today - dt.timedelta(days=28)).isoformat(),
                "to": (today - dt.timedelta(days=7)).isoformat(),
            }
        ],
    }
    session.add(AnalyticsSettings(org_id=org_id, config=config))
    forms = {
        f.key: session.get(FormVersion, f.current_version_id)
        for f in session.execute(select(Form).where(Form.org_id == org_id)).scalars()
    }
    members = {
        key: [
            (i.product_id, i.reference)
            for i in session.execute(
                select(ProductListItem).where(ProductListItem.list_id == pl.id).order_by(ProductListItem.position)
            ).scalars()
        ]
        for key, pl in lists.items()
    }
    by_id = {p.id: p for p in products.values()}
    grid = {p.id: GridProduct(p.id, p.gtin, p.name, p.brand, p.category, p.own) for p in by_id.values()}
    catalog = Catalog(by_id=grid, by_gtin={g.gtin: g for g in grid.values()})
    for key, items in members.items():
        catalog.references[key] = {pid for pid, ref in items if ref}
    reps = (
        session.execute(select(User).where(User.org_id == org_id, User.role == "rep").order_by(User.id)).scalars().all()
    )
    accounts = session.execute(
        select(
            Account.id,
            Account.assigned_rep_id,
            Account.account_class,
            Account.visit_every_weeks,
            Account.outlet_id,
            Outlet.format,
            Outlet.banner,
        )
        .join(Outlet, Outlet.id == Account.outlet_id)
        .where(Account.org_id == org_id, Account.assigned_rep_id.is_not(None), Account.status != "lost")
        .order_by(Account.outlet_id)
    ).all()
    book: dict[int, list[Any]] = {}
    for row in accounts:
        book.setdefault(row.assigned_rep_id, []).append(row)
    # One published route plan per manager and week, carrying each rep-day's driving time.
    plans: dict[tuple[int, dt.date], RoutePlan] = {}
    visits: list[dict[str, Any]] = []
    responses: list[dict[str, Any]] = []
    routes: dict[tuple[int, dt.date], list[dict[str, Any]]] = {}
    week0 = days[0] - dt.timedelta(days=days[0].weekday())
    for rep in reps:
        mine = book.get(rep.id, [])
        for day in days:
            week = (day - week0).days // 7
            due = [
                a
                for a in mine
                if _stable(a.outlet_id, "weekday") % 5 == day.weekday()
                and week % (a.visit_every_weeks or 4) == _stable(a.outlet_id, "phase") % (a.visit_every_weeks or 4)
            ]
            due.sort(key=lambda a: ({"A": 0, "B": 1}.get(a.account_class or "", 2), _stable(a.outlet_id, day)))
            planned = due[:PER_DAY]
            if rnd.random() < 0.5 and len(due) > PER_DAY:
                planned.append(due[PER_DAY])
            clock = 8 * 60 + 30 + rnd.randint(0, 20)
            travel_day = 0
            manager_key = (rep.manager_id or 0, day - dt.timedelta(days=day.weekday()))
            plan = plans.get(manager_key)
            if plan is None:
                plan = RoutePlan(
                    org_id=org_id,
                    created_by_id=rep.manager_id,
                    name=f"Week of {manager_key[1].isoformat()}",
                    status="published",
                    date_from=manager_key[1],
                    date_to=manager_key[1] + dt.timedelta(days=4),
                    rep_ids=[],
                    params={"demo": True},
                    result={"routes": [], "unplanned": []},
                    summary={},
                    published_at=dt.datetime.combine(manager_key[1] - dt.timedelta(days=3), dt.time(16), dt.UTC),
                )
                session.add(plan)
                session.flush()
                plans[manager_key] = plan
            stops = []
            extra = [a for a in mine if a not in planned] if rnd.random() < 0.35 else []
            for order, account in enumerate([*planned, *extra[:1]], start=1):
                unplanned = order > len(planned)
                drive = rnd.randint(8, 35)
                travel_day += drive if not unplanned else 0
                clock += drive
                stay = max(8, int(rnd.gauss(MINUTES.get(account.format, 15), 6)))
                roll = rnd.random()
                status = "done" if unplanned or roll < 0.88 else ("missed" if roll < 0.97 else "cancelled")
                visit_uuid = _uuid(org_id, rep.id, day, account.id)
                check_in = dt.datetime.combine(day, dt.time(0), dt.UTC) + dt.timedelta(minutes=clock - 60)
                flagged = status == "done" and rnd.random() < 0.04
                visits.append(
                    {
                        "org_id": org_id,
                        "uuid": visit_uuid,
                        "account_id": account.id,
                        "rep_id": rep.id,
                        "source": "unplanned" if unplanned else "plan",
                        "status": status,
                        "planned_date": None if unplanned else day,
                        "planned_start_min": None if unplanned else clock,
                        "planned_duration_min": None if unplanned else stay,
                        "route_plan_id": None if unplanned else plan.id,
                        "sequence": None if unplanned else order,
                        "check_in_at": check_in if status == "done" else None,
                        "check_out_at": check_in + dt.timedelta(minutes=stay) if status == "done" else None,
                        "check_in_distance_m": (rnd.uniform(250, 900) if flagged else rnd.uniform(3, 120))
                        if status == "done"
                        else None,
                        "flagged": flagged,
                        "flag_reason": "checked in beyond the geofence (demo)" if flagged else None,
                        "outcome": rnd.choice(["order_taken", "no_order", "survey_only"]) if status == "done" else None,
                        "created_at": check_in,
                        "updated_at": check_in,
                    }
                )
                if not unplanned:
                    stops.append({"account_id": account.id, "travel_min": drive})
                clock += stay
                if status != "done":
                    continue
                form = _form_for(rnd, account.format)
                if form is None:
                    continue
                completed = check_in + dt.timedelta(minutes=max(2, stay - 3))
                answers = (
                    _store_check(rnd, account, members["store_check"], by_id, completed, listed_at, melon.id, today)
                    if form == "store_check"
                    else _availability(rnd, account, members["core_range"], by_id)
                )
                version = forms[form]
                result = check_answers(version.definition, answers, catalog, rep.locale)
                if result.errors:  # pragma: no cover - the generator writes valid answers
                    raise RuntimeError(f"demo {form} answers invalid: {result.errors[:3]}")
                responses.append(
                    {
                        "org_id": org_id,
                        "uuid": _uuid("response", visit_uuid),
                        "form_id": version.form_id,
                        "form_version_id": version.id,
                        "outlet_id": account.outlet_id,
                        "account_id": account.id,
                        "visit_uuid": visit_uuid,
                        "rep_id": rep.id,
                        "answers": result.answers,
                        "computed": result.computed,
                        "products": result.products,
                        "warnings": result.warnings,
                        "started_at": check_in + dt.timedelta(minutes=2),
                        "completed_at": completed,
                        "received_at": completed,
                        "body_sha256": "0" * 64,
                        "locale": rep.locale,
                    }
                )
            routes[(rep.id, day)] = stops
            plan.rep_ids = sorted({*plan.rep_ids, rep.id})
            plan.result = {
                "routes": [
                    *plan.result["routes"],
                    {
                        "rep_id": rep.id,
                        "date": day.isoformat(),
                        "travel_min": travel_day + rnd.randint(10, 40),
                        "travel_km": round(travel_day * 0.7, 1),
                        "stops": stops,
                    },
                ],
                "unplanned": [],
            }
    if visits:
        session.execute(insert(Visit), visits)
    if responses:
        session.execute(insert(SurveyResponse), responses)
    session.flush()
    counts = rebuild(session, org_id)
    return {"visits": len(visits), "responses": len(responses), "route_plans": len(plans), **counts}


def _form_for(rnd: random.Random, fmt: str) -> str | None:
    if fmt in ("hypermarket", "supermarket"):
        return "store_check" if rnd.random() < 0.85 else "availability_check"
    roll = rnd.random()
    return "store_check" if roll < 0.35 else "availability_check" if roll < 0.7 else None


def _listed(account: Any, product: Any) -> bool:
    """Whether the outlet carries the product: stable per outlet, likelier in large formats."""
    base = {"hypermarket": 0.92, "supermarket": 0.82, "cash_and_carry": 0.75, "discount": 0.45}.get(
        account.format, 0.55
    )
    if not product.own:
        base = min(0.95, base + 0.08)
    return _stable(account.outlet_id, product.id) % 1000 < base * 1000


def _store_check(
    rnd: random.Random,
    account: Any,
    items: list[tuple[int, bool]],
    by_id: dict[int, Any],
    completed: dt.datetime,
    listed_at: dt.datetime,
    melon_id: int,
    today: dt.date,
) -> dict[str, Any]:
    rows = []
    promo_window = today - dt.timedelta(days=28) <= completed.date() <= today - dt.timedelta(days=7)
    summer = {"426059900005", "426059900006", "426059900012"}
    any_promo = False
    for product_id, _reference in items:
        if product_id == melon_id and completed < listed_at:
            continue
        product = by_id[product_id]
        listed = _listed(account, product) if product_id != melon_id else _stable(account.outlet_id, "melon") % 3 > 0
        row: dict[str, Any] = {"product_id": product_id}
        if listed and rnd.random() > (0.06 if product.own else 0.04):
            row["present"] = True
            row["facings"] = rnd.randint(2, 6) if product.own else rnd.randint(2, 8)
            factor = rnd.uniform(0.96, 1.12) if account.format != "discount" else rnd.uniform(0.9, 1.0)
            row["shelf_price"] = round(product.list_price_minor * factor) / 100
            promo_chance = 0.45 if (promo_window and product.gtin[:12] in summer) else 0.1
            row["promo"] = product.own and rnd.random() < promo_chance
            any_promo = any_promo or row["promo"]
        else:
            row["present"] = False
            if product.own:
                row["out_of_stock"] = listed
        rows.append(row)
    answers: dict[str, Any] = {"shelf": rows}
    running = any_promo and rnd.random() < 0.9
    answers["promo_running"] = running
    if running:
        answers["promo_type"] = rnd.choice(["multibuy", "display", "other"])
    answers["animation_sold"] = rnd.random() < 0.08
    if answers["animation_sold"]:
        answers["animation_date"] = (completed.date() + dt.timedelta(days=rnd.randint(7, 30))).isoformat()
        answers["animation_days"] = rnd.randint(1, 3)
    material = [m for m in ("poster", "shelf_strip", "wobbler", "display_stand", "cooler") if rnd.random() < 0.22]
    answers["pos_present"] = material or ["none"]
    if material:
        answers["pos_placement"] = rnd.choices(["yes", "partly", "no"], weights=[70, 20, 10])[0]
        if answers["pos_placement"] != "yes":
            answers["pos_photos"] = [str(uuid.UUID(int=rnd.getrandbits(128), version=4))]
    answers["shelf_photos"] = [str(uuid.UUID(int=rnd.getrandbits(128), version=4))]
    return answers


def _availability(
    rnd: random.Random, account: Any, items: list[tuple[int, bool]], by_id: dict[int, Any]
) -> dict[str, Any]:
    rows = []
    for product_id, _reference in items:
        product = by_id[product_id]
        listed = _listed(account, product)
        if listed and rnd.random() > 0.06:
            rows.append({"product_id": product_id, "available": True})
        else:
            rows.append(
                {"product_id": product_id, "available": False, "reason": "out_of_stock" if listed else "not_listed"}
            )
    answers: dict[str, Any] = {"availability": rows}
    if any(not r["available"] for r in rows):
        answers["shelf_photo"] = [str(uuid.UUID(int=rnd.getrandbits(128), version=4))]
    return answers
