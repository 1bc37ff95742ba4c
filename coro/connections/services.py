"""Connected accounts, for every network with an API: connecting, disconnecting (revoking
where the network allows), "reconnect needed", and the daily follower count.

Network-specific steps live beside this module (``mastodon.py``: OAuth; ``bluesky.py``: app
passwords) and call these. Each network's API client is found through
``coro.networks.get_network(key).client``.
"""

import logging
from collections.abc import Callable, Mapping

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coro.connections import hooks
from coro.connections.models import ConnectedAccount, MastodonApp
from coro.core import crypto
from coro.networks import NetworkClient, get_network
from coro.networks.clients import AuthError, ClientError
from coro.networks.clients import mastodon as mastodon_client
from coro.notifications.emails import person_language
from coro.notifications.models import Notification
from coro.notifications.services import notification_hold
from coro.orgs.models import Membership

logger = logging.getLogger(__name__)

# How to revoke an account's credentials on its network, where the API allows it.
REVOKERS: dict[str, Callable[[Mapping[str, str]], None]] = {"mastodon": mastodon_client.revoke}


def client_for(network: str) -> NetworkClient | None:
    """The network's API client, from the registry; None for networks shared by intent only."""
    entry = get_network(network)
    return entry.client if entry is not None else None


def account_connect(
    *,
    membership: Membership,
    network: str,
    server: str,
    handle: str,
    remote_id: str,
    credentials: dict[str, str],
    followers_count: int | None,
) -> ConnectedAccount:
    """Store (or replace) the person's connected account on ``network``: one per network.
    The credentials are encrypted before they are saved."""
    with transaction.atomic():
        account = (
            ConnectedAccount.objects.select_for_update()
            .filter(membership=membership, network=network)
            .first()
        ) or ConnectedAccount(membership=membership, network=network)
        account.server = server
        account.handle = handle[:300]
        account.remote_id = remote_id[:300]
        account.credentials = credentials
        account.status = ConnectedAccount.Status.CONNECTED
        account.followers_count = followers_count
        account.followers_refreshed_at = timezone.now() if followers_count is not None else None
        account.full_clean()
        account.save()
    return account


def account_disconnect(*, account: ConnectedAccount) -> bool:
    """Delete the account and its tokens; before that, revoke them on the network where the
    API allows it, and let the apps above act (``hooks.on_account_disconnect``: sharing
    cancels the posts still waiting to go out through it). Whether they were revoked (False:
    not possible or it failed; the account is deleted here all the same)."""
    revoker = REVOKERS.get(account.network)
    revoked = False
    if revoker is not None:
        try:
            revoker(account.credentials)
            revoked = True
        except (ClientError, crypto.DecryptionError, KeyError):
            logger.warning("Revoking the %s account %s failed.", account.network, account.pk)
        except Exception:  # whatever the server answered, disconnecting (and leaving) goes on
            logger.exception("Revoking the %s account %s failed.", account.network, account.pk)
    with transaction.atomic():
        hooks.on_account_disconnect.run(account)
        account.delete()
    return revoked


def accounts_disconnect_all(*, membership: Membership) -> int:
    """Disconnect every account of the person (they leave the program, or the organisation
    removes them): each revoked where possible, its tokens deleted; how many."""
    accounts = list(ConnectedAccount.objects.filter(membership=membership))
    for account in accounts:
        account_disconnect(account=account)
    return len(accounts)


def account_mark_reconnect(*, account: ConnectedAccount) -> bool:
    """The network refused the credentials (401/403), or they cannot be read: the person must
    connect the account again. Whatever found it out (a post, the follower count), the person
    is told once, on the change (``account_reconnect_notify``); marking an account marked
    already tells nobody. Whether this call marked it."""
    Status = ConnectedAccount.Status
    with transaction.atomic():
        changed = (
            ConnectedAccount.objects.filter(pk=account.pk)
            .exclude(status=Status.RECONNECT)
            .update(status=Status.RECONNECT)
        )
        account.status = Status.RECONNECT
        if changed:
            account_reconnect_notify(account=account)
    return bool(changed)


def account_reconnect_notify(*, account: ConnectedAccount) -> Notification | None:
    """Tell the account's person, in their language, to connect it again on My networks (in
    the app, and by the channel they chose inside their working hours); nobody if they are
    gone from the organisation."""
    member = (
        Membership.objects.active()
        .filter(pk=account.membership_id, user__is_active=True)
        .select_related("user", "organisation")
        .first()
    )
    if member is None:
        return None
    user, organisation = member.user, member.organisation
    entry = get_network(account.network)
    with translation.override(person_language(user, organisation)):
        label = str(entry.label) if entry is not None else account.network
        return notification_hold(
            user=user,
            organisation=organisation,
            kind=Notification.Kind.ACCOUNT_RECONNECT,
            subject=_("Connect your %(network)s account again") % {"network": label},
            body=_(
                "%(network)s no longer accepts Coro's access to %(handle)s. Connect the "
                "account again on My networks: until you do, Coro can't post on it for you, "
                "and the posts you scheduled on it are not made."
            )
            % {"network": label, "handle": account.handle},
            link=reverse("connections:profiles", args=[organisation.code]),
            about=f"account:{account.code}",
        )


def account_credentials_update(*, account: ConnectedAccount, changes: Mapping[str, str]) -> None:
    """Merge ``changes`` into the account's (encrypted) credentials."""
    account.credentials = {**account.credentials, **changes}
    account.save(update_fields=["credentials_encrypted"])


def account_followers_refresh(*, account_id: int) -> int | None:
    """Ask the network how many people follow the account now; the count (None: not known).
    401/403 marks the account "reconnect needed"; other failures keep the last count.
    Safe to run twice."""
    account = ConnectedAccount.objects.filter(
        pk=account_id, status=ConnectedAccount.Status.CONNECTED
    ).first()
    if account is None:
        return None
    client = client_for(account.network)
    if client is None:
        return account.followers_count
    try:
        count = client.audience_size(credentials=account.credentials)
    except crypto.DecryptionError:
        logger.error("The credentials of account %s cannot be decrypted.", account.pk)
        account_mark_reconnect(account=account)
        return None
    except AuthError:
        account_mark_reconnect(account=account)
        return None
    except ClientError as error:
        logger.info("Follower count of account %s not refreshed: %s", account.pk, error.message)
        return account.followers_count
    account.followers_count = count
    account.followers_refreshed_at = timezone.now()
    account.save(update_fields=["followers_count", "followers_refreshed_at"])
    return count


def followers_refresh_all() -> int:
    """The daily job: one task per connected account; how many were enqueued."""
    from coro.connections.tasks import account_followers_refresh_task

    ids = list(
        ConnectedAccount.objects.filter(status=ConnectedAccount.Status.CONNECTED).values_list(
            "pk", flat=True
        )
    )
    for account_id in ids:
        transaction.on_commit(
            lambda account_id=account_id: account_followers_refresh_task.enqueue(account_id)  # type: ignore[misc]
        )
    return len(ids)


def secrets_reencrypt() -> int:
    """Key rotation (``coro.core.crypto``): rewrite every connected account's credentials and
    every Mastodon app's secret still encrypted with an older key, with the current one; how
    many values were rewritten. Safe to run twice. A value that cannot be decrypted is left
    as it is (it fails closed where it is used: the account asks to be reconnected)."""
    rewritten = 0
    for account in ConnectedAccount.objects.only("pk", "credentials_encrypted"):
        rewritten += _reencrypt(account, "credentials_encrypted")
    for app in MastodonApp.objects.only("pk", "client_secret_encrypted"):
        rewritten += _reencrypt(app, "client_secret_encrypted")
    return rewritten


def _reencrypt(row: ConnectedAccount | MastodonApp, field: str) -> int:
    value = getattr(row, field)
    try:
        if not crypto.needs_reencryption(value):
            return 0
        setattr(row, field, crypto.reencrypt(value))
    except crypto.DecryptionError:
        logger.error("%s %s cannot be decrypted: left as it is.", type(row).__name__, row.pk)
        return 0
    row.save(update_fields=[field])
    return 1
