"""What a fetch gives back: the answer (``Fetched``) or why there is none (``FetchError``)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _


class FetchError(Exception):
    """A fetch that did not work; ``str()`` is a sentence to show people, ``code`` for tests."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Fetched:
    url: str  # the final address, after redirects
    status: int
    content_type: str  # lower-case media type, without parameters
    charset: str | None
    body: bytes


def refused_address() -> FetchError:
    return FetchError(
        _("The address points to a private network, which Coro never fetches."), code="address"
    )


def not_an_address() -> FetchError:
    return FetchError(_("That is not a valid web address."), code="url")


def timed_out(timeout: float) -> FetchError:
    seconds = int(timeout) if float(timeout).is_integer() else round(timeout, 1)
    return FetchError(
        _("The site took longer than %(seconds)s seconds.") % {"seconds": seconds},
        code="timeout",
    )
