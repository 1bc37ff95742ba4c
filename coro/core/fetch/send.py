"""``post_json``: one POST of a JSON document to an address a person gave (a team chat
webhook), with the same care as ``fetch``.

- only http and https; the name resolved once, every address checked, and the connection made
  to exactly a checked address (``connection.connect_checked``); TLS verified against the name;
- one deadline for the whole exchange, enforced by the same watchdog;
- no redirect is followed: a 3xx answer is given back as it is, for the caller to refuse (a
  webhook that redirects is not one Coro should trust with a message);
- the answer's body is read up to a small limit and then left: its start is kept as text, as
  services say why they refuse in it ("invalid_token", "channel_is_archived").

Any HTTP answer is a ``Posted``, whatever its status; what is not an answer (a refused address,
no connection, the deadline) is a ``FetchError`` with the same codes as ``fetch``.
"""

import json
import time
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any

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
from coro.core.fetch.results import FetchError, timed_out

USER_AGENT = "Coro (+https://coro.invalid/fetching; self-hosted, no tracking)"
# How much of an answer is read at most; what is beyond it is never read.
ANSWER_LIMIT = 16 * 1024
# How much of the answer is kept as text, for saying why a service refused.
TEXT_LIMIT = 300
CHUNK = 4 * 1024


@dataclass(frozen=True)
class Posted:
    status: int
    # The start of the answer, as text ("" if it sent none, or nothing readable as text).
    text: str
    # Seconds to wait, from a ``Retry-After`` header given in seconds (429, 503); else None.
    retry_after: int | None


def _retry_after(response: BaseHTTPResponse) -> int | None:
    value = (response.headers.get("Retry-After") or "").strip()
    return int(value) if value.isdigit() else None


def _answer_text(response: BaseHTTPResponse, limit: int) -> str:
    """Read at most ``limit`` bytes of the answer; its start as text, if it is text."""
    body = bytearray()
    while len(body) < limit:
        chunk = response.read(min(CHUNK, limit - len(body)), decode_content=False)
        if not chunk:
            break
        body += chunk
    media = (response.headers.get("Content-Type") or "text/plain").split(";")[0].strip().lower()
    encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
    readable = media.startswith("text/") or media.endswith(("json", "xml"))
    if not readable or encoding != "identity":
        return ""
    text = bytes(body).decode("utf-8", errors="replace")
    return " ".join(text.split())[:TEXT_LIMIT]


def post_json(
    url: str,
    payload: Any,
    *,
    timeout: float = 10.0,
    answer_limit: int = ANSWER_LIMIT,
) -> Posted:
    """POST ``payload`` as JSON to ``url`` safely (see the module's text); the answer, or a
    ``FetchError`` when there is none."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    watchdog = Watchdog(time.monotonic() + timeout)
    try:
        return _post(url, body, timeout=timeout, answer_limit=answer_limit, watchdog=watchdog)
    except FetchError:
        raise
    except (OSError, Urllib3Error, HTTPException, ValueError) as exc:
        raise connection_error(exc, watchdog, timeout) from exc
    finally:
        watchdog.stop()


def _post(
    url: str, body: bytes, *, timeout: float, answer_limit: int, watchdog: Watchdog
) -> Posted:
    scheme, host, port, path = parse_url(url)
    left = watchdog.remaining()
    if left <= 0:
        raise timed_out(timeout)
    conn: HTTPConnection
    if scheme == "https":
        conn = CheckedHTTPSConnection(host, port, timeout=left, cert_reqs="CERT_REQUIRED")
    else:
        conn = CheckedHTTPConnection(host, port, timeout=left)
    conn.watchdog = watchdog
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "User-Agent": USER_AGENT,
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json, text/plain;q=0.9, */*;q=0.1",
                "Accept-Encoding": "identity",
                "Connection": "close",
            },
            preload_content=False,
            decode_content=False,
        )
        response = conn.getresponse()
        if watchdog.fired:
            raise timed_out(timeout)
        text = _answer_text(response, answer_limit)
        if watchdog.fired:
            raise timed_out(timeout)
        return Posted(status=response.status, text=text, retry_after=_retry_after(response))
    finally:
        conn.close()
