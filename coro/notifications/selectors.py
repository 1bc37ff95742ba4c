from django.db.models import QuerySet

from coro.accounts.models import User
from coro.notifications.models import Notification


def notifications_of(user: User) -> QuerySet[Notification]:
    """Everything held for or delivered to the person, newest first."""
    return Notification.objects.filter(user=user).select_related("organisation")
