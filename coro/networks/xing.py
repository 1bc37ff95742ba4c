from coro.networks import text_rules
from coro.networks.base import Network, query, text_only


def intent_url(text: str, link: str, *, title: str = "", server: str = "") -> str:
    # The page Xing's share button opens (dev.xing.com/plugins/share_button/docs) takes only
    # ``url``: the person pastes the text.
    return "https://www.xing.com/spi/shares/new?" + query({"url": link})


NETWORK = Network(
    key="xing",
    label="Xing",
    text_rule=text_rules.XING,
    intent_url=intent_url,
    outgoing=text_only,
    icon="coro/networks/xing.svg",
    takes_text=False,
)
