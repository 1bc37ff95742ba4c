from urllib.parse import urlencode

from coro.networks.base import Network


def intent_url(text: str, link: str) -> str:
    return "https://x.com/intent/tweet?" + urlencode({"text": text, "url": link})


# X counts every link as 23 characters (t.co wrapping).
NETWORK = Network(key="x", label="X", max_length=280, link_length=23, intent_url=intent_url)
