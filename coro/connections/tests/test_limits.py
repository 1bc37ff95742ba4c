"""A Mastodon server's own text limits: asked from the server, kept, and counted with on the
share screen (its live counter and the server's check) and before posting."""

import http.server
import json
import threading

import pytest

from coro.connections import limits
from coro.connections.models import ConnectedAccount, ServerLimits
from coro.connections.profile_selectors import network_server
from coro.connections.profile_services import network_server_set
from coro.networks import NETWORKS
from coro.networks.links import tracked_link
from coro.program.selectors import terms_current
from coro.program.services import program_join
from testing.factories import ConnectedAccountFactory, OrganisationFactory, PostFactory

pytestmark = pytest.mark.django_db

SERVER = "https://mastodon.example"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def instance_server(settings, statuses):
    """A local server answering ``/api/v2/instance`` with these ``statuses`` settings."""
    body = json.dumps({"configuration": {"statuses": statuses}}).encode()

    class Instance(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            found = self.path.startswith("/api/v2/instance")
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body if found else b"{}")

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Instance)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
    return httpd, f"http://127.0.0.1:{port}"


@pytest.fixture
def instance(settings):
    httpd, url = instance_server(
        settings, {"max_characters": 1000, "characters_reserved_per_url": 30}
    )
    yield url
    httpd.shutdown()
    httpd.server_close()


def account(membership, server, status=ConnectedAccount.Status.CONNECTED):
    return ConnectedAccountFactory(
        membership=membership, network="mastodon", server=server, status=status
    )


# --- Asking the server ----------------------------------------------------------------------


def test_the_servers_own_limits_are_asked_and_kept(instance):
    kept = limits.server_limits_refresh(server=instance)
    assert kept is not None
    assert (kept.max_characters, kept.characters_per_url) == (1000, 30)
    # Safe to run twice: one row, the same figures.
    limits.server_limits_refresh(server=instance)
    assert ServerLimits.objects.get().max_characters == 1000


def test_a_server_that_says_nothing_gets_mastodons_defaults(settings):
    httpd, url = instance_server(settings, {"max_characters": "lots", "other": 1})
    try:
        kept = limits.server_limits_refresh(server=url)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert kept is not None
    assert (kept.max_characters, kept.characters_per_url) == (500, 23)


def test_a_server_that_cannot_be_asked_keeps_the_limits_known_before(settings):
    ServerLimits.objects.create(server=SERVER, max_characters=1000, characters_per_url=23)
    settings.FETCH_TEST_ALLOW = []  # nothing may be reached: the address check refuses
    assert limits.server_limits_refresh(server=SERVER) is None
    assert ServerLimits.objects.get(server=SERVER).max_characters == 1000


def test_naming_a_new_server_asks_it_once_in_the_background(
    tenancy, monkeypatch, django_capture_on_commit_callbacks
):
    asked = []
    # The task runs at once in tests (ImmediateBackend): record what it was asked.
    monkeypatch.setattr(limits, "server_limits_refresh", lambda *, server: asked.append(server))
    with django_capture_on_commit_callbacks(execute=True):
        network_server_set(
            membership=tenancy.employee, network="mastodon", server="Mastodon.Example"
        )
    assert asked == [SERVER]
    # A server whose limits Coro knows is left to the daily job.
    ServerLimits.objects.create(server=SERVER, max_characters=1000, characters_per_url=23)
    with django_capture_on_commit_callbacks(execute=True):
        network_server_set(membership=tenancy.admin, network="mastodon", server="mastodon.example")
    assert asked == [SERVER]


def test_the_daily_job_asks_every_server_people_named_or_connected(
    tenancy, monkeypatch, django_capture_on_commit_callbacks
):
    asked = []
    # The task runs at once in tests (ImmediateBackend): record what it was asked.
    monkeypatch.setattr(limits, "server_limits_refresh", lambda *, server: asked.append(server))
    ServerLimits.objects.create(server=SERVER, max_characters=1000, characters_per_url=23)
    network_server_set(membership=tenancy.employee, network="mastodon", server="mastodon.example")
    network_server_set(membership=tenancy.admin, network="mastodon", server="mastodon.example")
    account(tenancy.editor, "https://other.example")
    account(tenancy.admin, "https://gone.example", status=ConnectedAccount.Status.RECONNECT)
    with django_capture_on_commit_callbacks(execute=True):
        assert limits.server_limits_refresh_all() == 2
    assert asked == ["https://mastodon.example", "https://other.example"]


# --- Counting with them --------------------------------------------------------------------


def test_the_network_counts_with_the_persons_own_server(tenancy):
    mastodon = NETWORKS["mastodon"]
    # Nothing known: the registry's network, Mastodon's 500.
    assert limits.network_for(tenancy.employee, mastodon) is mastodon
    network_server_set(membership=tenancy.employee, network="mastodon", server="mastodon.example")
    assert limits.network_for(tenancy.employee, mastodon).max_length == 500
    ServerLimits.objects.create(server=SERVER, max_characters=1000, characters_per_url=40)
    own = limits.network_for(tenancy.employee, mastodon)
    assert own.max_length == 1000
    assert own.count("Mira https://azulejos.es/a") == len("Mira ") + 40
    # One source for the person's server (profile_selectors.network_server): the one they
    # named, else their connected account's.
    ServerLimits.objects.create(
        server="https://big.example", max_characters=5000, characters_per_url=23
    )
    account(tenancy.admin, "https://big.example")
    assert limits.person_server(tenancy.admin) == "https://big.example"
    assert limits.network_for(tenancy.admin, mastodon).max_length == 5000
    account(tenancy.employee, "https://big.example")
    assert limits.person_server(tenancy.employee) == SERVER
    assert limits.network_for(tenancy.employee, mastodon).max_length == 1000
    # Other people, and other networks, are not touched.
    assert limits.network_for(tenancy.editor, mastodon) is mastodon
    assert limits.network_for(tenancy.employee, NETWORKS["x"]) is NETWORKS["x"]


@pytest.fixture
def sharing(tenancy):
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    network_server_set(membership=tenancy.employee, network="mastodon", server="mastodon.example")
    post = PostFactory(organisation=tenancy.org, title="Albufera", link="https://x.example/p")
    return tenancy.client_for(tenancy.employee.user), post


def share_url(post, end=""):
    return f"/o/{post.organisation.code}/posts/{post.code}/share/mastodon/{end}"


def test_the_share_screen_counts_and_checks_with_the_servers_own_limit(tenancy, sharing):
    web, post = sharing
    text = "á" * 700  # over Mastodon's 500, under this server's 1,000
    refused = web.post(share_url(post), {"text": text})
    assert refused.status_code == 200
    assert "Mastodon allows 500 characters" in refused.content.decode()
    ServerLimits.objects.create(server=SERVER, max_characters=1000, characters_per_url=23)
    page = web.get(share_url(post)).content.decode()
    assert share_url(post, "count/") in page  # the live counter asks the person's own count
    fields = {"text": text, "link_field": "link", "link": tracked_link("a" * 10)}
    counted = web.post(share_url(post, "count/"), fields)
    assert counted.status_code == 200
    # 1,000 less the text, the space and the link (the tests' site is at an IP address, which
    # Mastodon does not turn into a link, so it counts in full).
    left = 1000 - 700 - 1 - len(fields["link"])
    assert f"{left} characters left" in counted.content.decode()
    shared = web.post(share_url(post), {"text": text})
    assert shared.status_code == 302
    assert shared["Location"].startswith("https://mastodon.example/share?")


def test_the_share_counter_refuses_another_organisations_post(tenancy, sharing):
    web, post = sharing
    other = PostFactory(organisation=OrganisationFactory())
    url = f"/o/{post.organisation.code}/posts/{other.code}/share/mastodon/count/"
    assert web.post(url, {"text": "hola"}).status_code == 404


def test_a_connected_account_is_enough_the_server_is_not_asked_again(tenancy):
    """Someone who connected Mastodon but never typed a server: the share screen knows it
    (the account's), asks nothing and counts with that server's limits."""
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    account(tenancy.employee, "https://big.example")
    ServerLimits.objects.create(
        server="https://big.example", max_characters=5000, characters_per_url=23
    )
    assert network_server(membership=tenancy.employee, network="mastodon") == "big.example"
    assert limits.person_server(tenancy.employee) == "https://big.example"
    post = PostFactory(organisation=tenancy.org, title="Albufera", link="https://x.example/p")
    web = tenancy.client_for(tenancy.employee.user)
    page = web.get(share_url(post)).content.decode()
    assert "share-server-form" not in page
    assert 'id="share-form"' in page
    shared = web.post(share_url(post), {"text": "á" * 700})
    assert shared.status_code == 302
    assert shared["Location"].startswith("https://big.example/share?")
    # Another network's account says nothing about servers.
    ConnectedAccountFactory(membership=tenancy.admin, network="bluesky")
    assert network_server(membership=tenancy.admin, network="bluesky") == ""
    assert network_server(membership=tenancy.admin, network="mastodon") == ""
