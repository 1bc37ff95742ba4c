from urllib.parse import urlencode

from coro.networks import text_rules
from coro.networks.base import LazyClient, Network, link_after_space


def intent_url(text: str, link: str, *, title: str = "", server: str = "") -> str:
    # https://docs.bsky.app/docs/advanced-guides/intent-links: one ``text`` parameter, so
    # the link goes into the text, and counts there in full.
    return "https://bsky.app/intent/compose?" + urlencode({"text": link_after_space(text, link)})


NETWORK = Network(
    key="bluesky",
    label="Bluesky",
    text_rule=text_rules.BLUESKY,
    intent_url=intent_url,
    outgoing=link_after_space,
    icon="coro/networks/bluesky.svg",
    # Posting through a connected account (coro/networks/clients/bluesky.py).
    client=LazyClient("coro.networks.clients.bluesky"),
)
