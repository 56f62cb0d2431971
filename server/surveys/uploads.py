"""Reading an uploaded file: ``multipart/form-data`` (field ``file``) or the raw request body.

The file's content decides what it is (magic bytes), never its name or the declared type; the
client's file name is never used for anything but messages.
"""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from server.errors import Problem, field_error

MULTIPART = "multipart/form-data"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_upload(raw_types: tuple[str, ...], max_bytes: int) -> tuple[bytes, dict[str, str]]:
    """The uploaded bytes and the other form fields (empty for a raw body).

    :param raw_types: Content-Types accepted for a raw body (besides multipart).
    :raise Problem: 415 for another Content-Type, 413 above ``max_bytes``, 422 ``file`` when the
        multipart body has no file or an empty one.
    """
    request.max_content_length = max_bytes + 64_000  # room for the multipart envelope
    if request.content_length is not None and request.content_length > request.max_content_length:
        # Refused on its declared length, before anything is read or spooled to a temporary file.
        raise Problem("payload-too-large", f"The file is larger than {max_bytes:,} bytes.")
    mimetype = request.mimetype
    try:
        if mimetype == MULTIPART:
            upload = request.files.get("file")
            fields = {k: v for k, v in request.form.items()}
            if upload is None:
                raise field_error("file", "send the file in the multipart field 'file'", "body")
            data = upload.read(max_bytes + 1)
        elif mimetype in raw_types:
            data = request.get_data(cache=False)
            fields = {}
        else:
            accepted = ", ".join((MULTIPART, *raw_types))
            raise Problem(
                "unsupported-media-type",
                f"Send the file as one of {accepted}"
                + (f", not {mimetype}." if mimetype else " (the Content-Type header is missing)."),
            )
    except RequestEntityTooLarge:
        raise Problem("payload-too-large", f"The file is larger than {max_bytes:,} bytes.") from None
    if len(data) > max_bytes:
        raise Problem("payload-too-large", f"The file is larger than {max_bytes:,} bytes.")
    if not data:
        raise field_error("file", "the file is empty", "body")
    return data, fields
