"""Reactions and comments: how people answer posts and proposals (charter rule 10).

Reacting and commenting are things people choose to do in public, so both show who did
them. Both are open only on posts the person may read that are live or in review.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.content import notify
from coro.content.feed import comments_shown_q, posts_open_to_community
from coro.content.models import Comment, Post, Reaction
from coro.orgs.models import Membership, Organisation

COMMENT_MAX_LENGTH = 2000
HIDE_REASON_MAX_LENGTH = 300


# --- Reactions ----------------------------------------------------------------------------


# What each kind looks like next to its name (decoration: screen readers skip it).
REACTION_EMOJI: dict[str, str] = {
    Reaction.Kind.LIKE: "👍",
    Reaction.Kind.CELEBRATE: "🎉",
    Reaction.Kind.LOVE: "❤️",
    Reaction.Kind.INSIGHTFUL: "💡",
    Reaction.Kind.SUPPORT: "🤝",
}


@dataclass(frozen=True)
class ReactionCount:
    kind: str
    label: str
    emoji: str
    count: int
    mine: bool
    names: list[str]


@dataclass(frozen=True)
class ReactionBar:
    """The reactions of one post as one person sees them."""

    post: Post
    counts: list[ReactionCount]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.counts)

    @property
    def reacted(self) -> list[ReactionCount]:
        return [c for c in self.counts if c.count]


def community_check(*, post: Post, membership: Membership) -> None:
    """Refuse reactions and comments on a post the person may not answer."""
    if post.organisation_id != membership.organisation_id:
        raise ValidationError(_("This post is not part of your organisation."), code="org")
    if not posts_open_to_community(membership).filter(pk=post.pk).exists():
        raise ValidationError(
            _("You can react to and comment on live posts and proposals in review only."),
            code="closed",
        )


def reaction_toggle(*, post: Post, membership: Membership, kind: str) -> bool:
    """Add the person's reaction of this kind, or take it back. True when it was added."""
    if kind not in Reaction.Kind.values:
        raise ValidationError(_("That is not a reaction Coro knows."), code="kind")
    community_check(post=post, membership=membership)
    with transaction.atomic():
        deleted, _rows = Reaction.objects.filter(
            post=post, membership=membership, kind=kind
        ).delete()
        if deleted:
            return False
        reaction = Reaction(post=post, membership=membership, kind=kind)
        reaction.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                reaction.save()
        except IntegrityError:
            # The same person reacting twice at once (two tabs): one reaction counts.
            pass
    return True


def reaction_bar(*, post: Post, membership: Membership) -> ReactionBar:
    """Every kind of reaction with its count, whether this person made it, and who did.

    Uses ``post.reactions.all()``: prefetch it (``feed.with_community``) for many posts.
    """
    by_kind: dict[str, list[Reaction]] = {kind: [] for kind in Reaction.Kind.values}
    for reaction in post.reactions.all():
        by_kind.setdefault(reaction.kind, []).append(reaction)
    counts = [
        ReactionCount(
            kind=str(kind),
            label=str(label),
            emoji=REACTION_EMOJI.get(kind, ""),
            count=len(by_kind[kind]),
            mine=any(r.membership_id == membership.pk for r in by_kind[kind]),
            names=[r.membership.user.get_full_name() or _("A colleague") for r in by_kind[kind]],
        )
        for kind, label in Reaction.Kind.choices
    ]
    return ReactionBar(post=post, counts=counts)


# --- Comments -----------------------------------------------------------------------------


def comments_in(organisation: Organisation) -> QuerySet[Comment]:
    """The one door to comments: those on the organisation's posts."""
    return Comment.objects.filter(post__organisation=organisation).select_related("post")


def comments_of(post: Post) -> list[Comment]:
    """A post's comments, oldest first, each with its ``replies`` (oldest first)."""
    replies = Comment.objects.select_related("author__user", "hidden_by__user").order_by(
        "created_at"
    )
    return list(
        Comment.objects.filter(post=post, parent__isnull=True)
        .select_related("author__user", "hidden_by__user")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at")
    )


def comment_of(post: Post, code: str) -> Comment | None:
    """One comment on this post, by its code (None if it is not there, or not on it)."""
    return Comment.objects.filter(post=post, code=code).first()


def comment_count(post: Post) -> int:
    """How many of the post's comments people can read (as on the feed's cards)."""
    return Comment.objects.filter(comments_shown_q(), post=post).count()


def comment_add(
    *, post: Post, membership: Membership, body: str, parent: Comment | None = None
) -> Comment:
    """A comment, or a reply. Replies go one level deep: a reply to a reply answers the
    comment at the top of its thread. The authors of the comment replied to and of the
    thread's first comment are told (``notify.comment_reply_notify``)."""
    community_check(post=post, membership=membership)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")}, code="empty")
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("Keep it under %(max)d characters (this one has %(count)d).")
                % {"max": COMMENT_MAX_LENGTH, "count": len(body)}
            },
            code="long",
        )
    answered = parent
    if parent is not None:
        if parent.post_id != post.pk:
            raise ValidationError(_("That comment is on another post."), code="parent")
        if parent.parent_id is not None:
            parent = parent.parent
    comment = Comment(post=post, author=membership, parent=parent, body=body)
    comment.full_clean()
    with transaction.atomic():
        comment.save()
        if answered is not None:
            notify.comment_reply_notify(reply=comment, answered=answered)
    return comment


def comment_may_delete(*, comment: Comment, membership: Membership) -> bool:
    return comment.author_id is not None and comment.author_id == membership.pk


def comment_delete(*, comment: Comment, membership: Membership) -> None:
    """The author takes their comment back. With replies below it, its words and name go
    and its place stays ("Deleted comment"), so the replies still make sense."""
    if not comment_may_delete(comment=comment, membership=membership):
        raise ValidationError(_("Only its author can delete a comment."), code="author")
    if comment.replies.exists():
        comment.author = None
        comment.body = ""
        comment.save(update_fields=["author", "body"])
    else:
        comment.delete()


def comment_hide(*, comment: Comment, membership: Membership, reason: str) -> Comment:
    """An editor hides a comment, saying why: everyone then sees the reason, nobody the words
    (the author still finds them in their own data download). Audited, without the words."""
    if not membership.is_editor or comment.post.organisation_id != membership.organisation_id:
        raise ValidationError(_("Only editors can hide comments."), code="role")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, so people understand.")}, code="reason")
    if len(reason) > HIDE_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Keep the reason under %(max)d characters.")
                % {"max": HIDE_REASON_MAX_LENGTH}
            },
            code="long",
        )
    comment.hidden_at = timezone.now()
    comment.hidden_by = membership
    comment.hidden_reason = reason
    comment.full_clean(exclude=["body"])  # an erased author's comment has no words left
    with transaction.atomic():
        comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        # The audit trail keeps who hid whose comment and why, never the comment's words.
        audit_record(
            organisation=comment.post.organisation,
            actor=membership,
            action=AuditEntry.Action.COMMENT_HIDDEN,
            target=comment.author,
            reason=reason,
        )
    return comment
