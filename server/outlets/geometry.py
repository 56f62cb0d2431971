"""Validation of GeoJSON polygons sent by clients (territories drawn on a map).

Everything a client can get wrong is answered with a problem naming the place in
the document: wrong type, coordinates that are not numbers or out of range, rings
that are not closed or too short, self-intersections (with the point), too many
vertices. Only a valid Polygon or MultiPolygon in WGS 84 reaches the database.
"""

from __future__ import annotations

import math
from typing import Any

from shapely import get_num_coordinates
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from server.errors import Problem

_TYPES = ("Polygon", "MultiPolygon")


def _invalid(path: str, message: str) -> Problem:
    return Problem("validation-error", f"{path}: {message}", errors=[{"field": path, "in": "body", "message": message}])


def _position(value: Any, path: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) < 2:
        raise _invalid(path, "a position must be an array [longitude, latitude]")
    lon, lat = value[0], value[1]
    for name, number in (("longitude", lon), ("latitude", lat)):
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            raise _invalid(path, f"{name} must be a number")
    if not -180 <= lon <= 180:
        raise _invalid(path, f"longitude {lon:g} is out of range [-180, 180]")
    if not -90 <= lat <= 90:
        raise _invalid(path, f"latitude {lat:g} is out of range [-90, 90]")
    return float(lon), float(lat)


def _ring(value: Any, path: str, budget: list[int]) -> list[tuple[float, float]]:
    if not isinstance(value, list):
        raise _invalid(path, "a linear ring must be an array of positions")
    budget[0] -= len(value)
    if budget[0] < 0:
        raise _invalid(path, "the polygon has too many vertices")
    ring = [_position(p, f"{path}[{i}]") for i, p in enumerate(value)]
    if len(ring) < 4:
        raise _invalid(path, "a linear ring needs at least 4 positions (the first repeated last)")
    if ring[0] != ring[-1]:
        raise _invalid(path, "a linear ring must be closed: its last position must equal its first")
    return ring


def _polygon(value: Any, path: str, budget: list[int]) -> Polygon:
    if not isinstance(value, list) or not value:
        raise _invalid(path, "a polygon must be a non-empty array of linear rings")
    rings = [_ring(r, f"{path}[{i}]", budget) for i, r in enumerate(value)]
    return Polygon(rings[0], rings[1:])


def polygon_from_geojson(document: Any, max_vertices: int) -> BaseGeometry:
    """A valid shapely (Multi)Polygon from a GeoJSON geometry or Feature.

    :raise Problem: ``validation-error`` naming the offending member.
    """
    if not isinstance(document, dict):
        raise _invalid("(body)", "expected a GeoJSON object")
    path = ""
    if document.get("type") == "Feature":
        document = document.get("geometry")
        path = "geometry."
        if not isinstance(document, dict):
            raise _invalid("geometry", "the Feature has no geometry object")
    kind = document.get("type")
    if kind not in _TYPES:
        raise _invalid(f"{path}type", f"expected Polygon or MultiPolygon, got {kind!r}")
    coordinates = document.get("coordinates")
    budget = [max_vertices]
    where = f"{path}coordinates"
    if kind == "Polygon":
        shape: BaseGeometry = _polygon(coordinates, where, budget)
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise _invalid(where, "a MultiPolygon needs a non-empty array of polygons")
        shape = MultiPolygon([_polygon(p, f"{where}[{i}]", budget) for i, p in enumerate(coordinates)])
    if not shape.is_valid:
        reason = explain_validity(shape)
        raise _invalid(where, f"the polygon is not valid: {reason}")
    if shape.area == 0:
        raise _invalid(where, "the polygon has no area")
    assert get_num_coordinates(shape) <= max_vertices
    return shape
