"""Posting on a person's connected account, only on their own action for that post: now, or
at a time they choose (charter rule 5). Each post is a ``ScheduledPost`` run by a task.

How a run stays safe (``scheduled_post_run``):

- It first *claims* the row with one conditional UPDATE (SCHEDULED and due → POSTING): two
  workers, or a task run twice, never both post; the loser finds nothing to do.
- Every attempt sends the row's ``idempotency_key``, so the network makes one post however
  often it is asked. A worker killed mid-post leaves a POSTING row behind; once its claim is
  older than ``STALE_CLAIM`` it is claimed again and re-sent with the same key: one post.
- ``TemporaryError`` (5xx, timeouts) is retried with exponential backoff (``retry_delay``)
  up to ``MAX_ATTEMPTS``; ``RateLimited`` (429) waits what Retry-After says; ``AuthError``
  (401/403) is never retried: the post fails, the account is marked "reconnect needed" and
  the person is told. Any other ``ClientError`` fails the post.
- A task lost on the way (a crash, a restore, a backend that cannot defer) costs nothing:
  the periodic job ``sharing.scheduled_posts`` (``scheduled_posts_enqueue_due``) enqueues
  whatever is due or stale every minute.
"""

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coro.connections.limits import network_for
from coro.connections.models import ConnectedAccount
from coro.connections.services import account_mark_reconnect, client_for
from coro.content.models import LinkPreview, Post
from coro.content.notify import scheduled_post_failed_notify
from coro.core.crypto import DecryptionError
from coro.networks import NetworkClient, get_network
from coro.networks.base import LinkCard
from coro.networks.clients import AuthError, ClientError, RateLimited, TemporaryError
from coro.notifications.models import Notification
from coro.notifications.services import notification_hold
from coro.orgs.models import Membership
from coro.program.selectors import is_enrolled
from coro.sharing.models import ScheduledPost, Share
from coro.sharing.services import share_text_check
from coro.sharing.tasks import scheduled_post_publish

logger = logging.getLogger(__name__)

Status = ScheduledPost.Status

# Backoff after a temporary failure: 1 min, 2, 4 ... never more than an hour between tries.
RETRY_FIRST = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)
# Attempts in all (the first one included); then the post fails for good.
MAX_ATTEMPTS = 8
# A Retry-After longer than this is not waited for in full (a misbehaving server).
RETRY_AFTER_CAP = timedelta(hours=6)
# A POSTING claim older than this belongs to a worker that died mid-post: claim it again.
STALE_CLAIM = timedelta(minutes=5)
# How far ahead a post may be scheduled.
FURTHEST = timedelta(days=366)
# A time chosen in the last minute (the form took a while to send) still counts as "now".
PAST_TOLERANCE = timedelta(minutes=1)


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` tries failed temporarily."""
    doubled: timedelta = RETRY_FIRST * 2 ** max(attempts - 1, 0)
    return min(doubled, RETRY_CAP)


# --- The person's actions ----------------------------------------------------------------


def scheduled_post_create(
    *, share: Share, account: ConnectedAccount, text: str, run_at: datetime | None = None
) -> ScheduledPost:
    """The person asks Coro to post ``text`` with the share's tracked link on their own
    connected account: now (``run_at`` None) or at the time they chose."""
    registered = get_network(share.network)
    network = network_for(account.membership, registered) if registered else None
    if share.membership_id is None or account.membership_id != share.membership_id:
        raise ValidationError(_("You can only post on your own account."), code="not_yours")
    if network is None or client_for(share.network) is None or account.network != share.network:
        raise ValidationError(
            _("Coro can't post on this network for you: share it from the network instead."),
            code="no_client",
        )
    if account.status != ConnectedAccount.Status.CONNECTED:
        raise ValidationError(
            _("Your %(network)s account needs connecting again before Coro can post on it.")
            % {"network": network.label},
            code="reconnect",
        )
    assert share.membership is not None
    if not is_enrolled(share.membership):
        raise ValidationError(_("Join the program to share its posts."), code="not_enrolled")
    now = timezone.now()
    if run_at is None:
        run_at = now
    elif run_at < now - PAST_TOLERANCE:
        raise ValidationError(
            {"run_at": _("That time has passed: pick a time in the future.")}, code="past"
        )
    elif run_at > now + FURTHEST:
        raise ValidationError({"run_at": _("Pick a time within the next year.")}, code="too_far")
    try:
        share_text_check(network=network, text=text, link=share.tracked_link)
    except ValidationError as error:
        raise ValidationError({"text": error.error_list}) from error
    post = ScheduledPost(share=share, account=account, text=text, run_at=max(run_at, now))
    post.full_clean()
    post.save()
    _enqueue(post.pk, post.run_at)
    return post


def scheduled_posts_of(membership: Membership) -> QuerySet[ScheduledPost]:
    """The person's scheduled posts, the next ones first, then the latest done."""
    return (
        ScheduledPost.objects.filter(share__membership=membership)
        .select_related("share__post", "account")
        .order_by("-run_at")
    )


def scheduled_post_cancel(*, post: ScheduledPost) -> bool:
    """Cancel a post that has not gone out; False if it is posting, posted or over."""
    cancelled = ScheduledPost.objects.filter(pk=post.pk, status=Status.SCHEDULED).update(
        status=Status.CANCELLED, next_attempt_at=None
    )
    if cancelled:
        post.refresh_from_db()
    return bool(cancelled)


def scheduled_posts_cancel_for(*, membership: Membership) -> int:
    """Cancel everything the person scheduled (they left the program); how many.

    Found both through their shares and through their account, so it works before or after
    their tracked links are detached. A post being sent right now cannot be called back;
    one whose sender died (a stale claim) is cancelled too, so it is never re-sent."""
    now = timezone.now()
    theirs = ScheduledPost.objects.filter(
        Q(share__membership=membership) | Q(account__membership=membership)
    )
    waiting = Q(status=Status.SCHEDULED) | Q(
        status=Status.POSTING, claimed_at__lt=now - STALE_CLAIM
    )
    return theirs.filter(waiting).update(status=Status.CANCELLED, next_attempt_at=None)


# --- The task's work -----------------------------------------------------------------------


def _claim(post_id: int, now: datetime) -> datetime | None:
    """Claim the post for this run; the claim's time, or None if there is nothing to do
    (not due yet, taken by another run, or over)."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    rows = ScheduledPost.objects.filter(pk=post_id)
    claimed = (
        rows.filter(due, status=Status.SCHEDULED, run_at__lte=now).update(
            status=Status.POSTING, claimed_at=now, attempts=F("attempts") + 1
        )
        # A claim left by a worker that died mid-post: send again, with the same key.
        or rows.filter(status=Status.POSTING, claimed_at__lt=now - STALE_CLAIM).update(
            claimed_at=now, attempts=F("attempts") + 1
        )
    )
    return now if claimed else None


def _finish(post: ScheduledPost, claim: datetime, **fields: object) -> bool:
    """Write the outcome, if the claim is still this run's (else another run took over)."""
    done = ScheduledPost.objects.filter(pk=post.pk, status=Status.POSTING, claimed_at=claim)
    return bool(done.update(**fields))


def _fail(post: ScheduledPost, claim: datetime, error: str, *, tell: bool = True) -> bool:
    """Fail the post for good and tell the person (``tell``: not when ``_reconnect`` does)."""
    failed = _finish(
        post, claim, status=Status.FAILED, last_error=error[:2000], next_attempt_at=None
    )
    if failed and tell:
        share = post.share
        scheduled_post_failed_notify(
            membership=share.membership,
            post=share.post,
            network=share.network,
            code=post.code,
            error=error,
        )
    return failed


def _retry(post: ScheduledPost, claim: datetime, error: str, wait: timedelta) -> bool:
    """Try again after ``wait``, or fail for good once every attempt is spent."""
    if post.attempts >= MAX_ATTEMPTS:
        return _fail(post, claim, error)
    at = timezone.now() + wait
    again = _finish(
        post,
        claim,
        status=Status.SCHEDULED,
        claimed_at=None,
        next_attempt_at=at,
        last_error=error[:2000],
    )
    if again:
        _enqueue(post.pk, at)
    return again


def scheduled_post_run(*, post_id: int, now: datetime | None = None) -> ScheduledPost | None:
    """Claim the post, send it once, and record what came of it (the task's work; safe to
    run any number of times). Returns the post as it ends, or None if there was nothing to
    do."""
    claim = _claim(post_id, now or timezone.now())
    if claim is None:
        return None
    post = ScheduledPost.objects.select_related("share", "account").get(pk=post_id)
    account, share = post.account, post.share
    client = client_for(share.network)
    if share.membership_id is None:  # they left the program since
        _finish(post, claim, status=Status.CANCELLED, next_attempt_at=None)
    elif account is None or client is None:
        _fail(post, claim, _("The account was disconnected."))
    elif account.status != ConnectedAccount.Status.CONNECTED:
        _fail(post, claim, _("The account needs connecting again."))
    else:
        _send(post, claim, account, client)
    post.refresh_from_db()
    return post


def link_card(post: Post, link: str) -> LinkCard | None:
    """The card under the posted text, from the post's link preview when it is ready (the
    tracked link is what the card opens); None when there is no preview to show."""
    preview = LinkPreview.objects.filter(
        post=post, url=post.link, status=LinkPreview.Status.READY
    ).first()
    if preview is None:
        return None
    image: bytes | None = None
    if preview.image:
        try:
            with default_storage.open(preview.image.name, "rb") as file:
                image = file.read()
        except OSError:  # its file is gone: a card without a picture
            image = None
    return LinkCard(uri=link, title=preview.title, description=preview.description, image=image)


def _send(
    post: ScheduledPost, claim: datetime, account: ConnectedAccount, client: NetworkClient
) -> None:
    try:
        credentials = account.credentials
    except DecryptionError:
        logger.exception("The credentials of connected account %s cannot be read.", account.pk)
        _fail(post, claim, _("Coro can't read this account's keys: connect it again."), tell=False)
        _reconnect(post, account)
        return
    try:
        posted = client.post(
            credentials=credentials,
            text=post.text,
            link=post.share.tracked_link,
            idempotency_key=post.idempotency_key,
            preview=link_card(post.share.post, post.share.tracked_link),
        )
    except AuthError as error:
        _fail(post, claim, error.message, tell=False)
        _reconnect(post, account)
    except RateLimited as error:
        seconds = error.retry_after
        wait = timedelta(seconds=seconds) if seconds is not None else retry_delay(post.attempts)
        _retry(post, claim, error.message, min(max(wait, timedelta(0)), RETRY_AFTER_CAP))
    except TemporaryError as error:
        _retry(post, claim, error.message, retry_delay(post.attempts))
    except ClientError as error:
        _fail(post, claim, error.message)
    else:
        _finish(
            post,
            claim,
            status=Status.POSTED,
            remote_id=posted.remote_id[:300],
            remote_url=posted.url[:500],
            posted_at=timezone.now(),
            last_error="",
            next_attempt_at=None,
        )


def _reconnect(post: ScheduledPost, account: ConnectedAccount) -> None:
    """Mark the account "reconnect needed" and tell the person, once (in the app, and by
    their channel inside their working hours)."""
    if account.status != ConnectedAccount.Status.CONNECTED:
        return  # marked already, and the person told then
    account_mark_reconnect(account=account)
    kind = Notification.Kind.ACCOUNT_RECONNECT
    membership = account.membership
    network = get_network(account.network)
    label = network.label if network is not None else account.network
    notification_hold(
        user=membership.user,
        organisation=membership.organisation,
        kind=kind,
        subject=_("Connect your %(network)s account again") % {"network": label},
        body=_(
            "%(network)s refused Coro's access to %(handle)s, so your scheduled post was not "
            "made. Connect the account again and schedule it once more if you still want to."
        )
        % {"network": label, "handle": account.handle},
        link=reverse("sharing:scheduled_posts", args=[membership.organisation.code]),
    )


# --- Enqueueing ------------------------------------------------------------------------------


def _enqueue(post_id: int, at: datetime) -> None:
    """Have the task run at ``at``, once the transaction commits. A backend that cannot run
    tasks later (the immediate one) leaves it to the periodic job."""

    def enqueue() -> None:
        if at <= timezone.now():
            scheduled_post_publish.enqueue(post_id)
        elif scheduled_post_publish.get_backend().supports_defer:
            scheduled_post_publish.using(run_after=at).enqueue(post_id)

    transaction.on_commit(enqueue)


def scheduled_posts_enqueue_due(*, now: datetime | None = None) -> int:
    """Enqueue every post that is due (its time, or its retry's, has come) or whose claim
    went stale (its worker died); how many. The periodic job: nothing depends on one task."""
    now = now or timezone.now()
    due = Q(status=Status.SCHEDULED, run_at__lte=now) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    stale = Q(status=Status.POSTING, claimed_at__lt=now - STALE_CLAIM)
    ids = list(ScheduledPost.objects.filter(due | stale).values_list("pk", flat=True)[:1000])
    for post_id in ids:
        _enqueue(post_id, now)
    return len(ids)
