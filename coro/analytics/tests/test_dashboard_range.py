"""The dashboard's date range: presets, chosen dates, and bad input (a message, never 500)."""

from datetime import date

import pytest

from coro.analytics.ranges import MAX_DAYS, Preset, range_parse, range_preset
from coro.analytics.tests.dashboard_data import dashboard_url, days_ago, visit_day
from testing.factories import PostFactory, ShareFactory

TODAY = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("preset", "start"),
    [
        ("7d", date(2026, 3, 9)),
        ("28d", date(2026, 2, 16)),
        ("90d", date(2025, 12, 16)),
        ("year", date(2026, 1, 1)),
    ],
)
def test_presets_end_today(preset, start):
    chosen, error = range_parse(preset=preset, today=TODAY)
    assert (chosen.start, chosen.end, chosen.preset.value, error) == (start, TODAY, preset, "")


def test_the_default_is_the_last_28_days():
    chosen, error = range_parse(today=TODAY)
    assert chosen == range_preset(Preset.LAST_28, TODAY)
    assert chosen.days == 28 and error == ""


def test_chosen_dates_are_both_included():
    chosen, error = range_parse(start="2026-03-01", end="2026-03-01", today=TODAY)
    assert (chosen.start, chosen.end, chosen.days, error) == (
        date(2026, 3, 1),
        date(2026, 3, 1),
        1,
        "",
    )
    assert chosen.query() == {"from": "2026-03-01", "to": "2026-03-01"}
    assert range_parse(preset="7d", today=TODAY)[0].query() == {"range": "7d"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"preset": "forever"}, "Choose one of the periods offered"),
        ({"preset": "custom"}, "Choose one of the periods offered"),
        ({"start": "2026-03-01"}, "Give both dates"),
        ({"start": "1/3/2026", "end": "2026-03-02"}, "Give both dates"),
        ({"start": "2026-02-30", "end": "2026-03-02"}, "Give both dates"),
        ({"start": "1999-12-31", "end": "2026-03-02"}, "Give both dates"),
        ({"start": "2026-03-10", "end": "2026-03-02"}, "The first day is after the last day"),
        ({"start": "2026-03-10", "end": "2026-03-16"}, "The last day is in the future"),
        ({"start": "2024-01-01", "end": "2026-03-01"}, f"at most {MAX_DAYS} days"),
    ],
)
def test_bad_input_falls_back_to_the_default_with_a_message(settings, params, message):
    settings.LANGUAGE_CODE = "en"
    chosen, error = range_parse(today=TODAY, **params)
    assert chosen == range_preset(Preset.LAST_28, TODAY)
    assert message in error and "Showing the last 28 days instead." in error


def test_a_whole_year_is_allowed():
    chosen, error = range_parse(start="2025-03-15", end="2026-03-15", today=TODAY)
    assert chosen.days == 366 and error == ""


@pytest.mark.parametrize(
    "query",
    [
        "range=%00",
        "from=x&to=y",
        "from=9999-99-99&to=2026-01-01",
        "from=99999-01-01&to=2026-01-01",
        "range=7d&from=&to=",
        "page=abc",
        "page=99999",
        "from=2026-01-01&to=2025-01-01&page=-1",
    ],
)
def test_the_page_never_fails_on_bad_input(tenancy, query):
    response = tenancy.client_for(tenancy.editor.user).get(
        dashboard_url(tenancy.org, query), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200


def test_a_bad_range_says_so_and_shows_the_default(tenancy):
    response = tenancy.client_for(tenancy.editor.user).get(
        dashboard_url(tenancy.org, "from=2026-03-10&to=2026-03-01"), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert 'id="range-error"' in html
    assert "The first day is after the last day" in html
    # Both date fields point to the message (WCAG 3.3.1).
    assert html.count('aria-invalid="true" aria-describedby="range-error"') == 2
    assert response.context["date_range"].days == 28
    assert 'href="?range=28d" aria-current="true"' in html


def test_the_range_applies_to_every_figure_and_to_the_downloads(tenancy):
    org = tenancy.org
    post = PostFactory(organisation=org, title="Antigua")
    visit_day(post, day=days_ago(org, 60), visits=7, new=7)
    ShareFactory(post=post)
    client = tenancy.client_for(tenancy.editor.user)
    day = days_ago(org, 60).isoformat()
    query = f"from={day}&to={day}"
    html = client.get(dashboard_url(org, query), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="total-clicks">7<' in html
    assert 'id="total-shares">0<' in html  # shared today, outside the chosen day
    assert f"/o/{org.code}/dashboard/posts.csv?from={day}&amp;to={day}" in html
    assert f"/o/{org.code}/dashboard.xlsx?from={day}&amp;to={day}" in html
    totals = f"/o/{org.code}/dashboard/totals.csv"
    text = client.get(f"{totals}?{query}", HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig")
    assert "\r\nVisits,7," in text
    default = client.get(totals, HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig")
    assert "\r\nVisits,0," in default
