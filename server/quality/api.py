"""Data quality: imports, duplicates, shared corrections, re-verification, the quality view.

GET  /api/v1/imports/osm                                  OpenStreetMap imports and their summaries
POST /api/v1/imports/osm                                  import a file (moderators; a background job)
GET  /api/v1/customer-imports                             the organization's customer-list imports
POST /api/v1/customer-imports                             upload a list (CSV/XLSX): read, map, clean, match (dry run)
GET  /api/v1/customer-imports/{id}                        one import with its summary
GET  /api/v1/customer-imports/{id}/rows                   its rows: outcome, score, candidates, notes
POST /api/v1/customer-imports/{id}/apply                  accounts (and private outlets) for every decided row
POST /api/v1/customer-imports/{id}/rows/{row}/resolve     a person's choice for an ambiguous row
GET  /api/v1/customer-imports/mappings                    saved column mappings
POST /api/v1/customer-imports/mappings                    save one
PATCH/DELETE /api/v1/customer-imports/mappings/{id}       change, remove
POST /api/v1/duplicates/check                             outlets that look like the one described (nothing created)
GET  /api/v1/duplicates                                   duplicate pairs (public, and yours)
POST /api/v1/duplicates/scan                              find pairs (public: moderators; your private ones: managers)
GET  /api/v1/duplicates/{id}                              one pair
POST /api/v1/duplicates/{id}/merge                        keep one outlet, move everything to it
POST /api/v1/duplicates/{id}/undo                         undo the merge: the merged outlet and its references back
POST /api/v1/duplicates/{id}/dismiss                      not a duplicate
GET  /api/v1/corrections                                  proposals (proposers never shown to other brands)
POST /api/v1/corrections                                  propose (the same proposal again confirms it)
GET  /api/v1/corrections/counts                           accepted corrections per rep
GET  /api/v1/corrections/{id}                             one, with conflicting proposals side by side
POST /api/v1/corrections/{id}/votes                       confirm or reject
POST /api/v1/corrections/{id}/withdraw                    the proposing organization takes it back
GET  /api/v1/quality/outlets/{id}/facts                   each public fact: value, source, last verified; proposals
POST /api/v1/quality/outlets/{id}/verify                  everything is right (in the store)
POST /api/v1/quality/contacts/{id}/verify                 the contact's details are right
GET  /api/v1/quality/due                                  what is due for re-verification, nearest first
GET  /api/v1/quality/notices                              public outlets of your accounts that closed, moved...
POST /api/v1/quality/notices/{id}/dismiss                 dealt with
GET  /api/v1/quality/report                               the organization's data-quality view with its trend
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from marshmallow import RAISE, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from webargs.fields import DelimitedList

from server import jobs
from server.accounts.models import Contact
from server.api import Blueprint
from server.auth.permissions import require
from server.auth.schemas import StrictSchema
from server.config import VAR_DIR
from server.db import db
from server.errors import Problem, field_error
from server.http import body_doc, created, load_body
from server.outlets.models import OutletFormat
from server.outlets.schemas import BBoxField, LatLon
from server.quality import corrections, customers, duplicates, facts, osm, verification
from server.quality.models import Correction, CustomerImport, CustomerImportRow, ImportMapping, OsmImport
from server.surveys.uploads import MULTIPART, XLSX, read_upload
from server.tenancy import current_user, delete_scoped, get_scoped, scoped

blp = Blueprint("quality", __name__, url_prefix="/api/v1", description="Data quality: imports, duplicates, corrections")

CUSTOMER_MAX_BYTES = 20_000_000
OSM_MAX_BYTES = 500_000_000
UPLOAD_TYPES = ("text/csv", "text/plain", XLSX, "application/octet-stream", "application/vnd.ms-excel")
OSM_TYPES = ("application/octet-stream", "application/json", "application/xml", "text/xml", "application/gzip")
FORMATS = [f.value for f in OutletFormat]
ID_RANGE = validate.Range(min=1, max=2**31 - 1)  # ids are 32-bit: larger is a 422, not a 500

corrections.register_sync_kind()
osm.register_job()  # the API and the RQ worker run uploads whether or not the CLI was loaded


# --- schemas ----------------------------------------------------------------------------------


class PageQuery(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


class OsmImportQuery(StrictSchema):
    country = fields.String(
        validate=validate.Regexp(r"^[A-Z]{2}$", error="two capital letters (ISO 3166)"),
        metadata={"description": "the country of elements that do not name theirs"},
    )
    close_missing = fields.Boolean(
        load_default=True, metadata={"description": "close outlets of earlier imports missing from this file"}
    )


class CustomerImportQuery(StrictSchema):
    mapping_id = fields.Integer(validate=ID_RANGE, metadata={"description": "a saved column mapping"})
    country = fields.String(validate=validate.Length(min=2, max=40), metadata={"description": "default country"})
    banner = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "default banner"})
    format = fields.String(validate=validate.OneOf(FORMATS), metadata={"description": "default format"})
    status = fields.String(
        validate=validate.OneOf(["prospect", "customer", "lost", "not_a_target"]),
        metadata={"description": "status of the accounts created (default customer)"},
    )


class RowsQuery(PageQuery):
    outcome = DelimitedList(fields.String(validate=validate.OneOf(["matched", "ambiguous", "new", "pending"])))


class ResolveSchema(StrictSchema):
    outlet_id = fields.Integer(validate=ID_RANGE, metadata={"description": "the outlet this row is"})
    decision = fields.String(
        validate=validate.OneOf(["new", "skip"]), metadata={"description": "new: create it; skip: leave the row out"}
    )

    @validates_schema
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        if ("outlet_id" in data) == ("decision" in data):
            raise ValidationError("give either outlet_id or decision", "outlet_id")


class MappingSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    columns = fields.Dict(
        keys=fields.String(), values=fields.String(), load_default=dict, metadata={"description": "{field: column}"}
    )
    defaults = fields.Dict(keys=fields.String(), load_default=dict)


class OutletDescriptionSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    banner = fields.String(validate=validate.Length(max=100), allow_none=True)
    format = fields.String(validate=validate.OneOf(FORMATS), allow_none=True)
    street = fields.String(validate=validate.Length(max=200), allow_none=True)
    house_number = fields.String(validate=validate.Length(max=20), allow_none=True)
    postcode = fields.String(validate=validate.Length(max=12), allow_none=True)
    city = fields.String(validate=validate.Length(max=120), allow_none=True)
    country = fields.String(validate=validate.Regexp(r"^[A-Z]{2}$", error="two capital letters"), allow_none=True)
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    phone = fields.String(validate=validate.Length(max=40), allow_none=True)


class DuplicateQuery(PageQuery):
    status = DelimitedList(fields.String(validate=validate.OneOf(["open", "merged", "dismissed"])))
    scope = fields.String(validate=validate.OneOf(["public", "yours"]))
    min_score = fields.Float(validate=validate.Range(min=0, max=1))
    bbox = BBoxField()


class ScanSchema(StrictSchema):
    scope = fields.String(
        load_default="yours",
        validate=validate.OneOf(["public", "yours"]),
        metadata={"description": "public: public outlets (moderators); yours: your private outlets"},
    )
    bbox = fields.List(
        fields.Float(), validate=validate.Length(equal=4), metadata={"description": "[minLon, minLat, maxLon, maxLat]"}
    )


class MergeSchema(StrictSchema):
    keep_outlet_id = fields.Integer(required=True, validate=ID_RANGE)


class CorrectionQuery(PageQuery):
    status = DelimitedList(
        fields.String(validate=validate.OneOf(["pending", "accepted", "rejected", "superseded", "withdrawn"]))
    )
    kind = DelimitedList(fields.String(validate=validate.OneOf(corrections.KINDS)))
    outlet_id = fields.Integer(validate=ID_RANGE)
    mine = fields.Boolean(metadata={"description": "only your organization's proposals"})
    near = LatLon()
    radius = fields.Float(validate=validate.Range(min=1, max=100_000))


class VerifySchema(StrictSchema):
    lat = fields.Float(validate=validate.Range(min=-90, max=90))
    lon = fields.Float(validate=validate.Range(min=-180, max=180))
    accuracy_m = fields.Float(validate=validate.Range(min=0, max=10_000))

    @validates_schema
    def _both(self, data: dict[str, Any], **_: Any) -> None:
        if ("lat" in data) != ("lon" in data):
            raise ValidationError("give lat and lon together", "lat")


class DueQuery(StrictSchema):
    near = LatLon()
    radius = fields.Float(validate=validate.Range(min=1, max=100_000))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))

    @validates_schema
    def _near(self, data: dict[str, Any], **_: Any) -> None:
        if "radius" in data and "near" not in data:
            raise ValidationError("radius needs near=lat,lon", "radius")


class ReportQuery(StrictSchema):
    weeks = fields.Integer(load_default=12, validate=validate.Range(min=1, max=104))


def _optional_body(schema: Any) -> dict[str, Any]:
    from flask import request

    if not request.get_data(cache=True).strip() and request.mimetype in ("", "application/json"):
        return {}
    return load_body(schema)


# --- OpenStreetMap imports --------------------------------------------------------------------


@blp.route("/imports/osm")
class OsmImports(MethodView):
    @blp.arguments(PageQuery, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """OpenStreetMap imports, newest first, with their summaries (public reference data)"""
        current_user()
        rows = db.session.execute(
            select(OsmImport).order_by(OsmImport.id.desc()).limit(args["limit"]).offset(args["offset"])
        ).scalars()
        return jsonify(
            {
                "items": [
                    {
                        "id": r.id,
                        "file": r.file_name,
                        "kind": r.file_kind,
                        "started_at": r.started_at.isoformat() if r.started_at else None,
                        "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                        "summary": r.summary,
                    }
                    for r in rows
                ]
            }
        )

    @blp.arguments(OsmImportQuery, location="query", as_kwargs=True, unknown=RAISE)
    @blp.doc(
        requestBody={
            "required": True,
            "description": "An .osm.pbf, .osm, .osm.gz or Overpass JSON file, as the raw body or the multipart "
            "field `file` (with its file name, which tells the format).",
            "content": {MULTIPART: {"schema": {"type": "object"}}, "application/octet-stream": {}},
        }
    )
    def post(self, **args: Any) -> Any:
        """Import an OpenStreetMap file (moderators)

        Runs as a background job: poll the job URL for its summary (added, updated, closed,
        skipped and why).
        """
        user = current_user()
        if not corrections.is_moderator(db.session, user):
            raise Problem("forbidden", "Only a moderator imports public reference data.")
        from flask import request

        data, _ = read_upload(OSM_TYPES, OSM_MAX_BYTES)
        upload = request.files.get("file") if request.mimetype == MULTIPART else None
        name = (upload.filename if upload is not None and upload.filename else "upload.osm.pbf").rsplit("/", 1)[-1]
        suffix = _osm_suffix(data)
        folder = VAR_DIR / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}{suffix}"
        path.write_bytes(data)
        job = jobs.submit(
            db.session,
            org_id=user.org_id,
            user_id=user.id,
            kind="quality.osm_import",
            params={
                "path": str(path),
                "file_name": name,
                "country": args.get("country"),
                "close_missing": args["close_missing"],
            },
        )
        response = jsonify({"job_id": job.id, "job_url": f"/api/v1/jobs/{job.id}", "status": job.status})
        response.status_code = 202
        return response


def _osm_suffix(data: bytes) -> str:
    """The file name suffix that tells pyosmium the format, from the content (never the name)."""
    import zlib

    head = data[:64]
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[:4096], 64)
        except zlib.error:
            raise field_error("file", "the gzip file is damaged", "body") from None
        start = head.lstrip()[:1]
        if start == b"<":
            return ".osm.gz"
        if start == b"{":
            return ".json.gz"
    elif b"OSMHeader" in head[:32]:
        return ".osm.pbf"
    elif head.lstrip()[:1] == b"<":
        return ".osm"
    elif head.lstrip()[:1] == b"{":
        return ".json"
    raise field_error("file", "send an .osm.pbf, .osm, .osm.gz or Overpass JSON file", "body")


# --- customer lists ---------------------------------------------------------------------------


def _json_field(fields_: dict[str, str], name: str) -> dict[str, Any]:
    text = fields_.get(name)
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise field_error(name, "must be a JSON object", "body") from None
    if not isinstance(value, dict):
        raise field_error(name, "must be a JSON object", "body")
    return value


@blp.route("/customer-imports")
class CustomerImports(MethodView):
    @blp.arguments(PageQuery, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """The organization's customer-list imports, newest first"""
        user = current_user()
        require(user, "accounts.write")
        rows = db.session.execute(
            scoped(CustomerImport, user).order_by(CustomerImport.id.desc()).limit(args["limit"]).offset(args["offset"])
        ).scalars()
        return jsonify({"items": [customers.import_json(r) for r in rows]})

    @blp.arguments(CustomerImportQuery, location="query", as_kwargs=True, unknown=RAISE)
    @blp.doc(
        requestBody={
            "required": True,
            "description": "A CSV (any delimiter; UTF-8, UTF-16, Windows-1252 or Latin-1) or XLSX file with a header "
            "row, as the raw body or the multipart field `file`. Multipart fields `columns` (JSON: {field: column}; "
            f"fields: {', '.join(customers.TARGETS)}) and `defaults` (JSON: country, banner, format, status, "
            "account_class) override the suggested mapping.",
            "content": {MULTIPART: {"schema": {"type": "object"}}, "text/csv": {}, XLSX: {}},
        }
    )
    def post(self, **args: Any) -> Any:
        """Upload a customer list: every row is cleaned and matched (a dry run)

        Each row ends as matched (with its score), ambiguous (with candidates) or new. Nothing
        changes until the import is applied. Large files are matched by a background job.
        """
        user = current_user()
        require(user, "accounts.write")
        from flask import request

        data, form = read_upload(UPLOAD_TYPES, CUSTOMER_MAX_BYTES)
        upload = request.files.get("file") if request.mimetype == MULTIPART else None
        defaults = {k: args[k] for k in ("country", "banner", "format", "status") if k in args}
        defaults.update(_json_field(form, "defaults"))
        record = customers.start_import(
            db.session,
            user,
            data,
            file_name=upload.filename if upload is not None else None,
            columns=customers.check_columns(_json_field(form, "columns")),
            defaults=defaults,
            mapping_id=args.get("mapping_id"),
        )
        return created(customers.import_json(record))


@blp.route("/customer-imports/<int:import_id>")
class CustomerImportDetail(MethodView):
    def get(self, import_id: int) -> Any:
        """One customer-list import: status, mapping used, counts"""
        record = get_scoped(CustomerImport, import_id, what="import")
        require(current_user(), "accounts.write")
        return jsonify(customers.import_json(record))


@blp.route("/customer-imports/<int:import_id>/rows")
class CustomerImportRows(MethodView):
    @blp.arguments(RowsQuery, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, import_id: int, **args: Any) -> Any:
        """Rows of an import: outcome, score, the outlet or the candidates, cleaned values, notes"""
        record = get_scoped(CustomerImport, import_id, what="import")
        require(current_user(), "accounts.write")
        return jsonify(customers.list_rows(db.session, record, args))


@blp.route("/customer-imports/<int:import_id>/apply")
class CustomerImportApply(MethodView):
    def post(self, import_id: int) -> Any:
        """Apply: accounts for matched rows, private outlets and accounts for new ones

        Ambiguous rows wait until resolved. Applying again changes nothing.
        """
        record = get_scoped(CustomerImport, import_id, what="import")
        return jsonify(customers.apply_import(db.session, current_user(), record))


@blp.route("/customer-imports/<int:import_id>/rows/<int:row_id>/resolve")
class CustomerImportResolve(MethodView):
    @blp.doc(requestBody=body_doc(ResolveSchema))
    def post(self, import_id: int, row_id: int) -> Any:
        """Decide a row: this outlet, a new outlet, or skip it (applied at once after apply)"""
        user = current_user()
        record = get_scoped(CustomerImport, import_id, what="import")
        row = db.session.execute(
            scoped(CustomerImportRow, user).where(
                CustomerImportRow.id == row_id, CustomerImportRow.import_id == record.id
            )
        ).scalar_one_or_none()
        if row is None:
            raise Problem("not-found", f"There is no row {row_id} in import {import_id}.")
        if record.status == "matching":
            raise Problem("conflict", f"Import {record.id} is still being matched.")
        customers.resolve_row(db.session, user, record, row, load_body(ResolveSchema))
        return jsonify(customers.row_json(row))


@blp.route("/customer-imports/mappings")
class Mappings(MethodView):
    def get(self) -> Any:
        """Saved column mappings of the organization"""
        user = current_user()
        require(user, "accounts.write")
        rows = db.session.execute(scoped(ImportMapping, user).order_by(ImportMapping.name)).scalars()
        return jsonify({"items": [customers.mapping_json(m) for m in rows]})

    @blp.doc(requestBody=body_doc(MappingSchema))
    def post(self) -> Any:
        """Save a column mapping ({field: column}) and defaults under a name"""
        user = current_user()
        require(user, "accounts.write")
        data = load_body(MappingSchema)
        mapping = ImportMapping(org_id=user.org_id)
        _save_mapping(user, mapping, data)
        return created(customers.mapping_json(mapping))


def _save_mapping(user: Any, mapping: ImportMapping, data: dict[str, Any]) -> None:
    if "name" in data and data["name"] != mapping.name:
        clash = db.session.execute(
            select(ImportMapping.id).where(ImportMapping.org_id == user.org_id, ImportMapping.name == data["name"])
        ).scalar_one_or_none()
        if clash is not None:
            raise Problem("conflict", f"There is a mapping named {data['name']!r} already ({clash}).", mapping_id=clash)
        mapping.name = data["name"]
    if "columns" in data:
        mapping.columns = customers.check_columns(data["columns"])
    if "defaults" in data:
        mapping.defaults = customers.check_defaults(data["defaults"])
    db.session.add(mapping)
    db.session.flush()


@blp.route("/customer-imports/mappings/<int:mapping_id>")
class MappingDetail(MethodView):
    def get(self, mapping_id: int) -> Any:
        """One saved mapping"""
        mapping = get_scoped(ImportMapping, mapping_id, what="mapping")
        require(current_user(), "accounts.write")
        return jsonify(customers.mapping_json(mapping))

    @blp.doc(requestBody=body_doc(MappingSchema, "Any subset of the fields"))
    def patch(self, mapping_id: int) -> Any:
        """Change a saved mapping"""
        user = current_user()
        mapping = get_scoped(ImportMapping, mapping_id, what="mapping")
        require(user, "accounts.write")
        _save_mapping(user, mapping, load_body(MappingSchema, partial=True))
        return jsonify(customers.mapping_json(mapping))

    @blp.response(204)
    def delete(self, mapping_id: int) -> Any:
        """Remove a saved mapping"""
        delete_scoped(ImportMapping, mapping_id, what="mapping", permission="accounts.write")
        return Response(status=204)


# --- duplicates -------------------------------------------------------------------------------


@blp.route("/duplicates/check")
class DuplicateCheck(MethodView):
    @blp.doc(requestBody=body_doc(OutletDescriptionSchema))
    def post(self) -> Any:
        """Outlets you can see that look like the one described (nothing is created)"""
        user = current_user()
        require(user, "outlets.read")
        data = load_body(OutletDescriptionSchema)
        return jsonify({"duplicates": duplicates.likely_duplicates(db.session, user.org_id, data)})


@blp.route("/duplicates")
class Duplicates(MethodView):
    @blp.arguments(DuplicateQuery, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """Pairs of outlets that look like one store, best first"""
        return jsonify(duplicates.list_pairs(db.session, current_user(), args))


@blp.route("/duplicates/scan")
class DuplicateScan(MethodView):
    @blp.doc(requestBody=body_doc(ScanSchema, "An empty body scans your private outlets everywhere"))
    def post(self) -> Any:
        """Find duplicate pairs: among public outlets (moderators, within a bbox) or your private outlets"""
        user = current_user()
        data = _optional_body(ScanSchema) or {"scope": "yours"}
        scope = data.get("scope", "yours")
        box = None
        if data.get("bbox"):
            from server.dialects import BBox

            min_lon, min_lat, max_lon, max_lat = data["bbox"]
            if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
                raise field_error("bbox", "must be [minLon, minLat, maxLon, maxLat] with min < max", "body")
            box = BBox(min_lon, min_lat, max_lon, max_lat)
        if scope == "public":
            if not corrections.is_moderator(db.session, user):
                raise Problem("forbidden", "Only a moderator scans public outlets.")
            if box is None or (box.max_lon - box.min_lon) * (box.max_lat - box.min_lat) > 4:
                raise field_error(
                    "bbox", "give a bbox of at most 4 square degrees (or run rayon quality find-duplicates)", "body"
                )
            return jsonify(duplicates.find_duplicates(db.session, bbox=box))
        require(user, "duplicates.merge")
        return jsonify(duplicates.find_duplicates(db.session, bbox=box, org_id=user.org_id))


@blp.route("/duplicates/<int:pair_id>")
class DuplicateDetail(MethodView):
    def get(self, pair_id: int) -> Any:
        """One duplicate pair with both outlets"""
        user = current_user()
        require(user, "duplicates.read")
        return jsonify(duplicates.pair_json(db.session, duplicates.get_pair(db.session, user, pair_id), user))


@blp.route("/duplicates/<int:pair_id>/merge")
class DuplicateMerge(MethodView):
    @blp.doc(requestBody=body_doc(MergeSchema))
    def post(self, pair_id: int) -> Any:
        """Merge: keep one outlet; every organization's accounts, visits and responses move to it"""
        user = current_user()
        pair = duplicates.get_pair(db.session, user, pair_id)
        data = load_body(MergeSchema)
        return jsonify(duplicates.merge(db.session, user, pair, data["keep_outlet_id"]))


@blp.route("/duplicates/<int:pair_id>/undo")
class DuplicateUndo(MethodView):
    def post(self, pair_id: int) -> Any:
        """Undo a merge: the merged outlet, accounts and everything that pointed to it come back"""
        user = current_user()
        pair = duplicates.get_pair(db.session, user, pair_id)
        duplicates.undo_merge(db.session, user, pair)
        return jsonify(duplicates.pair_json(db.session, pair, user))


@blp.route("/duplicates/<int:pair_id>/dismiss")
class DuplicateDismiss(MethodView):
    def post(self, pair_id: int) -> Any:
        """Not a duplicate: the pair is not raised again"""
        user = current_user()
        pair = duplicates.get_pair(db.session, user, pair_id)
        return jsonify(duplicates.pair_json(db.session, duplicates.dismiss(db.session, user, pair), user))


# --- corrections ------------------------------------------------------------------------------


@blp.route("/corrections")
class Corrections(MethodView):
    @blp.arguments(CorrectionQuery, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """Proposed corrections (filter by status, kind, outlet, position)"""
        return jsonify(corrections.list_corrections(db.session, current_user(), args))

    @blp.doc(requestBody=body_doc(corrections.ProposalSchema))
    def post(self) -> Any:
        """Propose a correction of public outlet facts

        The same proposal again (another brand's rep) confirms it: 200 with the proposal. Two
        organizations (or a moderator) make it public. `kind=verified` confirms every fact at once.
        """
        user = current_user()
        data = load_body(corrections.ProposalSchema)
        correction, new, extra = corrections.propose(db.session, user, data)
        if correction is None:
            return jsonify({"verified": extra})
        return created(corrections.correction_json(db.session, correction, user), new=new)


@blp.route("/corrections/counts")
class CorrectionCounts(MethodView):
    def get(self) -> Any:
        """Accepted corrections per rep (of your organization)"""
        user = current_user()
        require(user, "corrections.read")
        return jsonify(corrections.accepted_counts(db.session, user))


@blp.route("/corrections/<int:correction_id>")
class CorrectionDetail(MethodView):
    def get(self, correction_id: int) -> Any:
        """One correction, with the outlet's current values and conflicting proposals"""
        user = current_user()
        correction = corrections.get_correction(db.session, user, correction_id)
        require(user, "corrections.read")
        return jsonify(corrections.correction_json(db.session, correction, user))


@blp.route("/corrections/<int:correction_id>/votes")
class CorrectionVotes(MethodView):
    @blp.doc(requestBody=body_doc(corrections.VoteSchema))
    def post(self, correction_id: int) -> Any:
        """Confirm or reject a proposal (a moderator's vote decides)"""
        user = current_user()
        correction = corrections.get_correction(db.session, user, correction_id)
        data = load_body(corrections.VoteSchema)
        corrections.vote(db.session, user, correction, data["vote"])
        return jsonify(corrections.correction_json(db.session, correction, user))


@blp.route("/corrections/<int:correction_id>/withdraw")
class CorrectionWithdraw(MethodView):
    def post(self, correction_id: int) -> Any:
        """Withdraw your organization's pending proposal"""
        user = current_user()
        correction = corrections.get_correction(db.session, user, correction_id)
        corrections.withdraw(db.session, user, correction)
        return jsonify(corrections.correction_json(db.session, correction, user))


# --- facts, re-verification, notices, the quality view ------------------------------------------


@blp.route("/quality/outlets/<int:outlet_id>/facts")
class OutletFacts(MethodView):
    def get(self, outlet_id: int) -> Any:
        """Each public fact: value, source, last-verified date; flags; pending proposals side by side"""
        user = current_user()
        outlet = verification.visible_outlet(db.session, user, outlet_id)
        body = facts.facts_json(db.session, outlet)
        pending = db.session.execute(
            select(Correction)
            .where(Correction.outlet_id == outlet.id, Correction.status == "pending")
            .order_by(Correction.kind, Correction.id)
        ).scalars()
        grouped: dict[str, list[Any]] = {}
        for c in pending:
            grouped.setdefault(c.kind, []).append(corrections.correction_json(db.session, c, user, conflicts=False))
        body["pending_corrections"] = grouped
        return jsonify(body)


@blp.route("/quality/outlets/<int:outlet_id>/verify")
class OutletVerify(MethodView):
    @blp.doc(requestBody=body_doc(VerifySchema, "Optional: where you are (must be at the store)"))
    def post(self, outlet_id: int) -> Any:
        """Confirm every fact of the outlet (in the store): its last-verified date is today"""
        user = current_user()
        outlet = verification.visible_outlet(db.session, user, outlet_id)
        return jsonify(verification.verify_outlet(db.session, user, outlet, _optional_body(VerifySchema)))


@blp.route("/quality/contacts/<int:contact_id>/verify")
class ContactVerify(MethodView):
    def post(self, contact_id: int) -> Any:
        """Confirm a contact's details: its last-verified date is today"""
        user = current_user()
        contact = get_scoped(Contact, contact_id, what="contact")
        return jsonify(verification.verify_contact(db.session, user, contact))


@blp.route("/quality/due")
class Due(MethodView):
    @blp.arguments(DueQuery, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """Outlets and contacts of your accounts due for re-verification (nearest first with near)"""
        user = current_user()
        require(user, "accounts.read")
        return jsonify(verification.due(db.session, user, args))


@blp.route("/quality/notices")
class Notices(MethodView):
    def get(self) -> Any:
        """Public outlets of your accounts that were reported closed, reopened, moved, renamed or merged"""
        user = current_user()
        require(user, "accounts.read")
        rep_id = user.id if user.role == "rep" else None
        return jsonify({"items": verification.notices_for_todo(db.session, user, rep_id)})


@blp.route("/quality/notices/<int:notice_id>/dismiss")
class NoticeDismiss(MethodView):
    @blp.response(204)
    def post(self, notice_id: int) -> Any:
        """Dealt with: the notice leaves your organization's to-do lists"""
        user = current_user()
        verification.acknowledge(db.session, user, notice_id)
        require(user, "accounts.read")
        return Response(status=204)


@blp.route("/quality/report")
class Report(MethodView):
    @blp.arguments(ReportQuery, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """The organization's data quality: completeness, freshness, duplicates, corrections, trend"""
        return jsonify(verification.report(db.session, current_user(), args["weeks"]))
