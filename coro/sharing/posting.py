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
  the person is told. Any other ``ClientError`` fails the post. Anything else a client raises
  (a bug, an answer it did not expect) is logged and retried like a temporary failure: it
  counts as an attempt, so a row never stays POSTING, nor is re-sent, for ever.
- A stale claim that already used every attempt fails instead of being claimed again.
- Retry-After is waited for at least ``RETRY_FIRST`` (``Retry-After: 0`` would spend every
  attempt at once), at most ``RETRY_AFTER_CAP``.
- A network that remembers an idempotency key only for a while (Mastodon: one hour) is
  never sent the post after ``RETRY_SPAN`` from its first try: past that a retry could post
  twice, so the post fails and the person is asked to check their timeline first.
- A task lost on the way (a crash, a restore, a backend that cannot defer) costs nothing:
  the periodic job ``sharing.scheduled_posts`` (``scheduled_posts_enqueue_due``) enqueues
  whatever is due or stale every minute.
"""

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
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
from coro.notifications.emails import person_language
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
# Networks that remember an ``Idempotency-Key`` only for a while (Mastodon: one hour, in
# ``PostStatusService``): every try of a post falls within this much of its first try.
RETRY_SPAN: dict[str, timedelta] = {"mastodon": timedelta(minutes=55)}
# A POSTING claim older than this belongs to a worker that died mid-post: claim it again.
STALE_CLAIM = timedelta(minutes=5)
# A due post whose own task is queued is not enqueued again by the periodic job until it is
# this late (``scheduled_posts_enqueue_due``).
ENQUEUE_GRACE = timedelta(minutes=2)
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


def network_label(key: str) -> str:
    """The network's name as people know it ("Bluesky"), for a scheduled post's network."""
    network = get_network(key)
    return network.label if network is not None else key


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
        # A claim left by a worker that died mid-post: send again, with the same key, while
        # attempts are left.
        or rows.filter(
            status=Status.POSTING, claimed_at__lt=now - STALE_CLAIM, attempts__lt=MAX_ATTEMPTS
        ).update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        # One that has used them all is over: it fails, and is never sent again.
        rows.filter(
            status=Status.POSTING, claimed_at__lt=now - STALE_CLAIM, attempts__gte=MAX_ATTEMPTS
        ).update(
            status=Status.FAILED,
            next_attempt_at=None,
            last_error=_(
                "Coro couldn't tell whether it went out. Check your timeline before you post "
                "it again."
            ),
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


def _first_try(post: ScheduledPost, claim: datetime) -> datetime:
    """When the post was first sent, at the earliest: this claim's time on the first attempt;
    after that, the time it was due (the first attempt ran then or later)."""
    return claim if post.attempts <= 1 else post.run_at


def _span_over(post: ScheduledPost, claim: datetime, at: datetime) -> bool:
    """Whether a try at ``at`` would fall outside the time its network remembers the key."""
    span = RETRY_SPAN.get(post.share.network)
    return span is not None and at - _first_try(post, claim) > span


def _span_message(post: ScheduledPost) -> str:
    return _(
        "%(network)s didn't confirm the post in time, and trying again later could post it "
        "twice. Check your timeline: if it isn't there, post it again."
    ) % {"network": network_label(post.share.network)}


def _retry(post: ScheduledPost, claim: datetime, error: str, wait: timedelta) -> bool:
    """Try again after ``wait``, or fail for good once every attempt is spent (or the next
    try would come too late for the network to know it was sent already)."""
    if post.attempts >= MAX_ATTEMPTS:
        return _fail(post, claim, error)
    if _span_over(post, claim, claim + wait):
        return _fail(post, claim, _span_message(post))
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
    post = ScheduledPost.objects.select_related(
        "share__membership__user", "share__post__organisation", "account"
    ).get(pk=post_id)
    # What it records (the error shown on My scheduled posts, the message if it fails) is in
    # the person's language.
    with translation.override(_language_of(post)):
        _run(post, claim)
    post.refresh_from_db()
    return post


def _language_of(post: ScheduledPost) -> str:
    organisation = post.share.post.organisation
    person = post.share.membership
    if person is None:  # they left: the organisation's language
        return organisation.language or str(settings.LANGUAGE_CODE)
    return person_language(person.user, organisation)


def _run(post: ScheduledPost, claim: datetime) -> None:
    account, share = post.account, post.share
    client = client_for(share.network)
    post_id = post.pk
    try:
        if share.membership_id is None:  # they left the program since
            _finish(post, claim, status=Status.CANCELLED, next_attempt_at=None)
        elif account is None or client is None:
            _fail(post, claim, _("The account was disconnected."))
        elif account.status != ConnectedAccount.Status.CONNECTED:
            _fail(post, claim, _("The account needs connecting again."))
        elif _span_over(post, claim, claim):  # a stale claim, reclaimed too late
            _fail(post, claim, _span_message(post))
        else:
            _send(post, claim, account, client)
    except Exception:
        # Whatever went wrong, the claim does not stay: tried again later, as an attempt
        # (a no-op if the outcome was written already).
        logger.exception("Scheduled post %s: unexpected error.", post_id)
        _retry(post, claim, _unexpected(), retry_delay(post.attempts))


def _unexpected() -> str:
    return _("Something unexpected went wrong while posting.")


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
            created_at=post.created_at,
        )
        remote_id, remote_url = str(posted.remote_id), str(posted.url)
    except AuthError as error:
        _fail(post, claim, error.message, tell=False)
        _reconnect(post, account)
        return
    except RateLimited as error:
        seconds = error.retry_after
        wait = timedelta(seconds=seconds) if seconds is not None else retry_delay(post.attempts)
        _retry(post, claim, error.message, min(max(wait, RETRY_FIRST), RETRY_AFTER_CAP))
        return
    except TemporaryError as error:
        _retry(post, claim, error.message, retry_delay(post.attempts))
        return
    except ClientError as error:
        _fail(post, claim, error.message)
        return
    except Exception:
        # A client's bug, or an answer it did not expect (a missing key, a wrong type): the
        # post may or may not have gone out, so it is tried again with the same key.
        logger.exception("Scheduled post %s: the %s client failed.", post.pk, post.share.network)
        _retry(post, claim, _unexpected(), retry_delay(post.attempts))
        return
    _finish(
        post,
        claim,
        status=Status.POSTED,
        remote_id=remote_id[:300],
        remote_url=web_address(remote_url)[:500],
        posted_at=timezone.now(),
        last_error="",
        next_attempt_at=None,
    )


def web_address(url: str) -> str:
    """``url`` if it is an http(s) address (a link the person may follow), else ""."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https") else ""


def _reconnect(post: ScheduledPost, account: ConnectedAccount) -> None:
    """Mark the account "reconnect needed". ``account_mark_reconnect`` tells the person, once
    however the change was found out (a post, the follower count): their message says the
    posts scheduled on it are not made, so this post's failure is not told on its own."""
    account_mark_reconnect(account=account)


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
    went stale (its worker died); how many. The periodic job: nothing depends on one task.

    Where the backend runs tasks at their time, each post's own task was enqueued for it
    (``_enqueue``) and is taken within moments: such a post is enqueued again only once it
    is ``ENQUEUE_GRACE`` late (its task was lost, or the worker is down or behind), not every
    minute. A late post may then be enqueued more than once; that costs one UPDATE that
    claims nothing per extra run (``_claim``), never a second post."""
    now = now or timezone.now()
    defers = scheduled_post_publish.get_backend().supports_defer
    late = now - ENQUEUE_GRACE if defers else now
    due = Q(status=Status.SCHEDULED, run_at__lte=late) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=late)
    )
    stale = Q(status=Status.POSTING, claimed_at__lt=now - STALE_CLAIM)
    ids = list(ScheduledPost.objects.filter(due | stale).values_list("pk", flat=True)[:1000])
    for post_id in ids:
        _enqueue(post_id, now)
    return len(ids)


def scheduled_posts_cancel_for_account(*, account: ConnectedAccount) -> int:
    """Cancel what is still waiting to go out through ``account`` (it is being
    disconnected); how many. As ``scheduled_posts_cancel_for``: a post being sent right now
    cannot be called back; one whose sender died (a stale claim) is cancelled too."""
    now = timezone.now()
    waiting = Q(status=Status.SCHEDULED) | Q(
        status=Status.POSTING, claimed_at__lt=now - STALE_CLAIM
    )
    return (
        ScheduledPost.objects.filter(account=account)
        .filter(waiting)
        .update(status=Status.CANCELLED, next_attempt_at=None)
    )
