"""What the community pages read: the thank-you board and the progress of common goals.

Recognition (charter rule 3). The board names only people who chose to appear
(``Membership.recognition_opt_in``) and are still active members. Only they are ever
queried: nobody else is named, counted apart ("and 12 others") or ranked, and nothing on
the board tells who is absent. People are listed alphabetically, with what they did that
month (accepted proposals with their titles; "shared company posts", without a count).

Common goals (charter rules 3 and 10). Progress is collective: a team or the whole company,
never a person. A live, exact count for a small team would tell an editor watching the page
who just shared, so:

(a) a team goal needs a team of at least ``organisation.min_group_size`` active members
    (``services`` refuses to save one otherwise); if the team later shrinks below it, the
    goal's progress is hidden, with the reason;
(b) team-goal progress counts data only up to the start of today in the organisation's time
    zone, never live ("up to yesterday"), so a count does not move while someone watches;
(c) company-wide goals count up to now, as the dashboard's exact totals do, except in an
    organisation with fewer than ``min_group_size`` active members: there the whole company
    is such a small group, so rule (a) applies to it and company progress is hidden, with
    the reason, until the organisation is big enough.

Visits and shares are counted in the team recorded on them at the time (``Click.team``,
``Share.team``), so moving a person between teams later moves nothing.

Visits are read from the daily visit rollups (days of the organisation's time zone), never
from raw visits. Those rollups belong to the analytics app, which is above this one
(docs/development.md): it gives its counter to ``goal_visits_register`` when it starts.
Company progress is then as live as the rollups (a few minutes behind).
"""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils import timezone

from coro.community.models import Goal
from coro.community.months import day_start, days_span, month_next, month_previous, month_span
from coro.content.models import Post
from coro.orgs.models import Membership, Organisation, Team
from coro.orgs.selectors import credited_name
from coro.sharing.models import Share

# --- Recognition ------------------------------------------------------------------------


def recognised_members(organisation: Organisation) -> QuerySet[Membership]:
    """The people who may be named: active members who opted in."""
    return (
        Membership.objects.active()
        .filter(organisation=organisation, recognition_opt_in=True)
        .select_related("user")
    )


@dataclass(frozen=True)
class Thanks:
    """One person on the board, and what they are thanked for."""

    name: str
    proposals: tuple[str, ...]  # titles of their proposals published that month
    shared: bool  # they shared company posts through Coro that month


@dataclass(frozen=True)
class ThanksBoard:
    month: date
    people: tuple[Thanks, ...]
    previous: date | None  # None before the organisation existed
    next: date | None  # None for the current month


def _sort_key(name: str) -> tuple[str, str]:
    """Alphabetical the way people read it: "Álvaro" with the A's."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return plain.casefold(), name


def organisation_zone(organisation: Organisation) -> ZoneInfo:
    return ZoneInfo(organisation.time_zone)


def current_month(organisation: Organisation, now: datetime | None = None) -> date:
    today = (now or timezone.now()).astimezone(organisation_zone(organisation)).date()
    return today.replace(day=1)


def thanks_board(
    organisation: Organisation, month: date, *, now: datetime | None = None
) -> ThanksBoard:
    """The thank-you board of ``month`` (its first day), in the organisation's time zone."""
    zone = organisation_zone(organisation)
    start, end = month_span(month, zone)
    named = {m.pk: m for m in recognised_members(organisation)}
    proposals: dict[int, list[str]] = {}
    accepted = Post.objects.filter(
        organisation=organisation,
        proposed_by__in=named.keys(),
        status__in=[Post.Status.PUBLISHED, Post.Status.ARCHIVED],
        published_at__gte=start,
        published_at__lt=end,
    )
    for post in accepted:
        assert post.proposed_by_id is not None
        proposals.setdefault(post.proposed_by_id, []).append(post.title)
    sharers = set(
        Share.objects.filter(
            post__organisation=organisation,
            membership__in=named.keys(),
            created_at__gte=start,
            created_at__lt=end,
        ).values_list("membership_id", flat=True)
    )
    people = []
    for pk in proposals.keys() | sharers:
        name = credited_name(named[pk])
        if name is not None:
            titles = tuple(sorted(proposals.get(pk, []), key=_sort_key))
            people.append(Thanks(name=name, proposals=titles, shared=pk in sharers))
    this_month = current_month(organisation, now)
    first = organisation.created_at.astimezone(zone).date().replace(day=1)
    return ThanksBoard(
        month=month,
        people=tuple(sorted(people, key=lambda t: _sort_key(t.name))),
        previous=month_previous(month) if month > first else None,
        next=month_next(month) if month < this_month else None,
    )


# --- Common goals -----------------------------------------------------------------------


class GoalState(StrEnum):
    UPCOMING = "upcoming"
    ACTIVE = "active"
    ENDED = "ended"


def team_size(team: Team) -> int:
    """Active members of the team now (what the group-size rule is about)."""
    return Membership.objects.active().filter(team=team).count()


def team_big_enough(team: Team, organisation: Organisation) -> bool:
    """The team may have a goal: it has at least the organisation's smallest group size."""
    return team_size(team) >= organisation.min_group_size


def organisation_size(organisation: Organisation) -> int:
    """Active members of the organisation now."""
    return Membership.objects.active().filter(organisation=organisation).count()


def organisation_big_enough(organisation: Organisation) -> bool:
    """Company progress may be shown: the organisation has at least its smallest group size
    (rule c)."""
    return organisation_size(organisation) >= organisation.min_group_size


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    state: GoalState
    # None when the progress is hidden (the team, or for a company goal the organisation, is
    # smaller than the group-size rule).
    count: int | None
    # Counted up to (not including) this instant; None when nothing was counted.
    counted_until: datetime | None
    # Counted up to the start of today, not live (team goals still running).
    up_to_yesterday: bool

    @property
    def hidden(self) -> bool:
        return self.count is None

    @property
    def percent(self) -> int | None:
        """Rounded down, so 100 % means reached; may pass 100."""
        if self.count is None:
            return None
        return self.count * 100 // self.goal.target

    @property
    def bar_value(self) -> int:
        return min(self.count or 0, self.goal.target)

    @property
    def reached(self) -> bool:
        return self.count is not None and self.count >= self.goal.target


def goal_state(goal: Goal, today: date) -> GoalState:
    if today < goal.starts_on:
        return GoalState.UPCOMING
    if today > goal.ends_on:
        return GoalState.ENDED
    return GoalState.ACTIVE


# The visits of a goal's links (its organisation, team and link prefix) from its first to
# its last day, both included, in days of the organisation's time zone.
GoalVisits = Callable[[Goal, date, date], int]
_goal_visits: list[GoalVisits] = []


def goal_visits_register(counter: GoalVisits) -> None:
    """Count goals' visits with ``counter`` (the analytics app's, read from its rollups)."""
    _goal_visits[:] = [counter]


def _visits_counted(goal: Goal, first: date, last: date) -> int:
    if not _goal_visits:
        raise ImproperlyConfigured("No counter of goal visits: is coro.analytics installed?")
    return _goal_visits[0](goal, first, last)


def _counted(goal: Goal, start: datetime, until: datetime, last_day: date) -> int:
    if goal.metric == Goal.Metric.VISITS:
        return _visits_counted(goal, goal.starts_on, last_day)
    shares = Share.objects.filter(
        post__organisation=goal.organisation, created_at__gte=start, created_at__lt=until
    )
    if goal.team_id is not None:
        shares = shares.filter(team_id=goal.team_id)
    if goal.link_prefix:
        shares = shares.filter(post__link__startswith=goal.link_prefix)
    return shares.count()


def goal_progress(
    goal: Goal, *, now: datetime | None = None, company_big_enough: bool | None = None
) -> GoalProgress:
    """How far the goal has come, under the privacy rules of this module's docstring.

    ``company_big_enough`` is ``organisation_big_enough(goal.organisation)`` when the caller
    already knows it (one query for a whole page of goals)."""
    now = now or timezone.now()
    zone = organisation_zone(goal.organisation)
    today = now.astimezone(zone).date()
    state = goal_state(goal, today)
    if goal.team is not None:
        big_enough = team_big_enough(goal.team, goal.organisation)
    elif company_big_enough is not None:
        big_enough = company_big_enough
    else:
        big_enough = organisation_big_enough(goal.organisation)
    if not big_enough:
        return GoalProgress(goal, state, None, None, up_to_yesterday=False)
    start, end = days_span(goal.starts_on, goal.ends_on, zone)
    # Team goals: never live, up to the end of yesterday. Company goals: up to now (visits: up
    # to the end of today, as far as the rollups have come).
    team = goal.team_id is not None
    until = min(end, day_start(today, zone) if team else now)
    last_day = min(goal.ends_on, today - timedelta(days=1) if team else today)
    up_to_yesterday = team and state == GoalState.ACTIVE
    if until <= start:
        return GoalProgress(goal, state, 0, None, up_to_yesterday)
    count = _counted(goal, start, until, last_day)
    return GoalProgress(goal, state, count, until, up_to_yesterday)


_STATE_ORDER = {GoalState.ACTIVE: 0, GoalState.UPCOMING: 1, GoalState.ENDED: 2}


def goals_overview(
    organisation: Organisation, *, now: datetime | None = None
) -> list[GoalProgress]:
    """Every goal of the organisation with its progress: running goals first (ending soonest
    first), then those not started yet, then finished ones (most recent first)."""
    now = now or timezone.now()
    goals = Goal.objects.filter(organisation=organisation).select_related("team", "organisation")
    company = organisation_big_enough(organisation)
    progress = [goal_progress(goal, now=now, company_big_enough=company) for goal in goals]

    def order(p: GoalProgress) -> tuple[int, int, str]:
        day = {
            GoalState.ACTIVE: p.goal.ends_on.toordinal(),
            GoalState.UPCOMING: p.goal.starts_on.toordinal(),
            GoalState.ENDED: -p.goal.ends_on.toordinal(),
        }[p.state]
        return _STATE_ORDER[p.state], day, p.goal.title.casefold()

    return sorted(progress, key=order)
