from django.utils.translation import gettext_lazy as _

from coro.notifications.models import Notification


class InAppChannel:
    """Shown in Coro only: delivering it sends nothing anywhere."""

    key = "in_app"
    label = _("In Coro only")
    reaches_out = False

    def deliver(self, notification: Notification) -> None:
        return None


CHANNEL = InAppChannel()
