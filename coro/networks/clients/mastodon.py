"""Mastodon through Mastodon.py: registering Coro's app on a server, the OAuth code exchange
(with PKCE), posting, the follower count and the server's own limits.

Every call goes through ``_Session``, which keeps Mastodon.py to the person's server: a request
to any other origin (an OAuth endpoint advertised elsewhere) is refused, redirects are not
followed, and every connection goes only to an address ``resolve_checked`` approved (public
addresses only; the loopback test servers listed in ``FETCH_TEST_ALLOW`` in tests), the name
never looked up a second time (``coro.core.fetch.pinned``: SNI, certificate and Host stay the
name). Everything Mastodon.py raises, and every answer of the wrong shape, becomes one of
``coro.networks.clients``' errors; nothing else escapes.

A refused post (422) shows the server's own ``error`` text, as plain text of at most
``SERVER_TEXT_MAX`` characters: the server is the person's own, reached at a public address,
and its reason ("character limit exceeded") is what they need. The text goes through Django's
escaping wherever it is shown.

Credentials (``Mapping[str, str]``, stored encrypted by ``coro.connections``):
``server``, ``access_token``, ``client_id`` and ``client_secret``.
"""

import base64
import email.utils
import hashlib
import logging
import os
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from django.utils.translation import gettext as _
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from coro.core.fetch.addresses import resolve_checked
from coro.core.fetch.pinned import requests_checked
from coro.core.fetch.results import FetchError
from coro.networks.base import LinkCard, Posted
from coro.networks.clients import (
    AuthError,
    ClientError,
    RateLimited,
    TemporaryError,
    address_error,
    shape_error,
)

logger = logging.getLogger(__name__)

# Posting and reading the account: ``read:accounts`` is what ``verify_credentials`` (the
# handle, the id and the follower count) needs; nothing else is asked for.
SCOPES = ["write:statuses", "read:accounts"]
APP_NAME = "Coro"
TIMEOUT = 10.0
DEFAULT_MAX_CHARACTERS = 500
DEFAULT_CHARACTERS_PER_URL = 23
# The most of a server's own error text Coro shows.
SERVER_TEXT_MAX = 200


class _Session(requests.Session):
    """Keeps Mastodon.py to one origin, connects only to checked addresses, follows no
    redirect, adds the PKCE ``code_verifier`` to the code exchange and remembers the last
    answer (for ``Retry-After`` and a 422's text)."""

    def __init__(self, server: str, code_verifier: str | None = None) -> None:
        super().__init__()
        requests_checked(self)
        self.origin = _origin(server)
        self.code_verifier = code_verifier
        self.last_response: requests.Response | None = None

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if _origin(url) != self.origin:
            raise requests.ConnectionError("Coro talks only to the account's own server.")
        if not self.origin.startswith(("https://", "http://")):
            raise ClientError(_("That is not a server address."))
        data = kwargs.get("data")
        if (
            self.code_verifier
            and isinstance(data, dict)
            and data.get("grant_type") == "authorization_code"
        ):
            kwargs["data"] = {**data, "code_verifier": self.code_verifier}
        kwargs["allow_redirects"] = False
        kwargs.setdefault("timeout", TIMEOUT)
        try:
            response = super().request(method, url, *args, **kwargs)
        except FetchError as exc:  # the address check refused the connection
            raise address_error(exc) from exc
        self.last_response = response
        if response.is_redirect:
            raise requests.ConnectionError("The server answered with a redirect.")
        return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


def server_check(server: str) -> None:
    """Refuse a server Coro must not talk to: not http(s), or a name that resolves to any
    address that is not public (private ranges, loopback, metadata...). Tests allow exactly
    the loopback servers listed in ``FETCH_TEST_ALLOW``. Raises ``ClientError``."""
    parts = urlsplit(server)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise ClientError(_("That is not a server address."))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        resolve_checked(host, port, timeout=TIMEOUT)
    except FetchError as exc:
        raise ClientError(str(exc.message)) from exc
    except TimeoutError as exc:
        raise TemporaryError(_("The server's name could not be looked up in time.")) from exc


def _allow_http(server: str) -> bool:
    """Plain http only for the loopback test servers ``server_check`` let through."""
    return server.startswith("http://")


# Client ids, secrets and tokens as Mastodon (and compatible servers) make them. Anything else
# is refused: Mastodon.py reads a value that names a file on this machine as that file.
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_\-]{1,300}$")


def _safe(value: str | None) -> str | None:
    if value is None:
        return None
    if not _SAFE_VALUE.match(value) or os.path.exists(value):
        raise ClientError(_("The server gave an answer Coro does not understand."))
    return value


def _api(
    server: str,
    *,
    access_token: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    code_verifier: str | None = None,
) -> tuple[Mastodon, _Session]:
    session = _Session(server, code_verifier)
    try:
        api = Mastodon(
            client_id=_safe(client_id),
            client_secret=_safe(client_secret),
            access_token=_safe(access_token),
            api_base_url=server,
            ratelimit_method="throw",
            request_timeout=TIMEOUT,
            session=session,
            user_agent=APP_NAME,
            version_check_mode="none",
        )
    except Exception as exc:
        raise translate(exc, session) from exc
    return api, session


def _retry_after(response: requests.Response | None) -> float | None:
    """Seconds to wait, from ``Retry-After`` (seconds or a date) or Mastodon's
    ``X-RateLimit-Reset`` (a date); None if the server said nothing usable."""
    if response is None:
        return None
    value = response.headers.get("Retry-After", "").strip()
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None
    reset = response.headers.get("X-RateLimit-Reset", "").strip()
    if reset:
        from datetime import datetime

        try:
            return max(0.0, datetime.fromisoformat(reset).timestamp() - time.time())
        except ValueError:
            return None
    return None


_TAG = re.compile(r"<[^>]*>")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def server_text(response: requests.Response | None) -> str:
    """The ``error`` text of the server's answer, as short plain text ("" if none): tags,
    control and direction characters removed, spaces collapsed, at most
    ``SERVER_TEXT_MAX`` characters."""
    if response is None:
        return ""
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, str):
        return ""
    text = " ".join(_CONTROL.sub(" ", _TAG.sub(" ", error[: SERVER_TEXT_MAX * 10])).split())
    if len(text) > SERVER_TEXT_MAX:
        text = text[: SERVER_TEXT_MAX - 1].rstrip() + "…"
    return text


def translate(exc: BaseException, session: _Session | None = None) -> ClientError:
    """The ``ClientError`` for whatever Mastodon.py (or the address check) raised."""
    cause: BaseException | None = exc
    while cause is not None:  # Mastodon.py wraps what ``_Session`` raised (a refused server)
        if isinstance(cause, ClientError):
            return cause
        if isinstance(cause, FetchError):
            return address_error(cause)
        cause = cause.__cause__ or cause.__context__
    # (A Response is falsy for 4xx and 5xx answers: compare with None.)
    last = session.last_response if session is not None else None
    status = last.status_code if last is not None else None
    if isinstance(exc, MastodonRatelimitError) or status == 429:
        return RateLimited(
            _("The server asks Coro to slow down."),
            _retry_after(last),
        )
    if isinstance(exc, MastodonUnauthorizedError) or (
        isinstance(exc, MastodonAPIError) and status in (401, 403)
    ):
        return AuthError(
            _("The server no longer accepts Coro's access: connect the account again.")
        )
    if isinstance(exc, MastodonServerError | MastodonNetworkError):
        return TemporaryError(_("The server did not answer properly. Try again later."))
    if isinstance(exc, MastodonNotFoundError):
        return ClientError(_("That does not look like a Mastodon server."))
    if isinstance(exc, MastodonAPIError) and status == 422:
        text = server_text(last)
        logger.info("Mastodon refused a call (422): %s", text)
        if text:
            return ClientError(_("The server refused it: %(error)s") % {"error": text})
        return ClientError(_("The server refused it."))
    if isinstance(exc, requests.Timeout | TimeoutError):
        return TemporaryError(_("The server did not answer properly. Try again later."))
    if isinstance(exc, MastodonError | requests.RequestException | ValueError | KeyError):
        logger.info("Mastodon call failed (%s): %r", status, exc)
        return shape_error()
    logger.exception("Unexpected error from the Mastodon client", exc_info=exc)
    return shape_error()


# OAuth ----------------------------------------------------------------------------------


def pkce_pair() -> tuple[str, str]:
    """A PKCE ``code_verifier`` and its S256 ``code_challenge``."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def app_register(server: str, *, redirect_uri: str) -> tuple[str, str]:
    """Register Coro on the server; its ``(client_id, client_secret)``."""
    session = _Session(server)
    try:
        client_id, client_secret = Mastodon.create_app(
            APP_NAME,
            scopes=SCOPES,
            redirect_uris=redirect_uri,
            api_base_url=server,
            request_timeout=TIMEOUT,
            session=session,
            user_agent=APP_NAME,
        )
    except Exception as exc:
        raise translate(exc, session) from exc
    if not (isinstance(client_id, str) and isinstance(client_secret, str)):
        raise ClientError(_("The server gave an answer Coro does not understand."))
    return str(_safe(client_id)), str(_safe(client_secret))


def authorization_url(
    server: str, *, client_id: str, redirect_uri: str, state: str, code_challenge: str
) -> str:
    """Where the person goes to allow Coro on their server: the authorisation code flow with
    ``state`` and PKCE (S256), which Mastodon.py does not add itself."""
    api, session = _api(server)
    try:
        url = api.auth_request_url(
            client_id=_safe(client_id),
            redirect_uris=redirect_uri,
            scopes=SCOPES,
            state=state,
            skip_server_info=True,
            allow_http=_allow_http(server),
        )
    except Exception as exc:
        raise translate(exc, session) from exc
    pkce = urlencode({"code_challenge": code_challenge, "code_challenge_method": "S256"})
    return f"{url}&{pkce}"


@dataclass(frozen=True)
class Account:
    """The account a token belongs to."""

    access_token: str
    handle: str
    remote_id: str
    followers_count: int | None


def code_exchange(
    server: str,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> Account:
    """Exchange the authorisation code (with the PKCE verifier) for a token, and read the
    account it belongs to."""
    api, session = _api(
        server, client_id=client_id, client_secret=client_secret, code_verifier=code_verifier
    )
    try:
        token = api.log_in(
            code=code, redirect_uri=redirect_uri, scopes=SCOPES, allow_http=_allow_http(server)
        )
        if not isinstance(token, str) or not token:
            raise shape_error()
        _safe(token)
        me = _account_answer(api.account_verify_credentials())
        acct = me["acct"]
        if not isinstance(acct, str) or not acct.strip() or len(acct) > 300:
            raise shape_error()
        acct = acct.strip().removeprefix("@")
        return Account(
            access_token=token,
            handle=f"@{acct}" if "@" in acct else f"@{acct}@{urlsplit(server).hostname}",
            remote_id=str(me["id"]),
            followers_count=_count(me.get("followers_count")),
        )
    except Exception as exc:
        raise translate(exc, session) from exc


def _id(value: object) -> str:
    """An object's id as Mastodon gives it (a string, or a number on some servers)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise shape_error()
    text = str(value)
    if not text or len(text) > 100:
        raise shape_error()
    return text


def _account_answer(me: object) -> Mapping[str, Any]:
    """``verify_credentials``'s answer, if it has the shape of an account."""
    if not isinstance(me, Mapping) or "acct" not in me:
        raise shape_error()
    _id(me.get("id"))
    return me


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def revoke(credentials: Mapping[str, str]) -> None:
    """Revoke the token on the server (``/oauth/revoke``). Raises ``ClientError``."""
    server = _credential(credentials, "server")
    api, session = _api(
        server,
        access_token=_credential(credentials, "access_token"),
        client_id=credentials.get("client_id"),
        client_secret=credentials.get("client_secret"),
    )
    try:
        api.revoke_access_token(allow_http=_allow_http(server))
    except Exception as exc:
        raise translate(exc, session) from exc


def _credential(credentials: Mapping[str, str], key: str) -> str:
    value = credentials.get(key)
    if not isinstance(value, str) or not value:
        raise ClientError(_("The account's stored details are incomplete. Connect it again."))
    return value


def _mapping(value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise shape_error()
    return value


def server_limits(server: str) -> tuple[int, int]:
    """The server's own ``(max_characters, characters_reserved_per_url)`` from
    ``/api/v2/instance``; Mastodon's defaults (500, 23) for what it does not say."""
    api, session = _api(server)
    try:
        instance = _mapping(api.instance_v2())
        statuses = _mapping(_mapping(instance.get("configuration")).get("statuses"))
        max_chars = statuses.get("max_characters")
        per_url = statuses.get("characters_reserved_per_url")
    except Exception as exc:
        raise translate(exc, session) from exc
    chars, per = _count(max_chars), _count(per_url)
    return (
        chars if chars else DEFAULT_MAX_CHARACTERS,
        per if per is not None else DEFAULT_CHARACTERS_PER_URL,
    )


class MastodonClient:
    """``coro.networks.base.NetworkClient`` for Mastodon."""

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
        """Post the text with the link (after it, unless the text has it already). The
        ``Idempotency-Key`` makes a repeated call (a task run twice) post once. ``preview``
        and ``created_at`` are ignored: Mastodon builds the link's card itself, and dates the
        post when it is made."""
        status = text if not link or link in text else " ".join(p for p in (text, link) if p)
        api, session = _api(
            _credential(credentials, "server"),
            access_token=_credential(credentials, "access_token"),
        )
        try:
            posted = _mapping(api.status_post(status, idempotency_key=idempotency_key))
            url = posted.get("url")
            return Posted(
                remote_id=_id(posted.get("id")),
                url=url if isinstance(url, str) and url.startswith(("https://", "http://")) else "",
            )
        except Exception as exc:
            raise translate(exc, session) from exc

    def audience_size(self, *, credentials: Mapping[str, str]) -> int | None:
        """How many people follow the account (``verify_credentials``: ``read:accounts``)."""
        api, session = _api(
            _credential(credentials, "server"),
            access_token=_credential(credentials, "access_token"),
        )
        try:
            return _count(_account_answer(api.account_verify_credentials()).get("followers_count"))
        except Exception as exc:
            raise translate(exc, session) from exc


CLIENT = MastodonClient()
