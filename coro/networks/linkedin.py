from urllib.parse import urlencode

from coro.networks import text_rules
from coro.networks.base import Network, text_only


def intent_url(text: str, link: str, *, title: str = "", server: str = "") -> str:
    # LinkedIn's share-offsite dialog takes only ``url``
    # (learn.microsoft.com/linkedin/consumer/integrations/self-serve/plugins/share-plugin):
    # the person pastes the text (or writes their own words), so the text still counts, and
    # the link comes as a preview.
    return "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": link})


NETWORK = Network(
    key="linkedin",
    label="LinkedIn",
    text_rule=text_rules.LINKEDIN,
    intent_url=intent_url,
    outgoing=text_only,
    icon="coro/networks/linkedin.svg",
    takes_text=False,
    featured=True,
)
