from coro.networks import text_rules
from coro.networks.base import Network, query, text_only


def intent_url(text: str, link: str, *, title: str = "", server: str = "") -> str:
    # Facebook's sharer takes only ``u``, the link
    # (the share button's link form, "sharer/sharer.php?u="); Meta's platform policy asks
    # apps not to prefill what people say, so the person pastes the text: it counts, and the
    # link comes as a preview.
    return "https://www.facebook.com/sharer/sharer.php?" + query({"u": link})


NETWORK = Network(
    key="facebook",
    label="Facebook",
    text_rule=text_rules.FACEBOOK,
    intent_url=intent_url,
    outgoing=text_only,
    icon="coro/networks/facebook.svg",
    takes_text=False,
    featured=True,
)
