from typing import cast
from urllib.parse import quote

from django.utils.translation import gettext_lazy as _

from coro.networks import text_rules
from coro.networks.base import Network, link_after_blank_line


def _mailto_field(value: str) -> str:
    # RFC 6068: every reserved character percent-encoded, line breaks as %0D%0A.
    return quote(value.replace("\r\n", "\n").replace("\n", "\r\n"), safe="")


def intent_url(text: str, link: str, *, title: str = "", server: str = "") -> str:
    """``mailto:`` with the post's title as the subject and the person's text, a blank line
    and the link as the body; no subject without a title."""
    fields = [("subject", title.strip())] if title.strip() else []
    fields.append(("body", link_after_blank_line(text, link)))
    return "mailto:?" + "&".join(f"{name}={_mailto_field(value)}" for name, value in fields)


NETWORK = Network(
    key="email",
    label=cast(str, _("E-mail")),
    text_rule=text_rules.EMAIL,
    intent_url=intent_url,
    outgoing=link_after_blank_line,
    icon="coro/networks/email.svg",
    opens_in_new_tab=False,
    subject_from_title=True,
)
