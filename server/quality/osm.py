"""OpenStreetMap import: retail outlets from ``.osm.pbf``, ``.osm``/``.osm.gz`` (pyosmium) or an
Overpass JSON file, upserted by OSM id and version.

Reading. Every object with a ``shop`` tag of a grocery, drugstore or food kind becomes an
outlet record: nodes where they are, ways (building outlines) at the centroid of their
outline, multipolygon relations at the centroid of their area, Overpass ways and relations at
their ``center``. Tags: ``name``, ``brand``, ``brand:wikidata``, ``operator`` (the banner is
normalised, see :mod:`server.quality.banners`), ``shop`` (mapped to a format; a known banner's
usual format wins, so a ``shop=supermarket`` Lidl is a discounter as in the bundled data),
``addr:*``, ``opening_hours`` (kept as written; unreadable values are flagged), ``phone``
(E.164 when readable), ``website``, ``check_date`` (the last-verified date). Everything else
is skipped and counted with its reason.

Metadata. A file's versions and timestamps are trusted only when they are plausible
(version >= 1, a timestamp between 2004 and tomorrow): Osmosis extracts carry
``version="-1"`` and a 1969 timestamp, which a PBF conversion turns into 2106. Untrusted
elements are compared by content instead of version.

Upsert. A known element (``source="osm"``, ``source_id="node/123"``) is updated when its
version is newer (or, untrusted, when its content changed); only the fields OpenStreetMap
changed since the last import are written, so a fact corrected by reps is not overwritten
by an unchanged OSM value. An older version is skipped. An outlet merged into another is
not brought back. Outlets of this source that the new file no longer has are closed when
they lie inside the file's bounds; an Overpass file is the answer to a query, so it closes
only outlets of the banners it contains. A later file that has them again reopens them.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.auth.models import utcnow
from server.dialects import for_bind
from server.outlets.models import Outlet
from server.outlets.service import bulk_insert
from server.quality import banners
from server.quality.facts import flag_opening_hours, opening_hours_problem, set_facts
from server.quality.models import OsmImport, OutletFlag, OutletMerge, OutletSourceRecord
from server.quality.normalise import clean_text, normalise_postcode, phone_e164

SOURCE = "osm"
#: shop=* -> format; other shop values are not outlets a consumer-goods brand visits.
SHOP_FORMATS = {
    "supermarket": "supermarket",
    "convenience": "convenience",
    "kiosk": "convenience",
    "general": "convenience",
    "newsagent": "convenience",
    "chemist": "drugstore",
    "drugstore": "drugstore",
    "wholesale": "cash_and_carry",
    "department_store": "hypermarket",
    "bakery": "specialist",
    "butcher": "specialist",
    "beverages": "specialist",
    "alcohol": "specialist",
    "wine": "specialist",
    "greengrocer": "specialist",
    "deli": "specialist",
    "organic": "specialist",
    "health_food": "specialist",
    "farm": "specialist",
    "cheese": "specialist",
    "seafood": "specialist",
    "confectionery": "specialist",
    "pastry": "specialist",
    "coffee": "specialist",
    "tea": "specialist",
    "frozen_food": "specialist",
    "spices": "specialist",
    "dairy": "specialist",
    "chocolate": "specialist",
    "pasta": "specialist",
    "water": "specialist",
    "food": "specialist",
}
#: A known banner's usual format replaces these shop kinds (a Lidl tagged supermarket).
_BANNER_DECIDES = {"supermarket", "convenience", "general", "department_store", "wholesale"}
_EARLIEST = dt.datetime(2004, 8, 9, tzinfo=dt.UTC)  # OpenStreetMap's first day
_FIELDS = (
    "name",
    "banner",
    "format",
    "street",
    "house_number",
    "postcode",
    "city",
    "country",
    "opening_hours",
    "phone",
    "website",
    "lat",
    "lon",
)


@dataclass
class Element:
    source_id: str
    version: int | None
    timestamp: dt.datetime | None
    tags: dict[str, str]
    lat: float | None
    lon: float | None

    @property
    def trusted(self) -> bool:
        """Whether this element's version and timestamp can be believed."""
        now = utcnow() + dt.timedelta(days=1)
        return bool(self.version and self.version >= 1 and self.timestamp and _EARLIEST <= self.timestamp <= now)


@dataclass
class OsmFile:
    path: Path
    kind: str  # pbf | xml | overpass
    bounds: tuple[float, float, float, float] | None = None  # min_lon, min_lat, max_lon, max_lat
    as_of: str | None = None
    elements: list[Element] = field(default_factory=list)


def file_kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".pbf"):
        return "pbf"
    if name.endswith((".osm", ".osm.gz", ".osm.bz2", ".xml", ".xml.gz")):
        return "xml"
    if name.endswith(".json") or name.endswith(".json.gz"):
        return "overpass"
    with _open(path) as handle:
        start = handle.read(64).lstrip()
    if start.startswith(b"{"):
        return "overpass"
    if start.startswith(b"<"):
        return "xml"
    raise ValueError(f"{path.name}: not an OSM file (.osm.pbf, .osm, .osm.gz or Overpass .json)")


def _open(path: Path) -> Any:
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else path.open("rb")


def read(path: Path, progress: Callable[[int], None] | None = None) -> OsmFile:
    """Every ``shop=*`` object of the file, with a position.

    :raise ValueError: a file that is not OSM data (the message says why).
    """
    kind = file_kind(path)
    if kind == "overpass":
        return _read_overpass(path)
    return _read_osmium(path, kind, progress)


def _read_overpass(path: Path) -> OsmFile:
    try:
        with _open(path) as handle:
            document = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ValueError(f"{path.name}: not Overpass JSON ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("elements"), list):
        raise ValueError(f"{path.name}: not Overpass JSON (no 'elements' list)")
    result = OsmFile(path, "overpass", as_of=(document.get("osm3s") or {}).get("timestamp_osm_base"))
    for item in document["elements"]:
        if not isinstance(item, dict) or item.get("type") not in ("node", "way", "relation"):
            continue
        tags = item.get("tags") or {}
        if not isinstance(tags, dict) or "shop" not in tags:
            continue
        position = item if item["type"] == "node" else (item.get("center") or {})
        lat, lon = position.get("lat"), position.get("lon")
        if lat is None and isinstance(item.get("geometry"), list) and item["geometry"]:
            points = [p for p in item["geometry"] if isinstance(p, dict) and "lat" in p]
            lat = sum(p["lat"] for p in points) / len(points) if points else None
            lon = sum(p["lon"] for p in points) / len(points) if points else None
        timestamp = _timestamp(item.get("timestamp"))
        version = item.get("version") if isinstance(item.get("version"), int) else None
        result.elements.append(
            Element(
                f"{item['type']}/{item['id']}",
                version,
                timestamp,
                {str(k): str(v) for k, v in tags.items()},
                _coordinate(lat),
                _coordinate(lon),
            )
        )
    located = [(e.lon, e.lat) for e in result.elements if e.lat is not None]
    if located:
        lons, lats = [p[0] for p in located], [p[1] for p in located]
        result.bounds = (min(lons), min(lats), max(lons), max(lats))
    return result


def _coordinate(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _timestamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _xml_bounds(path: Path) -> tuple[float, float, float, float] | None:
    """``<bounds minlat=… />`` or Osmosis's ``<bound box="minlat,minlon,maxlat,maxlon"/>``."""
    with _open(path) as handle:
        head = handle.read(4096).decode("utf-8", errors="replace")
    match = re.search(r'<bound\s+box="([-\d.]+),([-\d.]+),([-\d.]+),([-\d.]+)"', head)
    if match:
        min_lat, min_lon, max_lat, max_lon = (float(g) for g in match.groups())
        return min_lon, min_lat, max_lon, max_lat
    match = re.search(r"<bounds\s+([^>]*)/?>", head)
    if match:
        attrs = dict(re.findall(r'(\w+)="([-\d.]+)"', match.group(1)))
        try:
            return float(attrs["minlon"]), float(attrs["minlat"]), float(attrs["maxlon"]), float(attrs["maxlat"])
        except KeyError:
            return None
    return None


def _read_osmium(path: Path, kind: str, progress: Callable[[int], None] | None) -> OsmFile:
    import osmium
    from shapely import wkb

    result = OsmFile(path, kind)
    try:
        header = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING).header()
        box = header.box()
        if box.valid():
            result.bounds = (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)
        result.as_of = header.get("osmosis_replication_timestamp") or None
    except RuntimeError as exc:
        raise ValueError(f"{path.name}: not an OSM file ({exc})") from None
    if kind == "xml" and result.bounds is None:
        result.bounds = _xml_bounds(path)
    measure = result.bounds is None
    min_lon = min_lat = 1e9
    max_lon = max_lat = -1e9
    factory = osmium.geom.WKBFactory()
    seen = 0
    try:
        processor = osmium.FileProcessor(str(path)).with_locations().with_areas()
        for obj in processor:
            seen += 1
            if progress and seen % 100_000 == 0:
                progress(seen)
            if measure and obj.is_node() and obj.location.valid():
                lon, lat = obj.location.lon, obj.location.lat
                min_lon, max_lon = min(min_lon, lon), max(max_lon, lon)
                min_lat, max_lat = min(min_lat, lat), max(max_lat, lat)
            if "shop" not in obj.tags:
                continue
            lat = lon = None
            if obj.is_node():
                source_id = f"node/{obj.id}"
                if obj.location.valid():
                    lat, lon = obj.location.lat, obj.location.lon
            elif obj.is_way():
                source_id = f"way/{obj.id}"
                lat, lon = _way_centroid(obj)
            elif obj.is_area():
                if obj.from_way():
                    continue  # the way itself is read above
                source_id = f"relation/{obj.orig_id()}"
                try:
                    centre = wkb.loads(factory.create_multipolygon(obj), hex=True).representative_point()
                    lat, lon = centre.y, centre.x
                except (RuntimeError, ValueError):
                    pass
            else:
                continue  # a relation that is not an area
            timestamp = obj.timestamp if obj.timestamp else None
            if timestamp is not None and timestamp.tzinfo is None:
                timestamp = timestamp.replace(tzinfo=dt.UTC)
            result.elements.append(
                Element(source_id, obj.version or None, timestamp, {t.k: t.v for t in obj.tags}, lat, lon)
            )
    except RuntimeError as exc:
        raise ValueError(f"{path.name}: cannot be read as OSM data ({exc})") from None
    if measure and min_lon <= max_lon:
        result.bounds = (min_lon, min_lat, max_lon, max_lat)
    return result


def _way_centroid(way: Any) -> tuple[float | None, float | None]:
    from shapely.geometry import LineString, Polygon

    points = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
    if not points:
        return None, None
    if len(points) >= 4 and points[0] == points[-1]:
        polygon = Polygon(points)
        centre = polygon.centroid if polygon.is_valid else polygon.representative_point()
    elif len(points) >= 2:
        centre = LineString(points).centroid
    else:
        return points[0][1], points[0][0]
    return centre.y, centre.x


# --- element -> outlet values -----------------------------------------------------------------


def outlet_values(element: Element, country: str | None = None) -> tuple[dict[str, Any] | None, str | None]:
    """(values for an outlet, None) or (None, why the element is skipped)."""
    tags = element.tags
    shop = tags.get("shop", "").strip()
    if "disused:shop" in tags or "was:shop" in tags:
        return None, "disused shop"
    if shop in ("vacant", "no", "yes", ""):
        return None, "vacant or unspecified shop (shop=" + (shop or "empty") + ")"
    format_ = SHOP_FORMATS.get(shop)
    if format_ is None:
        return None, f"shop={shop[:40]} is not a grocery, drugstore or food shop"
    if element.lat is None or element.lon is None:
        return None, "no position (a way or relation without node locations)"
    country = (tags.get("addr:country") or "").strip().upper()[:2] or country or _country_from_tags(tags)
    banner = banners.normalise(
        brand=tags.get("brand"),
        name=tags.get("name"),
        operator=tags.get("operator"),
        wikidata=tags.get("brand:wikidata"),
        country=country,
    )
    if shop in _BANNER_DECIDES and banners.format_of(banner):
        format_ = banners.format_of(banner)
    name = clean_text(tags.get("name") or tags.get("brand") or banner or tags.get("operator"), 200)
    if not name:
        return None, "no name, brand or operator"
    postcode, _ = normalise_postcode(tags.get("addr:postcode"), country)
    phone_text = tags.get("phone") or tags.get("contact:phone")
    phone = None
    if phone_text:
        phone, _ = phone_e164(phone_text.split(";")[0], country)
        phone = phone or clean_text(phone_text, 40)
    website = clean_text(tags.get("website") or tags.get("contact:website") or tags.get("url"), 300)
    values = {
        "name": name,
        "banner": banner,
        "format": format_,
        "street": clean_text(tags.get("addr:street") or tags.get("addr:place"), 200),
        "house_number": clean_text(tags.get("addr:housenumber"), 20),
        "postcode": postcode or clean_text(tags.get("addr:postcode"), 12),
        "city": clean_text(tags.get("addr:city"), 120),
        "country": country or None,
        "opening_hours": clean_text(tags.get("opening_hours"), 500),
        "phone": phone,
        "website": website,
        "lat": round(element.lat, 7),
        "lon": round(element.lon, 7),
    }
    return values, None


def _explicit_country(element: Element) -> str | None:
    return (element.tags.get("addr:country") or "").strip().upper()[:2] or _country_from_tags(element.tags)


def _country_from_tags(tags: dict[str, str]) -> str | None:
    import phonenumbers

    phone = (tags.get("phone") or tags.get("contact:phone") or "").split(";")[0].strip()
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    if phone.startswith("+"):
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(phone))
            if region and region != "ZZ":
                return region
        except phonenumbers.NumberParseException:
            pass
    return None  # a website's domain is no sign: Monaco's shops link to .fr sites


def verified_date(element: Element) -> dt.date | None:
    for key in ("check_date", "survey:date", "check_date:opening_hours"):
        value = element.tags.get(key, "")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                continue
    return element.timestamp.date() if element.trusted and element.timestamp else None


def content_hash(values: dict[str, Any], verified: dt.date | None) -> str:
    canonical = json.dumps([values.get(k) for k in _FIELDS] + [verified.isoformat() if verified else None])
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- the import ------------------------------------------------------------------------------

Progress = Callable[[str, int, int], None]


class _Places:
    """Country and region of a position, from the nearest public outlet (for elements without
    ``addr:country``)."""

    def __init__(self, session: Session) -> None:
        from server.quality.matching import OutletIndex

        self.index = OutletIndex(session, None)

    def near(self, lat: float, lon: float) -> tuple[str | None, str | None, str | None]:
        for radius in (3_000, 15_000, 40_000):
            found = self.index.near(lat, lon, radius, limit=1)
            if found:
                place = found[0][1]
                return place.country, *self._region(place.id)  # type: ignore[arg-type]
        return None, None, None

    def _region(self, outlet_id: int) -> tuple[str | None, str | None]:
        row = self.index.session.execute(
            select(Outlet.region, Outlet.region_code).where(Outlet.id == outlet_id)
        ).first()
        return (row[0], row[1]) if row else (None, None)


def import_osm(
    session: Session,
    path: Path | str,
    *,
    country: str | None = None,
    close_missing: bool = True,
    user_id: int | None = None,
    file_name: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Read an OSM file and upsert its outlets (flushes; the caller commits). Returns the summary.

    :raise ValueError: the file cannot be read as OSM data.
    """
    path = Path(path)
    started = utcnow()
    osm = read(path, progress=(lambda n: progress("reading", n, 0)) if progress else None)
    run = OsmImport(
        file_name=(file_name or path.name)[:300],
        file_kind=osm.kind,
        user_id=user_id,
        started_at=started,
        summary={},
        metadata_trusted=bool(osm.elements) and all(e.trusted for e in osm.elements),
    )
    if osm.bounds:
        run.min_lon, run.min_lat, run.max_lon, run.max_lat = osm.bounds
    session.add(run)
    session.flush()
    skipped: Counter[str] = Counter()
    examples: list[dict[str, str]] = []
    flagged = 0
    counts: Counter[str] = Counter()
    countries: Counter[str] = Counter()

    def skip(source_id: str, reason: str) -> None:
        skipped[re.sub(r"=\S+ is not", "=… is not", reason) if reason.startswith("shop=") else reason] += 1
        if len(examples) < 25:
            examples.append({"source_id": source_id, "reason": reason})

    known = {
        r.source_id: r
        for r in session.execute(select(OutletSourceRecord).where(OutletSourceRecord.source == SOURCE)).scalars()
    }
    merged = {
        m.merged_source_id: m.kept_outlet_id
        for m in session.execute(select(OutletMerge).where(OutletMerge.merged_source == SOURCE)).scalars()
    }
    places = _Places(session)
    if country is None:
        # A one-country extract: elements that name their country all name the same one
        # (Monaco's shops near the French border are Monaco's, not France's).
        named = Counter(
            c for c in (_explicit_country(e) for e in osm.elements if e.tags.get("shop") in SHOP_FORMATS) if c
        )
        if named:
            top, count = named.most_common(1)[0]
            country = top if count >= 0.75 * sum(named.values()) else None
    seen: set[str] = set()
    file_banners: set[str] = set()
    to_insert: list[dict[str, Any]] = []
    pending_records: dict[str, dict[str, Any]] = {}
    total = len(osm.elements)
    for index, element in enumerate(osm.elements):
        if progress and index % 250 == 0:
            progress("importing", index, total)
        if element.source_id in seen:
            continue
        values, reason = outlet_values(element, country)
        if values is None:
            skip(element.source_id, reason or "skipped")
            continue
        seen.add(element.source_id)
        if values.get("banner"):
            file_banners.add(values["banner"])
        region = region_code = None
        if not values["country"] or not known.get(element.source_id):
            near_country, region, region_code = places.near(values["lat"], values["lon"])
            if not values["country"]:
                values["country"] = near_country
            if near_country != values["country"]:
                region = region_code = None
        if not values["country"]:
            skip(element.source_id, "country unknown (no addr:country, and no known outlet nearby; use --country)")
            continue
        countries[values["country"]] += 1
        verified = verified_date(element)
        digest = content_hash(values, verified)
        version = element.version if element.trusted else None
        if element.source_id in merged:
            skip(element.source_id, f"merged into outlet {merged[element.source_id]}")
            continue
        record = known.get(element.source_id)
        if record is None:
            to_insert.append(
                {
                    **values,
                    "group": None,
                    "sales_area_m2": None,
                    "region": region,
                    "region_code": region_code,
                    "status": "open",
                    "source": SOURCE,
                    "source_id": element.source_id,
                    "last_verified_at": verified,
                }
            )
            pending_records[element.source_id] = {
                "version": version,
                "element_at": element.timestamp if element.trusted else None,
                "content_hash": digest,
                "imported": values,
            }
            continue
        older = version is not None and record.version is not None and version < record.version
        same = (version is not None and version == record.version) or digest == record.content_hash
        if older:
            skip(element.source_id, f"older than the version already imported (v{version} < v{record.version})")
            continue
        outlet = session.get(Outlet, record.outlet_id)
        if outlet is None:
            continue
        reopen = record.closed_by_import and outlet.status == "closed"
        if same and not reopen:
            counts["unchanged"] += 1
            record.seen_at, record.import_id = utcnow(), run.id
            continue
        changes = {k: v for k, v in values.items() if k not in ("lat", "lon") and v != record.imported.get(k)}
        if (values["lat"], values["lon"]) != (record.imported.get("lat"), record.imported.get("lon")):
            changes["lat"], changes["lon"] = values["lat"], values["lon"]
        if reopen:
            changes["status"] = "open"
            counts["reopened"] += 1
        if changes:
            set_facts(
                session,
                outlet,
                changes,
                source=SOURCE,
                source_ref=f"{element.source_id}" + (f" v{version}" if version else ""),
                verified=verified or outlet.last_verified_at,
                notice_source="osm-import",
            )
            if not reopen or len(changes) > 1:
                counts["updated"] += 1
        else:
            counts["unchanged"] += 1
        if outlet.opening_hours and "opening_hours" in changes and flag_opening_hours(session, outlet):
            flagged += 1
        record.version, record.content_hash, record.imported = version, digest, values
        record.element_at = element.timestamp if element.trusted else None
        record.closed_by_import, record.seen_at, record.import_id = False, utcnow(), run.id
    if to_insert:
        if progress:
            progress("inserting", 0, len(to_insert))
        bulk_insert(session, to_insert)
        session.flush()
        ids: dict[str, int] = {}
        wanted = list(pending_records)
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            ids.update(
                session.execute(
                    select(Outlet.source_id, Outlet.id).where(Outlet.source == SOURCE, Outlet.source_id.in_(chunk))
                ).all()
            )
        now = utcnow()
        session.execute(
            OutletSourceRecord.__table__.insert(),
            [
                {
                    "outlet_id": ids[source_id],
                    "source": SOURCE,
                    "source_id": source_id,
                    "import_id": run.id,
                    "closed_by_import": False,
                    "seen_at": now,
                    **state,
                    "imported": state["imported"],
                }
                for source_id, state in pending_records.items()
            ],
        )
        flags = []
        for source_id, state in pending_records.items():
            problem = opening_hours_problem(state["imported"].get("opening_hours"))
            if problem:
                flags.append({"outlet_id": ids[source_id], "flag": "opening_hours_invalid", "detail": problem})
        if flags:
            session.execute(OutletFlag.__table__.insert(), [{**f, "created_at": now} for f in flags])
            flagged += len(flags)
        counts["added"] = len(to_insert)
    if close_missing and osm.bounds and (seen or osm.kind != "overpass"):
        counts["closed"] = _close_missing(session, osm, seen, file_banners)
    session.flush()
    summary = {
        "import_id": run.id,
        "file": run.file_name,
        "kind": osm.kind,
        "bounds": list(osm.bounds) if osm.bounds else None,
        "data_as_of": osm.as_of,
        "metadata_trusted": run.metadata_trusted,
        "shop_objects": total,
        "added": counts["added"],
        "updated": counts["updated"],
        "unchanged": counts["unchanged"],
        "reopened": counts["reopened"],
        "closed": counts["closed"],
        "skipped": sum(skipped.values()),
        "skipped_by_reason": dict(skipped.most_common()),
        "skipped_examples": examples,
        "opening_hours_flagged": flagged,
        "countries": dict(countries.most_common()),
    }
    run.summary = summary
    run.finished_at = utcnow()
    session.flush()
    return summary


def _close_missing(session: Session, osm: OsmFile, seen: set[str], file_banners: set[str]) -> int:
    """Close outlets of this source inside the file's bounds that the file no longer has."""
    assert osm.bounds is not None
    min_lon, min_lat, max_lon, max_lat = osm.bounds
    d = for_bind(session)
    lat, lon = d.lat(Outlet.geom), d.lon(Outlet.geom)
    query = (
        select(OutletSourceRecord, Outlet)
        .join(Outlet, Outlet.id == OutletSourceRecord.outlet_id)
        .where(
            OutletSourceRecord.source == SOURCE,
            Outlet.status != "closed",
            lat.between(min_lat, max_lat),
            lon.between(min_lon, max_lon),
        )
    )
    if osm.kind == "overpass":
        if not file_banners:
            return 0
        query = query.where(Outlet.banner.in_(sorted(file_banners)))
    closed = 0
    for record, outlet in session.execute(query).all():
        if record.source_id in seen:
            continue
        set_facts(
            session,
            outlet,
            {"status": "closed"},
            source=SOURCE,
            source_ref=f"missing from {osm.path.name}",
            verified=dt.date.today(),
            notice_source="osm-import",
        )
        record.closed_by_import = True
        closed += 1
    return closed


def run_import_job(context: Any) -> dict[str, Any]:
    """Background job: ``params = {"path": stored upload, "file_name": …, "country": …}``."""
    path = Path(context.params["path"])
    try:
        summary = import_osm(
            context.session,
            path,
            country=context.params.get("country"),
            close_missing=context.params.get("close_missing", True),
            user_id=context.user_id,
            file_name=context.params.get("file_name"),
            progress=lambda phase, done, total: None,
        )
        context.session.commit()
    finally:
        path.unlink(missing_ok=True)
    return summary


def register_job() -> None:
    from server import jobs

    jobs.register("quality.osm_import", run_import_job)


register_job()
