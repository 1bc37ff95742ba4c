"""Suggested texts: the post, shortened to fit, always ending with the whole disclosure."""

import pytest

from coro.networks import MAX_TEXT, NETWORKS, Network, TextRule
from coro.sharing.texts import starting_text, suggested_text, with_disclosure
from testing.factories import PostFactory

# A real top-level domain: X counts a link it recognises as 23, others in full.
LINK = "https://coro.es/r/abc234"
DISCLOSURE = "I work at Cerámicas Prueba"


def post(body: str):
    return PostFactory.build(body=body)


def tiny(max_length: int) -> Network:
    """A network counting characters, with links counted 10 beside the text."""
    return Network(
        key="tiny",
        label="Tiny",
        text_rule=TextRule(limit=max_length, count=len),
        intent_url=lambda text, link: link,
        outgoing=lambda text, link: text + "x" * 10,
    )


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


def test_networks_without_a_limit_keep_everything_coro_takes():
    body = "palabra " * 400
    text = suggested_text(post(body), NETWORKS["email"], LINK, DISCLOSURE)
    assert text == body.strip() + "\n\n" + DISCLOSURE
    # Longer than Coro takes: shortened to that, so the screen never starts refused.
    text = suggested_text(post("palabra " * 1000), NETWORKS["email"], LINK, DISCLOSURE)
    assert text.endswith("…\n\n" + DISCLOSURE)
    assert MAX_TEXT - 10 <= len(text) <= MAX_TEXT


def test_the_post_text_starts_as_plain_text_not_markdown():
    body = (
        "Nueva **colección** de _primavera_, con [nuestro catálogo](https://azulejos.es/c).\n\n"
        "- Azulejos hidráulicos\n"
        "- Esmaltes a mano\n\n"
        "## Dónde\n\n"
        "1. Valencia\n"
        "2. Castellón\n\n"
        "Escrito con `<b>` & 3 < 4"
    )
    text = suggested_text(post(body), NETWORKS["email"], LINK, None)
    assert text == (
        "Nueva colección de primavera, con nuestro catálogo.\n\n"
        "- Azulejos hidráulicos\n"
        "- Esmaltes a mano\n\n"
        "Dónde\n\n"
        "- Valencia\n"
        "- Castellón\n\n"
        "Escrito con <b> & 3 < 4"
    )
    # The marks do not count either: on X, the plain text is what is shortened.
    x = NETWORKS["x"]
    shortened = suggested_text(post("**" + "palabra " * 59 + "fin**"), x, LINK, DISCLOSURE)
    assert "*" not in shortened and x.fits(shortened, LINK)


def test_the_disclosure_is_never_shortened_even_when_nothing_else_fits():
    network = tiny(len(DISCLOSURE) + 5)
    assert suggested_text(post("Un texto largo"), network, LINK, DISCLOSURE) == DISCLOSURE


def test_empty_room_without_disclosure_leaves_an_ellipsis():
    assert suggested_text(post("Un texto largo"), tiny(8), LINK, None) == "…"


def test_x_counts_weighted_so_a_cjk_text_is_shortened_to_280_weighted():
    """Each CJK character weighs 2 on X: 200 of them (400 weighted) must be shortened."""
    x = NETWORKS["x"]
    text = suggested_text(post("日本語" * 70), x, LINK, DISCLOSURE)
    assert x.text_length(text, LINK) <= 280
    assert len(text) < 200  # plain characters would have let far more through
    assert text.endswith("…\n\n" + DISCLOSURE)


def test_starting_text_is_the_editors_suggestion_for_the_network_in_the_persons_language():
    p = PostFactory.build(
        body="El texto del post.",
        suggestions={
            "es": {"x": "Sugerencia para X", "linkedin": "Sugerencia para LinkedIn"},
            "en": {"x": "Suggestion for X"},
        },
    )
    x, linkedin = NETWORKS["x"], NETWORKS["linkedin"]
    assert starting_text(p, x, LINK, DISCLOSURE, "en") == "Suggestion for X\n\n" + DISCLOSURE
    assert starting_text(p, x, LINK, DISCLOSURE, "es") == "Sugerencia para X\n\n" + DISCLOSURE
    # No English suggestion for LinkedIn: the Spanish one, rather than none.
    assert starting_text(p, linkedin, LINK, None, "en") == "Sugerencia para LinkedIn"
    # No suggestion at all for e-mail: the post's text.
    assert starting_text(p, NETWORKS["email"], LINK, None, "en") == "El texto del post."


def test_the_disclosure_is_added_once():
    assert with_disclosure("Hola\n\n" + DISCLOSURE, DISCLOSURE) == "Hola\n\n" + DISCLOSURE
    assert with_disclosure("  Hola ", DISCLOSURE) == "Hola\n\n" + DISCLOSURE
    assert with_disclosure("", DISCLOSURE) == DISCLOSURE
    assert with_disclosure("Hola", None) == "Hola"
