"""Connecting a Mastodon account: OAuth's authorisation code flow with ``state`` and PKCE.

1. ``oauth_start``: the person names their server; Coro registers its app there once
   (``MastodonApp``) and returns where to send them, plus the pending flow to keep in their
   session: a random ``state``, the PKCE ``code_verifier``, the server and the app.
2. ``oauth_finish``: the server sends them back with ``code`` and ``state``. Refused unless
   there is a pending flow of this person, the state matches it, and (where the server says
   which server it is, RFC 9207 ``iss``) the server is the pending one. The code is exchanged
   with the verifier, and the token is stored encrypted with the account's handle, id and
   follower count; the server's own text limits are kept too (``limits.py``).

Scopes: ``write:statuses`` and ``read:accounts`` (the follower count), nothing else.
"""

import hmac
import ipaddress
import secrets
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coro.connections.limits import server_limits_refresh
from coro.connections.models import ConnectedAccount, MastodonApp
from coro.connections.services import account_connect
from coro.core.fetch.addresses import REFUSED_NAMES, REFUSED_SUFFIXES, address_allowed
from coro.networks.clients import mastodon as client
from coro.orgs.models import Membership

NETWORK = "mastodon"
SESSION_KEY = "connections_mastodon_oauth"


def server_normalise(raw: str) -> str:
    """``https://host`` from what the person typed ("mastodon.social", "https://mastodon.social/",
    "@me@mastodon.social"). Refuses what is not a host name, and private, loopback or
    otherwise non-public addresses written as numbers (names are checked when Coro connects,
    ``client.server_check``). Raises ``ValidationError``."""
    value = raw.strip()
    if value.startswith("@") and value.count("@") == 2:
        value = value.rsplit("@", 1)[1]
    if "://" not in value:
        value = "https://" + value
    not_a_server = ValidationError(
        _("Type your Mastodon server's address, for example mastodon.social."), code="server"
    )
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise not_a_server from exc
    host = (parts.hostname or "").rstrip(".")
    if (
        parts.scheme.lower() not in ("http", "https")
        or not host
        or parts.username is not None
        or parts.password is not None
        or parts.path.strip("/")
        or parts.query
        or parts.fragment
    ):
        raise not_a_server
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise not_a_server from exc
    refused = ValidationError(_("Coro cannot connect to that server."), code="refused")
    if host in REFUSED_NAMES or host.endswith(REFUSED_SUFFIXES):
        raise refused
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
        if "." not in host or not all(label and len(label) < 64 for label in host.split(".")):
            raise not_a_server from None
    if ip is not None and not address_allowed(ip) and not _test_server(ip, port):
        raise refused
    if ip is not None and ip.version == 6:
        host = f"[{host}]"
    if _test_server(ip, port) and ip is not None:
        # Tests only: the local Mastodon server listed in FETCH_TEST_ALLOW, on plain http.
        return f"http://{host}:{port}"
    return f"https://{host}" + (f":{port}" if port and port != 443 else "")


def _test_server(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None, port: int | None
) -> bool:
    """A loopback server listed in ``FETCH_TEST_ALLOW`` (set in tests only)."""
    from django.conf import settings

    allow = getattr(settings, "FETCH_TEST_ALLOW", None)
    if not allow or ip is None or not ip.is_loopback or port is None:
        return False
    endpoint = f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"
    return endpoint in allow


def app_for(server: str, *, redirect_uri: str) -> MastodonApp:
    """Coro's app on the server, registered on first use and kept. Registered again if it
    was made for another callback address (another organisation's)."""
    app = MastodonApp.objects.filter(server=server).first()
    if (
        app is not None
        and app.redirect_uri == redirect_uri
        and app.scopes == " ".join(client.SCOPES)
    ):
        return app
    client_id, client_secret = client.app_register(server, redirect_uri=redirect_uri)
    with transaction.atomic():
        app = MastodonApp.objects.select_for_update().filter(server=server).first() or MastodonApp(
            server=server
        )
        app.client_id = client_id
        app.client_secret = client_secret
        app.redirect_uri = redirect_uri
        app.scopes = " ".join(client.SCOPES)
        # The callback address is Coro's own (built from its URL map and the request's
        # allowed host, which may have no dot, such as a test's "testserver").
        app.full_clean(exclude=["redirect_uri"])
        app.save()
    return app


def oauth_start(
    *, membership: Membership, server: str, redirect_uri: str
) -> tuple[str, dict[str, Any]]:
    """Where to send the person, and the pending flow to keep in their session.
    Raises ``ValidationError`` (a bad server) or ``ClientError`` (the server failed)."""
    normalised = server_normalise(server)
    client.server_check(normalised)
    app = app_for(normalised, redirect_uri=redirect_uri)
    state = secrets.token_urlsafe(32)
    verifier, challenge = client.pkce_pair()
    url = client.authorization_url(
        normalised,
        client_id=app.client_id,
        redirect_uri=redirect_uri,
        state=state,
        code_challenge=challenge,
    )
    pending = {
        "state": state,
        "code_verifier": verifier,
        "server": normalised,
        "client_id": app.client_id,
        "membership": membership.pk,
        "redirect_uri": redirect_uri,
    }
    return url, pending


class OAuthRefused(Exception):
    """The callback does not belong to a flow this person started: nothing is exchanged."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def oauth_finish(
    *, membership: Membership, pending: dict[str, Any] | None, params: dict[str, str]
) -> ConnectedAccount:
    """Check the callback against the pending flow, exchange the code and store the account.
    Raises ``OAuthRefused`` (not this flow) or ``ClientError`` (the server failed)."""
    if not pending or pending.get("membership") != membership.pk:
        raise OAuthRefused(_("Coro was not waiting for a Mastodon server: start again."))
    state = params.get("state", "")
    if not state or not hmac.compare_digest(str(state), str(pending.get("state", ""))):
        raise OAuthRefused(_("That answer does not match the connection you started: start again."))
    server = str(pending["server"])
    issuer = params.get("iss")
    if issuer is not None and issuer.rstrip("/") != server:
        raise OAuthRefused(_("That answer came from another server than yours: start again."))
    if params.get("error"):
        raise OAuthRefused(_("Your server did not allow Coro to connect. Nothing was saved."))
    code = params.get("code", "")
    if not code:
        raise OAuthRefused(_("Your server sent no authorisation: start again."))
    app = MastodonApp.objects.filter(server=server, client_id=pending.get("client_id")).first()
    if app is None:
        raise OAuthRefused(_("Coro's registration on your server changed: start again."))
    account = client.code_exchange(
        server,
        client_id=app.client_id,
        client_secret=app.client_secret,
        code=code,
        redirect_uri=str(pending["redirect_uri"]),
        code_verifier=str(pending["code_verifier"]),
    )
    # The server's own text limits, for the share screen's counter (kept if it cannot say).
    server_limits_refresh(server=server)
    return account_connect(
        membership=membership,
        network=NETWORK,
        server=server,
        handle=account.handle,
        remote_id=account.remote_id,
        credentials={
            "server": server,
            "access_token": account.access_token,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        },
        followers_count=account.followers_count,
    )
