"""The one way Coro fetches anything from the web (link previews, blog feeds, ...), SSRF-safe.

A person types a link; Coro's server fetches it. Without care that lets anyone make the server
talk to places only it can reach: its own loopback, the company network, the cloud's metadata
service. So the fetcher:

- speaks only http and https;
- resolves the name itself and checks EVERY address it resolves to (``address_allowed``), then
  connects to exactly that checked address, so a name that answers differently a second later
  ("DNS rebinding") cannot help; TLS is still verified against the original name;
- follows redirects itself, one by one, checking each target the same way (3 at most);
- gives the whole fetch one deadline (10 s), not one per read, enforced by a watchdog that cuts
  the connection, so a server dripping bytes cannot hold it;
- checks the content type before reading the body, and refuses (never truncates) bodies bigger
  than the limit, compressed or not.

See docs/fetching.md.
"""

import contextlib
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.response import BaseHTTPResponse

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

USER_AGENT = "Coro link preview (+https://coro.invalid/fetching; self-hosted, no tracking)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024

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


class FetchError(Exception):
    """A fetch that did not work; ``str()`` is a sentence to show people, ``code`` for tests."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Fetched:
    url: str  # the final address, after redirects
    status: int
    content_type: str  # lower-case media type, without parameters
    charset: str | None
    body: bytes


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


def _test_allow() -> list[str] | None:
    """``FETCH_TEST_ALLOW``: None in real use; a list in tests (see docs/fetching.md)."""
    value = getattr(settings, "FETCH_TEST_ALLOW", None)
    return None if value is None else [str(v) for v in value]


def _endpoint(ip: IPAddress, port: int) -> str:
    return f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"


_SYSTEM_GETADDRINFO = socket.getaddrinfo


def _refused_address() -> FetchError:
    return FetchError(
        _("The address points to a private network, which Coro never fetches."), code="address"
    )


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
    allow = _test_allow()
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
        raise _refused_address()
    if allow is not None and not all(ip in listed for ip in addresses):
        # In tests nothing beyond this machine is ever fetched.
        raise FetchError(_("Tests fetch only from this machine."), code="test")
    return infos


class _Watchdog:
    """Cuts every connection of one fetch when its deadline passes."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.fired = True
        return left

    def watch(self, sock: socket.socket) -> None:
        # A duplicate descriptor: shutting it down cuts the connection even after TLS has
        # taken the original socket over.
        dup = sock.dup()
        with self._lock:
            if self.fired:
                dup.close()
                sock.shutdown(socket.SHUT_RDWR)
                return
            self._socks.append(dup)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for s in self._socks:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self._timer.cancel()
        with self._lock:
            for s in self._socks:
                s.close()
            self._socks.clear()


def _connect_checked(host: str, port: int, watchdog: _Watchdog) -> socket.socket:
    """Open a TCP connection to a checked address of ``host`` (never re-resolving it)."""
    infos = resolve_checked(host, port, timeout=watchdog.remaining())
    last: OSError | None = None
    for family, kind, proto, _name, sockaddr in infos:
        left = watchdog.remaining()
        if left <= 0:
            break
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(left)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            last = exc
            continue
        watchdog.watch(sock)
        return sock
    if last is not None and isinstance(last, TimeoutError):
        raise last
    raise OSError("could not connect") from last


class _CheckedHTTPConnection(HTTPConnection):
    watchdog: _Watchdog

    def _new_conn(self) -> socket.socket:
        assert self.port is not None
        return _connect_checked(self._dns_host, self.port, self.watchdog)


class _CheckedHTTPSConnection(HTTPSConnection):
    watchdog: _Watchdog

    def _new_conn(self) -> socket.socket:
        assert self.port is not None
        return _connect_checked(self._dns_host, self.port, self.watchdog)


def _size_text(n: int) -> str:
    mb = 1024 * 1024
    if n >= mb and n % mb == 0:
        return _("%(n)s MB") % {"n": n // mb}
    return _("%(n)s KB") % {"n": max(1, n // 1024)}


def _kind(accept: Collection[str]) -> str:
    if accept and all(a.startswith("image/") for a in accept):
        return "image"
    if "text/html" in accept:
        return "page"
    return "file"


def _too_big(accept: Collection[str], max_bytes: int) -> FetchError:
    size = _size_text(max_bytes)
    kind = _kind(accept)
    if kind == "page":
        message = _("The page is bigger than %(size)s.") % {"size": size}
    elif kind == "image":
        message = _("The image is bigger than %(size)s.") % {"size": size}
    else:
        message = _("The file is bigger than %(size)s.") % {"size": size}
    return FetchError(message, code="size")


def _wrong_type(accept: Collection[str], got: str) -> FetchError:
    got = got or _("nothing said")
    kind = _kind(accept)
    if kind == "page":
        message = _("The address did not answer with a web page (it sent %(type)s).")
    elif kind == "image":
        message = _("The address did not answer with an image (it sent %(type)s).")
    else:
        message = _("The address sent %(type)s, which Coro can't use here.")
    return FetchError(message % {"type": got}, code="type")


def _timed_out(timeout: float) -> FetchError:
    seconds = int(timeout) if float(timeout).is_integer() else round(timeout, 1)
    return FetchError(
        _("The site took longer than %(seconds)s seconds.") % {"seconds": seconds},
        code="timeout",
    )


def _split_content_type(value: str) -> tuple[str, str | None]:
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _sep, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").lower() or None
    return media.strip().lower(), charset


def _parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path+query) of an address Coro may try, or a FetchError."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchError(_("That is not a valid web address."), code="url") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(_("Coro only fetches http and https addresses."), code="scheme")
    host = (parts.hostname or "").rstrip(".")
    if not host or parts.username is not None or parts.password is not None:
        raise FetchError(_("That is not a valid web address."), code="url")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise FetchError(_("That is not a valid web address."), code="url") from exc
    if host in REFUSED_NAMES or host.endswith(REFUSED_SUFFIXES):
        raise _refused_address()
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port or (443 if scheme == "https" else 80), path


def _read_body(
    response: BaseHTTPResponse, *, max_bytes: int, too_big: Callable[[], FetchError]
) -> bytes:
    length = response.headers.get("Content-Length")
    if length is not None and length.strip().isdigit() and int(length) > max_bytes:
        raise too_big()
    encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        inflater: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflater = zlib.decompressobj(zlib.MAX_WBITS)
    elif encoding == "identity":
        inflater = None
    else:
        raise FetchError(
            _("The site sent its answer packed in a way Coro can't read."), code="encoding"
        )
    raw_total = 0
    out = bytearray()
    while True:
        chunk = response.read(CHUNK, decode_content=False)
        if not chunk:
            break
        raw_total += len(chunk)
        if raw_total > max_bytes:
            raise too_big()
        if inflater is None:
            out += chunk
        else:
            data = chunk
            while data:
                try:
                    out += inflater.decompress(data, max_bytes + 1 - len(out))
                except zlib.error as exc:
                    raise FetchError(
                        _("The site sent its answer packed in a way Coro can't read."),
                        code="encoding",
                    ) from exc
                if len(out) > max_bytes:
                    raise too_big()
                data = inflater.unconsumed_tail
        if len(out) > max_bytes:
            raise too_big()
    return bytes(out)


def fetch(
    url: str,
    *,
    accept: Collection[str],
    max_bytes: int = 2 * 1024 * 1024,
    timeout: float = 10.0,
    max_redirects: int = 3,
) -> Fetched:
    """GET ``url`` safely (see the module's text); raise ``FetchError`` when it cannot."""
    accepted = {a.lower() for a in accept}
    watchdog = _Watchdog(time.monotonic() + timeout)
    try:
        return _fetch(
            url,
            accept=accepted,
            max_bytes=max_bytes,
            timeout=timeout,
            max_redirects=max_redirects,
            watchdog=watchdog,
        )
    except FetchError:
        raise
    except (OSError, Urllib3Error, HTTPException, ValueError) as exc:
        # ValueError: what http.client and urllib3 raise on some malformed answers.
        if watchdog.fired or watchdog.remaining() <= 0 or isinstance(exc, TimeoutError):
            raise _timed_out(timeout) from exc
        if isinstance(exc, ssl.SSLError) or "CERTIFICATE" in str(exc).upper():
            raise FetchError(
                _("The site's security certificate could not be checked."), code="tls"
            ) from exc
        raise FetchError(_("The site could not be reached."), code="network") from exc
    finally:
        watchdog.stop()


def _fetch(
    url: str,
    *,
    accept: set[str],
    max_bytes: int,
    timeout: float,
    max_redirects: int,
    watchdog: _Watchdog,
) -> Fetched:
    redirects = 0
    while True:
        scheme, host, port, path = _parse(url)
        left = watchdog.remaining()
        if left <= 0:
            raise _timed_out(timeout)
        conn: HTTPConnection
        if scheme == "https":
            conn = _CheckedHTTPSConnection(host, port, timeout=left, cert_reqs="CERT_REQUIRED")
            conn.watchdog = watchdog
        else:
            conn = _CheckedHTTPConnection(host, port, timeout=left)
            conn.watchdog = watchdog
        try:
            conn.request(
                "GET",
                path,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": ", ".join(sorted(accept)) + ", */*;q=0.1",
                    "Accept-Encoding": "identity",
                    "Connection": "close",
                },
                preload_content=False,
                decode_content=False,
            )
            response = conn.getresponse()
            if watchdog.fired:
                raise _timed_out(timeout)
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(
                        _("The site answered with an error (%(status)s).")
                        % {"status": response.status},
                        code="status",
                    )
                redirects += 1
                if redirects > max_redirects:
                    raise FetchError(
                        _("Too many redirects (more than %(count)s).") % {"count": max_redirects},
                        code="redirects",
                    )
                url = urljoin(url, location.strip())
                continue
            if not 200 <= response.status < 300:
                raise FetchError(
                    _("The site answered with an error (%(status)s).")
                    % {"status": response.status},
                    code="status",
                )
            media, charset = _split_content_type(response.headers.get("Content-Type", ""))
            if media not in accept:
                raise _wrong_type(accept, media)
            body = _read_body(
                response, max_bytes=max_bytes, too_big=lambda: _too_big(accept, max_bytes)
            )
            if watchdog.fired:
                raise _timed_out(timeout)
            return Fetched(
                url=url, status=response.status, content_type=media, charset=charset, body=body
            )
        finally:
            conn.close()
