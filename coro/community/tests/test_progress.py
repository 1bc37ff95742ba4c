"""Goal progress: what counts, over which period, and the privacy rules (selectors docstring)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from coro.analytics.models import VisitDay
from coro.analytics.rollups import rollup_run
from coro.community import selectors
from coro.community.selectors import GoalState, goal_progress, goals_overview
from coro.orgs.models import Organisation, Team
from coro.sharing.models import Click, Share
from testing.factories import (
    GoalFactory,
    MembershipFactory,
    OrganisationFactory,
    PostFactory,
    ShareFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=MADRID)  # a Sunday in the middle of the goal
MARCH = {"starts_on": date(2026, 3, 1), "ends_on": date(2026, 3, 31)}
CAREERS = "https://empresa.example/empleo"


def at(day: int, hour: int = 12, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MADRID)


def team_of(org: Organisation, name: str, size: int) -> Team:
    team = TeamFactory.create(organisation=org, name=name)
    MembershipFactory.create_batch(size, organisation=org, team=team)
    return team


@pytest.fixture
def org() -> Organisation:
    org = OrganisationFactory.create(time_zone="Europe/Madrid", min_group_size=5)
    MembershipFactory.create_batch(5, organisation=org)  # big enough for company figures
    return org


@pytest.fixture
def data(org):
    """Shares and visits of two teams and of nobody, around and inside March."""
    ventas = team_of(org, "Ventas", 5)
    taller = team_of(org, "Taller", 6)
    careers = PostFactory.create(organisation=org, link=f"{CAREERS}/soldador")
    blog = PostFactory.create(organisation=org, link="https://empresa.example/blog/feria")
    seller = ventas.memberships.first()
    maker = taller.memberships.first()

    def share(post, member, when, network="x") -> Share:
        return ShareFactory.create(post=post, membership=member, network=network, created_at=when)

    s_ventas_careers = share(careers, seller, at(2))
    s_ventas_blog = share(blog, seller, at(3))
    s_taller_careers = share(careers, maker, at(15, 9))  # today: not in team counts yet
    share(careers, maker, at(28, 23, month=2), network="linkedin")  # before March

    def visits(s: Share, team: Team | None, *whens: datetime) -> None:
        Click.objects.bulk_create([Click(share=s, team=team, at=w) for w in whens])

    visits(s_ventas_careers, ventas, at(1, 0, 30), at(10), at(14, 23, 59), at(15, 8))
    visits(s_ventas_careers, ventas, at(28, 23, 59, month=2), at(1, 0, 1, month=4))  # outside
    visits(s_ventas_blog, ventas, at(5), at(6))
    visits(s_taller_careers, taller, at(15, 10))
    visits(s_ventas_careers, None, at(12))  # the sharer left: company totals only
    rollup_run()  # goals read the daily rollups, never raw visits
    return {"ventas": ventas, "taller": taller}


def count(org, **kwargs) -> int | None:
    goal = GoalFactory.create(organisation=org, target=10, **{**MARCH, **kwargs})
    return goal_progress(goal, now=NOW).count


def test_company_visits_are_live_and_inside_the_period(org, data):
    # Inside March, up to now: 4 + 2 + 1 + 1 (the anonymous one); the edges of the period
    # are local midnights (00:30 on 1 March counts, 23:59 on 28 February does not).
    assert count(org) == 8


def test_company_visits_with_a_link_prefix(org, data):
    assert count(org, link_prefix=CAREERS) == 6


def test_team_visits_stop_at_the_start_of_today(org, data):
    # Ventas: 1, 10 and 14 March count; 15 March 08:00 (today) does not; the blog's 2 do.
    assert count(org, team=data["ventas"]) == 5
    assert count(org, team=data["ventas"], link_prefix=CAREERS) == 3
    assert count(org, team=data["taller"]) == 0  # its one visit is today's


def test_shares_in_period_team_and_prefix(org, data):
    assert count(org, metric="shares") == 3  # 2 and 3 March, and today's (company: live)
    assert count(org, metric="shares", team=data["ventas"]) == 2
    assert count(org, metric="shares", team=data["ventas"], link_prefix=CAREERS) == 1
    assert count(org, metric="shares", team=data["taller"]) == 0  # today's is not counted


def test_team_progress_says_up_to_yesterday_and_company_does_not(org, data):
    team_goal = GoalFactory.create(organisation=org, team=data["ventas"], **MARCH)
    company_goal = GoalFactory.create(organisation=org, **MARCH)
    team = goal_progress(team_goal, now=NOW)
    company = goal_progress(company_goal, now=NOW)
    assert team.up_to_yesterday and team.counted_until == at(15, 0)
    assert not company.up_to_yesterday and company.counted_until == NOW


def test_a_finished_team_goal_counts_its_whole_period(org, data):
    goal = GoalFactory.create(
        organisation=org, team=data["ventas"], starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 14)
    )
    progress = goal_progress(goal, now=NOW)
    assert progress.state == GoalState.ENDED
    assert progress.count == 5
    assert not progress.up_to_yesterday


def test_a_team_that_shrank_has_its_progress_hidden(org, data):
    goal = GoalFactory.create(organisation=org, team=data["ventas"], **MARCH)
    assert goal_progress(goal, now=NOW).count == 5
    leaving = data["ventas"].memberships.last()
    leaving.deactivated_at = NOW
    leaving.save()
    progress = goal_progress(goal, now=NOW)
    assert progress.hidden and progress.count is None and progress.percent is None


def test_percent_and_bar(org, data):
    goal = GoalFactory.create(organisation=org, target=3, **MARCH)
    progress = goal_progress(goal, now=NOW)
    assert progress.count == 8
    assert progress.percent == 266  # rounded down; over 100 once passed
    assert progress.bar_value == 3 and progress.reached


def test_states_and_order(org):
    ended = GoalFactory.create(
        organisation=org, title="Feb", starts_on=date(2026, 2, 1), ends_on=date(2026, 2, 28)
    )
    upcoming = GoalFactory.create(
        organisation=org, title="Apr", starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 30)
    )
    running = GoalFactory.create(organisation=org, title="Mar", **MARCH)
    ended_early = GoalFactory.create(
        organisation=org, title="Jan", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 31)
    )
    overview = goals_overview(org, now=NOW)
    assert [p.goal for p in overview] == [running, upcoming, ended, ended_early]
    assert [p.state for p in overview] == ["active", "upcoming", "ended", "ended"]
    assert overview[1].count == 0 and overview[1].counted_until is None


def test_a_company_smaller_than_the_group_size_has_its_progress_hidden(data):
    """Rule (c): a tiny organisation is a small group too, so its company goals follow the
    team rule: no figure at all (not even up to yesterday) until it is big enough."""
    small = OrganisationFactory.create(time_zone="Europe/Madrid", min_group_size=5)
    members = MembershipFactory.create_batch(4, organisation=small)
    share = ShareFactory.create(
        post=PostFactory.create(organisation=small), membership=members[0], created_at=at(2)
    )
    Click.objects.bulk_create([Click(share=share, at=at(d)) for d in (3, 4, 14)])
    rollup_run()
    goal = GoalFactory.create(organisation=small, target=10, **MARCH)
    progress = goal_progress(goal, now=NOW)
    assert progress.hidden and progress.count is None and progress.percent is None
    assert progress.counted_until is None and not progress.reached
    assert [p.hidden for p in goals_overview(small, now=NOW)] == [True]
    # A deactivated member does not count towards the size; a fifth active one does.
    MembershipFactory.create(organisation=small, deactivated_at=NOW)
    assert goal_progress(goal, now=NOW).hidden
    MembershipFactory.create(organisation=small)
    assert goal_progress(goal, now=NOW).count == 3
    assert goals_overview(small, now=NOW)[0].count == 3


# --- Visits come from the daily rollups, never from raw visits -----------------------------


def test_visits_are_read_from_the_rollups_not_the_raw_rows(org, data):
    assert count(org) == 8
    # Raw visits pruned after VISITS_KEEP_DAYS: the rollups keep the goal's count.
    Click.objects.all().delete()
    assert count(org) == 8
    assert count(org, team=data["ventas"]) == 5
    # A raw visit not yet added up does not count until the rollups run (a few minutes).
    share = Share.objects.filter(membership__team=data["ventas"]).first()
    Click.objects.create(share=share, team=data["ventas"], at=at(10))
    assert count(org) == 8
    rollup_run()
    assert count(org) == 9
    assert count(org, team=data["ventas"]) == 6


def test_team_visits_are_those_of_the_team_code_on_the_rollup(org, data):
    """A team goal counts rollups of its team (the sharer's team when each visit was
    counted), of its organisation only, on days of the organisation's time zone."""
    assert count(org, team=data["taller"]) == 0  # its one visit is today's
    VisitDay.objects.filter(team=data["ventas"].code, day__lt=date(2026, 3, 15)).update(
        team=data["taller"].code
    )
    assert count(org, team=data["ventas"]) == 0
    assert count(org, team=data["taller"]) == 5
    other = OrganisationFactory.create()
    VisitDay.objects.create(
        organisation=other,
        post=PostFactory.create(organisation=other, link=CAREERS),
        network="x",
        team=data["taller"].code,
        day=date(2026, 3, 10),
        visits=100,
    )
    assert count(org, team=data["taller"]) == 5
    assert count(org) == 8


def test_company_visits_count_today_and_team_visits_stop_at_yesterday(org, data):
    post = PostFactory.create(organisation=org, link=f"{CAREERS}/pintor")
    for day, team in ((date(2026, 3, 14), data["taller"]), (date(2026, 3, 15), data["taller"])):
        VisitDay.objects.create(
            organisation=org, post=post, network="x", team=team.code, day=day, visits=10
        )
    assert count(org) == 8 + 20
    assert count(org, team=data["taller"]) == 10  # 14 March; today (15) waits for tomorrow
    ended = GoalFactory.create(
        organisation=org,
        team=data["taller"],
        starts_on=date(2026, 3, 15),
        ends_on=date(2026, 3, 15),
    )
    assert goal_progress(ended, now=at(16, 9)).count == 10 + 1  # 15 March, once it is over


def test_without_a_counter_of_visits_goals_say_so(org, data, monkeypatch):
    monkeypatch.setattr(selectors, "_goal_visits", [])
    with pytest.raises(ImproperlyConfigured):
        count(org)
    assert count(org, metric="shares") == 3  # shares are not visits: counted as before
