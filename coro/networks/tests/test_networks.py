from io import StringIO
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.management import call_command

from coro.networks import NETWORKS, Network, ServerNeeded, get_network
from coro.networks.mastodon import server_host
from coro.networks.text_rules import MASTODON
from testing.factories import ShareFactory

LINK = "https://coro.example/r/abc234"
# Accents, an emoji, &, #, ?, +, =, %, a line break, double and single quotes.
TEXT = "Olé 🎉 & co #coro? 1+1=2 100%\n\"sí\" 'no'"
TITLE = "Título: 50% & más"

# Worked out by hand from RFC 3986 and UTF-8 (é C3 A9, í C3 AD, á C3 A1, 🎉 F0 9F 8E 89):
# every character but letters, digits and _.-~ percent-encoded.
LINK_Q = "https%3A%2F%2Fcoro.example%2Fr%2Fabc234"
# Form encoding (Python's urlencode, as X, Bluesky and Threads have always had): space "+".
TEXT_PLUS = "Ol%C3%A9+%F0%9F%8E%89+%26+co+%23coro%3F+1%2B1%3D2+100%25%0A%22s%C3%AD%22+%27no%27"
# Plain percent-encoding (the newer intents and mailto:): space "%20".
TEXT_PCT = (
    "Ol%C3%A9%20%F0%9F%8E%89%20%26%20co%20%23coro%3F%201%2B1%3D2%20100%25"
    "%0A%22s%C3%AD%22%20%27no%27"
)
# The same text as one line (Reddit's title): the line break is a space.
TEXT_ONE_LINE = (
    "Ol%C3%A9%20%F0%9F%8E%89%20%26%20co%20%23coro%3F%201%2B1%3D2%20100%25"
    "%20%22s%C3%AD%22%20%27no%27"
)
# mailto: (RFC 6068): line breaks as CR LF.
TEXT_MAIL = TEXT_PCT.replace("%0A", "%0D%0A")
TITLE_Q = "T%C3%ADtulo%3A%2050%25%20%26%20m%C3%A1s"

# (key, the intent URL in full, its query decoded).
INTENTS = [
    (
        "linkedin",
        f"https://www.linkedin.com/sharing/share-offsite/?url={LINK_Q}",
        {"url": [LINK]},
    ),
    (
        "x",
        f"https://x.com/intent/tweet?text={TEXT_PLUS}&url={LINK_Q}",
        {"text": [TEXT], "url": [LINK]},
    ),
    ("facebook", f"https://www.facebook.com/sharer/sharer.php?u={LINK_Q}", {"u": [LINK]}),
    ("xing", f"https://www.xing.com/spi/shares/new?url={LINK_Q}", {"url": [LINK]}),
    (
        "mastodon",
        f"https://mastodon.social/share?text={TEXT_PCT}%20{LINK_Q}",
        {"text": [f"{TEXT} {LINK}"]},
    ),
    (
        "bluesky",
        f"https://bsky.app/intent/compose?text={TEXT_PLUS}+{LINK_Q}",
        {"text": [f"{TEXT} {LINK}"]},
    ),
    (
        "threads",
        f"https://www.threads.com/intent/post?text={TEXT_PLUS}&url={LINK_Q}",
        {"text": [TEXT], "url": [LINK]},
    ),
    (
        "whatsapp",
        f"https://wa.me/?text={TEXT_PCT}%0A%0A{LINK_Q}",
        {"text": [f"{TEXT}\n\n{LINK}"]},
    ),
    (
        "telegram",
        f"https://t.me/share/url?url={LINK_Q}&text={TEXT_PCT}",
        {"url": [LINK], "text": [TEXT]},
    ),
    (
        "reddit",
        f"https://www.reddit.com/submit?url={LINK_Q}&title={TEXT_ONE_LINE}",
        {"url": [LINK], "title": ["Olé 🎉 & co #coro? 1+1=2 100% \"sí\" 'no'"]},
    ),
    (
        "email",
        f"mailto:?subject={TITLE_Q}&body={TEXT_MAIL}%0D%0A%0D%0A{LINK_Q}",
        {"subject": [TITLE], "body": [f"{TEXT}\n\n{LINK}".replace("\n", "\r\n")]},
    ),
]


def test_registry_has_the_destinations():
    assert list(NETWORKS) == [
        "linkedin",
        "x",
        "facebook",
        "xing",
        "mastodon",
        "bluesky",
        "threads",
        "whatsapp",
        "telegram",
        "reddit",
        "email",
        "copy",
    ]
    assert get_network("nope") is None


def test_every_destination_with_an_intent_is_tested_here():
    assert {key for key, _url, _query in INTENTS} == {
        key for key, network in NETWORKS.items() if network.intent_url is not None
    }


@pytest.mark.parametrize(("key", "url", "query"), INTENTS, ids=[row[0] for row in INTENTS])
def test_intent_urls_exactly(key, url, query):
    intent_url = NETWORKS[key].intent_url
    assert intent_url is not None
    built = intent_url(TEXT, LINK, title=TITLE, server="@ana@mastodon.social")
    assert built == url
    assert parse_qs(urlsplit(built).query, keep_blank_values=True) == query


@pytest.mark.parametrize(
    ("key", "parameter"),
    [
        ("mastodon", "text"),
        ("bluesky", "text"),
        ("whatsapp", "text"),
        ("reddit", "title"),
        ("email", "body"),
    ],
)
def test_what_leaves_is_what_the_counter_counts(key, parameter):
    """For intents that carry the text and the link together, the parameter is exactly
    ``outgoing(text, link)``, the text the network's limit is checked against."""
    network = NETWORKS[key]
    assert network.intent_url is not None
    url = network.intent_url(TEXT, LINK, title=TITLE, server="mastodon.social")
    (value,) = parse_qs(urlsplit(url).query)[parameter]
    assert value.replace("\r\n", "\n") == network.outgoing(TEXT, LINK)


def test_copy_copies_the_text_and_the_link():
    assert NETWORKS["copy"].intent_url is None
    assert NETWORKS["copy"].outgoing(TEXT, LINK) == f"{TEXT}\n\n{LINK}"


@pytest.mark.parametrize(
    "key", sorted(key for key, network in NETWORKS.items() if network.intent_url is not None)
)
def test_every_intent_carries_the_tracked_link(key):
    intent_url = NETWORKS[key].intent_url
    assert intent_url is not None
    url = intent_url("Texto con acentos: ñandú & co", LINK, server="mastodon.social")
    assert LINK in unquote(url)


def test_text_taking_and_servers():
    assert {key for key, n in NETWORKS.items() if not n.takes_text} == {
        "linkedin",
        "facebook",
        "xing",
    }
    assert {key for key, n in NETWORKS.items() if n.needs_server} == {"mastodon"}
    assert {key for key, n in NETWORKS.items() if n.intent_url is None} == {"copy"}
    assert {key for key, n in NETWORKS.items() if not n.opens_in_new_tab} == {"email", "copy"}


@pytest.mark.parametrize("key", sorted(NETWORKS))
def test_every_destination_has_a_label_and_an_icon(key):
    network = NETWORKS[key]
    assert network.label
    assert network.icon == f"coro/networks/{key}.svg"
    path = finders.find(network.icon)
    assert path, f"{network.icon} is not a static file"
    with open(path, encoding="utf-8") as icon:
        assert icon.read().startswith("<svg ")


def test_x_counts_links_as_23_characters():
    x = NETWORKS["x"]
    assert x.text_length("a" * 256, "https://very.long.example.com/" + "p" * 200) == 280


def test_email_without_a_title_has_no_subject():
    intent_url = NETWORKS["email"].intent_url
    assert intent_url is not None
    assert (
        intent_url("Hola\nadiós", LINK) == f"mailto:?body=Hola%0D%0Aadi%C3%B3s%0D%0A%0D%0A{LINK_Q}"
    )


def test_email_subject_is_the_title_and_the_body_the_text():
    """Not the first line of the text as subject, as before: the post's title."""
    intent_url = NETWORKS["email"].intent_url
    assert intent_url is not None
    query = parse_qs(urlsplit(intent_url("Línea uno\nLínea dos", LINK, title="Hola")).query)
    assert query == {"subject": ["Hola"], "body": [f"Línea uno\r\nLínea dos\r\n\r\n{LINK}"]}


def test_mastodon_needs_the_persons_server():
    intent_url = NETWORKS["mastodon"].intent_url
    assert intent_url is not None
    with pytest.raises(ServerNeeded):
        intent_url("Hola", LINK)
    with pytest.raises(ServerNeeded):
        intent_url("Hola", LINK, server="  ")
    with pytest.raises(ValidationError) as error:
        intent_url("Hola", LINK, server="evil.example/phish?x=")
    assert error.value.code == "server"


@pytest.mark.parametrize(
    ("typed", "host"),
    [
        ("mastodon.social", "mastodon.social"),
        ("  Mastodon.Social ", "mastodon.social"),
        ("https://mastodon.social/", "mastodon.social"),
        ("http://mastodon.social", "mastodon.social"),
        ("@ana@mastodon.social", "mastodon.social"),
        ("ana@mastodon.social", "mastodon.social"),
        ("social.example:8443", "social.example:8443"),
        ("https://mastodon.social:443/", "mastodon.social"),
        ("mastodon.social.", "mastodon.social"),
        ("tröt.example", "xn--trt-tna.example"),  # IDNA, the stdlib codec,
        # A profile's or a post's address, what people copy most.
        ("https://mastodon.social/@ana", "mastodon.social"),
        ("mastodon.social/@ana/", "mastodon.social"),
        ("https://mastodon.social/@ana/113456789012345678", "mastodon.social"),
        ("https://Social.Example:8443/@ana.b", "social.example:8443"),
        ("https://mastodon.social/users/ana", "mastodon.social"),
        ("https://mastodon.social/users/ana/statuses/113456789012345678", "mastodon.social"),
    ],
)
def test_server_host_accepts_what_people_type(typed, host):
    assert server_host(typed) == host


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "mastodon",
        "mastodon.social/about",
        "mastodon.social/@",
        "https://mastodon.social/@ana?x=1",
        "https://mastodon.social/@ana#top",
        "https://mastodon.social/@ana/123/extra",
        "https://mastodon.social/@ana/statuses",
        "https://mastodon.social/@bob@other.example",  # someone else's, seen from here
        "https://mastodon.social/users/",
        "https://example.com/path?x=1",
        "mastodon.social?x=1",
        "mastodon.social#x",
        "ftp://mastodon.social",
        "user:pass@mastodon.social",
        "https://user:pass@mastodon.social",
        "mast odon.social",
        "-bad.example",
        "a" * 64 + ".example",
        "mastodon.social:99999",
        "javascript:alert(1)",
        # What urlsplit itself refuses ("Invalid IPv6 URL"), and other broken brackets.
        "[::1",
        "http://[::1",
        "https://[::1/",
        "::1]",
        "[mastodon.social]",
        "@ana@[::1",
        "mastodon.social:port",
        "\x00mastodon.social",
        "xn--.example",
    ],
)
def test_server_host_refuses_what_is_not_a_server(typed):
    with pytest.raises(ValidationError) as error:
        server_host(typed)
    assert error.value.code == "server"


@pytest.fixture
def extra_network(monkeypatch):
    """A network added to the registry the way a new module adds one."""
    network = Network(
        key="diaspora",
        label="Diaspora",
        text_rule=MASTODON,
        intent_url=lambda text, link, **_: f"https://pod.example/bookmarklet?title={text}",
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
    share = ShareFactory(network="diaspora")
    share.full_clean()
    share.network = "myspace"
    with pytest.raises(ValidationError) as error:
        share.full_clean()
    assert list(error.value.message_dict) == ["network"]
