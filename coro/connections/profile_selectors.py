"""Reads of what a person told Coro about their networks (see profile_services)."""

from urllib.parse import urlsplit

from coro.connections.models import ConnectedAccount, NetworkProfile
from coro.networks import get_network
from coro.orgs.models import Membership


def network_server(*, membership: Membership, network: str) -> str:
    """The person's server on a network where people live on many servers (Mastodon), as a
    host ("mastodon.social"): the one they stored, else their connected account's; "" if
    neither. The one place Coro finds it: the share intent, the share screen's counter
    (``limits.person_server``) and posting all ask here."""
    instance = (
        NetworkProfile.objects.filter(membership=membership, network=network)
        .values_list("instance", flat=True)
        .first()
    )
    if instance:
        return instance
    entry = get_network(network)
    if entry is None or not entry.needs_server:
        return ""
    account_server = (
        ConnectedAccount.objects.filter(membership=membership, network=network)
        .values_list("server", flat=True)
        .first()
    )
    return urlsplit(account_server).netloc.lower() if account_server else ""


def network_profiles(membership: Membership) -> dict[str, NetworkProfile]:
    """The person's profiles, by network key."""
    return {p.network: p for p in NetworkProfile.objects.filter(membership=membership)}
