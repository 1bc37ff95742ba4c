"""Microsoft Teams: an incoming webhook (https://….webhook.office.com/webhookb2/…) or a
Workflows webhook (https://….logic.azure.com/workflows/…, or the newer
https://….environment.api.powerplatform.com/…/workflows/…). Both take a message with an
Adaptive Card: the text, and an "open" button that links to the post."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coro.notifications.chat.base import host_of, https_parts, is_test_endpoint

# (host suffix, what the path must hold) of Microsoft's webhook addresses.
ADDRESSES = (
    (".webhook.office.com", "/webhookb2/"),
    (".logic.azure.com", "/workflows/"),
    (".environment.api.powerplatform.com", "/workflows/"),
)


class Teams:
    key = "teams"
    label = gettext_lazy("Microsoft Teams")
    example = "https://….webhook.office.com/webhookb2/…"

    def validate_url(self, url: str) -> None:
        if is_test_endpoint(url):
            return
        parts = https_parts(url)
        host = host_of(parts)
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        if not any(host.endswith(suffix) and part in path for suffix, part in ADDRESSES):
            raise ValidationError(
                _(
                    "This is not a Microsoft Teams webhook address. Teams gives one ending in "
                    "webhook.office.com (an incoming webhook) or, for a Workflows webhook, in "
                    "logic.azure.com or environment.api.powerplatform.com."
                ),
                code="service",
            )

    def payload(self, *, text: str, link: str, link_label: str) -> dict[str, Any]:
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [{"type": "TextBlock", "text": text, "wrap": True}],
            "actions": [{"type": "Action.OpenUrl", "title": link_label, "url": link}],
        }
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": card,
                }
            ],
        }


SERVICE = Teams()
