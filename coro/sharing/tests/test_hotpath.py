"""The WSGI front that answers ``/r/<code>`` before Django (``hotpath.VisitsFirst``), called
directly with WSGI environ dicts: no server, no middleware."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from coro.sharing import hotpath
from coro.sharing import spool as spool_module
from coro.sharing.hotpath import VisitsFirst
from coro.sharing.models import Click, Preview
from coro.wsgi import application
from testing.factories import ShareFactory

from .visiting import BROWSER, VISITOR

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 Safari/604.1"


class Answer:
    """What the front (or the app behind it) answered."""

    def __init__(self) -> None:
        self.status = ""
        self.headers: dict[str, str] = {}
        self.body = b""

    def start_response(self, status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        self.status = status
        self.headers = dict(headers)


class Behind:
    """The app behind the front (Django in production): records what reached it."""

    def __init__(self) -> None:
        self.paths: list[tuple[str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.paths.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        if environ["PATH_INFO"].startswith("/r/"):
            # As Django's own view answers a code the front found nothing for.
            start_response("404 Not Found", [("Content-Type", "text/html")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"django"]


@pytest.fixture
def behind() -> Behind:
    return Behind()


@pytest.fixture
def front(behind: Behind) -> VisitsFirst:
    return VisitsFirst(behind)


def call(
    front: VisitsFirst,
    path: str,
    *,
    method: str = "GET",
    query: str = "",
    address: str = VISITOR,
    user_agent: str = BROWSER,
    **extra: str,
) -> Answer:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REMOTE_ADDR": address,
        "HTTP_USER_AGENT": user_agent,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        **extra,
    }
    answer = Answer()
    answer.body = b"".join(front(environ, answer.start_response))
    return answer


@pytest.fixture
def share(db):
    return ShareFactory(
        network="linkedin", post__link="https://example.com/landing?x=1#top", post__title="Azulejos"
    )


def test_a_visit_is_sent_on_with_campaign_parameters(front, behind, share):
    answer = call(front, f"/r/{share.code}")
    assert answer.status == "302 Found"
    assert answer.headers["Location"] == (
        "https://example.com/landing?x=1&utm_source=linkedin&utm_medium=employee_advocacy"
        "&utm_campaign=azulejos#top"
    )
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["Content-Length"] == "0"
    assert answer.body == b""
    assert behind.paths == []  # Django never saw it
    assert Click.objects.filter(share=share).count() == 1


def test_a_trailing_slash_is_the_same_link(front, share):
    assert call(front, f"/r/{share.code}/").status == "302 Found"


def test_the_query_string_never_changes_where_it_goes(front, share):
    plain = call(front, f"/r/{share.code}")
    for query in (
        "url=https://evil.example",
        "next=//evil.example&utm_source=evil&utm_campaign=evil",
        "%0d%0aLocation:%20https://evil.example",
    ):
        answer = call(front, f"/r/{share.code}", query=query)
        assert answer.headers["Location"] == plain.headers["Location"]


def test_head_is_redirected_and_counted_as_a_preview(front, share):
    answer = call(front, f"/r/{share.code}", method="HEAD")
    assert answer.status == "302 Found"
    assert answer.headers["Location"].startswith("https://example.com/landing")
    assert answer.body == b""
    assert (Click.objects.count(), Preview.objects.count()) == (0, 1)


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_PURPOSE": "prefetch"},
        {"HTTP_SEC_PURPOSE": "prefetch"},
        {"HTTP_X_MOZ": "prefetch"},
        {"HTTP_USER_AGENT": "facebookexternalhit/1.1"},
        {"HTTP_USER_AGENT": ""},
    ],
)
def test_prefetches_and_bots_are_previews(front, share, extra):
    answer = call(front, f"/r/{share.code}", **extra)
    assert answer.status == "302 Found"
    assert (Click.objects.count(), Preview.objects.count()) == (0, 1)


def test_the_same_visitor_within_the_hour_is_counted_once(front, share):
    call(front, f"/r/{share.code}")
    call(front, f"/r/{share.code}")
    call(front, f"/r/{share.code}", user_agent=PHONE)
    assert Click.objects.count() == 2


def test_a_forged_forwarded_for_changes_nothing(front, share, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    for forged in ("203.0.113.1", "203.0.113.2"):
        call(front, f"/r/{share.code}", HTTP_X_FORWARDED_FOR=forged)
    assert Click.objects.count() == 1
    for forwarded in ("203.0.113.1", "203.0.113.2"):
        call(front, f"/r/{share.code}", address="10.0.0.3", HTTP_X_FORWARDED_FOR=forwarded)
    assert Click.objects.count() == 3


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_an_unknown_code_is_404_and_counts_nothing(front, behind, share, method):
    answer = call(front, "/r/nosuchcode", method=method)
    # Answered by the front itself, in every language, without Django.
    assert answer.status == "404 Not Found"
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert answer.headers["Cache-Control"] == "no-store"
    assert behind.paths == []
    assert not Click.objects.exists() and not Preview.objects.exists()


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "data:text/html,x", "//evil.example/", "http://127.0.0.1:8000/"],
)
def test_a_stored_link_that_is_not_allowed_is_404(front, link, db):
    share = ShareFactory(post__link=link)
    answer = call(front, f"/r/{share.code}")
    assert answer.status == "404 Not Found"
    assert "Location" not in answer.headers
    assert not Click.objects.exists()


def test_a_post_without_a_link_is_404(front, db):
    share = ShareFactory(post__link="")
    assert call(front, f"/r/{share.code}").status == "404 Not Found"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/r/"),
        ("GET", "/r"),
        ("GET", "/rr/abcdefghjk"),
        ("GET", "/o/abc/r/abcdefghjk"),
        ("GET", "/r/abc/def"),
        ("GET", "/r/ABCDEFGHJK"),
        ("GET", "/r/" + "a" * 17),
        ("POST", "/r/abcdefghjk"),
        ("PUT", "/r/abcdefghjk"),
        ("OPTIONS", "/r/abcdefghjk"),
    ],
)
def test_everything_else_goes_to_the_app_behind(front, behind, method, path, db):
    call(front, path, method=method)
    assert behind.paths == [(method, path)]


@pytest.fixture
def connection_kept():
    """Django's handler closes the database connection when a request ends; the test's
    transaction needs it (the test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_a_post_to_a_tracked_link_is_refused_by_django(share, connection_kept):
    """Without a CSRF token Django's middleware refuses it (403) before the view would
    (405: GET and HEAD only)."""
    answer = call(application, f"/r/{share.code}", method="POST")
    assert answer.status.split()[0] in ("403", "405")
    assert "Location" not in answer.headers
    assert not Click.objects.exists() and not Preview.objects.exists()


def test_coro_wsgi_application_is_the_front(share):
    assert isinstance(application, VisitsFirst)
    assert call(application, f"/r/{share.code}").status == "302 Found"


# --- The cache: no query per visit ---------------------------------------------------------


@pytest.fixture
def spooled(settings, tmp_path: Path):
    """Visits written to a spool in ``tmp_path`` (as in production), counted when the test
    says so."""
    settings.VISITS_INLINE = False
    settings.VISITS_SPOOL_DIR = str(tmp_path)
    settings.VISITS_FLUSH_SECONDS = 3600
    spool_module._spool = None
    yield
    if spool_module._spool is not None:
        spool_module._spool.close()
    spool_module._spool = None


def test_a_cached_link_costs_no_query(front, share, spooled, django_assert_num_queries):
    first = call(front, f"/r/{share.code}")  # reads the link and the day's salt
    with django_assert_num_queries(0):
        second = call(front, f"/r/{share.code}", user_agent=PHONE)
        third = call(front, f"/r/{share.code}", method="HEAD")
    assert first.status == second.status == third.status == "302 Found"
    assert second.headers["Location"] == first.headers["Location"]
    assert not Click.objects.exists()  # written down, not counted yet
    spool_module.spool().flush()
    assert (Click.objects.count(), Preview.objects.count()) == (2, 1)


def test_the_spool_holds_no_address_or_user_agent(front, share, spooled, tmp_path, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    call(front, f"/r/{share.code}", user_agent="Mozilla/5.0 UniqueAgent/7.7")
    call(front, f"/r/{share.code}", address="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.44")
    call(front, f"/r/{share.code}", method="HEAD", user_agent="UniqueAgent/7.7 bot/1")
    (path,) = tmp_path.glob("*.spool")
    written = path.read_bytes()
    assert written.count(b"\n") == 3
    for needle in (VISITOR, "203.0.113.44", "10.0.0.9", "UniqueAgent", BROWSER):
        assert needle.encode() not in written
    spool_module.spool().flush()
    assert (Click.objects.count(), Preview.objects.count()) == (2, 1)


def test_an_unknown_code_is_cached_too(front, share, spooled, django_assert_num_queries):
    call(front, "/r/nosuchcode")
    with django_assert_num_queries(0):
        assert call(front, "/r/nosuchcode").status == "404 Not Found"


def test_a_changed_link_is_read_again_once_forgotten(front, share, spooled):
    before = call(front, f"/r/{share.code}").headers["Location"]
    share.post.link = "https://example.org/other"
    share.post.save(update_fields=["link"])
    assert call(front, f"/r/{share.code}").headers["Location"] == before  # cached
    hotpath.cache_forget(share.code)
    assert (
        call(front, f"/r/{share.code}")
        .headers["Location"]
        .startswith("https://example.org/other?utm_source=")
    )


def test_the_404_of_an_unknown_link_speaks_every_language(front, db):
    page = hotpath.not_found_page().decode()
    assert '<section lang="es"><h1>Este enlace no existe.</h1>' in page
    assert '<section lang="ca"><h1>Aquest enllaç no existeix.</h1>' in page
    assert '<section lang="en"><h1>This link does not exist.</h1>' in page
    assert page.startswith('<!doctype html><html lang="es">')
