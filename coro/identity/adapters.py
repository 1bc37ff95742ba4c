"""django-allauth, told about each organisation's own sign-in (settings.SOCIALACCOUNT_ADAPTER).

- Each organisation's ``IdentityProvider`` is an allauth app of the ``openid_connect``
  provider, ``provider_id`` ``org-<organisation code>``, built on demand: its client secret
  never sits unencrypted in the database (allauth's own ``SocialApp`` table stays empty).
- Before anyone signs in (``pre_social_login``): the nonce, a verified e-mail address at a
  listed domain, and the linking rules of docs/identity.md.
- A person's first sign-in creates their account and their membership as an employee, in
  one transaction; it never enrols them in the program.
- Every refusal, ours or allauth's (a tampered ``state``, an expired ID token), is a page
  that says plainly what happened.
"""

import logging
import secrets
from typing import Any

import requests
from allauth.core.exceptions import ImmediateHttpResponse  # type: ignore[import-untyped, unused-ignore]
from allauth.socialaccount.adapter import (  # type: ignore[import-untyped, unused-ignore]
    DefaultSocialAccountAdapter,
    get_adapter,
)
from allauth.socialaccount.models import SocialApp  # type: ignore[import-untyped, unused-ignore]
from allauth.socialaccount.providers.base.constants import (  # type: ignore[import-untyped, unused-ignore]
    AuthError,
    AuthProcess,
)
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language

from coro.accounts.models import User
from coro.identity import selectors, services
from coro.identity.claims import Answer, Refusal, SignInRefused, nonce_check, verified_email
from coro.identity.models import PROVIDER_ID_PREFIX, IdentityProvider
from coro.identity.presets import Preset
from coro.orgs.models import Membership

logger = logging.getLogger(__name__)

OPENID_CONNECT = "openid_connect"
# Where the nonce given to the provider is kept, in allauth's state for this sign-in (the
# state lives in the session; only its random id travels through the browser).
NONCE_STATE_KEY = "coro_nonce"
ANSWER_ATTRIBUTE = "coro_answer"
NAME_MAX_LENGTH = 150


def social_app_for(provider: IdentityProvider) -> Any:
    """The allauth app of an organisation's provider (never saved)."""
    _source, secret = selectors.client_secret(provider)
    return SocialApp(
        provider=OPENID_CONNECT,
        provider_id=provider.provider_id,
        name=provider.organisation.name[:40],
        client_id=provider.client_id,
        secret=secret,
        settings={
            "server_url": provider.issuer,
            "oauth_pkce_enabled": True,
            # Microsoft's userinfo endpoint (Microsoft Graph) has fewer claims than its ID
            # token (no xms_edov): the ID token alone is read.
            "fetch_userinfo": provider.preset != Preset.MICROSOFT,
            # Never listed on a page: organisations are not named to strangers.
            "hidden": True,
        },
    )


def is_ours(provider_id: str) -> bool:
    return provider_id.startswith(PROVIDER_ID_PREFIX)


def refusal_response(request: HttpRequest, refused: SignInRefused, status: int) -> HttpResponse:
    return render(
        request,
        "identity/refused.html",
        {"message": refused.message, "refusal": refused.refusal.value},
        status=status,
    )


def login_redirect(request: HttpRequest, provider: IdentityProvider, email: str) -> HttpResponse:
    """Send the browser to the organisation's provider, with a fresh nonce kept in allauth's
    state for this sign-in. Raises ``SignInRefused`` if the provider cannot be reached."""
    allauth_provider = get_adapter(request).get_provider(request, provider.provider_id)
    nonce = secrets.token_urlsafe(32)
    next_url = reverse("content:feed", kwargs={"org_code": provider.organisation.code})
    try:
        response: HttpResponse = allauth_provider.redirect(
            request,
            process=AuthProcess.LOGIN,
            next_url=next_url,
            auth_params={"nonce": nonce, "login_hint": email},
            **{NONCE_STATE_KEY: nonce},
        )
    except (requests.RequestException, ValueError, KeyError) as exc:
        # The issuer's discovery document could not be fetched or read.
        logger.warning("The provider of %s cannot be reached: %s", provider.organisation, exc)
        raise SignInRefused(Refusal.UNREACHABLE) from None
    return response


class CompanySignInAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    # --- Apps: one per organisation, built from its IdentityProvider ----------------------

    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ) -> list[Any]:
        apps = list(super().list_apps(request, provider=provider, client_id=client_id))
        if provider is None:
            return apps  # never enumerate the organisations' providers
        candidates: list[IdentityProvider] = []
        if is_ours(provider):
            found = selectors.identity_provider_by_provider_id(provider)
            candidates = [found] if found else []
        elif provider == OPENID_CONNECT and client_id:
            # allauth finds a provider again by its type and client id (a pending sign-in).
            candidates = list(
                IdentityProvider.objects.filter(client_id=client_id).select_related("organisation")
            )
        apps.extend(
            social_app_for(candidate)
            for candidate in candidates
            if client_id is None or candidate.client_id == client_id
        )
        return apps

    # --- Before anyone signs in -----------------------------------------------------------

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict[str, Any]) -> Any:
        """Keep the provider's full answer for the checks, and only a few claims on the
        connected account (before allauth stores it)."""
        user = super().populate_user(request, sociallogin, data)
        if is_ours(sociallogin.account.provider):
            answer = Answer.from_extra_data(sociallogin.account.extra_data)
            setattr(sociallogin, ANSWER_ATTRIBUTE, answer)
            sociallogin.account.extra_data = answer.kept()
            if isinstance(user, User):
                user.name = _display_name(answer, data)[:NAME_MAX_LENGTH]
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        if not is_ours(sociallogin.account.provider):
            return
        try:
            self._admit(request, sociallogin)
        except SignInRefused as refused:
            logger.info(
                "Company sign-in refused (%s) for %s",
                refused.refusal.value,
                sociallogin.account.provider,
            )
            raise ImmediateHttpResponse(refusal_response(request, refused, status=403)) from None

    def _admit(self, request: HttpRequest, sociallogin: Any) -> None:
        provider = selectors.identity_provider_by_provider_id(sociallogin.account.provider)
        if provider is None or not provider.enabled:
            raise SignInRefused(Refusal.NOT_SET_UP)
        organisation = provider.organisation
        answer = getattr(sociallogin, ANSWER_ATTRIBUTE, None)
        if not isinstance(answer, Answer):
            raise SignInRefused(Refusal.TOKEN)
        nonce_check(answer, sociallogin.state.get(NONCE_STATE_KEY))
        email = verified_email(
            answer,
            preset=Preset(provider.preset),
            domains=selectors.allowed_domains(provider),
            organisation=organisation.name,
        )
        in_organisation = Membership.objects.filter(organisation=organisation)

        if sociallogin.is_existing:
            # Signed in with this provider before: the same person (provider and subject).
            user = sociallogin.user
            if not user.is_active:
                raise SignInRefused(Refusal.INACTIVE)
            if not in_organisation.filter(user=user).exists():
                raise SignInRefused(Refusal.NOT_A_MEMBER, organisation=organisation.name)
            return

        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            # Linked only through the verified address, and only to an account that is
            # already a member of this organisation: a provider vouches for its own people,
            # never for accounts of other organisations.
            if not existing.is_active:
                raise SignInRefused(Refusal.INACTIVE)
            if not in_organisation.filter(user=existing).exists():
                raise SignInRefused(Refusal.ACCOUNT_ELSEWHERE, organisation=organisation.name)
            sociallogin.connect(request, existing)
            return

        # A new person: allauth signs them up (save_user) with this address, which the
        # provider verified (for Microsoft, through xms_edov, which allauth does not read).
        sociallogin.user.email = email
        for address in sociallogin.email_addresses:
            if address.email.lower() == email:
                address.verified = True

    # --- A new person ----------------------------------------------------------------------

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        if is_ours(sociallogin.account.provider):
            return True  # pre_social_login has checked the address and its domain
        return bool(super().is_open_for_signup(request, sociallogin))

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: Any) -> bool:
        if is_ours(sociallogin.account.provider):
            return True
        return bool(super().is_auto_signup_allowed(request, sociallogin))

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> Any:
        if not is_ours(sociallogin.account.provider):
            return super().save_user(request, sociallogin, form)
        provider = selectors.identity_provider_by_provider_id(sociallogin.account.provider)
        if provider is None:
            raise ImmediateHttpResponse(
                refusal_response(request, SignInRefused(Refusal.NOT_SET_UP), status=403)
            )
        user = sociallogin.user
        user.language = get_language() if _is_interface_language(get_language()) else ""
        try:
            user.full_clean(exclude=["password"])
            with transaction.atomic():
                user = super().save_user(request, sociallogin, form)
                services.employee_join(organisation=provider.organisation, user=user)
        except (ValidationError, IntegrityError) as exc:
            # Nothing was saved. Most likely the address was taken meanwhile (a second tab).
            logger.warning("A first company sign-in could not create the account: %s", exc)
            taken = isinstance(exc, IntegrityError) or "email" in getattr(exc, "error_dict", {})
            refused = (
                SignInRefused(Refusal.ACCOUNT_ELSEWHERE, organisation=provider.organisation.name)
                if taken
                else SignInRefused(Refusal.TOKEN)
            )
            raise ImmediateHttpResponse(refusal_response(request, refused, status=403)) from None
        return user

    # --- allauth's own refusals --------------------------------------------------------------

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: str | None = None,
        exception: BaseException | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        app = getattr(provider, "app", None)
        if app is None or not is_ours(str(app.provider_id)):
            super().on_authentication_error(
                request, provider, error=error, exception=exception, extra_context=extra_context
            )
            return
        context = extra_context or {}
        cancelled = request.GET.get("error") == "access_denied"
        if error == AuthError.CANCELLED or cancelled:
            refusal, status = Refusal.CANCELLED, 400
        elif exception is None and "state" not in context:
            refusal, status = Refusal.STATE, 400  # unknown, tampered or expired state
        else:
            refusal, status = Refusal.TOKEN, 403
        logger.info(
            "Company sign-in failed (%s) for %s: %r, caused by %r",
            refusal.value,
            app.provider_id,
            exception,
            getattr(exception, "__cause__", None),
        )
        raise ImmediateHttpResponse(refusal_response(request, SignInRefused(refusal), status))


def _is_interface_language(code: str | None) -> bool:
    return bool(code) and code in dict(settings.LANGUAGES)


def _display_name(answer: Answer, data: dict[str, Any]) -> str:
    claims = answer.claims
    name = claims.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    parts = [claims.get("given_name"), claims.get("family_name")]
    joined = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    if joined:
        return joined
    email = claims.get("email") or data.get("email") or ""
    return str(email).partition("@")[0]
