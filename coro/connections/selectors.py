"""Reads of connected accounts."""

from django.db.models import QuerySet

from coro.connections.models import ConnectedAccount
from coro.orgs.models import Membership


def connected_accounts(membership: Membership) -> QuerySet[ConnectedAccount]:
    """The person's own connected accounts in this organisation, by network."""
    return ConnectedAccount.objects.filter(membership=membership).order_by("network")


def connected_account(membership: Membership, network: str) -> ConnectedAccount | None:
    """The person's account on ``network`` (None: not connected)."""
    return connected_accounts(membership).filter(network=network).first()
