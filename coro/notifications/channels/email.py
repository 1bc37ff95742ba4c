"""E-mail, for the kinds a person takes "right away".

A message is delivered in the app when its working window opens, whatever happens to its
e-mail; the e-mail is kept apart on the notification (``email_*``). ``emails_send`` sends
one e-mail with every message of the person whose e-mail is due (one message: as itself;
several, held overnight: listed together, ``emails.held_message``).

Sending claims the messages (``email_claimed_at``) with a conditional update, so two
workers never send them twice; a claim older than ``STALE_CLAIM`` (the worker died, or
hung past ``EMAIL_TIMEOUT``) is taken again. That may send a message twice in a rare case;
its stable Message-ID lets mail systems drop the copy. A refusal (5xx: no such mailbox) is
final: the e-mail is given up at once, with its error. Any other failure is tried again,
waiting ``RETRY_FIRST`` and doubling up to ``RETRY_LONGEST``, at most ``ATTEMPTS_MAX``
times, inside the person's working hours (``release_due``, from the periodic job).
Nobody who closed their account or left the organisation is e-mailed.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.notifications import hours
from coro.notifications.emails import held_message
from coro.notifications.models import Notification
from coro.orgs.models import Membership

logger = logging.getLogger(__name__)

KEY = "email"
# A worker that took messages this long ago and did not finish has died.
STALE_CLAIM = timedelta(minutes=15)
RETRY_FIRST = timedelta(minutes=5)
RETRY_LONGEST = timedelta(hours=4)
ATTEMPTS_MAX = 10
# Messages older than this are no longer e-mailed (they stay in the app).
KEPT_FOR = timedelta(days=14)


def permanent(exc: Exception) -> bool:
    """Whether the SMTP server refused for good (a 5xx reply): trying again cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def retry_wait(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    wait = RETRY_FIRST
    for _attempt in range(1, attempts):
        wait = min(wait * 2, RETRY_LONGEST)
    return wait


def _due(now: datetime) -> QuerySet[Notification]:
    """Messages delivered in the app whose e-mail may be sent now: not sent nor given up,
    past their wait, and claimed by nobody (or by a worker that died)."""
    return Notification.objects.filter(
        channel=KEY,
        delivered_at__isnull=False,
        delivered_at__gte=now - KEPT_FOR,
        email_sent_at=None,
        email_given_up_at=None,
    ).filter(
        Q(email_retry_at=None) | Q(email_retry_at__lte=now),
        Q(email_claimed_at=None) | Q(email_claimed_at__lt=now - STALE_CLAIM),
    )


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def emails_send(*, user_id: int, now: datetime | None = None) -> int:
    """Send the person one e-mail with every message whose e-mail is due, inside their
    working window; how many messages it listed (0: nothing sent)."""
    now = now or timezone.now()
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return 0
    due = _due(now).filter(user=user)
    if not user.is_active:
        due.update(email_given_up_at=now, email_error="The account is closed.")
        return 0
    if hours.next_working_window_start(user, now) != now:
        return 0  # outside their hours: ``release_due`` tries again inside them
    member_of = set(
        Membership.objects.active().filter(user=user).values_list("organisation_id", flat=True)
    )
    left = due.exclude(organisation=None).exclude(organisation_id__in=member_of)
    left.update(email_given_up_at=now, email_error="No longer in the organisation.")
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return 0
    _due(now).filter(pk__in=ids).update(
        email_claimed_at=now, email_attempts=F("email_attempts") + 1
    )
    claimed = Notification.objects.filter(pk__in=ids, email_claimed_at=now, email_sent_at=None)
    items = list(claimed.select_related("user", "organisation").order_by("created_at", "pk"))
    if not items:
        return 0  # another worker has them
    claimed = Notification.objects.filter(pk__in=[item.pk for item in items])
    try:
        held_message(user, items).send()
    except Exception as exc:
        error = _error(exc)
        if permanent(exc):
            claimed.update(email_claimed_at=None, email_error=error, email_given_up_at=now)
            logger.warning("E-mail to user %s refused, not tried again: %s", user.pk, error)
            return 0
        attempts = max(item.email_attempts for item in items)
        claimed.update(
            email_claimed_at=None, email_error=error, email_retry_at=now + retry_wait(attempts)
        )
        given_up = claimed.filter(email_attempts__gte=ATTEMPTS_MAX).update(email_given_up_at=now)
        if given_up:
            logger.error(
                "E-mail to user %s given up after %s attempts: %s", user.pk, attempts, error
            )
        else:
            logger.warning("E-mail to user %s not sent (attempt %s): %s", user.pk, attempts, error)
        return 0
    claimed.update(email_sent_at=now, email_error="", email_retry_at=None)
    return len(items)


def emails_release_due(now: datetime) -> int:
    """Enqueue the sending for everyone with e-mails due (retries, stale claims, lost
    tasks) who is inside their working window now; how many people."""
    from coro.notifications.tasks import emails_deliver

    user_ids = _due(now).values_list("user_id", flat=True).distinct()
    users = User.objects.filter(pk__in=list(user_ids)).order_by("pk")
    released = 0
    for user in users:
        if hours.next_working_window_start(user, now) == now:
            emails_deliver.enqueue(user.pk)
            released += 1
    return released


class EmailChannel:
    """Its e-mail goes out right away, with any others of the person's that are due
    (``emails_send``). A failure never undoes its delivery in the app."""

    key = KEY
    label = _("E-mail")
    reaches_out = True

    def deliver(self, notification: Notification) -> None:
        emails_send(user_id=notification.user_id)

    def release_due(self, now: datetime) -> int:
        return emails_release_due(now)


CHANNEL = EmailChannel()
