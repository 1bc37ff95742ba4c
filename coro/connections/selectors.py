"""Reads of connected accounts."""

from django.db.models import QuerySet

from coro.connections.models import ConnectedAccount, NetworkProfile
from coro.orgs.models import Membership


def connected_accounts(membership: Membership) -> QuerySet[ConnectedAccount]:
    """The person's own connected accounts in this organisation, by network."""
    return ConnectedAccount.objects.filter(membership=membership).order_by("network")


def connected_account(membership: Membership, network: str) -> ConnectedAccount | None:
    """The person's account on ``network`` (None: not connected)."""
    return connected_accounts(membership).filter(network=network).first()


def audience_of(membership: Membership, network: str) -> int | None:
    """The person's audience on ``network`` now: their connected account's followers, else
    the number they told Coro (``NetworkProfile``); None when neither is known."""
    account = connected_account(membership, network)
    if account is not None and account.followers_count is not None:
        return int(account.followers_count)
    told = (
        NetworkProfile.objects.filter(membership=membership, network=network)
        .values_list("approximate_audience", flat=True)
        .first()
    )
    return None if told is None else int(told)
