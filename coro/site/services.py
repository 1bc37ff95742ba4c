"""First run: the organisation, its first admin, its language and time zone."""

from dataclasses import dataclass

from allauth.account import (  # type: ignore[import-untyped, unused-ignore]
    app_settings as allauth_settings,
)
from allauth.account.utils import (  # type: ignore[import-untyped, unused-ignore]
    user_pk_to_url_str,
)
from django.conf import settings
from django.contrib.auth import password_validation
from django.db import transaction
from django.urls import reverse

from coro.accounts.models import User
from coro.core.languages import validate_language
from coro.orgs import services as org_services
from coro.orgs.models import Organisation
from coro.orgs.profile import validate_time_zone


class AlreadySetUpError(Exception):
    """An organisation exists: setting up again needs an explicit request."""


@dataclass(frozen=True)
class SetupResult:
    organisation: Organisation
    admin: User
    admin_created: bool  # False: an existing account became the admin, its password unchanged


def organisation_exists() -> bool:
    return Organisation.objects.exists()


def site_setup(
    *,
    organisation_name: str,
    language: str,
    time_zone: str,
    admin_email: str,
    admin_name: str,
    password: str | None,
    another: bool = False,
) -> SetupResult:
    """Create the organisation with its first admin. ``password`` None leaves the admin with
    an unusable password, to be set through ``password_set_link``. Refuses
    (``AlreadySetUpError``) when an organisation exists, unless ``another``.

    The program starts closed: no terms are published until an admin publishes them."""
    validate_language(language)
    validate_time_zone(time_zone)
    email = admin_email.strip().lower()
    with transaction.atomic():
        if not another and organisation_exists():
            raise AlreadySetUpError
        admin = User.objects.filter(email=email).first()
        created = admin is None
        if admin is None:
            admin = org_services.user_create(
                email=email, name=admin_name, password=password or "", language=""
            )
            if password is None:
                admin.set_unusable_password()
                admin.save(update_fields=["password"])
        organisation = org_services.organisation_create(name=organisation_name.strip(), owner=admin)
        organisation.language = language
        organisation.time_zone = time_zone
        organisation.full_clean()
        organisation.save(update_fields=["language", "time_zone"])
    return SetupResult(organisation=organisation, admin=admin, admin_created=created)


def password_set_link(user: User) -> str:
    """A link to choose a password: the password-reset link, so it works once (it depends on
    the password hash) and for ``PASSWORD_RESET_TIMEOUT``."""
    key = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )
    return settings.BASE_URL + path


def validate_password_for(password: str, *, email: str, name: str) -> None:
    """Django's password validators, against the future account (``ValidationError``)."""
    password_validation.validate_password(password, User(email=email, name=name))
