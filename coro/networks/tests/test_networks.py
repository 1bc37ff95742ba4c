from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from coro.networks import NETWORKS, get_network

LINK = "https://coro.example/r/abc234"


def test_registry_has_the_first_networks():
    assert {"linkedin", "x", "email"} <= set(NETWORKS)
    assert get_network("nope") is None


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
