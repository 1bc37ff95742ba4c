import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from coro.analytics import selectors
from coro.analytics.charts import bar_chart
from coro.analytics.services import release_make
from coro.orgs.models import Team
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


# --- Participation by team: read from the latest release -------------------------------


def dashboard_url(org) -> str:
    return f"/o/{org.code}/dashboard/"


def csv_url(org) -> str:
    return f"/o/{org.code}/dashboard.csv"


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
    with no team (none take part); some shares and visits in each team."""
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


def test_a_release_counts_members_and_participants_per_group_and_nothing_else(tenancy, teams):
    """With zero noise the release holds the exact counts: Diseño (2) and "No team" (3)
    are too small alone and go to "other" together. Shares and visits are not in it:
    per-team activity is no longer published."""
    release = release_make(organisation=tenancy.org, noise=no_noise)
    names = {team.code: team.name for team in Team.objects.filter(organisation=tenancy.org)}
    groups = {
        names.get(g["key"][2:], g["key"]): (g["size"], g["participants"])
        for g in release.figures["groups"]
    }
    assert groups == {"Taller": (5, 1), "Ventas": (6, 3), "other": (5, 2)}
    assert (release.figures["members"], release.figures["participants"]) == (16, 6)
    assert all(set(g) == {"key", "name", "size", "participants"} for g in release.figures["groups"])


def test_dashboard_shows_the_release_with_small_teams_merged(tenancy, teams):
    release_make(organisation=tenancy.org, noise=no_noise)
    response = tenancy.client_for(tenancy.editor.user).get(
        dashboard_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    # 3 of 6 is 50 %, halfway between two 20 % steps: Python rounds half to even.
    assert team_rows(html, "participation-by-team") == {
        "Taller": ["5", "about 1", "about 20 %"],
        "Ventas": ["6", "about 3", "about 60 %"],
        "Other": ["5", "about 2", "about 40 %"],
    }
    assert "Diseño" not in html
    assert "No team" not in html
    # Per-team activity is gone on purpose: under person-level privacy it would be noise.
    assert 'id="visits-by-team"' not in html
    # The totals still count the share of the person who is gone; the number of people
    # in the program is the release's, approximate.
    assert 'id="total-clicks">14<' in html
    assert 'id="total-participants" title="about 6">≈ 6<' in html
    assert 'id="release-date">Figures published on' in html


def test_a_lone_small_team_is_not_recoverable_from_the_totals(tenancy, teams):
    """With a threshold of 3, "No team" (3) is shown and Diseño (2) is the only small
    team: it must not be left out alone, or total minus the rows shown would be Diseño."""
    tenancy.org.min_group_size = 3
    tenancy.org.save()
    release_make(organisation=tenancy.org, noise=no_noise)
    html = tenancy.client_for(tenancy.editor.user).get(
        dashboard_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = team_rows(html.content.decode(), "participation-by-team")
    assert list(rows) == ["Taller", "Ventas", "Other"]
    assert rows["Other"] == ["5", "about 2", "about 40 %"]  # Diseño merged with "No team"


def test_a_higher_threshold_merges_more(tenancy, teams):
    tenancy.org.min_group_size = 6
    tenancy.org.save()
    release_make(organisation=tenancy.org, noise=no_noise)
    html = tenancy.client_for(tenancy.editor.user).get(
        dashboard_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = team_rows(html.content.decode(), "participation-by-team")
    assert rows == {
        "Ventas": ["6", "about 3", "about 60 %"],
        "Other": ["10", "about 3", "about 30 %"],  # 10 people: rounded to 10 %
    }


def test_before_the_first_release_there_are_no_participation_figures(tenancy, teams):
    html = (
        tenancy.client_for(tenancy.editor.user)
        .get(dashboard_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "will be published at the next scheduled release" in html
    assert 'id="total-participants"' not in html
    assert team_rows(html, "participation-by-team") == {}
    assert 'id="total-clicks">14<' in html  # activity totals are live, as before


def test_small_organisation_shows_no_team_numbers_and_no_participant_count(tenancy):
    """The tenancy has 3 people, fewer than 5: the number in the program is not shown."""
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    TeamFactory(organisation=tenancy.org, name="Ventas")
    release_make(organisation=tenancy.org, noise=no_noise)
    response = tenancy.client_for(tenancy.editor.user).get(
        dashboard_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert response.context["figures"].participants is None
    assert 'id="total-participants"' not in html
    assert "people in the program" not in html
    assert team_rows(html, "participation-by-team") == {}
    assert "Numbers by team appear once the organisation has at least 5 people" in html
    assert "Ventas" not in html


def test_participant_count_appears_at_the_threshold(tenancy):
    MembershipFactory.create_batch(2, organisation=tenancy.org)
    program_join(membership=tenancy.employee, terms=terms_current(tenancy.org))
    release_make(organisation=tenancy.org, noise=no_noise)
    html = tenancy.client_for(tenancy.editor.user).get(
        dashboard_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert 'id="total-participants" title="about 1">≈ 1<' in html.content.decode()


# --- The CSV export -----------------------------------------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def by_section(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    sections: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        sections.setdefault(row["section"], []).append(row)
    return sections


def test_csv_export_has_totals_posts_networks_and_the_release(tenancy, teams):
    release = release_make(organisation=tenancy.org, noise=no_noise)
    response = tenancy.client_for(tenancy.editor.user).get(
        csv_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="coro-dashboard-{tenancy.org.code}-'
    )
    sections = by_section(read_csv(response))
    [total] = sections["total"]
    assert (total["shares"], total["visits"]) == ("4", "14")
    assert total["participants_approx"] == ""  # live totals carry no participation
    [post] = sections["post"]
    assert (post["name"], post["shares"], post["visits"]) == ("Feria de Valencia", "4", "14")
    assert post["published"] == timezone.localdate().isoformat()
    released = timezone.localdate(release.released_at).isoformat()
    [whole] = sections["release"]
    assert (whole["name"], whole["published"], whole["members"]) == (
        tenancy.org.name,
        released,
        "16",
    )
    assert (whole["participants_approx"], whole["participation_approx"]) == (
        "about 6",
        "about 40 %",
    )
    columns = ["published", "members", "participants_approx", "participation_approx"]
    columns += ["shares", "visits"]
    teams_csv = {r["name"]: tuple(r[c] for c in columns) for r in sections["release_team"]}
    assert teams_csv == {
        "Taller": (released, "5", "about 1", "about 20 %", "", ""),
        "Ventas": (released, "6", "about 3", "about 60 %", "", ""),
        "Other": (released, "5", "about 2", "about 40 %", "", ""),
    }
    assert {r["name"]: r["visits"] for r in sections["network"]} == {
        "E-mail": "5",
        "X": "6",
        "LinkedIn": "3",
    }


def test_csv_export_before_the_first_release_has_no_release_rows(tenancy, teams):
    response = tenancy.client_for(tenancy.editor.user).get(csv_url(tenancy.org))
    sections = by_section(read_csv(response))
    assert set(sections) == {"total", "post", "network"}


def test_csv_export_names_nobody(tenancy, teams):
    release_make(organisation=tenancy.org, noise=no_noise)
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
    release_make(organisation=tenancy.org, noise=no_noise)
    rows = read_csv(tenancy.client_for(tenancy.editor.user).get(csv_url(tenancy.org)))
    [total] = rows
    assert total["section"] == "total"
    assert total["participants_approx"] == ""


def test_post_titles_cannot_become_spreadsheet_formulas(tenancy):
    PostFactory(organisation=tenancy.org, title="=1+1 oferta")
    rows = read_csv(tenancy.client_for(tenancy.editor.user).get(csv_url(tenancy.org)))
    assert rows[1]["name"] == "'=1+1 oferta"


def test_employees_cannot_download_the_dashboard(tenancy):
    client = tenancy.client_for(tenancy.employee.user)
    assert client.get(csv_url(tenancy.org)).status_code == 403


@pytest.mark.parametrize("language", ["es", "ca", "en"])
def test_dashboard_with_teams_renders_in_every_language(tenancy, teams, language):
    release_make(organisation=tenancy.org, noise=no_noise)
    response = tenancy.client_for(tenancy.admin.user).get(
        dashboard_url(tenancy.org), HTTP_ACCEPT_LANGUAGE=language
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert len(team_rows(html, "participation-by-team")) == 3
