"""Resumable photo uploads: a photo sent in pieces over a bad connection, resumed where it stopped.

A phone in a supermarket loses the signal in the middle of a 4 MB photo. Instead of sending the
whole file again, it asks the server how much arrived and sends the rest. The protocol follows
the shape of tus (https://tus.io) without its headers zoo:

1. ``POST /photos/uploads`` ``{"uuid", "size", "sha256"?, "taken_at"?, "lat"?, "lon"?,
   "response_uuid"?}`` opens an upload (or returns the open one with the same UUID: the call is
   idempotent) and answers ``{"offset": bytes received so far, ...}``.
2. ``PATCH /photos/uploads/<uuid>`` with ``Upload-Offset: <offset>`` and the next bytes as
   ``application/offset+octet-stream`` appends them. A piece sent for another offset than the
   stored one is refused with 409 and the stored ``offset`` (the client resumes from there;
   nothing is appended twice). The last piece turns the upload into a photo, exactly as a
   one-piece upload (``POST /photos``) would, and answers 201 with the photo.
3. ``GET /photos/uploads/<uuid>`` tells the offset (after a crash of the app, say);
   ``DELETE`` discards an unfinished upload (after a refused last piece: a damaged file).

The bytes received so far are kept in the database, so every web worker can take the next
piece and the offset always equals what is stored. Uploads not finished within
:data:`EXPIRE_AFTER` are deleted when the same person opens a new one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from marshmallow import ValidationError, fields, validate
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.auth.models import User, utcnow
from server.auth.permissions import require
from server.errors import Problem, field_error, flatten_messages
from server.surveys.answers import canonical_uuid
from server.surveys.models import Photo, PhotoUpload
from server.surveys.schemas import PhotoFieldsSchema

#: Unfinished uploads older than this are dropped.
EXPIRE_AFTER = dt.timedelta(days=7)
#: The largest piece taken by one request (a phone sends 256 KB to 1 MB pieces).
MAX_PIECE = 4_000_000
PIECE_TYPE = "application/offset+octet-stream"


class UploadOpenSchema(PhotoFieldsSchema):
    """Opening a resumable upload: the photo's fields plus its size (and optionally its SHA-256)."""

    size = fields.Integer(required=True, strict=True, metadata={"description": "bytes of the whole file"})
    sha256 = fields.String(
        validate=validate.Regexp(r"^[0-9a-fA-F]{64}$", error="64 hexadecimal digits"),
        metadata={"description": "of the whole file; checked when the last piece arrives"},
    )


def upload_json(upload: PhotoUpload) -> dict[str, Any]:
    return {
        "uuid": upload.uuid,
        "size": upload.size,
        "offset": len(upload.received),
        "complete": False,
        "created_at": upload.created_at.isoformat() if upload.created_at else None,
    }


def open_upload(session: Session, user: User, body: Any, max_bytes: int) -> tuple[PhotoUpload | Photo, bool]:
    """The open upload (or the finished photo) for this UUID, created when new.

    :return: ``(upload or photo, created)``.
    :raise Problem: 422 for invalid fields or a size outside 1..``max_bytes``; 409 when the UUID
        belongs to another person's upload or photo, or to an upload of another size.
    """
    require(user, "photos.write")
    if not isinstance(body, dict):
        error = {"field": "", "in": "body", "message": "expected an object"}
        raise Problem("validation-error", "Send a JSON object.", errors=[error])
    try:
        values = UploadOpenSchema().load(body)
    except ValidationError as exc:
        errors = flatten_messages(exc.messages, "body")
        raise Problem(
            "validation-error", "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5]), errors=errors
        ) from None
    size = values["size"]
    if not 0 < size <= max_bytes:
        raise field_error("size", f"a photo has 1 to {max_bytes:,} bytes", "body")
    uuid = str(canonical_uuid(str(values["uuid"])))
    # The upload first (locked): a last piece still being stored holds it, and once that commits the
    # photo below is visible, so a phone asking again meanwhile never opens a second upload.
    upload = _find(session, user.org_id, uuid, lock=True)
    photo = _photo(session, user.org_id, uuid)
    if photo is not None:
        if photo.uploaded_by_id == user.id and photo.original_bytes == size:
            if upload is not None:  # left from before the photo was complete
                session.delete(upload)
                session.flush()
            return photo, False  # already complete: the client only missed the answer
        raise _uuid_taken(uuid)
    if upload is not None:
        if upload.user_id != user.id or upload.size != size:
            raise _uuid_taken(uuid)
        return upload, False
    session.execute(
        delete(PhotoUpload).where(PhotoUpload.user_id == user.id, PhotoUpload.updated_at < utcnow() - EXPIRE_AFTER)
    )
    meta = {k: body[k] for k in ("uuid", "taken_at", "lat", "lon", "response_uuid") if k in body}
    upload = PhotoUpload(
        org_id=user.org_id,
        uuid=uuid,
        user_id=user.id,
        size=size,
        sha256=values["sha256"].lower() if values.get("sha256") else None,
        fields=meta,
        received=b"",
    )
    session.add(upload)
    session.flush()
    return upload, True


def get_upload(session: Session, user: User, uuid: str) -> PhotoUpload | Photo:
    """The upload with this UUID (or its photo once complete); 404 for anyone but its uploader."""
    require(user, "photos.write")
    uuid = _path_uuid(uuid)
    upload = _find(session, user.org_id, uuid)
    if upload is not None and upload.user_id == user.id:
        return upload
    photo = _photo(session, user.org_id, uuid)
    if photo is not None and photo.uploaded_by_id == user.id:
        return photo
    raise Problem("not-found", f"No upload {uuid} of yours is open.")


def append(
    session: Session, user: User, uuid: str, offset_header: str | None, piece: bytes, finish: Any
) -> tuple[PhotoUpload | Photo, bool]:
    """Append ``piece`` at ``offset_header``; the last piece makes the photo through ``finish``.

    :param finish: ``finish(data, fields) -> Photo``, the one-piece upload.
    :return: ``(upload, False)`` while incomplete, ``(photo, True)`` when this piece completed it.
    :raise Problem: 404 unknown upload, 409 with ``offset`` for a piece at the wrong offset, 422
        for a missing offset, an empty piece, a piece beyond the announced size, or a last piece
        whose file does not match the announced SHA-256 or is not an image (refused requests change
        nothing: the client discards the upload with :func:`discard` and starts again).
    """
    require(user, "photos.write")
    uuid = _path_uuid(uuid)
    if offset_header is None or not offset_header.strip().isdigit():
        raise field_error("Upload-Offset", "send the offset of this piece (a whole number of bytes)", "header")
    offset = int(offset_header)
    upload = _find(session, user.org_id, uuid, lock=True)
    if upload is None or upload.user_id != user.id:
        photo = _photo(session, user.org_id, uuid)
        if photo is not None and photo.uploaded_by_id == user.id:
            return photo, False  # finished already (its answer was lost): nothing to do
        raise Problem("not-found", f"No upload {uuid} of yours is open; open it with POST /photos/uploads.")
    have = len(upload.received)
    if offset != have:
        raise Problem(
            "conflict",
            f"This upload has {have:,} bytes; send the piece that starts there.",
            errors=[{"field": "Upload-Offset", "in": "header", "message": f"expected {have}"}],
            headers={"Upload-Offset": str(have)},
            offset=have,
        )
    if not piece:
        raise field_error("body", "the piece is empty", "body")
    if have + len(piece) > upload.size:
        raise field_error("body", f"the piece goes beyond the announced size of {upload.size:,} bytes", "body")
    data = bytes(upload.received) + piece
    if len(data) < upload.size:
        upload.received = data
        session.flush()
        return upload, False
    if upload.sha256 and hashlib.sha256(data).hexdigest() != upload.sha256:
        raise Problem(
            "validation-error",
            "The file received does not match its SHA-256: a piece was damaged on the way. Nothing was "
            "changed; DELETE the upload and send the photo again.",
            errors=[{"field": "sha256", "in": "body", "message": "does not match the bytes received"}],
        )
    meta = dict(upload.fields or {})
    session.delete(upload)
    session.flush()
    return finish(data, meta), True


def discard(session: Session, user: User, uuid: str) -> None:
    """Delete an unfinished upload of the user (a finished photo is not touched: 404)."""
    require(user, "photos.write")
    upload = _find(session, user.org_id, _path_uuid(uuid), lock=True)
    if upload is None or upload.user_id != user.id:
        raise Problem("not-found", f"No upload {uuid} of yours is open.")
    session.delete(upload)
    session.flush()


def _photo(session: Session, org_id: int, uuid: str) -> Photo | None:
    return session.execute(select(Photo).where(Photo.org_id == org_id, Photo.uuid == uuid)).scalar_one_or_none()


def _find(session: Session, org_id: int, uuid: str, *, lock: bool = False) -> PhotoUpload | None:
    query = select(PhotoUpload).where(PhotoUpload.org_id == org_id, PhotoUpload.uuid == uuid)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def _path_uuid(value: str) -> str:
    uuid = canonical_uuid(value)
    if uuid is None:
        raise Problem("not-found", "No such upload.")
    return uuid


def _uuid_taken(uuid: str) -> Problem:
    return Problem(
        "conflict",
        f"Another photo or upload uses uuid {uuid}; a new photo needs a new uuid.",
        errors=[{"field": "uuid", "in": "body", "message": "already used by another photo"}],
    )


__all__ = ["MAX_PIECE", "PIECE_TYPE", "append", "discard", "get_upload", "open_upload", "upload_json"]
