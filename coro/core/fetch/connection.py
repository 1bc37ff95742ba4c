"""Connections that go only to checked addresses, all cut when one fetch's deadline passes."""

import contextlib
import socket
import ssl
import threading
import time

from django.utils.translation import gettext as _
from urllib3.connection import HTTPConnection, HTTPSConnection

from coro.core.fetch.addresses import resolve_checked
from coro.core.fetch.results import FetchError, timed_out


class Watchdog:
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


# How long a connection without a watchdog (an API client's) may take to open.
CONNECT_TIMEOUT = 10.0


def connect_checked(
    host: str, port: int, watchdog: Watchdog | None = None, *, timeout: float | None = None
) -> socket.socket:
    """Open a TCP connection to a checked address of ``host`` (never re-resolving it), within
    the fetch's deadline (``watchdog``) or, for an API client's connection, ``timeout``
    seconds. Raises ``FetchError`` for a refused address, ``OSError`` when none answers."""
    if watchdog is None:
        deadline = time.monotonic() + (timeout or CONNECT_TIMEOUT)

        def remaining() -> float:
            return deadline - time.monotonic()

    else:
        remaining = watchdog.remaining
    infos = resolve_checked(host, port, timeout=remaining())
    last: OSError | None = None
    for family, kind, proto, _name, sockaddr in infos:
        left = remaining()
        if left <= 0:
            last = TimeoutError("connect")
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
        if watchdog is not None:
            watchdog.watch(sock)
        return sock
    if last is not None and isinstance(last, TimeoutError):
        raise last
    raise OSError("could not connect") from last


def _timeout(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


class CheckedHTTPConnection(HTTPConnection):
    """urllib3's connection, opened only to a checked address. ``watchdog`` (``fetch``) cuts
    it at the fetch's deadline; without one (API clients) the connect timeout applies."""

    watchdog: Watchdog | None = None

    def _new_conn(self) -> socket.socket:
        assert self.port is not None
        return connect_checked(
            self._dns_host, self.port, self.watchdog, timeout=_timeout(self.timeout)
        )


class CheckedHTTPSConnection(HTTPSConnection):
    """The same for https: TLS (SNI and the certificate) is still checked against the name."""

    watchdog: Watchdog | None = None

    def _new_conn(self) -> socket.socket:
        assert self.port is not None
        return connect_checked(
            self._dns_host, self.port, self.watchdog, timeout=_timeout(self.timeout)
        )


def connection_error(exc: Exception, watchdog: Watchdog, timeout: float) -> FetchError:
    """What a failed connection (``OSError``, urllib3's or http.client's errors, a malformed
    answer's ``ValueError``) means to the person: too slow, a certificate Coro could not
    check, or a site that could not be reached."""
    if watchdog.fired or watchdog.remaining() <= 0 or isinstance(exc, TimeoutError):
        return timed_out(timeout)
    if isinstance(exc, ssl.SSLError) or "CERTIFICATE" in str(exc).upper():
        return FetchError(_("The site's security certificate could not be checked."), code="tls")
    return FetchError(_("The site could not be reached."), code="network")
