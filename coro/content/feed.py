"""Reads for the feed: which posts a person sees, in what order, and which posts are open to
their reactions and comments.

A post is meant for everyone (no teams) or for the teams it names. Editors and admins read
the same feed as everyone; the editors' list is where they see every post.
"""

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from coro.content.models import Post, Reaction
from coro.content.selectors import live_q, posts_live
from coro.orgs.models import Membership

# Search words beyond this many are ignored (each one is a LIKE over the posts' texts).
MAX_SEARCH_WORDS = 8


def audience_q(membership: Membership) -> Q:
    """Posts meant for this person: for everyone, or for their team."""
    targeted = Post.teams.through.objects.filter(post_id=OuterRef("pk"))
    for_everyone = ~Exists(targeted)
    if membership.team_id is None:
        return Q(for_everyone)
    return Q(for_everyone) | Q(Exists(targeted.filter(team_id=membership.team_id)))


def proposals_q() -> Q:
    """Proposals waiting for review: every member may read them, react and comment."""
    return Q(status=Post.Status.IN_REVIEW, proposed_by__isnull=False)


def comments_shown_q(prefix: str = "") -> Q:
    """Comments people can read: neither hidden by an editor nor deleted or erased (those
    show only as a placeholder). ``prefix`` reaches them from another model ("comments__")."""
    return Q(**{f"{prefix}hidden_at__isnull": True, f"{prefix}author__isnull": False})


def search_words(query: str | None) -> list[str]:
    return (query or "").lower().split()[:MAX_SEARCH_WORDS]


def feed_posts(
    membership: Membership,
    *,
    topic: str | None = None,
    query: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Post]:
    """The person's feed: live posts meant for them, pinned first, then newest first.

    ``topic`` is a topic's code; ``query`` keeps posts whose texts (any language) contain
    every word of it, whatever the case. Each post comes with its topics, images, preview,
    reactions (and who made them) and ``comment_count`` (comments people can read).
    """
    posts = posts_live(membership.organisation, now=now).filter(audience_q(membership))
    if topic:
        posts = posts.filter(topics__code=topic)
    for word in search_words(query):
        posts = posts.filter(search_text__contains=word)
    return with_community(posts).order_by("-pinned", "-live_at", "-created_at")


def with_community(posts: QuerySet[Post]) -> QuerySet[Post]:
    """What a post's card shows, fetched in a few queries for any number of posts."""
    return (
        posts.select_related("preview", "proposed_by__user")
        .prefetch_related(
            "topics",
            "images",
            Prefetch(
                "reactions",
                queryset=Reaction.objects.select_related("membership__user").order_by("created_at"),
            ),
        )
        .annotate(
            comment_count=Count("comments", filter=comments_shown_q("comments__"), distinct=True)
        )
    )


def posts_open_to_community(
    membership: Membership, *, now: datetime | None = None
) -> QuerySet[Post]:
    """Posts this person may react to and comment on: live posts meant for them (any live
    post for editors and admins) and proposals in review. Never drafts or archived posts."""
    live = live_q(now or timezone.now())
    if not membership.is_editor:
        live &= audience_q(membership)
    return Post.objects.filter(live | proposals_q(), organisation=membership.organisation)


def posts_viewable(membership: Membership, *, now: datetime | None = None) -> QuerySet[Post]:
    """Posts whose page (and images) this person may open: those open to their reactions
    and comments (live and meant for them, or proposals in review) and, for editors and
    admins, every post of the organisation."""
    if membership.is_editor:
        return Post.objects.filter(organisation=membership.organisation)
    return posts_open_to_community(membership, now=now)
