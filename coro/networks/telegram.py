from coro.networks import text_rules
from coro.networks.base import Network, query


def intent_url(text: str, link: str, *, title: str = "", server: str = "") -> str:
    # core.telegram.org/widgets/share#custom-buttons:
    # ``https://t.me/share/url?url={url}&text={text}``, both URL-encoded; the message is the
    # link, then the text on the next line.
    return "https://t.me/share/url?" + query({"url": link, "text": text})


def outgoing(text: str, link: str) -> str:
    return "\n".join(part for part in (link, text) if part)


NETWORK = Network(
    key="telegram",
    label="Telegram",
    text_rule=text_rules.TELEGRAM,
    intent_url=intent_url,
    outgoing=outgoing,
    icon="coro/networks/telegram.svg",
)
