"""Suggested texts: the post, shortened to fit, always ending with the whole disclosure."""

import pytest

from coro.networks import NETWORKS, Network
from coro.sharing.texts import suggested_text
from testing.factories import PostFactory

LINK = "https://coro.example/r/abc234"
DISCLOSURE = "I work at Cerámicas Prueba"


def post(body: str):
    return PostFactory.build(body=body)


def tiny(max_length: int) -> Network:
    return Network("tiny", "Tiny", max_length, 10, lambda text, link: link)


def test_short_text_gets_the_disclosure_after_a_blank_line():
    text = suggested_text(post("  Abrimos en Valencia.  "), NETWORKS["x"], LINK, DISCLOSURE)
    assert text == "Abrimos en Valencia.\n\nI work at Cerámicas Prueba"


def test_without_a_disclosure_the_text_is_the_post():
    assert suggested_text(post("Abrimos."), NETWORKS["x"], LINK, None) == "Abrimos."


@pytest.mark.parametrize("length", [200, 230, 231, 232, 254, 255, 256, 300, 3000])
def test_x_text_fits_exactly_and_keeps_the_disclosure(length):
    x = NETWORKS["x"]
    body = ("abcdefghij" * 300)[:length]
    text = suggested_text(post(body), x, LINK, DISCLOSURE)
    assert x.text_length(text, LINK) <= 280
    assert text.endswith("\n\n" + DISCLOSURE)
    kept = text.removesuffix("\n\n" + DISCLOSURE)
    if x.text_length(body + "\n\n" + DISCLOSURE, LINK) <= 280:
        assert kept == body
    else:
        assert kept.endswith("…")
        # Not shortened more than needed: exactly at the limit.
        assert x.text_length(text, LINK) == 280


def test_the_disclosure_counts_in_the_limit():
    """A body that fits alone is shortened once the disclosure is added."""
    x = NETWORKS["x"]
    body = "a" * (280 - 24)  # fits with X's 23-character link
    assert suggested_text(post(body), x, LINK, None) == body
    text = suggested_text(post(body), x, LINK, DISCLOSURE)
    assert text != body + "\n\n" + DISCLOSURE
    assert x.text_length(text, LINK) == 280


def test_networks_without_a_limit_keep_everything():
    body = "palabra " * 1000
    text = suggested_text(post(body), NETWORKS["email"], LINK, DISCLOSURE)
    assert text == body.strip() + "\n\n" + DISCLOSURE


def test_the_disclosure_is_never_shortened_even_when_nothing_else_fits():
    network = tiny(len(DISCLOSURE) + 5)
    assert suggested_text(post("Un texto largo"), network, LINK, DISCLOSURE) == DISCLOSURE


def test_empty_room_without_disclosure_leaves_an_ellipsis():
    assert suggested_text(post("Un texto largo"), tiny(8), LINK, None) == "…"
