"""Holding and delivering notifications inside each person's working hours (charter rule 9).

Every message for a person goes through ``notification_hold``. The ``notification_deliver``
task hands it to its channel (``notifications/channels``) at the start of the person's next
working window (at once if they are working now). The channel follows the rhythm the person
chose for the kind of message (``preferences``), recorded on it when it is held: its own
e-mail, or the app (and, for a daily or weekly rhythm, the person's next digest,
``digests``). This module decides *when*; it knows nothing about how any channel delivers.
The task re-checks the hours when it runs, so a change of hours in the meantime is
respected. At the start of the window a message is delivered in the app, with every other
message of the person's that is due, whatever its channel does next: an e-mail keeps its
own state, retries and claim (``channels/email``), and the night's e-mails go out as one.
``notifications_hold_many`` holds one message for many people at a constant cost.
``notifications_release_due`` (a periodic job, ``apps.py``) enqueues whatever is due and was
missed: a lost task, a task backend that cannot run tasks later, and what the channels have
due again (an e-mail to retry, a claim left by a worker that died).
"""

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, time
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django_tasks.base import Task

from coro.accounts.models import User
from coro.notifications import channels, hours, preferences
from coro.notifications.models import Notification
from coro.notifications.tasks import notification_deliver, notifications_release
from coro.orgs.models import Membership, Organisation

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


def notifications_hold_many(
    *,
    users: Sequence[User],
    organisation: Organisation | None,
    kind: Notification.Kind,
    message_for: Callable[[User], tuple[str, str]],
    link: str = "",
    about: str = "",
) -> int:
    """``notification_hold`` for many people at once, at a cost that does not grow with
    them: their rhythms in one query, their windows computed here, one insert per batch.
    ``message_for(user)`` gives the person's subject and body (in their language). Anyone
    who already has a message of a kind told once (a new post) about ``about`` is skipped.
    Delivery is enqueued once per distinct window start (``notifications_release_due``);
    how many people were given to it (those already told are skipped, and still counted).
    """
    if not users:
        return 0
    now = timezone.now()
    rhythms = preferences.rhythm_of_each(users, kind)
    held: list[Notification] = []
    windows: set[datetime] = set()
    for user in users:
        subject, body = message_for(user)
        window = hours.next_working_window_start(user, now)
        notification = Notification(
            user=user,
            organisation=organisation,
            kind=kind,
            subject=subject,
            body=body,
            link=link,
            about=about,
            rhythm=rhythms[user.pk],
            created_at=now,
            deliver_after=window or now,
        )
        if window is None:
            notification.delivered_at = now
            notification.channel = channels.QUIET_CHANNEL
        else:
            windows.add(window)
        # Checked here without a query per person: the people and organisation are real.
        notification.full_clean(
            exclude=["user", "organisation", "digest", "code"],
            validate_unique=False,
            validate_constraints=False,
        )
        held.append(notification)
    Notification.objects.bulk_create(held, ignore_conflicts=True)
    for window in sorted(windows):
        transaction.on_commit(partial(_release_enqueue, window))
    return len(held)


def _release_enqueue(deliver_after: datetime) -> bool:
    return _enqueue_at(notifications_release, (), deliver_after, "Held notifications")


def _delivery_schedule(notification_id: int, deliver_after: datetime) -> None:
    transaction.on_commit(
        lambda: notification_delivery_enqueue(
            notification_id=notification_id, deliver_after=deliver_after
        )
    )


def _enqueue_at(
    task: Task[..., None], args: tuple[Any, ...], deliver_after: datetime, what: str
) -> bool:
    """Enqueue ``task`` now if due, else for ``deliver_after``. A task backend that cannot
    run tasks later (the immediate backend) leaves it to ``notifications_release_due``,
    with a log line, instead of failing the request that held the message."""
    if deliver_after <= timezone.now():
        task.enqueue(*args)
        return True
    if not task.get_backend().supports_defer:
        logger.warning(
            "%s held until %s, but the task backend cannot run tasks later; "
            "`coro notifications_release` will enqueue it when it is due.",
            what,
            deliver_after.isoformat(),
        )
        return False
    task.using(run_after=deliver_after).enqueue(*args)
    return True


def notification_delivery_enqueue(*, notification_id: int, deliver_after: datetime) -> bool:
    """Enqueue delivery now if due, else for ``deliver_after`` (see ``_enqueue_at``)."""
    return _enqueue_at(
        notification_deliver,
        (notification_id,),
        deliver_after,
        f"Notification {notification_id} is",
    )


def _reachable(user: User) -> Callable[[Notification], bool]:
    """Whether a message may still reach out to the person (not only show in the app): their
    account is open and, for a message of an organisation, they are still in it."""
    member_of = set(
        Membership.objects.active().filter(user=user).values_list("organisation_id", flat=True)
    )
    return lambda notification: (
        user.is_active
        and (notification.organisation_id is None or notification.organisation_id in member_of)
    )


def notification_send(*, notification_id: int) -> bool:
    """Deliver the notification if it is still undelivered and the person is working now,
    with every other message of theirs that is due (so a channel can take them together:
    one e-mail for the night's messages); whether this one was delivered by this call.

    Outside their hours (they changed them since it was held) it is held again. Each is
    claimed with a conditional update, so two workers never deliver it twice, and is
    delivered in the app then, whatever its channel does next (an e-mail has its own
    retries). Someone whose account is closed, or who left the organisation, gets it in
    the app only.
    """
    notification = (
        Notification.objects.select_related("user")
        .filter(pk=notification_id, delivered_at=None)
        .first()
    )
    if notification is None:
        return False
    user = notification.user
    pending = Notification.objects.filter(pk=notification_id, delivered_at=None)
    now = timezone.now()
    window = hours.next_working_window_start(user, now)
    if window is None:
        pending.update(delivered_at=now, channel=channels.QUIET_CHANNEL)
        return False
    if window > now:
        if pending.update(deliver_after=window):
            _delivery_schedule(notification_id, window)
        return False
    due = (
        Notification.objects.filter(user=user, delivered_at=None, deliver_after__lte=now)
        .select_related("user", "organisation")
        .order_by("created_at", "pk")
    )
    reachable = _reachable(user)
    quiet = channels.CHANNELS[channels.QUIET_CHANNEL]
    claimed: list[tuple[Notification, channels.Channel]] = []
    for item in due:
        channel = channels.channel_for(item) if reachable(item) else quiet
        if Notification.objects.filter(pk=item.pk, delivered_at=None).update(
            delivered_at=now, channel=channel.key
        ):
            item.delivered_at, item.channel = now, channel.key
            claimed.append((item, channel))
    for item, channel in claimed:
        try:
            channel.deliver(item)
        except Exception:
            # Delivered in the app all the same; a channel that retries keeps its own state.
            logger.exception("Notification %s: channel %s failed", item.code, channel.key)
    return any(item.pk == notification_id for item, _channel in claimed)


def notifications_release_due(*, now: datetime | None = None) -> int:
    """Enqueue delivery of every undelivered notification that is due (one task per
    person: it delivers all of theirs), and have the channels enqueue what they have due
    again (e-mails to retry); how many messages and channel deliveries."""
    now = now or timezone.now()
    due = Notification.objects.filter(delivered_at=None, deliver_after__lte=now)
    firsts = due.values("user_id").annotate(first=Min("pk")).values_list("first", flat=True)
    count = due.count()
    for notification_id in sorted(firsts):
        notification_deliver.enqueue(notification_id)
    return count + channels.channels_release_due(now)


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
