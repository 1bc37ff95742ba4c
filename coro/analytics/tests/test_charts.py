"""The SVG charts: round value ticks, sensible date ticks, labelled axes, readable values,
empty series, and the markup a screen reader needs."""

import re
from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from coro.analytics.charts import (
    BAR_LABEL_MAX,
    MAX_DATE_TICKS,
    WIDTH,
    Series,
    bar_chart,
    date_ticks,
    nice_step,
    text_width,
    time_chart,
    value_ticks,
    weeks_of,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (10, [0, 2, 4, 6, 8, 10]),
        (11, [0, 5, 10, 15]),
        (99, [0, 20, 40, 60, 80, 100]),
        (1234, [0, 500, 1000, 1500]),
        (48_000, [0, 10_000, 20_000, 30_000, 40_000, 50_000]),
    ],
)
def test_value_ticks_are_round_and_cover_the_maximum(maximum, ticks):
    assert value_ticks(maximum) == ticks


def test_steps_are_one_two_or_five_times_a_power_of_ten():
    for maximum in range(1, 5000, 7):
        step = nice_step(maximum)
        assert int(str(step)[0]) in (1, 2, 5) and set(str(step)[1:]) <= {"0"}
        assert step * 5 >= maximum


@pytest.mark.parametrize(
    ("days", "step"), [(1, 1), (6, 1), (7, 2), (12, 2), (28, 7), (42, 7), (84, 14)]
)
def test_short_ranges_are_labelled_every_few_days(days, step):
    start = date(2026, 3, 1)
    ticks = date_ticks(start, start + timedelta(days=days - 1))
    assert ticks[0] == start
    assert all((b - a).days == step for a, b in pairwise(ticks))
    assert len(ticks) <= MAX_DATE_TICKS


def test_long_ranges_are_labelled_on_the_first_of_months():
    ticks = date_ticks(date(2026, 1, 1), date(2026, 12, 31))
    assert ticks == [date(2026, m, 1) for m in (1, 3, 5, 7, 9, 11)]
    ticks = date_ticks(date(2026, 1, 10), date(2026, 4, 20))
    assert ticks == [date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]


def days(n: int, start: date = date(2026, 3, 1)) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def test_a_time_chart_maps_values_and_dates_inside_its_axes():
    chart = time_chart(
        key="visits",
        title="Visits per day",
        days=days(7),
        series=[Series("Visits", [0, 1, 2, 3, 4, 5, 7])],
        x_label="Day",
        y_label="Visits",
    )
    [line] = chart.lines
    plot = chart.plot
    assert line.points[0].x == pytest.approx(plot.left)
    assert line.points[-1].x == pytest.approx(plot.right)
    assert line.points[0].y == pytest.approx(plot.bottom)  # 0 on the x axis
    assert line.points[-1].y == pytest.approx(plot.bottom - plot.height * 7 / 8)  # top is 8
    assert [t.label for t in chart.y_ticks] == ["0", "2", "4", "6", "8"]
    assert chart.y_ticks[-1].position == pytest.approx(plot.top)
    assert [t.label for t in chart.x_ticks] == ["1 Mar", "3 Mar", "5 Mar", "7 Mar"]
    assert line.points[-1].label == "7 Mar: 7"
    assert line.total == 22
    assert "Visits: 22 in all, most on 7 Mar: 7." in chart.description
    assert chart.rows[-1] == ("03/07/2026", ["7"])  # the short date format of English


def test_big_values_are_grouped_as_people_read_them():
    chart = time_chart(
        key="k",
        title="t",
        days=days(2),
        series=[Series("Visits", [12345, 0])],
        x_label="Day",
        y_label="Visits",
    )
    assert chart.y_ticks[-1].label == "15,000"
    assert chart.rows[0][1] == ["12,345"]


def test_an_empty_series_draws_flat_at_zero_with_an_axis_to_one():
    chart = time_chart(
        key="k",
        title="t",
        days=days(28),
        series=[Series("Visits", [0] * 28), Series("Unique", [0] * 28)],
        x_label="Day",
        y_label="People",
    )
    assert chart.empty
    assert [t.label for t in chart.y_ticks] == ["0", "1"]
    assert {p.y for line in chart.lines for p in line.points} == {chart.plot.bottom}
    assert "Visits: none in these days." in chart.description


def test_a_single_day_is_drawn_in_the_middle():
    chart = time_chart(
        key="k", title="t", days=days(1), series=[Series("V", [3])], x_label="D", y_label="V"
    )
    assert chart.lines[0].points[0].x == pytest.approx(chart.plot.left + chart.plot.width / 2)
    assert len(chart.x_ticks) == 1


def test_a_year_shows_months_and_no_markers():
    year = days(365, date(2025, 6, 1))
    chart = time_chart(
        key="k", title="t", days=year, series=[Series("V", [1] * 365)], x_label="D", y_label="V"
    )
    assert not chart.lines[0].markers
    assert all(re.fullmatch(r"[A-Z][a-z]{2} 20\d\d", t.label) for t in chart.x_ticks)


def test_series_differ_by_more_than_colour():
    chart = time_chart(
        key="k",
        title="t",
        days=days(3),
        series=[Series("A", [1, 2, 3]), Series("B", [3, 2, 1])],
        x_label="D",
        y_label="V",
    )
    assert [line.style for line in chart.lines] == ["series-1", "series-2"]


def test_the_time_chart_markup_is_accessible():
    chart = time_chart(
        key="visits",
        title="Visits per day",
        days=days(3),
        series=[Series("Visits", [1, 0, 4]), Series("Unique visitors", [1, 0, 3])],
        x_label="Day",
        y_label="People",
    )
    html = render_to_string("analytics/_time_chart.html", {"chart": chart})
    svg = re.search(r"<svg class=\"chart\"[^>]*>", html).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-visits-title chart-visits-desc"' in svg
    assert 'viewBox="0 0 400 240"' in svg
    assert 'style="' not in html  # the CSP forbids inline styles
    assert '<title id="chart-visits-title">Visits per day</title>' in html
    assert re.search(r'<desc id="chart-visits-desc">From 1 Mar 2026 to 3 Mar 2026\.', html)
    assert ">Day</text>" in html and ">People</text>" in html  # both axes are labelled
    assert ">1 Mar</text>" in html and ">4</text>" in html  # ticks: dates and values
    table = re.search(r'<table id="chart-visits-table">(.*?)</table>', html, re.DOTALL).group(1)
    assert '<th scope="col" class="num">Unique visitors</th>' in table
    assert len(re.findall(r"<tr><th scope=\"row\">", table)) == 3
    assert "<details" in html
    # Every position is filled in (a missing property renders as an empty attribute).
    assert not re.search(r'\s(?:x|y|x1|x2|y1|y2|cx|cy|text-anchor)=""', html)
    assert "translate( )" not in html


def test_a_bar_chart_has_a_value_axis_and_readable_values():
    chart = bar_chart(
        key="net",
        title="Visits by network",
        items=[("LinkedIn", 30), ("X", 12), ("Bluesky", 0)],
        x_label="Visits",
        category_label="Network",
    )
    widths = [bar.width for bar in chart.bars]
    assert widths[0] == pytest.approx(chart.x_ticks[-1].position - chart.left * 30 / 30)
    assert widths[1] == pytest.approx(widths[0] * 12 / 30)
    assert widths[2] == 0
    assert [t.label for t in chart.x_ticks] == ["0", "10", "20", "30"]
    html = render_to_string("analytics/_bar_chart.html", {"chart": chart})
    assert 'role="img"' in html and ">Visits</text>" in html
    assert ">LinkedIn</text>" in html and ">30</text>" in html
    assert "LinkedIn: 30; X: 12; Bluesky: 0." in html
    assert not re.search(r'\s(?:x|y|x1|x2|y1|y2|width)=""', html)


def test_an_empty_bar_chart_says_so():
    chart = bar_chart(key="n", title="t", items=[], x_label="V", category_label="N")
    assert chart.empty and chart.bars == ()
    html = render_to_string("analytics/_bar_chart.html", {"chart": chart})
    assert "<svg" not in html and "Nothing yet in these days." in html


# --- Text that fits: label gutters, tick anchors ------------------------------------------


def test_the_bar_label_gutter_grows_with_the_longest_label():
    short = bar_chart(key="n", title="t", items=[("X", 3)], x_label="V", category_label="N")
    long = bar_chart(
        key="n",
        title="t",
        items=[("X", 3), ("Correo electrónico", 2)],
        x_label="V",
        category_label="N",
    )
    assert long.left > short.left
    # Every name fits left of the bars, inside the SVG (the text ends at label_x).
    for chart in (short, long):
        for bar in chart.bars:
            assert bar.short_label == bar.label
            assert chart.label_x - text_width(bar.label) >= 0
            assert bar.value_x == pytest.approx(chart.left + bar.width + 4)
    # The bars still reach the last tick, whatever the gutter.
    assert long.bars[0].width == pytest.approx(long.x_ticks[-1].position - long.left)


def test_a_very_long_label_is_shortened_with_its_full_name_in_a_title():
    name = "A network with a remarkably long name indeed"
    chart = bar_chart(key="n", title="t", items=[(name, 5)], x_label="V", category_label="N")
    [bar] = chart.bars
    assert chart.left == BAR_LABEL_MAX
    assert bar.shortened and bar.short_label.endswith("\u2026")
    assert chart.label_x - text_width(bar.short_label) >= 0
    html = render_to_string("analytics/_bar_chart.html", {"chart": chart})
    assert f"<title>{name}</title>{bar.short_label}</text>" in html
    assert f'<th scope="row">{name}</th>' in html  # in full in the table


def test_date_ticks_at_either_end_are_anchored_inwards():
    chart = time_chart(
        key="k", title="t", days=days(7), series=[Series("V", [1] * 7)], x_label="D", y_label="V"
    )
    first, *middle, last = chart.x_ticks
    assert (first.position, first.anchor) == (pytest.approx(chart.plot.left), "start")
    assert (last.position, last.anchor) == (pytest.approx(chart.plot.right), "end")
    assert {t.anchor for t in middle} == {"middle"}
    # The last label ends inside the SVG; the first starts right of the "0" (which ends
    # 6 units left of the y axis).
    assert last.position <= WIDTH and first.position >= chart.plot.left
    html = render_to_string("analytics/_time_chart.html", {"chart": chart})
    assert re.search(
        r'<text class="chart-tick-x" x="[\d.]+" y="[\d.]+" text-anchor="start">1 Mar<', html
    )
    assert re.search(r'text-anchor="end">7 Mar<', html)


def test_the_value_ticks_get_the_room_their_labels_need():
    small = time_chart(
        key="k", title="t", days=days(2), series=[Series("V", [1, 2])], x_label="D", y_label="V"
    )
    big = time_chart(
        key="k",
        title="t",
        days=days(2),
        series=[Series("V", [1, 4_000_000])],
        x_label="D",
        y_label="V",
    )
    assert big.plot.left > small.plot.left
    widest = max(text_width(t.label) for t in big.y_ticks)
    assert big.plot.left - 6 - widest >= big.y_label_x + 4  # clear of the y-axis label


def test_an_all_zero_series_says_so_in_the_legend():
    chart = time_chart(
        key="visits",
        title="t",
        days=days(5),
        series=[Series("Visits", [1, 2, 3, 4, 5]), Series("Unique visitors", [0] * 5)],
        x_label="Day",
        y_label="Visits",
    )
    assert not chart.empty
    assert "Unique visitors: none in these days." in chart.description
    html = render_to_string("analytics/_time_chart.html", {"chart": chart})
    legend = re.search(r'<ul class="chart-legend".*?</ul>', html, re.DOTALL).group(0)
    assert legend.count("data-none") == 1
    assert re.search(r"Unique visitors<span[^>]*data-none>: none in these days<", legend)
    assert not re.search(r"Visits<span[^>]*data-none", legend)


def test_narrow_screens_get_larger_chart_text():
    from django.contrib.staticfiles import finders

    with open(finders.find("coro/charts.css"), encoding="utf-8") as file:
        css = file.read()
    narrow = re.search(r"@media \(max-width: 480px\) \{(.*?)\n\}", css, re.DOTALL).group(1)
    size = float(re.search(r"\.chart text[^{]*\{ font-size: ([\d.]+)px", narrow).group(1))
    assert size * 332 / WIDTH >= 12.5  # a 332 px wide chart still shows ~13 px text


# --- Long ranges: by week ------------------------------------------------------------------


def test_weeks_start_on_monday_and_keep_the_total():
    start = date(2026, 3, 4)  # a Wednesday
    values = list(range(1, 20))  # 19 days: Wed 4 Mar .. Sun 22 Mar
    mondays, sums = weeks_of(days(19, start), values)
    assert mondays == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    assert all(m.weekday() == 0 for m in mondays)
    assert sums == [sum(values[:5]), sum(values[5:12]), sum(values[12:])]
    assert sum(sums) == sum(values)


def test_a_range_over_92_days_is_drawn_and_tabled_by_week():
    start = date(2025, 12, 3)  # a Wednesday
    daily = [i % 7 for i in range(93)]  # to Thursday 5 Mar 2026
    chart = time_chart(
        key="k",
        title="t",
        days=days(93, start),
        series=[Series("Visits", daily)],
        x_label="Day",
        y_label="Visits",
    )
    assert chart.weekly and chart.x_label == "Week"
    assert chart.lines[0].total == sum(daily)
    assert len(chart.rows) == 14 and all(d.weekday() == 0 for d in chart.days)
    assert chart.rows[0] == ("Week of 12/01/2025", [str(sum(daily[:5]))])
    assert "By week, from Monday to Sunday." in chart.description
    assert "From 3 Dec 2025 to 5 Mar 2026." in chart.description  # the days chosen
    html = render_to_string("analytics/_time_chart.html", {"chart": chart})
    assert "Each point and each row of the table is one week" in html
    assert '<th scope="row">Week of 12/01/2025</th>' in html
    # The axis: first point at the left edge, last at the right, ticks inside.
    assert chart.lines[0].points[0].x == pytest.approx(chart.plot.left)
    assert chart.lines[0].points[-1].x == pytest.approx(chart.plot.right)
    assert all(chart.plot.left <= t.position <= chart.plot.right for t in chart.x_ticks)


def test_ninety_two_days_stay_daily():
    chart = time_chart(
        key="k",
        title="t",
        days=days(92),
        series=[Series("V", [1] * 92)],
        x_label="Day",
        y_label="V",
    )
    assert not chart.weekly and len(chart.rows) == 92 and chart.x_label == "Day"
