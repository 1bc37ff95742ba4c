"""Connecting Mastodon through Coro's views, posting and follower counts, against mastodon-mock
(a Mastodon REST API server on loopback) driven through Mastodon.py.

The mock does not check state, PKCE, redirect URIs or scopes: these tests check that Coro's
own code does (the callback refusals, the challenge in the authorisation URL and the verifier
sent with the code)."""

import base64
import hashlib
import http.server
import re
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse
from mastodon_mock.testing import MockServer

from coro.connections import mastodon
from coro.connections.models import ConnectedAccount, MastodonApp, ServerLimits
from coro.networks.clients import AuthError, ClientError, RateLimited, TemporaryError
from coro.networks.clients import mastodon as client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read Coro's English texts (the default language is Spanish)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def server(settings):
    """A fresh local Mastodon server (in memory, on 127.0.0.1), the only one Coro may reach."""
    with MockServer() as running:
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{running.port}"]
        yield running


def connect_url(membership):
    return reverse(
        "connections:mastodon_connect", kwargs={"org_code": membership.organisation.code}
    )


def start(web, membership, server):
    """Coro's form: the person names their server; where Coro sends them."""
    response = web.post(connect_url(membership), {"server": f"127.0.0.1:{server.port}"})
    assert response.status_code == 302, response.content
    return response["Location"]


def authorize(server, location, username="alice"):
    """The person allows Coro on the server: its callback URL with code and state."""
    page = requests.get(location, timeout=10)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    answer = requests.post(
        f"{server.base_url}/oauth/authorize",
        data={**fields, "username": username},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["Location"]


def callback(web, location):
    parts = urlsplit(location)
    return web.get(f"{parts.path}?{parts.query}", follow=True)


def connect(web, membership, server, username="alice"):
    return callback(web, authorize(server, start(web, membership, server), username))


def test_full_oauth_flow_stores_the_account_with_its_token_encrypted(tenancy, server):
    web = tenancy.client_for(tenancy.employee.user)
    response = connect(web, tenancy.employee, server)
    assert "Connected @alice@127.0.0.1" in response.content.decode()
    account = ConnectedAccount.objects.get(membership=tenancy.employee, network="mastodon")
    assert account.server == f"http://127.0.0.1:{server.port}"
    assert account.status == ConnectedAccount.Status.CONNECTED
    assert account.remote_id
    token = account.credentials["access_token"]
    assert token and token not in account.credentials_encrypted
    # The token works: it reads the same account.
    me = server.client(token=token).account_verify_credentials()
    assert str(me["id"]) == account.remote_id
    # The server's own limits are kept for the share screen's counter.
    limits = ServerLimits.objects.get(server=account.server)
    assert (limits.max_characters, limits.characters_per_url) == (500, 23)
    # The app was registered once, with only the scopes Coro needs.
    app = MastodonApp.objects.get(server=account.server)
    assert app.scopes == "write:statuses read:accounts"
    assert app.client_secret and app.client_secret not in app.client_secret_encrypted


def test_the_app_is_registered_once_per_server(tenancy, server):
    web = tenancy.client_for(tenancy.employee.user)
    start(web, tenancy.employee, server)
    first = MastodonApp.objects.get().client_id
    start(tenancy.client_for(tenancy.editor.user), tenancy.editor, server)
    assert MastodonApp.objects.get().client_id == first


def test_authorisation_url_carries_state_and_a_pkce_s256_challenge(tenancy, server):
    web = tenancy.client_for(tenancy.employee.user)
    query = parse_qs(urlsplit(start(web, tenancy.employee, server)).query)
    pending = web.session[mastodon.SESSION_KEY]
    assert query["state"] == [pending["state"]]
    assert query["scope"] == ["write:statuses read:accounts"]
    assert query["code_challenge_method"] == ["S256"]
    digest = hashlib.sha256(pending["code_verifier"].encode()).digest()
    assert query["code_challenge"] == [base64.urlsafe_b64encode(digest).rstrip(b"=").decode()]
    assert 43 <= len(pending["code_verifier"]) <= 128


def test_the_code_exchange_sends_the_pkce_verifier(tenancy, server, monkeypatch):
    sent = []
    original = requests.Session.request

    def spy(self, method, url, *args, **kwargs):
        if url.endswith("/oauth/token"):
            sent.append(dict(kwargs.get("data") or {}))
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", spy)
    web = tenancy.client_for(tenancy.employee.user)
    location = start(web, tenancy.employee, server)
    verifier = web.session[mastodon.SESSION_KEY]["code_verifier"]
    callback(web, authorize(server, location))
    assert ConnectedAccount.objects.filter(membership=tenancy.employee).exists()
    assert len(sent) == 1
    assert sent[0]["grant_type"] == "authorization_code"
    assert sent[0]["code_verifier"] == verifier


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda q: q.pop("state"), id="missing state"),
        pytest.param(lambda q: q.update(state="not-the-state"), id="wrong state"),
        pytest.param(lambda q: q.update(iss="https://other.example/"), id="another server"),
        pytest.param(lambda q: q.update(error="access_denied"), id="denied"),
        pytest.param(lambda q: q.pop("code"), id="no code"),
    ],
)
def test_the_callback_refuses_what_does_not_match_the_pending_flow(tenancy, server, tamper):
    web = tenancy.client_for(tenancy.employee.user)
    location = authorize(server, start(web, tenancy.employee, server))
    parts = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    tamper(query)
    response = web.get(parts.path, query, follow=True)
    assert response.status_code == 200
    assert (
        "start again" in response.content.decode() or "did not allow" in response.content.decode()
    )
    assert not ConnectedAccount.objects.exists()


def test_a_code_for_an_earlier_flow_with_another_server_is_refused(tenancy, server):
    """The person started with one server, then another: the first server's answer (its state)
    no longer matches the pending flow."""
    web = tenancy.client_for(tenancy.employee.user)
    first = authorize(server, start(web, tenancy.employee, server))
    session = web.session
    session[mastodon.SESSION_KEY] = {
        **session[mastodon.SESSION_KEY],
        "state": "state-of-the-other-server",
        "server": "https://other.example",
    }
    session.save()
    callback(web, first)
    assert not ConnectedAccount.objects.exists()


def test_the_callback_works_once_and_only_for_the_person_who_started(tenancy, server):
    web = tenancy.client_for(tenancy.employee.user)
    location = authorize(server, start(web, tenancy.employee, server))
    other = tenancy.client_for(tenancy.editor.user)
    callback(other, location)  # another person's session has no pending flow
    assert not ConnectedAccount.objects.exists()
    callback(web, location)
    assert ConnectedAccount.objects.count() == 1
    ConnectedAccount.objects.all().delete()
    callback(web, location)  # the pending flow was used up
    assert not ConnectedAccount.objects.exists()


@pytest.mark.parametrize(
    "typed",
    [
        "10.0.0.1",
        "192.168.1.10",
        "169.254.169.254",
        "[::1]",
        "127.0.0.1",
        "100.64.0.1",
        "[fd00::1]",
        "localhost",
        "metadata.google.internal",
        "printer.local",
        "intranet",
        "https://mastodon.social/@ana",
        "mastodon.social/path",
        "user:pw@mastodon.social",
        "",
        " ",
    ],
)
def test_private_addresses_and_non_hosts_are_refused_before_any_connection(
    tenancy, typed, monkeypatch
):
    def no_connection(*args, **kwargs):
        raise AssertionError("no connection may be tried")

    monkeypatch.setattr(requests.Session, "request", no_connection)
    web = tenancy.client_for(tenancy.employee.user)
    response = web.post(connect_url(tenancy.employee), {"server": typed})
    assert response.status_code == 422
    assert not MastodonApp.objects.exists()


def test_server_normalise():
    assert mastodon.server_normalise("Mastodon.Social") == "https://mastodon.social"
    assert mastodon.server_normalise(" https://mastodon.social/ ") == "https://mastodon.social"
    assert mastodon.server_normalise("@ana@mastodon.social") == "https://mastodon.social"
    assert mastodon.server_normalise("http://mastodon.social") == "https://mastodon.social"


def test_in_real_use_a_name_resolving_to_a_private_address_is_refused(settings, monkeypatch):
    settings.FETCH_TEST_ALLOW = None
    monkeypatch.setattr("socket.getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("10.1.2.3", 443))])
    with pytest.raises(ClientError):
        client.server_check("https://mastodon.example")


def test_a_server_that_fails_gives_a_clear_message_and_saves_nothing(tenancy, settings):
    settings.FETCH_TEST_ALLOW = ["127.0.0.1:9"]  # nothing listens there
    web = tenancy.client_for(tenancy.employee.user)
    response = web.post(connect_url(tenancy.employee), {"server": "127.0.0.1:9"})
    assert response.status_code == 422
    assert "server" in response.content.decode()
    assert not MastodonApp.objects.exists()


def test_posting_with_an_idempotency_key_posts_once(tenancy, server):
    connect(tenancy.client_for(tenancy.employee.user), tenancy.employee, server)
    account = ConnectedAccount.objects.get()
    link = "https://coro.example/r/abc"
    first = client.CLIENT.post(
        credentials=account.credentials, text="Hola, ¿qué tal? 🎉", link=link, idempotency_key="k1"
    )
    again = client.CLIENT.post(
        credentials=account.credentials, text="Hola, ¿qué tal? 🎉", link=link, idempotency_key="k1"
    )
    assert first.remote_id == again.remote_id
    reader = server.client(token=account.credentials["access_token"])
    statuses = reader.account_statuses(account.remote_id)
    assert len(statuses) == 1
    assert "Hola, ¿qué tal? 🎉" in statuses[0]["content"]
    assert "coro.example/r/abc" in statuses[0]["content"]
    other = client.CLIENT.post(
        credentials=account.credentials, text="Otra", link=link, idempotency_key="k2"
    )
    assert other.remote_id != first.remote_id


def test_follower_count_and_a_refused_token(tenancy, server):
    connect(tenancy.client_for(tenancy.employee.user), tenancy.employee, server, "bob")
    account = ConnectedAccount.objects.get()
    before = account.followers_count
    assert before is not None
    made = requests.post(
        f"{server.base_url}/api/v1/_mock/dev_user", json={"username": "erin"}, timeout=10
    )
    assert made.status_code < 300, made.text
    erin = server.client(token=made.json()["access_token"])
    erin.account_follow(account.remote_id)
    assert client.CLIENT.audience_size(credentials=account.credentials) == before + 1
    with pytest.raises(AuthError):
        client.CLIENT.audience_size(
            credentials={**account.credentials, "access_token": "not-a-token"}
        )


def test_server_limits_come_from_the_instance(server, settings):
    assert client.server_limits(server.base_url) == (500, 23)


class _Answers(http.server.BaseHTTPRequestHandler):
    """Answers every request with the status (and headers) the test chose."""

    answer: tuple[int, dict[str, str]] = (200, {})

    def _reply(self) -> None:
        status, headers = self.answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"error": "no"}')

    do_GET = do_POST = _reply

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(
    ("status", "headers", "expected", "retry_after"),
    [
        (401, {}, AuthError, None),
        (403, {}, AuthError, None),
        (429, {"Retry-After": "120"}, RateLimited, 120.0),
        (429, {}, RateLimited, None),
        (503, {}, TemporaryError, None),
        (500, {}, TemporaryError, None),
        (422, {}, ClientError, None),
    ],
)
def test_answers_become_typed_errors(settings, status, headers, expected, retry_after):
    handler = type("H", (_Answers,), {"answer": (status, headers)})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        port = httpd.server_address[1]
        settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
        credentials = {"server": f"http://127.0.0.1:{port}", "access_token": "tok"}
        with pytest.raises(expected) as raised:
            client.CLIENT.post(credentials=credentials, text="Hola", link="", idempotency_key="k")
        assert type(raised.value) is expected
        if expected is RateLimited:
            assert raised.value.retry_after == retry_after
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_refused_server_is_not_a_temporary_error(settings):
    settings.FETCH_TEST_ALLOW = []
    credentials = {"server": "http://127.0.0.1:9", "access_token": "tok"}
    with pytest.raises(ClientError) as raised:
        client.CLIENT.post(credentials=credentials, text="Hola", link="", idempotency_key="k")
    assert type(raised.value) is ClientError
