"""Forms, responses and photos.

GET    /api/v1/form-templates                 the ready-made forms (surveys/forms/*.yaml)
GET    /api/v1/forms                          the organization's forms (active, q)
POST   /api/v1/forms                          create from a ready-made form or a definition
GET    /api/v1/forms/applicable               the forms for an outlet (outlet_id or account_id)
POST   /api/v1/forms/import-xlsform           import an ODK/KoboToolbox XLSForm (dry run by default)
GET    /api/v1/forms/{id}                     one, with its current definition and its versions
PATCH  /api/v1/forms/{id}                     targeting, active
POST   /api/v1/forms/{id}/versions            edit: a new version (old responses keep theirs)
POST   /api/v1/forms/{id}/copy                copy under a new key
GET    /api/v1/forms/{id}/xlsform             the current version as an XLSForm workbook
GET    /api/v1/form-versions/{id}             one exact version
GET    /api/v1/responses                      list by outlet, account, rep, form, visit, period
POST   /api/v1/responses                      submit (idempotent by the client's UUID)
GET    /api/v1/responses/{id}                 one, with answers, computed values and photo URLs
POST   /api/v1/photos                         upload (multipart: file, uuid, taken_at, lat, lon)
POST   /api/v1/photos/uploads                 open a resumable upload (uuid, size, sha256, taken_at...)
GET    /api/v1/photos/uploads/{uuid}          how many bytes of it arrived
PATCH  /api/v1/photos/uploads/{uuid}          the next piece (Upload-Offset); the last makes the photo
DELETE /api/v1/photos/uploads/{uuid}          discard an unfinished upload
GET    /api/v1/photos/{id}                    its data
GET    /api/v1/photos/{id}/file               the image (JPEG, upright)
GET    /api/v1/photos/{id}/thumbnail          a 320-pixel thumbnail
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify
from flask.views import MethodView
from marshmallow import RAISE
from werkzeug.exceptions import RequestEntityTooLarge

from server.api import Blueprint
from server.auth.permissions import require
from server.db import db
from server.errors import Problem, field_error
from server.http import body_doc, json_body, load_body
from server.storage import StorageError, photo_storage
from server.surveys import definition as defs
from server.surveys import resumable, service, xlsform
from server.surveys.models import Form, FormVersion
from server.surveys.schemas import (
    ApplicableQuerySchema,
    FormCopySchema,
    FormCreateSchema,
    FormQuerySchema,
    FormUpdateSchema,
    FormVersionSchema,
    ImportQuerySchema,
    ResponseQuerySchema,
    ResponseWriteSchema,
)
from server.surveys.uploads import MULTIPART, XLSX, read_upload
from server.tenancy import current_user, get_scoped

blp = Blueprint("surveys", __name__, url_prefix="/api/v1", description="Forms, survey responses and photos (private)")

PHOTO_MAX_BYTES = 15_000_000
XLSFORM_MAX_BYTES = 5_000_000


def _status(body: Any, status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


@blp.route("/form-templates")
class FormTemplates(MethodView):
    def get(self) -> Any:
        """The ready-made forms, with their definitions and suggested targeting

        Adopt one with `POST /forms {"template": "<key>"}`.
        """
        require(current_user(), "forms.read")
        items = [
            {
                "key": key,
                "title": d["title"],
                "description": d.get("description"),
                "definition": d,
                "product_lists": sorted(defs.product_lists_of(d)),
            }
            for key, d in defs.templates().items()
        ]
        return jsonify({"items": items})


@blp.route("/forms")
class Forms(MethodView):
    @blp.arguments(FormQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """The organization's forms"""
        return jsonify({"items": service.list_forms(db.session, current_user(), args)})

    @blp.doc(requestBody=body_doc(FormCreateSchema))
    def post(self) -> Any:
        """Create a form from a ready-made one (`template`) or from a `definition`

        A definition that breaks the schema or the rules (unknown answers in expressions, keys
        used twice…) is refused with every problem listed, each with its path.
        """
        user = current_user()
        require(user, "forms.write")
        form = service.create_form(db.session, user, load_body(FormCreateSchema))
        return _status(service.form_json(db.session, form, detail=True), 201)


@blp.route("/forms/applicable")
class ApplicableForms(MethodView):
    @blp.arguments(ApplicableQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """The forms that apply to an outlet, mandatory first

        Matches each active form's targeting (format, banner, country of the outlet; class,
        status, tags of the organization's account there). Each item carries the definition to
        fill in; `product_lists` has the products of every grid.
        """
        return jsonify(service.applicable_forms(db.session, current_user(), args))


@blp.route("/forms/import-xlsform")
class FormImport(MethodView):
    @blp.arguments(ImportQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    @blp.doc(
        requestBody={
            "required": True,
            "description": "An XLSForm workbook (.xlsx), as the raw body or in the multipart field `file`.",
            "content": {MULTIPART: {"schema": {"type": "object"}}, XLSX: {}},
        }
    )
    def post(self, dry_run: bool) -> Any:
        """Import an XLSForm (ODK, KoboToolbox)

        Returns the converted definition and `unsupported`: each part that was left out (row,
        what, why). With `dry_run=false` the form is created (409 if its key exists).
        """
        user = current_user()
        require(user, "forms.write")
        data, _ = read_upload((XLSX, "application/octet-stream"), XLSFORM_MAX_BYTES)
        try:
            result = xlsform.import_xlsform(data)
        except xlsform.XLSFormError as exc:
            raise field_error("file", str(exc), "body") from None
        body: dict[str, Any] = {
            "dry_run": dry_run,
            "definition": result.definition,
            "unsupported": result.unsupported,
            "notes": result.notes,
        }
        if dry_run:
            return jsonify(body)
        form = service.create_form(db.session, user, {"definition": result.definition, "source": "xlsform"})
        body["form"] = service.form_json(db.session, form, detail=False)
        return _status(body, 201)


@blp.route("/forms/<int:form_id>")
class FormDetail(MethodView):
    def get(self, form_id: int) -> Any:
        """One form: its current definition, versions and targeting"""
        form = get_scoped(Form, form_id, what="form")
        require(current_user(), "forms.read")
        return jsonify(service.form_json(db.session, form, detail=True))

    @blp.doc(requestBody=body_doc(FormUpdateSchema))
    def patch(self, form_id: int) -> Any:
        """Change a form's targeting or switch it on and off (its definition: POST a version)"""
        user = current_user()
        form = get_scoped(Form, form_id, what="form")
        require(user, "forms.write")
        service.update_form(db.session, user, form, load_body(FormUpdateSchema))
        return jsonify(service.form_json(db.session, form, detail=True))


@blp.route("/forms/<int:form_id>/versions")
class FormVersions(MethodView):
    @blp.doc(requestBody=body_doc(FormVersionSchema))
    def post(self, form_id: int) -> Any:
        """Edit a form: the definition becomes a new version

        Responses keep the version they answered. Sending the current definition again changes
        nothing (200 instead of 201).
        """
        user = current_user()
        form = get_scoped(Form, form_id, what="form")
        require(user, "forms.write")
        data = load_body(FormVersionSchema)
        version, created = service.add_version(db.session, user, form, data["definition"], data.get("note"))
        return _status(service.version_json(version), 201 if created else 200)


@blp.route("/forms/<int:form_id>/copy")
class FormCopy(MethodView):
    @blp.doc(requestBody=body_doc(FormCopySchema))
    def post(self, form_id: int) -> Any:
        """Copy a form under a new key (its current version and targeting)"""
        user = current_user()
        form = get_scoped(Form, form_id, what="form")
        require(user, "forms.write")
        data = load_body(FormCopySchema)
        copy = service.copy_form(db.session, user, form, data["key"], data.get("title"))
        return _status(service.form_json(db.session, copy, detail=True), 201)


@blp.route("/forms/<int:form_id>/xlsform")
class FormExport(MethodView):
    @blp.doc(responses={"200": {"description": "XLSForm workbook", "content": {XLSX: {}}}})
    def get(self, form_id: int) -> Any:
        """The current version as an XLSForm workbook"""
        form = get_scoped(Form, form_id, what="form")
        require(current_user(), "forms.read")
        version = db.session.get(FormVersion, form.current_version_id)
        data = xlsform.export(version.definition, version.version)
        return Response(
            data,
            mimetype=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{form.key}-v{version.version}.xlsx"'},
        )


@blp.route("/form-versions/<int:form_version_id>")
class FormVersionDetail(MethodView):
    def get(self, form_version_id: int) -> Any:
        """One exact form version (what a response answered)"""
        version = get_scoped(FormVersion, form_version_id, what="form version")
        require(current_user(), "forms.read")
        return jsonify(service.version_json(version))


@blp.route("/responses")
class Responses(MethodView):
    @blp.arguments(ResponseQuerySchema, location="query", as_kwargs=True, unknown=RAISE)
    def get(self, **args: Any) -> Any:
        """List responses, newest first

        Reps see their own, managers their team's, HQ and admins all. Items carry the computed
        values; GET one for its answers and photos.
        """
        return jsonify(service.list_responses(db.session, current_user(), args))

    @blp.doc(requestBody=body_doc(ResponseWriteSchema))
    def post(self) -> Any:
        """Submit a response

        Checked completely against the form version it names: every problem is listed with its
        path (`answers.shelf[3].facings`) and nothing is stored. The same `uuid` with the same
        body returns the stored response (200); with another body it is a 409.
        """
        user = current_user()
        require(user, "responses.write")
        data = load_body(ResponseWriteSchema)
        response, created = service.submit_response(db.session, user, data, json_body())
        return _status(service.response_json(db.session, response), 201 if created else 200)


@blp.route("/responses/<int:response_id>")
class ResponseDetail(MethodView):
    def get(self, response_id: int) -> Any:
        """One response: answers, computed values, products as they were, photos with URLs"""
        response = service.get_response(db.session, current_user(), response_id)
        return jsonify(service.response_json(db.session, response))


@blp.route("/photos")
class Photos(MethodView):
    @blp.doc(
        requestBody={
            "required": True,
            "description": "multipart/form-data: `file` (JPEG, PNG or WebP, checked by content; at most "
            f"{PHOTO_MAX_BYTES:,} bytes), `uuid` (the client's), optional `taken_at` (ISO 8601 with offset), "
            "`lat`, `lon`, `response_uuid`. Without them, capture time and position come from EXIF.",
            "content": {MULTIPART: {"schema": {"type": "object"}}},
        }
    )
    def post(self) -> Any:
        """Upload a photo (before or after the response that refers to it)"""
        user = current_user()
        require(user, "photos.write")
        data, fields = read_upload((), PHOTO_MAX_BYTES)
        photo, created = service.upload_photo(db.session, user, data, fields, photo_storage())
        return _status(service.photo_json(photo, session=db.session), 201 if created else 200)


def _upload_answer(found: Any, status: int) -> Response:
    from server.surveys.models import Photo

    if isinstance(found, Photo):
        body = {"uuid": found.uuid, "size": found.original_bytes, "offset": found.original_bytes, "complete": True,
                "photo": service.photo_json(found, session=db.session)}  # fmt: skip
    else:
        body = resumable.upload_json(found)
    response = _status(body, status)
    response.headers["Upload-Offset"] = str(body["offset"])
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/photos/uploads")
class PhotoUploads(MethodView):
    @blp.doc(
        requestBody=body_doc(
            resumable.UploadOpenSchema,
            "The photo's uuid and size in bytes, optionally its sha256 and the fields of a one-piece upload "
            "(taken_at, lat, lon, response_uuid). Idempotent: the same uuid answers the open upload "
            "(its offset) or the finished photo.",
        )
    )
    def post(self) -> Any:
        """Open a resumable photo upload (for bad connections: send the photo in pieces)"""
        user = current_user()
        found, created = resumable.open_upload(db.session, user, json_body(), PHOTO_MAX_BYTES)
        return _upload_answer(found, 201 if created else 200)


@blp.route("/photos/uploads/<string:upload_uuid>")
class PhotoUploadDetail(MethodView):
    def get(self, upload_uuid: str) -> Any:
        """How many bytes of an upload arrived (its offset), or the photo once complete"""
        return _upload_answer(resumable.get_upload(db.session, current_user(), upload_uuid), 200)

    @blp.doc(
        parameters=[{"in": "header", "name": "Upload-Offset", "required": True, "schema": {"type": "integer"}}],
        requestBody={
            "required": True,
            "description": f"The next bytes of the file ({resumable.PIECE_TYPE}), at most "
            f"{resumable.MAX_PIECE:,} per request. A piece for another offset than the stored one gets 409 "
            "with the stored `offset`.",
            "content": {resumable.PIECE_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        },
    )
    def patch(self, upload_uuid: str) -> Any:
        """Send the next piece of an upload; the last piece stores the photo (201)"""
        from flask import request

        user = current_user()
        resumable.get_upload(db.session, user, upload_uuid)  # 404 for anyone but the uploader, first
        if request.mimetype != resumable.PIECE_TYPE:
            raise Problem(
                "unsupported-media-type",
                f"Send the piece as {resumable.PIECE_TYPE}"
                + (f", not {request.mimetype}." if request.mimetype else " (the Content-Type header is missing)."),
            )
        request.max_content_length = resumable.MAX_PIECE
        try:
            piece = request.get_data(cache=False)
        except RequestEntityTooLarge:
            raise Problem("payload-too-large", f"A piece has at most {resumable.MAX_PIECE:,} bytes.") from None

        def finish(data: bytes, fields: dict[str, Any]) -> Any:
            photo, _ = service.upload_photo(db.session, user, data, fields, photo_storage())
            return photo

        found, completed = resumable.append(
            db.session, user, upload_uuid, request.headers.get("Upload-Offset"), piece, finish
        )
        return _upload_answer(found, 201 if completed else 200)

    def delete(self, upload_uuid: str) -> Any:
        """Discard an unfinished upload (to send the photo again from the start)"""
        resumable.discard(db.session, current_user(), upload_uuid)
        return Response(status=204)


@blp.route("/photos/<int:photo_id>")
class PhotoDetail(MethodView):
    def get(self, photo_id: int) -> Any:
        """A photo's data: size, capture time and position (with their source), responses"""
        photo = service.get_photo(db.session, current_user(), photo_id)
        return jsonify(service.photo_json(photo, session=db.session))


def _image(key: str, name: str) -> Response:
    try:
        data = photo_storage(current_app).get(key)
    except StorageError:
        raise Problem("not-found", "The image file is missing from the photo storage.") from None
    return Response(
        data,
        mimetype="image/jpeg",
        headers={
            "Cache-Control": "private, max-age=86400",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'inline; filename="{name}"',
        },
    )


@blp.route("/photos/<int:photo_id>/file")
class PhotoFile(MethodView):
    @blp.doc(responses={"200": {"description": "JPEG image", "content": {"image/jpeg": {}}}})
    def get(self, photo_id: int) -> Any:
        """The photo (JPEG, turned upright, without EXIF)"""
        photo = service.get_photo(db.session, current_user(), photo_id)
        return _image(photo.storage_key, f"{photo.uuid}.jpg")


@blp.route("/photos/<int:photo_id>/thumbnail")
class PhotoThumbnail(MethodView):
    @blp.doc(responses={"200": {"description": "JPEG image", "content": {"image/jpeg": {}}}})
    def get(self, photo_id: int) -> Any:
        """A thumbnail of the photo (at most 320 pixels)"""
        photo = service.get_photo(db.session, current_user(), photo_id)
        return _image(photo.thumbnail_key, f"{photo.uuid}-thumbnail.jpg")
