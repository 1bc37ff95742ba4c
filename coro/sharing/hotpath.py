"""``/r/<code>``: the tracked-link redirect, answered before the rest of Coro.

Viral posts bring thousands of visits a minute, so this path does as little as it can:

- The code's target is cached in the process (``LINK_TTL`` seconds; unknown codes for
  ``UNKNOWN_TTL``), so a visit costs no database query. The target is checked again
  whenever it is read (``core.targets``): ``http(s)``, never Coro's own host.
- The visit is a line appended to the process's spool (``spool``), counted in batches.
- ``VisitsFirst`` wraps Coro's WSGI application: it answers ``/r/`` itself, without
  Django's middleware (sessions, language, CSRF: none of them applies to a redirect), and
  hands every other request on. ``sharing.views.tracked_redirect`` answers the same way
  through Django, for the development server and the test client.

The answer is a ``302`` to the post's link with Coro's campaign parameters; the query string
of ``/r/<code>`` is ignored, so no parameter can change where a link goes.
"""

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from html import escape
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.utils import translation
from django.utils.text import slugify

from coro.core.targets import target_allowed, with_utm
from coro.sharing.models import Share
from coro.sharing.spool import spool
from coro.sharing.visitors import client_address, is_preview, salt_of, visit_keys
from coro.sharing.visits import PREVIEW, VISIT, VisitLine, visits_ingest

LINK_TTL = 60.0
UNKNOWN_TTL = 10.0
CACHE_MAX = 100_000
CODE = re.compile(r"/r/([0-9a-z]{1,16})/?\Z")


@dataclass(frozen=True)
class Target:
    location: str
    organisation: str  # the organisation's code: visitors are counted per organisation


_cache: dict[str, tuple[float, Target | None]] = {}
_cache_lock = threading.Lock()


def _campaign(title: str, code: str) -> str:
    return slugify(title)[:60].strip("-") or code


def target_load(code: str) -> Target | None:
    """The link's destination from the database, or None (no such link, or a destination
    that is not allowed any more)."""
    share = Share.objects.select_related("post", "post__organisation").filter(code=code).first()
    if share is None or not target_allowed(share.post.link):
        return None
    location = with_utm(
        share.post.link,
        source=share.network,
        campaign=_campaign(share.post.title, share.post.code),
    )
    return Target(location=location, organisation=share.post.organisation.code)


def target_of(code: str) -> Target | None:
    now = time.monotonic()
    cached = _cache.get(code)
    if cached is not None and cached[0] > now:
        return cached[1]
    target = target_load(code)
    with _cache_lock:
        if len(_cache) >= CACHE_MAX:
            _cache.clear()
        _cache[code] = (now + (LINK_TTL if target else UNKNOWN_TTL), target)
    return target


def cache_forget(code: str | None = None) -> None:
    """Forget one cached link (or all): for tests, and after a link is deleted here."""
    with _cache_lock:
        if code is None:
            _cache.clear()
        else:
            _cache.pop(code, None)


def visit_record(
    *, code: str, target: Target, method: str, remote_addr: str, headers: dict[str, str]
) -> None:
    """Write the fetch down: a visit with its keys, or a preview."""
    at = datetime.now(UTC)
    user_agent = headers.get("user-agent", "")
    if is_preview(method, user_agent, headers):
        line = VisitLine(at=at, kind=PREVIEW, code=code)
    else:
        address = client_address(remote_addr, headers.get("x-forwarded-for", ""))
        link_key, day_key = visit_keys(
            salt=salt_of(at.date()),
            address=address,
            user_agent=user_agent,
            code=code,
            organisation=target.organisation,
            at=at,
        )
        line = VisitLine(at=at, kind=VISIT, code=code, link_key=link_key, day_key=day_key)
    if settings.VISITS_INLINE:
        visits_ingest([line.text()])
    else:
        spool().append(line.text())


# The WSGI front ---------------------------------------------------------------------------

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_COMMON = [
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
]


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    found = {
        "user-agent": environ.get("HTTP_USER_AGENT", ""),
        "x-forwarded-for": environ.get("HTTP_X_FORWARDED_FOR", ""),
    }
    for name in ("purpose", "sec-purpose", "x-moz", "x-purpose"):
        value = environ.get("HTTP_" + name.upper().replace("-", "_"))
        if value:
            found[name] = value
    return found


@cache
def not_found_page() -> bytes:
    """The 404 of an unknown link: one sentence in each of Coro's languages (the visitor has
    no session, and their browser's language choice is not worth a trip through Django)."""
    parts = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            title = translation.gettext("This link does not exist.")
            text = translation.gettext(
                "Whoever shared it may have mistyped it, or the post it led to was deleted."
            )
        parts.append(
            f'<section lang="{code}"><h1>{escape(title)}</h1><p>{escape(text)}</p></section>'
        )
    first = settings.LANGUAGES[0][0]
    page = (
        f'<!doctype html><html lang="{first}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>404</title></head><body>{''.join(parts)}</body></html>"
    )
    return page.encode()


class VisitsFirst:
    """Answers ``GET``/``HEAD /r/<code>`` itself; hands everything else to ``app``."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        match = CODE.match(environ.get("PATH_INFO", ""))
        method = environ.get("REQUEST_METHOD", "GET")
        if match is None or method not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        code = match.group(1)
        try:
            target = target_of(code)
        except Exception:
            close_old_connections()  # a broken connection is replaced at the next visit
            raise
        if target is None:
            # A small page made once per process, in every language: a burst of visits to a
            # mistyped or deleted link (or someone scanning for codes) costs no more than
            # the visits themselves.
            body = not_found_page()
            start_response(
                "404 Not Found",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                    *_COMMON,
                ],
            )
            return [b"" if method == "HEAD" else body]
        visit_record(
            code=code,
            target=target,
            method=method,
            remote_addr=environ.get("REMOTE_ADDR", ""),
            headers=_headers(environ),
        )
        start_response(
            "302 Found", [("Location", target.location), ("Content-Length", "0"), *_COMMON]
        )
        return [b""]
