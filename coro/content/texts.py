"""Small helpers for plain text (titles, descriptions, excerpts, HTML made plain)."""

import re
from html import unescape

import nh3

# Where HTML ends a paragraph or a line: kept as blank lines / line breaks in the text.
_PARAGRAPH_END = re.compile(
    r"<\s*/\s*(?:p|div|h[1-6]|blockquote|pre|ul|ol|table|section|article|figure|header|footer)\b[^>]*>",
    re.IGNORECASE,
)
_LINE_END = re.compile(r"<\s*(?:br|/\s*tr)\b[^>]*>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<\s*li\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")

# What a shortened text never ends with, before its "…".
_TRAILING = " \n.,;:-\u2013\u2014"


def text_shorten(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut (at a word, when one ends in the
    last 40 % of the room) and ended with "…", in ``limit`` characters at most."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    at_space = cut.rstrip().rfind(" ")
    if at_space > limit * 0.6:
        cut = cut[:at_space]
    return cut.rstrip(_TRAILING) + "…"


def html_to_text(html: str) -> str:
    """Plain text of some HTML, for places that take no markup (a post made from a blog
    item, a text to share made from a post's rendered Markdown).

    No tags are left at all (nh3 removes them, and drops ``<script>`` and ``<style>`` with
    their content); entities are decoded once, so ``&lt;b&gt;`` becomes the text ``<b>``,
    never a tag; paragraphs and block ends become blank lines, ``<br>`` a line break, list
    items "- " lines; runs of spaces are collapsed and the ends trimmed. The result is text,
    not HTML: escape it (templates do) before putting it in a page."""
    marked = _PARAGRAPH_END.sub("\n\n", html)
    marked = _LINE_END.sub("\n", marked)
    marked = _LIST_ITEM.sub("\n- ", marked)
    text = unescape(nh3.clean(marked, tags=set()))
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
