"""What Coro checks in the answer of an organisation's provider before anyone signs in.

allauth has already checked the ID token's issuer, audience and expiry (and the ``state``
against the session). Here: the ``nonce`` this browser was given, that the e-mail address is
verified by the provider, and that its domain is one the organisation lists.
"""

import enum
import hmac
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from coro.identity.domains import domain_of
from coro.identity.presets import Preset

# The claims kept on the person's connected account (SocialAccount.extra_data): enough to
# show them which company account they signed in with; tokens are never kept.
KEPT_CLAIMS = ("sub", "iss", "email", "email_verified", "name", "hd", "tid")


class Refusal(enum.Enum):
    """Why a sign-in is refused; each has a message for the person."""

    NOT_SET_UP = "not_set_up"
    UNREACHABLE = "unreachable"
    STATE = "state"
    CANCELLED = "cancelled"
    TOKEN = "token"
    NONCE = "nonce"
    NO_EMAIL = "no_email"
    UNVERIFIED = "unverified"
    DOMAIN = "domain"
    WORKSPACE = "workspace"
    ACCOUNT_ELSEWHERE = "account_elsewhere"
    NOT_A_MEMBER = "not_a_member"
    INACTIVE = "inactive"


MESSAGES = {
    Refusal.NOT_SET_UP: _(
        "Company sign-in is not switched on for this organisation. Sign in with your password."
    ),
    Refusal.UNREACHABLE: _(
        "Coro could not reach your company's sign-in just now. Try again in a moment; if it "
        "keeps happening, tell your company's Coro admin."
    ),
    Refusal.STATE: _(
        "This sign-in expired or was already used, or it was started in another browser. "
        "Start again from the company sign-in page."
    ),
    Refusal.CANCELLED: _("You cancelled the sign-in. Nothing was changed."),
    Refusal.TOKEN: _(
        "Your company's sign-in answered with something Coro could not check (it may have "
        "expired). Start again; if it keeps happening, tell your company's Coro admin."
    ),
    Refusal.NONCE: _(
        "Your company's sign-in answer does not belong to this sign-in. Start again from the "
        "company sign-in page."
    ),
    Refusal.NO_EMAIL: _(
        "Your company's sign-in did not tell Coro your e-mail address. Ask your company's IT "
        "team to share it (the “email” scope)."
    ),
    Refusal.UNVERIFIED: _(
        "Your company's sign-in did not confirm that your e-mail address is verified, so Coro "
        "cannot use it to sign you in. Ask your company's IT team, or sign in with your "
        "password."
    ),
    Refusal.DOMAIN: _(
        "Addresses at %(domain)s cannot sign in to %(organisation)s with its company sign-in."
    ),
    Refusal.WORKSPACE: _(
        "This Google account does not belong to your company's Google Workspace. Sign in with "
        "your work account."
    ),
    Refusal.ACCOUNT_ELSEWHERE: _(
        "There is already a Coro account with this address, and it is not part of "
        "%(organisation)s. Sign in with your password; an admin of %(organisation)s can "
        "invite you."
    ),
    Refusal.NOT_A_MEMBER: _(
        "You are no longer part of %(organisation)s. An admin of %(organisation)s can invite "
        "you again."
    ),
    Refusal.INACTIVE: _("This account is switched off. Ask your company's Coro admin."),
}


class SignInRefused(Exception):
    def __init__(self, refusal: Refusal, **params: str) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.params = params

    @property
    def message(self) -> str:
        text = str(MESSAGES[self.refusal])
        return text % self.params if self.params else text


@dataclass(frozen=True)
class Answer:
    """The provider's answer, as allauth decoded it: the ID token's claims and, when
    fetched, the userinfo endpoint's."""

    id_token: dict[str, Any]
    userinfo: dict[str, Any]

    @classmethod
    def from_extra_data(cls, extra_data: Any) -> "Answer":
        data = extra_data if isinstance(extra_data, dict) else {}
        id_token = data.get("id_token")
        userinfo = data.get("userinfo")
        return cls(
            id_token=id_token if isinstance(id_token, dict) else {},
            userinfo=userinfo if isinstance(userinfo, dict) else {},
        )

    @property
    def claims(self) -> dict[str, Any]:
        """The userinfo claims over the ID token's (userinfo may carry more)."""
        return {**self.id_token, **self.userinfo}

    def kept(self) -> dict[str, Any]:
        claims = self.claims
        return {name: claims[name] for name in KEPT_CLAIMS if name in claims}


def _is_true(value: object) -> bool:
    # Some providers send the JSON string "true" instead of the boolean.
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def nonce_check(answer: Answer, expected: str | None) -> None:
    """The ID token carries the nonce Coro gave this browser's sign-in, and no other."""
    received = answer.id_token.get("nonce")
    if not expected or not isinstance(received, str) or not received:
        raise SignInRefused(Refusal.NONCE)
    if not hmac.compare_digest(received.encode(), expected.encode()):
        raise SignInRefused(Refusal.NONCE)


def email_verified(answer: Answer, preset: Preset) -> bool:
    claims = answer.claims
    if "email_verified" in claims:
        return _is_true(claims["email_verified"])
    # Microsoft Entra ID never sends email_verified for work accounts. Its optional claim
    # xms_edov says the address's domain is verified as the tenant's own; it stands in
    # only when email_verified is absent.
    return preset == Preset.MICROSOFT and _is_true(claims.get("xms_edov"))


def verified_email(answer: Answer, *, preset: Preset, domains: list[str], organisation: str) -> str:
    """The person's verified address, if its domain is one the organisation lists.

    Raises ``SignInRefused`` otherwise."""
    if not answer.id_token:
        raise SignInRefused(Refusal.TOKEN)
    userinfo_sub = answer.userinfo.get("sub")
    if answer.userinfo and userinfo_sub != answer.id_token.get("sub"):
        # OpenID Connect Core 5.3.2: the userinfo must be about the ID token's subject.
        raise SignInRefused(Refusal.TOKEN)
    email = answer.claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise SignInRefused(Refusal.NO_EMAIL)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise SignInRefused(Refusal.NO_EMAIL) from None
    if not email_verified(answer, preset):
        raise SignInRefused(Refusal.UNVERIFIED)
    domain = domain_of(email)
    if domain not in domains:
        raise SignInRefused(Refusal.DOMAIN, domain=domain, organisation=organisation)
    if preset == Preset.GOOGLE:
        # Google: a consumer account can carry a verified work address; only an account of
        # the company's Workspace has the hosted domain ("hd") claim (Google's advice).
        hosted_domain = answer.claims.get("hd")
        if not isinstance(hosted_domain, str) or hosted_domain.lower() not in domains:
            raise SignInRefused(Refusal.WORKSPACE)
    return email
