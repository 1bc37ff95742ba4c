import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from coro.analytics import selectors
from coro.analytics.charts import bar_chart
from coro.program.selectors import terms_current
from coro.program.services import program_join
from testing.factories import (
    ClickFactory,
    MembershipFactory,
    PostFactory,
    ShareFactory,
    TeamFactory,
)


@pytest.fixture
def activity(tenancy):
    first = PostFactory(organisation=tenancy.org, title="Primera")
    second = PostFactory(organisation=tenancy.org, title="Segunda")
    PostFactory(organisation=tenancy.org, title="Borrador", status="draft", published_at=None)
    sharer = MembershipFactory(organisation=tenancy.org, user__name="Sara Compartidora")
    x = ShareFactory(post=first, membership=sharer, network="x")
    ShareFactory(post=first, membership=sharer, network="linkedin")
    ShareFactory(post=second, membership=sharer, network="x")
    for _ in range(3):
        ClickFactory(share=x)
    # Another organisation's activity never leaks into these numbers.
    ClickFactory.create_batch(4, share__post__organisation=tenancy.other_org)
    return first, second


def test_post_stats_are_per_post_aggregates(tenancy, activity):
    stats = {p.title: (p.share_count, p.click_count) for p in selectors.post_stats(tenancy.org)}
    assert stats == {"Primera": (2, 3), "Segunda": (1, 0)}


def test_totals(tenancy, activity):
    totals = selectors.totals(tenancy.org)
    assert (totals.posts, totals.shares, totals.clicks) == (2, 3, 3)


def test_clicks_by_network(tenancy, activity):
    assert selectors.clicks_by_network(tenancy.org) == [("x", 3)]


def test_clicks_per_day_zero_fills_the_window(tenancy):
    share = ShareFactory(post__organisation=tenancy.org)
    ClickFactory(share=share, at=timezone.now() - timedelta(days=2))
    ClickFactory(share=share, at=timezone.now() - timedelta(days=40))
    series = selectors.clicks_per_day(tenancy.org, days=28)
    assert len(series) == 28
    assert sum(value for _, value in series) == 1
    assert series[-1][0] == timezone.localdate().isoformat()


def test_dashboard_shows_numbers_and_no_names(tenancy, activity):
    response = tenancy.client_for(tenancy.editor.user).get(f"/o/{tenancy.org.code}/dashboard/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="total-clicks">3<' in html
    assert 'id="total-shares">3<' in html
    assert "Sara Compartidora" not in html
    assert "Emilio Empleado" not in html


def test_employees_cannot_see_the_dashboard(tenancy):
    client = tenancy.client_for(tenancy.employee.user)
    assert client.get(f"/o/{tenancy.org.code}/dashboard/").status_code == 403


def test_empty_dashboard_renders(tenancy):
    response = tenancy.client_for(tenancy.editor.user).get(f"/o/{tenancy.org.code}/dashboard/")
    assert response.status_code == 200
    assert 'id="total-clicks">0<' in response.content.decode()


def test_bar_chart_scales_to_the_tallest_bar():
    chart = bar_chart([("a", 0), ("b", 5), ("c", 10)], width=300, height=100)
    heights = [bar.height for bar in chart.bars]
    assert heights[0] == 0 and heights[2] == pytest.approx(96) and heights[1] == pytest.approx(48)
    assert bar_chart([]).bars == []


# --- Numbers by team (issue point 4) ------------------------------------------------------


def dashboard_url(org) -> str:
    return f"/o/{org.code}/dashboard/"


def csv_url(org) -> str:
    return f"/o/{org.code}/dashboard.csv"


def team_rows(html: str, section: str) -> dict[str, list[str]]:
    body = re.search(rf'id="{section}".*?<tbody>(.*?)</tbody>', html, re.DOTALL)
    if body is None:
        return {}
    rows = re.findall(r'<tr[^>]*><th scope="row">(.*?)</th>(.*?)</tr>', body.group(1))
    return {name: re.findall(r'<td class="num">(.*?)</td>', cells) for name, cells in rows}


@pytest.fixture
def teams(tenancy):
    """Ventas 6 people, Taller 5, Diseño 2, and the 3 of the tenancy with no team."""
    terms = terms_current(tenancy.org)
    sizes = {"Ventas": (6, 3), "Taller": (5, 1), "Diseño": (2, 2)}
    people = {}
    for name, (size, joining) in sizes.items():
        team = TeamFactory(organisation=tenancy.org, name=name)
        people[name] = MembershipFactory.create_batch(size, organisation=tenancy.org, team=team)
        for member in people[name][:joining]:
            program_join(membership=member, terms=terms)
    post = PostFactory(organisation=tenancy.org, title="Feria de Valencia")
    ClickFactory.create_batch(4, share=ShareFactory(post=post, membership=people["Ventas"][0]))
    ClickFactory.create_batch(2, share=ShareFactory(post=post, membership=people["Taller"][0]))
    ClickFactory.create_batch(
        3, share=ShareFactory(post=post, membership=people["Diseño"][0], network="linkedin")
    )
    # A share whose person is gone (left or erased): in the totals only.
    ClickFactory.create_batch(5, share=ShareFactory(post=post, membership=None, network="email"))
    return people


def test_team_groups_count_members_participants_shares_and_visits(tenancy, teams):
    with translation.override("en"):
        groups = {group.name: group for group in selectors.team_groups(tenancy.org)}
    assert {n: (x.size, x.participants, x.shares, x.clicks) for n, x in groups.items()} == {
        "Diseño": (2, 2, 1, 3),
        "Taller": (5, 1, 1, 2),
        "Ventas": (6, 3, 1, 4),
        "No team": (3, 0, 0, 0),
    }


def test_dashboard_shows_teams_with_small_ones_merged(tenancy, teams):
    response = tenancy.client_for(tenancy.editor.user).get(
        dashboard_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    # Diseño (2) and "No team" (3) are too small alone, together they are 5: "Other".
    assert team_rows(html, "participation-by-team") == {
        "Taller": ["5", "1", "20%"],
        "Ventas": ["6", "3", "50%"],
        "Other": ["5", "2", "40%"],
    }
    assert team_rows(html, "visits-by-team") == {
        "Taller": ["1", "2"],
        "Ventas": ["1", "4"],
        "Other": ["1", "3"],
    }
    assert "Diseño" not in html
    assert "No team" not in html
    # The totals still count the share of the person who is gone.
    assert 'id="total-clicks">14<' in html
    assert 'id="total-participants">6<' in html


def test_a_lone_small_team_is_not_recoverable_from_the_totals(tenancy, teams):
    """With a threshold of 3, "No team" (3) is shown and Diseño (2) is the only small
    team: it must not be left out alone, or total minus the rows shown would be Diseño."""
    tenancy.org.min_group_size = 3
    tenancy.org.save()
    html = tenancy.client_for(tenancy.editor.user).get(
        dashboard_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = team_rows(html.content.decode(), "participation-by-team")
    assert list(rows) == ["Taller", "Ventas", "Other"]
    assert rows["Other"] == ["5", "2", "40%"]  # Diseño merged with "No team", the smallest


def test_a_higher_threshold_merges_more(tenancy, teams):
    tenancy.org.min_group_size = 6
    tenancy.org.save()
    html = tenancy.client_for(tenancy.editor.user).get(
        dashboard_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = team_rows(html.content.decode(), "participation-by-team")
    assert rows == {"Ventas": ["6", "3", "50%"], "Other": ["10", "3", "30%"]}


def test_small_organisation_shows_no_team_numbers_and_no_participant_count(tenancy):
    """The tenancy has 3 people, fewer than 5: the number in the program is not shown."""
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    TeamFactory(organisation=tenancy.org, name="Ventas")
    response = tenancy.client_for(tenancy.editor.user).get(
        dashboard_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.context["totals"].participants is None
    assert 'id="total-participants"' not in html
    assert "people in the program" not in html
    assert team_rows(html, "participation-by-team") == {}
    assert "Numbers by team appear once the organisation has at least 5 people" in html
    assert "Ventas" not in html


def test_participant_count_appears_at_the_threshold(tenancy):
    MembershipFactory.create_batch(2, organisation=tenancy.org)
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    html = tenancy.client_for(tenancy.editor.user).get(dashboard_url(tenancy.org))
    assert 'id="total-participants">1<' in html.content.decode()


# --- The CSV export -----------------------------------------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_export_has_totals_posts_merged_teams_and_networks(tenancy, teams):
    response = tenancy.client_for(tenancy.editor.user).get(
        csv_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="coro-dashboard-{tenancy.org.code}-'
    )
    rows = read_csv(response)
    by_section = {}
    for row in rows:
        by_section.setdefault(row["section"], []).append(row)
    [total] = by_section["total"]
    assert (total["participants"], total["shares"], total["visits"]) == ("6", "4", "14")
    [post] = by_section["post"]
    assert (post["name"], post["shares"], post["visits"]) == ("Feria de Valencia", "4", "14")
    assert post["published"] == timezone.localdate().isoformat()
    teams_csv = {
        r["name"]: (r["members"], r["participants"], r["participation_percent"], r["visits"])
        for r in by_section["team"]
    }
    assert teams_csv == {
        "Taller": ("5", "1", "20", "2"),
        "Ventas": ("6", "3", "50", "4"),
        "Other": ("5", "2", "40", "3"),
    }
    assert {r["name"]: r["visits"] for r in by_section["network"]} == {
        "E-mail": "5",
        "X": "6",
        "LinkedIn": "3",
    }


def test_csv_export_names_nobody(tenancy, teams):
    text = tenancy.client_for(tenancy.admin.user).get(csv_url(tenancy.org)).content.decode()
    people = [m for group in teams.values() for m in group]
    people += [tenancy.admin, tenancy.editor, tenancy.employee]
    for member in people:
        assert member.user.name not in text
        assert member.user.email not in text
    assert "Diseño" not in text  # a team too small to be shown alone


def test_csv_export_of_a_small_organisation_has_no_participants_or_teams(tenancy):
    TeamFactory(organisation=tenancy.org, name="Ventas")
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    rows = read_csv(tenancy.client_for(tenancy.editor.user).get(csv_url(tenancy.org)))
    [total] = rows
    assert total["section"] == "total"
    assert total["participants"] == ""


def test_post_titles_cannot_become_spreadsheet_formulas(tenancy):
    PostFactory(organisation=tenancy.org, title="=1+1 oferta")
    rows = read_csv(tenancy.client_for(tenancy.editor.user).get(csv_url(tenancy.org)))
    assert rows[1]["name"] == "'=1+1 oferta"


def test_employees_cannot_download_the_dashboard(tenancy):
    client = tenancy.client_for(tenancy.employee.user)
    assert client.get(csv_url(tenancy.org)).status_code == 403


@pytest.mark.parametrize("language", ["es", "en"])
def test_dashboard_with_teams_renders_in_both_languages(tenancy, teams, language):
    response = tenancy.client_for(tenancy.admin.user).get(
        dashboard_url(tenancy.org), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
