"""Rate limits on what can be guessed or abused: Coro's own actions use allauth's counters
(allauth.core.ratelimit, in the cache), with their rates in settings.ACCOUNT_RATE_LIMITS
beside allauth's (log-in, password reset)."""

from allauth.core import ratelimit
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User

TOO_MANY_ATTEMPTS = _("Too many attempts. Wait a few minutes and try again.")


def attempt_allowed(
    request: HttpRequest, *, action: str, key: str | None = None, user: User | None = None
) -> bool:
    """Count one attempt at ``action`` (per IP, and per ``key`` or per ``user`` as its rates
    say); False once a limit is reached. GET requests are never counted."""
    return bool(ratelimit.consume(request, action=action, key=key, user=user))
