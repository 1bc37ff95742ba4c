"""Every network's count on a table of tricky strings.

The expected numbers are worked out by hand from each network's documented rule (see
coro/networks/text_rules.py and docs/networks.md), never computed by the code under test:
  x         twitter-text v3: URLs 23 (bare domains too), emoji 2, CJK and "…" 2, NFC first
  bluesky   grapheme clusters
  mastodon  grapheme clusters, http(s) URLs 23, bare domains as written, @a@b counts as @a
  threads   code points, an emoji cluster counts its UTF-8 bytes
  linkedin, facebook, xing, whatsapp, telegram, reddit
            UTF-16 code units (each row gives one number for the six: ``utf16(n)``)
  email, copy
            grapheme clusters (no limit)
"""

import time
from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from coro.networks import MAX_TEXT, NETWORKS, TextRule, text_validate
from coro.networks.text_rules import MASTODON

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 4 people, 3 ZWJ
FLAG = "\U0001f1ea\U0001f1f8"  # Spain: two regional indicators
THUMB = "\U0001f44d\U0001f3fd"  # thumbs up, medium skin tone
HEART = "\u2764\ufe0f"  # heart + emoji presentation selector
E_ACUTE = "e\u0301"  # e + combining acute accent (NFC makes it one é)
LONG_URL = "https://azulejos.es/" + "a" * 100  # 120 characters
TWO_URLS = "Mira https://azulejos.es/catalogo/primavera-2027 y https://example.com/a"


def utf16(n: int) -> dict[str, int]:
    """The networks counting UTF-16 code units, all ``n``."""
    return dict(linkedin=n, facebook=n, xing=n, whatsapp=n, telegram=n, reddit=n)


# (what it tests, text, expected count per network). Every registered network must have a
# number in every row.
TABLE = [
    ("plain", "hola", dict(x=4, bluesky=4, mastodon=4, threads=4, email=4, copy=4, **utf16(4))),
    (
        "zwj family",
        FAMILY,
        dict(x=2, bluesky=1, mastodon=1, threads=25, email=1, copy=1, **utf16(11)),
    ),
    ("flag", FLAG, dict(x=2, bluesky=1, mastodon=1, threads=8, email=1, copy=1, **utf16(4))),
    ("skin tone", THUMB, dict(x=2, bluesky=1, mastodon=1, threads=8, email=1, copy=1, **utf16(4))),
    ("heart+vs16", HEART, dict(x=2, bluesky=1, mastodon=1, threads=6, email=1, copy=1, **utf16(2))),
    (
        "combining",
        E_ACUTE,
        dict(x=1, bluesky=1, mastodon=1, threads=2, email=1, copy=1, **utf16(2)),
    ),
    ("cjk", "日本語", dict(x=6, bluesky=3, mastodon=3, threads=3, email=3, copy=3, **utf16(3))),
    ("ellipsis", "…", dict(x=2, bluesky=1, mastodon=1, threads=1, email=1, copy=1, **utf16(1))),
    (
        "279 letters and an ellipsis",
        "a" * 279 + "…",
        dict(x=281, bluesky=280, mastodon=280, threads=280, email=280, copy=280, **utf16(280)),
    ),
    (
        "bare domain",
        "Visita azulejos.es hoy",
        dict(x=34, bluesky=22, mastodon=22, threads=22, email=22, copy=22, **utf16(22)),
    ),
    (
        "two urls",
        TWO_URLS,
        dict(x=54, bluesky=72, mastodon=54, threads=72, email=72, copy=72, **utf16(72)),
    ),
    (
        "one long url",
        LONG_URL,
        dict(x=23, bluesky=120, mastodon=23, threads=120, email=120, copy=120, **utf16(120)),
    ),
    (
        "url without a real top-level domain",
        "http://localhost:8000/r/abc",
        dict(x=27, bluesky=27, mastodon=27, threads=27, email=27, copy=27, **utf16(27)),
    ),
    (
        "newlines",
        "Hola\n\nadiós",
        dict(x=11, bluesky=11, mastodon=11, threads=11, email=11, copy=11, **utf16(11)),
    ),
    ("crlf", "a\r\nb", dict(x=3, bluesky=3, mastodon=3, threads=4, email=3, copy=3, **utf16(4))),
    (
        "remote mention",
        "Gracias @ana@mastodon.social!",
        dict(x=29, bluesky=29, mastodon=13, threads=29, email=29, copy=29, **utf16(29)),
    ),
    (
        "mixed",
        "¡Hola! \U0001f44b 日本",
        dict(x=14, bluesky=11, mastodon=11, threads=14, email=11, copy=11, **utf16(12)),
    ),
]


def test_the_table_covers_every_registered_network():
    for _label, _text, expected in TABLE:
        assert set(expected) == set(NETWORKS)


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        pytest.param(key, text, counts[key], id=f"{key}-{label}")
        for label, text, counts in TABLE
        for key in sorted(counts)
    ],
)
def test_counts(key, text, expected):
    assert NETWORKS[key].count(text) == expected


def test_limits():
    limits = {key: network.max_length for key, network in NETWORKS.items()}
    assert limits == {
        "x": 280,
        "bluesky": 300,
        "mastodon": 500,
        "threads": 500,
        "linkedin": 3000,
        "facebook": 63206,
        "xing": 3000,
        "whatsapp": 4096,
        "telegram": 4096,
        "reddit": 300,
        "email": None,
        "copy": None,
    }
    assert NETWORKS["mastodon"].text_rule is MASTODON


LINK = "https://coro.azulejos.es/r/abcdefghij"  # 37 characters, a URL to X


@pytest.mark.parametrize(
    ("key", "text", "remaining"),
    [
        # X: text, a space, the link as 23.
        ("x", "a" * 256, 0),
        ("x", "a" * 257, -1),
        ("x", "a" * 254 + "…", 0),
        ("x", "日" * 128, 0),
        # Bluesky: the link is in the text, in full: 300 - 1 - 37.
        ("bluesky", "a" * 262, 0),
        ("bluesky", FAMILY * 262, 0),
        ("bluesky", "a" * 263, -1),
        # Threads and LinkedIn: the link goes beside the text.
        ("threads", "a" * 500, 0),
        ("threads", FAMILY * 20, 0),
        ("threads", FAMILY * 20 + "a", -1),
        ("linkedin", "a" * 2998 + FLAG, -2),
        ("email", "a" * MAX_TEXT, None),
        # Mastodon: text, a space, the link as 23: 500 - 1 - 23.
        ("mastodon", "a" * 476, 0),
        ("mastodon", "a" * 477, -1),
        ("mastodon", FAMILY * 476, 0),
        # Facebook and Xing: the link beside the text, UTF-16.
        ("facebook", "a" * MAX_TEXT, 63206 - MAX_TEXT),
        ("xing", "a" * 2998 + FLAG, -2),
        # WhatsApp: text, a blank line, the 37-character link: 4096 - 3500 - 2 - 37.
        ("whatsapp", "a" * MAX_TEXT, 557),
        ("whatsapp", FAMILY * 368, 4096 - 368 * 11 - 2 - 37),
        # Telegram: the link, a line break, the text: 4096 - 37 - 1 - 3500.
        ("telegram", "a" * MAX_TEXT, 558),
        # Reddit: the text as a one-line title, the link beside it.
        ("reddit", "a" * 300, 0),
        ("reddit", "a" * 301, -1),
        ("reddit", "a" * 149 + "\n\n  " + "b" * 150, 0),
        ("copy", "a" * MAX_TEXT, None),
    ],
)
def test_remaining_counts_the_text_as_it_goes_out(key, text, remaining):
    network = NETWORKS[key]
    assert network.remaining(text, LINK) == remaining
    assert network.fits(text, LINK) is (remaining is None or remaining >= 0)


def test_outgoing_text():
    assert NETWORKS["x"].outgoing("Hola", LINK) == f"Hola {LINK}"
    assert NETWORKS["x"].outgoing("", LINK) == LINK
    assert NETWORKS["bluesky"].outgoing("Hola", LINK) == f"Hola {LINK}"
    assert NETWORKS["threads"].outgoing("Hola", LINK) == "Hola"
    assert NETWORKS["linkedin"].outgoing("Hola", LINK) == "Hola"
    assert NETWORKS["email"].outgoing("Hola", LINK) == f"Hola\n\n{LINK}"
    assert NETWORKS["mastodon"].outgoing("Hola", LINK) == f"Hola {LINK}"
    assert NETWORKS["facebook"].outgoing("Hola", LINK) == "Hola"
    assert NETWORKS["xing"].outgoing("Hola", LINK) == "Hola"
    assert NETWORKS["whatsapp"].outgoing("Hola", LINK) == f"Hola\n\n{LINK}"
    assert NETWORKS["whatsapp"].outgoing("", LINK) == LINK
    assert NETWORKS["telegram"].outgoing("Hola", LINK) == f"{LINK}\nHola"
    assert NETWORKS["reddit"].outgoing(" Hola\n\nqué  tal ", LINK) == "Hola qué tal"
    assert NETWORKS["copy"].outgoing("Hola", LINK) == f"Hola\n\n{LINK}"


def test_x_no_longer_lets_281_to_458_weighted_characters_through():
    x = NETWORKS["x"]
    # 228 CJK characters: 228 plain characters, 456 as X weighs them, + 1 + 23.
    assert x.text_length("日" * 228, LINK) == 480
    assert not x.fits("日" * 228, LINK)


def test_the_validator_names_the_network_the_limit_and_the_count():
    with pytest.raises(ValidationError) as error, translation.override("en"):
        text_validate(NETWORKS["x"], "a" * 267, LINK)
    assert error.value.messages == ["X allows 280 characters as X counts them; this text has 291."]
    assert error.value.code == "too_long"
    text_validate(NETWORKS["x"], "a" * 256, LINK)
    text_validate(NETWORKS["email"], "a" * MAX_TEXT, LINK)


@pytest.mark.parametrize("key", sorted(NETWORKS))
def test_a_text_longer_than_coro_takes_is_refused_before_it_is_counted(key):
    """Even e-mail, which has no limit, and even a text a network would count short (one
    long URL is 23 on X): past MAX_TEXT nothing is counted, so nothing is slow."""
    # The network as it is, except that counting fails the test (a parse of 5 MB would take
    # X's parser about half a minute).
    rule = TextRule(limit=NETWORKS[key].max_length, count=_never_counted)
    network = replace(NETWORKS[key], text_rule=rule)
    huge = "https://azulejos.es/" + "a" * 5_000_000
    assert not network.fits(huge, LINK)
    with pytest.raises(ValidationError) as error, translation.override("en"):
        text_validate(network, huge, LINK)
    assert error.value.code == "too_long_for_coro"
    assert error.value.messages == [
        f"This text is too long: Coro takes up to {MAX_TEXT} characters."
    ]
    assert not network.fits("a" * (MAX_TEXT + 1), LINK)


def _never_counted(text: str) -> int:
    raise AssertionError("a text longer than MAX_TEXT was counted")


def test_shortening_a_huge_text_looks_at_its_start_only():
    started = time.monotonic()
    for key in ("x", "email"):
        text = NETWORKS[key].shortened("palabra " * 600_000, LINK, tail="\n\nI work here")
        assert text is not None and text.endswith("…\n\nI work here")
        assert len(text) <= MAX_TEXT and NETWORKS[key].fits(text, LINK)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("key", sorted(NETWORKS))
def test_shortened_fits_exactly_and_keeps_the_tail(key):
    network = NETWORKS[key]
    tail = "\n\nI work at Cerámicas Prueba"
    for body in ["a" * 3100, "日本語" * 1100, FAMILY * 400, "Mira azulejos.es " * 200]:
        text = network.shortened(body, LINK, tail=tail)
        assert text is not None and text.endswith(tail)
        assert network.fits(text, LINK)
        if network.fits(body + tail, LINK):  # e-mail, or a limit above this text
            assert text == body + tail
            continue
        assert text.endswith("…" + tail)
        # Not shortened more than needed: less is left than the dearest cluster here costs
        # (a family is 25 on Threads, a URL 23 on X).
        assert 0 <= network.remaining(text, LINK) < 25


def test_shortened_never_cuts_an_emoji_in_half():
    text = NETWORKS["bluesky"].shortened(FAMILY * 400, LINK)
    assert text is not None
    # 261 families, the ellipsis, a space and the 37-character link: 300 clusters.
    assert text == FAMILY * 261 + "…"


def test_shortened_gives_up_when_even_the_tail_does_not_fit():
    assert NETWORKS["x"].shortened("hola " * 100, LINK, tail="b" * 300) is None
    assert NETWORKS["x"].shortened("hola", LINK, tail="b" * 300) is None
