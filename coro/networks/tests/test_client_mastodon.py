"""The Mastodon client on its own (no Coro views), against mastodon-mock on loopback: the
whole OAuth flow, posting and the follower count go through the checked connections, to a
server named by a stand-in resolver (test_client_addresses shows the name is looked up only
by the check)."""

import re
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from mastodon_mock.testing import MockServer

from coro.networks.clients import AuthError
from coro.networks.clients import mastodon as client
from coro.networks.tests.client_servers import resolver

REDIRECT = "https://coro.example/oauth/mastodon/callback"


def test_oauth_post_and_followers_through_checked_connections(settings, monkeypatch):
    lookups: list[str] = []
    monkeypatch.setattr(socket, "getaddrinfo", resolver({"masto.test": ["127.0.0.1"]}, lookups))
    with MockServer() as mock:
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{mock.port}"]
        server = f"http://masto.test:{mock.port}"

        client_id, client_secret = client.app_register(server, redirect_uri=REDIRECT)
        verifier, challenge = client.pkce_pair()
        url = client.authorization_url(
            server,
            client_id=client_id,
            redirect_uri=REDIRECT,
            state="st",
            code_challenge=challenge,
        )
        assert "code_challenge_method=S256" in url
        # The person allows Coro (on the mock's page, reached directly on loopback).
        page = requests.get(url.replace("masto.test", "127.0.0.1"), timeout=10)
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        answer = requests.post(
            f"{mock.base_url}/oauth/authorize",
            data={**fields, "username": "alice"},
            allow_redirects=False,
            timeout=10,
        )
        code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
        account = client.code_exchange(
            server,
            client_id=client_id,
            client_secret=client_secret,
            code=code,
            redirect_uri=REDIRECT,
            code_verifier=verifier,
        )
        assert account.handle == "@alice@masto.test"
        credentials = {"server": server, "access_token": account.access_token}
        posted = client.CLIENT.post(
            credentials=credentials,
            text="Hola 🎉",
            link="https://coro.example/r/x",
            idempotency_key="k",
        )
        assert posted.remote_id
        again = client.CLIENT.post(
            credentials=credentials,
            text="Hola 🎉",
            link="https://coro.example/r/x",
            idempotency_key="k",
        )
        assert again.remote_id == posted.remote_id
        assert client.CLIENT.audience_size(credentials=credentials) == account.followers_count
        assert client.server_limits(server) == (500, 23)
        assert lookups and set(lookups) == {"masto.test"}
        with pytest.raises(AuthError):
            client.CLIENT.audience_size(credentials={**credentials, "access_token": "nope"})
