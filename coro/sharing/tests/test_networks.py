from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from coro.sharing.bots import is_preview_bot
from coro.sharing.networks import NETWORKS, get_network, network_choices

LINK = "https://coro.example/r/abc234"


def test_registry_has_the_first_networks():
    assert {"linkedin", "x", "email"} <= set(NETWORKS)
    assert get_network("nope") is None
    assert ("x", "X") in network_choices()


@pytest.mark.parametrize("key", sorted(NETWORKS))
def test_every_intent_carries_the_tracked_link(key):
    url = NETWORKS[key].intent_url("Texto con acentos: ñandú & co", LINK)
    assert LINK in unquote(url)


def test_x_counts_links_as_23_characters():
    x = NETWORKS["x"]
    assert x.text_length("a" * 256, "https://very.long.example/" + "p" * 200) == 280


def test_x_intent_encodes_text_and_url():
    query = parse_qs(urlsplit(NETWORKS["x"].intent_url("Hola & adiós #coro", LINK)).query)
    assert query == {"text": ["Hola & adiós #coro"], "url": [LINK]}


def test_email_intent_uses_first_line_as_subject():
    url = NETWORKS["email"].intent_url("Asunto\nCuerpo del mensaje", LINK)
    query = parse_qs(urlsplit(url).query)
    assert query["subject"] == ["Asunto"]
    assert query["body"][0].startswith("Cuerpo del mensaje")


@pytest.mark.parametrize(
    ("user_agent", "bot"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/140 Safari/537.36",
            False,
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148 Safari/604.1",
            False,
        ),
        ("Mozilla/5.0 (X11; Linux x86_64) Teams/1.5", False),
        ("curl/8.5.0", False),
        ("facebookexternalhit/1.1", True),
        ("LinkedInBot/1.0", True),
        ("Twitterbot/1.0", True),
        ("Slackbot 1.0 (+https://api.slack.com/robots)", True),
        ("Mozilla/5.0 (compatible; Googlebot/2.1)", True),
    ],
)
def test_preview_bot_detection(user_agent, bot):
    assert is_preview_bot(user_agent) is bot
