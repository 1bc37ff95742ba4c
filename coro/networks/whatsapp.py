from coro.networks import text_rules
from coro.networks.base import Network, link_after_blank_line, query


def intent_url(text: str, link: str, *, title: str = "", server: str = "") -> str:
    # WhatsApp's click to chat (its FAQ "How to use click to chat"): ``https://wa.me/?text=``
    # with URL-encoded text lets the person pick the chat. One parameter: the link goes in
    # the text, after a blank line, where WhatsApp shows its preview.
    return "https://wa.me/?" + query({"text": link_after_blank_line(text, link)})


NETWORK = Network(
    key="whatsapp",
    label="WhatsApp",
    text_rule=text_rules.WHATSAPP,
    intent_url=intent_url,
    outgoing=link_after_blank_line,
    icon="coro/networks/whatsapp.svg",
    featured=True,
)
