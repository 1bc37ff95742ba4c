"""A post's images: uploaded through the editor (checked by content, at most 10 MB and 4 per
post, stored without metadata with smaller variants), described, reordered, removed with
their files, and served only to people who may see the post."""

import io
import os
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from PIL import Image

from coro.content.images import MAX_IMAGES_PER_POST, post_image_add, post_images_purge
from coro.content.models import LinkPreview, Post, PostImage
from testing.factories import MembershipFactory, PostFactory, PostImageFactory, TeamFactory

SECRETS = [b"Secret phone", b"Camera maker", b"GPS", b"Exif\x00\x00"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def photo(size=(2000, 1000), orientation=6) -> bytes:
    """A phone's JPEG: camera, GPS position and orientation in its EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x0110] = "Secret phone"
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (39.0, 28.0, 12.5)
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 20)).save(out, format="PNG")
    return out.getvalue()


def upload(content: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def add(post: Post, by, size=(300, 200), alt="Una foto") -> PostImage:
    return post_image_add(post=post, upload=io.BytesIO(png(size)), alt_text=alt, by=by)


@pytest.fixture
def draft(tenancy):
    return PostFactory(organisation=tenancy.org, status=Post.Status.DRAFT, published_at=None)


def url(tenancy, name: str, code: str) -> str:
    org = tenancy.org.code
    paths = {
        "add": f"/o/{org}/posts/{code}/images/",
        "serve": f"/o/{org}/post-images/{code}/",
        "alt": f"/o/{org}/post-images/{code}/alt/",
        "move": f"/o/{org}/post-images/{code}/move/",
        "remove": f"/o/{org}/post-images/{code}/remove/",
    }
    return paths[name]


def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


# --- Adding -------------------------------------------------------------------------------


def test_an_editor_adds_an_image_stored_without_metadata_with_variants(tenancy, draft, media):
    client = english(tenancy.client_for(tenancy.editor.user))
    original = photo()
    assert b"Secret phone" in original
    response = client.post(
        url(tenancy, "add", draft.code), {"image": upload(original), "alt_text": "  La tienda  "}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/o/{tenancy.org.code}/posts/{draft.code}/edit/"

    image = PostImage.objects.get(post=draft)
    assert (image.alt_text, image.position) == ("La tienda", 0)
    assert (image.width, image.height) == (1000, 2000)  # stood up by its orientation
    assert image.file.name == f"posts/{draft.code}/{image.code}-1000.jpg"
    assert image.variants == {
        "480": f"posts/{draft.code}/{image.code}-480.webp",
        "960": f"posts/{draft.code}/{image.code}-960.webp",
    }
    assert stored_files(media) == sorted([image.file.name, *image.variants.values()])
    for name in [image.file.name, *image.variants.values()]:
        with default_storage.open(name) as file:
            data = file.read()
        for secret in SECRETS:
            assert secret not in data, (name, secret)
        stored = Image.open(io.BytesIO(data))
        assert dict(stored.getexif()) == {}
        assert stored.height == stored.width * 2


def test_with_htmx_the_panel_comes_back_with_the_image(tenancy, draft):
    client = english(tenancy.client_for(tenancy.editor.user))
    response = client.post(
        url(tenancy, "add", draft.code),
        {"image": upload(png(), "a.png", "image/png"), "alt_text": "Un horno"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    image = PostImage.objects.get(post=draft)
    assert f'id="post-images-{draft.code}"' in html
    assert "The image is added." in html
    assert f'id="alt-{image.code}"' in html and "Un horno</textarea>" in html
    assert focused(html) == "The image is added."


def focused(html: str) -> str:
    """The text of the one element coro.js focuses once htmx has swapped the panel in."""
    found = re.findall(r"<(\w+)[^>]*\bdata-focus-after-swap\b[^>]*>(.*?)</\1>", html, re.S)
    assert len(found) == 1, found
    return found[0][1].strip()


def test_without_a_message_the_panel_focuses_its_heading(tenancy, draft, rf):
    with translation.override("en"):
        html = render_to_string(
            "content/_post_images.html",
            {"post": draft, "membership": tenancy.editor},
            request=rf.get("/"),
        )
    assert focused(html) == "Images"
    assert f'id="post-images-{draft.code}-title" tabindex="-1"' in html


BAD = {  # name: (upload, the message)
    "over 10 MB": lambda: (
        upload(os.urandom(10 * 1024 * 1024 + 1)),
        "The image is bigger than 10 MB: choose a smaller file.",
    ),
    "not an image": lambda: (
        upload(b"%PDF-1.4 not an image", "photo.jpg"),
        "This file is not an image Coro accepts (JPEG, PNG, WebP or GIF).",
    ),
    "an SVG": lambda: (
        upload(b'<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.svg", "image/svg+xml"),
        "This file is not an image Coro accepts (JPEG, PNG, WebP or GIF).",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_bad_upload_is_refused_with_its_message_and_nothing_is_stored(
    tenancy, draft, media, case, htmx
):
    client = english(tenancy.client_for(tenancy.editor.user))
    file, message = BAD[case]()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(
        url(tenancy, "add", draft.code),
        {"image": file, "alt_text": "Algo"},
        follow=not htmx,
        **headers,
    )
    html = response.content.decode().replace("&#x27;", "'")
    if htmx:
        assert response.status_code == 400
        assert message in html
        assert "Algo</textarea>" in html  # what was typed is kept
        assert focused(html) == "The image is not added: see why below."
    else:
        assert [str(m) for m in response.context["messages"]] == [message]
    assert not PostImage.objects.exists()
    assert stored_files(media) == []


def test_an_image_needs_a_description(tenancy, draft, media):
    client = english(tenancy.client_for(tenancy.editor.user))
    response = client.post(
        url(tenancy, "add", draft.code),
        {"image": upload(png(), "a.png", "image/png"), "alt_text": "   "},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "Describe the image for people who cannot see it." in response.content.decode()
    assert not PostImage.objects.exists()
    assert stored_files(media) == []


def test_a_fifth_image_is_refused(tenancy, draft, media):
    for _ in range(MAX_IMAGES_PER_POST):
        add(draft, tenancy.editor)
    before = stored_files(media)
    client = english(tenancy.client_for(tenancy.editor.user))
    response = client.post(
        url(tenancy, "add", draft.code),
        {"image": upload(png(), "a.png", "image/png"), "alt_text": "Otra"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "A post can have at most 4 images: remove one first." in response.content.decode()
    assert draft.images.count() == MAX_IMAGES_PER_POST
    assert stored_files(media) == before
    assert list(draft.images.values_list("position", flat=True)) == [0, 1, 2, 3]


def test_an_employee_cannot_add_images_to_a_post(tenancy, media):
    published = PostFactory(organisation=tenancy.org)
    client = tenancy.client_for(tenancy.employee.user)
    data = {"image": upload(png(), "a.png", "image/png"), "alt_text": "Mía"}
    assert client.post(url(tenancy, "add", published.code), data).status_code == 403
    draft = PostFactory(organisation=tenancy.org, status=Post.Status.DRAFT, published_at=None)
    data["image"] = upload(png(), "a.png", "image/png")
    assert client.post(url(tenancy, "add", draft.code), data).status_code == 404
    assert not PostImage.objects.exists()
    assert stored_files(media) == []


def test_the_proposer_manages_images_while_the_proposal_is_in_review(tenancy, media):
    proposal = PostFactory(
        organisation=tenancy.org,
        status=Post.Status.IN_REVIEW,
        published_at=None,
        proposed_by=tenancy.employee,
    )
    client = english(tenancy.client_for(tenancy.employee.user))
    back = f"/o/{tenancy.org.code}/proposals/{proposal.code}/"
    response = client.post(
        url(tenancy, "add", proposal.code),
        {"image": upload(png(), "a.png", "image/png"), "alt_text": "Mi foto", "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    image = proposal.images.get()
    assert client.get(url(tenancy, "serve", image.code)).status_code == 200

    # Someone else's proposal in review: seen (its page is open to every member), not managed.
    other = english(tenancy.client_for(MembershipFactory(organisation=tenancy.org).user))
    assert other.get(url(tenancy, "serve", image.code)).status_code == 200
    assert other.post(url(tenancy, "alt", image.code), {"alt_text": "X"}).status_code == 403

    # Declined: back with its proposer only, who still sees and manages its images.
    Post.objects.filter(pk=proposal.pk).update(status=Post.Status.DECLINED)
    assert other.get(url(tenancy, "serve", image.code)).status_code == 404
    assert other.post(url(tenancy, "alt", image.code), {"alt_text": "X"}).status_code == 404
    assert client.get(url(tenancy, "serve", image.code)).status_code == 200
    assert client.post(url(tenancy, "alt", image.code), {"alt_text": "Mi foto"}).status_code == 302

    # Once published, the proposer sees the image but no longer manages it.
    Post.objects.filter(pk=proposal.pk).update(status=Post.Status.PUBLISHED)
    assert client.post(url(tenancy, "alt", image.code), {"alt_text": "X"}).status_code == 403
    assert client.post(url(tenancy, "remove", image.code)).status_code == 403
    assert proposal.images.get().alt_text == "Mi foto"


def test_next_must_be_a_local_address(tenancy, draft):
    client = tenancy.client_for(tenancy.editor.user)
    image = add(draft, tenancy.editor)
    for unsafe in ["https://example.org/", "//example.org/x", "javascript:alert(1)"]:
        response = client.post(
            url(tenancy, "alt", image.code), {"alt_text": "Otra", "next": unsafe}
        )
        assert response["Location"] == f"/o/{tenancy.org.code}/posts/{draft.code}/edit/"


# --- Describing, reordering, removing -----------------------------------------------------


def test_the_description_is_changed_and_an_empty_one_refused(tenancy, draft):
    image = add(draft, tenancy.editor, alt="Antes")
    client = english(tenancy.client_for(tenancy.editor.user))
    response = client.post(url(tenancy, "alt", image.code), {"alt_text": "Después"})
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.alt_text == "Después"
    response = client.post(
        url(tenancy, "alt", image.code), {"alt_text": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Describe the image for people who cannot see it." in html
    assert f'aria-describedby="alt-{image.code}-error"' in html
    assert focused(html) == "The description is not saved: see why below."
    image.refresh_from_db()
    assert image.alt_text == "Después"


def test_images_are_moved_earlier_and_later(tenancy, draft):
    first, second, third = (add(draft, tenancy.editor, alt=a) for a in ["A", "B", "C"])
    client = tenancy.client_for(tenancy.editor.user)

    def order():
        return list(draft.images.values_list("alt_text", flat=True))

    client.post(url(tenancy, "move", third.code), {"direction": "up"})
    assert order() == ["A", "C", "B"]
    client.post(url(tenancy, "move", first.code), {"direction": "down"}, HTTP_HX_REQUEST="true")
    assert order() == ["C", "A", "B"]
    client.post(url(tenancy, "move", third.code), {"direction": "up"})  # already first
    assert order() == ["C", "A", "B"]
    response = client.post(url(tenancy, "move", second.code), {"direction": "sideways"})
    assert response.status_code == 302
    assert order() == ["C", "A", "B"]
    assert list(draft.images.values_list("position", flat=True)) == [0, 1, 2]


def test_removing_asks_first_then_deletes_the_files(
    tenancy, draft, media, django_capture_on_commit_callbacks
):
    keep = add(draft, tenancy.editor, size=(1200, 600), alt="Se queda")
    gone = add(draft, tenancy.editor, size=(1200, 600), alt="Se va")
    kept_files = sorted([keep.file.name, *keep.variants.values()])
    assert len(stored_files(media)) == 6
    client = english(tenancy.client_for(tenancy.editor.user))

    page = client.get(url(tenancy, "remove", gone.code))
    assert page.status_code == 200
    assert "Remove this image?" in page.content.decode()
    assert PostImage.objects.filter(pk=gone.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(tenancy, "remove", gone.code))
    assert response.status_code == 302
    assert list(draft.images.all()) == [keep]
    assert stored_files(media) == kept_files


def test_purging_a_posts_images_deletes_their_files(
    tenancy, draft, media, django_capture_on_commit_callbacks
):
    add(draft, tenancy.editor, size=(1000, 500))
    add(draft, tenancy.editor)
    other = add(PostFactory(organisation=tenancy.org), tenancy.editor)
    with django_capture_on_commit_callbacks(execute=True):
        post_images_purge(post=draft)
    assert not draft.images.exists()
    assert stored_files(media) == [other.file.name]


# --- Serving ------------------------------------------------------------------------------


def test_an_image_is_served_with_its_type_and_long_private_caching(tenancy):
    post = PostFactory(organisation=tenancy.org)
    image = add(post, tenancy.editor, size=(1200, 600))
    client = tenancy.client_for(tenancy.employee.user)

    response = client.get(url(tenancy, "serve", image.code))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (1200, 600)

    response = client.get(url(tenancy, "serve", image.code) + "?w=480")
    assert response["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (480, 240)

    for width in ["1600", "123", "abc", "-1"]:  # no such variant
        assert client.get(url(tenancy, "serve", image.code) + f"?w={width}").status_code == 404


def test_an_employee_cannot_see_a_drafts_image_but_an_editor_can(tenancy, draft):
    image = add(draft, tenancy.editor)
    employee = tenancy.client_for(tenancy.employee.user)
    assert employee.get(url(tenancy, "serve", image.code)).status_code == 404
    editor = tenancy.client_for(tenancy.editor.user)
    assert editor.get(url(tenancy, "serve", image.code)).status_code == 200


def test_another_organisation_never_gets_an_image(tenancy):
    image = add(PostFactory(organisation=tenancy.org), tenancy.editor)
    outsider = tenancy.client_for(tenancy.outsider.user)
    assert outsider.get(url(tenancy, "serve", image.code)).status_code == 404
    # Their own organisation's address, this organisation's image.
    own = f"/o/{tenancy.other_org.code}/post-images/{image.code}/"
    assert outsider.get(own).status_code == 404


def _preview_with_image(post: Post) -> str:
    """A ready link preview with its image stored; the address of that image."""
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 20, 30)).save(out, format="JPEG")
    name = default_storage.save(f"previews/{post.code}.jpg", ContentFile(out.getvalue()))
    LinkPreview.objects.create(
        post=post, url=post.link, status=LinkPreview.Status.READY, title="T", image=name
    )
    return f"/o/{post.organisation.code}/posts/{post.code}/preview.jpg"


def _post_in(case: str, tenancy) -> Post:
    now = timezone.now()
    if case == "proposal in review":
        return PostFactory(
            organisation=tenancy.org,
            status=Post.Status.IN_REVIEW,
            published_at=None,
            proposed_by=MembershipFactory(organisation=tenancy.org),
        )
    if case == "scheduled and due":  # live before the minute's job publishes it
        return PostFactory(
            organisation=tenancy.org,
            status=Post.Status.SCHEDULED,
            published_at=None,
            publish_at=now - timedelta(minutes=1),
        )
    if case == "for another team":
        post = PostFactory(organisation=tenancy.org)
        post.teams.set([TeamFactory(organisation=tenancy.org)])
        return post
    if case == "expired":  # before the job archives it
        return PostFactory(
            organisation=tenancy.org,
            published_at=now - timedelta(days=2),
            expire_at=now - timedelta(minutes=1),
        )
    raise AssertionError(case)


@pytest.mark.parametrize(
    ("case", "employee_sees"),
    [
        ("proposal in review", True),
        ("scheduled and due", True),
        ("for another team", False),
        ("expired", False),
    ],
)
def test_images_follow_the_posts_page(tenancy, case, employee_sees):
    """A post's images and its link preview's image answer whoever may open the post's page
    (feed.posts_viewable), and nobody else; editors see every post."""
    post = _post_in(case, tenancy)
    image = PostImageFactory(post=post, files=True)
    preview_url = _preview_with_image(post)
    page_url = f"/o/{tenancy.org.code}/posts/{post.code}/"
    employee = tenancy.client_for(tenancy.employee.user)
    expected = 200 if employee_sees else 404
    assert employee.get(page_url).status_code == expected
    assert employee.get(url(tenancy, "serve", image.code)).status_code == expected
    assert employee.get(preview_url).status_code == expected
    editor = tenancy.client_for(tenancy.editor.user)
    assert editor.get(url(tenancy, "serve", image.code)).status_code == 200
    assert editor.get(preview_url).status_code == 200


def test_an_image_whose_file_is_gone_is_a_404(tenancy, media):
    image = add(PostFactory(organisation=tenancy.org), tenancy.editor)
    default_storage.delete(image.file.name)
    client = tenancy.client_for(tenancy.employee.user)
    assert client.get(url(tenancy, "serve", image.code)).status_code == 404


# --- Where images show --------------------------------------------------------------------


def test_the_gallery_gives_each_image_its_widths_size_and_description(tenancy):
    post = PostFactory(organisation=tenancy.org)
    big = add(post, tenancy.editor, size=(2000, 1000), alt="Nuestro horno")
    small = add(post, tenancy.editor, size=(300, 200), alt="Una taza")
    html = render_to_string(
        "content/_post_gallery.html", {"post": post, "membership": tenancy.employee}
    )
    base = f"/o/{tenancy.org.code}/post-images/{big.code}/"
    assert (
        f'srcset="{base}?w=480 480w, {base}?w=960 960w, {base}?w=1600 1600w, {base} 2000w"' in html
    )
    assert 'width="2000" height="1000" alt="Nuestro horno"' in html
    small_base = f"/o/{tenancy.org.code}/post-images/{small.code}/"
    assert f'src="{small_base}"' in html and f'srcset="{small_base} 300w"' in html
    assert html.count("max-width:100%;height:auto") == 2
    assert 'sizes="' in html


def test_the_gallery_of_a_post_without_images_is_empty(tenancy):
    post = PostFactory(organisation=tenancy.org)
    html = render_to_string(
        "content/_post_gallery.html", {"post": post, "membership": tenancy.employee}
    )
    assert html.strip() == ""


def test_the_post_editor_shows_the_images_panel(tenancy, draft):
    image = add(draft, tenancy.editor, alt="Una foto del taller")
    client = english(tenancy.client_for(tenancy.editor.user))
    html = client.get(f"/o/{tenancy.org.code}/posts/{draft.code}/edit/").content.decode()
    assert f'id="post-images-{draft.code}"' in html
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "Una foto del taller</textarea>" in html
    assert f"/post-images/{image.code}/remove/?next=" in html


def test_the_feed_and_the_posts_page_show_its_images(tenancy):
    post = PostFactory(organisation=tenancy.org)
    image = add(post, tenancy.editor, size=(1000, 500), alt="Nuestro horno nuevo")
    client = tenancy.client_for(tenancy.employee.user)
    for page in [f"/o/{tenancy.org.code}/", f"/o/{tenancy.org.code}/posts/{post.code}/"]:
        html = client.get(page).content.decode()
        assert f"/post-images/{image.code}/?w=480 480w" in html, page
        assert 'width="1000" height="500" alt="Nuestro horno nuevo"' in html, page
