"""``text_shorten``: a text cut to fit, at a word when one ends close enough, with "…"."""

import pytest

from coro.content.texts import text_shorten


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Abrimos en Valencia", 19, "Abrimos en Valencia"),  # fits: as it is
        ("Abrimos una tienda en Valencia", 20, "Abrimos una tienda…"),  # at a word
        ("Abrimos, y además", 10, "Abrimos…"),  # no comma before the ellipsis
        ("a " + "x" * 30, 10, "a xxxxxxx…"),  # the only word ends too early: cut inside
        ("x" * 50, 10, "x" * 9 + "…"),
    ],
)
def test_text_shorten(text: str, limit: int, expected: str) -> None:
    shortened = text_shorten(text, limit)
    assert shortened == expected
    assert len(shortened) <= limit
