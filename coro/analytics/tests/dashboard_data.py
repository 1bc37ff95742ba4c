"""Helpers for the dashboard's tests: rollup rows written directly, days of the organisation."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from coro.analytics.models import VisitDay


def org_today(org) -> date:
    return timezone.now().astimezone(ZoneInfo(org.time_zone)).date()


def days_ago(org, n: int) -> date:
    return org_today(org) - timedelta(days=n)


def visit_day(post, *, day: date, network: str = "x", visits=0, new=0, previews=0, team=""):
    return VisitDay.objects.create(
        organisation=post.organisation,
        post=post,
        network=network,
        team=team,
        day=day,
        visits=visits,
        new_visitors=new,
        previews=previews,
    )


def dashboard_url(org, query: str = "") -> str:
    return f"/o/{org.code}/dashboard/" + (f"?{query}" if query else "")
