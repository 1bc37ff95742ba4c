"""What every chat service module gives (``ChatService``), and the address checks they share.

A webhook address is a secret (whoever has it can post in the channel), so it is stored
encrypted and shown only masked (``masked``). Each service checks that an address is one of
its own webhooks; tests serve them from this machine instead, on an address listed in
``FETCH_TEST_ALLOW`` (``is_test_endpoint``), which no real service address ever is.
"""

import ipaddress
from typing import Any, Protocol
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _


class ChatService(Protocol):
    """One chat service Coro can announce new posts in (Slack, Microsoft Teams)."""

    key: str
    label: str | Promise
    # What one of its webhook addresses looks like, shown under the address field.
    example: str

    def validate_url(self, url: str) -> None:
        """Raise ``ValidationError`` (a sentence for the admin) unless ``url`` is one of this
        service's incoming webhook addresses."""
        ...

    def payload(self, *, text: str, link: str, link_label: str) -> dict[str, Any]:
        """The JSON document that posts ``text`` in the channel, with a link to ``link``."""
        ...


def is_test_endpoint(url: str) -> bool:
    """Whether ``url`` is a local test server listed in ``FETCH_TEST_ALLOW`` (only ever set in
    tests): a loopback address and port, given as numbers."""
    allow = getattr(settings, "FETCH_TEST_ALLOW", None)
    if not allow:
        return False
    try:
        parts = urlsplit(url.strip())
        ip = ipaddress.ip_address(parts.hostname or "")
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    endpoint = f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"
    return parts.scheme in ("http", "https") and ip.is_loopback and endpoint in allow


def https_parts(url: str) -> SplitResult:
    """The parts of a webhook address: https, a name, no user or password, the usual port."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValidationError(_("That is not a valid web address."), code="url") from None
    if parts.scheme.lower() != "https":
        raise ValidationError(
            _("A webhook address starts with https:// (copy it whole from the chat service)."),
            code="scheme",
        )
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise ValidationError(_("That is not a valid web address."), code="url")
    if port not in (None, 443):
        raise ValidationError(
            _("Webhook addresses of chat services don't name a port other than 443."),
            code="port",
        )
    return parts


def host_of(parts: SplitResult) -> str:
    return (parts.hostname or "").rstrip(".").lower()


def masked(url: str) -> str:
    """The address with its secret left out, for the settings page: its host and the last
    four characters ("hooks.slack.com/…/XXXX")."""
    try:
        parts = urlsplit(url.strip())
        host = parts.netloc.rpartition("@")[2]
    except ValueError:
        return "…"
    rest = (parts.path + ("?" + parts.query if parts.query else "")).rstrip("/")
    return f"{host}/…/{rest[-4:]}" if len(rest) > 4 else f"{host}/…"
