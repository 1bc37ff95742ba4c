"""Which addresses Coro may fetch from, and resolving a name to checked addresses only.

Every address a name resolves to is checked (``address_allowed``); the caller then connects
to exactly those checked addresses, never resolving the name again (DNS rebinding).
"""

import ipaddress
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from coro.core.fetch.results import FetchError, not_an_address, refused_address

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Never fetched, whatever they resolve to: cloud metadata services and names for this machine.
REFUSED_NAMES = frozenset(
    {
        "localhost",
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.azure.internal",
    }
)
REFUSED_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")

_V4_REFUSED = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, incl. the metadata service 169.254.169.254
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, incl. broadcast
    )
)
_V6_REFUSED = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/96",  # unspecified, loopback and the old IPv4-compatible addresses
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard
        "2001::/32",  # Teredo (tunnels to addresses we cannot check)
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique-local
        "fe80::/10",  # link-local
        "fec0::/10",  # old site-local
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def address_allowed(ip: IPAddress) -> bool:
    """Whether Coro may connect to ``ip``: only public unicast addresses, never loopback,
    private, shared (CGNAT), link-local (metadata), unique-local, multicast or reserved ones,
    nor an IPv6 address that embeds a refused IPv4 address (mapped, 6to4, NAT64)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_allowed(embedded)
        if any(ip in net for net in _V6_REFUSED):
            return False
    elif any(ip in net for net in _V4_REFUSED):
        return False
    return bool(ip.is_global) and not ip.is_multicast and not ip.is_reserved


def parse_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path+query) of an address Coro may try, or a FetchError."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise not_an_address() from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(_("Coro only fetches http and https addresses."), code="scheme")
    host = (parts.hostname or "").rstrip(".")
    if not host or parts.username is not None or parts.password is not None:
        raise not_an_address()
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise not_an_address() from exc
    if host in REFUSED_NAMES or host.endswith(REFUSED_SUFFIXES):
        raise refused_address()
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port or (443 if scheme == "https" else 80), path


def fetch_test_allow() -> list[str] | None:
    """``FETCH_TEST_ALLOW``: None in real use; a list in tests (see docs/fetching.md)."""
    value = getattr(settings, "FETCH_TEST_ALLOW", None)
    return None if value is None else [str(v) for v in value]


def _endpoint(ip: IPAddress, port: int) -> str:
    return f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"


_SYSTEM_GETADDRINFO = socket.getaddrinfo


def _lookup(host: str, port: int, flags: int, timeout: float | None) -> list[tuple[Any, ...]]:
    """``socket.getaddrinfo``, given at most ``timeout`` seconds: the system's resolver cannot
    be interrupted, so it runs in a thread that is left to finish on its own."""
    if timeout is None:
        return list(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=flags))
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=flags))
        except (OSError, UnicodeError) as exc:
            result.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(max(0.0, timeout))
    if not result:
        raise TimeoutError("name lookup")
    if isinstance(result[0], Exception):
        raise result[0]
    return list(result[0])


def resolve_checked(host: str, port: int, *, timeout: float | None = None) -> list[tuple[Any, ...]]:
    """Resolve ``host`` and return its addresses (getaddrinfo tuples), refusing the whole name
    if ANY address is not allowed (a name half public, half private is not trusted)."""
    allow = fetch_test_allow()
    if allow is not None and host.rstrip(".").lower() == "localhost":
        # Test servers (the local Bluesky PDS) call themselves "localhost": in tests that is
        # 127.0.0.1, allowed only on the ports listed. In real use "localhost" resolves to
        # loopback, which is refused.
        host = "127.0.0.1"
    flags = 0
    if allow is not None and socket.getaddrinfo is _SYSTEM_GETADDRINFO:
        # Tests never ask a name server: only numeric addresses (or a stubbed resolver).
        flags = socket.AI_NUMERICHOST
    try:
        infos = _lookup(host, port, flags, timeout)
    except TimeoutError:
        raise
    except (OSError, UnicodeError) as exc:
        raise FetchError(_("The site's name could not be found."), code="network") from exc
    if not infos:
        raise FetchError(_("The site's name could not be found."), code="network")
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    listed = {ip for ip in addresses if allow and ip.is_loopback and _endpoint(ip, port) in allow}
    if not all(ip in listed or address_allowed(ip) for ip in addresses):
        raise refused_address()
    if allow is not None and not all(ip in listed for ip in addresses):
        # In tests nothing beyond this machine is ever fetched.
        raise FetchError(_("Tests fetch only from this machine."), code="test")
    return infos
