"""The text the share screen starts from. The person may change all of it (charter rule 5);
it always starts ending with the employment disclosure (charter rule 8)."""

import re

from coro.content.markdown import render_markdown
from coro.content.models import Post
from coro.content.texts import html_to_text
from coro.core.languages import pick
from coro.networks import Network

SEPARATOR = "\n\n"
ELLIPSIS = "…"


# The line breaks Markdown's HTML puts before each list item: without them each item is one
# line, not a paragraph of its own.
_BEFORE_LIST_ITEM = re.compile(r"\s+(?=<li\b)")


def plain_text(markdown: str) -> str:
    """A post's Markdown as the plain text a network shows: no ``**`` or ``[text](url)``
    marks (a link keeps its words), paragraphs as blank lines, list items as "- " lines."""
    html = _BEFORE_LIST_ITEM.sub("", str(render_markdown(markdown)))
    return html_to_text(html)


def with_disclosure(text: str, disclosure: str | None) -> str:
    """``text`` ending with the disclosure after a blank line (once)."""
    text = text.strip()
    if not disclosure or text.endswith(disclosure):
        return text
    return text + SEPARATOR + disclosure if text else disclosure


def suggested_text(
    post: Post,
    network: Network,
    link: str,
    disclosure: str | None,
    language: str | None = None,
) -> str:
    """The post's text, as plain text (it is written in Markdown), as a starting point,
    ending with the employment disclosure.

    The text is shortened so that it, the disclosure and the link fit the network's limit
    as the network counts them; the disclosure itself is never shortened.
    """
    body = plain_text(post.text(language)["body"]).strip()
    if not body:
        return disclosure or ""
    tail = SEPARATOR + disclosure if disclosure else ""
    shortened = network.shortened(body, link, tail=tail, ellipsis=ELLIPSIS)
    if shortened is None:
        return disclosure or ELLIPSIS
    return shortened


def text_language(post: Post, network: Network, language: str | None) -> str | None:
    """The language the share screen's text is in: that of the editor's suggestion for this
    network if there is one, else that of the post's text, each as it falls back from
    ``language`` (``pick``'s order). The disclosure is written in it, so a Spanish text ends
    with the Spanish disclosure whatever the interface's language. None: the post has no
    text at all."""
    suggested = {
        code: code for code, texts in post.suggestions.items() if str(texts.get(network.key, ""))
    }
    if suggested and post.suggestion(network.key, language).strip():
        return pick(suggested, language)
    return post.text_language(language)


def starting_text(
    post: Post, network: Network, link: str, disclosure: str | None, language: str | None
) -> str:
    """What the share screen starts from: the editor's suggestion for this network in the
    person's language if there is one, else the post's text shortened to fit; either way
    ending with the disclosure."""
    suggestion = post.suggestion(network.key, language).strip()
    if suggestion:
        return with_disclosure(suggestion, disclosure)
    return suggested_text(post, network, link, disclosure, language)


def outgoing_intent(network: Network, post: Post, text: str, link: str, *, server: str = "") -> str:
    """The network's share dialog with exactly the person's words and the tracked link. An
    e-mail takes the post's title as its subject and the person's words as its body;
    Mastodon's goes to the person's ``server`` (``ServerNeeded`` without one)."""
    if network.intent_url is None:
        raise ValueError(f"{network.label} has no share page to open: copy the text instead.")
    return network.intent_url(text, link, title=post.title, server=server)


def copied_text(network: Network, text: str, link: str) -> str:
    """What the "Copy text" destination puts on the clipboard: the text as it goes out with
    the link (the text, a blank line, the link)."""
    return network.outgoing(text, link)


_WORDS = "\x00"


def preview_around(network: Network, link: str) -> tuple[str, str, bool]:
    """What the network shows around the person's words, for the share screen's preview:
    (before, gap, link shown): the words are followed by ``gap`` and the link when the link
    goes into the text (X, Bluesky, Mastodon, WhatsApp, e-mail...), and by nothing when it
    goes beside it as a card (LinkedIn, Threads...)."""
    shown = network.outgoing(_WORDS, link)
    before, _, after = shown.partition(_WORDS)
    if link and after.endswith(link):
        return before, after[: -len(link)], True
    return before, after, False
