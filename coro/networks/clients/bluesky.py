"""Posting to Bluesky through a person's own account, with the atproto SDK.

Credentials (``account_verify`` makes them, the connections app stores them encrypted):
``server`` (the PDS, "https://bsky.social"), ``handle``, ``did`` and ``app_password``. Coro
keeps the app password, not a session: every call logs in afresh
(``com.atproto.server.createSession``) and logs out when done (``deleteSession``, best
effort), so nothing needs refreshing and no sessions pile up; the person revokes Coro's
access on Bluesky by deleting the app password.

Every connection (to the server typed, and to the PDS the account's DID document names) goes
only to an address ``resolve_checked`` approved, through ``coro.core.fetch.pinned``'s httpx
transport: public addresses only (tests: the loopback PDS in ``FETCH_TEST_ALLOW``), the name
never looked up a second time, TLS verified against the name. Redirects are not followed.
What the server says when it refuses something is logged, never shown.

A post is an ``app.bsky.feed.post`` record with a link facet (UTF-8 byte offsets) for every
web address in its text and, when there is a link card, an external embed whose thumbnail is
uploaded as a blob (under 1,000,000 bytes). Bluesky has no idempotency key: the record key is
derived from Coro's key (``record_key``), and a post whose record already exists is not made
again, so a task that runs twice posts once.

Only ``app.bsky.actor.getProfile`` (the follower count) needs Bluesky's AppView; a server
without one gives None, never an error.
"""

import hashlib
import ipaddress
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from atproto import Client, models  # type: ignore[import-untyped]
from atproto_client.exceptions import (  # type: ignore[import-untyped]
    BadRequestError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.request import Request  # type: ignore[import-untyped]
from atproto_core.exceptions import AtProtocolError  # type: ignore[import-untyped]
from django.utils.translation import gettext as _

from coro.core.fetch.addresses import (
    REFUSED_NAMES,
    REFUSED_SUFFIXES,
    address_allowed,
    fetch_test_allow,
)
from coro.core.fetch.pinned import httpx_transport
from coro.core.fetch.results import FetchError
from coro.core.images import ImageError, image_prepare
from coro.networks.base import LinkCard, Posted, link_after_space
from coro.networks.clients import (
    AuthError,
    ClientError,
    RateLimited,
    TemporaryError,
    address_error,
    shape_error,
)

logger = logging.getLogger(__name__)

DEFAULT_SERVER = "https://bsky.social"
POST_COLLECTION = "app.bsky.feed.post"
# Bluesky refuses a blob bigger than this for a link card's thumbnail.
THUMB_MAX_BYTES = 1_000_000
# Sides tried, largest first, until the thumbnail is small enough.
THUMB_SIDES = (2000, 1200, 800, 500, 300)
# The most Coro reads of a preview image before giving up on the thumbnail.
THUMB_READ_MAX = 20_000_000
TIMEOUT = httpx.Timeout(15.0)

_T = TypeVar("_T")


@dataclass(frozen=True)
class Account:
    """Who logged in: what ``account_verify`` found."""

    server: str
    handle: str
    did: str

    def credentials(self, app_password: str) -> dict[str, str]:
        return {
            "server": self.server,
            "handle": self.handle,
            "did": self.did,
            "app_password": app_password,
        }


# --- The server: only public addresses (tests: their loopback PDS) ----------------------


def _host_allowed(host: str, port: int) -> bool:
    """A first look at ``host``, before anything is sent, so the person hears at once: never
    an IP literal that is private, loopback or reserved, nor a name for this machine or a
    local network. Tests talk only to the loopback endpoints they list in
    ``FETCH_TEST_ALLOW`` ("localhost" included, which the test PDS calls itself). Names are
    not looked up here: every connection checks the addresses it goes to (see the top)."""
    allow = fetch_test_allow()
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        ip = None
    if allow is not None:  # tests: this machine only, and only what they listed
        listed = f"[{ip}]:{port}" if ip is not None and ip.version == 6 else f"{ip}:{port}"
        if ip is None:
            return host == "localhost" and f"127.0.0.1:{port}" in allow
        return ip.is_loopback and listed in allow
    if ip is not None:
        return address_allowed(ip)
    return host not in REFUSED_NAMES and not host.endswith(REFUSED_SUFFIXES)


def server_normalise(value: str) -> str:
    """The server's base URL ("https://bsky.social"), from what a person typed ("bsky.social"
    will do); ``ClientError`` for anything Coro will not talk to."""
    value = (value or "").strip() or DEFAULT_SERVER
    if "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
        port = parts.port
        host = (parts.hostname or "").rstrip(".").encode("idna").decode("ascii").lower()
    except (ValueError, UnicodeError):
        raise ClientError(_("That is not a server address.")) from None
    if (
        parts.scheme not in ("http", "https")
        or not host
        or parts.username is not None
        or parts.password is not None
        or parts.path.strip("/") not in ("", "xrpc")
        or parts.query
    ):
        raise ClientError(_("Enter the server's address, like https://bsky.social."))
    if parts.scheme == "http" and fetch_test_allow() is None:
        raise ClientError(_("The server's address must start with https://."))
    if not _host_allowed(host, port or (443 if parts.scheme == "https" else 80)):
        raise ClientError(
            _(
                "This address points to a private network or to this server, which Coro never "
                "connects to. Use your server's public address."
            )
        )
    shown = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown}" + (f":{port}" if port else "")


# --- Errors --------------------------------------------------------------------------------


def _status(error: RequestErrorBase) -> int | None:
    return error.response.status_code if error.response is not None else None


def _error_name(error: RequestErrorBase) -> str:
    content = error.response.content if error.response is not None else None
    return str(getattr(content, "error", "") or "")


def _retry_after(error: RateLimitExceededError) -> float | None:
    if error.retry_after is not None:
        return float(error.retry_after)
    if error.reset_at is not None:
        return max(0.0, float((error.reset_at - datetime.now(UTC)).total_seconds()))
    return None


def _refused_address(error: BaseException) -> ClientError | None:
    """The error for a connection the address check refused, wherever the SDK wrapped it."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, FetchError):
            return address_error(cause)
        cause = cause.__cause__ or cause.__context__
    return None


@contextmanager
def _errors_mapped() -> Iterator[None]:
    """The SDK's and httpx's errors as Coro's (``coro.networks.clients``); nothing else
    escapes. What the server said is logged, not shown."""
    try:
        yield
    except ClientError:
        raise
    except FetchError as error:
        raise address_error(error) from None
    except UnauthorizedError:
        raise AuthError(
            _("Bluesky refused the handle or app password. Connect your account again.")
        ) from None
    except RateLimitExceededError as error:
        raise RateLimited(
            _("Bluesky says too many posts were sent. Coro will try again later."),
            retry_after=_retry_after(error),
        ) from None
    except RequestErrorBase as error:
        status = _status(error)
        if status is None or status >= 500 or status in (408, 409):
            raise TemporaryError(
                _("Bluesky could not be reached just now. Coro will try again later.")
            ) from None
        if isinstance(error, BadRequestError) and _error_name(error) in (
            "AccountTakedown",
            "AccountDeactivated",
        ):
            raise AuthError(_("Bluesky says this account is not active.")) from None
        logger.warning("Bluesky refused a call (%s): %s", status, error)
        raise ClientError(_("Bluesky refused the request.")) from None
    except httpx.TimeoutException:
        raise TemporaryError(
            _("Bluesky took too long to answer. Coro will try again later.")
        ) from None
    except httpx.HTTPError as error:
        refused = _refused_address(error)
        if refused is not None:
            raise refused from None
        raise TemporaryError(
            _("Bluesky could not be reached just now. Coro will try again later.")
        ) from None
    except AtProtocolError as error:
        logger.warning("Bluesky gave an answer Coro can't read: %r", error)
        raise ClientError(_("Bluesky gave an answer Coro can't read.")) from None
    except Exception as error:  # whatever else the SDK raises on a strange answer
        refused = _refused_address(error)
        if refused is not None:
            raise refused from None
        logger.exception("Unexpected error from the Bluesky client")
        raise ClientError(_("Bluesky gave an answer Coro can't read.")) from None


def _call(function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    with _errors_mapped():
        return function(*args, **kwargs)


# --- Logging in ----------------------------------------------------------------------------


def _session_end(client: Client) -> None:
    """Log out (``deleteSession`` with the refresh token), best effort: a session left open
    expires on its own."""
    try:
        if client._session is not None:
            client.com.atproto.server.delete_session(
                headers=client._get_refresh_auth_headers(), ignore_session_check=True
            )
    except Exception as error:  # best effort
        logger.info("Bluesky deleteSession failed: %r", error)
    finally:
        with suppress(Exception):
            client.request.close()


@contextmanager
def _logged_in(server: str, identifier: str, password: str) -> Iterator[Client]:
    """A client logged in on ``server`` (normalised), without asking the AppView for the
    profile, logged out again when the block ends. Every connection goes through the checked
    transport (the PDS the account's DID document names too: the SDK switches to it, and its
    address is also given a first look like the server's)."""
    request = Request(timeout=TIMEOUT, transport=httpx_transport(), trust_env=False)
    request._client.follow_redirects = False
    client = Client(base_url=server + "/xrpc", request=request)
    try:
        with _errors_mapped():
            client.login(identifier, password, fetch_bsky_profile=False)
    except ClientError:
        with suppress(Exception):
            request.close()
        raise
    try:
        session = client._session
        if session is None or not isinstance(session.did, str) or not session.did:
            raise shape_error()
        endpoint = str(getattr(client, "_base_url", ""))
        try:
            server_normalise(endpoint.removesuffix("/xrpc"))
        except ClientError:
            client.update_base_url(server + "/xrpc")  # log out where the session was made
            raise ClientError(
                _("Bluesky says this account lives on a server Coro can't connect to.")
            ) from None
        yield client
    finally:
        _session_end(client)


def account_verify(*, server: str, handle: str, app_password: str) -> Account:
    """Log in with the handle and app password; the account found, or a ``ClientError``
    (``AuthError``: they were refused)."""
    server = server_normalise(server)
    handle = handle.strip().removeprefix("@")
    with _logged_in(server, handle, app_password) as client:
        session = client._session
        if session is None:  # pragma: no cover - _logged_in checked it
            raise shape_error()
        with _errors_mapped():
            return Account(server=server, handle=str(session.handle), did=str(session.did))


def _credential(credentials: Mapping[str, str], key: str, *, required: bool = True) -> str:
    value = credentials.get(key)
    if not isinstance(value, str) or (required and not value):
        raise ClientError(_("The account's stored details are incomplete. Connect it again."))
    return value


# --- Text: facets at UTF-8 byte offsets ---------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"\u00bb\u201d\u2019"  # closing quotes too
_CLOSING = {")": "(", "]": "[", "}": "{"}


def _url_end(url: str) -> str:
    """The address without the punctuation that ends the sentence it sits in (a closing
    bracket stays when the address opened one: Wikipedia's links do)."""
    while url:
        last = url[-1]
        unbalanced = last in _CLOSING and url.count(last) > url.count(_CLOSING[last])
        if last in _TRAILING or unbalanced:
            url = url[:-1]
        else:
            break
    return url


def link_facets(text: str) -> list[dict[str, Any]]:
    """A link facet for every web address in ``text``, at UTF-8 byte offsets (as Bluesky
    counts them: "é" is two bytes, most emoji four)."""
    facets = []
    for match in _URL.finditer(text):
        url = _url_end(match.group())
        if len(url) <= len("https://"):
            continue
        start = len(text[: match.start()].encode("utf-8"))
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": start + len(url.encode("utf-8"))},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}],
            }
        )
    return facets


def outgoing_text(text: str, link: str) -> str:
    """The text as posted: the person's words and, unless they already hold it, the link."""
    text = text.strip()
    if link and link in text:
        return text
    return link_after_space(text, link)


# --- Idempotency: a record key derived from Coro's key -------------------------------------

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# Record keys of posts are TIDs (a time in microseconds and a 10-bit clock id), and clients
# list records in key order, so a post's key should carry the post's own time. Coro derives
# it from the time the post was made (``created_at``: the scheduled row's, stable across
# retries) plus, from Coro's key, a sub-second offset and the clock id: the same post always
# gets the same key, two posts made in the same second almost never share one (1 in 2^30).
# Without ``created_at`` the key maps to a time within 2023 (in the past: a key from the
# future would sort before every new post).
_TID_EPOCH_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z
_TID_SPAN_US = 365 * 24 * 3600 * 1_000_000


def record_key(idempotency_key: str, created_at: datetime | None = None) -> str:
    """The post's record key: a valid TID, always the same for the same idempotency key (and
    ``created_at``), at ``created_at``'s second when given."""
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    if created_at is None:
        micros = _TID_EPOCH_US + (digest >> 10) % _TID_SPAN_US
    else:
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=UTC)
        second = int(created_at.timestamp()) * 1_000_000
        micros = second + (digest >> 10) % 1_000_000
    value = ((micros & ((1 << 53) - 1)) << 10) | (digest & 0x3FF)
    return "".join(_TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))


# --- Posting -------------------------------------------------------------------------------


def thumbnail(image: bytes) -> bytes | None:
    """The preview image as a JPEG under ``THUMB_MAX_BYTES`` (shrunk until it is), or None
    if it can't be read: the card then goes without a picture."""
    for side in THUMB_SIDES:
        try:
            prepared = image_prepare(
                image, max_bytes=THUMB_READ_MAX, fit=side, output_format="JPEG"
            )
        except ImageError:
            return None
        if len(prepared.data) < THUMB_MAX_BYTES:
            return prepared.data
    return None


def _facet_model(facet: dict[str, Any]) -> models.AppBskyRichtextFacet.Main:
    index = facet["index"]
    return models.AppBskyRichtextFacet.Main(
        index=models.AppBskyRichtextFacet.ByteSlice(
            byte_start=index["byteStart"], byte_end=index["byteEnd"]
        ),
        features=[models.AppBskyRichtextFacet.Link(uri=f["uri"]) for f in facet["features"]],
    )


def _post_url(did: str, rkey: str) -> str:
    return f"https://bsky.app/profile/{did}/post/{rkey}"


def _existing(client: Client, did: str, rkey: str) -> bool:
    """Whether the post with this record key is already there."""
    params = models.ComAtprotoRepoGetRecord.Params(repo=did, collection=POST_COLLECTION, rkey=rkey)
    with _errors_mapped():
        try:
            client.com.atproto.repo.get_record(params)
        except (BadRequestError, RequestErrorBase) as error:
            if _status(error) in (400, 404) and not isinstance(error, RateLimitExceededError):
                return False  # RecordNotFound
            raise
    return True


def _embed(client: Client, card: LinkCard) -> models.AppBskyEmbedExternal.Main:
    thumb = None
    data = thumbnail(card.image) if card.image else None
    if data is not None:
        thumb = _call(client.upload_blob, data).blob
    return models.AppBskyEmbedExternal.Main(
        external=models.AppBskyEmbedExternal.External(
            uri=card.uri,
            title=card.title[:300],
            description=card.description[:1000],
            thumb=thumb,
        )
    )


class BlueskyClient:
    """``coro.networks.base.NetworkClient`` for Bluesky; keeps nothing between calls."""

    def post(
        self,
        *,
        credentials: Mapping[str, str],
        text: str,
        link: str,
        idempotency_key: str,
        preview: LinkCard | None = None,
        created_at: datetime | None = None,
    ) -> Posted:
        """Post ``text`` with ``link`` (and its card), once per ``idempotency_key``.
        ``created_at``: when the post was made (stable across attempts), for its record key."""
        server = server_normalise(_credential(credentials, "server"))
        did = _credential(credentials, "did")
        login = did or _credential(credentials, "handle")
        with _logged_in(server, login, _credential(credentials, "app_password")) as client:
            rkey = record_key(idempotency_key, created_at)
            return self._post(client, did, text, link, rkey, preview)

    def _post(
        self,
        client: Client,
        did: str,
        text: str,
        link: str,
        rkey: str,
        preview: LinkCard | None,
    ) -> Posted:
        posted = Posted(remote_id=f"at://{did}/{POST_COLLECTION}/{rkey}", url=_post_url(did, rkey))
        if _existing(client, did, rkey):
            return posted
        body = outgoing_text(text, link)
        facets = link_facets(body)
        with _errors_mapped():
            record = models.AppBskyFeedPost.Record(
                text=body,
                created_at=client.get_current_time_iso(),
                facets=[_facet_model(f) for f in facets] or None,
                embed=_embed(client, preview) if preview is not None else None,
                langs=None,
            )
            data = models.ComAtprotoRepoCreateRecord.Data(
                repo=did, collection=POST_COLLECTION, rkey=rkey, record=record
            )
        try:
            with _errors_mapped():
                made = client.com.atproto.repo.create_record(data)
                if not isinstance(getattr(made, "uri", None), str):
                    raise shape_error()
        except ClientError as error:
            if isinstance(error, AuthError | RateLimited):
                raise
            # Made by an earlier attempt at the same moment (the PDS answers a second
            # record with the same key with an error, even a 500): then it is done.
            if _existing(client, did, rkey):
                return posted
            raise
        return posted

    def audience_size(self, *, credentials: Mapping[str, str]) -> int | None:
        """The account's followers, or None where the server can't say (no AppView)."""
        server = server_normalise(_credential(credentials, "server"))
        did = _credential(credentials, "did")
        login = did or _credential(credentials, "handle")
        with _logged_in(server, login, _credential(credentials, "app_password")) as client:
            params = models.AppBskyActorGetProfile.Params(actor=did)
            try:
                with _errors_mapped():
                    profile = client.app.bsky.actor.get_profile(params)
            except (AuthError, RateLimited):
                raise
            except ClientError:
                return None  # no AppView, or one that gave nothing usable
            count = getattr(profile, "followers_count", None)
            return count if isinstance(count, int) and count >= 0 else None


CLIENT = BlueskyClient()
