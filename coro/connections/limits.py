"""A Mastodon server's own text limits, and the network as each person's server counts.

Mastodon allows 500 characters unless the server says otherwise: many allow more, and some
count links differently. Coro asks the server (``/api/v2/instance``, through the Mastodon
client, which talks only to public addresses) when a person names it or connects an account
on it, and once a day after that, and keeps the answer in ``ServerLimits``. The share screen,
its live counter and the check before anything is posted all count with ``network_for``:
the registry's network, with the person's own server's rule where Coro knows it.
"""

import dataclasses
import ipaddress
import logging

from django.db import transaction
from django.utils import timezone

from coro.connections.models import ConnectedAccount, NetworkProfile, ServerLimits
from coro.connections.profile_selectors import network_server
from coro.core.fetch.addresses import fetch_test_allow
from coro.networks import Network, text_rules
from coro.networks import mastodon as mastodon_network
from coro.networks.clients import ClientError
from coro.networks.clients import mastodon as mastodon_client
from coro.orgs.models import Membership

logger = logging.getLogger(__name__)

# Mastodon's key in the registry: the one constant connections uses for it.
NETWORK = mastodon_network.NETWORK.key


def is_test_server(host: str) -> bool:
    """Tests only: a loopback server listed in ``FETCH_TEST_ALLOW`` ("127.0.0.1:8123"), which
    Coro speaks to on plain http. Always False in real use (the setting is None there)."""
    allow = fetch_test_allow()
    if not allow or host not in allow:
        return False
    try:
        return ipaddress.ip_address(host.rsplit(":", 1)[0].strip("[]")).is_loopback
    except ValueError:
        return False


def server_url(host: str) -> str:
    """The base URL of a server stored as a host ("mastodon.social": "https://mastodon.social"),
    the form connected accounts and ``ServerLimits`` keep."""
    if "://" in host:
        return host
    return f"http://{host}" if is_test_server(host) else f"https://{host}"


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
    """The person's Mastodon server as a base URL (``profile_selectors.network_server``: the
    one they named, else their connected account's); "" if neither."""
    host = network_server(membership=membership, network=NETWORK)
    return server_url(host) if host else ""


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
