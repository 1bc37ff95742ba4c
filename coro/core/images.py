"""Images people upload, checked by their content and re-encoded with nothing but pixels.

``image_prepare`` is the one door for an uploaded (or fetched) image: it reads at most
``max_bytes`` + 1 bytes, lets Pillow say what the content is (the file name and the
browser's content type say nothing), refuses what is not one of the accepted formats,
what has too many pixels (decompression bombs included) and what is damaged, stands
photos taken sideways up (EXIF orientation) and then re-encodes the pixels alone: no
EXIF (camera, place, date), no XMP, no text chunks, no colour profile (colours are
converted to sRGB first). ``image_variants`` makes smaller copies for ``srcset``.

Errors are ``ImageError``, whose message is a sentence for the person; its ``code`` and
``params`` let a caller word its own message (the organisation's logo does).
"""

import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from coro.core.sizes import size_text

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
# How people know the formats (Pillow's names are upper case).
FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
# Phones write JPEG photos with a second, smaller picture inside (Multi-Picture Format):
# Pillow calls them MPO; they are JPEG files to everyone else, and only the first picture
# is kept.
FORMAT_ALIASES = {"MPO": "JPEG"}
# What each accepted format is stored as: a GIF keeps its first frame, as a PNG.
OUTPUT_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

VARIANT_WIDTHS = (480, 960, 1600)
VARIANT_FORMAT = "WEBP"
VARIANT_EXTENSION = EXTENSIONS[VARIANT_FORMAT]
VARIANT_QUALITY = 82
# Re-encoding an original: high enough that a second generation loses nothing visible.
ORIGINAL_QUALITY = 88
# PNG's slowest compression only for small images (a large one would take seconds).
PNG_OPTIMIZE_MAX_PIXELS = 2_000_000

# Everything Pillow may raise on a damaged or hostile file once it has recognised it.
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, IndexError, KeyError, TypeError)
BOMB_ERRORS = (Image.DecompressionBombError, Image.DecompressionBombWarning)


class ImageError(ValueError):
    """The image is not one Coro accepts; ``str(error)`` says why, for the person.

    ``code`` is one of ``too_large`` (bytes), ``not_an_image``, ``format``, ``too_big``
    (sides), ``too_many_pixels`` and ``damaged``; ``params`` holds the numbers in the message.
    """

    def __init__(self, message: str, *, code: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.params = params or {}


@dataclass(frozen=True)
class PreparedImage:
    """An image re-encoded from its pixels alone."""

    data: bytes
    format: str  # Pillow's name: "JPEG", "PNG" or "WEBP"
    width: int
    height: int
    extension: str  # "jpg", "png" or "webp"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def format_list(formats: Iterable[str]) -> str:
    """ "JPEG, PNG, WebP or GIF", for messages."""
    order = ("JPEG", "PNG", "WEBP", "GIF")
    ranked = sorted(formats, key=lambda f: (order.index(f) if f in order else len(order), f))
    names = [FORMAT_NAMES.get(f, f) for f in ranked]
    if len(names) == 1:
        return names[0]
    return _("%(list)s or %(last)s") % {"list": ", ".join(names[:-1]), "last": names[-1]}


def _read(data: bytes | IO[bytes], max_bytes: int) -> bytes:
    too_large = ImageError(
        _("The image is bigger than %(size)s: choose a smaller file.")
        % {"size": size_text(max_bytes)},
        code="too_large",
        params={"max_bytes": max_bytes},
    )
    if isinstance(data, bytes | bytearray | memoryview):
        content = bytes(data)
    else:
        declared = getattr(data, "size", None)  # Django's UploadedFile: refused unread
        if isinstance(declared, int) and declared > max_bytes:
            raise too_large
        content = data.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise too_large
    return content


def _open(data: bytes, formats: Iterable[str]) -> Image.Image:
    with warnings.catch_warnings():
        # Pillow warns (and past twice its limit, refuses) on images with very many pixels:
        # here both are errors, turned into ours.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        # Only the readers of ``formats`` look at the file (Pillow's JPEG reader also reads MPO).
        return Image.open(io.BytesIO(data), formats=sorted(formats))


def _format_named(data: bytes) -> str | None:
    """The format a file's first bytes announce, to word a refusal: only each reader's
    signature check runs (a comparison of a few bytes), never the reader itself."""
    Image.init()
    prefix = data[:16]
    for name, (_factory, accept) in Image.OPEN.items():
        try:
            announced = accept is not None and accept(prefix) is True
        except Exception:  # a signature check choking on odd bytes: it names nothing
            announced = False
        if announced:
            return FORMAT_ALIASES.get(name, name)
    return None


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )


SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB or RGBA pixels in sRGB: an embedded colour profile (a phone's Display P3, a
    printer's CMYK) is applied, then dropped; without one, Pillow's plain conversion."""
    target = "RGBA" if _has_alpha(image) else "RGB"
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, SRGB, outputMode=target)
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, *DECODE_ERRORS):
            pass  # a broken profile: the colours as they are
    return image if image.mode == target else image.convert(target)


def _decode(
    data: bytes, *, max_side: int, max_pixels: int, formats: frozenset[str]
) -> tuple[Image.Image, str]:
    """The checked image, stood up and in sRGB, and its (accepted) format."""
    accepted = format_list(formats)
    not_an_image = ImageError(
        _("This file is not an image Coro accepts (%(formats)s).") % {"formats": accepted},
        code="not_an_image",
        params={"formats": accepted},
    )
    too_many = ImageError(
        _("The image has far too many pixels: it can be at most %(side)s on each side.")
        % {"side": max_side},
        code="too_many_pixels",
        params={"max_side": max_side, "max_pixels": max_pixels},
    )
    damaged = ImageError(_("This image is damaged or incomplete: export it again."), code="damaged")
    try:
        image = _open(data, formats)
    except BOMB_ERRORS:
        raise too_many from None
    except (UnidentifiedImageError, *DECODE_ERRORS):
        named = _format_named(data)
        if named is None or named in formats:
            raise not_an_image from None
        raise ImageError(
            _("This file is a %(format)s image: Coro accepts %(formats)s.")
            % {"format": FORMAT_NAMES.get(named, named), "formats": accepted},
            code="format",
            params={"format": named, "formats": accepted},
        ) from None
    found = FORMAT_ALIASES.get(image.format or "", image.format or "")
    if found not in formats:  # pragma: no cover - only the readers of ``formats`` ran
        raise not_an_image
    width, height = image.size
    if width > max_side or height > max_side:
        raise ImageError(
            _(
                "The image is %(width)s by %(height)s pixels: "
                "it can be at most %(side)s on each side."
            )
            % {"width": width, "height": height, "side": max_side},
            code="too_big",
            params={"width": width, "height": height, "max_side": max_side},
        )
    if width * height > max_pixels:
        raise too_many
    if width < 1 or height < 1:
        raise damaged
    try:
        image.verify()  # the file's structure (PNG checksums ...)
        image = _open(data, [found])
        image.load()  # every pixel of the first frame: a truncated file fails here
        image = ImageOps.exif_transpose(image) or image  # photos taken sideways stand up
        image = _to_srgb(image)
    except BOMB_ERRORS:
        raise too_many from None
    except DECODE_ERRORS:
        raise damaged from None
    return image, found


def _clean(image: Image.Image) -> Image.Image:
    """The same pixels with nothing else: Pillow copies some metadata (colour profile,
    comments, transparency) from ``info`` into the file it writes."""
    image.info = {}
    return image


def _encode(image: Image.Image, fmt: str, *, quality: int) -> bytes:
    image = _clean(image)
    if fmt == "JPEG" and image.mode != "RGB":
        # JPEG has no transparency: transparent parts become white.
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A") if "A" in image.getbands() else None)
        image = background
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    elif fmt == "PNG":
        image.save(
            out, format="PNG", optimize=image.width * image.height <= PNG_OPTIMIZE_MAX_PIXELS
        )
    elif fmt == "WEBP":
        image.save(out, format="WEBP", quality=quality, method=4)
    else:  # pragma: no cover - callers pass one of the formats above
        raise ValueError(f"Coro does not write {fmt} images")
    return out.getvalue()


def image_prepare(
    data: bytes | IO[bytes],
    *,
    max_bytes: int,
    max_side: int = 8000,
    max_pixels: int = 40_000_000,
    formats: frozenset[str] = ACCEPTED_FORMATS,
    fit: int | None = None,
    output_format: str | None = None,
) -> PreparedImage:
    """The image re-encoded from its pixels alone, or ``ImageError``.

    ``fit`` shrinks it (never enlarges) to at most that many pixels a side; ``output_format``
    ("JPEG", "PNG" or "WEBP") chooses what it is stored as, by default the format it came
    in (a GIF's first frame becomes a PNG).
    """
    content = _read(data, max_bytes)
    image, found = _decode(content, max_side=max_side, max_pixels=max_pixels, formats=formats)
    fmt = output_format or OUTPUT_FORMATS[found]
    if fit is not None and (image.width > fit or image.height > fit):
        image.thumbnail((fit, fit), Image.Resampling.LANCZOS)
    encoded = _encode(image, fmt, quality=ORIGINAL_QUALITY)
    return PreparedImage(
        data=encoded,
        format=fmt,
        width=image.width,
        height=image.height,
        extension=EXTENSIONS[fmt],
    )


def image_variants(
    prepared: PreparedImage, widths: Iterable[int] = VARIANT_WIDTHS
) -> dict[int, bytes]:
    """Smaller copies of a prepared image (``VARIANT_FORMAT``), one per width narrower than
    the image: an image is never enlarged, so a small one may have none."""
    wanted = sorted({w for w in widths if 0 < w < prepared.width})
    if not wanted:
        return {}
    with Image.open(io.BytesIO(prepared.data), formats=[prepared.format]) as original:
        original.load()
        source = original.convert("RGBA" if _has_alpha(original) else "RGB")
    variants = {}
    for width in wanted:
        height = max(1, round(prepared.height * width / prepared.width))
        resized = source.resize((width, height), Image.Resampling.LANCZOS)
        variants[width] = _encode(resized, VARIANT_FORMAT, quality=VARIANT_QUALITY)
    return variants
