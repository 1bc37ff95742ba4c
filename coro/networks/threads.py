from urllib.parse import urlencode

from coro.networks import text_rules
from coro.networks.base import Network, text_only


def intent_url(text: str, link: str, *, title: str = "", server: str = "") -> str:
    # https://developers.facebook.com/documentation/threads/threads-web-intents: ``text``
    # prefills the post, ``url`` is "an optional link attachment": the link goes beside the
    # text, not in it, so it does not count in the 500.
    return "https://www.threads.com/intent/post?" + urlencode({"text": text, "url": link})


NETWORK = Network(
    key="threads",
    label="Threads",
    text_rule=text_rules.THREADS,
    intent_url=intent_url,
    outgoing=text_only,
    icon="coro/networks/threads.svg",
)
