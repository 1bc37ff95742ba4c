"""The organisation's profile: its logo, checked and re-encoded, and its time zone.

A logo is accepted only if its content is a PNG, JPEG or WebP image (the file name says
nothing), of at most ``LOGO_MAX_BYTES`` and ``LOGO_MAX_SIDE`` pixels a side. It is stored
re-encoded as a PNG of at most ``LOGO_SIZE`` pixels a side, with nothing of the original
file but its pixels: no EXIF (camera, place, date), no colour profile, no text chunks.
"""

import hashlib
import zoneinfo
from functools import cache
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coro.core.images import ImageError, image_prepare

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 4000
LOGO_SIZE = 512
LOGO_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})


class LogoError(ValueError):
    """The upload is not a logo Coro accepts; the message says why, for the person."""


def _logo_message(error: ImageError) -> str:
    """The logo's own words for what ``coro.core.images`` found."""
    if error.code == "too_large":
        return _("The logo is bigger than 2 MB: choose a smaller file.")
    if error.code == "not_an_image":
        return _("This file is not a PNG, JPEG or WebP image.")
    if error.code == "format":
        return _("Only PNG, JPEG or WebP images are accepted; this file is a %(format)s image.") % {
            "format": error.params["format"]
        }
    if error.code == "too_big":
        return _("The logo is %(width)s by %(height)s pixels: it can be at most 4000 by 4000.") % {
            "width": error.params["width"],
            "height": error.params["height"],
        }
    if error.code == "too_many_pixels":
        return _("The image is far too big: a logo can be at most 4000 by 4000 pixels.")
    return error.message


def logo_prepare(upload: IO[bytes], *, size: int | None = None) -> bytes:
    """The upload re-encoded as a clean PNG of at most ``LOGO_SIZE`` pixels a side, or
    ``LogoError``. ``size`` is the upload's size when known (Django's
    ``UploadedFile.size``), so a huge file is refused unread."""
    if size is not None and size > LOGO_MAX_BYTES:
        raise LogoError(_("The logo is bigger than 2 MB: choose a smaller file."))
    try:
        prepared = image_prepare(
            upload,
            max_bytes=LOGO_MAX_BYTES,
            max_side=LOGO_MAX_SIDE,
            max_pixels=LOGO_MAX_SIDE * LOGO_MAX_SIDE,
            formats=LOGO_FORMATS,
            fit=LOGO_SIZE,
            output_format="PNG",
        )
    except ImageError as error:
        raise LogoError(_logo_message(error)) from None
    return prepared.data


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
