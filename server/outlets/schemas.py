"""Marshmallow schemas of the outlet API: query parameters in, documents out.

Query parameters are validated here, field by field, so that every bad value is
answered with a problem naming the parameter (``near``, ``radius``, ``bbox``...).
"""

from __future__ import annotations

import math
from typing import Any

from flask import current_app
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from server.dialects import BBox
from server.outlets.models import OutletFormat, OutletStatus

FORMATS = [f.value for f in OutletFormat]
STATUSES = [s.value for s in OutletStatus]
OUTPUTS = ["json", "geojson"]
SORTS = ["id", "name", "distance", "relevance"]
MAX_OFFSET = 10_000


def _finite(value: str, what: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValidationError(f"{what} {value.strip()!r} is not a number") from None
    if not math.isfinite(number):
        raise ValidationError(f"{what} must be a finite number")
    return number


def _check_lat(lat: float) -> None:
    if not -90 <= lat <= 90:
        raise ValidationError(f"latitude {lat:g} is out of range; it must be between -90 and 90")


def _check_lon(lon: float) -> None:
    if not -180 <= lon <= 180:
        raise ValidationError(f"longitude {lon:g} is out of range; it must be between -180 and 180")


class LatLon(fields.String):
    """``lat,lon`` in decimal degrees (WGS 84), e.g. ``48.1374,11.5755``."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> tuple[float, float]:
        text = super()._deserialize(value, attr, data, **kwargs)
        parts = text.split(",")
        if len(parts) != 2:
            raise ValidationError("expected 'lat,lon' in decimal degrees, e.g. 48.1374,11.5755")
        lat, lon = _finite(parts[0], "latitude"), _finite(parts[1], "longitude")
        _check_lat(lat)
        _check_lon(lon)
        return lat, lon


class BBoxField(fields.String):
    """``minLon,minLat,maxLon,maxLat`` in decimal degrees (the GeoJSON bbox order)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> BBox:
        text = super()._deserialize(value, attr, data, **kwargs)
        parts = text.split(",")
        if len(parts) != 4:
            raise ValidationError("expected 'minLon,minLat,maxLon,maxLat', e.g. 11.50,48.10,11.65,48.18")
        min_lon, min_lat, max_lon, max_lat = (_finite(p, "coordinate") for p in parts)
        for lon in (min_lon, max_lon):
            _check_lon(lon)
        for lat in (min_lat, max_lat):
            _check_lat(lat)
        if min_lon > max_lon:
            raise ValidationError(
                f"minLon {min_lon:g} is greater than maxLon {max_lon:g} "
                "(boxes across the antimeridian are not supported)"
            )
        if min_lat > max_lat:
            raise ValidationError(f"minLat {min_lat:g} is greater than maxLat {max_lat:g}")
        return BBox(min_lon, min_lat, max_lon, max_lat)


def _words(max_length: int) -> DelimitedList:
    return DelimitedList(fields.String(validate=validate.Length(min=1, max=max_length)))


class OutletFilterSchema(Schema):
    """Filters shared by the list, polygon search and cluster endpoints."""

    class Meta:
        unknown = RAISE
        ordered = True

    q = fields.String(
        validate=validate.Length(max=200),
        metadata={
            "description": "Text over name, banner, street, postcode and city; case- and "
            "accent-insensitive, word prefixes ('Strasse' = 'Straße', 'Muenchen' = 'München')."
        },
    )
    banner = _words(100)
    format = DelimitedList(
        fields.String(validate=validate.OneOf(FORMATS + OUTPUTS)),
        metadata={
            "description": "Store formats (comma-separated): "
            + ", ".join(FORMATS)
            + ". For backwards compatibility `format=geojson` selects the output instead."
        },
    )
    country = DelimitedList(
        fields.String(validate=validate.Regexp(r"^[A-Za-z]{2}$", error="must be a two-letter ISO country code"))
    )
    region = _words(120)
    postcode = _words(12)
    city = _words(120)
    status = DelimitedList(fields.String(validate=validate.OneOf(STATUSES)))
    near = LatLon(
        metadata={"description": "lat,lon: nearest first, each item with distance_m", "example": "48.1374,11.5755"}
    )
    radius = fields.Float(
        metadata={"description": "Metres around `near` (default 5000)."},
    )
    bbox = BBoxField(metadata={"description": "minLon,minLat,maxLon,maxLat", "example": "11.50,48.10,11.65,48.18"})

    @validates_schema
    def _radius(self, data: dict[str, Any], **_: Any) -> None:
        if "radius" in data:
            radius = data["radius"]
            limit = current_app.config["RAYON"].max_radius_m
            if not math.isfinite(radius) or not 1 <= radius <= limit:
                raise ValidationError(f"must be between 1 and {limit} metres", "radius")
            if "near" not in data:
                raise ValidationError("radius needs near=lat,lon", "radius")


class OutletListSchema(OutletFilterSchema):
    limit = fields.Integer(metadata={"description": "Page size (default 50, at most 500)."})
    offset = fields.Integer(
        validate=validate.Range(
            min=0, max=MAX_OFFSET, error=f"must be between 0 and {MAX_OFFSET}; use the cursor to go further"
        ),
    )
    cursor = fields.String(
        validate=validate.Length(max=500), metadata={"description": "next_cursor of the previous page"}
    )
    sort = fields.String(
        validate=validate.OneOf(SORTS),
        metadata={"description": "distance (default with near), relevance (default with q), name, id"},
    )
    output = fields.String(
        validate=validate.OneOf(OUTPUTS),
        metadata={"description": "json (default) or geojson; or send Accept: application/geo+json"},
    )

    @validates_schema
    def _paging(self, data: dict[str, Any], **_: Any) -> None:
        if "limit" in data:
            limit = current_app.config["RAYON"].max_page_size
            if not 1 <= data["limit"] <= limit:
                raise ValidationError(f"must be between 1 and {limit}", "limit")
        if "cursor" in data and data.get("offset"):
            raise ValidationError("use either cursor or offset, not both", "offset")
        if data.get("sort") == "distance" and "near" not in data:
            raise ValidationError("sort=distance needs near=lat,lon", "sort")
        if data.get("sort") == "relevance" and not data.get("q"):
            raise ValidationError("sort=relevance needs q", "sort")


class ClusterQuerySchema(OutletFilterSchema):
    bbox = BBoxField(required=True, metadata={"description": "The map view: minLon,minLat,maxLon,maxLat"})
    zoom = fields.Integer(
        required=True, validate=validate.Range(min=0, max=22), metadata={"description": "Web map zoom level 0-22"}
    )
    output = fields.String(validate=validate.OneOf(OUTPUTS))


class OutletSchema(Schema):
    """An outlet as the API returns it (public reference facts)."""

    class Meta:
        unknown = EXCLUDE
        ordered = True

    id = fields.Integer()
    name = fields.String()
    banner = fields.String(allow_none=True)
    group = fields.String(allow_none=True)
    format = fields.String(metadata={"enum": FORMATS})
    sales_area_m2 = fields.Integer(allow_none=True)
    street = fields.String(allow_none=True)
    house_number = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    country = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    opening_hours = fields.String(allow_none=True, metadata={"description": "OpenStreetMap opening_hours syntax"})
    phone = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": STATUSES})
    source = fields.String()
    source_id = fields.String()
    last_verified_at = fields.Date(allow_none=True)
    version = fields.Integer()
    distance_m = fields.Float(metadata={"description": "Only with near=: metres from that point"})


class OutletDetailSchema(OutletSchema):
    opening_hours_weekly = fields.Dict(
        allow_none=True,
        metadata={
            "description": "Open intervals per weekday (Mo..Su) for the current week, "
            "or null when opening_hours is missing or cannot be read"
        },
    )
    open_now = fields.Boolean(allow_none=True)


class OutletPageSchema(Schema):
    items = fields.List(fields.Nested(OutletSchema))
    total = fields.Integer(metadata={"description": "Number of results; a lower bound when total_relation is 'gte'"})
    total_relation = fields.String(metadata={"enum": ["eq", "gte"]})
    limit = fields.Integer()
    offset = fields.Integer(allow_none=True)
    next_cursor = fields.String(allow_none=True)
    links = fields.Dict()


class ClusterSchema(Schema):
    lat = fields.Float()
    lon = fields.Float()
    count = fields.Integer()
    outlet_id = fields.Integer(allow_none=True, metadata={"description": "Set when the cell holds one outlet"})
    bbox = fields.List(
        fields.Float(), metadata={"description": "minLon,minLat,maxLon,maxLat of the outlets in the cell"}
    )


class ClusterPageSchema(Schema):
    zoom = fields.Integer()
    cell_size = fields.Dict()
    total = fields.Integer()
    clusters = fields.List(fields.Nested(ClusterSchema))


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()
    spatial = fields.String()
    outlets = fields.Integer()
    version = fields.String()
