"""Resumable photo uploads: pieces, a lost connection, resuming, retries, refusals, privacy."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.api import test_surveys as surveys
from tests.tenants import make_tenant

API, jpeg, new_uuid, store_check = surveys.API, surveys.jpeg, surveys.new_uuid, surveys.store_check
org, photo_dir = surveys.org, surveys.photo_dir  # the fixtures: an organization with forms; photos in a tmp dir

PIECE = "application/offset+octet-stream"


def _open(client: Any, photo_uuid: str, data: bytes, **extra: Any) -> Any:
    return client.post(f"{API}/photos/uploads", json={"uuid": photo_uuid, "size": len(data), **extra})


def _piece(client: Any, photo_uuid: str, offset: int, data: bytes) -> Any:
    return client.patch(
        f"{API}/photos/uploads/{photo_uuid}", data=data, content_type=PIECE, headers={"Upload-Offset": str(offset)}
    )


def _big_jpeg() -> bytes:
    """A photo of some 100 KB (noise does not compress), sent in pieces."""
    import io
    import random

    from PIL import Image

    rnd = random.Random(4)
    image = Image.frombytes("RGB", (300, 300), rnd.randbytes(300 * 300 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_photo_arrives_in_pieces_and_resumes_after_a_lost_connection(org: Any) -> None:
    rep = org.as_("rep1")
    data, photo_uuid = _big_jpeg(), new_uuid()
    assert len(data) > 60_000
    opened = _open(rep, photo_uuid, data, sha256=hashlib.sha256(data).hexdigest(), lat=48.2, lon=11.6,
                   taken_at="2026-11-25T09:00:00+01:00")  # fmt: skip
    assert opened.status_code == 201, opened.get_json()
    assert opened.get_json() == {**opened.get_json(), "offset": 0, "size": len(data), "complete": False}
    assert opened.headers["Upload-Offset"] == "0"
    # The phone opens it again (it missed the answer): the same upload.
    assert _open(rep, photo_uuid, data).status_code == 200
    first = _piece(rep, photo_uuid, 0, data[:20_000])
    assert first.status_code == 200 and first.get_json()["offset"] == 20_000
    # The next piece's answer is lost; the phone does not know whether it arrived and asks.
    assert _piece(rep, photo_uuid, 20_000, data[20_000:40_000]).status_code == 200
    asked = rep.get(f"{API}/photos/uploads/{photo_uuid}")
    assert asked.status_code == 200 and asked.get_json()["offset"] == 40_000
    # A resend of a piece that already arrived is refused with the offset to go on from: nothing twice.
    again = _piece(rep, photo_uuid, 20_000, data[20_000:40_000])
    assert again.status_code == 409 and again.get_json()["offset"] == 40_000
    assert again.headers["Upload-Offset"] == "40000"
    last = _piece(rep, photo_uuid, 40_000, data[40_000:])
    assert last.status_code == 201, last.get_json()
    body = last.get_json()
    assert body["complete"] is True and body["offset"] == len(data)
    photo = body["photo"]
    assert photo["uuid"] == photo_uuid and photo["lat"] == 48.2 and photo["position_source"] == "request"
    assert photo["taken_at"] == "2026-11-25T08:00:00+00:00" and photo["width"] == 300
    assert rep.get(f"{API}/photos/{photo['id']}/file").status_code == 200
    # Once complete, the upload answers with the photo (the phone may have missed the 201).
    for answer in (
        rep.get(f"{API}/photos/uploads/{photo_uuid}"),
        _open(rep, photo_uuid, data),
        _piece(rep, photo_uuid, 40_000, data[40_000:]),
    ):
        assert answer.status_code == 200 and answer.get_json()["complete"] is True
        assert answer.get_json()["photo"]["id"] == photo["id"]


def test_a_photo_in_pieces_links_to_its_response_like_any_photo(org: Any) -> None:
    rep = org.as_("rep1")
    applicable = rep.get(f"{API}/forms/applicable?outlet_id={org.supermarket}").get_json()
    photo_uuid = new_uuid()
    response = rep.post(f"{API}/responses", json=store_check(applicable, [photo_uuid]))
    assert response.get_json()["photos"][0]["status"] == "pending"
    data = jpeg()
    assert _open(rep, photo_uuid, data).status_code == 201
    assert _piece(rep, photo_uuid, 0, data[:500]).status_code == 200
    assert _piece(rep, photo_uuid, 500, data[500:]).status_code == 201
    photos = rep.get(f"{API}/responses/{response.get_json()['id']}").get_json()["photos"]
    assert photos[0]["status"] == "uploaded"


def test_bad_pieces_are_refused_and_change_nothing(org: Any, photo_dir: Path) -> None:
    rep = org.as_("rep1")
    data, photo_uuid = jpeg(), new_uuid()
    for body, field in (
        ({"uuid": photo_uuid}, "size"),
        ({"uuid": photo_uuid, "size": 0}, "size"),
        ({"uuid": photo_uuid, "size": 20_000_000}, "size"),
        ({"uuid": photo_uuid, "size": "12"}, "size"),
        ({"uuid": "../../etc/passwd", "size": 10}, "uuid"),
        ({"uuid": photo_uuid, "size": 10, "sha256": "abc"}, "sha256"),
        ({"uuid": photo_uuid, "size": 10, "lat": 91, "lon": 0}, "lat"),
        ({"uuid": photo_uuid, "size": 10, "colour": "red"}, "colour"),
    ):
        refused = rep.post(f"{API}/photos/uploads", json=body)
        assert refused.status_code == 422, (body, refused.get_json())
        assert refused.get_json()["errors"][0]["field"] == field
    assert rep.post(f"{API}/photos/uploads", json=[1]).status_code == 422
    assert rep.get(f"{API}/photos/uploads/{photo_uuid}").status_code == 404
    assert _open(rep, photo_uuid, data, sha256=hashlib.sha256(b"other").hexdigest()).status_code == 201
    assert _piece(rep, photo_uuid, 0, b"").status_code == 422
    assert _piece(rep, photo_uuid, 0, data + b"x").status_code == 422  # beyond the announced size
    no_offset = rep.patch(f"{API}/photos/uploads/{photo_uuid}", data=data[:10], content_type=PIECE)
    assert no_offset.status_code == 422 and no_offset.get_json()["errors"][0]["field"] == "Upload-Offset"
    wrong_type = rep.patch(
        f"{API}/photos/uploads/{photo_uuid}", data=data[:10], content_type="image/jpeg", headers={"Upload-Offset": "0"}
    )
    assert wrong_type.status_code == 415
    assert _piece(rep, photo_uuid, 5, data[5:10]).get_json()["offset"] == 0
    assert _piece(rep, photo_uuid, 0, data[:100]).status_code == 200
    damaged = _piece(rep, photo_uuid, 100, data[100:])  # the whole file does not match its checksum
    assert damaged.status_code == 422 and damaged.get_json()["errors"][0]["field"] == "sha256"
    assert rep.get(f"{API}/photos/uploads/{photo_uuid}").get_json()["offset"] == 100  # nothing changed
    assert not list(photo_dir.rglob("*.jpg"))
    assert rep.delete(f"{API}/photos/uploads/{photo_uuid}").status_code == 204
    assert rep.get(f"{API}/photos/uploads/{photo_uuid}").status_code == 404
    # Not an image: refused at the last piece, like a one-piece upload.
    junk = b"GIF89a" + b"\x00" * 100
    other = new_uuid()
    assert _open(rep, other, junk).status_code == 201
    refused = _piece(rep, other, 0, junk)
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "file"
    # A uuid that is another size's upload, or another person's, is a conflict.
    assert _open(rep, other, junk + b"more").status_code == 409
    assert _open(org.as_("rep2"), other, junk).status_code == 409


@pytest.fixture
def stranger(app: Flask) -> Any:
    return make_tenant(app, name="Elsewhere")


def test_an_upload_is_only_its_uploaders(app: Flask, stranger: Any, org: Any) -> None:
    rep = org.as_("rep1")
    data, photo_uuid = jpeg(), new_uuid()
    assert _open(rep, photo_uuid, data).status_code == 201
    assert _piece(rep, photo_uuid, 0, data[:100]).status_code == 200
    for who in ("rep2", "manager", "admin"):
        other = org.as_(who)
        assert other.get(f"{API}/photos/uploads/{photo_uuid}").status_code == 404
        assert _piece(other, photo_uuid, 100, data[100:]).status_code == 404
        assert other.delete(f"{API}/photos/uploads/{photo_uuid}").status_code == 404
    outsider = stranger.client(app.test_client(), "rep1")
    assert outsider.get(f"{API}/photos/uploads/{photo_uuid}").status_code == 404
    assert _piece(outsider, photo_uuid, 100, data[100:]).status_code == 404
    # The same uuid in another organization is another upload (uuids are per organization).
    assert _open(outsider, photo_uuid, data).status_code == 201
    assert org.as_("hq").post(f"{API}/photos/uploads", json={"uuid": new_uuid(), "size": 10}).status_code == 403
    assert rep.get(f"{API}/photos/uploads/not-a-uuid").status_code == 404
    assert rep.get(f"{API}/photos/uploads/{photo_uuid}").get_json()["offset"] == 100
