"""Photo storage keys and image processing, without a database."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from server.storage import LocalStorage, StorageError, check_key
from server.surveys.photos import PhotoError, process, sniff


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "a/../../b", "/abs/path.jpg", "a//b", "A/b.jpg", "a/b\x00.jpg", "a\\b", "", "a/.hidden"]
)
def test_storage_keys_cannot_leave_the_root(key: str, tmp_path: Path) -> None:
    """Only server-made keys (lower-case segments, no '..') are accepted, and never outside the root."""
    with pytest.raises(StorageError):
        check_key(key)
    with pytest.raises(StorageError):
        LocalStorage(tmp_path).put(key, b"x", "image/jpeg")


def test_local_storage_round_trip(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "photos")
    key = "12/0b/0b8e5f4e-3c1a-4c55-9a59-2f0c8a3b5d11.jpg"
    storage.put(key, b"abc", "image/jpeg")
    assert storage.exists(key) and storage.get(key) == b"abc"
    assert not any(p.name.startswith(".upload-") for p in (tmp_path / "photos").rglob("*"))
    storage.delete(key)
    with pytest.raises(StorageError):
        storage.get(key)


def test_images_are_known_by_their_bytes() -> None:
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, "PNG")
    webp = io.BytesIO()
    Image.new("RGB", (4, 4)).save(webp, "WEBP")
    assert (sniff(png.getvalue()), sniff(webp.getvalue()), sniff(b"GIF89a"), sniff(b"")) == ("png", "webp", None, None)


def test_large_photos_are_scaled_and_thumbnailed() -> None:
    big = io.BytesIO()
    Image.new("RGB", (5000, 1000), (10, 20, 30)).save(big, "JPEG")
    processed = process(big.getvalue())
    assert (processed.width, processed.height) == (4096, 819)
    thumb = Image.open(io.BytesIO(processed.thumbnail))
    assert max(thumb.size) == 320 and processed.taken_at is None and processed.lat is None


def test_decompression_bombs_are_refused() -> None:
    """A tiny file that claims a huge picture is refused before it is decoded."""
    bomb = io.BytesIO()
    Image.new("1", (8000, 8000)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(PhotoError, match="million pixels"):
        process(bomb.getvalue())
