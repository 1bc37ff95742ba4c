"""API clients for networks a person can connect (Mastodon, Bluesky), and the errors they raise.

Every client turns whatever its library raises into one of these, so the scheduler
(``coro.sharing``) can decide what to do without knowing the network:

- ``AuthError``: the network refused the credentials (401/403). Never retried; the account is
  marked "reconnect needed" and the person is told.
- ``RateLimited``: 429. Retry after ``retry_after`` seconds (None: the network did not say).
- ``TemporaryError``: 5xx, timeouts, connection errors. Retry with backoff.
- ``ClientError``: anything else (a bad answer, a refused post): not retried.

Nothing else escapes a client: an answer of the wrong shape, or anything unexpected the library
raises, is logged and becomes a ``ClientError``. Texts from the server are not shown to the
person (they are logged), except Mastodon's short ``error`` of a refused post (see
``clients.mastodon``).

Every connection goes only to addresses ``coro.core.fetch.resolve_checked`` approved
(``coro.core.fetch.pinned``); ``address_error`` says why one was refused.
"""

from django.utils.translation import gettext as _

from coro.core.fetch.results import FetchError


class ClientError(Exception):
    """A network refused or failed a call. ``message`` is safe to show to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthError(ClientError):
    """401/403: the credentials no longer work; the person must connect again."""


class RateLimited(ClientError):
    """429: too many calls. ``retry_after`` in seconds, if the network said."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TemporaryError(ClientError):
    """5xx, timeouts, connection errors: worth trying again later."""


def address_error(error: FetchError | TimeoutError) -> ClientError:
    """The error for a server Coro would not or could not connect to: a refused address is a
    ``ClientError`` (Coro's own sentence, safe to show); a name that could not be looked up
    (or not in time) a ``TemporaryError``."""
    if isinstance(error, TimeoutError) or error.code in ("network", "timeout"):
        return TemporaryError(_("The server's name could not be looked up just now."))
    return ClientError(error.message)


def shape_error() -> ClientError:
    """An answer Coro can't use (not the shape the API promises)."""
    return ClientError(_("The server gave an answer Coro does not understand."))


__all__ = [
    "AuthError",
    "ClientError",
    "RateLimited",
    "TemporaryError",
    "address_error",
    "shape_error",
]
