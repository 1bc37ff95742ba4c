"""The visits counted towards a common goal, read from the daily rollups (``VisitDay``).

The community app, below this one, holds the goals and the rules of their progress; it
asks this counter for visits (``coro.community.selectors.goal_visits_register``)."""

from datetime import date

from django.db.models import Sum

from coro.analytics.models import VisitDay
from coro.community.models import Goal


def goal_visits(goal: Goal, first: date, last: date) -> int:
    """Visits through the goal's links (its organisation; its team when it has one, as
    recorded when each visit was counted; posts whose link starts with its prefix) from
    ``first`` to ``last``, days of the organisation's time zone, both included."""
    days = VisitDay.objects.filter(
        organisation_id=goal.organisation_id, day__gte=first, day__lte=last
    )
    if goal.team_id is not None:
        assert goal.team is not None
        days = days.filter(team=goal.team.code)
    if goal.link_prefix:
        days = days.filter(post__link__startswith=goal.link_prefix)
    return int(days.aggregate(n=Sum("visits"))["n"] or 0)
