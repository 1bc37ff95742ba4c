"""Link previews: what a post's link shows when shared (its Open Graph title, description and
image), fetched in the background through the SSRF-safe fetcher (``coro.core.fetch``).

``preview_request`` is called whenever a post is saved; ``preview_fetch`` runs in the task.
A preview is only ever written for the link it was asked for: if the post's link changed
meanwhile, the fetch's result is dropped.
"""

import codecs
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from coro.content.models import LinkPreview, Post
from coro.content.tasks import link_preview_fetch
from coro.content.texts import text_shorten
from coro.core.fetch import FetchError, fetch
from coro.core.images import ImageError, image_prepare

PAGE_TYPES = ("text/html", "application/xhtml+xml")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
IMAGE_MAX_BYTES = 5 * 1024 * 1024
# Stored images are re-encoded (no metadata) and at most this many pixels a side.
IMAGE_FIT = 1200
TITLE_MAX = LinkPreview._meta.get_field("title").max_length or 300
DESCRIPTION_MAX = 1000
# How far into a page a <meta charset> is looked for (as browsers do).
SNIFF_BYTES = 4096


# --- Reading a page -----------------------------------------------------------------------


@dataclass
class PageInfo:
    title: str = ""
    description: str = ""
    image: str = ""  # as the page wrote it: may be relative


@dataclass
class _Collected:
    meta: dict[str, str] = field(default_factory=dict)  # first value of each property/name
    title: list[str] = field(default_factory=list)
    charset: str = ""


class _PageParser(HTMLParser):
    """Collects <meta property|name=... content=...>, <meta charset> and the <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = _Collected()
        self._in_title = False
        self._title_done = False
        self._in_svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "svg":
            self._in_svg += 1
        elif tag == "title" and not self._in_svg and not self._title_done:
            self._in_title = True
        elif tag == "meta":
            if values.get("charset") and not self.found.charset:
                self.found.charset = values["charset"].strip()
            equiv = values.get("http-equiv", "").lower()
            if equiv == "content-type" and not self.found.charset:
                _media, _sep, params = values.get("content", "").partition(";")
                key, _eq, value = params.partition("=")
                if key.strip().lower() == "charset":
                    self.found.charset = value.strip().strip("\"'")
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and "content" in values and key not in self.found.meta:
                self.found.meta[key] = values["content"]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "svg":
            self._in_svg -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self._in_svg:
            self._in_svg -= 1
        elif tag == "title" and self._in_title:
            self._in_title = False
            self._title_done = True

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.found.title.append(data)


def _tidy(text: str, limit: int) -> str:
    """One line of text, at most ``limit`` characters."""
    return text_shorten(" ".join(text.split()), limit)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def page_decode(body: bytes, charset: str | None) -> str:
    """The page's text: in the charset the server gave, else the one the page declares in its
    first bytes, else UTF-8; undecodable bytes become replacement characters."""
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    encoding = _codec(charset)
    if encoding is None:
        sniffer = _PageParser()
        sniffer.feed(body[:SNIFF_BYTES].decode("ascii", errors="replace"))
        encoding = _codec(sniffer.found.charset) or "utf-8"
    return body.decode(encoding, errors="replace")


def page_info(html: str) -> PageInfo:
    """Title, description and image of a page: Open Graph first, then Twitter's tags, then
    the page's own <title> and description."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    meta = parser.found.meta

    def first(*keys: str) -> str:
        for key in keys:
            value = " ".join(meta.get(key, "").split())
            if value:
                return value
        return ""

    return PageInfo(
        title=_tidy(first("og:title", "twitter:title") or "".join(parser.found.title), TITLE_MAX),
        description=_tidy(
            first("og:description", "twitter:description", "description"), DESCRIPTION_MAX
        ),
        image=first(
            "og:image:secure_url", "og:image", "og:image:url", "twitter:image", "twitter:image:src"
        ),
    )


# --- Services -----------------------------------------------------------------------------


def _delete_file(name: str) -> None:
    if name:
        default_storage.delete(name)


def preview_request(*, post: Post) -> None:
    """Ask for a fresh preview of the post's link (fetched once the transaction commits);
    a post without a link loses its preview. Call it whenever a post is saved."""
    current = LinkPreview.objects.filter(post=post).first()
    if not post.link:
        if current is not None:
            _delete_file(current.image.name)
            current.delete()
        return
    if (
        current is not None
        and current.url == post.link
        and current.status != LinkPreview.Status.FAILED
    ):
        return  # the same link, already fetched or on its way
    if current is not None:
        _delete_file(current.image.name)
    preview = current or LinkPreview(post=post)
    preview.url = post.link
    preview.status = LinkPreview.Status.PENDING
    preview.title = preview.description = preview.error = ""
    preview.image.name = ""
    preview.fetched_at = None
    preview.full_clean(validate_unique=False)
    preview.save()
    post_id = post.pk
    transaction.on_commit(lambda: link_preview_fetch.enqueue(post_id))


def _image_store(page_url: str, image_url: str, post: Post) -> str:
    """Fetch the page's image and store it re-encoded, without metadata; its file name, or ""
    when there is no usable image (a preview without an image is still a preview)."""
    if not image_url:
        return ""
    absolute = urljoin(page_url, image_url)
    try:
        got = fetch(absolute, accept=IMAGE_TYPES, max_bytes=IMAGE_MAX_BYTES)
        prepared = image_prepare(
            got.body, max_bytes=IMAGE_MAX_BYTES, fit=IMAGE_FIT, output_format="JPEG"
        )
    except (FetchError, ImageError):
        return ""
    return default_storage.save(f"previews/{post.code}.jpg", ContentFile(prepared.data))


def preview_fetch(*, post_id: int) -> LinkPreview | None:
    """Fetch the preview of a post's link and store it (ready or failed). Safe to run twice:
    only a pending preview for the post's current link is fetched and written."""
    preview = LinkPreview.objects.select_related("post").filter(post_id=post_id).first()
    if preview is None:
        return None
    post = preview.post
    if preview.url != post.link or preview.status != LinkPreview.Status.PENDING:
        return None
    url = preview.url
    title = description = error = image_name = ""
    try:
        page = fetch(url, accept=PAGE_TYPES)
    except FetchError as exc:
        status, error = LinkPreview.Status.FAILED, str(exc)
    else:
        info = page_info(page_decode(page.body, page.charset))
        title, description = info.title, info.description
        image_name = _image_store(page.url, info.image, post)
        status = LinkPreview.Status.READY
    with transaction.atomic():
        # Written only if nothing changed meanwhile: the same link, still pending.
        written = LinkPreview.objects.filter(
            pk=preview.pk, url=url, status=LinkPreview.Status.PENDING, post__link=url
        ).update(
            status=status,
            title=title,
            description=description,
            image=image_name,
            error=error,
            fetched_at=timezone.now(),
        )
    if not written:
        _delete_file(image_name)
        return None
    preview.refresh_from_db()
    return preview
