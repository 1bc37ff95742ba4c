"""Helpers for the dashboard's tests: rollup rows written directly, days of the organisation."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F
from django.utils import timezone

from coro.analytics.models import NetworkDay, PostDay, VisitDay


def org_today(org) -> date:
    return timezone.now().astimezone(ZoneInfo(org.time_zone)).date()


def days_ago(org, n: int) -> date:
    return org_today(org) - timedelta(days=n)


def visit_day(post, *, day: date, network: str = "x", visits=0, new=0, previews=0, team=""):
    """One ``VisitDay`` row, added to its post's ``PostDay`` and its network's ``NetworkDay``
    as the rollups add it."""
    counts = {"visits": visits, "new_visitors": new, "previews": previews}
    added = {name: F(name) + value for name, value in counts.items()}
    org = post.organisation
    for model, key in (
        (PostDay, {"organisation": org, "post": post, "day": day}),
        (NetworkDay, {"organisation": org, "network": network, "day": day}),
    ):
        _row, made = model.objects.get_or_create(**key, defaults=counts)
        if not made:
            model.objects.filter(**key).update(**added)
    return VisitDay.objects.create(
        organisation=org, post=post, network=network, team=team, day=day, **counts
    )


def dashboard_url(org, query: str = "") -> str:
    return f"/o/{org.code}/dashboard/" + (f"?{query}" if query else "")
