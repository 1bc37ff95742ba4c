"""Uploaded images: checked by content, size- and pixel-limited, stood up, re-encoded without
metadata, with smaller variants."""

import io
import os
import struct
import zlib

import pytest
from django.utils import translation
from PIL import Image, ImageCms

from coro.core.images import (
    ImageError,
    PreparedImage,
    image_prepare,
    image_variants,
)

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def image_bytes(fmt: str, size=(800, 400), mode="RGB", colour=None, **save) -> bytes:
    colour = colour or ((200, 80, 20) if mode == "RGB" else (200, 80, 20, 128))
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, format=fmt, **save)
    return out.getvalue()


def noise(fmt: str, size: tuple[int, int]) -> bytes:
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` by ``height`` pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def photo_with_exif(size=(300, 100), orientation=6) -> bytes:
    """A JPEG as a phone writes it: camera, GPS position, orientation, XMP, colour profile."""
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x0110] = "Secret phone"  # Model
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (39.0, 28.0, 12.5)  # GPSLatitude
    gps[3] = "W"
    gps[4] = (0.0, 22.0, 31.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">Secret place</x:xmpmeta>'
    # The left third red, the rest blue: where red ends up shows the rotation.
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 3, size[1]))
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), icc_profile=icc, xmp=xmp, quality=95)
    return out.getvalue()


SECRETS = [b"Secret phone", b"Camera maker", b"Secret place", b"Exif\x00\x00", b"ICC_PROFILE"]


def assert_no_metadata(data: bytes) -> None:
    for secret in SECRETS:
        assert secret not in data
    image = Image.open(io.BytesIO(data))
    assert dict(image.getexif()) == {}
    assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp"} & set(image.info)


# --- What is accepted ---------------------------------------------------------------------


def test_exif_is_dropped_after_the_orientation_is_applied():
    original = photo_with_exif()
    assert b"Secret phone" in original
    exif = Image.open(io.BytesIO(original)).getexif()
    assert exif.get_ifd(0x8825)  # the GPS position really is in the input

    prepared = image_prepare(original, max_bytes=10 * MB)

    assert isinstance(prepared, PreparedImage)
    assert (prepared.format, prepared.extension, prepared.content_type) == (
        "JPEG",
        "jpg",
        "image/jpeg",
    )
    assert (prepared.width, prepared.height) == (100, 300)  # stood up
    assert_no_metadata(prepared.data)
    stood_up = Image.open(io.BytesIO(prepared.data)).convert("RGB")
    assert stood_up.size == (100, 300)
    # Orientation 6: rotated 90° clockwise to show, so the red left third is now at the top.
    red, _, blue = stood_up.getpixel((50, 20))
    assert red > 200 and blue < 60
    red, _, blue = stood_up.getpixel((50, 280))
    assert red < 60 and blue > 200


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_keep_their_format_and_transparency_but_not_their_metadata(fmt):
    exif = Image.Exif()
    exif[0x0110] = "Secret phone"
    original = image_bytes(fmt, (64, 32), mode="RGBA", exif=exif.tobytes())
    assert b"Secret phone" in original
    prepared = image_prepare(original, max_bytes=MB)
    assert prepared.format == fmt
    stored = Image.open(io.BytesIO(prepared.data))
    assert stored.format == fmt and stored.mode == "RGBA" and stored.size == (64, 32)
    assert_no_metadata(prepared.data)


def test_a_png_named_jpg_is_taken_for_what_it_is():
    upload = io.BytesIO(image_bytes("PNG", (40, 20)))
    upload.name = "photo.jpg"  # type: ignore[attr-defined]
    prepared = image_prepare(upload, max_bytes=MB)
    assert (prepared.format, prepared.extension) == ("PNG", "png")


def test_a_gif_keeps_its_first_frame_as_a_png():
    frames = [Image.new("RGB", (30, 20), c) for c in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    prepared = image_prepare(out.getvalue(), max_bytes=MB)
    stored = Image.open(io.BytesIO(prepared.data))
    assert (prepared.format, stored.format, stored.size) == ("PNG", "PNG", (30, 20))
    assert getattr(stored, "n_frames", 1) == 1
    assert stored.convert("RGB").getpixel((5, 5)) == (255, 0, 0)


def test_a_phones_multi_picture_jpeg_is_a_jpeg():
    out = io.BytesIO()
    first, second = Image.new("RGB", (60, 40), (10, 200, 10)), Image.new("RGB", (30, 20))
    first.save(out, format="MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    prepared = image_prepare(out.getvalue(), max_bytes=MB)
    assert (prepared.format, prepared.width, prepared.height) == ("JPEG", 60, 40)


def test_cmyk_becomes_rgb():
    prepared = image_prepare(
        image_bytes("JPEG", (50, 50), mode="CMYK", colour=(0, 255, 255, 0)), max_bytes=MB
    )
    stored = Image.open(io.BytesIO(prepared.data))
    assert stored.mode == "RGB"
    red, green, blue = stored.getpixel((25, 25))
    assert red > 200 and green < 60 and blue < 60


@pytest.mark.parametrize(
    "profile",
    [
        ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
        b"\x00" * 128,  # a broken profile: the colours as they are
    ],
    ids=["sRGB", "broken"],
)
def test_a_colour_profile_is_applied_then_dropped(profile):
    original = image_bytes("PNG", (20, 20), icc_profile=profile)
    assert Image.open(io.BytesIO(original)).info["icc_profile"] == profile
    prepared = image_prepare(original, max_bytes=MB)
    stored = Image.open(io.BytesIO(prepared.data))
    assert "icc_profile" not in stored.info
    assert stored.convert("RGB").getpixel((5, 5)) == (200, 80, 20)


def test_fit_shrinks_but_never_enlarges_and_output_format_is_chosen():
    big = image_prepare(
        image_bytes("JPEG", (1200, 600)), max_bytes=MB, fit=512, output_format="PNG"
    )
    assert (big.format, big.width, big.height) == ("PNG", 512, 256)
    small = image_prepare(image_bytes("JPEG", (100, 50)), max_bytes=MB, fit=512)
    assert (small.width, small.height) == (100, 50)


# --- What is refused ----------------------------------------------------------------------

NOT_AN_IMAGE = "This file is not an image Coro accepts (JPEG, PNG, WebP or GIF)."

REFUSED = {  # name: (content, limits, the message, the code)
    "text": lambda: (b"Just some words.\n", {}, NOT_AN_IMAGE, "not_an_image"),
    "empty": lambda: (b"", {}, NOT_AN_IMAGE, "not_an_image"),
    "SVG": lambda: (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>x</script></svg>',
        {},
        NOT_AN_IMAGE,
        "not_an_image",
    ),
    "BMP": lambda: (
        image_bytes("BMP", (10, 10)),
        {},
        "This file is a BMP image: Coro accepts JPEG, PNG, WebP or GIF.",
        "format",
    ),
    "GIF where only PNG is wanted": lambda: (
        image_bytes("GIF", (10, 10)),
        {"formats": frozenset({"PNG"})},
        "This file is a GIF image: Coro accepts PNG.",
        "format",
    ),
    "too many bytes": lambda: (
        os.urandom(10 * MB + 1),
        {},
        "The image is bigger than 10 MB: choose a smaller file.",
        "too_large",
    ),
    "too wide": lambda: (
        image_bytes("PNG", (8001, 10)),
        {},
        "The image is 8001 by 10 pixels: it can be at most 8000 on each side.",
        "too_big",
    ),
    "too many pixels": lambda: (
        image_bytes("PNG", (3000, 3000)),
        {"max_pixels": 5_000_000},
        "The image has far too many pixels: it can be at most 8000 on each side.",
        "too_many_pixels",
    ),
    "a decompression bomb": lambda: (
        png_header_only(50000, 50000),
        {},
        "The image has far too many pixels: it can be at most 8000 on each side.",
        "too_many_pixels",
    ),
    "a smaller bomb, inside Pillow's limit": lambda: (
        png_header_only(7000, 7000),
        {},
        "The image has far too many pixels: it can be at most 8000 on each side.",
        "too_many_pixels",
    ),
    "a truncated JPEG": lambda: (
        noise("JPEG", (300, 300))[:20_000],
        {},
        "This image is damaged or incomplete: export it again.",
        "damaged",
    ),
    "a truncated PNG": lambda: (
        noise("PNG", (300, 300))[:100_000],
        {},
        "This image is damaged or incomplete: export it again.",
        "damaged",
    ),
    "a PNG whose header claims more than its data": lambda: (
        png_header_only(300, 300),
        {},
        "This image is damaged or incomplete: export it again.",
        "damaged",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_with_a_clear_message(case):
    content, limits, message, code = REFUSED[case]()
    with pytest.raises(ImageError) as caught:
        image_prepare(io.BytesIO(content), max_bytes=10 * MB, **limits)
    assert str(caught.value) == message
    assert caught.value.code == code


def test_a_file_declaring_a_larger_size_is_refused_unread():
    class Upload(io.BytesIO):
        size = 3 * MB

        def read(self, *args):
            raise AssertionError("read")

    with pytest.raises(ImageError, match="bigger than 2 MB"):
        image_prepare(Upload(b""), max_bytes=2 * MB)


def test_only_max_bytes_plus_one_are_read():
    class Upload(io.BytesIO):
        asked: list[int] = []

        def read(self, size=-1):
            self.asked.append(size)
            return super().read(size)

    with pytest.raises(ImageError):
        image_prepare(Upload(os.urandom(5000)), max_bytes=1000)
    assert Upload.asked == [1001]


# --- Variants -----------------------------------------------------------------------------


def test_variants_have_the_widths_asked_for_and_keep_the_proportions():
    prepared = image_prepare(photo_with_exif(size=(2000, 1000), orientation=1), max_bytes=MB)
    variants = image_variants(prepared)
    assert sorted(variants) == [480, 960, 1600]
    for width, data in variants.items():
        image = Image.open(io.BytesIO(data))
        assert image.format == "WEBP"
        assert image.size == (width, width // 2)
        assert_no_metadata(data)


def test_variants_never_enlarge():
    prepared = image_prepare(image_bytes("PNG", (960, 100)), max_bytes=MB)
    assert sorted(image_variants(prepared)) == [480]
    tiny = image_prepare(image_bytes("PNG", (300, 100)), max_bytes=MB)
    assert image_variants(tiny) == {}


def test_variants_keep_transparency():
    prepared = image_prepare(image_bytes("PNG", (1000, 500), mode="RGBA"), max_bytes=MB)
    variant = Image.open(io.BytesIO(image_variants(prepared, widths=(500,))[500]))
    assert variant.mode == "RGBA" and variant.getpixel((10, 10))[3] == 128
