from typing import Protocol

from django.utils.functional import Promise

from coro.notifications.models import Notification


class Channel(Protocol):
    """One way a held notification reaches a person (e-mail, in the app; chat and push will
    come). ``deliver`` is called once the notification is claimed, inside the person's
    working hours, after it is delivered in the app (shown in Coro whatever happens next).
    A channel that reaches out keeps its own state, retries and claims, and may have a
    ``release_due(now) -> int`` that the periodic job calls (``channels_release_due``)."""

    key: str
    label: str | Promise
    # Whether delivering reaches the person outside Coro (an e-mail does; the app does not).
    reaches_out: bool

    def deliver(self, notification: Notification) -> None: ...
