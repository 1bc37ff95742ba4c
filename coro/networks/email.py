from urllib.parse import quote

from coro.networks import text_rules
from coro.networks.base import Network


def intent_url(text: str, link: str) -> str:
    subject, _, rest = text.partition("\n")
    body = f"{rest.strip() or subject}\n\n{link}"
    return f"mailto:?subject={quote(subject)}&body={quote(body)}"


def outgoing(text: str, link: str) -> str:
    return f"{text}\n\n{link}"


NETWORK = Network(
    key="email",
    label="E-mail",
    text_rule=text_rules.EMAIL,
    intent_url=intent_url,
    outgoing=outgoing,
    opens_in_new_tab=False,
)
