"""Copy text: no page to open. The share screen copies the text, a blank line and the link
(``outgoing``) to the clipboard, for wherever the person wants to paste it."""

from typing import cast

from django.utils.translation import gettext_lazy as _

from coro.networks import text_rules
from coro.networks.base import Network, link_after_blank_line

NETWORK = Network(
    key="copy",
    label=cast(str, _("Copy text")),
    text_rule=text_rules.COPY,
    intent_url=None,
    outgoing=link_after_blank_line,
    icon="coro/networks/copy.svg",
    opens_in_new_tab=False,
)
