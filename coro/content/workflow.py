"""The workflow: a post moves only along ``Post.TRANSITIONS`` and only as the person's role
allows (``post_transition``); publishing or scheduling from the editor; the periodic job that
publishes scheduled posts and archives expired ones.

Who hears about it (``notify``): the people a post is meant for when it goes live, however it
gets there, and the proposer when an editor decides on their proposal. A post that leaves
"published" (back to draft, archived, by hand or on expiry) takes back what was still held
about it (``notifications_withdraw``): nobody hears at 09:00 of a post taken back at 23:00."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from coro.content import notify
from coro.content.models import Post
from coro.content.selectors import notification_about
from coro.notifications.withdraw import notifications_withdraw
from coro.orgs.models import Membership

# What an employee may do to their own proposal; editors and admins may make every move.
PROPOSER_MOVES = frozenset(
    {(Post.Status.DRAFT, Post.Status.IN_REVIEW), (Post.Status.DECLINED, Post.Status.IN_REVIEW)}
)
# The moves out of review that decide on a proposal (its proposer is told).
DECISIONS = frozenset({Post.Status.PUBLISHED, Post.Status.SCHEDULED, Post.Status.DECLINED})


def field_error(field: str, message: str, code: str) -> ValidationError:
    """A refusal the forms show on ``field``."""
    return ValidationError({field: ValidationError(message, code=code)})


def _move_check(post: Post, to: Post.Status, by: Membership, message: str, now: datetime) -> None:
    if by.organisation_id != post.organisation_id:
        raise ValidationError(_("This post belongs to another organisation."), code="org")
    if not post.can_move_to(to):
        raise ValidationError(
            _("A post that is “%(now)s” cannot become “%(to)s”."),
            params={"now": Post.Status(post.status).label, "to": to.label},
            code="transition",
        )
    if not by.is_editor and (
        (post.status, to) not in PROPOSER_MOVES or post.proposed_by_id != by.pk
    ):
        raise ValidationError(_("Only editors can do this."), code="role")
    if to == Post.Status.DECLINED and not message.strip():
        raise field_error("message", _("Tell the proposer why, so they can improve it."), "message")
    if to == Post.Status.SCHEDULED and (post.publish_at is None or post.publish_at <= now):
        raise field_error(
            "publish_at",
            _("Pick a time in the future to schedule it, or publish it now."),
            "schedule",
        )
    if to in (Post.Status.SCHEDULED, Post.Status.PUBLISHED) and (
        post.expire_at is not None and post.expire_at <= now
    ):
        raise field_error("expire_at", _("Its expiry date has passed: change it first."), "expired")


@transaction.atomic
def post_transition(
    *, post: Post, to: Post.Status, by: Membership, message: str = "", now: datetime | None = None
) -> Post:
    """Move the post to another state, if the workflow and the person's role allow it."""
    now = now or timezone.now()
    post = Post.objects.select_for_update().get(pk=post.pk)
    to = Post.Status(to)
    _move_check(post, to, by, message, now)
    decided = post.status == Post.Status.IN_REVIEW and to in DECISIONS
    taken_back = post.status == Post.Status.PUBLISHED and to != Post.Status.PUBLISHED
    fields = ["status", "updated_at"]
    if to == Post.Status.PUBLISHED:
        post.published_at = now
        post.archived_at = None
        fields += ["published_at", "archived_at"]
    elif to == Post.Status.ARCHIVED:
        post.archived_at = now
        fields.append("archived_at")
    elif to == Post.Status.DRAFT:
        post.published_at = post.archived_at = None
        fields += ["published_at", "archived_at"]
    elif to == Post.Status.DECLINED:
        post.decline_message = message.strip()
        fields.append("decline_message")
    post.status, post.updated_at = to, now
    post.full_clean()
    post.save(update_fields=fields)
    if decided:
        notify.proposal_decided_notify(post=post, by=by)
    if to == Post.Status.PUBLISHED:
        notify.post_live_notify_enqueue(post_id=post.pk)
    if taken_back:
        notifications_withdraw(about=notification_about(post))
    return post


@transaction.atomic
def post_publish_or_schedule(
    *, post: Post, by: Membership, schedule: bool = False, now: datetime | None = None
) -> Post:
    """The editor's "Publish now" (``schedule=False``) or "Schedule" for the post's
    ``publish_at``; a time already past means now. A post already published keeps its first
    publication time, and one already scheduled stays scheduled (for its new time)."""
    now = now or timezone.now()
    post = Post.objects.select_for_update().get(pk=post.pk)
    if schedule:
        if post.publish_at is None:
            raise field_error("publish_at", _("Pick when it should go out."), "schedule_missing")
        if post.publish_at > now:
            if post.status == Post.Status.SCHEDULED:
                return post
            return post_transition(post=post, to=Post.Status.SCHEDULED, by=by, now=now)
    if post.status == Post.Status.PUBLISHED:
        return post
    return post_transition(post=post, to=Post.Status.PUBLISHED, by=by, now=now)


def posts_publish_due(*, now: datetime | None = None) -> tuple[int, int]:
    """The periodic job: publish scheduled posts whose time has come and archive published
    posts that expired; how many of each. Safe to run twice (each update claims its rows):
    the people each post is meant for are told by the run that published it."""
    now = now or timezone.now()
    due = Post.objects.filter(status=Post.Status.SCHEDULED, publish_at__lte=now)
    published = 0
    for post_id in list(due.values_list("pk", flat=True)):
        if due.filter(pk=post_id).update(
            status=Post.Status.PUBLISHED, published_at=F("publish_at"), updated_at=now
        ):
            published += 1
            notify.post_live_notify_enqueue(post_id=post_id)
    expired = Post.objects.filter(
        status=Post.Status.PUBLISHED, expire_at__isnull=False, expire_at__lte=now
    )
    archived = 0
    for post in list(expired.only("pk", "code")):
        if expired.filter(pk=post.pk).update(
            status=Post.Status.ARCHIVED, archived_at=F("expire_at"), updated_at=now
        ):
            archived += 1
            notifications_withdraw(about=notification_about(post))
    return published, archived
