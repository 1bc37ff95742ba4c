from io import StringIO
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from coro.networks import NETWORKS, Network, get_network
from coro.networks.text_rules import MASTODON
from testing.factories import ShareFactory

LINK = "https://coro.example/r/abc234"


def test_registry_has_the_networks():
    assert set(NETWORKS) == {"linkedin", "x", "bluesky", "threads", "email"}
    assert get_network("nope") is None


@pytest.mark.parametrize("key", sorted(NETWORKS))
def test_every_intent_carries_the_tracked_link(key):
    url = NETWORKS[key].intent_url("Texto con acentos: ñandú & co", LINK)
    assert LINK in unquote(url)


def test_x_counts_links_as_23_characters():
    x = NETWORKS["x"]
    assert x.text_length("a" * 256, "https://very.long.example.com/" + "p" * 200) == 280


def test_bluesky_intent_puts_the_link_in_the_text():
    url = NETWORKS["bluesky"].intent_url("Hola & adiós", LINK)
    assert url.startswith("https://bsky.app/intent/compose?")
    assert parse_qs(urlsplit(url).query) == {"text": [f"Hola & adiós {LINK}"]}


def test_threads_intent_attaches_the_link():
    url = NETWORKS["threads"].intent_url("Hola & adiós", LINK)
    assert url.startswith("https://www.threads.com/intent/post?")
    assert parse_qs(urlsplit(url).query) == {"text": ["Hola & adiós"], "url": [LINK]}


def test_x_intent_encodes_text_and_url():
    query = parse_qs(urlsplit(NETWORKS["x"].intent_url("Hola & adiós #coro", LINK)).query)
    assert query == {"text": ["Hola & adiós #coro"], "url": [LINK]}


def test_email_intent_uses_first_line_as_subject():
    url = NETWORKS["email"].intent_url("Asunto\nCuerpo del mensaje", LINK)
    query = parse_qs(urlsplit(url).query)
    assert query["subject"] == ["Asunto"]
    assert query["body"][0].startswith("Cuerpo del mensaje")


@pytest.fixture
def extra_network(monkeypatch):
    """A network added to the registry the way a new module adds one."""
    network = Network(
        key="mastodon",
        label="Mastodon",
        text_rule=MASTODON,
        intent_url=lambda text, link: f"https://social.example/share?text={text} {link}",
    )
    monkeypatch.setitem(NETWORKS, network.key, network)
    return network


@pytest.mark.django_db
def test_adding_a_network_needs_no_migration(extra_network):
    out = StringIO()
    # Exits with an error if any model change lacks a migration.
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_shares_are_checked_against_the_registry(extra_network):
    share = ShareFactory(network="mastodon")
    share.full_clean()
    share.network = "myspace"
    with pytest.raises(ValidationError) as error:
        share.full_clean()
    assert list(error.value.message_dict) == ["network"]
