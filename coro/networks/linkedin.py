from urllib.parse import urlencode

from coro.networks.base import Network


def intent_url(text: str, link: str) -> str:
    # LinkedIn's share-offsite dialog takes only the URL; the person writes their own words.
    return "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": link})


NETWORK = Network(
    key="linkedin", label="LinkedIn", max_length=3000, link_length=None, intent_url=intent_url
)
