"""Link previews, fetched from real local HTTP servers (allowed through FETCH_TEST_ALLOW)."""

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from PIL import Image

from coro.content import previews
from coro.content.models import LinkPreview, Post
from coro.content.previews import page_decode, page_info, preview_fetch, preview_request
from coro.content.tasks import link_preview_fetch
from coro.core.fetch import fetch
from coro.core.tests.test_fetch import LocalServer, answer
from testing.factories import PostFactory
from testing.tenancy import Tenancy

ARTICLE = b"""<!doctype html><html><head>
<title>Plain title</title>
<meta property="og:title" content="Nuestra  nueva tienda &amp; taller">
<meta property="og:description" content="Abrimos en   Valencia.">
<meta property="og:image" content="/img/photo.jpg">
<meta name="description" content="Not this one">
</head><body><h1>Hola</h1></body></html>"""

PLAIN = """<html><head><meta charset="windows-1252">
<title> Cañón   de azulejos </title>
<meta name="description" content="Piezas únicas">
<meta name="twitter:image" content="photo.jpg">
</head><body></body></html>""".encode("cp1252")


def photo_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 80, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "LeakySoftware"  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def serve() -> Iterator[Callable[[], LocalServer]]:
    """Start local HTTP servers (loopback), stopped after the test."""
    servers: list[LocalServer] = []

    def start() -> LocalServer:
        servers.append(LocalServer())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def site(serve: Callable[[], LocalServer], settings: Any, media: Path) -> LocalServer:
    server = serve()
    server.routes["/article"] = answer(ARTICLE)
    server.routes["/img/photo.jpg"] = answer(photo_with_exif(), content_type="image/jpeg")
    server.routes["/plain/page"] = answer(PLAIN, content_type="text/html")
    server.routes["/plain/photo.jpg"] = answer(photo_with_exif(), content_type="image/jpeg")
    server.routes["/report.pdf"] = answer(b"%PDF-1.4", content_type="application/pdf")
    settings.FETCH_TEST_ALLOW = [server.endpoint]
    return server


def post_linking(tenancy: Tenancy, url: str, **kwargs: Any) -> Post:
    return PostFactory.create(organisation=tenancy.org, link=url, **kwargs)


def request_and_run(post: Post, capture: Any) -> LinkPreview:
    """preview_request, then the task it enqueues on commit (run inline in tests)."""
    with capture(execute=True):
        preview_request(post=post)
    return LinkPreview.objects.get(post=post)


def test_a_page_with_open_graph_gives_a_ready_preview(
    tenancy: Tenancy, site: LocalServer, django_capture_on_commit_callbacks: Any
) -> None:
    post = post_linking(tenancy, site.url("/article"))
    preview = request_and_run(post, django_capture_on_commit_callbacks)
    assert preview.status == LinkPreview.Status.READY
    assert preview.title == "Nuestra nueva tienda & taller"
    assert preview.description == "Abrimos en Valencia."
    assert preview.error == ""
    assert preview.fetched_at is not None
    assert site.hits == ["/article", "/img/photo.jpg"]
    # The image is stored re-encoded, with nothing of the original's metadata.
    data = default_storage.open(preview.image.name).read()
    assert b"SecretCam" not in data and b"LeakySoftware" not in data
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG"
    assert stored.size == (64, 48)
    assert not stored.getexif()
    assert "exif" not in stored.info


def test_a_page_without_open_graph_falls_back(
    tenancy: Tenancy, site: LocalServer, django_capture_on_commit_callbacks: Any
) -> None:
    post = post_linking(tenancy, site.url("/plain/page"))
    preview = request_and_run(post, django_capture_on_commit_callbacks)
    assert preview.status == LinkPreview.Status.READY
    assert preview.title == "Cañón de azulejos"  # decoded as the page's <meta charset> says
    assert preview.description == "Piezas únicas"
    assert preview.image  # twitter:image, relative to the page's address
    assert "/plain/photo.jpg" in site.hits


def test_a_link_that_is_not_a_page_fails_with_a_clear_error(
    tenancy: Tenancy, site: LocalServer, django_capture_on_commit_callbacks: Any
) -> None:
    post = post_linking(tenancy, site.url("/report.pdf"))
    with translation.override("en"):
        preview = request_and_run(post, django_capture_on_commit_callbacks)
    assert preview.status == LinkPreview.Status.FAILED
    assert preview.error == "The address did not answer with a web page (it sent application/pdf)."
    assert preview.title == "" and not preview.image


def test_a_refused_address_fails_and_is_never_asked(
    tenancy: Tenancy, serve: Callable[[], LocalServer], django_capture_on_commit_callbacks: Any
) -> None:
    server = serve()  # not allowed: loopback, as any private address, is refused
    server.routes["/"] = answer(ARTICLE)
    post = post_linking(tenancy, server.url("/"))
    preview = request_and_run(post, django_capture_on_commit_callbacks)
    assert preview.status == LinkPreview.Status.FAILED
    assert preview.error
    assert server.hits == []


def test_the_task_run_twice_is_fine(
    tenancy: Tenancy, site: LocalServer, django_capture_on_commit_callbacks: Any
) -> None:
    post = post_linking(tenancy, site.url("/article"))
    preview = request_and_run(post, django_capture_on_commit_callbacks)
    hits = list(site.hits)
    link_preview_fetch.enqueue(post.pk)
    assert preview_fetch(post_id=post.pk) is None
    again = LinkPreview.objects.get(post=post)
    assert site.hits == hits  # nothing fetched again
    assert (again.status, again.title, again.image.name) == (
        preview.status,
        preview.title,
        preview.image.name,
    )
    assert default_storage.exists(again.image.name)


def test_a_link_changed_before_the_fetch_is_ignored(tenancy: Tenancy, site: LocalServer) -> None:
    post = post_linking(tenancy, site.url("/article"))
    preview_request(post=post)  # the task would run on commit, which never comes here
    Post.objects.filter(pk=post.pk).update(link=site.url("/plain/page"))
    assert preview_fetch(post_id=post.pk) is None
    assert LinkPreview.objects.get(post=post).status == LinkPreview.Status.PENDING
    assert site.hits == []


def test_a_link_changed_during_the_fetch_is_ignored(
    tenancy: Tenancy, site: LocalServer, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = post_linking(tenancy, site.url("/article"))
    preview_request(post=post)

    def fetch_while_edited(url: str, **kwargs: Any) -> Any:
        Post.objects.filter(pk=post.pk).update(link=site.url("/plain/page"))
        return fetch(url, **kwargs)

    monkeypatch.setattr(previews, "fetch", fetch_while_edited)
    assert preview_fetch(post_id=post.pk) is None
    preview = LinkPreview.objects.get(post=post)
    assert preview.status == LinkPreview.Status.PENDING and preview.title == ""
    assert not any(media.rglob("*.jpg"))  # the fetched image was not kept


def test_a_new_link_resets_the_preview_and_no_link_removes_it(
    tenancy: Tenancy, site: LocalServer, django_capture_on_commit_callbacks: Any
) -> None:
    post = post_linking(tenancy, site.url("/article"))
    old = request_and_run(post, django_capture_on_commit_callbacks)
    post.link = site.url("/report.pdf")
    post.save(update_fields=["link"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        preview_request(post=post)
    assert len(callbacks) == 1
    reset = LinkPreview.objects.get(post=post)
    assert (reset.url, reset.status, reset.title, reset.image.name) == (
        site.url("/report.pdf"),
        LinkPreview.Status.PENDING,
        "",
        "",
    )
    assert not default_storage.exists(old.image.name)
    post.link = ""
    post.save(update_fields=["link"])
    preview_request(post=post)
    assert not LinkPreview.objects.filter(post=post).exists()


def test_the_same_link_saved_again_is_not_fetched_again(
    tenancy: Tenancy, site: LocalServer, django_capture_on_commit_callbacks: Any
) -> None:
    post = post_linking(tenancy, site.url("/article"))
    request_and_run(post, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        preview_request(post=post)
    assert callbacks == []


# --- Reading pages ------------------------------------------------------------------------


def test_texts_are_trimmed_to_the_models_sizes() -> None:
    html = f'<meta property="og:title" content="{"palabra " * 100}">'
    html += f'<meta property="og:description" content="{"x" * 5000}">'
    info = page_info(html)
    assert len(info.title) <= 300 and info.title.endswith("…")
    assert len(info.description) <= previews.DESCRIPTION_MAX


def test_the_title_inside_an_svg_is_not_the_pages() -> None:
    html = "<svg><title>icon</title></svg><title>Page</title>"
    assert page_info(html).title == "Page"


@pytest.mark.parametrize(
    ("body", "charset", "text"),
    [
        ("Año".encode("latin-1"), "iso-8859-1", "Año"),
        ('<meta charset="windows-1252">Año'.encode("cp1252"), None, "Año"),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=latin-1">Año'.encode(
                "latin-1"
            ),
            None,
            "Año",
        ),
        ("Año".encode(), None, "Año"),
        (b"A\xffo", "utf-8", "A\ufffdo"),
        ("Año".encode(), "no-such-charset", "Año"),
    ],
)
def test_pages_are_decoded(body: bytes, charset: str | None, text: str) -> None:
    assert page_decode(body, charset).endswith(text)


# --- The card and its image -----------------------------------------------------------------


def test_the_card_shows_a_ready_preview_only(
    tenancy: Tenancy, site: LocalServer, django_capture_on_commit_callbacks: Any
) -> None:
    post = post_linking(tenancy, site.url("/article"))
    preview = request_and_run(post, django_capture_on_commit_callbacks)
    html = render_to_string(
        "content/_link_card.html", {"preview": preview, "membership": tenancy.employee}
    )
    assert "Nuestra nueva tienda &amp; taller" in html
    assert 'alt=""' in html
    assert reverse("content:link_preview_image", args=[tenancy.org.code, post.code]) in html
    assert "127.0.0.1" in html  # the site
    preview.status = LinkPreview.Status.PENDING
    html = render_to_string("content/_link_card.html", {"preview": preview})
    assert html.strip() == ""
    assert render_to_string("content/_link_card.html", {"preview": None}).strip() == ""


def test_the_preview_image_is_served_to_who_may_see_the_post(
    tenancy: Tenancy, site: LocalServer, django_capture_on_commit_callbacks: Any
) -> None:
    post = post_linking(tenancy, site.url("/article"))
    request_and_run(post, django_capture_on_commit_callbacks)
    url = reverse("content:link_preview_image", args=[tenancy.org.code, post.code])
    response = tenancy.client_for(tenancy.employee.user).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).format == "JPEG"
    assert tenancy.client_for(tenancy.outsider.user).get(url).status_code == 404
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    assert tenancy.client_for(tenancy.employee.user).get(url).status_code == 404
    assert tenancy.client_for(tenancy.editor.user).get(url).status_code == 200


def test_no_preview_image_is_404(tenancy: Tenancy) -> None:
    post = PostFactory.create(organisation=tenancy.org)
    url = reverse("content:link_preview_image", args=[tenancy.org.code, post.code])
    assert tenancy.client_for(tenancy.editor.user).get(url).status_code == 404
