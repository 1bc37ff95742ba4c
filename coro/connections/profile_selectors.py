"""Reads of what a person told Coro about their networks (see profile_services)."""

from coro.connections.models import NetworkProfile
from coro.orgs.models import Membership


def network_server(*, membership: Membership, network: str) -> str:
    """The server the person stored for a network ("mastodon.social"), or ""."""
    instance = (
        NetworkProfile.objects.filter(membership=membership, network=network)
        .values_list("instance", flat=True)
        .first()
    )
    return instance or ""


def network_profiles(membership: Membership) -> dict[str, NetworkProfile]:
    """The person's profiles, by network key."""
    return {p.network: p for p in NetworkProfile.objects.filter(membership=membership)}
