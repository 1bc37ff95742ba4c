"""What a person tells Coro about themselves on a network, all optional (charter rule 6): the
server they live on (Mastodon, for the share intent without connecting an account) and
roughly how many people follow them there (for reach, or nothing)."""

import ipaddress
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from coro.connections import limits
from coro.connections.models import NetworkProfile, ServerLimits
from coro.core.fetch import address_allowed
from coro.core.fetch.addresses import REFUSED_NAMES, REFUSED_SUFFIXES
from coro.networks.mastodon import server_error, server_host
from coro.orgs.models import Membership

# The largest audience anyone may enter (well above any real account's followers).
AUDIENCE_MAX = 1_000_000_000


def _private() -> ValidationError:
    return server_error("server_private")


def _local(value: str) -> bool:
    """Whether what the person typed names this machine or a local network ("localhost",
    "localhost:3000", "[::1]", "[fd00::1]"): said as such, although it is no server's shape."""
    value = value.strip()
    try:
        name = urlsplit(value if "://" in value else f"https://{value}").hostname or ""
    except ValueError:
        return False
    name = name.rstrip(".").lower()
    try:
        return not address_allowed(ipaddress.ip_address(name))
    except ValueError:
        return name in REFUSED_NAMES or name.endswith(REFUSED_SUFFIXES)


def server_normalise(value: str) -> str:
    """A Mastodon server as the person typed it ("Mastodon.Social", "https://mastodon.social/",
    "@ana@mastodon.social", "ana@mastodon.social", "https://mastodon.social/@ana") in the form
    Coro stores: the host only ("mastodon.social"), or a ValidationError (its messages:
    ``coro.networks.mastodon.SERVER_MESSAGES``). The one normaliser for Mastodon servers (My
    networks, the share screen, connecting an account: ``mastodon.server_normalise`` is this
    as a base URL), built on ``coro.networks.mastodon.server_host`` (the shape). An IP literal
    must be a public address (``address_allowed``), and no name of this machine or of a local
    network is taken. Nothing is looked up (``client.server_check`` does, before connecting)."""
    try:
        host = server_host(value)  # the shape: a host name, no other path, query or user
    except ValidationError:
        if _local(value):
            raise _private() from None
        raise
    if limits.is_test_server(host):
        return host  # tests only: a loopback server listed in FETCH_TEST_ALLOW
    name = host.rsplit(":", 1)[0]
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        ip = None
    if ip is not None:
        if not address_allowed(ip):
            raise _private()
        return host
    if name.rsplit(".", 1)[-1].isdigit():
        # Digits only at the end and not an address ("10.1", "192.168.1"): browsers read
        # these as IPv4 addresses too.
        raise _private()
    if name in REFUSED_NAMES or name.endswith(REFUSED_SUFFIXES):
        raise _private()
    return host


def _profile(membership: Membership, network: str) -> NetworkProfile:
    found = NetworkProfile.objects.filter(membership=membership, network=network).first()
    return found or NetworkProfile(membership=membership, network=network)


def _profile_save(profile: NetworkProfile, fields: list[str]) -> NetworkProfile:
    profile.updated_at = timezone.now()
    profile.full_clean()
    if profile.pk is None:
        profile.save()
    else:
        profile.save(update_fields=[*fields, "updated_at"])
    if "instance" in fields and profile.instance and profile.network == limits.NETWORK:
        _limits_learn(profile.instance)
    return profile


def _limits_learn(host: str) -> None:
    """A server Coro has not asked yet: ask it for its text limits, in the background (the
    daily job keeps the known ones up to date)."""
    server = limits.server_url(host)
    if not ServerLimits.objects.filter(server=server).exists():
        limits.server_limits_enqueue(server)


def network_server_default(*, membership: Membership, network: str, host: str) -> None:
    """Remember ``host`` (already normalised, e.g. a connected account's) as the person's
    server on ``network`` unless they stored one: Coro never asks again for a server it knows.
    The server's limits are left to the caller (connecting an account asks for them)."""
    profile = _profile(membership, network)
    if profile.instance:
        return
    profile.instance = host
    profile.updated_at = timezone.now()
    profile.full_clean()
    profile.save()


def audience_check(audience: int | None) -> None:
    if audience is not None and not 0 <= audience <= AUDIENCE_MAX:
        raise ValidationError(
            _("Write a number between 0 and %(max)s, or leave it empty.")
            % {"max": f"{AUDIENCE_MAX:,}"},
            code="audience",
        )


def network_server_set(*, membership: Membership, network: str, server: str) -> NetworkProfile:
    """Store the person's server for a network (checked and normalised; "" forgets it)."""
    profile = _profile(membership, network)
    profile.instance = server_normalise(server) if server.strip() else ""
    return _profile_save(profile, ["instance"])


def network_profile_set(
    *,
    membership: Membership,
    network: str,
    server: str | None,
    approximate_audience: int | None,
) -> NetworkProfile:
    """Store what the person says about one network: their server ("" forgets it, None leaves
    it as it is) and roughly how many people follow them there (None: they would rather not
    say). Both optional."""
    audience_check(approximate_audience)
    profile = _profile(membership, network)
    fields = ["approximate_audience"]
    if server is not None:
        profile.instance = server_normalise(server) if server.strip() else ""
        fields.append("instance")
    profile.approximate_audience = approximate_audience
    return _profile_save(profile, fields)
