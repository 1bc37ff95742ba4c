"""The person's own notifications in Coro: marking them read (one, or all at once).

Only delivered notifications can be read: one still held until the person's working hours
begin (``services.notification_hold``) has not reached them yet, so "mark all as read" leaves
it alone and the bell counts it once it arrives.
"""

from datetime import datetime

from django.utils import timezone

from coro.accounts.models import User
from coro.notifications.models import Notification


def notification_mark_read(*, notification: Notification, now: datetime | None = None) -> bool:
    """Mark one delivered notification read; False if it was read already (or not delivered).
    The first reading counts: reading it again keeps its time."""
    when = now or timezone.now()
    updated = Notification.objects.filter(
        pk=notification.pk, read_at__isnull=True, delivered_at__isnull=False
    ).update(read_at=when)
    if updated:
        notification.read_at = when
    return bool(updated)


def notifications_mark_all_read(*, user: User, now: datetime | None = None) -> int:
    """Mark every delivered, unread notification of the person read; how many."""
    return Notification.objects.filter(
        user=user, read_at__isnull=True, delivered_at__isnull=False
    ).update(read_at=now or timezone.now())
