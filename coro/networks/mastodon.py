"""Mastodon: each person lives on their own server, so the intent needs it
(``intent_url(..., server="mastodon.social")``). People type it in many shapes; ``server_host``
turns any of them into the host stored in ``NetworkProfile.instance``. ``SERVER_MESSAGES``
are what every Mastodon server field says (the share screen, My networks, connecting an
account): one set, so the same input gets the same answer on every form."""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from coro.networks import text_rules
from coro.networks.base import LazyClient, Network, ServerNeeded, link_after_space, query

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# A person's handle, "@ana@mastodon.social" or "ana@mastodon.social": the server follows.
_HANDLE = re.compile(r"^@?[a-z0-9_]+@(?P<server>[^@]+)$", re.I)
# A profile's or a post's address on the person's server, what people copy most:
# "/@ana", "/@ana/123", "/users/ana", "/users/ana/statuses/123" (a trailing slash too).
# Not "/@bob@other.example" (someone else's profile seen from this server).
_USER = r"[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?"
_PROFILE_PATH = re.compile(rf"^/(?:@{_USER}(?:/\d+)?|users/{_USER}(?:/statuses/\d+)?)/?$", re.I)

SERVER_MESSAGES = {
    "required": gettext_lazy("Write your Mastodon server, like mastodon.social."),
    "max_length": gettext_lazy(
        "That is too long for a server's address: write only its name, like mastodon.social."
    ),
    "server": gettext_lazy(
        "“%(value)s” is not a Mastodon server. Write its address, like mastodon.social."
    ),
    "server_private": gettext_lazy(
        "That is the address of a private or local network: write your server's public name."
    ),
}


def server_error(code: str, value: str = "") -> ValidationError:
    """The ``ValidationError`` of a Mastodon server field for ``code`` (a key of
    ``SERVER_MESSAGES``: "server" for what is not a server's address, "server_private" for a
    private or local one, ...)."""
    return ValidationError(SERVER_MESSAGES[code], params={"value": value}, code=code)


def server_host(value: str) -> str:
    """The host of a Mastodon server as a person may type it: ``mastodon.social``,
    ``https://mastodon.social/``, ``@ana@mastodon.social``, ``ana@mastodon.social`` or a
    profile's (or post's) address such as ``https://mastodon.social/@ana`` all give
    ``mastodon.social`` (lower case; international names in their ASCII form; a port is kept,
    except https's own 443). Anything that is not a host name (another path, a query, spaces,
    a bare word, broken brackets) is refused with a clear message, never an exception of its
    own."""
    value = value.strip()
    handle = _HANDLE.match(value)
    if handle:
        value = handle["server"]
    try:
        # urlsplit refuses some input itself ("[::1": "Invalid IPv6 URL"), and so does .port.
        parts = urlsplit(value if "://" in value else f"https://{value}")
        port = parts.port
        hostname = parts.hostname or ""
    except ValueError:
        raise _invalid(value) from None
    if parts.scheme not in ("http", "https") or parts.username or parts.password:
        raise _invalid(value)
    if parts.path not in ("", "/") and not _PROFILE_PATH.match(parts.path):
        raise _invalid(value)
    if parts.query or parts.fragment:
        raise _invalid(value)
    try:
        host = hostname.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise _invalid(value) from None
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise _invalid(value)
    return f"{host}:{port}" if port and port != 443 else host


def _invalid(value: str) -> ValidationError:
    return server_error("server", value)


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
