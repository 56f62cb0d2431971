"""Analytics: KPIs, dashboards, maps and raw data exports.

GET    /api/v1/analytics/definitions          every KPI: key, label, unit, formula, dimensions
GET    /api/v1/analytics/kpis                 one KPI: value, cuts (group_by), previous range
GET    /api/v1/analytics/overview             the dashboard cards, each against the previous range
GET    /api/v1/analytics/series               a KPI as a time series (optionally one series per value of split)
GET    /api/v1/analytics/map                  a KPI per region, territory (polygons) or outlet as GeoJSON
GET    /api/v1/analytics/exports/responses    survey answers as CSV/XLSX (per product row or per answer)
GET    /api/v1/analytics/exports/visits       visits as CSV/XLSX
GET    /api/v1/analytics/exports/accounts     accounts with their visits against their frequency
GET    /api/v1/analytics/settings             the KPI configuration (must-stock lists, weights, promotions…)
PUT    /api/v1/analytics/settings             replace it (the facts are rebuilt)
POST   /api/v1/analytics/rebuild              rebuild the organization's facts and rollups

Commands: ``rayon analytics export``, ``rayon analytics rebuild`` (see :mod:`server.analytics.cli`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, jsonify, request, stream_with_context
from flask.views import MethodView
from marshmallow import RAISE

from server import audit
from server.analytics import cli, exports, kpis
from server.analytics import config as settings
from server.analytics.schemas import (
    AccountExportQuerySchema,
    KpiQuerySchema,
    MapQuerySchema,
    OverviewQuerySchema,
    RebuildSchema,
    ResponseExportQuerySchema,
    SeriesQuerySchema,
    VisitExportQuerySchema,
)
from server.api import Blueprint
from server.auth.models import User
from server.auth.permissions import require
from server.db import db
from server.errors import field_error
from server.http import GEOJSON, body_doc, load_body
from server.tenancy import current_user

blp = Blueprint(
    "analytics", __name__, url_prefix="/api/v1", description="KPIs, dashboards and raw data exports (private)"
)
blp.cli.add_command(cli.export_command)
blp.cli.add_command(cli.rebuild_command)

FILTER_NAMES = {
    "country": "country",
    "region": "region",
    "banner": "banner",
    "group": "group",
    "format": "format",
    "account_class": "class",
    "territory": "territory",
    "rep": "rep",
    "outlet": "outlet",
    "account": "account",
    "product": "product",
    "brand": "brand",
    "category": "category",
    "own": "own",
    "form": "form",
    "form_version": "form_version",
    "list_": "list",
}


#: Filters that a visits or accounts export cannot apply (they are about products and forms).
NOT_FOR_VISITS = ("product", "brand", "category", "own", "form", "form_version", "list")


def _no_product_filters(filters: dict[str, Any], what: str) -> None:
    for name in NOT_FOR_VISITS:
        if filters.get(name) not in (None, []):
            raise field_error(name, f"the {what} export cannot be filtered by {name} (it is about responses)")


def filters_of(user: User, args: dict[str, Any]) -> dict[str, Any]:
    """The filters of a request, with ``rep=me`` resolved and every named object checked (404)."""
    out: dict[str, Any] = {}
    for arg, name in FILTER_NAMES.items():
        if arg not in args:
            continue
        value = args[arg]
        if name == "rep":
            value = [user.id if v == "me" else int(v) for v in value]
        if isinstance(value, list):
            value = list(dict.fromkeys(value))
        out[name] = value
    kpis.check_filters(db.session, user, out)
    return out


def _query(user: User, args: dict[str, Any], kpi: str, group_by: list[str], compare: bool = True) -> kpis.Query:
    return kpis.Query(
        kpi=kpi,
        period=args["period"],
        date_from=args.get("from_"),
        date_to=args.get("to"),
        group_by=group_by,
        filters=filters_of(user, args),
        compare=compare,
    )


@blp.route("/analytics/definitions")
class Definitions(MethodView):
    def get(self) -> Any:
        """Every KPI with its unit, formula and the dimensions it can be cut by"""
        require(current_user(), "analytics.read")
        return jsonify({"items": kpis.kpi_catalog()})


@blp.route("/analytics/kpis")
class Kpis(MethodView):
    @blp.arguments(KpiQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """One KPI over a range, cut by up to two dimensions, against the previous range

        The range snaps to whole periods (`period`: day, week, month). Shelf KPIs use the latest
        observation per outlet, product and period; see `/analytics/definitions` and docs/kpis.md.
        """
        user = current_user()
        require(user, "analytics.read")
        query = _query(user, args, args["kpi"], args.get("group_by", []), args["compare"])
        return jsonify(kpis.run(db.session, user, query))


@blp.route("/analytics/overview")
class Overview(MethodView):
    @blp.arguments(OverviewQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """Dashboard cards: the organization's overview KPIs with the previous range's values"""
        user = current_user()
        require(user, "analytics.read")
        return jsonify(kpis.overview(db.session, user, _query(user, args, "", [])))


@blp.route("/analytics/series")
class Series(MethodView):
    @blp.arguments(SeriesQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """A KPI per period over the range (every period present, null where nothing was measured)"""
        user = current_user()
        require(user, "analytics.read")
        split = args.get("split")
        query = _query(user, args, args["kpi"], ["period", split] if split else ["period"], compare=False)
        result = kpis.run(db.session, user, query)
        series: dict[str, dict[str, Any]] = {}
        for row in result["rows"]:
            name = str(row["keys"].get(split)) if split else "all"
            entry = series.setdefault(
                name,
                {
                    "key": row["keys"].get(split) if split else None,
                    "label": row.get("labels", {}).get(split),
                    "points": [],
                },
            )
            entry["points"].append(
                {
                    "period": row["keys"]["period"],
                    "label": kpis.period_label(
                        kpis.GRAIN[args["period"]], dt.date.fromisoformat(row["keys"]["period"])
                    ),
                    "value": row["value"],
                    "n": row["n"],
                }
            )
        body = {
            k: result[k] for k in ("kpi", "label", "unit", "better", "period", "from", "to", "filters", "value", "n")
        }
        body["split"] = split
        body["series"] = list(series.values())
        return jsonify(body)


@blp.route("/analytics/map")
class MapLayer(MethodView):
    @blp.arguments(MapQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    @blp.doc(responses={"200": {"description": "GeoJSON FeatureCollection", "content": {GEOJSON: {}}}})
    def get(self, **args: Any) -> Any:
        """A KPI per region, territory or outlet as GeoJSON

        Regions are points at the centre of their outlets, territories their polygons (with `centre`, a
        point inside for the label), outlets their positions. Features are the groups with a value, the
        most measured first, at most `limit`.
        """
        user = current_user()
        require(user, "analytics.read")
        level = args["level"]
        kpi = kpis.KPIS.get(args["kpi"])
        if kpi is not None and level not in kpis.DIMS[kpi.source]:
            raise field_error("level", f"{kpi.key} cannot be mapped by {level} (it has no {level})")
        query = _query(user, args, args["kpi"], [level], compare=False)
        result = kpis.run(db.session, user, query)
        features = map_features(user, level, result["rows"], args["limit"])
        body = {
            "type": "FeatureCollection",
            "features": features,
            "properties": {
                k: result[k]
                for k in ("kpi", "label", "unit", "better", "period", "from", "to", "filters", "value", "n")
            },
        }
        response = jsonify(body)
        response.mimetype = GEOJSON
        return response


def map_features(user: User, level: str, rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    from sqlalchemy import func, select

    from server.dialects import for_bind
    from server.outlets.models import Outlet
    from server.tenancy import outlet_visibility

    rows = sorted((r for r in rows if r["value"] is not None), key=lambda r: -r["n"])[:limit]
    d = for_bind(db.session)
    keys = [r["keys"][level] for r in rows]
    positions: dict[Any, tuple[float, float]] = {}
    shapes: dict[Any, tuple[dict[str, Any], tuple[float, float], str | None]] = {}
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        if level == "territory":
            shapes.update(_territory_shapes(user, chunk))
            continue
        if level == "outlet":
            statement = select(Outlet.id, d.lon(Outlet.geom), d.lat(Outlet.geom)).where(
                Outlet.id.in_(chunk), outlet_visibility(user.org_id)
            )
        else:
            statement = (
                select(Outlet.region_code, func.avg(d.lon(Outlet.geom)), func.avg(d.lat(Outlet.geom)))
                .where(Outlet.region_code.in_(chunk), outlet_visibility(user.org_id))
                .group_by(Outlet.region_code)
            )
        positions.update({k: (float(x), float(y)) for k, x, y in db.session.execute(statement)})
    features = []
    for row in rows:
        key = row["keys"][level]
        properties = {level: key, "label": row.get("labels", {}).get(level), "value": row["value"], "n": row["n"]}
        if key in shapes:
            geometry, (lon, lat), color = shapes[key]
            properties.update(centre=[round(lon, 6), round(lat, 6)], color=color)
        elif key in positions:
            lon, lat = positions[key]
            geometry = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
        else:
            continue
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


def _territory_shapes(user: User, ids: list[Any]) -> dict[int, tuple[dict[str, Any], tuple[float, float], str | None]]:
    """The organization's territories among ``ids``: GeoJSON polygon, a point inside it, colour."""
    import json

    from shapely.geometry import shape
    from sqlalchemy import select

    from server.accounts.models import Territory
    from server.dialects import for_bind

    d = for_bind(db.session)
    out = {}
    statement = select(Territory.id, d.as_geojson(Territory.geom), Territory.color).where(
        Territory.org_id == user.org_id, Territory.id.in_([i for i in ids if isinstance(i, int)])
    )
    for territory_id, geojson, color in db.session.execute(statement):
        if not geojson:
            continue
        geometry = json.loads(geojson)
        inside = shape(geometry).representative_point()
        out[territory_id] = (geometry, (inside.x, inside.y), color)
    return out


# --- exports ------------------------------------------------------------------------------------------


def _range(user: User, args: dict[str, Any]) -> tuple[dt.date, dt.date]:
    grain = kpis.GRAIN[args["period"]]
    end = args.get("to") or kpis.today(db.session, user.org_id)
    start = args.get("from_") or kpis.bucket_of(grain, end)
    start, end = kpis.snap(grain, start, end)
    if (end - start).days > 400:
        raise field_error("from", "an export covers at most 400 days; export a year in parts")
    return start, end


def _export(user: User, kind: str, args: dict[str, Any], rows: Any) -> Response:
    header = next(rows)  # runs the checks before anything is sent
    audit.record(
        db.session,
        org_id=user.org_id,
        action="export",
        object_type=f"analytics_{kind}",
        object_id=0,
        note=f"{args['format_']} export with filters {sorted(k for k in args if k != 'format_')}",
    )
    db.session.commit()
    stamp = dt.date.today().isoformat()
    if args["format_"] == "xlsx":
        path = exports.write_xlsx(_chain(header, rows), kind)
        return Response(
            exports.file_chunks(path),
            mimetype=exports.XLSX,
            headers={
                "Content-Disposition": f'attachment; filename="{kind}-{stamp}.xlsx"',
                "Content-Length": str(path.stat().st_size),
            },
            direct_passthrough=True,
        )
    return Response(
        stream_with_context(exports.csv_chunks(_chain(header, rows))),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{kind}-{stamp}.csv"'},
    )


def _chain(first: Any, rest: Any) -> Any:
    yield first
    yield from rest


EXPORT_DOC = {
    "200": {
        "description": "CSV or XLSX file (streamed)",
        "content": {"text/csv": {}, exports.XLSX: {}},
    }
}


@blp.route("/analytics/exports/responses")
class ResponseExport(MethodView):
    @blp.arguments(ResponseExportQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    @blp.doc(responses=EXPORT_DOC)
    def get(self, **args: Any) -> Any:
        """Survey answers of the range: one row per product of a grid, or one row per answer"""
        user = current_user()
        require(user, "analytics.export")
        filters = filters_of(user, args)
        start, end = _range(user, args)
        rows = exports.response_rows(db.session, user, start, end, filters, args["layout"])
        return _export(user, f"responses-{args['layout']}", args, rows)


@blp.route("/analytics/exports/visits")
class VisitExport(MethodView):
    @blp.arguments(VisitExportQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    @blp.doc(responses=EXPORT_DOC)
    def get(self, **args: Any) -> Any:
        """Visits of the range with their check-in and -out, time in store and flags"""
        user = current_user()
        require(user, "analytics.export")
        filters = filters_of(user, args)
        _no_product_filters(filters, "visits")
        start, end = _range(user, args)
        rows = exports.visit_rows(db.session, user, start, end, filters, args.get("status"))
        return _export(user, "visits", args, rows)


@blp.route("/analytics/exports/accounts")
class AccountExport(MethodView):
    @blp.arguments(AccountExportQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    @blp.doc(responses=EXPORT_DOC)
    def get(self, **args: Any) -> Any:
        """Accounts with their visits in the range against their frequency (coverage per account)"""
        user = current_user()
        require(user, "analytics.export")
        filters = filters_of(user, args)
        _no_product_filters(filters, "accounts")
        start, end = _range(user, args)
        rows = exports.account_rows(db.session, user, start, end, filters)
        return _export(user, "accounts", args, rows)


# --- settings -------------------------------------------------------------------------------------------


@blp.route("/analytics/settings")
class Settings(MethodView):
    def get(self) -> Any:
        """The KPI configuration: must-stock lists per format, weights, planned promotions, perfect store"""
        user = current_user()
        require(user, "analytics.read")
        return jsonify(settings.load(db.session, user.org_id))

    @blp.doc(requestBody=body_doc(settings.SettingsSchema))
    def put(self) -> Any:
        """Replace the KPI configuration; the organization's facts are rebuilt with it"""
        from server.analytics.facts import rebuild
        from server.analytics.models import AnalyticsSettings

        user = current_user()
        require(user, "analytics.configure")
        data = settings.to_storable(load_body(settings.SettingsSchema))
        _check_lists(user, data)
        row = db.session.get(AnalyticsSettings, user.org_id)
        if row is None:
            row = AnalyticsSettings(org_id=user.org_id, config={})
            db.session.add(row)
        row.config = data
        db.session.flush()
        counts = rebuild(db.session, user.org_id)
        return jsonify({**settings.load(db.session, user.org_id), "rebuilt": counts})


def _check_lists(user: User, data: dict[str, Any]) -> None:
    """The must-stock and promotion lists must exist (422 naming the member)."""
    from sqlalchemy import select

    from server.catalog.models import ProductList
    from server.errors import Problem

    keys = set(db.session.execute(select(ProductList.key).where(ProductList.org_id == user.org_id)).scalars())
    errors = [
        {"field": f"must_stock.{fmt}", "in": "body", "message": f"there is no product list '{key}'"}
        for fmt, key in (data.get("must_stock") or {}).items()
        if key not in keys
    ] + [
        {"field": f"promotions[{i}].list", "in": "body", "message": f"there is no product list '{p['list']}'"}
        for i, p in enumerate(data.get("promotions") or [])
        if p["list"] not in keys
    ]
    if errors:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        raise Problem("validation-error", detail, errors=errors)


@blp.route("/analytics/rebuild")
class Rebuild(MethodView):
    @blp.doc(requestBody={"required": False, "content": {"application/json": {"schema": RebuildSchema}}})
    def post(self) -> Any:
        """Rebuild the organization's facts and rollups from its responses (HQ, admins)"""
        from server.analytics.facts import rebuild

        user = current_user()
        require(user, "analytics.configure")
        if request.get_data(cache=True):
            load_body(RebuildSchema)
        return jsonify({"rebuilt": rebuild(db.session, user.org_id)})
