"""Digests: one e-mail listing the messages a person takes daily or weekly.

Such messages are delivered in the app at the start of the person's working window, like any
other, and wait there for their digest. Every 15 minutes (the periodic job in ``apps.py``)
``digests_run``:

1. enqueues again every digest that was made but not sent (a failed SMTP server, a lost
   task, the person's hours ended first), once its wait after the last failure is over;
2. makes a digest for each person whose digest is due, who has messages waiting for it and
   who is inside their working window now, and enqueues its sending.

A daily digest is due when the person's last one was made at least 20 hours ago, a weekly
one after 6 days and 20 hours: a digest keeps roughly its time of day. The messages listed
are those whose kind the person takes in that rhythm *now*: a kind they stopped (by the
unsubscribe link or their preferences) is no longer listed, even if it was waiting.

Sending claims the digest with a conditional update (``claimed_at``), so it goes out once
however many workers run it, and releases it if SMTP fails (``attempts``, ``last_error``),
so a later run sends it; ``sent_at`` is set once the SMTP server took it. A claim older
than ``STALE_CLAIM`` (the worker died or hung) is taken again by ``digests_run``: in a rare
case a digest goes out twice, with the same Message-ID, so mail systems can drop the copy.
After ``ATTEMPTS_MAX`` failures it is left unsent, with its error logged; its messages are
still in the app.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from coro.accounts.models import User
from coro.notifications import hours
from coro.notifications.emails import digest_message
from coro.notifications.models import Digest, Notification, Rhythm
from coro.notifications.preferences import DIGEST_RHYTHMS, rhythms_of
from coro.notifications.tasks import digest_deliver

logger = logging.getLogger(__name__)

DUE_AFTER = {
    Rhythm.DAILY: timedelta(hours=20),
    Rhythm.WEEKLY: timedelta(days=6, hours=20),
}
# Messages and digests older than this are no longer sent by e-mail (they stay in the app).
KEPT_FOR = timedelta(days=14)
# Waits between attempts to send a digest: 15 minutes, doubling, at most 4 hours.
RETRY_FIRST = timedelta(minutes=15)
RETRY_LONGEST = timedelta(hours=4)
ATTEMPTS_MAX = 12
# A worker that took a digest this long ago and did not finish has died.
STALE_CLAIM = timedelta(minutes=15)


@dataclass(frozen=True)
class DigestRun:
    retried: int
    made: int


def _unclaimed(now: datetime) -> Q:
    """Claimed by no worker, or by one that died."""
    return Q(claimed_at=None) | Q(claimed_at__lt=now - STALE_CLAIM)


def digest_retry_at(digest: Digest) -> datetime:
    """When the digest may be tried again: at once if it was never tried."""
    wait, step = timedelta(0), RETRY_FIRST
    for _attempt in range(digest.attempts):
        wait += step
        step = min(step * 2, RETRY_LONGEST)
    return digest.created_at + wait


def _waiting(user: User, now: datetime) -> QuerySet[Notification]:
    """The person's messages delivered in the app and not yet listed in a digest."""
    return Notification.objects.filter(
        user=user,
        delivered_at__isnull=False,
        delivered_at__gte=now - KEPT_FOR,
        digest=None,
        rhythm__in=DIGEST_RHYTHMS,
    )


def _send_schedule(digest_id: int) -> None:
    transaction.on_commit(lambda: digest_deliver.enqueue(digest_id))


def digest_make(*, user: User, rhythm: Rhythm, now: datetime | None = None) -> Digest | None:
    """Make the person's digest of ``rhythm`` if it is due and something waits for it, and
    enqueue its sending; ``None`` if not. Whether they are working now is the caller's
    question (``digests_make_due``)."""
    now = now or timezone.now()
    recent = Digest.objects.filter(user=user, rhythm=rhythm, created_at__gt=now - DUE_AFTER[rhythm])
    if recent.exists():
        return None
    kinds = [kind for kind, chosen in rhythms_of(user).items() if chosen == rhythm]
    ids = list(_waiting(user, now).filter(kind__in=kinds).values_list("pk", flat=True))
    if not ids:
        return None
    with transaction.atomic():
        digest = Digest(user=user, rhythm=rhythm, created_at=now)
        digest.full_clean()
        digest.save()
        # Each message joins one digest only, even if two runs meet here.
        if not Notification.objects.filter(pk__in=ids, digest=None).update(digest=digest):
            digest.delete()
            return None
        _send_schedule(digest.pk)
    return digest


def digests_make_due(*, now: datetime | None = None) -> list[Digest]:
    """Make every digest that is due, for people inside their working window now."""
    now = now or timezone.now()
    waiting = (
        Notification.objects.filter(
            delivered_at__isnull=False,
            delivered_at__gte=now - KEPT_FOR,
            digest=None,
            rhythm__in=DIGEST_RHYTHMS,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    made = []
    for user in User.objects.filter(pk__in=list(waiting), is_active=True).order_by("pk"):
        if hours.next_working_window_start(user, now) != now:
            continue
        for rhythm in DIGEST_RHYTHMS:
            digest = digest_make(user=user, rhythm=rhythm, now=now)
            if digest is not None:
                made.append(digest)
    return made


def digests_retry(*, now: datetime | None = None) -> list[int]:
    """Enqueue again the digests made but not sent whose wait is over and whose person is
    inside their working window; their ids."""
    now = now or timezone.now()
    unsent = (
        Digest.objects.filter(
            sent_at=None, attempts__lt=ATTEMPTS_MAX, created_at__gte=now - KEPT_FOR
        )
        .filter(_unclaimed(now))
        .select_related("user")
    )
    ids = []
    for digest in unsent:
        if digest_retry_at(digest) > now:
            continue
        if hours.next_working_window_start(digest.user, now) != now:
            continue
        ids.append(digest.pk)
        _send_schedule(digest.pk)
    return ids


def digests_run(*, now: datetime | None = None) -> DigestRun:
    """The periodic job: retry what failed, then make what is due."""
    now = now or timezone.now()
    retried = digests_retry(now=now)
    made = digests_make_due(now=now)
    return DigestRun(retried=len(retried), made=len(made))


def digest_send(*, digest_id: int) -> bool:
    """Send the digest once, inside the person's working window; whether this call sent it.

    Outside the window it waits for ``digests_run``. An SMTP error releases it, counted and
    recorded, and is raised again (the task shows as failed); ``digests_run`` retries it.
    """
    digest = Digest.objects.select_related("user").filter(pk=digest_id, sent_at=None).first()
    if digest is None or digest.attempts >= ATTEMPTS_MAX:
        return False
    now = timezone.now()
    if hours.next_working_window_start(digest.user, now) != now:
        return False
    items = list(digest.notifications.select_related("organisation"))
    if not items:
        digest.delete()  # its messages were removed since
        return False
    unsent = Digest.objects.filter(_unclaimed(now), pk=digest_id, sent_at=None)
    if not unsent.update(claimed_at=now, attempts=F("attempts") + 1):
        return False  # another worker has it
    try:
        digest_message(digest, items).send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
        Digest.objects.filter(pk=digest_id).update(claimed_at=None, last_error=error)
        attempts = digest.attempts + 1
        if attempts >= ATTEMPTS_MAX:
            logger.error("Digest %s not sent after %s attempts: %s", digest.code, attempts, error)
        else:
            logger.warning("Digest %s not sent (attempt %s): %s", digest.code, attempts, error)
        raise
    Digest.objects.filter(pk=digest_id).update(sent_at=now, last_error="")
    return True
