from django.utils.translation import gettext_lazy as _

from coro.notifications.emails import notification_message
from coro.notifications.models import Notification


class EmailChannel:
    """Sent right away, as its own e-mail (``emails.notification_message``). An SMTP error
    is raised, so the holding code releases the message for a retry."""

    key = "email"
    label = _("E-mail")
    reaches_out = True

    def deliver(self, notification: Notification) -> None:
        notification_message(notification).send()


CHANNEL = EmailChannel()
