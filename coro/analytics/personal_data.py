"""What the analytics app holds about a person (see coro/core/personal_data.py)."""

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.analytics.models import (
    NetworkDay,
    PostDay,
    ReflectedStatus,
    Release,
    ReleaseIncrement,
    ReleaseNode,
    ReleasePolicy,
    ReleaseYear,
    RollupCursor,
    ShareVisits,
    VisitDay,
    VisitHour,
)
from coro.core.models import Schedule
from coro.core.personal_data import PersonalDataFile


def team_figures(user: User) -> list[dict[str, Any]]:
    """How the person is counted in each year's team figures (at most one join and one
    leave a year are reflected)."""
    rows = ReflectedStatus.objects.filter(membership__user=user).select_related(
        "membership__organisation"
    )
    return [
        {
            "organisation": s.membership.organisation.name if s.membership else None,
            "year": s.year,
            "counted_as_taking_part": s.counted,
            "group": s.group,
            "changes_reflected": s.changes,
        }
        for s in rows.order_by("year", "pk")
    ]


def share_visits(user: User) -> list[dict[str, Any]]:
    """All the visits and previews each of the person's tracked links brought (kept when
    the raw visits are pruned)."""
    rows = ShareVisits.objects.filter(share__membership__user=user).select_related("share")
    return [
        {
            "link": v.share.code,
            "visits": v.visits,
            "previews": v.previews,
            "last_visit_at": v.last_visit_at.isoformat() if v.last_visit_at else None,
        }
        for v in rows.order_by("share__created_at", "share__code")
    ]


FILES = [
    PersonalDataFile(
        "team_figures.json",
        (ReflectedStatus,),
        team_figures,
        _("How you are counted in each year's team figures, which are published with noise."),
    ),
    PersonalDataFile(
        "share_visits.json",
        (ShareVisits,),
        share_visits,
        _("All the visits and previews each of your tracked links brought, since it was made."),
    ),
]

NOTHING_PERSONAL: dict[type[Model], str] = {
    ReleasePolicy: "how often the organisation publishes team figures",
    ReleaseYear: "the year's settings and groups of teams",
    Release: "published figures about groups, with noise",
    ReleaseIncrement: "changes of a group's count, about no one person",
    ReleaseNode: "noisy sums about groups",
    Schedule: "when a periodic job runs next",
    VisitHour: "visits per post, network and team, hour by hour",
    VisitDay: "visits per post, network and team, day by day",
    RollupCursor: "how far the visits are added up",
    PostDay: "visits per post, day by day",
    NetworkDay: "visits per network, day by day",
}
