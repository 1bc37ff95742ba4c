from typing import Any

from django import template

from coro.accounts.models import User
from coro.notifications.selectors import notifications_unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context: template.Context) -> dict[str, Any]:
    """The header's bell with the signed-in person's unread count (one query), rendered on
    the server so it shows without JavaScript; htmx keeps it current."""
    user = context.get("user")
    if not isinstance(user, User):
        return {"unread": None}
    return {"unread": notifications_unread_count(user)}
