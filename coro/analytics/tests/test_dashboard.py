"""The editors' and admins' dashboard: who may see it, what each figure counts, the
group-size rule, the latest release for participation, and a fixed number of queries."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coro.analytics.rollups import rollup_run
from coro.analytics.services import release_make
from coro.analytics.tests.dashboard_data import dashboard_url, days_ago, org_today, visit_day
from coro.connections.models import ConnectedAccount, NetworkProfile
from coro.orgs.models import Team
from coro.program.selectors import terms_current
from coro.program.services import program_join
from coro.sharing.models import ScheduledPost
from coro.sharing.services import share_get_or_create
from testing.factories import (
    ClickFactory,
    CommentFactory,
    ConnectedAccountFactory,
    GoalFactory,
    MembershipFactory,
    PostFactory,
    ReactionFactory,
    ScheduledPostFactory,
    ShareFactory,
    TeamFactory,
)

DASH = "\u2013"  # shown where a figure is hidden or there is nothing to count


def stat(html: str, stat_id: str) -> str | None:
    match = re.search(rf'id="{stat_id}">([^<]*)<', html)
    return match.group(1) if match else None


def get(client, org, query: str = "") -> str:
    response = client.get(dashboard_url(org, query), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def editor(tenancy):
    return tenancy.client_for(tenancy.editor.user)


@pytest.fixture
def activity(tenancy):
    """Two posts with shares, posts made, visits (rollups), reactions and comments."""
    org = tenancy.org
    first = PostFactory(organisation=org, title="Primera")
    second = PostFactory(organisation=org, title="Segunda")
    PostFactory(organisation=org, title="Borrador", status="draft", published_at=None)
    sharer = MembershipFactory(organisation=org, user__name="Sara Compartidora")
    x = ShareFactory(post=first, membership=sharer, network="x")
    ShareFactory(post=first, membership=sharer, network="linkedin")
    ShareFactory(post=second, membership=sharer, network="x")
    posted = ScheduledPostFactory(share=x, account__network="x")
    ScheduledPost.objects.filter(pk=posted.pk).update(
        status=ScheduledPost.Status.POSTED, posted_at=timezone.now()
    )
    ScheduledPostFactory(share=x, account__network="x")  # still waiting: not a post made
    visit_day(first, day=days_ago(org, 1), visits=3, new=2, previews=4)
    visit_day(first, day=days_ago(org, 2), network="linkedin", visits=5, new=5)
    visit_day(second, day=days_ago(org, 40), visits=100, new=90)  # outside the 28 days
    ReactionFactory(post=first)
    ReactionFactory(post=second, kind="love")
    CommentFactory(post=first)
    CommentFactory(post=first, hidden_at=timezone.now())  # hidden by an editor: not counted
    # Another organisation's activity never leaks into these numbers.
    other = PostFactory(organisation=tenancy.other_org)
    visit_day(other, day=days_ago(tenancy.other_org, 1), visits=50, new=50)
    ShareFactory.create_batch(4, post=other)
    ReactionFactory(post=other)
    return first, second


def test_editors_and_admins_see_the_dashboard(tenancy):
    for member in (tenancy.editor, tenancy.admin):
        response = tenancy.client_for(member.user).get(dashboard_url(tenancy.org))
        assert response.status_code == 200


def test_employees_cannot_see_the_dashboard(tenancy):
    client = tenancy.client_for(tenancy.employee.user)
    assert client.get(dashboard_url(tenancy.org)).status_code == 403


def test_outsiders_get_404(tenancy):
    client = tenancy.client_for(tenancy.outsider.user)
    assert client.get(dashboard_url(tenancy.org)).status_code == 404


def test_totals_count_what_they_say(tenancy, editor, activity):
    html = get(editor, tenancy.org)
    assert stat(html, "total-posts") == "2"
    assert stat(html, "total-shares") == "3"  # share dialogs opened
    assert stat(html, "total-posts-made") == "1"
    assert stat(html, "total-clicks") == "8"  # visits, from the daily rollups
    assert stat(html, "total-unique-visitors") == "7"
    assert stat(html, "total-previews") == "4"
    assert stat(html, "total-reactions") == "2"
    assert stat(html, "total-comments") == "1"
    assert "Sara Compartidora" not in html
    assert "Emilio Empleado" not in html


def test_figures_are_named_for_what_they_measure(tenancy, editor, activity):
    html = get(editor, tenancy.org)
    assert "Share dialogs opened" in html
    assert "They may not have posted it" in html
    assert "Posts made through a connected account" in html
    assert "Unique visitors per day, added up" in html
    assert "Previews by link-preview fetchers and bots" in html
    assert "times shared" not in html.lower()
    assert ">shares<" not in html.lower()


def test_a_longer_range_takes_in_older_visits(tenancy, editor, activity):
    html = get(editor, tenancy.org, "range=90d")
    assert stat(html, "total-clicks") == "108"
    html = get(editor, tenancy.org, "range=7d")
    assert stat(html, "total-clicks") == "8"


def test_shares_and_visits_are_not_shown_by_team(tenancy, editor, activity):
    TeamFactory(organisation=tenancy.org, name="Ventas")
    html = get(editor, tenancy.org)
    assert 'id="visits-by-team"' not in html
    assert "Ventas" not in html


def test_per_post_table(tenancy, editor, activity):
    html = get(editor, tenancy.org)
    rows = dict(
        re.findall(r'<tr data-post="[^"]+"><th scope="row"[^>]*>([^<]+)</th>(.*?)</tr>', html)
    )
    assert set(rows) == {"Primera", "Segunda"}  # the draft was never published or shared
    cells = dict(re.findall(r'data-col="([a-z-]+)">([^<]*)<', rows["Primera"]))
    assert (cells["shares"], cells["posts-made"], cells["clicks"], cells["previews"]) == (
        "2",
        "1",
        "8",
        "4",
    )


def test_per_post_table_pages_by_20_keeping_the_range(tenancy, editor):
    for n in range(23):
        PostFactory(organisation=tenancy.org, title=f"Post {n:02d}")
    html = get(editor, tenancy.org, "range=7d")
    assert html.count("<tr data-post=") == 20
    assert "?range=7d&amp;page=2#by-post" in html
    html = get(editor, tenancy.org, "range=7d&page=2")
    assert html.count("<tr data-post=") == 3


# --- Reach and the group-size rule ----------------------------------------------------------


@pytest.fixture
def sharers(tenancy):
    """Five people share one post on Bluesky: audiences 100 (account), 50 (account, over the
    30 they told), 20 (told), unknown, and an erased person (unknown). The shares are made
    as the share screen makes them, which records each sharer's audience of that moment."""
    org = tenancy.org
    post = PostFactory(organisation=org, title="Alcance")
    people = MembershipFactory.create_batch(4, organisation=org)
    ConnectedAccountFactory(membership=people[0], network="bluesky", followers_count=100)
    ConnectedAccountFactory(membership=people[1], network="bluesky", followers_count=50)
    NetworkProfile.objects.create(membership=people[1], network="bluesky", approximate_audience=30)
    NetworkProfile.objects.create(membership=people[2], network="bluesky", approximate_audience=20)
    # Audience on another network does not count for a Bluesky share.
    NetworkProfile.objects.create(membership=people[3], network="x", approximate_audience=999)
    for person in people:
        share_get_or_create(post=post, membership=person, network="bluesky")
    ShareFactory(post=post, membership=None, network="bluesky")
    # An audience that grew after the share does not change the reach of that share.
    ConnectedAccount.objects.filter(membership=people[0]).update(followers_count=100_000)
    return post, people


def test_reach_is_the_sum_of_known_audiences(tenancy, editor, sharers):
    tenancy.org.min_group_size = 4
    tenancy.org.save()
    html = get(editor, tenancy.org)
    assert stat(html, "total-reach") == "170"
    assert "2 shares had no known audience and are not counted" in html
    assert "never reads follower lists" in html
    assert re.search(r'data-col="reach">170<', html)


def test_reach_is_hidden_when_fewer_people_shared(tenancy, editor, sharers):
    """Four different people shared (the erased one is not counted as a person): with a
    minimum group of 5 the sum of their audiences is not shown, on the page or per post."""
    html = get(editor, tenancy.org)
    assert stat(html, "total-reach") == DASH
    assert "Fewer than 5 people shared: not shown." in html
    assert "170" not in html
    assert 'data-reach="hidden">hidden<sup aria-hidden="true">*</sup>' in html
    assert "fewer than 5 people shared</span>" in html  # read out with the short cell
    assert "* Hidden: fewer than 5 different people shared the post" in html  # one footnote


def test_reach_per_post_obeys_the_rule_per_post(tenancy, editor, sharers):
    """Enough people overall, but only one on the second post: its reach is hidden."""
    tenancy.org.min_group_size = 4
    tenancy.org.save()
    _post, people = sharers
    lonely = PostFactory(organisation=tenancy.org, title="Solitario")
    ConnectedAccountFactory(membership=people[0], network="x", followers_count=7777)
    share_get_or_create(post=lonely, membership=people[0], network="x")
    html = get(editor, tenancy.org)
    assert stat(html, "total-reach") == "7,947"
    row = re.search(rf'<tr data-post="{lonely.code}">(.*?)</tr>', html).group(1)
    assert 'data-reach="hidden"' in row and "fewer than 4 people shared" in row
    assert "7777" not in row and "7,777" not in row


# --- Participation: the latest release only ------------------------------------------------


def no_noise(scale: float) -> int:
    """Zero noise: the release's estimate is the exact (clamped) count, so the tests can
    say which figure must be shown. Never used for published figures."""
    return 0


def team_rows(html: str, section: str) -> dict[str, list[str]]:
    """{group name: [members, taking part, rate]} of the release table in ``section``."""
    part = re.search(rf'id="{section}"(.*?)</section>', html, re.DOTALL)
    body = re.search(r"<tbody>(.*?)</tbody>", part.group(1), re.DOTALL) if part else None
    if body is None:
        return {}
    rows = re.findall(r'<tr[^>]*><th scope="row">(.*?)</th>(.*?)</tr>', body.group(1))
    return {name: re.findall(r'<td class="num"[^>]*>(.*?)</td>', cells) for name, cells in rows}


@pytest.fixture
def teams(tenancy):
    """Ventas 6 people (3 take part), Taller 5 (1), Diseño 2 (2), and the 3 of the tenancy
    with no team (none take part); some shares and visits."""
    terms = terms_current(tenancy.org)
    sizes = {"Ventas": (6, 3), "Taller": (5, 1), "Diseño": (2, 2)}
    people = {}
    for name, (size, joining) in sizes.items():
        team = TeamFactory(organisation=tenancy.org, name=name)
        people[name] = MembershipFactory.create_batch(size, organisation=tenancy.org, team=team)
        for member in people[name][:joining]:
            program_join(membership=member, terms=terms)
    post = PostFactory(organisation=tenancy.org, title="Feria de Valencia")
    ShareFactory(post=post, membership=people["Ventas"][0])
    ShareFactory(post=post, membership=None, network="email")
    visit_day(post, day=org_today(tenancy.org), visits=14, new=10)
    return people


def test_a_release_counts_members_and_participants_per_group_and_nothing_else(tenancy, teams):
    release = release_make(organisation=tenancy.org, noise=no_noise)
    names = {team.code: team.name for team in Team.objects.filter(organisation=tenancy.org)}
    groups = {
        names.get(g["key"][2:], g["key"]): (g["size"], g["participants"])
        for g in release.figures["groups"]
    }
    assert groups == {"Taller": (5, 1), "Ventas": (6, 3), "other": (5, 2)}
    assert all(set(g) == {"key", "name", "size", "participants"} for g in release.figures["groups"])


def test_dashboard_shows_the_release_with_small_teams_merged(tenancy, editor, teams):
    release_make(organisation=tenancy.org, noise=no_noise)
    html = get(editor, tenancy.org)
    assert team_rows(html, "participation-by-team") == {
        "Taller": ["5", "about 1", "about 20 %"],
        "Ventas": ["6", "about 3", "about 60 %"],
        "Other": ["5", "about 2", "about 40 %"],
    }
    assert "Diseño" not in html
    assert "No team" not in html
    assert 'id="total-clicks">14<' in html
    assert 'id="total-participants" title="about 6">≈ 6<' in html
    assert 'id="release-date">Figures published on' in html


def test_participation_does_not_follow_the_range(tenancy, editor, teams):
    """The release is shown whatever the range: it is never recomputed for other days."""
    release_make(organisation=tenancy.org, noise=no_noise)
    for query in ("range=7d", "range=year", "from=2020-01-01&to=2020-01-31"):
        html = get(editor, tenancy.org, query)
        assert len(team_rows(html, "participation-by-team")) == 3


def test_a_lone_small_team_is_not_recoverable_from_the_totals(tenancy, editor, teams):
    tenancy.org.min_group_size = 3
    tenancy.org.save()
    release_make(organisation=tenancy.org, noise=no_noise)
    rows = team_rows(get(editor, tenancy.org), "participation-by-team")
    assert list(rows) == ["Taller", "Ventas", "Other"]
    assert rows["Other"] == ["5", "about 2", "about 40 %"]


def test_before_the_first_release_there_are_no_participation_figures(tenancy, editor, teams):
    html = get(editor, tenancy.org)
    assert "will be published at the next scheduled release" in html
    assert 'id="total-participants"' not in html
    assert team_rows(html, "participation-by-team") == {}
    assert 'id="total-clicks">14<' in html


def test_small_organisation_shows_no_team_numbers_and_no_participant_count(tenancy, editor):
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    TeamFactory(organisation=tenancy.org, name="Ventas")
    release_make(organisation=tenancy.org, noise=no_noise)
    response = editor.get(dashboard_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.context["figures"].participants is None
    assert 'id="total-participants"' not in html
    assert team_rows(html, "participation-by-team") == {}
    assert "Ventas" not in html


@pytest.mark.parametrize("language", ["es", "ca", "en"])
def test_dashboard_renders_in_every_language(tenancy, teams, language):
    release_make(organisation=tenancy.org, noise=no_noise)
    response = tenancy.client_for(tenancy.admin.user).get(
        dashboard_url(tenancy.org), HTTP_ACCEPT_LANGUAGE=language
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert len(team_rows(html, "participation-by-team")) == 3


# --- Climate, goals, empty state ----------------------------------------------------------


def test_climate_per_day(tenancy, editor, activity):
    first, _ = activity
    ReactionFactory(post=first, kind="celebrate", created_at=timezone.now() - timedelta(days=3))
    html = get(editor, tenancy.org)
    assert stat(html, "total-reactions") == "3"
    table = re.search(r'id="chart-climate-table">(.*?)</table>', html, re.DOTALL).group(1)
    values = re.findall(r'<td class="num">(\d+)</td><td class="num">(\d+)</td>', table)
    assert len(values) == 28
    assert values[-1] == ("2", "1") and values[-4] == ("1", "0")


def test_goals_of_the_range_with_their_progress(tenancy, editor):
    MembershipFactory.create_batch(3, organisation=tenancy.org)  # 6 people: company goals show
    GoalFactory(organisation=tenancy.org, title="Mil visitas")
    today = org_today(tenancy.org)
    GoalFactory(
        organisation=tenancy.org,
        title="Del año pasado",
        starts_on=today - timedelta(days=400),
        ends_on=today - timedelta(days=370),
    )
    html = get(editor, tenancy.org)
    assert "Mil visitas" in html
    assert "Del año pasado" not in html
    assert "0 of 100 visits" in html


def test_a_new_organisation_sees_helpful_empty_states(tenancy, editor):
    html = get(editor, tenancy.org)
    assert 'id="dashboard-empty"' in html
    assert "Publish a post" in html
    assert stat(html, "total-clicks") == "0"
    assert stat(html, "total-reach") == DASH
    assert "No common goal in these days." in html
    assert html.count('role="img"') == 3  # the daily charts, at zero; no network chart


# --- Speed: a fixed number of queries --------------------------------------------------------


def _grow(tenancy, posts: int, days: int) -> None:
    org = tenancy.org
    people = MembershipFactory.create_batch(6, organisation=org)
    for n in range(posts):
        post = PostFactory(organisation=org)
        for d in range(days):
            visit_day(post, day=days_ago(org, d), visits=d + 1, new=1)
        for person in people:
            ShareFactory(post=post, membership=person, network="x")
        ReactionFactory(post=post, membership=people[n % 6])
        CommentFactory(post=post)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_number_of_queries_is_small_and_does_not_grow(tenancy, editor):
    """The page and the workbook of every table: the same number of queries for 2 posts over
    2 days as for 25 posts over 20 days with 6 sharers each (and a goal)."""
    page, workbook = dashboard_url(tenancy.org), f"/o/{tenancy.org.code}/dashboard.xlsx"
    GoalFactory(organisation=tenancy.org)
    _grow(tenancy, 2, 2)
    small = _queries(editor, page), _queries(editor, workbook)
    _grow(tenancy, 25, 20)
    big = _queries(editor, page), _queries(editor, workbook)
    assert small == big
    assert big[0] <= 30


def test_no_query_reads_the_raw_visits(tenancy, editor, activity):
    GoalFactory(organisation=tenancy.org)  # its progress too
    with CaptureQueriesContext(connection) as queries:
        assert editor.get(dashboard_url(tenancy.org)).status_code == 200
        editor.get(f"/o/{tenancy.org.code}/dashboard.xlsx")
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "sharing_click" not in sql
    assert "sharing_preview" not in sql


# --- Days of the organisation's time zone, on every database -----------------------------


def test_shares_and_climate_fall_on_the_organisations_own_days(tenancy, editor):
    """Madrid is UTC+1 in winter: 23:30 UTC on the last day of a range is already the next
    day there (outside the range), and 23:30 UTC the evening before its first day is its
    first day."""
    org = tenancy.org
    org.time_zone = "Europe/Madrid"
    org.save()
    post = PostFactory(organisation=org, title="Medianoche")
    first, last = date(2026, 1, 10), date(2026, 1, 12)
    at = {
        "first, 00:30 in Madrid": datetime(2026, 1, 9, 23, 30, tzinfo=UTC),
        "middle": datetime(2026, 1, 11, 12, 0, tzinfo=UTC),
        "last, 23:30 in Madrid": datetime(2026, 1, 12, 22, 30, tzinfo=UTC),
        "the day after in Madrid": datetime(2026, 1, 12, 23, 30, tzinfo=UTC),
        "the evening before in Madrid": datetime(2026, 1, 9, 22, 30, tzinfo=UTC),
    }
    for when in at.values():
        ShareFactory(post=post, created_at=when)
        ReactionFactory(post=post, created_at=when)
    query = f"from={first.isoformat()}&to={last.isoformat()}"
    response = editor.get(f"/o/{org.code}/dashboard/days.csv?{query}", HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, days = rows[0], rows[1:]
    shares, reactions = header.index("Share dialogs opened"), header.index("Reactions")
    assert [(d[0], d[shares], d[reactions]) for d in days] == [
        ("2026-01-10", "1", "1"),
        ("2026-01-11", "1", "1"),
        ("2026-01-12", "1", "1"),
    ]
    assert stat(get(editor, org, query), "total-shares") == "3"


def test_the_pages_visits_equal_the_rollups_of_the_raw_visits(tenancy, editor):
    """Through the real rollups: the totals, the days and the posts table read ``NetworkDay``
    and ``PostDay``, which add up to what was visited."""
    org = tenancy.org
    post = PostFactory(organisation=org, title="Visitada")
    for network, visits in (("x", 3), ("linkedin", 2)):
        share = ShareFactory(post=post, network=network)
        for n in range(visits):
            ClickFactory(share=share, at=timezone.now() - timedelta(hours=n), new_visitor=n == 0)
    rollup_run()
    html = get(editor, org)
    assert stat(html, "total-clicks") == "5"
    assert stat(html, "total-unique-visitors") == "2"
    row = re.search(rf'<tr data-post="{post.code}">(.*?)</tr>', html).group(1)
    assert 'data-col="clicks">5<' in row
