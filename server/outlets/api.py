"""Outlet reference data API: the table of contents of /api/v1/outlets.

GET  /api/v1/outlets               search (text, attributes, near+radius, bbox), paged
POST /api/v1/outlets/search        the same inside a GeoJSON (Multi)Polygon body
GET  /api/v1/outlets/clusters      counts per map cell for zoomed-out maps
GET  /api/v1/outlets/{id}          one outlet, with its weekly opening hours
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, g, jsonify
from flask.views import MethodView
from marshmallow import RAISE

from server.api import Blueprint
from server.db import db
from server.http import GEOJSON, json_body, url_with, wants_geojson
from server.outlets import geometry, service
from server.outlets.schemas import (
    ClusterPageSchema,
    ClusterQuerySchema,
    OutletDetailSchema,
    OutletListSchema,
    OutletPageSchema,
)

# Views return finished Response objects: the @blp.response schemas document the
# shapes (OpenAPI) without a second, slower marshmallow serialisation of every row.
blp = Blueprint(
    "outlets",
    __name__,
    url_prefix="/api/v1/outlets",
    description="Public reference outlets (stores), shared by all organizations",
)


@blp.route("")
class OutletList(MethodView):
    @blp.arguments(OutletListSchema, location="query", as_kwargs=True, unknown=RAISE)
    @blp.response(200, OutletPageSchema, content_type="application/json")
    @blp.alt_response(
        200,
        description="GeoJSON FeatureCollection (Accept: application/geo+json or output=geojson)",
        content_type=GEOJSON,
        success=True,
    )
    def get(self, **args: Any) -> Any:
        """Search outlets

        Text (`q`), attributes, `near`+`radius` (nearest first, with `distance_m`)
        and `bbox`, combined with AND. Paged by `limit`+`offset` or by `cursor`
        (stable under inserts); `total` is exact up to 10,000.
        """
        return _list_response(args, polygon=None)


@blp.route("/search")
class OutletPolygonSearch(MethodView):
    @blp.arguments(OutletListSchema, location="query", as_kwargs=True, unknown=RAISE)
    @blp.doc(
        requestBody={
            "required": True,
            "description": "A GeoJSON Polygon or MultiPolygon (or a Feature holding one), WGS 84.",
            "content": {"application/json": {"schema": {"type": "object"}}, GEOJSON: {"schema": {"type": "object"}}},
        }
    )
    @blp.response(200, OutletPageSchema, content_type="application/json")
    def post(self, **args: Any) -> Any:
        """Outlets inside a polygon

        For territories drawn on a map. Takes the same query parameters as the list.
        """
        body = json_body(accept=("application/json", GEOJSON))
        polygon = geometry.polygon_from_geojson(body, current_app.config["RAYON"].max_polygon_vertices)
        return _list_response(args, polygon=polygon)


@blp.route("/clusters")
class OutletClusters(MethodView):
    @blp.arguments(ClusterQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    @blp.response(200, ClusterPageSchema)
    def get(self, **args: Any) -> Any:
        """Outlet counts per map cell

        A fixed grid of 64-pixel cells at `zoom` over the view `bbox`; each cell
        with its outlet count, mean position and extent. Zoomed-out maps use this
        instead of downloading every outlet.
        """
        output = args.pop("output", None)
        bbox, zoom = args.pop("bbox"), args.pop("zoom")
        filters, _ = _filters(args)
        result = service.cluster_outlets(db.session, filters, bbox, zoom)
        if wants_geojson(output):
            features = [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [c["lon"], c["lat"]]},
                    "properties": {k: v for k, v in c.items() if k not in ("lat", "lon")},
                }
                for c in result["clusters"]
            ]
            return _geojson({"type": "FeatureCollection", "features": features, "zoom": zoom, "total": result["total"]})
        return jsonify(result)


@blp.route("/<int:outlet_id>")
class OutletDetail(MethodView):
    @blp.response(200, OutletDetailSchema)
    def get(self, outlet_id: int) -> Any:
        """One outlet

        With its opening hours laid out per weekday for the current week.
        """
        item = service.get_outlet(db.session, outlet_id, _viewer())
        item.update(_weekly_hours(item))
        return jsonify(item)


def _filters(args: dict[str, Any]) -> tuple[service.OutletFilters, str | None]:
    """Query arguments to filters; also returns an output format given as format=geojson."""
    formats = list(args.get("format") or [])
    output = next((f for f in formats if f in ("json", "geojson")), None)
    formats = [f for f in formats if f not in ("json", "geojson")]
    return service.OutletFilters(
        q=args.get("q"),
        banners=args.get("banner") or (),
        formats=formats,
        countries=args.get("country") or (),
        regions=args.get("region") or (),
        postcodes=args.get("postcode") or (),
        cities=args.get("city") or (),
        statuses=args.get("status") or (),
        near=args.get("near"),
        radius_m=args.get("radius"),
        bbox=args.get("bbox"),
        viewer_org_id=_viewer(),
    ), output


def _viewer() -> int | None:
    user = g.get("user")
    return user.org_id if user is not None else None


def _list_response(args: dict[str, Any], polygon: Any) -> Any:
    settings = current_app.config["RAYON"]
    filters, format_output = _filters(args)
    if polygon is not None:
        filters = service.OutletFilters(**{**vars(filters), "polygon": polygon})
    page_request = service.PageRequest(
        limit=args.get("limit") or settings.default_page_size,
        offset=args.get("offset") or 0,
        cursor=args.get("cursor"),
        sort=args.get("sort"),
    )
    page = service.search_outlets(db.session, filters, page_request, exact_total_limit=settings.exact_total_limit)
    links: dict[str, str] = {"self": url_with()}
    if page.next_cursor:
        links["next"] = url_with(cursor=page.next_cursor, offset=None)
    meta = {
        "total": page.total,
        "total_relation": page.total_relation,
        "limit": page.limit,
        "offset": page.offset,
        "next_cursor": page.next_cursor,
        "links": links,
    }
    if wants_geojson(args.get("output") or format_output):
        return _geojson({"type": "FeatureCollection", "features": [_feature(item) for item in page.items], **meta})
    return jsonify({"items": page.items, **meta})


def _feature(item: dict[str, Any]) -> dict[str, Any]:
    properties = {k: v for k, v in item.items() if k not in ("id", "lat", "lon")}
    return {
        "type": "Feature",
        "id": item["id"],
        "geometry": {"type": "Point", "coordinates": [item["lon"], item["lat"]]},
        "properties": properties,
    }


def _geojson(document: dict[str, Any]) -> Any:
    response = jsonify(document)
    response.mimetype = GEOJSON
    return response


_TIMEZONES = {
    "DE": "Europe/Berlin",
    "FR": "Europe/Paris",
    "AT": "Europe/Vienna",
    "CH": "Europe/Zurich",
    "BE": "Europe/Brussels",
    "NL": "Europe/Amsterdam",
    "LU": "Europe/Luxembourg",
    "MC": "Europe/Monaco",
}


def _weekly_hours(item: dict[str, Any]) -> dict[str, Any]:
    """Weekly intervals and open-now for the detail view; null when unreadable."""
    from server.outlets import opening_hours

    value = item.get("opening_hours")
    if not value:
        return {"opening_hours_weekly": None, "open_now": None}
    try:
        schedule = opening_hours.parse(value)
        # Opening hours are the outlet's local wall-clock time.
        now = dt.datetime.now(ZoneInfo(_TIMEZONES.get(item["country"], "UTC"))).replace(tzinfo=None)
        return {
            "opening_hours_weekly": {
                day: [list(w) for w in windows] for day, windows in schedule.weekly(country=item["country"]).items()
            },
            "open_now": schedule.is_open(now, country=item["country"]),
        }
    except opening_hours.OpeningHoursError:
        return {"opening_hours_weekly": None, "open_now": None}
