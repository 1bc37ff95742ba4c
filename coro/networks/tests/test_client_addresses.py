"""The API clients connect only to checked addresses, and to exactly the address checked.

Only loopback servers are contacted. Names are given answers by a stand-in resolver: the
first lookup answers 127.0.0.1 (where the test server listens), any later one 127.0.0.2
(where nothing listens): a client that looked the name up again to connect would fail.
"""

import socket
from typing import Any

import httpx
import pytest
import requests

from coro.core.fetch import FetchError
from coro.core.fetch.pinned import httpx_transport, requests_checked
from coro.networks.clients import ClientError, TemporaryError, bluesky, mastodon
from coro.networks.tests.client_servers import answering, resolver, session_answer

INSTANCE = {"configuration": {"statuses": {"max_characters": 5000}}}


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no connection may be opened")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse, raising=False)


def _rebinding(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    lookups: list[str] = []
    monkeypatch.setattr(
        socket, "getaddrinfo", resolver({name: ["127.0.0.1", "127.0.0.2"]}, lookups)
    )
    return lookups


def test_requests_connect_to_the_checked_address_with_the_name_kept(settings, monkeypatch):
    lookups = _rebinding(monkeypatch, "rebind.test")
    with answering(lambda method, path: (200, {"ok": True})) as (port, seen):
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
        session = requests_checked(requests.Session())
        answer = session.get(f"http://rebind.test:{port}/x", timeout=5)
        assert answer.json() == {"ok": True}
        assert lookups == ["rebind.test"]
        assert seen.requests == [("GET", "/x", f"rebind.test:{port}")]
        # A new connection looks the name up and checks it again: it now answers an
        # address that is not allowed, and nothing is sent.
        session.close()
        with pytest.raises(FetchError):
            session.get(f"http://rebind.test:{port}/y", timeout=5)
    assert lookups == ["rebind.test", "rebind.test"]
    assert seen.paths() == ["/x"]


def test_httpx_connects_to_the_checked_address_with_the_name_kept(settings, monkeypatch):
    lookups = _rebinding(monkeypatch, "rebind.test")
    with answering(lambda method, path: (200, {"ok": True})) as (port, seen):
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
        with httpx.Client(transport=httpx_transport(), trust_env=False) as web:
            assert web.get(f"http://rebind.test:{port}/x").json() == {"ok": True}
    assert lookups == ["rebind.test"]
    assert seen.requests == [("GET", "/x", f"rebind.test:{port}")]


def test_mastodon_connects_once_to_the_checked_address(settings, monkeypatch):
    lookups = _rebinding(monkeypatch, "masto.test")
    with answering(lambda method, path: (200, INSTANCE)) as (port, seen):
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
        assert mastodon.server_limits(f"http://masto.test:{port}") == (5000, 23)
    assert lookups == ["masto.test"]
    assert seen.requests == [("GET", "/api/v2/instance/", f"masto.test:{port}")]


def test_an_unlisted_loopback_port_is_never_asked(settings):
    with answering(lambda method, path: (200, INSTANCE)) as (port, seen):
        settings.FETCH_TEST_ALLOW = ["127.0.0.1:9"]
        with pytest.raises(ClientError) as raised:
            mastodon.server_limits(f"http://127.0.0.1:{port}")
    assert type(raised.value) is ClientError
    assert seen.requests == []


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("169.254.169.254.nip.io", "169.254.169.254"),
        ("10.0.0.1.nip.io", "10.0.0.1"),
        ("internal-host.corp.example", "192.168.1.20"),
        ("v6.corp.example", "fd00::1"),
    ],
)
def test_names_for_private_addresses_are_refused_before_connecting(
    settings, monkeypatch, no_connection, name, address
):
    settings.FETCH_TEST_ALLOW = None  # real use
    lookups: list[str] = []
    monkeypatch.setattr(socket, "getaddrinfo", resolver({name: [address]}, lookups))
    with pytest.raises(ClientError) as raised:
        bluesky.account_verify(server=f"https://{name}", handle="ana", app_password="a-b-c-d")
    assert type(raised.value) is ClientError
    assert "private network" in raised.value.message
    with pytest.raises(ClientError) as raised:
        mastodon.server_limits(f"https://{name}")
    assert type(raised.value) is ClientError
    assert "private network" in raised.value.message
    credentials = {"server": f"https://{name}", "access_token": "tok"}
    with pytest.raises(ClientError):
        mastodon.CLIENT.post(credentials=credentials, text="Hola", link="", idempotency_key="k")
    assert lookups  # the names were looked up (and refused), nothing was connected


def test_a_name_that_cannot_be_found_is_temporary(settings, monkeypatch, no_connection):
    settings.FETCH_TEST_ALLOW = None

    def not_found(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror("not found")

    monkeypatch.setattr(socket, "getaddrinfo", not_found)
    with pytest.raises(TemporaryError):
        bluesky.account_verify(server="https://pds.example", handle="ana", app_password="a-b-c-d")
    with pytest.raises(TemporaryError):
        mastodon.server_limits("https://mastodon.example")


def test_the_pds_a_did_document_names_is_checked_too(settings):
    """The server says the account lives on another PDS, one Coro may not reach: nothing is
    sent there, Coro says so, and the session is closed where it was opened."""
    with answering(lambda method, path: (200, {})) as (other_port, elsewhere):

        def answer(method: str, path: str) -> tuple[int, Any]:
            if path.endswith("createSession"):
                return 200, session_answer(pds=f"http://127.0.0.1:{other_port}")
            return 200, None

        with answering(answer) as (port, seen):
            settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
            with pytest.raises(ClientError) as raised:
                bluesky.account_verify(
                    server=f"http://127.0.0.1:{port}", handle="ana.test", app_password="a-b-c-d"
                )
    assert "lives on a server Coro can't connect to" in raised.value.message
    assert elsewhere.requests == []
    assert seen.paths() == [
        "/xrpc/com.atproto.server.createSession",
        "/xrpc/com.atproto.server.deleteSession",
    ]


def test_a_did_document_pds_on_a_private_address_is_refused(settings, monkeypatch):
    """Real use: a public server whose DID document names a PDS at a private address."""
    with answering(
        lambda method, path: (
            (200, session_answer(pds="https://10.1.2.3"))
            if path.endswith("createSession")
            else (200, None)
        )
    ) as (port, seen):
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
        with pytest.raises(ClientError):
            bluesky.account_verify(
                server=f"http://127.0.0.1:{port}", handle="ana.test", app_password="a-b-c-d"
            )
    assert seen.paths()[0] == "/xrpc/com.atproto.server.createSession"
    assert all("10.1.2.3" not in host for _m, _p, host in seen.requests)
