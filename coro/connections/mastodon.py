"""Connecting a Mastodon account: OAuth's authorisation code flow with ``state`` and PKCE.

1. ``oauth_start``: the person names their server; Coro registers its app there once
   (``MastodonApp``, one per server: the callback address is the installation's own,
   ``callback_uri``, the same for every organisation) and returns where to send them, plus
   the pending flow to keep in their session: a random ``state``, the PKCE
   ``code_verifier``, the server, the app and the person's membership (and organisation).
2. ``oauth_finish``: the server sends them back with ``code`` and ``state``. Refused unless
   there is a pending flow of this person, the state matches it, and (where the server says
   which server it is, RFC 9207 ``iss``) the server is the pending one. The code is exchanged
   with the verifier, and the token is stored encrypted with the account's handle, id and
   follower count. The server becomes the person's Mastodon server if they had named none,
   and its own text limits are asked for in the background (``limits.py``).

Scopes: ``write:statuses`` and ``read:accounts`` (the follower count), nothing else.
"""

import hmac
import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from coro.connections import profile_services
from coro.connections.limits import NETWORK, server_limits_enqueue, server_url
from coro.connections.models import ConnectedAccount, MastodonApp
from coro.connections.services import account_connect
from coro.networks.clients import ClientError
from coro.networks.clients import mastodon as client
from coro.orgs.models import Membership

logger = logging.getLogger(__name__)

SESSION_KEY = "connections_mastodon_oauth"


def server_normalise(raw: str) -> str:
    """``https://host`` from what the person typed ("mastodon.social", "https://mastodon.social/",
    "@ana@mastodon.social", "ana@mastodon.social"): ``profile_services.server_normalise`` (the
    one normaliser: private, loopback or local hosts refused) as a base URL. Names are
    checked when Coro connects (``client.server_check``). Raises ``ValidationError``."""
    return server_url(profile_services.server_normalise(raw))


def callback_uri() -> str:
    """Where every Mastodon server sends people back: one address for the whole installation
    (``BASE_URL``), outside any organisation, so the app registered on a server serves all."""
    return settings.BASE_URL + reverse("oauth:mastodon_callback")


def app_for(server: str, *, redirect_uri: str) -> MastodonApp:
    """Coro's app on the server, registered on first use and kept. Registered again only if
    the installation's callback address (its ``BASE_URL``) or Coro's scopes changed."""
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
        # The callback address is Coro's own (its BASE_URL, whose host may have no dot, such
        # as "http://coro:8000" inside a container).
        app.full_clean(exclude=["redirect_uri"])
        app.save()
    return app


def oauth_start(*, membership: Membership, server: str) -> tuple[str, dict[str, Any]]:
    """Where to send the person, and the pending flow to keep in their session.
    Raises ``ValidationError`` (a bad server) or ``ClientError`` (the server failed)."""
    normalised = server_normalise(server)
    redirect_uri = callback_uri()
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
        "org_code": membership.organisation.code,
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
    try:
        account = client.code_exchange(
            server,
            client_id=app.client_id,
            client_secret=app.client_secret,
            code=code,
            redirect_uri=str(pending["redirect_uri"]),
            code_verifier=str(pending["code_verifier"]),
        )
    except ClientError:
        raise
    except Exception as exc:  # an answer the client did not foresee: never a 500
        logger.exception("The code exchange with %s gave an unexpected answer.", server)
        message = _("Your server answered with something Coro does not understand.")
        raise ClientError(message) from exc
    credentials = {
        "server": server,
        "access_token": account.access_token,
        "client_id": app.client_id,
        "client_secret": app.client_secret,
    }
    try:
        with transaction.atomic():
            # Stored first: the token the server just issued is never lost.
            connected = account_connect(
                membership=membership,
                network=NETWORK,
                server=server,
                handle=account.handle,
                remote_id=account.remote_id,
                credentials=credentials,
                followers_count=account.followers_count,
            )
            # The person's Mastodon server from now on, unless they named one: Coro does not
            # ask again for a server it knows.
            profile_services.network_server_default(
                membership=membership, network=NETWORK, host=urlsplit(server).netloc
            )
    except ValidationError:
        _revoke_quietly(credentials)
        raise
    # The server's own text limits, for the share screen's counter: in the background, so a
    # slow or odd server never holds up (or breaks) connecting.
    server_limits_enqueue(server)
    return connected


def _revoke_quietly(credentials: dict[str, str]) -> None:
    """The account could not be stored: give the server its token back, if it listens."""
    try:
        client.revoke(credentials)
    except Exception:  # best effort: the flow failed already
        logger.warning("Revoking an unsaved token on %s failed.", credentials.get("server"))
