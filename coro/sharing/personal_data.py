"""What the sharing app holds about a person (see coro/core/personal_data.py)."""

from typing import Any

from django.db.models import Count, IntegerField, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.core.personal_data import PersonalDataFile
from coro.sharing.models import (
    Click,
    Preview,
    ScheduledPost,
    Share,
    SpoolCursor,
    VisitSalt,
    VisitSeen,
)


def _count_of(rows: "QuerySet[Click] | QuerySet[Preview]") -> Coalesce:
    """The number of ``rows`` of each share, as a subquery (two counts joined in one query
    would multiply each other)."""
    counted = rows.filter(share=OuterRef("pk")).order_by().values("share").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)


def shares(user: User) -> list[dict[str, Any]]:
    rows = (
        Share.objects.filter(membership__user=user)
        .select_related("post__organisation")
        .annotate(
            click_count=_count_of(Click.objects.all()),
            preview_count=_count_of(Preview.objects.all()),
        )
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
            "previews": s.preview_count,
        }
        for s in rows
    ]


def _per_link_and_day(rows: QuerySet[Click] | QuerySet[Preview], name: str) -> list[dict[str, Any]]:
    counted = (
        rows.annotate(day=TruncDate("at"))
        .values("share__code", "day")
        .annotate(n=Count("id"))
        .order_by("share__code", "day")
    )
    return [{"share": r["share__code"], "day": r["day"], name: r["n"]} for r in counted]


def clicks(user: User) -> list[dict[str, Any]]:
    return _per_link_and_day(Click.objects.filter(share__membership__user=user), "clicks")


def previews(user: User) -> list[dict[str, Any]]:
    return _per_link_and_day(Preview.objects.filter(share__membership__user=user), "previews")


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
        _(
            "What you shared, where, with which words, and how many visits and previews each "
            "share brought in the days Coro keeps single visits."
        ),
    ),
    PersonalDataFile(
        "clicks.json",
        (Click,),
        clicks,
        _(
            "Visits through your shared links, per share and per day, for the days Coro keeps "
            "single visits (older ones are only in the totals)."
        ),
    ),
    PersonalDataFile(
        "previews.json",
        (Preview,),
        previews,
        _(
            "Previews of your shared links (a network or an app showing the link's card, a "
            "crawler, a browser loading it ahead), counted apart from visits, per share and "
            "per day, for the days Coro keeps them."
        ),
    ),
    PersonalDataFile(
        "scheduled_posts.json",
        (ScheduledPost,),
        scheduled_posts,
        _("Posts you asked Coro to make on your connected accounts, and what became of them."),
    ),
]

NOTHING_PERSONAL: dict[type[Model], str] = {
    VisitSalt: "the random salt of a day's visitor hashes, deleted once the day is over",
    VisitSeen: "keyed hashes of visitors, meaningless once the day's salt is gone",
    SpoolCursor: "how far each web process's file of visits was counted",
}
