"""Aggregates only: numbers about posts, networks and groups, never about a named person."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from coro.analytics.groups import Group
from coro.content.models import Post
from coro.orgs.models import Membership, Organisation, Team
from coro.program.models import Participation
from coro.program.selectors import enrolled_count
from coro.sharing.models import Click, Share


@dataclass(frozen=True)
class Totals:
    posts: int
    shares: int
    clicks: int
    # None when the organisation itself is smaller than its minimum group size.
    participants: int | None


def member_count(organisation: Organisation) -> int:
    return Membership.objects.filter(organisation=organisation).count()


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
        participants=(
            enrolled_count(organisation)
            if member_count(organisation) >= organisation.min_group_size
            else None
        ),
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


def _by_team(queryset: QuerySet[Any], team_field: str) -> dict[int | None, int]:
    rows = queryset.order_by().values_list(team_field).annotate(n=Count("id"))
    return {team_id: n for team_id, n in rows}


def team_groups(organisation: Organisation) -> list[Group]:
    """Every team, then the people without one, each with its numbers. Not for showing as
    it is: pass it through ``merge_small_groups`` first.

    Shares of people whose membership is gone (erased) count in the totals only.
    """
    sizes = _by_team(Membership.objects.filter(organisation=organisation), "team_id")
    participants = _by_team(
        Participation.objects.filter(
            membership__organisation=organisation, status=Participation.Status.ENROLLED
        ),
        "membership__team_id",
    )
    # Activity counts in the team it happened in (recorded at the time), never in the
    # person's team of today: moving someone between teams moves nothing.
    shares = _by_team(
        Share.objects.filter(post__organisation=organisation, membership__isnull=False),
        "team_id",
    )
    clicks = _by_team(
        Click.objects.filter(share__post__organisation=organisation, team__isnull=False),
        "team_id",
    )
    keys: list[tuple[int | None, str]] = [
        (team.pk, team.name) for team in Team.objects.filter(organisation=organisation)
    ]
    keys.append((None, _("No team")))
    return [
        Group(
            name=name,
            size=sizes.get(key, 0),
            participants=participants.get(key, 0),
            shares=shares.get(key, 0),
            clicks=clicks.get(key, 0),
        )
        for key, name in keys
    ]
