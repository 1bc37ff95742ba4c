"""E-mail domains: how they are written, checked and compared."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Addresses anyone can get: listing one would let every stranger with such an address in.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "gmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.es",
        "gmx.net",
        "googlemail.com",
        "hotmail.com",
        "hotmail.es",
        "icloud.com",
        "live.com",
        "mail.com",
        "me.com",
        "msn.com",
        "outlook.com",
        "outlook.es",
        "proton.me",
        "protonmail.com",
        "telefonica.net",
        "yahoo.com",
        "yahoo.es",
        "yandex.com",
        "zoho.com",
    }
)

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DOMAIN = re.compile(rf"^(?:{_LABEL}\.)+(?:[a-z]{{2,63}}|xn--[a-z0-9-]{{1,59}})$")
DOMAIN_MAX_LENGTH = 253


def normalise_domain(text: str) -> str:
    """``" @Acme.ES "`` → ``"acme.es"``; a non-ASCII name in its ASCII (IDNA) form."""
    domain = text.strip().lstrip("@").rstrip(".").lower()
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def domain_of(email: str) -> str:
    """The normalised domain of an address (empty if it has none)."""
    local, sep, domain = email.strip().rpartition("@")
    return normalise_domain(domain) if sep and local else ""


def validate_domain(value: str) -> None:
    if len(value) > DOMAIN_MAX_LENGTH or not _DOMAIN.match(value):
        raise ValidationError(
            _("%(domain)s is not a domain name like example.com."),
            code="invalid",
            params={"domain": value},
        )
    if value in PUBLIC_MAIL_DOMAINS:
        raise ValidationError(
            _("%(domain)s is a public e-mail service: anyone can get an address there."),
            code="public",
            params={"domain": value},
        )
