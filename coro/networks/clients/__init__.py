"""API clients for networks a person can connect (Mastodon, Bluesky), and the errors they raise.

Every client turns whatever its library raises into one of these, so the scheduler
(``coro.sharing``) can decide what to do without knowing the network:

- ``AuthError``: the network refused the credentials (401/403). Never retried; the account is
  marked "reconnect needed" and the person is told.
- ``RateLimited``: 429. Retry after ``retry_after`` seconds (None: the network did not say).
- ``TemporaryError``: 5xx, timeouts, connection errors. Retry with backoff.
- ``ClientError``: anything else (a bad answer, a refused post): not retried.
"""


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


__all__ = ["AuthError", "ClientError", "RateLimited", "TemporaryError"]
