"""A session's absolute lifetime, besides its idle time (docs/security.md).

The idle time is Django's: SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST renews the
session on every request. This middleware adds the other bound: the session remembers when
its log-in happened, and ends SESSION_MAX_AGE_SECONDS later however busy it was.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

LOGIN_AT = "coro_login_at"


def session_lifetime(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        if was_signed_in:
            login_at = request.session.get(LOGIN_AT)
            if login_at is None:
                # A session from before this rule, or made without the log-in page (tests'
                # force_login): its clock starts now.
                request.session[LOGIN_AT] = int(time.time())
            elif time.time() - login_at > settings.SESSION_MAX_AGE_SECONDS:
                logout(request)
                messages.info(request, _("Your session ended. Log in again to continue."))
        response = get_response(request)
        if not was_signed_in and request.user.is_authenticated:
            # The log-in happened in this request (a password, a passkey, an invitation).
            request.session[LOGIN_AT] = int(time.time())
        return response

    return middleware
