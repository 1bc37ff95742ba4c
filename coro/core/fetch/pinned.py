"""Connections for API clients (``requests`` for Mastodon.py, ``httpx`` for the atproto SDK)
that go only to checked addresses, like ``fetch``'s.

Each new connection resolves the name once with ``resolve_checked`` (public addresses only;
in tests the loopback endpoints in ``FETCH_TEST_ALLOW``) and connects to exactly the address
checked: the name is never looked up again (DNS rebinding). TLS still sends and verifies the
name (SNI and certificate). Environment proxies are not used: a proxy would make the
connection, not Coro. A refused address raises ``FetchError`` out of the library's call, so
the client can say why; see docs/fetching.md.
"""

from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from coro.core.fetch.addresses import resolve_checked
from coro.core.fetch.connection import (
    CONNECT_TIMEOUT,
    CheckedHTTPConnection,
    CheckedHTTPSConnection,
)

# --- requests (urllib3) ---------------------------------------------------------------------


class _CheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = CheckedHTTPConnection


class _CheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = CheckedHTTPSConnection


class CheckedAdapter(HTTPAdapter):
    """A ``requests`` adapter whose connections go only to checked addresses."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPConnectionPool,
            "https": _CheckedHTTPSConnectionPool,
        }

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        raise requests.ConnectionError("Coro connects to API servers directly, never by proxy.")


def requests_checked(session: requests.Session) -> requests.Session:
    """``session``, made to connect only to checked addresses (and never through a proxy)."""
    session.trust_env = False
    session.proxies.clear()
    adapter = CheckedAdapter()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


# --- httpx (httpcore) -------------------------------------------------------------------------


class CheckedBackend(httpcore.NetworkBackend):
    """httpcore's network backend, connecting only to a checked address of each name. The
    connection's TLS is started by httpcore with the original name (SNI, certificate)."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = resolve_checked(host, port, timeout=timeout or CONNECT_TIMEOUT)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc)) from exc
        last: Exception | None = None
        for info in infos:
            try:
                return self._inner.connect_tcp(
                    str(info[4][0]),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None  # resolve_checked never returns an empty list
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Coro connects to API servers only over TCP.")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def httpx_transport() -> httpx.HTTPTransport:
    """An httpx transport whose connections go only to checked addresses (TLS verified
    against the name). Give it to ``httpx.Client(transport=..., trust_env=False)``."""
    transport = httpx.HTTPTransport(trust_env=False)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        network_backend=CheckedBackend(),
    )
    return transport
