"""The organisation's profile: name, logo (checked by content, re-encoded, size-limited),
default language and time zone; audited; the logo shown on the organisation's pages."""

import io
import os
import struct
import zlib
from datetime import UTC, datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from coro.audit.models import AuditEntry
from coro.orgs.models import Organisation
from coro.orgs.profile import LOGO_SIZE
from testing.factories import TermsFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def image_bytes(fmt: str, size=(800, 400), mode="RGB", **save) -> bytes:
    image = Image.new(mode, size, (200, 80, 20) if mode == "RGB" else (200, 80, 20, 128))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
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
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def post(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    url = f"/o/{tenancy.org.code}/profile/"

    def send(**fields):
        data = {
            "name": tenancy.org.name,
            "language": tenancy.org.language,
            "time_zone": tenancy.org.time_zone,
            **fields,
        }
        return client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")

    return send


# --- The page -----------------------------------------------------------------------------


def test_the_admin_sees_the_profile_form(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    response = client.get(f"/o/{tenancy.org.code}/profile/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'name="logo"' in html and 'accept="image/jpeg,image/png,image/webp"' in html
    assert '<option value="Europe/Madrid" selected>' in html
    assert "No logo yet." in html
    assert 'name="remove_logo"' not in html  # nothing to remove


@pytest.mark.parametrize("who", ["editor", "employee"])
def test_only_admins_may_change_the_profile(tenancy, who):
    client = tenancy.client_for(getattr(tenancy, who).user)
    url = f"/o/{tenancy.org.code}/profile/"
    assert client.get(url).status_code == 403
    response = client.post(url, {"name": "Hijacked", "language": "en", "time_zone": "UTC"})
    assert response.status_code == 403
    tenancy.org.refresh_from_db()
    assert tenancy.org.name == "Cerámicas Prueba"


def test_name_language_and_time_zone_are_saved_and_audited(tenancy, post):
    response = post(name="  Cerámicas Nuevas ", language="ca", time_zone="Atlantic/Canary")
    assert response.status_code == 302
    org = Organisation.objects.get(pk=tenancy.org.pk)
    assert (org.name, org.language, org.time_zone) == (
        "Cerámicas Nuevas",
        "ca",
        "Atlantic/Canary",
    )
    entry = AuditEntry.objects.get(organisation=org)
    assert entry.action == AuditEntry.Action.PROFILE_CHANGED
    assert entry.actor_ref == tenancy.admin.code
    assert entry.before["name"] == "Cerámicas Prueba" and entry.after["name"] == "Cerámicas Nuevas"
    assert (entry.before["time_zone"], entry.after["time_zone"]) == (
        "Europe/Madrid",
        "Atlantic/Canary",
    )

    log = tenancy.client_for(tenancy.admin.user).get(
        f"/o/{org.code}/audit/", HTTP_ACCEPT_LANGUAGE="en"
    )
    html = log.content.decode()
    assert "Organisation profile changed" in html
    assert "time zone: Europe/Madrid → Atlantic/Canary" in html


def test_saving_without_a_change_writes_no_audit_entry(tenancy, post):
    assert post().status_code == 302
    assert not AuditEntry.objects.filter(organisation=tenancy.org).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "   "}, "name"),
        ({"language": "fr"}, "language"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
    ],
)
def test_bad_fields_are_refused_and_nothing_changes(tenancy, post, fields, field):
    response = post(**fields)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    tenancy.org.refresh_from_db()
    assert (tenancy.org.name, tenancy.org.language, tenancy.org.time_zone) == (
        "Cerámicas Prueba",
        "es",
        "Europe/Madrid",
    )
    assert not AuditEntry.objects.exists()


# --- The logo -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")],
)
def test_a_logo_is_re_encoded_as_a_png_of_at_most_512_pixels(
    tenancy, post, media, fmt, content_type
):
    response = post(logo=upload(f"logo.{fmt.lower()}", image_bytes(fmt, (1200, 600)), content_type))
    assert response.status_code == 302
    org = Organisation.objects.get(pk=tenancy.org.pk)
    assert org.logo.name.startswith(f"logos/{org.code}-") and org.logo.name.endswith(".png")
    assert stored_files(media) == [org.logo.name]
    with default_storage.open(org.logo.name) as file:
        stored = Image.open(file)
        stored.load()
    assert stored.format == "PNG"
    assert stored.size == (LOGO_SIZE, LOGO_SIZE // 2)
    entry = AuditEntry.objects.get()
    assert (entry.before["logo"], entry.after["logo"]) == ("", org.logo.name)


def test_the_stored_logo_keeps_nothing_of_the_original_file_but_its_pixels(tenancy, post, media):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x0110] = "Secret phone"  # Model
    exif[0x0112] = 6  # Orientation: rotated 90°
    profile = b"\x00" * 128  # an (invalid but present) ICC profile
    original = image_bytes("JPEG", (300, 100), exif=exif.tobytes(), icc_profile=profile)
    assert b"Secret phone" in original
    assert post(logo=upload("photo.jpg", original, "image/jpeg")).status_code == 302
    org = Organisation.objects.get(pk=tenancy.org.pk)
    with default_storage.open(org.logo.name) as file:
        data = file.read()
    stored = Image.open(io.BytesIO(data))
    assert b"Secret phone" not in data and b"Camera maker" not in data
    assert dict(stored.getexif()) == {}
    assert "icc_profile" not in stored.info and "exif" not in stored.info
    assert stored.size == (100, 300)  # stood up according to its orientation


def test_transparency_is_kept(tenancy, post):
    png = image_bytes("PNG", (64, 64), mode="RGBA")
    assert post(logo=upload("logo.png", png)).status_code == 302
    org = Organisation.objects.get(pk=tenancy.org.pk)
    with default_storage.open(org.logo.name) as file:
        assert Image.open(file).mode == "RGBA"


BAD_UPLOADS = {  # name: (file, the message), each built when its test runs
    "text named .png": lambda: (
        upload("logo.png", b"This is not an image at all.\n", "image/png"),
        "This file is not a PNG, JPEG or WebP image.",
    ),
    "GIF": lambda: (
        upload("logo.gif", image_bytes("GIF", (64, 64)), "image/gif"),
        "Only PNG, JPEG or WebP images are accepted; this file is a GIF image.",
    ),
    "GIF named .png": lambda: (
        upload("logo.png", image_bytes("GIF", (64, 64)), "image/png"),
        "Only PNG, JPEG or WebP images are accepted; this file is a GIF image.",
    ),
    "more than 4000 pixels wide": lambda: (
        upload("wide.png", image_bytes("PNG", (4001, 10))),
        "The logo is 4001 by 10 pixels: it can be at most 4000 by 4000.",
    ),
    "a decompression bomb": lambda: (
        upload("bomb.png", png_header_only(30000, 30000)),
        "The image is far too big: a logo can be at most 4000 by 4000 pixels.",
    ),
    "over 2 MB": lambda: (
        upload("big.png", os.urandom(2 * 1024 * 1024 + 1)),
        "The logo is bigger than 2 MB: choose a smaller file.",
    ),
    "truncated PNG": lambda: (
        upload("cut.png", noise("PNG", (300, 300))[:100_000]),
        "This image is damaged or incomplete: export it again.",
    ),
    "truncated JPEG": lambda: (
        upload("cut.jpg", noise("JPEG", (300, 300))[:20_000], "image/jpeg"),
        "This image is damaged or incomplete: export it again.",
    ),
    "empty file": lambda: (upload("empty.png", b""), "The submitted file is empty."),
}


@pytest.mark.parametrize("case", sorted(BAD_UPLOADS))
def test_a_bad_upload_gets_a_clear_message_and_nothing_is_saved(tenancy, post, media, case):
    file, message = BAD_UPLOADS[case]()
    response = post(logo=file, name="A new name that must not be saved")
    assert response.status_code == 400
    assert response.context["form"].errors["logo"] == [message]
    assert message in response.content.decode().replace("&#x27;", "'")
    org = Organisation.objects.get(pk=tenancy.org.pk)
    assert org.name == "Cerámicas Prueba"
    assert not org.logo
    assert stored_files(media) == []
    assert not AuditEntry.objects.exists()


def test_a_bad_upload_keeps_the_current_logo(tenancy, post, media):
    post(logo=upload("logo.png", image_bytes("PNG", (64, 64))))
    before = Organisation.objects.get(pk=tenancy.org.pk).logo.name
    response = post(logo=upload("logo.png", b"not an image"))
    assert response.status_code == 400
    assert Organisation.objects.get(pk=tenancy.org.pk).logo.name == before
    assert stored_files(media) == [before]


def test_a_new_logo_replaces_the_old_file_and_removing_deletes_it(
    tenancy, post, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(logo=upload("one.png", image_bytes("PNG", (64, 64))))
    first = Organisation.objects.get(pk=tenancy.org.pk).logo.name
    with django_capture_on_commit_callbacks(execute=True):
        post(logo=upload("two.png", image_bytes("PNG", (64, 32))))
    second = Organisation.objects.get(pk=tenancy.org.pk).logo.name
    assert second != first
    assert stored_files(media) == [second]

    client = tenancy.client_for(tenancy.admin.user)
    page = client.get(f"/o/{tenancy.org.code}/profile/").content.decode()
    assert 'name="remove_logo"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = post(remove_logo="on")
    assert response.status_code == 302
    assert not Organisation.objects.get(pk=tenancy.org.pk).logo
    assert stored_files(media) == []
    assert [e.after["logo"] for e in AuditEntry.objects.order_by("at", "pk")] == [first, second, ""]


def test_a_new_logo_and_removing_at_once_is_refused(tenancy, post, media):
    post(logo=upload("one.png", image_bytes("PNG", (64, 64))))
    before = stored_files(media)
    response = post(logo=upload("two.png", image_bytes("PNG", (64, 32))), remove_logo="on")
    assert response.status_code == 400
    assert "remove_logo" in response.context["form"].errors
    assert stored_files(media) == before


# --- Where the logo shows -----------------------------------------------------------------


def test_the_logo_is_served_privately_to_the_organisations_people(tenancy, post):
    post(logo=upload("logo.png", image_bytes("PNG", (64, 64))))
    org = Organisation.objects.get(pk=tenancy.org.pk)
    response = tenancy.client_for(tenancy.employee.user).get(f"/o/{org.code}/logo.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=86400"
    assert Image.open(io.BytesIO(response.content)).size == (64, 64)
    outsider = tenancy.client_for(tenancy.outsider.user).get(f"/o/{org.code}/logo.png")
    assert outsider.status_code == 404


def test_without_a_logo_the_logo_route_points_at_coros_mark(tenancy):
    response = tenancy.client_for(tenancy.employee.user).get(f"/o/{tenancy.org.code}/logo.png")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.svg")


def test_the_header_shows_the_organisations_name_and_logo(tenancy, post):
    client = tenancy.client_for(tenancy.employee.user)
    html = client.get(f"/o/{tenancy.org.code}/program/").content.decode()
    assert 'class="org-brand"' in html and "Cerámicas Prueba</span>" in html
    assert "/logo.png" not in html
    post(logo=upload("logo.png", image_bytes("PNG", (64, 64))))
    org = Organisation.objects.get(pk=tenancy.org.pk)
    html = client.get(f"/o/{org.code}/program/").content.decode()
    assert f'src="/o/{org.code}/logo.png?v=' in html
    assert org.logo.name.split("/")[-1] in html


# --- The time zone ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "shown"), [("Europe/Madrid", "1 p.m."), ("America/New_York", "8 a.m.")]
)
def test_the_organisations_times_are_shown_in_its_time_zone(tenancy, zone, shown):
    Organisation.objects.filter(pk=tenancy.org.pk).update(time_zone=zone)
    TermsFactory(
        organisation=tenancy.org, version=2, published_at=datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    )
    client = tenancy.client_for(tenancy.admin.user)
    html = client.get(
        f"/o/{tenancy.org.code}/program/manage/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f"March 10, 2026, {shown}" in html
