from urllib.parse import urlencode

from coro.networks import text_rules
from coro.networks.base import Network, link_after_space


def intent_url(text: str, link: str, *, title: str = "", server: str = "") -> str:
    # https://developer.x.com/en/docs/x-for-websites/tweet-button/guides/web-intent:
    # ``text`` prefills the post, ``url`` is added after it with a space (link_after_space)
    # and counts 23 like any other URL.
    return "https://x.com/intent/tweet?" + urlencode({"text": text, "url": link})


NETWORK = Network(
    key="x",
    label="X",
    text_rule=text_rules.X,
    intent_url=intent_url,
    outgoing=link_after_space,
    icon="coro/networks/x.svg",
    featured=True,
)
