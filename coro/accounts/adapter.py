"""How django-allauth behaves in Coro (settings.ACCOUNT_ADAPTER and MFA_ADAPTER).

Accounts are created only by accepting an invitation (or by ``coro setup``), so allauth's
public sign-up stays closed. Its messages are replaced by Coro's own, which speak to the
person as "tú"/"tu" once translated (allauth's Spanish catalogue is formal).
"""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coro.accounts.cookies import set_language_cookie
from coro.accounts.models import User
from coro.accounts.ratelimits import TOO_MANY_ATTEMPTS
from coro.core import crypto


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth has no types
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # The same answer whether or not an account has the address.
        "email_password_mismatch": _(
            "The e-mail address and the password do not match. Check both and try again."
        ),
        "too_many_login_attempts": TOO_MANY_ATTEMPTS,
        "rate_limited": TOO_MANY_ATTEMPTS,
        "account_inactive": _("This account is switched off."),
        "enter_current_password": _("That is not your password."),
        "incorrect_password": _("That is not your password."),
        "invalid_password_reset": _("This link no longer works."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def post_login(
        self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any
    ) -> HttpResponseBase:
        response: HttpResponseBase = super().post_login(request, user, **kwargs)
        # The person's own choice of language follows them to every device.
        if isinstance(user, User) and user.language:
            set_language_cookie(response, user.language)
        return response

    def send_password_reset_mail(
        self, user: AbstractBaseUser, email: str, context: dict[str, Any]
    ) -> None:
        """In the person's language if they chose one, else in the language of the request."""
        language = user.language if isinstance(user, User) and user.language else None
        with translation.override(language or translation.get_language()):
            super().send_password_reset_mail(user, email, context)


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]  # allauth has no types
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _("That code is not right. Check it and try again."),
        "cannot_generate_recovery_codes": _(
            "Recovery codes need two-factor authentication: set up an app or a passkey first."
        ),
    }

    # The authenticator app's secret and the recovery codes' seed are kept encrypted with
    # ENCRYPTION_KEY, like every secret in the database (coro/core/crypto.py).
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def generate_authenticator_name(self, user: AbstractBaseUser, type: str) -> str:
        """The name a new key is offered (the person can change it)."""
        count = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        return gettext("Key %(number)s") % {"number": count + 1}
