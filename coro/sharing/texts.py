from coro.content.models import Post
from coro.sharing.networks import Network


def suggested_text(post: Post, network: Network, link: str) -> str:
    """The post's text as a starting point, shortened to fit the network with its link."""
    text = post.body.strip()
    if network.max_length is None or network.text_length(text, link) <= network.max_length:
        return text
    room = network.max_length - (network.text_length("", link)) - 1
    return text[: max(room, 0)].rstrip() + "…"
