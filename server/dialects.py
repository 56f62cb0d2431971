"""The few SQL expressions that differ between SpatiaLite and PostGIS, behind one interface.

Services build queries with :func:`for_bind` and never test the dialect themselves.
Both implementations use the spatial index of the database they run on:

* PostGIS: a GiST index on ``geom`` (bbox, polygon) and one on ``geom::geography``
  (radius search and index-assisted nearest-first ordering, ``<->``); full-text
  search through a GIN index on the stored ``search_vector`` (``search_text`` parsed
  by PostgreSQL's ``simple`` configuration).
* SpatiaLite: it never uses its R*Tree by itself, so every spatial filter first
  selects candidate rows from ``idx_outlets_geom`` (the R*Tree of ``outlets.geom``)
  by bounding box, then applies the exact predicate; full-text search through the
  FTS5 table ``outlets_fts`` (external content over ``outlets.search_text``).

Distances are great-circle distances on a sphere in metres on both databases, so the
same query gives the same order on both (they agree to well under 0.1 %).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    and_,
    cast,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.types import NullType

EARTH_RADIUS_M = 6_371_008.8
_Opaque = NullType()
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180.0


@dataclass(frozen=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    @classmethod
    def around(cls, lon: float, lat: float, radius_m: float) -> BBox:
        """The smallest lon/lat box that contains the circle (plus 0.5 % margin)."""
        dlat = radius_m / METRES_PER_DEGREE * 1.005
        top = min(89.9, abs(lat) + dlat)
        dlon = min(180.0, radius_m / (METRES_PER_DEGREE * math.cos(math.radians(top))) * 1.005)
        return cls(lon - dlon, max(-90.0, lat - dlat), lon + dlon, min(90.0, lat + dlat))


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (same sphere as the databases)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


class Dialect:
    """Interface; see the two implementations below."""

    name: str

    def lon(self, geom: Any) -> ColumnElement[Any]:
        return func.ST_X(geom)

    def lat(self, geom: Any) -> ColumnElement[Any]:
        return func.ST_Y(geom)

    def point(self, lon: float, lat: float) -> ColumnElement[Any]:
        raise NotImplementedError

    def in_bbox(self, geom: Any, row_id: Any, box: BBox) -> ColumnElement[bool]:
        raise NotImplementedError

    def distance_m(self, geom: Any, lon: float, lat: float) -> ColumnElement[float]:
        raise NotImplementedError

    def within_m(self, geom: Any, row_id: Any, lon: float, lat: float, radius_m: float) -> ColumnElement[bool]:
        raise NotImplementedError

    def nearest_order(self, geom: Any, lon: float, lat: float) -> ColumnElement[Any]:
        """ORDER BY expression for nearest first (index-assisted where possible)."""
        return self.distance_m(geom, lon, lat)

    def intersects(self, geom: Any, row_id: Any, wkt: str, box: BBox) -> ColumnElement[bool]:
        raise NotImplementedError

    def text_match(self, row_id: Any, search_text: Any, terms: list[tuple[str, bool]]) -> ColumnElement[bool]:
        """All ``terms`` occur as words of ``search_text``; ``(word, True)`` matches as a prefix."""
        raise NotImplementedError

    def casefold(self, expr: Any) -> ColumnElement[str]:
        raise NotImplementedError

    def as_geojson(self, geom: Any) -> ColumnElement[str]:
        return func.ST_AsGeoJSON(geom)

    def geometry(self, wkt: str) -> ColumnElement[Any]:
        """A geometry value from WKT, for inserts and updates."""
        raise NotImplementedError

    def geoms_intersect(self, a: Any, b: Any) -> ColumnElement[bool]:
        """Two geometry columns intersect (no index hint: use with small tables)."""
        return func.ST_Intersects(a, b) == 1

    def json_array_contains(self, attribute: Any, column: Any, value: str) -> ColumnElement[bool]:
        """A JSON array column holds the string ``value``."""
        entries = func.json_each(column).table_valued("value")
        return exists(select(1).select_from(entries).where(entries.c.value == value))

    def grid_index(self, expr: Any) -> ColumnElement[int]:
        """floor(expr) as an integer, for non-negative ``expr``."""
        return func.floor(expr)

    def ordered_scan_hints(self) -> tuple[list[str], list[str]]:
        """Statements before and after a query that should walk its ORDER BY index."""
        return [], []


class PostGIS(Dialect):
    name = "postgresql"

    def point(self, lon: float, lat: float) -> ColumnElement[Any]:
        return func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)

    def _geog(self, geom: Any) -> ColumnElement[Any]:
        # geography(geom) is the cast geom::geography, the expression of the index
        # ix_outlets_geog; a plain function keeps geoalchemy2 from wrapping results.
        return func.geography(geom, type_=_Opaque)

    def _point_geog(self, lon: float, lat: float) -> ColumnElement[Any]:
        return func.geography(self.point(lon, lat), type_=_Opaque)

    def in_bbox(self, geom: Any, row_id: Any, box: BBox) -> ColumnElement[bool]:
        envelope = func.ST_MakeEnvelope(box.min_lon, box.min_lat, box.max_lon, box.max_lat, 4326)
        return geom.op("&&")(envelope)

    def distance_m(self, geom: Any, lon: float, lat: float) -> ColumnElement[float]:
        return func.ST_Distance(self._geog(geom), self._point_geog(lon, lat), False)

    def within_m(self, geom: Any, row_id: Any, lon: float, lat: float, radius_m: float) -> ColumnElement[bool]:
        return func.ST_DWithin(self._geog(geom), self._point_geog(lon, lat), radius_m, False)

    def nearest_order(self, geom: Any, lon: float, lat: float) -> ColumnElement[Any]:
        return self._geog(geom).op("<->", return_type=Float)(self._point_geog(lon, lat))

    def intersects(self, geom: Any, row_id: Any, wkt: str, box: BBox) -> ColumnElement[bool]:
        return func.ST_Intersects(geom, func.ST_GeomFromText(wkt, 4326))

    def text_match(self, row_id: Any, search_text: Any, terms: list[tuple[str, bool]]) -> ColumnElement[bool]:
        query = " & ".join(f"{word}:*" if prefix else word for word, prefix in terms)
        # outlets.search_vector is generated from search_text (see the first migration).
        vector = literal_column("outlets.search_vector")
        return vector.op("@@")(func.to_tsquery(literal_column("'simple'::regconfig"), query))

    def casefold(self, expr: Any) -> ColumnElement[str]:
        return func.lower(expr)

    def geometry(self, wkt: str) -> ColumnElement[Any]:
        return func.ST_GeomFromText(wkt, 4326)

    def geoms_intersect(self, a: Any, b: Any) -> ColumnElement[bool]:
        return func.ST_Intersects(a, b)

    def json_array_contains(self, attribute: Any, column: Any, value: str) -> ColumnElement[bool]:
        return column.op("?")(value)

    def ordered_scan_hints(self) -> tuple[list[str], list[str]]:
        # Only in this transaction, and switched back right after the query.
        return ["SET LOCAL enable_bitmapscan = off"], ["SET LOCAL enable_bitmapscan = on"]


class SpatiaLite(Dialect):
    name = "sqlite"

    _rtree = table("idx_outlets_geom", column("pkid"), column("xmin"), column("xmax"), column("ymin"), column("ymax"))

    def point(self, lon: float, lat: float) -> ColumnElement[Any]:
        return func.MakePoint(lon, lat, 4326)

    def in_bbox(self, geom: Any, row_id: Any, box: BBox) -> ColumnElement[bool]:
        r = self._rtree.c
        candidates = select(r.pkid).where(
            r.xmin <= box.max_lon, r.xmax >= box.min_lon, r.ymin <= box.max_lat, r.ymax >= box.min_lat
        )
        return row_id.in_(candidates)

    def distance_m(self, geom: Any, lon: float, lat: float) -> ColumnElement[float]:
        # Haversine on the same sphere as PostGIS's use_spheroid=false, from the
        # point's coordinates: SpatiaLite's own great-circle distance uses another radius.
        lat_r = func.radians(func.ST_Y(geom))
        dlat = lat_r - math.radians(lat)
        dlon = func.radians(func.ST_X(geom)) - math.radians(lon)
        a = func.pow(func.sin(dlat / 2), 2) + math.cos(math.radians(lat)) * func.cos(lat_r) * func.pow(
            func.sin(dlon / 2), 2
        )
        return 2 * EARTH_RADIUS_M * func.asin(func.min(1.0, func.sqrt(a)))

    def within_m(self, geom: Any, row_id: Any, lon: float, lat: float, radius_m: float) -> ColumnElement[bool]:
        return and_(
            self.in_bbox(geom, row_id, BBox.around(lon, lat, radius_m)),
            self.distance_m(geom, lon, lat) <= radius_m,
        )

    def intersects(self, geom: Any, row_id: Any, wkt: str, box: BBox) -> ColumnElement[bool]:
        return and_(
            self.in_bbox(geom, row_id, box),
            func.ST_Intersects(geom, func.GeomFromText(wkt, 4326)) == 1,
        )

    def text_match(self, row_id: Any, search_text: Any, terms: list[tuple[str, bool]]) -> ColumnElement[bool]:
        query = " ".join(f'"{word}"*' if prefix else f'"{word}"' for word, prefix in terms)
        matches = text("SELECT rowid FROM outlets_fts WHERE outlets_fts MATCH :fts_query").bindparams(fts_query=query)
        return row_id.in_(matches)

    def casefold(self, expr: Any) -> ColumnElement[str]:
        return func.rayon_casefold(expr)

    def as_geojson(self, geom: Any) -> ColumnElement[str]:
        return func.AsGeoJSON(geom)

    def geometry(self, wkt: str) -> ColumnElement[Any]:
        return func.GeomFromText(wkt, 4326)

    def grid_index(self, expr: Any) -> ColumnElement[int]:
        return cast(func.floor(expr), Integer)


_DIALECTS: dict[str, Dialect] = {"postgresql": PostGIS(), "sqlite": SpatiaLite()}


def for_bind(bind: Any) -> Dialect:
    """The implementation for an engine, connection or session."""
    if hasattr(bind, "get_bind"):  # a Session or scoped_session
        bind = bind.get_bind()
    name = bind.dialect.name
    try:
        return _DIALECTS[name]
    except KeyError:
        raise RuntimeError(f"unsupported database {name!r}: use SQLite or PostgreSQL") from None
