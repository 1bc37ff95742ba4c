from coro.networks import text_rules
from coro.networks.base import Network, query


def title_of(text: str, link: str = "") -> str:
    """The text as a Reddit title: one line (a title has no line breaks), its runs of
    spaces and line breaks made one space. This is what leaves, and what counts."""
    return " ".join(text.split())


def intent_url(text: str, link: str, *, title: str = "", server: str = "") -> str:
    # Reddit's submit page takes ``url`` and ``title`` (www.reddit.com/dev/api#POST_api_submit
    # names the fields, the page prefills them): the person's text is the post's title, the
    # link is the post.
    return "https://www.reddit.com/submit?" + query({"url": link, "title": title_of(text)})


NETWORK = Network(
    key="reddit",
    label="Reddit",
    text_rule=text_rules.REDDIT,
    intent_url=intent_url,
    outgoing=title_of,
    icon="coro/networks/reddit.svg",
)
