from collections import defaultdict

from django.db.models import QuerySet

from coro.content.feed import audience_q
from coro.content.models import LinkPreview, Post
from coro.content.selectors import posts_live
from coro.orgs.models import Membership
from coro.sharing.models import Share

# The most colleagues' texts compared for one hint: enough for "several", cheap to compare.
COMPARED_TEXTS = 300


def share_by_code(code: str) -> Share | None:
    return Share.objects.select_related("post", "membership").filter(code=code).first()


def posts_shareable(membership: Membership) -> QuerySet[Post]:
    """The posts this person may pass on: live (published, or scheduled and due, and not
    expired) and meant for them, by the feed's own audience rule (everyone, or their team)."""
    return posts_live(membership.organisation).filter(audience_q(membership))


def share_of(*, post: Post, membership: Membership, network: str) -> Share | None:
    """The person's tracked link for this post and network, if they shared it before."""
    return Share.objects.filter(post=post, membership=membership, network=network).first()


def colleague_texts(*, post: Post, membership: Membership) -> list[list[str]]:
    """What colleagues shared for this post, one list of texts per colleague (on any
    network). Never says who: only the words, to compare."""
    rows = (
        Share.objects.filter(post=post, membership__isnull=False)
        .exclude(membership=membership)
        .exclude(text="")
        .order_by("-created_at")
        .values_list("membership_id", "text")[:COMPARED_TEXTS]
    )
    by_colleague: dict[int, list[str]] = defaultdict(list)
    for colleague, text in rows:
        by_colleague[colleague].append(text)
    return list(by_colleague.values())


def preview_ready(post: Post) -> LinkPreview | None:
    """The post's link card, when it has been fetched for the post's current link."""
    try:
        preview = post.preview
    except LinkPreview.DoesNotExist:
        return None
    if preview.status != LinkPreview.Status.READY or preview.url != post.link:
        return None
    return preview
