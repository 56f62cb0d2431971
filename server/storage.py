"""Where photos are kept: a small storage interface, on local disk by default.

Keys are made by the server only (organization id and the photo's UUID), never from a client's
file name, and are checked again here, so a key can never leave the storage root. An
S3-compatible backend implements the same four methods (``put``, ``get``, ``delete``,
``exists``) and is returned by :func:`photo_storage` when configured.

Configuration (Flask config, falling back to the environment):
``PHOTO_STORAGE_DIR`` / ``RAYON_PHOTO_DIR`` (default ``var/photos``).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

from server.config import VAR_DIR

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_.-]*)*$")


class StorageError(RuntimeError):
    """A key that is not valid, or a stored object that is missing."""


class PhotoStorage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


def check_key(key: str) -> str:
    """:raise StorageError: unless ``key`` is lower-case path segments without ``..`` or a leading ``/``."""
    if not isinstance(key, str) or len(key) > 200 or not _KEY.fullmatch(key) or ".." in key:
        raise StorageError(f"invalid storage key {key!r}")
    return key


class LocalStorage:
    """Files under one root directory, written atomically (temporary file, then rename)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):
            raise StorageError(f"invalid storage key {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:  # noqa: ARG002 - kept for other backends
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise StorageError(f"no stored object {key!r}") from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def photo_storage(app: Flask | None = None) -> PhotoStorage:
    """The application's photo storage (created on first use)."""
    app = app or current_app
    root = app.config.get("PHOTO_STORAGE_DIR") or os.environ.get("RAYON_PHOTO_DIR") or str(VAR_DIR / "photos")
    cached = app.extensions.get("rayon_photo_storage")
    if cached is None or getattr(cached, "root", None) != Path(root).resolve():
        cached = LocalStorage(root)
        app.extensions["rayon_photo_storage"] = cached
    return cached
