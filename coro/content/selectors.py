"""Reads of posts: what is live, what editors see per state, proposals."""

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from coro.content.models import Post, Topic
from coro.orgs.models import Membership, Organisation, Team
from coro.orgs.selectors import credited_name


def live_q(now: datetime) -> Q:
    """Posts people can read at ``now``: published, or scheduled and due (the periodic job
    may not have run yet), and not expired."""
    not_expired = Q(expire_at__isnull=True) | Q(expire_at__gt=now)
    published = Q(status=Post.Status.PUBLISHED)
    due = Q(status=Post.Status.SCHEDULED, publish_at__isnull=False, publish_at__lte=now)
    return (published | due) & not_expired


def posts_live(organisation: Organisation, *, now: datetime | None = None) -> QuerySet[Post]:
    """The organisation's live posts, newest first; each has ``live_at`` (when it went live)."""
    now = now or timezone.now()
    return (
        Post.objects.filter(live_q(now), organisation=organisation)
        .annotate(live_at=Coalesce("published_at", "publish_at", "created_at"))
        .order_by("-live_at", "-created_at")
    )


# --- Editors' list ------------------------------------------------------------------------

# The tabs of the editors' list, in order; "live" and "scheduled" depend on the clock.
LIST_TABS = ("draft", "in_review", "scheduled", "live", "archived", "declined")


def tab_q(tab: str, now: datetime) -> Q:
    """The posts of one tab of the editors' list at ``now``."""
    if tab == "live":
        return live_q(now)
    if tab == "scheduled":
        return Q(status=Post.Status.SCHEDULED, publish_at__gt=now) | Q(
            status=Post.Status.SCHEDULED, publish_at__isnull=True
        )
    if tab == "archived":
        # Published posts past their expiry are archived in effect, before the job runs.
        expired = Q(expire_at__isnull=False, expire_at__lte=now) & Q(
            status__in=[Post.Status.PUBLISHED, Post.Status.SCHEDULED]
        )
        return Q(status=Post.Status.ARCHIVED) | expired
    return Q(status=tab)


def posts_tab_counts(organisation: Organisation, *, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts = Post.objects.filter(organisation=organisation).aggregate(
        **{tab: Count("pk", filter=tab_q(tab, now)) for tab in LIST_TABS}
    )
    return {tab: int(counts[tab] or 0) for tab in LIST_TABS}


def posts_in_tab(
    organisation: Organisation, tab: str, *, now: datetime | None = None
) -> QuerySet[Post]:
    """One tab of the editors' list, newest first (by the date that matters in the tab)."""
    now = now or timezone.now()
    order = {
        "scheduled": ["publish_at", "-created_at"],
        "live": ["-live_at", "-created_at"],
        "archived": ["-archived_at", "-created_at"],
    }.get(tab, ["-updated_at", "-created_at"])
    return (
        Post.objects.filter(tab_q(tab, now), organisation=organisation)
        .annotate(live_at=Coalesce("published_at", "publish_at", "created_at"))
        .select_related("proposed_by__user")
        .prefetch_related("topics", "teams")
        .order_by(*order)
    )


def post_in_tab(post: Post, tab: str | None, *, now: datetime | None = None) -> bool:
    """Whether the post belongs in that tab of the editors' list (any post for no tab)."""
    if tab not in LIST_TABS:
        return True
    return Post.objects.filter(tab_q(tab, now or timezone.now()), pk=post.pk).exists()


# --- Topics and teams ---------------------------------------------------------------------


def topics_of(organisation: Organisation) -> QuerySet[Topic]:
    return Topic.objects.filter(organisation=organisation).order_by("name")


def teams_of(organisation: Organisation) -> QuerySet[Team]:
    return Team.objects.filter(organisation=organisation).order_by("name")


# --- Proposals ----------------------------------------------------------------------------


def proposals_in_review(organisation: Organisation) -> QuerySet[Post]:
    """The proposals board: proposals waiting for review, newest first."""
    return (
        Post.objects.filter(
            organisation=organisation,
            status=Post.Status.IN_REVIEW,
            proposed_by__isnull=False,
        )
        .select_related("proposed_by__user")
        .order_by("-updated_at", "-created_at")
    )


def proposals_of(membership: Membership) -> QuerySet[Post]:
    """A person's own proposals, whatever became of them, newest first."""
    return Post.objects.filter(
        organisation=membership.organisation, proposed_by=membership
    ).order_by("-created_at")


def proposer_name(post: Post) -> str | None:
    """The name to show for a proposal's author, or None ("A colleague"): only people who
    opted in to recognition are named."""
    return credited_name(post.proposed_by)


def notification_about(post: Post) -> str:
    """What notifications and chat announcements about the post say they are about
    (``Notification.about``), for the editors' aggregate figures."""
    return f"post:{post.code}"
