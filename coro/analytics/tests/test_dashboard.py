from datetime import timedelta

import pytest
from django.utils import timezone

from coro.analytics import selectors
from coro.analytics.charts import bar_chart
from coro.factories import ClickFactory, MembershipFactory, PostFactory, ShareFactory


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
