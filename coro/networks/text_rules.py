"""How each network counts the characters of a post: one rule per network, in one place.

A ``TextRule`` is a limit and a counting function. The network modules use these rules,
the live counter in the post editor and on the share screen uses them through ``Network``,
and so does the server-side check: the page and the server agree because they run the same
function. Each rule says which document it follows; docs/networks.md has the summary and
tests/test_text_rules.py a table of tricky strings counted by hand.

All rules are conservative where the network's documentation leaves room: if in doubt they
count more, never less, so a text Coro says fits is never refused by the network.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import regex  # type: ignore[import-untyped]
from twitter_text import (  # type: ignore[import-untyped]
    extract_urls_with_indices,
    parse_tweet,
)


@dataclass(frozen=True)
class TextRule:
    """A network's limit (None: no limit) and how it counts a text."""

    limit: int | None
    count: Callable[[str], int]


_GRAPHEME = regex.compile(r"\X")
# A grapheme cluster is an emoji if it holds a pictographic character or a flag letter.
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")


def graphemes(text: str) -> list[str]:
    """The text's user-perceived characters (Unicode extended grapheme clusters)."""
    return list(_GRAPHEME.findall(text))


def grapheme_count(text: str) -> int:
    return len(graphemes(text))


def x_count(text: str) -> int:
    """X's weighted length, exactly as twitter-text v3 counts it (the maintained Python
    port, twitter-text-parser): the text is NFC-normalised; every URL it recognises counts
    23, bare domains such as ``azulejos.es`` included; an emoji sequence counts 2; Latin,
    Greek, Cyrillic and a few punctuation ranges count 1 per code point, everything else
    (CJK, "…", ...) 2."""
    return int(parse_tweet(text).weightedLength)


# Mastodon rewrites ``@user@domain`` to ``@user`` before counting (its web composer's
# regular expression, app/javascript/mastodon/features/compose/util/counter.js).
_REMOTE_MENTION = re.compile(r"(^|[^/\w])@([a-z0-9_]+)@[a-z0-9.-]+[a-z0-9]+", re.I | re.A)
MASTODON_URL_LENGTH = 23


def mastodon_count(text: str, per_url: int = MASTODON_URL_LENGTH) -> int:
    """Mastodon's count (app/validators/status_length_validator.rb): grapheme clusters,
    after every URL is replaced by ``per_url`` characters (23 unless the server says
    otherwise) and every remote mention by its local part.

    Mastodon finds URLs with twitter-text's extractor *with the protocol required*, so
    ``https://azulejos.es/loooong`` counts 23 while a bare ``azulejos.es`` counts its 11
    letters; we call the same extractor from twitter-text-parser. (Mastodon also links a
    few rarer schemes such as ``gemini://``; those count here at full length, which only
    ever over-counts.)
    """
    parts: list[str] = []
    position = 0
    for url in extract_urls_with_indices(text, False):
        start, end = url["indices"]
        parts.append(_REMOTE_MENTION.sub(r"\1@\2", text[position:start]))
        parts.append("x" * per_url)
        position = end
    parts.append(_REMOTE_MENTION.sub(r"\1@\2", text[position:]))
    return grapheme_count("".join(parts))


def threads_count(text: str) -> int:
    """Threads: "Text posts are limited to 500 characters. Emojis are counted as the number
    of UTF-8 bytes." (developers.facebook.com/documentation/threads/posts). An emoji here is
    a whole grapheme cluster holding a pictographic character or a flag, and counts its
    UTF-8 bytes (a flag 8, a family of four joined by ZWJ 25). Other characters count one
    per code point, not per grapheme cluster: "e" plus a combining accent counts 2. Meta
    does not say which it means, and code points never count less than clusters."""
    total = 0
    for cluster in graphemes(text):
        if _EMOJI.search(cluster):
            total += len(cluster.encode("utf-8"))
        else:
            total += len(cluster)
    return total


def utf16_count(text: str) -> int:
    """UTF-16 code units, the length a JavaScript text box reports: an emoji outside the
    Basic Multilingual Plane counts 2. LinkedIn documents "3,000 characters" without saying
    how it counts; its composer is a web page, and UTF-16 never counts less than code points
    or grapheme clusters. The rule for every network that gives a number without saying how
    it counts (Facebook, Xing, WhatsApp, Reddit); Telegram counts in UTF-16 itself."""
    return len(text.encode("utf-16-le")) // 2


X = TextRule(limit=280, count=x_count)
# Bluesky's lexicon: app.bsky.feed.post text has maxGraphemes 300. We count links in full
# as written; the Bluesky app may shorten how they show, never making a text longer.
BLUESKY = TextRule(limit=300, count=grapheme_count)


def mastodon_rule(limit: int, per_url: int) -> TextRule:
    """A Mastodon server's own rule, from its ``/api/v2/instance`` (``max_characters``,
    ``characters_reserved_per_url``)."""
    return TextRule(limit=limit, count=lambda text: mastodon_count(text, per_url))


# Mastodon's default; a server may allow more (its /api/v2/instance says how many; the share
# screen counts with the person's own server's rule, coro/connections/limits.py).
MASTODON = TextRule(limit=500, count=mastodon_count)
THREADS = TextRule(limit=500, count=threads_count)
LINKEDIN = TextRule(limit=3000, count=utf16_count)
# Facebook: a post takes up to 63,206 characters (announced by Facebook in 2011, unchanged
# since; Meta documents no other number). How it counts is not said: UTF-16, a web page's.
FACEBOOK = TextRule(limit=63206, count=utf16_count)
# Xing documents no limit for a post that we could find; 3,000 (LinkedIn's) is our own
# choice, so a text meant for a professional network stays a post, not an article. The share
# dialog takes only the link: the person pastes the text, so the number is advice.
XING = TextRule(limit=3000, count=utf16_count)
# WhatsApp: its Business (Cloud) API takes a text message body of up to 4,096 characters
# (developers.facebook.com/docs/whatsapp/cloud-api/messages/text-messages); the app itself
# takes longer ones. We keep to the documented 4,096.
WHATSAPP = TextRule(limit=4096, count=utf16_count)
# Telegram: a message is "1-4096 characters after entities parsing"
# (core.telegram.org/bots/api#sendmessage); Telegram measures text in UTF-16 code units
# (core.telegram.org/api/entities#entity-length).
TELEGRAM = TextRule(limit=4096, count=utf16_count)
# Reddit: the text becomes the post's title, "up to 300 characters long"
# (www.reddit.com/dev/api#POST_api_submit).
REDDIT = TextRule(limit=300, count=utf16_count)
# An e-mail has no length limit; its count is only shown, in grapheme clusters.
EMAIL = TextRule(limit=None, count=grapheme_count)
# Copied text goes wherever the person pastes it: no limit, the count only shown.
COPY = TextRule(limit=None, count=grapheme_count)
