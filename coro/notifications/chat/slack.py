"""Slack: an incoming webhook (https://hooks.slack.com/services/T…/B…/…) takes
``{"text": ...}``, written in Slack's own markup (mrkdwn), where a link is ``<url|text>``."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coro.notifications.chat.base import host_of, https_parts, is_test_endpoint

HOST = "hooks.slack.com"


def escape(text: str) -> str:
    """Text for mrkdwn: the three characters Slack asks to escape."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link_target(url: str) -> str:
    """A link's address inside ``<url|text>``: the characters that would end it, encoded."""
    return url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")


class Slack:
    key = "slack"
    label = gettext_lazy("Slack")
    example = "https://hooks.slack.com/services/T…/B…/…"

    def validate_url(self, url: str) -> None:
        if is_test_endpoint(url):
            return
        parts = https_parts(url)
        segments = [s for s in parts.path.split("/") if s]
        if host_of(parts) != HOST or len(segments) != 4 or segments[0] != "services":
            raise ValidationError(
                _(
                    "This is not a Slack incoming webhook address. Slack gives one like "
                    "https://hooks.slack.com/services/T…/B…/…: copy it from the Incoming "
                    "Webhooks settings of your Slack app."
                ),
                code="service",
            )

    def payload(self, *, text: str, link: str, link_label: str) -> dict[str, Any]:
        return {"text": f"{escape(text)}\n<{link_target(link)}|{escape(link_label)}>"}


SERVICE = Slack()
