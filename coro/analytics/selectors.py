"""Aggregates only: numbers about posts, networks and groups, never about a named person."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from coro.analytics.figures import ReleaseFigures, release_figures
from coro.analytics.models import Release
from coro.content.models import Post
from coro.orgs.models import Organisation
from coro.sharing.models import Click, Share


@dataclass(frozen=True)
class Totals:
    posts: int
    shares: int
    clicks: int


def post_stats(organisation: Organisation) -> QuerySet[Post]:
    """Published posts with ``share_count`` and ``click_count``."""
    return (
        Post.objects.filter(organisation=organisation, status=Post.Status.PUBLISHED)
        .annotate(
            share_count=Count("shares", distinct=True),
            click_count=Count("shares__clicks"),
        )
        .order_by("-published_at")
    )


def post_figures(organisation: Organisation) -> list[tuple[str, datetime | None, int, int]]:
    """(title, published at, shares, clicks) of each published post, newest first."""
    rows = (
        Post.objects.filter(organisation=organisation, status=Post.Status.PUBLISHED)
        .annotate(share_count=Count("shares", distinct=True), click_count=Count("shares__clicks"))
        .order_by("-published_at")
        .values_list("title", "published_at", "share_count", "click_count")
    )
    return list(rows)


def totals(organisation: Organisation) -> Totals:
    shares = Share.objects.filter(post__organisation=organisation)
    return Totals(
        posts=Post.objects.filter(organisation=organisation, status=Post.Status.PUBLISHED).count(),
        shares=shares.count(),
        clicks=Click.objects.filter(share__post__organisation=organisation).count(),
    )


def clicks_by_network(organisation: Organisation) -> list[tuple[str, int]]:
    """(network key, clicks), most clicked first."""
    rows = (
        Click.objects.filter(share__post__organisation=organisation)
        .values_list("share__network")
        .annotate(clicks=Count("id"))
        .order_by("-clicks")
    )
    return [(network, clicks) for network, clicks in rows]


def clicks_per_day(organisation: Organisation, days: int = 28) -> list[tuple[str, int]]:
    """Clicks on each of the last ``days`` days, oldest first, zero-filled."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    rows = (
        Click.objects.filter(share__post__organisation=organisation, at__date__gte=start)
        .annotate(day=TruncDate("at"))
        .values("day")
        .annotate(clicks=Count("id"))
    )
    by_day = {row["day"]: row["clicks"] for row in rows}
    return [
        ((start + timedelta(days=i)).isoformat(), by_day.get(start + timedelta(days=i), 0))
        for i in range(days)
    ]


def release_latest(organisation: Organisation) -> Release | None:
    """The newest published release: the only source of figures about who takes part."""
    return Release.objects.filter(organisation=organisation).order_by("-year", "-step").first()


def figures_latest(organisation: Organisation) -> ReleaseFigures | None:
    """What the newest release shows: the same for admins, editors and each person's own
    transparency page."""
    release = release_latest(organisation)
    if release is None:
        return None
    return release_figures(release, organisation.min_group_size)
