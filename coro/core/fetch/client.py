"""``fetch``: one GET, redirects followed one by one (each checked), within one deadline, the
content type checked before the body is read and the body refused (never cut) when too big."""

import time
import zlib
from collections.abc import Callable, Collection
from http.client import HTTPException
from typing import Any
from urllib.parse import urljoin

from django.utils.translation import gettext as _
from urllib3.connection import HTTPConnection
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.response import BaseHTTPResponse

from coro.core.fetch.addresses import parse_url
from coro.core.fetch.connection import (
    CheckedHTTPConnection,
    CheckedHTTPSConnection,
    Watchdog,
    connection_error,
)
from coro.core.fetch.results import Fetched, FetchError, timed_out
from coro.core.sizes import size_text

USER_AGENT = "Coro link preview (+https://coro.invalid/fetching; self-hosted, no tracking)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024


def _kind(accept: Collection[str]) -> str:
    if accept and all(a.startswith("image/") for a in accept):
        return "image"
    if "text/html" in accept:
        return "page"
    return "file"


def _too_big(accept: Collection[str], max_bytes: int) -> FetchError:
    size = size_text(max_bytes)
    kind = _kind(accept)
    if kind == "page":
        message = _("The page is bigger than %(size)s.") % {"size": size}
    elif kind == "image":
        message = _("The image is bigger than %(size)s.") % {"size": size}
    else:
        message = _("The file is bigger than %(size)s.") % {"size": size}
    return FetchError(message, code="size")


def _wrong_type(accept: Collection[str], got: str) -> FetchError:
    got = got or _("nothing said")
    kind = _kind(accept)
    if kind == "page":
        message = _("The address did not answer with a web page (it sent %(type)s).")
    elif kind == "image":
        message = _("The address did not answer with an image (it sent %(type)s).")
    else:
        message = _("The address sent %(type)s, which Coro can't use here.")
    return FetchError(message % {"type": got}, code="type")


def _status_error(status: int) -> FetchError:
    return FetchError(
        _("The site answered with an error (%(status)s).") % {"status": status}, code="status"
    )


def _unreadable() -> FetchError:
    return FetchError(
        _("The site sent its answer packed in a way Coro can't read."), code="encoding"
    )


def _split_content_type(value: str) -> tuple[str, str | None]:
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _sep, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").lower() or None
    return media.strip().lower(), charset


def _read_body(
    response: BaseHTTPResponse, *, max_bytes: int, too_big: Callable[[], FetchError]
) -> bytes:
    length = response.headers.get("Content-Length")
    if length is not None and length.strip().isdigit() and int(length) > max_bytes:
        raise too_big()
    encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        inflater: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflater = zlib.decompressobj(zlib.MAX_WBITS)
    elif encoding == "identity":
        inflater = None
    else:
        raise _unreadable()
    raw_total = 0
    out = bytearray()
    while True:
        chunk = response.read(CHUNK, decode_content=False)
        if not chunk:
            break
        raw_total += len(chunk)
        if raw_total > max_bytes:
            raise too_big()
        if inflater is None:
            out += chunk
        else:
            data = chunk
            while data:
                try:
                    out += inflater.decompress(data, max_bytes + 1 - len(out))
                except zlib.error as exc:
                    raise _unreadable() from exc
                if len(out) > max_bytes:
                    raise too_big()
                data = inflater.unconsumed_tail
        if len(out) > max_bytes:
            raise too_big()
    return bytes(out)


def fetch(
    url: str,
    *,
    accept: Collection[str],
    max_bytes: int = 2 * 1024 * 1024,
    timeout: float = 10.0,
    max_redirects: int = 3,
) -> Fetched:
    """GET ``url`` safely (see the package's text); raise ``FetchError`` when it cannot."""
    accepted = {a.lower() for a in accept}
    watchdog = Watchdog(time.monotonic() + timeout)
    try:
        return _fetch(
            url,
            accept=accepted,
            max_bytes=max_bytes,
            timeout=timeout,
            max_redirects=max_redirects,
            watchdog=watchdog,
        )
    except FetchError:
        raise
    except (OSError, Urllib3Error, HTTPException, ValueError) as exc:
        # ValueError: what http.client and urllib3 raise on some malformed answers.
        raise connection_error(exc, watchdog, timeout) from exc
    finally:
        watchdog.stop()


def _connection(
    scheme: str, host: str, port: int, left: float, watchdog: Watchdog
) -> HTTPConnection:
    conn: CheckedHTTPConnection | CheckedHTTPSConnection
    if scheme == "https":
        conn = CheckedHTTPSConnection(host, port, timeout=left, cert_reqs="CERT_REQUIRED")
    else:
        conn = CheckedHTTPConnection(host, port, timeout=left)
    conn.watchdog = watchdog
    return conn


def _fetch(
    url: str,
    *,
    accept: set[str],
    max_bytes: int,
    timeout: float,
    max_redirects: int,
    watchdog: Watchdog,
) -> Fetched:
    redirects = 0
    while True:
        scheme, host, port, path = parse_url(url)
        left = watchdog.remaining()
        if left <= 0:
            raise timed_out(timeout)
        conn: HTTPConnection = _connection(scheme, host, port, left, watchdog)
        try:
            conn.request(
                "GET",
                path,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": ", ".join(sorted(accept)) + ", */*;q=0.1",
                    "Accept-Encoding": "identity",
                    "Connection": "close",
                },
                preload_content=False,
                decode_content=False,
            )
            response = conn.getresponse()
            if watchdog.fired:
                raise timed_out(timeout)
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise _status_error(response.status)
                redirects += 1
                if redirects > max_redirects:
                    raise FetchError(
                        _("Too many redirects (more than %(count)s).") % {"count": max_redirects},
                        code="redirects",
                    )
                url = urljoin(url, location.strip())
                continue
            if not 200 <= response.status < 300:
                raise _status_error(response.status)
            media, charset = _split_content_type(response.headers.get("Content-Type", ""))
            if media not in accept:
                raise _wrong_type(accept, media)
            body = _read_body(
                response, max_bytes=max_bytes, too_big=lambda: _too_big(accept, max_bytes)
            )
            if watchdog.fired:
                raise timed_out(timeout)
            return Fetched(
                url=url, status=response.status, content_type=media, charset=charset, body=body
            )
        finally:
            conn.close()
