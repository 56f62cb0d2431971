"""Outlet search: text, attributes, radius, bounding box, polygon; paging; map clusters.

Callable without HTTP: functions take a SQLAlchemy session and plain values and
return plain dicts. Every spatial and text predicate comes from
:mod:`server.dialects`, so the same code runs on SpatiaLite and PostGIS.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, Select, and_, func, insert, or_, select, text
from sqlalchemy.orm import Session

from server.dialects import BBox, Dialect, for_bind
from server.errors import Problem, field_error
from server.outlets.models import Outlet, outlet_rank_key, outlet_search_text
from server.tenancy import outlet_visibility
from server.text import query_terms

DEFAULT_RADIUS_M = 5_000.0


@dataclass(frozen=True)
class OutletFilters:
    q: str | None = None
    banners: Sequence[str] = ()
    formats: Sequence[str] = ()
    countries: Sequence[str] = ()
    regions: Sequence[str] = ()
    postcodes: Sequence[str] = ()
    cities: Sequence[str] = ()
    statuses: Sequence[str] = ()
    near: tuple[float, float] | None = None  # (lat, lon)
    radius_m: float | None = None
    bbox: BBox | None = None
    polygon: BaseGeometry | None = None
    #: The organization looking: its private outlets are included (None: public only).
    viewer_org_id: int | None = None

    def fingerprint(self) -> str:
        """A short hash of the filters: a cursor is only valid for the query that made it."""
        parts = [
            self.q,
            sorted(self.banners),
            sorted(self.formats),
            sorted(self.countries),
            sorted(self.regions),
            sorted(self.postcodes),
            sorted(self.cities),
            sorted(self.statuses),
            self.near,
            self.radius_m,
            None if self.bbox is None else list(vars(self.bbox).values()),
            None if self.polygon is None else self.polygon.wkt,
            self.viewer_org_id,
        ]
        return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PageRequest:
    limit: int = 50
    offset: int = 0
    cursor: str | None = None
    sort: str | None = None  # id | name | distance


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int
    total_relation: str
    limit: int
    offset: int | None
    next_cursor: str | None
    sort: str = "id"
    extra: dict[str, Any] = field(default_factory=dict)


def _columns(d: Dialect) -> list[ColumnElement[Any]]:
    return [
        Outlet.id,
        Outlet.name,
        Outlet.banner,
        Outlet.group_name.label("group"),
        Outlet.format,
        Outlet.sales_area_m2,
        Outlet.street,
        Outlet.house_number,
        Outlet.postcode,
        Outlet.city,
        Outlet.region,
        Outlet.region_code,
        Outlet.country,
        d.lat(Outlet.geom).label("lat"),
        d.lon(Outlet.geom).label("lon"),
        Outlet.opening_hours,
        Outlet.phone,
        Outlet.website,
        Outlet.status,
        Outlet.source,
        Outlet.source_id,
        Outlet.last_verified_at,
        Outlet.version,
    ]


def _row_to_dict(row: Any) -> dict[str, Any]:
    item = dict(row._mapping)
    item["lat"] = round(item["lat"], 6)
    item["lon"] = round(item["lon"], 6)
    if item.get("last_verified_at") is not None:
        item["last_verified_at"] = item["last_verified_at"].isoformat()
    if "distance_m" in item and item["distance_m"] is not None:
        item["distance_m"] = round(float(item["distance_m"]), 1)
    return item


def _in_folded(d: Dialect, column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    return d.casefold(column).in_([v.casefold() for v in values])


def filter_clauses(d: Dialect, filters: OutletFilters) -> list[ColumnElement[bool]]:
    """The WHERE clauses of ``filters`` (all must hold)."""
    clauses: list[ColumnElement[bool]] = [outlet_visibility(filters.viewer_org_id)]
    if filters.q:
        terms = query_terms(filters.q)
        if terms:
            clauses.append(d.text_match(Outlet.id, Outlet.search_text, terms))
    if filters.banners:
        clauses.append(_in_folded(d, Outlet.banner, filters.banners))
    if filters.formats:
        clauses.append(Outlet.format.in_(list(filters.formats)))
    if filters.countries:
        clauses.append(Outlet.country.in_([c.upper() for c in filters.countries]))
    if filters.regions:
        clauses.append(
            or_(
                _in_folded(d, Outlet.region, filters.regions),
                Outlet.region_code.in_([r.upper() for r in filters.regions]),
            )
        )
    if filters.postcodes:
        clauses.append(Outlet.postcode.in_([p.strip().upper() for p in filters.postcodes]))
    if filters.cities:
        clauses.append(_in_folded(d, Outlet.city, filters.cities))
    if filters.statuses:
        clauses.append(Outlet.status.in_(list(filters.statuses)))
    if filters.near is not None:
        lat, lon = filters.near
        radius = filters.radius_m or DEFAULT_RADIUS_M
        clauses.append(d.within_m(Outlet.geom, Outlet.id, lon, lat, radius))
    if filters.bbox is not None:
        clauses.append(d.in_bbox(Outlet.geom, Outlet.id, filters.bbox))
    if filters.polygon is not None:
        min_lon, min_lat, max_lon, max_lat = filters.polygon.bounds
        clauses.append(
            d.intersects(Outlet.geom, Outlet.id, filters.polygon.wkt, BBox(min_lon, min_lat, max_lon, max_lat))
        )
    return clauses


# --- cursors -------------------------------------------------------------------------


def _encode_cursor(sort: str, key: list[Any], fingerprint: str) -> str:
    raw = json.dumps({"s": sort, "k": key, "f": fingerprint}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str, fingerprint: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        key = data["k"]
        ok = isinstance(key, list) and len(key) == 2 and isinstance(key[1], int)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        ok = False
    if not ok:
        raise Problem(
            "bad-request",
            "The cursor is not one this API issued.",
            errors=[{"field": "cursor", "in": "query", "message": "invalid cursor"}],
        )
    if data.get("s") != sort or data.get("f") != fingerprint:
        raise Problem(
            "bad-request",
            "The cursor belongs to a different query; start again without it.",
            errors=[{"field": "cursor", "in": "query", "message": "cursor does not match these filters or this sort"}],
        )
    return key


# --- search --------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchPlan:
    """The statements one search runs: benchmarks execute them raw to compare with the API."""

    page_query: Select[Any]
    count_query: Select[Any]
    sort: str
    fingerprint: str


#: Extra rows the nearest-first inner query reads, so rows at exactly the same distance
#: around a page boundary are ordered by id too (see plan_search).
TIE_WINDOW = 16


def default_sort(filters: OutletFilters) -> str:
    if filters.near is not None:
        return "distance"
    if filters.q:
        return "relevance"
    return "distance" if filters.bbox is not None else "id"


def order_point(filters: OutletFilters) -> tuple[float, float] | None:
    """Where "nearest first" is measured from: ``near``, else the centre of the map view."""
    if filters.near is not None:
        return filters.near
    if filters.bbox is not None:
        box = filters.bbox
        return (box.min_lat + box.max_lat) / 2, (box.min_lon + box.max_lon) / 2
    return None


def plan_search(d: Dialect, filters: OutletFilters, page: PageRequest, exact_total_limit: int) -> SearchPlan:
    """Build (not run) the page and count statements of a search.

    Orders: ``distance`` (nearest first; default with ``near``, and for a map view
    ``bbox``, from its centre), ``relevance`` (default with ``q``: every result matches
    every word, so equals are spread by a stable pseudo-random key; this keeps one chain
    or one region from filling the first page and lets the database stop early on
    common words), ``name``, ``id``.

    Nearest-first reads the nearest rows through the spatial index in an inner query
    ordered by distance alone (PostGIS's index-assisted ``<->`` stops after the first
    rows), then orders those by (distance, id) so that ties break the same way on
    every page and on both databases.

    :raise Problem: a cursor that is invalid or belongs to another query.
    """
    sort = page.sort or default_sort(filters)
    clauses = filter_clauses(d, filters)
    columns = _columns(d)
    fingerprint = filters.fingerprint()
    cursor_key = _decode_cursor(page.cursor, sort, fingerprint) if page.cursor else None
    offset = 0 if page.cursor else page.offset
    count = count_query(clauses, exact_total_limit)

    if sort == "distance":
        point = order_point(filters)
        assert point is not None
        lat, lon = point
        distance = d.nearest_order(Outlet.geom, lon, lat)
        inner_clauses = list(clauses)
        if cursor_key:
            inner_clauses.append(
                or_(distance > cursor_key[0], and_(distance == cursor_key[0], Outlet.id > cursor_key[1]))
            )
        nearest = (
            select(Outlet.id.label("id"), distance.label("distance_m"))
            .where(*inner_clauses)
            .order_by(distance)
            .limit(offset + page.limit + 1 + TIE_WINDOW)
            .subquery()
        )
        query: Select[Any] = (
            select(*columns, nearest.c.distance_m)
            .join(nearest, nearest.c.id == Outlet.id)
            .order_by(nearest.c.distance_m, Outlet.id)
            .limit(page.limit + 1)
            .offset(offset)
        )
        return SearchPlan(query, count, sort, fingerprint)

    sort_expr: ColumnElement[Any] = {"name": Outlet.name, "relevance": Outlet.rank_key, "id": Outlet.id}[sort]
    if filters.near is not None:
        lat, lon = filters.near
        columns.append(d.distance_m(Outlet.geom, lon, lat).label("distance_m"))
    page_clauses = list(clauses)
    if cursor_key:
        if sort == "id":
            page_clauses.append(Outlet.id > cursor_key[1])
        else:
            page_clauses.append(
                or_(sort_expr > cursor_key[0], and_(sort_expr == cursor_key[0], Outlet.id > cursor_key[1]))
            )
    order = [Outlet.id] if sort == "id" else [sort_expr, Outlet.id]
    if sort == "relevance":
        # Ids first, in an inner query the covering index (rank_key, id) INCLUDE (org_id,
        # search_vector) can answer without visiting the table; then the page's columns.
        ranked = (
            select(Outlet.id.label("id"), Outlet.rank_key.label("rank_key"))
            .where(*page_clauses)
            .order_by(Outlet.rank_key, Outlet.id)
            .limit(offset + page.limit + 1)
            .subquery()
        )
        query = (
            select(*columns, ranked.c.rank_key.label("_sort_key"))
            .join(ranked, ranked.c.id == Outlet.id)
            .order_by(ranked.c.rank_key, Outlet.id)
            .limit(page.limit + 1)
            .offset(offset)
        )
        return SearchPlan(query, count, sort, fingerprint)
    columns.append(sort_expr.label("_sort_key"))
    query = select(*columns).where(*page_clauses).order_by(*order).limit(page.limit + 1).offset(offset)
    return SearchPlan(query, count, sort, fingerprint)


def search_outlets(
    session: Session, filters: OutletFilters, page: PageRequest, *, exact_total_limit: int = 1_000
) -> Page:
    """One page of outlets matching ``filters``, with a total.

    The total is exact up to ``exact_total_limit``; above it ``total_relation`` is
    ``"gte"`` and ``total`` is that limit (counting a million matches to show
    "10,000+" would cost more than the page itself).

    :raise Problem: a bad cursor, or an offset past the last result.
    """
    d = for_bind(session)
    plan = plan_search(d, filters, page, exact_total_limit)
    total = session.execute(plan.count_query).scalar_one()
    relation = "eq"
    if total > exact_total_limit:
        total, relation = exact_total_limit, "gte"
    # Many matches: walking the sort order's index and stopping after a page is cheapest,
    # whatever the planner estimates (its guesses for prefix text queries are poor).
    hint = d.ordered_scan_hints() if relation == "gte" and plan.sort in ("relevance", "id") else ([], [])
    for statement in hint[0]:
        session.execute(text(statement))
    rows = session.execute(plan.page_query).all()
    for statement in hint[1]:
        session.execute(text(statement))
    has_more = len(rows) > page.limit
    rows = rows[: page.limit]
    items = [_row_to_dict(r) for r in rows]
    for item in items:
        item.pop("_sort_key", None)
        if filters.near is None:
            item.pop("distance_m", None)  # from the map view's centre: only the order uses it
    if not items and page.offset and not page.cursor:
        raise field_error(
            "offset",
            f"offset {page.offset} is past the end of the results ({total} in total)",
        )
    next_cursor = None
    if has_more and rows:
        last = rows[-1]._mapping
        key_value = last["distance_m"] if plan.sort == "distance" else last["_sort_key"]
        next_cursor = _encode_cursor(plan.sort, [key_value, last["id"]], plan.fingerprint)
    return Page(items, total, relation, page.limit, None if page.cursor else page.offset, next_cursor, plan.sort)


def count_query(clauses: list[ColumnElement[bool]], cap: int) -> Select[Any]:
    """Counts matches, stopping after ``cap + 1`` so a huge result costs no more than that."""
    limited = select(Outlet.id).where(*clauses).limit(cap + 1).subquery()
    return select(func.count()).select_from(limited)


def get_outlet(session: Session, outlet_id: int, viewer_org_id: int | None = None) -> dict[str, Any]:
    """One outlet by id, if public or private to ``viewer_org_id``. :raise Problem: ``not-found``."""
    d = for_bind(session)
    row = session.execute(select(*_columns(d)).where(Outlet.id == outlet_id, outlet_visibility(viewer_org_id))).first()
    if row is None:
        raise Problem("not-found", f"There is no outlet {outlet_id}.")
    return _row_to_dict(row)


# --- map clusters --------------------------------------------------------------------

#: Cells per 256-pixel tile side: one cell is 64 pixels, about a thumb on a phone.
CELLS_PER_TILE = 4
MAX_CELLS = 4_096


def cluster_outlets(session: Session, filters: OutletFilters, bbox: BBox, zoom: int) -> dict[str, Any]:
    """Counts of outlets per grid cell of the map view, for zoomed-out maps.

    The grid is fixed to the world (not to the view), so panning does not make
    clusters jump. A cell holding a single outlet carries its ``outlet_id``.

    :raise Problem: when the view holds too many cells for the zoom.
    """
    d = for_bind(session)
    cell_lon = 360.0 / (2**zoom) / CELLS_PER_TILE
    mid_lat = math.radians((bbox.min_lat + bbox.max_lat) / 2)
    cell_lat = cell_lon * max(math.cos(mid_lat), 0.05)
    cells = math.ceil((bbox.max_lon - bbox.min_lon) / cell_lon + 1) * math.ceil(
        (bbox.max_lat - bbox.min_lat) / cell_lat + 1
    )
    if cells > MAX_CELLS:
        raise field_error(
            "bbox",
            f"the view spans about {cells} cells at zoom {zoom} (at most {MAX_CELLS}); "
            "send a smaller bbox or a lower zoom",
        )
    scoped = OutletFilters(**{**vars(filters), "bbox": bbox})
    clauses = filter_clauses(d, scoped)
    lon, lat = d.lon(Outlet.geom), d.lat(Outlet.geom)
    # Offsets from -180/-90 keep the cell index non-negative.
    gx = d.grid_index((lon + 180.0) / cell_lon).label("gx")
    gy = d.grid_index((lat + 90.0) / cell_lat).label("gy")
    inner = select(Outlet.id.label("id"), lon.label("x"), lat.label("y"), gx, gy).where(*clauses).subquery()
    query = (
        select(
            func.count().label("count"),
            func.avg(inner.c.x).label("lon"),
            func.avg(inner.c.y).label("lat"),
            func.min(inner.c.id).label("min_id"),
            func.min(inner.c.x).label("min_x"),
            func.min(inner.c.y).label("min_y"),
            func.max(inner.c.x).label("max_x"),
            func.max(inner.c.y).label("max_y"),
        )
        .group_by(inner.c.gx, inner.c.gy)
        .order_by(inner.c.gx, inner.c.gy)
    )
    clusters = []
    total = 0
    for row in session.execute(query):
        total += row.count
        clusters.append(
            {
                "lat": round(float(row.lat), 6),
                "lon": round(float(row.lon), 6),
                "count": row.count,
                "outlet_id": row.min_id if row.count == 1 else None,
                "bbox": [round(float(v), 6) for v in (row.min_x, row.min_y, row.max_x, row.max_y)],
            }
        )
    return {"zoom": zoom, "cell_size": {"lon": cell_lon, "lat": cell_lat}, "total": total, "clusters": clusters}


# --- writing -------------------------------------------------------------------------

_INSERT_FIELDS = (
    "name",
    "banner",
    "group",
    "format",
    "sales_area_m2",
    "street",
    "house_number",
    "postcode",
    "city",
    "region",
    "region_code",
    "country",
    "opening_hours",
    "phone",
    "website",
    "status",
    "source",
    "source_id",
    "last_verified_at",
)


def _record_values(record: dict[str, Any]) -> dict[str, Any]:
    values = {("group_name" if k == "group" else k): record.get(k) for k in _INSERT_FIELDS}
    values["status"] = values["status"] or "open"
    values["rank_key"] = outlet_rank_key(values["source"], values["source_id"])
    values["search_text"] = outlet_search_text(
        record.get("name"),
        record.get("banner"),
        record.get("street"),
        record.get("house_number"),
        record.get("postcode"),
        record.get("city"),
    )
    return values


def _batches(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk_insert(session: Session, records: Iterable[dict[str, Any]], *, batch_size: int = 5_000) -> int:
    """Insert outlet records (dicts with ``lat``/``lon`` and the model's fields) fast.

    PostgreSQL: ``COPY`` with EWKT points. SQLite: batched ``executemany`` in the
    session's transaction (the R*Tree and FTS triggers keep up). Returns the count.
    """
    import datetime as dt

    d = for_bind(session)
    count = 0
    if d.name == "postgresql":
        connection = session.connection().connection.driver_connection
        columns = [("group_name" if k == "group" else k) for k in _INSERT_FIELDS] + ["rank_key", "search_text", "geom"]
        with connection.cursor() as cursor, cursor.copy(f"COPY outlets ({', '.join(columns)}) FROM STDIN") as copy:
            for record in records:
                values = _record_values(record)
                row = [values[c] for c in columns[:-1]]
                if isinstance(row[-2], str):  # last_verified_at
                    row[-2] = dt.date.fromisoformat(row[-2])
                row.append(f"SRID=4326;POINT({record['lon']!r} {record['lat']!r})")
                copy.write_row(row)
                count += 1
        return count
    from sqlalchemy import bindparam

    statement = insert(Outlet.__table__).values(geom=d.point(bindparam("lon"), bindparam("lat")))
    for batch in _batches(records, batch_size):
        rows = []
        for record in batch:
            values = _record_values(record)
            if isinstance(values["last_verified_at"], str):
                values["last_verified_at"] = dt.date.fromisoformat(values["last_verified_at"])
            values["lon"], values["lat"] = record["lon"], record["lat"]
            rows.append(values)
        session.execute(statement, rows)
        count += len(rows)
    return count
