"""The text the share screen starts from. The person may change all of it (charter rule 5);
it always starts ending with the employment disclosure (charter rule 8)."""

import re
from urllib.parse import unquote_plus

# html_to_text is to move to one shared place (the lead's); imported from here until then.
from coro.content.blog_parse import html_to_text
from coro.content.markdown import render_markdown
from coro.content.models import Post
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


_PROBE = "coro-text-probe"


def intent_takes_text(network: Network) -> bool:
    """Whether the network's share dialog receives the text (LinkedIn's takes only the link:
    the person pastes their words there)."""
    return _PROBE in unquote_plus(network.intent_url(_PROBE, "https://coro.invalid/r/probe"))


def outgoing_intent(network: Network, post: Post, text: str, link: str) -> str:
    """The network's share dialog with exactly the person's words and the tracked link. An
    e-mail takes the post's title as its subject (the e-mail intent reads the subject from
    the first line) and the person's words as its body."""
    if network.key == "email":
        return network.intent_url(f"{post.title}\n{text}", link)
    return network.intent_url(text, link)
