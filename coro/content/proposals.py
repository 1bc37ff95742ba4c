"""Proposals: an employee's post in review, which they may change while it waits (or after
it was declined); editors approve it in their editor or decline it with a message."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coro.content.models import Post
from coro.content.services import Texts, post_create, post_edit_check, post_update
from coro.content.workflow import post_transition
from coro.orgs.models import Membership


def proposal_create(
    *, by: Membership, language: str, texts: Texts, suggestions: Texts, link: str = ""
) -> Post:
    """An employee's proposal: a post in review, theirs, for the editors to look at."""
    return post_create(
        author=by,
        language=language,
        texts=texts,
        suggestions=suggestions,
        link=link,
        proposed=True,
    )


@transaction.atomic
def proposal_update(
    *,
    post: Post,
    by: Membership,
    language: str,
    texts: Texts,
    suggestions: Texts,
    link: str = "",
    resubmit: bool = False,
) -> Post:
    """The proposer changes their proposal's words (in its language) and link; what editors
    added in other languages, its topics, audience and dates stay as they are. With
    ``resubmit``, a declined proposal goes back to review.

    The row is locked and checked first: an editor who approves it meanwhile wins."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    post_edit_check(post=post, by=by)
    kept_texts = {k: v for k, v in post.texts.items() if k != post.language}
    kept_suggestions = {k: v for k, v in post.suggestions.items() if k != post.language}
    post = post_update(
        post=post,
        by=by,
        language=language,
        texts={**kept_texts, **texts},
        suggestions={**kept_suggestions, **suggestions},
        link=link,
        publish_at=post.publish_at,
        expire_at=post.expire_at,
    )
    if resubmit and post.status == Post.Status.DECLINED:
        post = post_transition(post=post, to=Post.Status.IN_REVIEW, by=by)
    return post


def proposal_editable_by(post: Post, membership: Membership) -> bool:
    """Whether the proposer may still change their proposal here: while it waits for review
    or after it was declined (afterwards it is the editors' post)."""
    return post.proposed_by_id == membership.pk and post.status in (
        Post.Status.IN_REVIEW,
        Post.Status.DECLINED,
    )


def proposal_declinable(post: Post) -> bool:
    """A proposal an editor may decline: in review, with a proposer to tell why."""
    return post.status == Post.Status.IN_REVIEW and post.proposed_by_id is not None


def proposal_decline(*, post: Post, by: Membership, message: str) -> Post:
    """Decline a proposal with a message to its proposer (required). A post in review that
    nobody proposed (an editor's own) has nobody to tell: it goes back to draft instead."""
    if post.proposed_by_id is None:
        raise ValidationError(
            _("Nobody proposed this post, so there is nobody to tell: move it back to draft."),
            code="no_proposer",
        )
    return post_transition(post=post, to=Post.Status.DECLINED, by=by, message=message)
