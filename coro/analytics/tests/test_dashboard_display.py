"""How the dashboard shows what it knows: an unknown reach is a dash, never 0; long ranges by
week; short column headers with their full meaning for screen readers."""

import re

import pytest

from coro.analytics.tests.dashboard_data import dashboard_url, days_ago, visit_day
from coro.connections.models import NetworkProfile
from coro.sharing.services import share_get_or_create
from testing.factories import MembershipFactory, PostFactory

DASH = "\u2013"


def get(client, org, query: str = "") -> str:
    response = client.get(dashboard_url(org, query), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def stat(html: str, stat_id: str) -> str | None:
    match = re.search(rf'id="{stat_id}">([^<]*)<', html)
    return match.group(1) if match else None


@pytest.fixture
def editor(tenancy):
    return tenancy.client_for(tenancy.editor.user)


@pytest.fixture
def unknown_audiences(tenancy):
    """Five people share one post; none gave an audience or connected an account."""
    post = PostFactory(organisation=tenancy.org, title="Sin audiencia")
    for person in MembershipFactory.create_batch(5, organisation=tenancy.org):
        share_get_or_create(post=post, membership=person, network="bluesky")
    return post


def test_a_reach_with_no_known_audience_is_a_dash_not_zero(tenancy, editor, unknown_audiences):
    html = get(editor, tenancy.org)
    assert stat(html, "total-reach") == DASH
    assert 'id="reach-none-known">No audience known.<' in html
    assert 'id="reach-hidden"' not in html  # enough people shared: not the group-size rule
    assert "5 shares had no known audience and are not counted." in html
    row = re.search(rf'<tr data-post="{unknown_audiences.code}">(.*?)</tr>', html).group(1)
    reach = re.search(r'data-col="reach">(.*?)</td>', row).group(1)
    assert reach.startswith(f'<span data-reach="unknown">{DASH}')
    assert "no audience known" in reach
    assert ">0<" not in reach


def test_one_known_audience_is_enough_for_a_figure(tenancy, editor, unknown_audiences):
    person = MembershipFactory(organisation=tenancy.org)
    NetworkProfile.objects.create(membership=person, network="bluesky", approximate_audience=0)
    share_get_or_create(post=unknown_audiences, membership=person, network="bluesky")
    html = get(editor, tenancy.org)
    assert stat(html, "total-reach") == "0"  # a known audience of nobody is a real 0
    assert 'id="reach-none-known"' not in html
    assert re.search(r'data-col="reach">0<', html)


def test_the_per_post_headers_are_short_with_their_full_meaning(tenancy, editor, unknown_audiences):
    html = get(editor, tenancy.org)
    head = re.search(r'id="by-post".*?<thead>(.*?)</thead>', html, re.DOTALL).group(1)
    for short, full in (
        ("Dialogs", "Share dialogs opened"),
        ("Posted", "Posts made through a connected account"),
        ("Reach max.", "Reach, upper bound"),
    ):
        assert re.search(
            rf'title="{re.escape(full)}"><span aria-hidden="true">{re.escape(short)}</span>'
            rf'<span class="col-full">{re.escape(full)}</span></th>',
            head,
        )
    # Not .visually-hidden: that would switch the table to coro.css's stacked rows.
    assert "visually-hidden" not in head
    assert 'id="posts-notes"' in html and "† No audience known" in html


def test_a_custom_range_over_92_days_is_by_week_and_up_to_92_by_day(tenancy, editor):
    org = tenancy.org
    post = PostFactory(organisation=org)
    visit_day(post, day=days_ago(org, 3), visits=6, new=2)
    visit_day(post, day=days_ago(org, 80), visits=4, new=1)
    end = days_ago(org, 0)
    for length, weekly in ((93, True), (92, False)):
        start = end.fromordinal(end.toordinal() - length + 1)
        html = get(editor, org, f"from={start:%Y-%m-%d}&to={end:%Y-%m-%d}")
        table = re.search(r'<table id="chart-visits-table">(.*?)</table>', html, re.DOTALL)
        rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td class="num">(\d+)</td>', table[1])
        assert stat(html, "total-clicks") == "10"
        assert sum(int(v) for _label, v in rows) == 10
        assert (len(rows) < 20) is weekly
        assert ('<h2 id="trends-heading">Per week</h2>' in html) is weekly
        assert all(label.startswith("Week of ") for label, _v in rows) is weekly
        assert ('id="days-download-note"' in html) is weekly  # the download stays daily
