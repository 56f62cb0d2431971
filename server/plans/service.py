"""Route plans: from the database to the optimizer and back (the only routing code that
touches Flask or the database; ``server.routing`` stays pure).

A manager asks for a plan (reps, dates, which accounts, options); it runs as a job:
the accounts' frequencies, classes, opening hours and already-fixed visits become a
``plan_period`` problem; the result (per rep and day, ordered stops with times, totals,
GeoJSON) is stored on the plan; publishing turns it into planned visits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server import jobs, routing
from server.accounts.models import Account
from server.accounts.service import account_query
from server.auth.models import Role, User, utcnow
from server.auth.permissions import require
from server.dialects import for_bind
from server.errors import Problem, field_error
from server.outlets.models import Outlet
from server.plans.models import RoutePlan
from server.tenancy import get_scoped, team_ids
from server.visits.models import Visit, VisitSource, VisitStatus

DEFAULT_SERVICE_MIN = {"A": 30, "B": 20, "C": 15, None: 20}
FORMAT_EXTRA_MIN = {"hypermarket": 15, "cash_and_carry": 10}
MAX_DAYS = 31
MAX_ACCOUNTS = 5_000
NAMESPACE = uuid.UUID("6f1c2a52-1e0b-4c4e-9a55-2b5f8f6b7a10")


def plan_json(plan: RoutePlan, *, with_result: bool = True) -> dict[str, Any]:
    body = {
        "id": plan.id,
        "name": plan.name,
        "status": plan.status,
        "date_from": plan.date_from.isoformat(),
        "date_to": plan.date_to.isoformat(),
        "rep_ids": plan.rep_ids,
        "params": plan.params,
        "job_id": plan.job_id,
        "job_url": f"/api/v1/jobs/{plan.job_id}" if plan.job_id else None,
        "summary": plan.summary,
        "error": plan.error,
        "published_at": plan.published_at.isoformat() if plan.published_at else None,
        "created_by_id": plan.created_by_id,
    }
    if with_result:
        body["result"] = plan.result
    return body


def _working_days(date_from: dt.date, date_to: dt.date, weekdays: list[int]) -> list[dt.date]:
    days, day = [], date_from
    while day <= date_to:
        if day.weekday() in weekdays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def create_plan(session: Session, user: User, data: dict[str, Any]) -> RoutePlan:
    """Check the request and queue the planning job.

    :raise Problem: 422 for bad dates, unknown or foreign reps, reps without a home, too
        many accounts; 403 for roles that do not plan.
    """
    require(user, "visits.plan")
    if data["date_to"] < data["date_from"]:
        raise field_error("date_to", "is before date_from", "body")
    if (data["date_to"] - data["date_from"]).days + 1 > MAX_DAYS:
        raise field_error("date_to", f"a plan covers at most {MAX_DAYS} days", "body")
    options = data.get("options") or {}
    days = _working_days(data["date_from"], data["date_to"], options.get("weekdays", [0, 1, 2, 3, 4]))
    if not days:
        raise field_error("date_to", "the period has no working day", "body")
    reps = []
    for index, rep_id in enumerate(data["rep_ids"]):
        try:
            rep = get_scoped(User, rep_id, what="user", user=user)
        except Problem:
            raise field_error(f"rep_ids[{index}]", f"there is no user {rep_id}", "body") from None
        if Role(user.role) == Role.MANAGER and rep_id not in team_ids(user):
            raise field_error(f"rep_ids[{index}]", f"user {rep_id} is not in your team", "body")
        if rep.home_lat is None or rep.home_lon is None:
            raise field_error(f"rep_ids[{index}]", f"{rep.name} has no home location to start from", "body")
        reps.append(rep)
    filters = dict(data.get("accounts") or {})
    query, _ = account_query(session, user, {**filters, "rep": filters.get("rep")})
    count = len(session.execute(query.with_only_columns(Account.id).limit(MAX_ACCOUNTS + 1)).all())
    if count == 0:
        raise field_error("accounts", "no account matches these filters", "body")
    if count > MAX_ACCOUNTS:
        raise field_error("accounts", f"more than {MAX_ACCOUNTS} accounts match; narrow the filters", "body")
    plan = RoutePlan(
        org_id=user.org_id,
        created_by_id=user.id,
        name=data.get("name") or f"Plan {days[0]}",
        status="queued",
        date_from=data["date_from"],
        date_to=data["date_to"],
        rep_ids=[r.id for r in reps],
        params={"accounts": _plain(filters), "options": options},
    )
    session.add(plan)
    session.flush()
    job = jobs.submit(session, org_id=user.org_id, user_id=user.id, kind="route_plan", params={"plan_id": plan.id})
    plan.job_id = job.id
    session.flush()
    return plan


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _hhmm(value: str | None, default: str) -> int:
    return routing.hhmm(value or default)


def run_plan(context: jobs.JobContext) -> dict[str, Any]:
    """The job: build the period problem from the database, solve, store the result."""
    session = context.session
    plan = session.get(RoutePlan, context.params["plan_id"])
    if plan is None:
        raise RuntimeError("the plan was deleted")
    plan.status = "running"
    session.commit()
    try:
        result = _solve(session, plan, context)
    except routing.ProblemError as exc:
        plan.status, plan.error = "failed", str(exc)
        session.commit()
        raise ValueError(str(exc)) from None
    plan.result, plan.summary, plan.status = result["plan"], result["summary"], "planned"
    session.commit()
    return {"plan_id": plan.id, "summary": result["summary"]}


def _solve(session: Session, plan: RoutePlan, context: jobs.JobContext) -> dict[str, Any]:
    creator = session.get(User, plan.created_by_id)
    options = plan.params.get("options") or {}
    reps_db = [session.get(User, rep_id) for rep_id in plan.rep_ids]
    shift = routing.TimeWindow(_hhmm(options.get("shift_start"), "08:00"), _hhmm(options.get("shift_end"), "17:30"))
    lunch = options.get("lunch", {"earliest": "11:30", "latest": "14:00", "min_minutes": 30, "max_minutes": 45})
    breaks = (
        ()
        if lunch is None
        else (
            routing.Break(
                _hhmm(lunch.get("earliest"), "11:30"),
                _hhmm(lunch.get("latest"), "14:00"),
                int(lunch.get("min_minutes", 30)) * 60,
                int(lunch.get("max_minutes", 45)) * 60,
            ),
        )
    )
    reps = [
        routing.Rep(
            id=str(r.id),
            home=routing.Location(r.home_lat, r.home_lon),
            shift=shift,
            breaks=breaks,
            max_working_time=int(options["max_working_hours"] * 3600) if options.get("max_working_hours") else None,
        )
        for r in reps_db
    ]
    context.progress(5, "reading accounts")
    query, _ = account_query(session, creator, plan.params.get("accounts") or {})
    rows = session.execute(query.add_columns(Outlet.opening_hours, Outlet.country, Outlet.format)).all()
    service_min = {**DEFAULT_SERVICE_MIN, **(options.get("service_minutes_by_class") or {})}
    accounts = []
    for row in rows:
        account, lat, lon = row[0], row[1], row[2]
        opening, country, fmt = row[-3], row[-2], row[-1]
        minutes = int(service_min.get(account.account_class, service_min[None])) + FORMAT_EXTRA_MIN.get(fmt, 0)
        rep_id = str(account.assigned_rep_id) if account.assigned_rep_id in plan.rep_ids else None
        accounts.append(
            routing.Account(
                id=str(account.id),
                location=routing.Location(lat, lon),
                service=minutes * 60,
                frequency_weeks=account.visit_every_weeks or 4,
                priority={"A": 3, "B": 2}.get(account.account_class or "", 1),
                opening_hours=opening,
                country=country,
                rep_id=rep_id,
            )
        )
    days = _working_days(plan.date_from, plan.date_to, options.get("weekdays", [0, 1, 2, 3, 4]))
    fixed = _fixed_visits(session, plan, {a.id for a in accounts}, set(days))
    context.progress(15, f"planning {len(accounts)} accounts for {len(reps)} reps over {len(days)} days")
    period = routing.plan_period(reps, accounts, days, fixed, time_limit=float(options.get("time_limit_s", 60)))
    context.progress(90, "storing the plan")
    names = {r.id: r.name for r in reps_db}
    positions = {a.id: a.location for a in accounts}
    outlet_names = {str(row[0].id): row[0].outlet.name for row in rows}
    routes = []
    for (rep_id, day), route in sorted(period.routes.items(), key=lambda item: (item[0][1], item[0][0])):
        if not route.visits:
            continue
        stops = [
            {
                "account_id": int(v.stop_id),
                "outlet_name": outlet_names.get(v.stop_id),
                "lat": positions[v.stop_id].lat,
                "lon": positions[v.stop_id].lon,
                "arrival": routing.model.clock(v.arrival),
                "start": routing.model.clock(v.start),
                "departure": routing.model.clock(v.departure),
                "wait_min": round(v.wait / 60),
                "travel_min": round(v.travel_time / 60),
                "travel_km": round(v.travel_distance / 1000, 1),
            }
            for v in route.visits
        ]
        routes.append(
            {
                "rep_id": int(rep_id),
                "rep_name": names.get(int(rep_id)),
                "date": day.isoformat(),
                "depart": routing.model.clock(route.depart),
                "arrive": routing.model.clock(route.arrive),
                "travel_km": round(route.travel_distance / 1000, 1),
                "travel_min": round(route.travel_time / 60),
                "stops": stops,
                "breaks": [
                    {"start": routing.model.clock(b.start), "end": routing.model.clock(b.end)} for b in route.breaks
                ],
            }
        )
    unplanned = [
        {"account_id": int(u.account_id), "date": u.day.isoformat() if u.day else None, "reason": u.reason}
        for u in period.unplanned
    ]
    summary = {**period.summary(), "warnings": period.warnings[:20], "accounts": len(accounts), "days": len(days)}
    return {
        "plan": {"routes": routes, "unplanned": unplanned, "geojson": _geojson(routes, reps_db)},
        "summary": _plain(summary),
    }


def _fixed_visits(
    session: Session, plan: RoutePlan, account_ids: set[str], days: set[dt.date]
) -> list[routing.FixedVisit]:
    """Visits planned by hand on the plan's working days stay where they are."""
    rows = session.execute(
        select(Visit).where(
            Visit.org_id == plan.org_id,
            Visit.status == VisitStatus.PLANNED.value,
            Visit.source == VisitSource.MANUAL.value,
            Visit.planned_date >= plan.date_from,
            Visit.planned_date <= plan.date_to,
        )
    ).scalars()
    fixed = []
    for visit in rows:
        if str(visit.account_id) in account_ids and visit.planned_date in days:
            fixed.append(
                routing.FixedVisit(
                    str(visit.account_id),
                    visit.planned_date,
                    visit.planned_start_min * 60 if visit.planned_start_min is not None else None,
                    str(visit.rep_id) if visit.rep_id in plan.rep_ids else None,
                )
            )
    return fixed


def _geojson(routes: list[dict[str, Any]], reps: list[User]) -> dict[str, Any]:
    homes = {r.id: (r.home_lon, r.home_lat) for r in reps}
    features = []
    for route in routes:
        home = homes[route["rep_id"]]
        line = [home, *[(s["lon"], s["lat"]) for s in route["stops"]], home]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": {
                    "rep_id": route["rep_id"],
                    "date": route["date"],
                    "stops": len(route["stops"]),
                    "travel_km": route["travel_km"],
                },
            }
        )
        for order, stop in enumerate(route["stops"], start=1):
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [stop["lon"], stop["lat"]]},
                    "properties": {
                        "rep_id": route["rep_id"],
                        "date": route["date"],
                        "order": order,
                        "account_id": stop["account_id"],
                        "start": stop["start"],
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


def publish(session: Session, user: User, plan: RoutePlan) -> dict[str, int]:
    """Turn a finished plan into planned visits (idempotent); earlier plans' visits for the
    same reps and days that are still only planned are cancelled."""
    require(user, "visits.plan")
    if plan.status not in ("planned", "published") or not plan.result:
        raise Problem("conflict", f"Plan {plan.id} is {plan.status}; only a finished plan can be published.")
    routes = plan.result["routes"]
    rep_days = {(r["rep_id"], dt.date.fromisoformat(r["date"])) for r in routes}
    cancelled = 0
    for rep_id, day in sorted(rep_days):
        result = session.execute(
            update(Visit)
            .where(
                Visit.org_id == plan.org_id,
                Visit.rep_id == rep_id,
                Visit.planned_date == day,
                Visit.source == VisitSource.PLAN.value,
                Visit.status == VisitStatus.PLANNED.value,
                Visit.route_plan_id != plan.id,
            )
            .values(status=VisitStatus.CANCELLED.value, notes="replaced by a newer plan", updated_at=utcnow())
        )
        cancelled += result.rowcount or 0
    created = 0
    for route in routes:
        day = dt.date.fromisoformat(route["date"])
        for order, stop in enumerate(route["stops"], start=1):
            visit_uuid = str(uuid.uuid5(NAMESPACE, f"{plan.id}:{route['rep_id']}:{day}:{stop['account_id']}"))
            if session.execute(select(Visit.id).where(Visit.org_id == plan.org_id, Visit.uuid == visit_uuid)).first():
                continue
            start = routing.hhmm(stop["start"]) // 60
            session.add(
                Visit(
                    org_id=plan.org_id,
                    uuid=visit_uuid,
                    account_id=stop["account_id"],
                    rep_id=route["rep_id"],
                    source=VisitSource.PLAN.value,
                    status=VisitStatus.PLANNED.value,
                    planned_date=day,
                    planned_start_min=start,
                    planned_duration_min=max(1, routing.hhmm(stop["departure"]) // 60 - start),
                    route_plan_id=plan.id,
                    sequence=order,
                )
            )
            created += 1
    plan.status = "published"
    plan.published_at = utcnow()
    session.flush()
    return {"visits_created": created, "visits_replaced": cancelled}


def optimize_day(session: Session, user: User, data: dict[str, Any]) -> dict[str, Any]:
    """A rep's own day, solved at once: the given accounts (default: today's planned visits),
    from home or from where the rep is now (re-optimisation of the rest of the day)."""
    require(user, "visits.record")
    day = data.get("date") or dt.date.today()
    visits = []
    if data.get("account_ids"):
        account_ids = list(dict.fromkeys(data["account_ids"]))
    else:
        visits = (
            session.execute(
                select(Visit).where(
                    Visit.org_id == user.org_id,
                    Visit.rep_id == user.id,
                    Visit.planned_date == day,
                    Visit.status.in_(
                        [VisitStatus.PLANNED.value, VisitStatus.IN_PROGRESS.value, VisitStatus.DONE.value]
                    ),
                )
            )
            .scalars()
            .all()
        )
        account_ids = [v.account_id for v in visits]
    if not account_ids:
        raise field_error("account_ids", "no accounts given and no visits planned for that day", "body")
    if len(account_ids) > 60:
        raise field_error("account_ids", "optimize at most 60 stops at once; plan bigger days as a route plan", "body")
    d = for_bind(session)
    stops = []
    for index, account_id in enumerate(account_ids):
        try:
            account = get_scoped(Account, account_id, what="account", user=user)
        except Problem:
            raise field_error(f"account_ids[{index}]", f"there is no account {account_id}", "body") from None
        lat, lon = session.execute(
            select(d.lat(Outlet.geom), d.lon(Outlet.geom)).where(Outlet.id == account.outlet_id)
        ).one()
        minutes = DEFAULT_SERVICE_MIN.get(account.account_class, 20) + FORMAT_EXTRA_MIN.get(account.outlet.format, 0)
        windows = routing.visit_windows(account.outlet.opening_hours, day, minutes * 60, account.outlet.country)
        stops.append(
            routing.Stop(
                id=str(account.id),
                location=routing.Location(lat, lon),
                service=minutes * 60,
                windows=windows.windows,
                required=False,
                priority={"A": 3, "B": 2}.get(account.account_class or "", 1),
            )
        )
    start = data.get("position")
    home = (
        routing.Location(user.home_lat, user.home_lon)
        if user.home_lat is not None
        else routing.Location(stops[0].location.lat, stops[0].location.lon)
    )
    vehicle = routing.Vehicle(
        id=str(user.id),
        start=home,
        end=home,
        shift=routing.TimeWindow(_hhmm(data.get("shift_start"), "08:00"), _hhmm(data.get("shift_end"), "17:30")),
        breaks=(routing.Break(routing.hhmm("11:30"), routing.hhmm("14:00"), 1800, 2700),),
    )
    problem = routing.Problem((vehicle,), tuple(stops))
    options = routing.Options(time_limit=min(float(data.get("time_limit_s", 2)), 5.0))
    try:
        if data.get("now") and start:
            done = [
                routing.DoneVisit(
                    str(v.account_id),
                    (v.planned_start_min or 0) * 60,
                    (v.planned_start_min or 0) * 60 + (v.planned_duration_min or 20) * 60,
                )
                for v in visits
                if v.status == VisitStatus.DONE
            ]
            solution = routing.replan_rest_of_day(
                problem,
                vehicle.id,
                routing.hhmm(data["now"]),
                routing.Location(start["lat"], start["lon"]),
                done,
                options=options,
            )
        else:
            solution = routing.solve(problem, options)
    except routing.ProblemError as exc:
        raise Problem(
            "validation-error", str(exc), errors=[{"field": exc.path, "in": "body", "message": exc.message}]
        ) from None
    route = solution.route_of(vehicle.id)
    return {
        "date": day.isoformat(),
        "engine": solution.engine,
        "stops": [
            {
                "account_id": int(v.stop_id),
                "arrival": routing.model.clock(v.arrival),
                "start": routing.model.clock(v.start),
                "departure": routing.model.clock(v.departure),
                "wait_min": round(v.wait / 60),
                "travel_min": round(v.travel_time / 60),
                "travel_km": round(v.travel_distance / 1000, 1),
                "done": v.done,
            }
            for v in route.visits
        ],
        "dropped": [{"account_id": int(x.stop_id), "reason": x.reason} for x in solution.dropped],
        "breaks": [{"start": routing.model.clock(b.start), "end": routing.model.clock(b.end)} for b in route.breaks],
        "travel_km": round(route.travel_distance / 1000, 1),
        "travel_min": round(route.travel_time / 60),
        "depart": routing.model.clock(route.depart),
        "arrive": routing.model.clock(route.arrive),
        "warnings": solution.warnings,
    }


jobs.register("route_plan", run_plan)
