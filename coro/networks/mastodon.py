"""Mastodon: each person lives on their own server, so the intent needs it
(``intent_url(..., server="mastodon.social")``). People type it in many shapes; ``server_host``
turns any of them into the host stored in ``NetworkProfile.instance``."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coro.networks import text_rules
from coro.networks.base import LazyClient, Network, ServerNeeded, link_after_space, query

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# A person's handle, "@ana@mastodon.social" or "ana@mastodon.social": the server follows.
_HANDLE = re.compile(r"^@?[a-z0-9_]+@(?P<server>[^@]+)$", re.I)


def server_host(value: str) -> str:
    """The host of a Mastodon server as a person may type it: ``mastodon.social``,
    ``https://mastodon.social/``, ``@ana@mastodon.social`` or ``ana@mastodon.social`` all give
    ``mastodon.social`` (lower case; international names in their ASCII form). Anything that is
    not a host name (a path, a query, spaces, a bare word) is refused with a clear message."""
    value = value.strip()
    handle = _HANDLE.match(value)
    if handle:
        value = handle["server"]
    parts = urlsplit(value if "://" in value else f"https://{value}")
    if parts.scheme not in ("http", "https") or parts.username or parts.password:
        raise _invalid(value)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise _invalid(value)
    try:
        host = (parts.hostname or "").rstrip(".").encode("idna").decode("ascii").lower()
        port = parts.port
    except (UnicodeError, ValueError):
        raise _invalid(value) from None
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise _invalid(value)
    return f"{host}:{port}" if port else host


def _invalid(value: str) -> ValidationError:
    return ValidationError(
        _("“%(value)s” is not a Mastodon server. Write its address, like mastodon.social."),
        params={"value": value},
        code="server",
    )


def intent_url(text: str, link: str, *, title: str = "", server: str = "") -> str:
    # The person's own server's share page, ``https://<server>/share?text=`` (Mastodon's
    # /share route: the composer opens with the text). One parameter: the link goes in the
    # text after a space, where Mastodon counts it 23.
    if not server.strip():
        raise ServerNeeded("Mastodon's intent needs the person's server (server=...).")
    host = server_host(server)
    return f"https://{host}/share?" + query({"text": link_after_space(text, link)})


NETWORK = Network(
    key="mastodon",
    label="Mastodon",
    text_rule=text_rules.MASTODON,
    intent_url=intent_url,
    outgoing=link_after_space,
    icon="coro/networks/mastodon.svg",
    # Posting through a connected account (coro/networks/clients/mastodon.py).
    client=LazyClient("coro.networks.clients.mastodon"),
    needs_server=True,
)
