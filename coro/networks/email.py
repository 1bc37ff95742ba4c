from urllib.parse import quote

from coro.networks.base import Network


def intent_url(text: str, link: str) -> str:
    subject, _, rest = text.partition("\n")
    body = f"{rest.strip() or subject}\n\n{link}"
    return f"mailto:?subject={quote(subject)}&body={quote(body)}"


NETWORK = Network(
    key="email",
    label="E-mail",
    max_length=None,
    link_length=None,
    intent_url=intent_url,
    opens_in_new_tab=False,
)
