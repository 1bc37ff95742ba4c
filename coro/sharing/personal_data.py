"""What the sharing app holds about a person (see coro/core/personal_data.py)."""

from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.core.personal_data import PersonalDataFile
from coro.sharing.models import Click, ScheduledPost, Share


def shares(user: User) -> list[dict[str, Any]]:
    rows = (
        Share.objects.filter(membership__user=user)
        .select_related("post__organisation")
        .annotate(click_count=Count("clicks"))
        .order_by("created_at", "pk")
    )
    return [
        {
            "organisation": s.post.organisation.name,
            "post": s.post.title,
            "post_link": s.post.link,
            "network": s.network,
            "text": s.text,
            "code": s.code,
            "tracked_link": s.tracked_link,
            "created_at": s.created_at,
            "clicks": s.click_count,
        }
        for s in rows
    ]


def clicks(user: User) -> list[dict[str, Any]]:
    rows = (
        Click.objects.filter(share__membership__user=user)
        .annotate(day=TruncDate("at"))
        .values("share__code", "day")
        .annotate(clicks=Count("id"))
        .order_by("share__code", "day")
    )
    return [{"share": r["share__code"], "day": r["day"], "clicks": r["clicks"]} for r in rows]


def scheduled_posts(user: User) -> list[dict[str, Any]]:
    rows = ScheduledPost.objects.filter(share__membership__user=user).select_related("share__post")
    return [
        {
            "post": p.share.post.code,
            "network": p.share.network,
            "text": p.text,
            "run_at": p.run_at,
            "status": p.status,
            "posted_at": p.posted_at,
            "url": p.remote_url,
        }
        for p in rows.order_by("run_at")
    ]


FILES = [
    PersonalDataFile(
        "shares.json",
        (Share,),
        shares,
        _("What you shared, where, with which words, and how many visits each share brought."),
    ),
    PersonalDataFile(
        "clicks.json",
        (Click,),
        clicks,
        _("Visits through your shared links, per share and per day."),
    ),
    PersonalDataFile(
        "scheduled_posts.json",
        (ScheduledPost,),
        scheduled_posts,
        _("Posts you asked Coro to make on your connected accounts, and what became of them."),
    ),
]
