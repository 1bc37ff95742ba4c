"""Post texts are written in Markdown and shown as HTML that cannot carry anything harmful.

Two locks, one behind the other: markdown-it never passes raw HTML through (``html=False``
turns it into text), and nh3 then keeps only an explicit list of tags and attributes, and
links only to http, https and mailto addresses.
"""

from collections.abc import Sequence

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "ul",
        "ol",
        "li",
        "a",
        "blockquote",
        "code",
        "pre",
        "h3",
        "h4",
        "hr",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

# Inside a post the page already has its h1 and the post's own h2: a text's headings become
# h3 (# and ##) or h4 (### and deeper), so the outline stays right.
_HEADING_TAGS = {"h1": "h3", "h2": "h3", "h3": "h4", "h4": "h4", "h5": "h4", "h6": "h4"}


def _shift_headings(tokens: Sequence[Token]) -> None:
    for token in tokens:
        if token.type in {"heading_open", "heading_close"}:
            token.tag = _HEADING_TAGS.get(token.tag, token.tag)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    # Images belong in the post's gallery (checked, resized, described); in the text they
    # would load from anywhere. ``![x](y)`` is then shown as "!" and a link.
    md.disable("image")
    return md


_MD = _parser()


def render_markdown(text: str) -> SafeString:
    """The text as safe HTML: Markdown rendered without raw HTML, then sanitised."""
    tokens = _MD.parse(text or "")
    _shift_headings(tokens)
    html = _MD.renderer.render(tokens, _MD.options, {})
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(cleaned)  # sanitised by nh3 just above
