"""A Mastodon server's own text limits, and the network as each person's server counts.

Mastodon allows 500 characters unless the server says otherwise: many allow more, and some
count links differently. Coro asks the server (``/api/v2/instance``, through the Mastodon
client, which talks only to public addresses) when a person names it or connects an account
on it, and once a day after that, and keeps the answer in ``ServerLimits``. The share screen,
its live counter and the check before anything is posted all count with ``network_for``:
the registry's network, with the person's own server's rule where Coro knows it.
"""

import dataclasses
import logging

from django.db import transaction
from django.utils import timezone

from coro.connections.models import ConnectedAccount, NetworkProfile, ServerLimits
from coro.networks import Network, text_rules
from coro.networks.clients import ClientError
from coro.networks.clients import mastodon as mastodon_client
from coro.orgs.models import Membership

logger = logging.getLogger(__name__)

NETWORK = "mastodon"


def server_url(host: str) -> str:
    """The base URL of a server stored as a host ("mastodon.social": "https://mastodon.social"),
    the form connected accounts and ``ServerLimits`` keep."""
    return host if "://" in host else f"https://{host}"


def server_limits_refresh(*, server: str) -> ServerLimits | None:
    """Ask the server for its limits and keep them; None when it cannot be asked now (the
    limits known before, if any, are kept). Safe to run twice."""
    try:
        max_chars, per_url = mastodon_client.server_limits(server)
    except ClientError as error:
        logger.info("Limits of %s not refreshed: %s", server, error.message)
        return None
    limits, _ = ServerLimits.objects.update_or_create(
        server=server,
        defaults={
            "max_characters": max_chars,
            "characters_per_url": per_url,
            "checked_at": timezone.now(),
        },
    )
    return limits


def server_limits_enqueue(server: str) -> None:
    """Fetch the server's limits in the background, once the current transaction commits."""
    from coro.connections.tasks import server_limits_refresh_task

    transaction.on_commit(lambda: server_limits_refresh_task.enqueue(server))


def servers_known() -> list[str]:
    """Every Mastodon server someone named or has an account on, as base URLs."""
    named = NetworkProfile.objects.filter(network=NETWORK).exclude(instance="")
    hosts = {server_url(h) for h in named.values_list("instance", flat=True).distinct()}
    accounts = ConnectedAccount.objects.filter(
        network=NETWORK, status=ConnectedAccount.Status.CONNECTED
    )
    hosts.update(accounts.values_list("server", flat=True).distinct())
    return sorted(hosts)


def server_limits_refresh_all() -> int:
    """The daily job: one task per known server; how many were enqueued."""
    servers = servers_known()
    for server in servers:
        server_limits_enqueue(server)
    return len(servers)


def person_server(membership: Membership) -> str:
    """The person's Mastodon server as a base URL: their connected account's, else the one they
    named for sharing; "" if neither."""
    account = (
        ConnectedAccount.objects.filter(
            membership=membership, network=NETWORK, status=ConnectedAccount.Status.CONNECTED
        )
        .values_list("server", flat=True)
        .first()
    )
    if account:
        return account
    named = (
        NetworkProfile.objects.filter(membership=membership, network=NETWORK)
        .values_list("instance", flat=True)
        .first()
    )
    return server_url(named) if named else ""


def network_for(membership: Membership, network: Network) -> Network:
    """``network`` as this person's own server counts: Mastodon with their server's limits when
    Coro knows them; every other network (and an unknown server) as the registry has it."""
    if network.key != NETWORK:
        return network
    server = person_server(membership)
    limits = ServerLimits.objects.filter(server=server).first() if server else None
    if limits is None:
        return network
    rule = text_rules.mastodon_rule(limits.max_characters, limits.characters_per_url)
    return dataclasses.replace(network, text_rule=rule)
