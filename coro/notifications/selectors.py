from django.db.models import QuerySet

from coro.accounts.models import User
from coro.notifications.models import Notification


def notifications_of(user: User) -> QuerySet[Notification]:
    """Everything held for or delivered to the person, newest first."""
    return Notification.objects.filter(user=user).select_related("organisation")


def notifications_delivered(user: User) -> QuerySet[Notification]:
    """What the person sees in Coro: the messages that reached them, newest first. A message
    held until their next working window (charter rule 9) shows only once it is delivered."""
    return (
        Notification.objects.filter(user=user, delivered_at__isnull=False)
        .select_related("organisation")
        .order_by("-created_at", "-pk")
    )


def notification_of(user: User, code: str) -> Notification | None:
    """One of the person's own delivered notifications, by its code (None for anyone else's)."""
    return notifications_delivered(user).filter(code=code).first()


def notifications_unread_count(user: User) -> int:
    """How many delivered notifications the person has not read: the bell's number."""
    return Notification.objects.filter(
        user=user, read_at__isnull=True, delivered_at__isnull=False
    ).count()
