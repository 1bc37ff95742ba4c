"""What the notifications app holds about a person (see coro/core/personal_data.py)."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.core.personal_data import PersonalDataFile
from coro.notifications import hours
from coro.notifications.models import Notification
from coro.notifications.selectors import notifications_of


def working_hours(user: User) -> dict[str, Any]:
    return {
        "work_days": sorted(hours.working_days(user)),
        "work_start": user.work_start,
        "work_end": user.work_end,
        "time_zone": user.time_zone,
        "next_working_window_start": hours.next_working_window_start(user, timezone.now()),
    }


def notifications(user: User) -> list[dict[str, Any]]:
    return [
        {
            "organisation": n.organisation.name if n.organisation else None,
            "kind": n.kind,
            "subject": n.subject,
            "body": n.body,
            "link": n.link,
            "created_at": n.created_at,
            "deliver_after": n.deliver_after,
            "delivered_at": n.delivered_at,
            "channel": n.channel,
        }
        for n in notifications_of(user)
    ]


FILES = [
    # The hours are fields of the account (accounts.User), shown here with what they mean.
    PersonalDataFile(
        "working_hours.json",
        (),
        working_hours,
        _("Your working hours and time zone."),
    ),
    PersonalDataFile(
        "notifications.json",
        (Notification,),
        notifications,
        _("Notifications held for you or delivered to you."),
    ),
]
