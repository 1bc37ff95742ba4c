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
from coro.connections.models import ConnectedAccount, MastodonApp, NetworkProfile, ServerLimits
from coro.connections.profile_forms import ProfilesForm, ServerForm
from coro.connections.profile_selectors import network_server
from coro.connections.profile_services import network_server_set
from coro.networks import NETWORKS
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


def test_full_oauth_flow_stores_the_account_with_its_token_encrypted(
    tenancy, server, django_capture_on_commit_callbacks
):
    web = tenancy.client_for(tenancy.employee.user)
    with django_capture_on_commit_callbacks(execute=True):
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
    # The server's own limits are kept for the share screen's counter (asked in the
    # background, once the account is stored).
    limits = ServerLimits.objects.get(server=account.server)
    assert (limits.max_characters, limits.characters_per_url) == (500, 23)
    # The app was registered once, with only the scopes Coro needs.
    app = MastodonApp.objects.get(server=account.server)
    assert app.scopes == "write:statuses read:accounts"
    assert app.client_secret and app.client_secret not in app.client_secret_encrypted
    # The person's server is now known: nothing asks for it again.
    assert network_server(membership=tenancy.employee, network="mastodon") == (
        f"127.0.0.1:{server.port}"
    )
    assert NetworkProfile.objects.get(membership=tenancy.employee).instance == (
        f"127.0.0.1:{server.port}"
    )


def test_the_app_is_registered_once_per_server_for_every_organisation(tenancy, server, settings):
    settings.BASE_URL = "https://coro.example"
    web = tenancy.client_for(tenancy.employee.user)
    location = start(web, tenancy.employee, server)
    app = MastodonApp.objects.get()
    # One callback address for the installation, outside any organisation.
    assert app.redirect_uri == "https://coro.example/oauth/mastodon/callback/"
    assert parse_qs(urlsplit(location).query)["redirect_uri"] == [app.redirect_uri]
    # A member of another organisation on the same server: the same app, not registered again.
    other = tenancy.client_for(tenancy.outsider.user)
    start(other, tenancy.outsider, server)
    assert MastodonApp.objects.get().client_id == app.client_id
    # So the first person's flow, started before, still finishes.
    callback(web, authorize(server, location))
    assert ConnectedAccount.objects.filter(membership=tenancy.employee).exists()


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
    """The pending flow names another server than the one answering: refused, even though
    the state matches (the answer's ``iss``, or Coro has no such app on that server)."""
    web = tenancy.client_for(tenancy.employee.user)
    first = authorize(server, start(web, tenancy.employee, server))
    session = web.session
    session[mastodon.SESSION_KEY] = {
        **session[mastodon.SESSION_KEY],
        "server": "https://other.example",  # only the server changes: the state still matches
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


def test_a_callback_with_no_flow_waiting_says_so(tenancy):
    web = tenancy.client_for(tenancy.employee.user)
    response = web.get("/oauth/mastodon/callback/?code=x&state=y", follow=True)
    assert response.status_code == 200
    assert "Coro was not waiting for a Mastodon server" in response.content.decode()
    assert not ConnectedAccount.objects.exists()


def test_the_callback_asks_to_log_in_first(tenancy, client):
    response = client.get("/oauth/mastodon/callback/?code=x&state=y")
    assert response.status_code == 302
    assert "/oauth/mastodon/callback/" in response["Location"]  # back here after logging in


def test_the_callback_refuses_someone_no_longer_in_the_organisation(tenancy, server):
    from coro.people.services import member_remove

    web = tenancy.client_for(tenancy.employee.user)
    location = authorize(server, start(web, tenancy.employee, server))
    member_remove(membership=tenancy.employee, actor=tenancy.admin)
    parts = urlsplit(location)
    assert web.get(f"{parts.path}?{parts.query}").status_code == 404
    assert not ConnectedAccount.objects.exists()


def test_the_callback_refuses_a_flow_of_another_membership(tenancy, server):
    """A pending flow names one membership; finishing it as another (the same person in
    another organisation, say) is refused."""
    web = tenancy.client_for(tenancy.employee.user)
    location = authorize(server, start(web, tenancy.employee, server))
    session = web.session
    session[mastodon.SESSION_KEY] = {**session[mastodon.SESSION_KEY], "membership": -1}
    session.save()
    response = callback(web, location)
    assert "Coro was not waiting for a Mastodon server" in response.content.decode()
    assert not ConnectedAccount.objects.exists()


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(ClientError("The server answered nonsense."), id="client error"),
        pytest.param(TemporaryError("The server is down."), id="temporary"),
        pytest.param(TypeError("'NoneType' object is not subscriptable"), id="garbage"),
        pytest.param(KeyError("access_token"), id="missing key"),
    ],
)
def test_a_failing_code_exchange_gives_a_clear_message_never_a_500(
    tenancy, server, monkeypatch, failure
):
    def exchange(*args, **kwargs):
        raise failure

    monkeypatch.setattr(client, "code_exchange", exchange)
    web = tenancy.client_for(tenancy.employee.user)
    response = connect(web, tenancy.employee, server)
    assert response.status_code == 200
    assert "Coro could not connect your account" in response.content.decode()
    assert not ConnectedAccount.objects.exists()


def test_limits_that_fail_after_connecting_keep_the_account(tenancy, server, monkeypatch):
    """The server's limits are asked after the account is stored, in the background: an
    answer Coro cannot read there loses nothing and shows no error."""
    enqueued = []
    monkeypatch.setattr(mastodon, "server_limits_enqueue", enqueued.append)
    web = tenancy.client_for(tenancy.employee.user)
    response = connect(web, tenancy.employee, server)
    assert "Connected @alice@127.0.0.1" in response.content.decode()
    account = ConnectedAccount.objects.get()
    assert enqueued == [account.server]
    assert not ServerLimits.objects.exists()  # nothing was asked while connecting


def test_a_server_the_person_named_is_kept_when_they_connect(tenancy, server):
    network_server_set(membership=tenancy.employee, network="mastodon", server="mine.example")
    connect(tenancy.client_for(tenancy.employee.user), tenancy.employee, server)
    assert ConnectedAccount.objects.exists()
    assert network_server(membership=tenancy.employee, network="mastodon") == "mine.example"


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
        "https://mastodon.social/about",
        "mastodon.social/path",
        "user:pw@mastodon.social",
        "ana@10.0.0.1",
        "[::1",
        "http://[::1",
        "https://[fd00::1/",
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


def test_the_page_is_filled_in_with_the_server_coro_knows(tenancy):
    web = tenancy.client_for(tenancy.employee.user)
    empty = web.get(connect_url(tenancy.employee)).content.decode()
    assert 'name="server"' in empty and 'name="server" value=' not in empty
    assert "placeholder" not in empty.split('name="server"')[1].split(">")[0]
    network_server_set(membership=tenancy.employee, network="mastodon", server="mastodon.social")
    filled = web.get(connect_url(tenancy.employee)).content.decode()
    assert 'value="mastodon.social"' in filled


def test_a_pasted_profile_address_connects_to_its_server(tenancy, server):
    web = tenancy.client_for(tenancy.employee.user)
    response = web.post(
        connect_url(tenancy.employee), {"server": f"http://127.0.0.1:{server.port}/@alice"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"http://127.0.0.1:{server.port}/oauth/authorize")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("localhost", "private or local network"),
        ("192.168.1.10", "private or local network"),
        ("http://[::1]:3000", "private or local network"),
        ("https://example.com/path?x=1", "is not a Mastodon server"),
        ("mastodon", "is not a Mastodon server"),
        ("", "Write your Mastodon server, like mastodon.social."),
        ("a" * 254 + ".social", "too long for a server"),
    ],
)
def test_every_mastodon_server_form_says_the_same(tenancy, typed, message):
    """Connecting, My networks and the share screen (``ServerForm``): one message set."""
    web = tenancy.client_for(tenancy.employee.user)
    connecting = web.post(connect_url(tenancy.employee), {"server": typed})
    assert connecting.status_code == 422
    answers = [connecting.context["form"].errors["server"]]
    sharing = ServerForm({"server": typed}, network=NETWORKS["mastodon"])
    assert not sharing.is_valid()
    answers.append(sharing.errors["server"])
    if typed:  # optional on My networks
        networks = ProfilesForm({"server_mastodon": typed})
        assert not networks.is_valid()
        answers.append(networks.errors["server_mastodon"])
    assert all(answer == answers[0] for answer in answers)
    assert message in answers[0][0]


def test_server_normalise():
    assert mastodon.server_normalise("Mastodon.Social") == "https://mastodon.social"
    assert mastodon.server_normalise(" https://mastodon.social/ ") == "https://mastodon.social"
    assert mastodon.server_normalise("@ana@mastodon.social") == "https://mastodon.social"
    assert mastodon.server_normalise("ana@mastodon.social") == "https://mastodon.social"
    assert mastodon.server_normalise("mastodon.social:443") == "https://mastodon.social"
    assert mastodon.server_normalise("social.example:8443") == "https://social.example:8443"
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
