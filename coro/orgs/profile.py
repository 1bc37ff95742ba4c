"""The organisation's profile: its logo, checked and re-encoded, and its time zone.

A logo is accepted only if its content is a PNG, JPEG or WebP image (the file name says
nothing), of at most ``LOGO_MAX_BYTES`` and ``LOGO_MAX_SIDE`` pixels a side. It is stored
re-encoded as a PNG of at most ``LOGO_SIZE`` pixels a side, with nothing of the original
file but its pixels: no EXIF (camera, place, date), no colour profile, no text chunks.
"""

import hashlib
import io
import warnings
import zoneinfo
from functools import cache
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 4000
LOGO_SIZE = 512
LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}


class LogoError(ValueError):
    """The upload is not a logo Coro accepts; the message says why, for the person."""


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        # Pillow warns (and past a limit, refuses) on images with very many pixels; the size
        # check below gives the clear message, so the warning is an error here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data))


def logo_prepare(upload: IO[bytes], *, size: int | None = None) -> bytes:
    """The upload re-encoded as a clean PNG, or ``LogoError``. ``size`` is the upload's size
    when known (Django's ``UploadedFile.size``), so a huge file is refused unread."""
    if size is not None and size > LOGO_MAX_BYTES:
        raise LogoError(_("The logo is bigger than 2 MB: choose a smaller file."))
    data = upload.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        raise LogoError(_("The logo is bigger than 2 MB: choose a smaller file."))
    not_an_image = _("This file is not a PNG, JPEG or WebP image.")
    too_big = _("The image is far too big: a logo can be at most 4000 by 4000 pixels.")
    try:
        image = _open(data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LogoError(too_big) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise LogoError(not_an_image) from None
    if not image.format:
        raise LogoError(not_an_image)
    if image.format not in LOGO_FORMATS:
        raise LogoError(
            _("Only PNG, JPEG or WebP images are accepted; this file is a %(format)s image.")
            % {"format": image.format}
        )
    width, height = image.size
    if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
        raise LogoError(
            _("The logo is %(width)s by %(height)s pixels: it can be at most 4000 by 4000.")
            % {"width": width, "height": height}
        )
    try:
        image.verify()  # the file's structure (PNG checksums ...)
        image = _open(data)
        image.load()  # every pixel: a truncated file fails here
        image = ImageOps.exif_transpose(image) or image  # photos taken sideways stand up
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (
            image.mode == "P" and "transparency" in image.info
        )
        image = image.convert("RGBA" if has_alpha else "RGB")
        image.thumbnail((LOGO_SIZE, LOGO_SIZE), Image.Resampling.LANCZOS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LogoError(too_big) from None
    except (OSError, ValueError, SyntaxError):
        raise LogoError(_("This image is damaged or incomplete: export it again.")) from None
    # A new image from the pixels alone: nothing of the original's metadata comes along.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


def logo_file_name(organisation_code: str, png: bytes) -> str:
    """Where a logo is stored: a new name for new content, so browsers never show an old
    logo from their cache."""
    return f"logos/{organisation_code}-{hashlib.sha256(png).hexdigest()[:16]}.png"


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA time zone this machine knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def validate_time_zone(name: str) -> None:
    if name not in time_zone_names():
        raise ValidationError(
            _("%(value)s is not a time zone name such as Europe/Madrid."),
            params={"value": name},
            code="time_zone",
        )
