"""The registry of notification channels: one small module per channel.

The holding and claiming code (``notifications/services.py``) decides *when* a message may
reach a person; a channel decides *how*. Adding a channel: write a module with ``CHANNEL``
(see ``base.Channel``), add it to ``_MODULES``, and test it. ``Notification.channel`` is
checked against this registry, so no migration is needed.
"""

from collections.abc import Callable
from datetime import datetime
from importlib import import_module

from coro.notifications.channels.base import Channel
from coro.notifications.models import Notification, Rhythm

_MODULES = ["email", "in_app"]

CHANNELS: dict[str, Channel] = {}
for _name in _MODULES:
    _channel: Channel = import_module(f"coro.notifications.channels.{_name}").CHANNEL
    CHANNELS[_channel.key] = _channel

# Used for people who set no working days: nothing reaches out to them.
QUIET_CHANNEL = "in_app"


def channel_for(notification: Notification) -> Channel:
    """How this notification reaches its person inside their working hours, from the rhythm
    they chose for its kind (recorded when it was held): its own e-mail if "right away";
    otherwise in the app, where it shows at once, and a daily or weekly one is listed in the
    person's next digest e-mail (``digests``).
    """
    if notification.rhythm == Rhythm.IMMEDIATE:
        return CHANNELS["email"]
    return CHANNELS["in_app"]


def channels_release_due(now: datetime) -> int:
    """Have each channel that keeps its own deliveries (``release_due(now)``: an e-mail to
    try again, a claim left by a worker that died) enqueue what is due; how many in all."""
    released = 0
    for channel in CHANNELS.values():
        release: Callable[[datetime], int] | None = getattr(channel, "release_due", None)
        if release is not None:
            released += release(now)
    return released


def channel_label(key: str) -> str:
    channel = CHANNELS.get(key)
    return str(channel.label) if channel else key


__all__ = [
    "CHANNELS",
    "QUIET_CHANNEL",
    "Channel",
    "channel_for",
    "channel_label",
    "channels_release_due",
]
