"""The kinds of identity provider, and the issuer address each one implies."""

import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Preset(models.TextChoices):
    GOOGLE = "google", _("Google Workspace")
    MICROSOFT = "microsoft", _("Microsoft Entra ID")
    GENERIC = "generic", _("Another OpenID Connect provider")


GOOGLE_ISSUER = "https://accounts.google.com"
MICROSOFT_ISSUER = "https://login.microsoftonline.com/{tenant}/v2.0"
_MICROSOFT_ISSUER = re.compile(r"^https://login\.microsoftonline\.com/(?P<tenant>[^/]+)/v2\.0$")
# A directory (tenant) id, or one of its verified domain names.
_TENANT = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$"
)
# These let in people of any organisation: a tenant of one company is required.
SHARED_TENANTS = frozenset({"common", "organizations", "consumers"})

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def normalise_tenant(text: str) -> str:
    return text.strip().lower()


def validate_tenant(tenant: str) -> None:
    if tenant in SHARED_TENANTS:
        raise ValidationError(
            _(
                "“%(tenant)s” lets in people of any organisation. Give your own directory "
                "(tenant) id or its domain."
            ),
            code="shared_tenant",
            params={"tenant": tenant},
        )
    if not _TENANT.match(tenant):
        raise ValidationError(
            _(
                "A directory (tenant) id looks like 0a1b2c3d-… (36 characters), or give a "
                "domain of the directory such as example.com."
            ),
            code="invalid_tenant",
        )


def microsoft_issuer(tenant: str) -> str:
    return MICROSOFT_ISSUER.format(tenant=tenant)


def tenant_of(issuer: str) -> str:
    """The Microsoft tenant an issuer names ("" if it is not a Microsoft issuer)."""
    match = _MICROSOFT_ISSUER.match(issuer)
    return match.group("tenant") if match else ""


def normalise_issuer(text: str) -> str:
    return text.strip().rstrip("/")


def _is_private_address(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def validate_issuer(issuer: str) -> None:
    """An ``https`` address of a public host. Plain ``http`` on the loopback interface is
    accepted only with DEBUG on (development and tests)."""
    parts = urlsplit(issuer)
    host = (parts.hostname or "").lower()
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError(
            _("The issuer is a plain address, without “?”, “#” or a user name."),
            code="issuer_extra",
        )
    loopback_allowed = settings.DEBUG and host in LOOPBACK_HOSTS
    if parts.scheme == "http" and loopback_allowed:
        return
    if parts.scheme != "https" or not host:
        raise ValidationError(_("The issuer must be an https:// address."), code="issuer_not_https")
    if host in LOOPBACK_HOSTS or _is_private_address(host):
        raise ValidationError(
            _("The issuer must be a public address, not one of this server's network."),
            code="issuer_private",
        )
