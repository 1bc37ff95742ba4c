from coro.content.models import Post
from coro.networks import Network

SEPARATOR = "\n\n"
ELLIPSIS = "…"


def suggested_text(post: Post, network: Network, link: str, disclosure: str | None) -> str:
    """The post's text as a starting point, ending with the employment disclosure.

    The text is shortened so that it, the disclosure and the link fit the network's
    limit; the disclosure itself is never shortened (charter rule 8).
    """
    body = post.body.strip()
    tail = SEPARATOR + disclosure if disclosure else ""
    if not body:
        return disclosure or ""
    if network.max_length is None or network.text_length(body + tail, link) <= network.max_length:
        return body + tail
    room = network.max_length - network.text_length(tail, link) - len(ELLIPSIS)
    if room <= 0 and disclosure:
        return disclosure
    return body[: max(room, 0)].rstrip() + ELLIPSIS + tail
