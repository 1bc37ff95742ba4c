"""Blog feeds: new items of the company blog become draft posts, never twice, and a broken
feed (malformed XML, a wrong encoding, a huge item, not a feed) makes NO post and says why on
the feed's settings page. Feeds are served by a real HTTP server on 127.0.0.1."""

import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.html import escape
from django.utils.translation import get_language
from PIL import Image

from coro.content import blog
from coro.content.blog import blog_feed_add, blog_feed_check, blog_feeds_check_all
from coro.content.blog_errors import blog_error_code, blog_error_message
from coro.content.blog_parse import BODY_KEEP, ITEM_TEXT_MAX, feed_parse
from coro.content.models import BlogFeed, BlogFeedItem, LinkPreview, Post
from coro.content.texts import html_to_text
from coro.core.periodic import JOBS
from testing.factories import BlogFeedFactory

DATA = Path(__file__).parent / "data"
RSS = "application/rss+xml"


@dataclass
class FeedServer:
    """A local web server answering each path with (status, content type, body)."""

    base: str
    routes: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def serve(self, path: str, body: bytes, content_type: str = RSS, status: int = 200) -> str:
        self.routes[path] = (status, content_type, body)
        return self.base + path

    def fixture(self, name: str, content_type: str = RSS) -> str:
        return self.serve("/" + name, (DATA / name).read_bytes(), content_type)


@pytest.fixture
def server(settings) -> Iterator[FeedServer]:
    routes: dict[str, tuple[int, str, bytes]] = {}
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            status, content_type, body = routes.get(self.path, (404, "text/plain", b"no"))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
    try:
        yield FeedServer(base=f"http://127.0.0.1:{port}", routes=routes, hits=hits)
    finally:
        httpd.shutdown()
        httpd.server_close()


def rss(*items: str, title: str = "Blog") -> bytes:
    body = "".join(items)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title>{body}</channel></rss>"
    ).encode()


def item(n: int, *, description: str = "Texto.", day: int = 1) -> str:
    return (
        f"<item><title>Artículo {n}</title><link>https://turia.example/blog/{n}</link>"
        f"<guid>post-{n}</guid><pubDate>{day:02d} Jan 2024 09:{n % 60:02d}:00 GMT</pubDate>"
        f"<description>{description}</description></item>"
    )


def client_of(user, language: str = "en") -> Client:
    """A logged-in client reading pages in ``language`` (English: the words asserted below;
    Spanish is the default language)."""
    client = Client()
    client.force_login(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def feed_for(tenancy, url: str, language: str = "es") -> BlogFeed:
    return BlogFeedFactory.create(organisation=tenancy.org, url=url, language=language)


def page_of(tenancy, language: str = "en") -> str:
    client = client_of(tenancy.admin.user, language)
    response = client.get(f"/o/{tenancy.org.code}/settings/blog-feeds/")
    assert response.status_code == 200
    return response.content.decode()


def drafts(tenancy) -> list[Post]:
    return list(Post.objects.filter(organisation=tenancy.org).order_by("created_at", "pk"))


# --- Feeds that work ----------------------------------------------------------------------


def test_rss_items_become_drafts(tenancy, server):
    feed = feed_for(tenancy, server.fixture("rss.xml"), language="ca")

    assert blog_feed_check(feed_id=feed.pk) == 2

    posts = drafts(tenancy)
    assert [p.texts["ca"]["title"] for p in posts] == [
        "Cerámica y diseño: año nuevo",
        "Abrimos tienda en Castelló",
    ]
    newest = posts[1]
    assert newest.status == Post.Status.DRAFT
    assert newest.language == "ca"
    assert newest.author is None
    assert newest.link == "https://turia.example/blog/tienda-castello"
    assert newest.texts["ca"]["body"] == (
        "La nueva tienda está en la plaza Mayor & abre el lunes.\n\nOs esperamos."
    )
    assert "alert" not in newest.texts["ca"]["body"]
    assert newest.search_text == Post.search_text_for(newest.texts)
    feed.refresh_from_db()
    assert feed.last_error == ""
    assert feed.last_ok_at is not None and feed.last_checked_at is not None
    assert feed.title == "El blog de Azulejos Turia"
    # The javascript: item is left out, and not marked as taken.
    assert BlogFeedItem.objects.filter(feed=feed).count() == 2


def test_atom_entries_become_drafts(tenancy, server):
    feed = feed_for(tenancy, server.fixture("atom.xml", "application/atom+xml"))

    assert blog_feed_check(feed_id=feed.pk) == 2

    by_link = {p.link: p.texts["es"] for p in drafts(tenancy)}
    assert by_link["https://turia.example/tech/horno"] == {
        "title": "Nuestro horno eléctrico",
        "body": "Menos emisiones.\n\n- Un 40 % menos\n- Sin gas",
    }
    assert by_link["https://turia.example/tech/contenido"]["body"] == "El artículo entero."


def test_a_second_check_makes_nothing_and_a_new_item_makes_one(tenancy, server):
    url = server.serve("/feed", rss(item(1), item(2)))
    feed = feed_for(tenancy, url)
    assert blog_feed_check(feed_id=feed.pk) == 2

    assert blog_feed_check(feed_id=feed.pk) == 0
    assert len(drafts(tenancy)) == 2

    server.serve("/feed", rss(item(1), item(2), item(3, day=5)))
    assert blog_feed_check(feed_id=feed.pk) == 1
    assert [p.texts["es"]["title"] for p in drafts(tenancy)][-1] == "Artículo 3"


def test_an_edited_or_published_draft_is_not_made_again(tenancy, server):
    feed = feed_for(tenancy, server.serve("/feed", rss(item(1))))
    blog_feed_check(feed_id=feed.pk)
    Post.objects.filter(organisation=tenancy.org).update(status=Post.Status.PUBLISHED, texts={})
    Post.objects.filter(organisation=tenancy.org).delete()  # even a deleted one

    assert blog_feed_check(feed_id=feed.pk) == 0


def test_the_first_check_takes_only_the_newest_items(tenancy, server):
    items = [item(n, day=1 + n % 28) for n in range(1, 16)]
    feed = feed_for(tenancy, server.serve("/feed", rss(*items)))

    assert blog_feed_check(feed_id=feed.pk) == blog.FIRST_CHECK_LIMIT

    titles = {p.texts["es"]["title"] for p in drafts(tenancy)}
    assert titles == {f"Artículo {n}" for n in range(6, 16)}
    # The older ones are passed over for good, not made into drafts next time.
    assert BlogFeedItem.objects.filter(feed=feed, post=None).count() == 5
    assert blog_feed_check(feed_id=feed.pk) == 0
    assert len(drafts(tenancy)) == blog.FIRST_CHECK_LIMIT


def test_two_checks_at_once_make_no_duplicate(tenancy, server, monkeypatch):
    """The other check committed its items after this one looked at what was taken."""
    feed = feed_for(tenancy, server.serve("/feed", rss(item(1), item(2))))
    assert blog_feed_check(feed_id=feed.pk) == 2
    real = blog.blog_feed_keys_seen
    calls: list[int] = []

    def stale_first(f: BlogFeed) -> set[str]:
        calls.append(1)
        return set() if len(calls) == 1 else real(f)

    monkeypatch.setattr(blog, "blog_feed_keys_seen", stale_first)

    assert blog_feed_check(feed_id=feed.pk) == 0
    assert len(calls) == 2  # the clash was noticed, and the second look found both taken
    assert len(drafts(tenancy)) == 2
    feed.refresh_from_db()
    assert feed.last_error == ""


def test_a_fixed_feed_clears_its_error(tenancy, server):
    feed = feed_for(tenancy, server.fixture("malformed.xml"))
    blog_feed_check(feed_id=feed.pk)
    feed.refresh_from_db()
    assert feed.last_error

    server.serve("/malformed.xml", rss(item(1)))
    assert blog_feed_check(feed_id=feed.pk) == 1
    feed.refresh_from_db()
    assert feed.last_error == ""
    assert "didn't work" not in page_of(tenancy)


def test_the_items_image_is_added_to_the_draft(tenancy, server):
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 20)).save(picture, "PNG")
    server.serve("/img/tienda.png", picture.getvalue(), "image/png")
    feed = feed_for(tenancy, server.fixture("rss.xml"))

    blog_feed_check(feed_id=feed.pk)

    post = Post.objects.get(link="https://turia.example/blog/tienda-castello")
    image = post.images.get()
    assert (image.width, image.height) == (64, 48)
    assert image.alt_text == "Abrimos tienda en Castelló"
    assert "/img/tienda.png" in server.hits


def test_each_draft_gets_a_pending_link_preview(
    tenancy, server, django_capture_on_commit_callbacks
):
    feed = feed_for(tenancy, server.serve("/feed", rss(item(1), item(2))))

    with django_capture_on_commit_callbacks() as callbacks:
        assert blog_feed_check(feed_id=feed.pk) == 2

    previews = LinkPreview.objects.filter(post__organisation=tenancy.org)
    assert {(p.url, p.status) for p in previews} == {
        ("https://turia.example/blog/1", LinkPreview.Status.PENDING),
        ("https://turia.example/blog/2", LinkPreview.Status.PENDING),
    }
    # Their fetches are queued for after the commit, with the drafts.
    assert len(callbacks) >= 2


def test_a_refused_feed_asks_for_no_preview(tenancy, server, django_capture_on_commit_callbacks):
    url = server.serve("/feed", rss(item(1), item(2, description="a " * ITEM_TEXT_MAX)))
    feed = feed_for(tenancy, url)

    with django_capture_on_commit_callbacks() as callbacks:
        assert blog_feed_check(feed_id=feed.pk) == 0

    assert not LinkPreview.objects.exists()
    assert callbacks == []


def test_an_image_that_cannot_be_had_leaves_the_draft_whole(tenancy, server):
    feed = feed_for(tenancy, server.fixture("rss.xml"))  # /img/tienda.png answers 404

    assert blog_feed_check(feed_id=feed.pk) == 2

    assert Post.objects.get(link="https://turia.example/blog/tienda-castello").images.count() == 0


# --- Feeds that are refused: an error on the page and no post at all ------------------------


def assert_refused(tenancy, feed: BlogFeed, *words: str) -> str:
    assert blog_feed_check(feed_id=feed.pk) == 0
    assert drafts(tenancy) == []
    assert not BlogFeedItem.objects.filter(feed=feed).exists()
    feed.refresh_from_db()
    assert feed.last_checked_at is not None and feed.last_ok_at is None
    with translation.override("en"):
        message = blog_error_message(feed)
    for word in words:
        assert word in message
    page = page_of(tenancy)
    assert escape(message) in page
    assert f'href="#feed-{feed.code}"' in page  # the alert at the top links to the feed
    return message


def test_malformed_xml_is_refused_whole(tenancy, server):
    feed = feed_for(tenancy, server.fixture("malformed.xml"))

    error = assert_refused(tenancy, feed, "isn't valid XML", "line 14", "mismatched tag")

    assert "nothing was imported" in error


def test_a_wrong_encoding_is_refused(tenancy, server):
    """Declared UTF-8, written in Latin-1: feedparser would guess windows-1252 and go on; the
    drafts could be wrong in every accent, so the feed is refused."""
    feed = feed_for(tenancy, server.fixture("latin1-declared-utf8.xml"))

    assert_refused(tenancy, feed, "should be in utf-8", "line 6")


def test_a_server_and_feed_that_disagree_on_the_encoding_are_refused(tenancy, server):
    url = server.fixture("rss.xml", "application/rss+xml; charset=iso-8859-1")
    feed = feed_for(tenancy, url)

    assert_refused(tenancy, feed, "iso-8859-1", "utf-8", "agree")


def test_a_charset_from_the_server_is_used(tenancy, server):
    body = (DATA / "rss.xml").read_text("utf-8").replace('encoding="utf-8"', "")
    url = server.serve("/feed", body.encode("latin-1"), "text/xml; charset=ISO-8859-1")
    feed = feed_for(tenancy, url)

    assert blog_feed_check(feed_id=feed.pk) == 2

    assert {p.texts["es"]["title"] for p in drafts(tenancy)} >= {"Abrimos tienda en Castelló"}


def test_a_huge_item_refuses_the_whole_feed(tenancy, server):
    huge = "a " * (ITEM_TEXT_MAX // 2 + 10)
    url = server.serve("/feed", rss(item(1), item(2, description=huge), item(3)))
    feed = feed_for(tenancy, url)

    error = assert_refused(tenancy, feed, "Artículo 2", "too long", "20")

    assert "not even the other items" in error


def test_a_huge_title_is_refused(tenancy, server):
    url = server.serve("/feed", rss(item(1).replace("Artículo 1", "T" * 1200)))
    feed = feed_for(tenancy, url)

    assert_refused(tenancy, feed, "1200")


def test_a_page_that_is_not_a_feed_is_refused(tenancy, server):
    feed = feed_for(tenancy, server.serve("/", b"<html><body>Hola</body></html>", "text/html"))

    assert_refused(tenancy, feed, "text/html")


def test_xml_that_is_not_a_feed_is_refused(tenancy, server):
    url = server.serve("/sitemap.xml", b'<?xml version="1.0"?><urlset><url/></urlset>', "text/xml")
    feed = feed_for(tenancy, url)

    assert_refused(tenancy, feed, "RSS or Atom")


def test_a_missing_feed_is_refused(tenancy, server):
    feed = feed_for(tenancy, server.base + "/nowhere.xml")

    assert_refused(tenancy, feed, "We couldn't get the feed", "(404)")


def test_an_item_that_cannot_be_a_post_is_refused_in_every_language(tenancy, server, monkeypatch):
    """The model's own check of a draft fails; its message (lazy, as Django's are) is kept
    in every language, so it is shown in the reader's."""
    monkeypatch.setattr(Post, "full_clean", _refuse)
    feed = feed_for(tenancy, server.serve("/feed", rss(item(1))))
    with translation.override("es"):
        message = assert_refused(tenancy, feed, "Artículo 1", "couldn't become a post")
    assert "(Too long, in English.)" in message
    assert "Too long, in English." not in page_of(tenancy, "es")
    assert "Demasiado largo." in page_of(tenancy, "es")


_TOO_LONG = lazy(
    lambda: {"en": "Too long, in English.", "es": "Demasiado largo."}.get(get_language(), "?"),
    str,
)


def _refuse(self, *args, **kwargs) -> None:
    raise ValidationError({"texts": _TOO_LONG()})


# --- Errors are said in the reader's language -----------------------------------------------


def test_an_error_saved_while_spanish_is_active_is_shown_in_english(tenancy, server):
    missing = feed_for(tenancy, server.base + "/nowhere.xml")
    broken = feed_for(tenancy, server.fixture("malformed.xml"))
    with translation.override("es"):  # the worker's language
        blog_feed_check(feed_id=missing.pk)
        blog_feed_check(feed_id=broken.pk)
    missing.refresh_from_db()
    broken.refresh_from_db()
    assert blog_error_code(missing) == "fetch" and blog_error_code(broken) == "not_xml"

    english = page_of(tenancy, "en")
    spanish = page_of(tenancy, "es")
    fetch_en = "We couldn&#x27;t get the feed: The site answered with an error (404)."
    assert fetch_en in english
    assert "isn&#x27;t valid XML (line 14" in english
    with translation.override("es"):
        fetch_es = escape(blog_error_message(missing))
        xml_es = escape(blog_error_message(broken))
    assert fetch_es != fetch_en and "(404)" in fetch_es
    assert fetch_es in spanish and xml_es in spanish
    assert fetch_es not in english and xml_es not in english
    assert fetch_en not in spanish


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ('{"code": "fetch", "params": {"fetch": "address"}}', "which Coro never fetches"),
        ('{"code": "fetch", "params": {"fetch": "timeout", "seconds": 10}}', "10 seconds"),
        ('{"code": "fetch", "params": {"fetch": "size", "max_bytes": 2097152}}', "2 MB"),
        ('{"code": "fetch", "params": {"fetch": "type", "type": "text/html"}}', "text/html"),
        ('{"code": "fetch", "params": {"fetch": "network", "name": true}}', "name could not"),
        ('{"code": "fetch", "params": {"fetch": "new", "text": "Palabras."}}', "Palabras."),
        ('{"code": "not_a_feed", "params": {}}', "doesn't give an RSS or Atom feed"),
        ('{"code": "title_too_long", "params": {"number": 3, "size": 1200}}', "Item 3"),
        ('{"code": "unexpected", "params": {}}', "Something went wrong"),
        ('{"code": "from_the_future", "params": {}}', "Something went wrong"),
        ("Texto de antes, sin código.", "Texto de antes, sin código."),  # old plain text
        ("{no es JSON", "{no es JSON"),
    ],
)
def test_stored_errors_are_put_into_words_when_shown(stored, shown):
    feed = BlogFeed(last_error=stored)
    with translation.override("en"):
        assert shown in blog_error_message(feed)
    assert blog_error_message(BlogFeed(last_error="")) == ""


def test_an_empty_feed_is_fine(tenancy, server):
    feed = feed_for(tenancy, server.serve("/feed", rss()))

    assert blog_feed_check(feed_id=feed.pk) == 0

    feed.refresh_from_db()
    assert feed.last_error == "" and feed.last_ok_at is not None


def test_a_refused_check_keeps_the_drafts_already_made(tenancy, server):
    feed = feed_for(tenancy, server.serve("/feed", rss(item(1))))
    blog_feed_check(feed_id=feed.pk)
    ok_at = BlogFeed.objects.get(pk=feed.pk).last_ok_at

    server.serve("/feed", rss(item(1), item(2)).replace(b"</channel>", b""))
    assert blog_feed_check(feed_id=feed.pk) == 0

    assert len(drafts(tenancy)) == 1
    feed.refresh_from_db()
    assert feed.last_error and feed.last_ok_at == ok_at


# --- The periodic job -----------------------------------------------------------------------


def test_the_hourly_job_checks_every_feed(tenancy, server, django_capture_on_commit_callbacks):
    assert JOBS["content.blog_feeds"].every == timedelta(hours=1)
    feed_for(tenancy, server.serve("/a", rss(item(1))))
    feed_for(tenancy, server.serve("/b", rss(item(2))))

    with django_capture_on_commit_callbacks(execute=True):
        assert blog_feeds_check_all() == 2

    assert len(drafts(tenancy)) == 2


# --- The settings page ----------------------------------------------------------------------


def url_of(tenancy, rest: str = "") -> str:
    return f"/o/{tenancy.org.code}/settings/blog-feeds/{rest}"


def test_a_new_feed_says_once_that_it_has_not_been_checked(tenancy):
    feed = BlogFeedFactory.create(organisation=tenancy.org)
    page = page_of(tenancy)
    assert page.count("Not yet: the first check is on its way.") == 1
    assert "Not checked yet" not in page and "Last result" not in page
    BlogFeed.objects.filter(pk=feed.pk).update(
        last_checked_at=timezone.now(), last_ok_at=timezone.now()
    )
    page = page_of(tenancy)
    assert "Last result" in page and "Not yet" not in page


def test_the_page_links_back_to_settings(tenancy):
    page = page_of(tenancy)
    assert f'href="/o/{tenancy.org.code}/settings/"' in page
    assert "Back to Settings" in page


def test_the_empty_page_says_what_a_feed_does(tenancy):
    page = page_of(tenancy)
    assert "New articles of your blog become draft posts for editors to review" in page
    assert "No blog feeds yet." in page


def test_only_admins_manage_feeds(tenancy):
    feed = BlogFeedFactory.create(organisation=tenancy.org)
    for person in (tenancy.editor, tenancy.employee):
        client = client_of(person.user)
        assert client.get(url_of(tenancy)).status_code == 403
        assert (
            client.post(url_of(tenancy, "add/"), {"url": "https://b.example/f"}).status_code == 403
        )
        assert client.post(url_of(tenancy, f"{feed.code}/remove/")).status_code == 403
    assert BlogFeed.objects.filter(pk=feed.pk).exists()


def test_adding_a_feed_checks_it_right_away(tenancy, server, django_capture_on_commit_callbacks):
    client = client_of(tenancy.admin.user)
    url = server.fixture("rss.xml")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url_of(tenancy, "add/"), {"url": url, "language": "en"}, follow=True)

    page = response.content.decode()
    assert "It is being checked now" in page
    feed = BlogFeed.objects.get(organisation=tenancy.org)
    assert (feed.url, feed.language) == (url, "en")
    assert len(drafts(tenancy)) == 2
    assert {p.language for p in drafts(tenancy)} == {"en"}
    assert "El blog de Azulejos Turia" in page_of(tenancy)


def test_the_language_defaults_to_the_organisations(tenancy):
    tenancy.org.language = "ca"
    tenancy.org.save(update_fields=["language"])
    page = page_of(tenancy)
    assert '<option value="en">' in page
    assert '<option value="ca" selected>' in page


PRIVATE = "points to a private network or to this server"


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("ftp://blog.example/feed", "starting with http:// or https://"),
        ("javascript:alert(1)", "starting with http:// or https://"),
        ("https://", "starting with http:// or https://"),
        ("", "This field is required."),
        ("http://127.0.0.1:9/feed.xml", PRIVATE),
        ("http://192.168.1.10/feed", PRIVATE),
        ("http://169.254.169.254/latest/", PRIVATE),
        ("http://[::1]/feed", PRIVATE),
        ("http://[::ffff:10.0.0.1]/feed", PRIVATE),
    ],
)
def test_only_web_addresses_are_added(tenancy, address, message):
    client = client_of(tenancy.admin.user)
    response = client.post(url_of(tenancy, "add/"), {"url": address, "language": "es"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(message) == 1  # said once, under the field
    assert 'aria-describedby="id_url_helptext id_url_error"' in page
    assert not BlogFeed.objects.exists()


def test_a_public_address_or_a_name_is_added_without_being_fetched(tenancy):
    """Only IP literals are judged at add time; names are checked when fetched."""
    for url in ("http://93.184.215.14/feed", "https://blog.internal.example/feed"):
        blog_feed_add(organisation=tenancy.org, url=url, language="es", actor=tenancy.admin)
    assert BlogFeed.objects.filter(organisation=tenancy.org).count() == 2


def test_a_feed_is_added_once(tenancy):
    BlogFeedFactory.create(organisation=tenancy.org, url="https://blog.example/feed")
    client = client_of(tenancy.admin.user)
    response = client.post(
        url_of(tenancy, "add/"), {"url": "https://blog.example/feed", "language": "es"}
    )
    assert response.status_code == 200
    assert BlogFeed.objects.filter(organisation=tenancy.org).count() == 1
    assert "already" in response.content.decode()
    # Another organisation may read the same blog.
    blog_feed_add(
        organisation=tenancy.other_org,
        url="https://blog.example/feed",
        language="es",
        actor=tenancy.outsider,
    )


def test_the_service_takes_web_addresses_only(tenancy):
    with pytest.raises(ValidationError) as raised:
        blog_feed_add(
            organisation=tenancy.org,
            url="ftp://blog.example/feed",
            language="es",
            actor=tenancy.admin,
        )
    assert "url" in raised.value.message_dict
    assert not BlogFeed.objects.exists()


def test_check_now_checks_the_feed(tenancy, server, django_capture_on_commit_callbacks):
    feed = feed_for(tenancy, server.serve("/feed", rss(item(1))))
    client = client_of(tenancy.admin.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url_of(tenancy, f"{feed.code}/check/"))

    assert response.status_code == 302
    assert len(drafts(tenancy)) == 1
    assert client.get(url_of(tenancy, f"{feed.code}/check/")).status_code == 405


def test_removing_a_feed_asks_first_and_keeps_its_posts(tenancy, server):
    feed = feed_for(tenancy, server.serve("/feed", rss(item(1), item(2))))
    blog_feed_check(feed_id=feed.pk)
    client = client_of(tenancy.admin.user)

    confirm = client.get(url_of(tenancy, f"{feed.code}/remove/"))
    assert confirm.status_code == 200
    assert "The 2 posts it already made stay" in confirm.content.decode()
    assert BlogFeed.objects.filter(pk=feed.pk).exists()

    response = client.post(url_of(tenancy, f"{feed.code}/remove/"), follow=True)
    assert "The posts it made are still there" in response.content.decode()
    assert not BlogFeed.objects.filter(pk=feed.pk).exists()
    assert len(drafts(tenancy)) == 2


def test_another_organisations_feed_is_not_found(tenancy):
    foreign = BlogFeedFactory.create(organisation=tenancy.other_org)
    client = client_of(tenancy.admin.user)
    assert client.get(url_of(tenancy, f"{foreign.code}/remove/")).status_code == 404
    assert client.post(url_of(tenancy, f"{foreign.code}/remove/")).status_code == 404
    assert client.post(url_of(tenancy, f"{foreign.code}/check/")).status_code == 404
    assert BlogFeed.objects.filter(pk=foreign.pk).exists()
    assert foreign.url not in page_of(tenancy)


def test_a_removed_feed_is_not_checked(tenancy):
    feed = BlogFeedFactory.create(organisation=tenancy.org)
    feed_id = feed.pk
    feed.delete()
    assert blog_feed_check(feed_id=feed_id) == 0


# --- Text -----------------------------------------------------------------------------------


def test_html_becomes_plain_text_with_paragraphs():
    html = (
        "<h2>Título</h2><p>Uno &amp; <a href='https://x.example'>dos</a><br>tres</p>"
        "<style>p{}</style><script>alert(1)</script><p>&lt;b&gt;no es HTML&lt;/b&gt;</p>"
    )
    assert html_to_text(html) == "Título\n\nUno & dos\ntres\n\n<b>no es HTML</b>"


def test_a_long_item_is_shortened_at_a_word():
    parsed = feed_parse(
        rss(item(1, description="palabra " * 1000)), charset=None, base_url="https://b.example/"
    )
    body = parsed.entries[0].body
    assert len(body) <= BODY_KEEP and body.endswith("palabra…")


# --- A phone ----------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_fits_a_phone_with_long_addresses_and_errors(tenancy, live_server, browser):
    long_word = "Feedconunnombrelarguisimosinespaciosniguiones" * 4
    BlogFeedFactory.create(
        organisation=tenancy.org,
        url=f"https://blog.example.com/{long_word}/rss.xml?{'x' * 200}",
        title=long_word,
        last_checked_at=timezone.now(),
        last_error=f"The item “{long_word}” is too long: 25000 characters. {long_word}",
    )
    for rest in ["", f"{BlogFeed.objects.get().code}/remove/"]:
        client = client_of(tenancy.admin.user)
        client.get(url_of(tenancy, rest))
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.goto(live_server.url + url_of(tenancy, rest))
        assert page.get_by_text(long_word).first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, rest
        context.close()
