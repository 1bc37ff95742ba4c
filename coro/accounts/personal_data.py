"""What the accounts app holds about a person (see coro/core/personal_data.py)."""

import logging
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.core.personal_data import PersonalDataFile

logger = logging.getLogger(__name__)

# Fields of the account never exported: the password hash is a secret, not data about them.
USER_FIELDS_WITHHELD = {"password"}

DATABASE_SESSION_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


def profile(user: User) -> dict[str, Any]:
    data = {
        field.name: field.value_from_object(user)
        for field in User._meta.concrete_fields
        if field.name not in USER_FIELDS_WITHHELD
    }
    data["groups"] = list(user.groups.values_list("name", flat=True))
    data["permissions"] = sorted(user.get_user_permissions())
    return data


def email_addresses(user: User) -> list[dict[str, Any]]:
    """The addresses allauth keeps for log-in and password reset, and whether each was
    confirmed; confirmation keys are secrets and stay out."""
    return [
        {
            "email": address.email,
            "verified": address.verified,
            "primary": address.primary,
            "confirmations_sent": [
                confirmation.sent
                for confirmation in address.emailconfirmation_set.order_by("created")
                if confirmation.sent
            ],
        }
        for address in EmailAddress.objects.filter(user=user).order_by("pk")
    ]


def sign_in_methods(user: User) -> list[dict[str, Any]]:
    """Which second factors the person set up, and when each was added and last used. Never
    their secrets: no TOTP key, no recovery code, no public key."""
    methods = []
    for authenticator in Authenticator.objects.filter(user=user).order_by("created_at", "pk"):
        method: dict[str, Any] = {
            "method": authenticator.type,
            "created_at": authenticator.created_at,
            "last_used_at": authenticator.last_used_at,
        }
        if authenticator.type == Authenticator.Type.WEBAUTHN:
            method["name"] = authenticator.wrap().name
            method["passkey"] = authenticator.wrap().is_passwordless
        methods.append(method)
    return methods


FILES = [
    PersonalDataFile(
        "profile.json",
        (User,),
        profile,
        _("Your account (without your password)."),
    ),
    PersonalDataFile(
        "email_addresses.json",
        (EmailAddress, EmailConfirmation),
        email_addresses,
        _("The e-mail addresses you log in with, and whether each was confirmed."),
    ),
    PersonalDataFile(
        "two_factor_methods.json",
        (Authenticator,),
        sign_in_methods,
        _(
            "Your two-factor methods (app, passkeys, recovery codes): when each was added "
            "and last used, never their secrets."
        ),
    ),
]

NOTHING_PERSONAL: dict[type[Model], str] = {
    Group: "a named set of permissions; a person's groups are in profile.json",
    Permission: "what a role may do, about nobody",
    Session: "a sign-in secret, never exported; erasure deletes the person's sessions",
}


def erase(user: AbstractBaseUser) -> None:
    """Sign the person out everywhere: their sessions hold their id."""
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        # Cookie or cache sessions expire on their own and no longer resolve to anyone.
        logger.info("Sessions are not in the database; not searched on erasure.")
        return
    store = import_module(settings.SESSION_ENGINE).SessionStore
    user_id = str(user.pk)
    for session in Session.objects.iterator():
        if session.get_decoded().get(SESSION_KEY) == user_id:
            store(session_key=session.session_key).delete()
