"""What the notifications app holds about a person (see coro/core/personal_data.py)."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.core.personal_data import PersonalDataFile
from coro.notifications import hours
from coro.notifications.models import (
    ChatAnnouncement,
    ChatWebhook,
    Digest,
    Notification,
    NotificationPreference,
)
from coro.notifications.preferences import rhythms_of
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
            "rhythm": n.rhythm,
            "digest": n.digest.code if n.digest else None,
            "read_at": n.read_at,
            "email_sent_at": n.email_sent_at,
            "email_attempts": n.email_attempts,
            "email_error": n.email_error,
            "email_given_up_at": n.email_given_up_at,
        }
        for n in notifications_of(user).select_related("digest")
    ]


def notification_preferences(user: User) -> list[dict[str, Any]]:
    """Every kind with how often it reaches the person by e-mail, chosen or by default."""
    chosen = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    return [
        {
            "kind": kind,
            "rhythm": rhythm,
            "chosen": kind in chosen,
            "updated_at": chosen[kind].updated_at if kind in chosen else None,
        }
        for kind, rhythm in rhythms_of(user).items()
    ]


def digests(user: User) -> list[dict[str, Any]]:
    return [
        {
            "code": d.code,
            "rhythm": d.rhythm,
            "created_at": d.created_at,
            "sent_at": d.sent_at,
            "attempts": d.attempts,
            "last_error": d.last_error,
            "listed": [n.subject for n in d.notifications.all()],
        }
        for d in Digest.objects.filter(user=user)
        .order_by("-created_at")
        .prefetch_related("notifications")
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
    PersonalDataFile(
        "notification_preferences.json",
        (NotificationPreference,),
        notification_preferences,
        _("How often each kind of notification reaches you by e-mail."),
    ),
    PersonalDataFile(
        "digests.json",
        (Digest,),
        digests,
        _("The digest e-mails made for you, and what each listed."),
    ),
]

NOTHING_PERSONAL = {
    ChatWebhook: "a team's chat channel, set up by an admin: about the team, never a person",
    ChatAnnouncement: "a post announced in a team's chat channel: about the post, never a person",
}
