"""Photos: checked by their content, turned upright, re-encoded, thumbnailed.

The bytes decide what a file is (JPEG, PNG or WebP magic numbers, then Pillow decoding with only
that decoder), never its name or declared type. The stored image is a JPEG without EXIF (the
orientation is applied, the capture time and GPS position are kept as data, not in the file).
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from dataclasses import dataclass
from typing import Any

MAX_PIXELS = 40_000_000
MAX_SIDE = 4096
THUMBNAIL_SIDE = 320
JPEG_QUALITY = 85


class PhotoError(ValueError):
    """Not an image Rayon accepts; the message says why."""


@dataclass
class Processed:
    format: str
    width: int
    height: int
    jpeg: bytes
    thumbnail: bytes
    taken_at: dt.datetime | None
    taken_at_naive: bool
    lat: float | None
    lon: float | None


def sniff(data: bytes) -> str | None:
    """The image format from the first bytes: jpeg, png, webp, heic, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"avif"):
        return "heic"
    return None


def process(data: bytes) -> Processed:
    """Decode, orient, re-encode and thumbnail an upload. :raise PhotoError: saying why not."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    kind = sniff(data)
    if kind == "heic":
        raise PhotoError("HEIC/AVIF images are not accepted; send JPEG (the camera's 'most compatible' setting)")
    if kind is None:
        raise PhotoError("the file is not a JPEG, PNG or WebP image")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[kind.upper()])
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError(f"the image has more than {MAX_PIXELS // 1_000_000} million pixels")
            image.load()
        except PhotoError:
            raise
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ) as exc:
            raise PhotoError(f"the {kind.upper()} image cannot be decoded ({exc.__class__.__name__})") from None
    exif = image.getexif()
    taken_at, naive = _taken_at(exif)
    lat, lon = _gps(exif)
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - a broken orientation tag must not lose the photo
        upright = image
    if upright.mode not in ("RGB", "L"):
        rgba = upright.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        upright = background
    elif upright.mode == "L":
        upright = upright.convert("RGB")
    if max(upright.size) > MAX_SIDE:
        upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    thumb = upright.copy()
    thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, "JPEG", quality=75, optimize=True)
    return Processed(
        format=kind,
        width=upright.width,
        height=upright.height,
        jpeg=out.getvalue(),
        thumbnail=thumb_out.getvalue(),
        taken_at=taken_at,
        taken_at_naive=naive,
        lat=lat,
        lon=lon,
    )


def _taken_at(exif: Any) -> tuple[dt.datetime | None, bool]:
    """DateTimeOriginal (or DateTime), with OffsetTimeOriginal when the camera wrote it."""
    try:
        sub = exif.get_ifd(0x8769)
    except Exception:  # noqa: BLE001
        sub = {}
    text = sub.get(36867) or exif.get(306)
    if not isinstance(text, str):
        return None, False
    try:
        value = dt.datetime.strptime(text.strip("\x00 ").strip(), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None, False
    offset = sub.get(36881) or sub.get(36880)
    if isinstance(offset, str):
        try:
            sign = -1 if offset.strip().startswith("-") else 1
            hours, minutes = offset.strip().lstrip("+-").split(":")
            tz = dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))
            return value.replace(tzinfo=tz), False
        except ValueError:
            pass
    return value.replace(tzinfo=dt.UTC), True


def _gps(exif: Any) -> tuple[float | None, float | None]:
    try:
        gps = exif.get_ifd(0x8825)
    except Exception:  # noqa: BLE001
        return None, None
    try:
        lat = _degrees(gps[2], gps.get(1, "N"), "S")
        lon = _degrees(gps[4], gps.get(3, "E"), "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None
    return round(lat, 7), round(lon, 7)


def _degrees(values: Any, ref: Any, negative: str) -> float:
    d, m, s = (float(v) for v in values)
    value = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    return -value if str(ref).strip().upper() == negative else value
