"""Holding and delivering notifications inside each person's working hours (charter rule 9).

Every message for a person goes through ``notification_hold``. The ``notification_deliver``
task hands it to its channel (``notifications/channels``) at the start of the person's next
working window (at once if they are working now). The channel follows the rhythm the person
chose for the kind of message (``preferences``), recorded on it when it is held: its own
e-mail, or the app (and, for a daily or weekly rhythm, the person's next digest,
``digests``). This module decides *when*; it knows nothing about how any channel delivers.
The task re-checks the hours when it runs, so a change of hours in the meantime is
respected. ``notifications_release_due`` (a periodic job, ``apps.py``) enqueues whatever is
due and was missed: a lost task, a task backend that cannot run tasks later, or an e-mail
released after an SMTP failure.
"""

import logging
from collections.abc import Callable
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coro.accounts.models import User
from coro.notifications import channels, hours, preferences
from coro.notifications.models import Notification
from coro.notifications.tasks import notification_deliver
from coro.orgs.models import Organisation

logger = logging.getLogger(__name__)


def notification_hold(
    *,
    user: User,
    organisation: Organisation | None,
    kind: Notification.Kind,
    subject: str,
    body: str,
    link: str = "",
    about: str = "",
) -> Notification:
    """Record a message for ``user`` and have it delivered inside their working hours.

    Nothing reaches out to a person without working days: the message is shown in the app
    only, at once. ``link`` may be a path ("/o/abc/program/"); e-mails make it absolute.
    ``about`` names what it is about for the editors' aggregate figures ("post:<code>").
    The person's rhythm for ``kind`` is recorded with it, and followed when it is delivered.
    """
    now = timezone.now()
    window = hours.next_working_window_start(user, now)
    notification = Notification(
        user=user,
        organisation=organisation,
        kind=kind,
        subject=subject,
        body=body,
        link=link,
        about=about,
        rhythm=preferences.rhythm_of(user, kind),
        created_at=now,
        deliver_after=window or now,
    )
    if window is None:
        notification.delivered_at = now
        notification.channel = channels.QUIET_CHANNEL
    notification.full_clean()
    notification.save()
    if window is not None:
        _delivery_schedule(notification.pk, window)
    return notification


def _delivery_schedule(notification_id: int, deliver_after: datetime) -> None:
    transaction.on_commit(
        lambda: notification_delivery_enqueue(
            notification_id=notification_id, deliver_after=deliver_after
        )
    )


def notification_delivery_enqueue(*, notification_id: int, deliver_after: datetime) -> bool:
    """Enqueue delivery now if due, else for ``deliver_after``.

    A task backend that cannot run tasks later (the immediate backend) leaves the
    notification pending, with a log line, instead of failing the request that created
    it; ``notifications_release_due`` enqueues it once it is due.
    """
    if deliver_after <= timezone.now():
        notification_deliver.enqueue(notification_id)
        return True
    if not notification_deliver.get_backend().supports_defer:
        logger.warning(
            "Notification %s is held until %s, but the task backend cannot run tasks "
            "later; `coro notifications_release` will enqueue it when it is due.",
            notification_id,
            deliver_after.isoformat(),
        )
        return False
    notification_deliver.using(run_after=deliver_after).enqueue(notification_id)
    return True


def notification_send(*, notification_id: int) -> bool:
    """Deliver the notification through its channel if it is still undelivered and the
    person is working now.

    Outside their hours (they changed them since it was held) it is held again. Claimed
    with a conditional update, so two workers never send it twice; a failed send is
    released again, for the task's retry or ``notifications_release_due``.
    """
    notification = (
        Notification.objects.select_related("user")
        .filter(pk=notification_id, delivered_at=None)
        .first()
    )
    if notification is None:
        return False
    pending = Notification.objects.filter(pk=notification_id, delivered_at=None)
    now = timezone.now()
    window = hours.next_working_window_start(notification.user, now)
    if window is None:
        pending.update(delivered_at=now, channel=channels.QUIET_CHANNEL)
        return False
    if window > now:
        if pending.update(deliver_after=window):
            _delivery_schedule(notification_id, window)
        return False
    channel = channels.channel_for(notification)
    if not pending.update(delivered_at=now, channel=channel.key):
        return False
    try:
        channel.deliver(notification)
    except Exception:
        Notification.objects.filter(pk=notification_id).update(delivered_at=None, channel="")
        raise
    return True


def notifications_release_due(*, now: datetime | None = None) -> int:
    """Enqueue delivery of every undelivered notification that is due; how many."""
    due = Notification.objects.filter(
        delivered_at=None, deliver_after__lte=now or timezone.now()
    ).values_list("pk", flat=True)
    ids = list(due)
    for notification_id in ids:
        notification_deliver.enqueue(notification_id)
    return len(ids)


def notifications_reschedule(*, user: User) -> int:
    """Hold the person's undelivered notifications again, after their hours changed."""
    now = timezone.now()
    window = hours.next_working_window_start(user, now)
    pending = Notification.objects.filter(user=user, delivered_at=None)
    if window is None:
        return pending.update(delivered_at=now, channel=channels.QUIET_CHANNEL)
    ids = list(pending.values_list("pk", flat=True))
    Notification.objects.filter(pk__in=ids, delivered_at=None).update(deliver_after=window)
    for notification_id in ids:
        _delivery_schedule(notification_id, window)
    return len(ids)


def working_hours_update(
    *, user: User, work_days: str, work_start: time, work_end: time, time_zone: str
) -> User:
    """Set when messages may reach the person, and re-hold what is still waiting."""
    errors: dict[str, list[ValidationError]] = {}
    checks: tuple[tuple[str, Callable[[], None]], ...] = (
        ("work_days", lambda: hours.validate_work_days(work_days)),
        ("work_end", lambda: hours.validate_work_hours(work_start, work_end)),
        ("time_zone", lambda: hours.validate_time_zone(time_zone)),
    )
    for field, check in checks:
        try:
            check()
        except ValidationError as exc:
            errors[field] = [exc]
    if errors:
        raise ValidationError(errors)
    user.work_days = "".join(sorted(work_days))
    user.work_start = work_start
    user.work_end = work_end
    user.time_zone = time_zone
    # No working days is a valid choice (never e-mailed); the model field is not blank=True.
    user.full_clean(exclude=["work_days"])
    with transaction.atomic():
        user.save(update_fields=["work_days", "work_start", "work_end", "time_zone"])
        notifications_reschedule(user=user)
    return user
