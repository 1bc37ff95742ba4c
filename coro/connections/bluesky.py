"""Connecting a Bluesky account with an app password (Bluesky has no OAuth for this yet).

The person creates an app password on Bluesky (Settings → Privacy and security → App
passwords) and gives it to Coro with their handle. Coro logs in once to check them, then
stores the handle, the DID and the app password, encrypted (``ConnectedAccount.credentials``):
each post logs in afresh, so there is no session to refresh or to lose. Deleting the app
password on Bluesky ends Coro's access there; disconnecting deletes it here.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coro.connections import services
from coro.connections.models import ConnectedAccount
from coro.networks.clients import AuthError, ClientError
from coro.networks.clients import bluesky as client
from coro.orgs.models import Membership

NETWORK = "bluesky"


def bluesky_connect(
    *, membership: Membership, handle: str, app_password: str, server: str = ""
) -> ConnectedAccount:
    """Check the handle and app password by logging in, then store the account (replacing
    an earlier one). ``ValidationError`` (keyed by field) if Bluesky refuses them or cannot
    be reached; nothing is saved then."""
    try:
        account = client.account_verify(
            server=server or client.DEFAULT_SERVER, handle=handle, app_password=app_password
        )
    except AuthError:
        raise ValidationError(
            {
                "app_password": _(
                    "Bluesky refused this handle and app password. Check both and try again "
                    "(an app password looks like abcd-efgh-ijkl-mnop)."
                )
            },
            code="refused",
        ) from None
    except ClientError as error:
        raise ValidationError(
            _("Coro could not connect your account: %(reason)s") % {"reason": error.message},
            code="unreachable",
        ) from None
    credentials = account.credentials(app_password)
    try:
        followers = client.CLIENT.audience_size(credentials=credentials)
    except ClientError:
        followers = None
    return services.account_connect(
        membership=membership,
        network=NETWORK,
        server=account.server,
        handle=account.handle,
        remote_id=account.did,
        credentials=credentials,
        followers_count=followers,
    )
