"""Server-rendered SVG charts: no JavaScript, labelled axes, and a table with the same data.

This module does the arithmetic (scales, round ticks, date ticks, positions); the templates
``analytics/_time_chart.html`` and ``analytics/_bar_chart.html`` draw it. Every chart is an
``<svg role="img">`` with a title and a description, scales with its container (viewBox,
width 100 %) and is followed by its data table on the page.

Series are told apart by more than colour: each has its own line pattern and marker shape
(``SERIES_STYLES``); colours are in ``static/coro/charts.css`` with at least 3:1 contrast
against the card.

Text is never clipped: the room for labels (the bars' category names, the value ticks) is
worked out from the longest label at the largest font the charts use (``CHAR_WIDTH``: on a
narrow screen ``charts.css`` enlarges the text so that it stays readable once the SVG is
scaled down), and date ticks at either end are anchored inwards. Ranges over
``WEEKLY_OVER_DAYS`` days are drawn, and tabled, by week (Monday to Sunday).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

WIDTH = 400
HEIGHT = 240
# Room for the axes' labels: left for the values, bottom for the dates.
MARGIN_LEFT = 60
MARGIN_RIGHT = 16
MARGIN_TOP = 12
MARGIN_BOTTOM = 44
MAX_DATE_TICKS = 6
MAX_VALUE_TICKS = 5
MARKERS_UP_TO = 45  # points per series drawn with markers (more would be a smudge)
SERIES_STYLES = ("series-1", "series-2", "series-3")
# Width of one character of chart text, in viewBox units, at the largest size the text is
# drawn (15.5 units on narrow screens, see charts.css): generous, so estimates err wide.
CHAR_WIDTH = 8.5
Y_AXIS_LABEL_ROOM = 24  # the rotated y-axis label, left of the value ticks
TICK_GAP = 6  # between a tick label and its axis
WEEKLY_OVER_DAYS = 92  # longer ranges are drawn by week


def text_width(text: str) -> float:
    """The room ``text`` takes on a chart, estimated from its length (never measured: the
    server has no fonts)."""
    return len(text) * CHAR_WIDTH


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def weeks_of(days: Sequence[date], values: Sequence[int]) -> tuple[list[date], list[int]]:
    """Daily ``values`` added up per week (Monday to Sunday): the Mondays, and the sums.
    The first and last weeks hold only the days given, so the total is unchanged."""
    mondays: list[date] = []
    sums: list[int] = []
    for day, value in zip(days, values, strict=True):
        monday = week_start(day)
        if not mondays or mondays[-1] != monday:
            mondays.append(monday)
            sums.append(0)
        sums[-1] += value
    return mondays, sums


def number(value: int) -> str:
    """A value as people read it in their language ("1,234" / "1.234")."""
    return number_format(value, force_grouping=True)


def nice_step(maximum: int, ticks: int = MAX_VALUE_TICKS) -> int:
    """The round step (1, 2 or 5 times a power of ten) that covers ``maximum`` in at most
    ``ticks`` steps."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        step = int(factor * power)
        if step >= raw and step >= 1:
            return step
    return int(10 * power)  # pragma: no cover (the loop always returns)


def value_ticks(maximum: int, ticks: int = MAX_VALUE_TICKS) -> list[int]:
    """0 and round values up to the first one at or above ``maximum`` (0, 1 when empty)."""
    step = nice_step(maximum, ticks)
    top = max(step, math.ceil(maximum / step) * step)
    return list(range(0, top + 1, step))


def date_ticks(start: date, end: date, most: int = MAX_DATE_TICKS) -> list[date]:
    """Days to label on a time axis: every day, 2 days or a week for short ranges (from the
    first day), the first of each month (or of every 2nd or 3rd month) for long ones."""
    days = (end - start).days + 1
    for step in (1, 2, 7, 14):
        if math.ceil(days / step) <= most:
            return [start + timedelta(days=i) for i in range(0, days, step)]
    firsts = []
    month = date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            firsts.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    for every in (1, 2, 3, 4, 6, 12):
        picked = firsts[::every]
        if len(picked) <= most:
            return picked or [start]
    return firsts[:: math.ceil(len(firsts) / most)]  # pragma: no cover (over 6 years)


def date_label(day: date, *, month_only: bool, with_year: bool) -> str:
    """A short date for an axis, as the reader's language writes it: the formats are
    translated (Django's ``M`` is "Dec", ``b`` is "dic", for languages that write months in
    lower case)."""
    if month_only:
        fmt = pgettext("chart date", "M Y") if with_year else pgettext("chart date", "M")
    else:
        fmt = pgettext("chart date", "j M Y") if with_year else pgettext("chart date", "j M")
    return date_format(day, fmt)


@dataclass(frozen=True)
class Tick:
    position: float  # x for a date tick, y for a value tick
    label: str
    anchor: str = "middle"  # the SVG text-anchor of a date tick: inwards at either end


def tick_anchor(position: float, label: str, *, left: float, right: float) -> str:
    """ "start" for a label that would stick out left of ``left`` if centred, "end" for one
    that would pass ``right``, else "middle"."""
    half = text_width(label) / 2
    if position - half < left:
        return "start"
    if position + half > right:
        return "end"
    return "middle"


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # "3 Mar: 12", for the point's tooltip


@dataclass(frozen=True)
class Line:
    name: str
    style: str  # one of SERIES_STYLES
    points: tuple[Point, ...]
    values: tuple[int, ...]
    markers: bool

    @property
    def total(self) -> int:
        return sum(self.values)

    @property
    def path(self) -> str:
        """The ``points`` attribute of an SVG polyline."""
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]


@dataclass(frozen=True)
class Plot:
    """The drawing area inside the axes."""

    left: float = MARGIN_LEFT
    top: float = MARGIN_TOP
    right: float = WIDTH - MARGIN_RIGHT
    bottom: float = HEIGHT - MARGIN_BOTTOM

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class TimeChart:
    key: str  # unique on the page: ids of the title, description and table
    title: str
    description: str
    x_label: str
    y_label: str
    days: tuple[date, ...]
    lines: tuple[Line, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    plot: Plot
    weekly: bool = False  # each point is a week (``days`` are its Mondays)
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def empty(self) -> bool:
        return not any(line.total for line in self.lines)

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The data table: each day, or week ("Week of …"), in the reader's short date
        format, with each series' value."""
        return [
            (period_label(day, weekly=self.weekly), [number(line.values[i]) for line in self.lines])
            for i, day in enumerate(self.days)
        ]

    @property
    def tick_label_y(self) -> float:
        return self.plot.bottom + 20

    @property
    def x_axis_y(self) -> float:
        return self.plot.bottom

    @property
    def x_label_y(self) -> float:
        return self.height - 6

    @property
    def y_label_x(self) -> float:
        """The baseline of the rotated y-axis label: its letters rise left of it, by up to
        the font's ascent (about 14 units at the narrow screens' 15.5)."""
        return 16.0

    @property
    def y_label_y(self) -> float:
        return self.plot.top + self.plot.height / 2


def period_label(day: date, *, weekly: bool) -> str:
    """A data table's row header: the day, or "Week of <its Monday>"."""
    shown = date_format(day, "SHORT_DATE_FORMAT")
    return _("Week of %(date)s") % {"date": shown} if weekly else shown


def time_chart(
    *,
    key: str,
    title: str,
    days: Sequence[date],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
) -> TimeChart:
    """A line chart of one or more daily series over ``days`` (oldest first). Over
    ``WEEKLY_OVER_DAYS`` days the series are added up per week, and the x label becomes
    "Week"."""
    assert days, "a time chart needs at least one day"
    assert all(len(s.values) == len(days) for s in series)
    first_day, last_day = days[0], days[-1]
    weekly = len(days) > WEEKLY_OVER_DAYS
    if weekly:
        series = [Series(s.name, weeks_of(days, s.values)[1]) for s in series]
        days = weeks_of(days, [0] * len(days))[0]
        x_label = _("Week")
    maximum = max((v for s in series for v in s.values), default=0)
    y_values = value_ticks(maximum)
    y_labels = [number(v) for v in y_values]
    widest = max(text_width(label) for label in y_labels)
    plot = Plot(left=max(MARGIN_LEFT, Y_AXIS_LABEL_ROOM + TICK_GAP + widest))
    top = y_values[-1]
    count = len(days)
    first, last = days[0], days[-1]
    span = (last - first).days

    def x_at(day: date) -> float:
        if span == 0:
            return plot.left + plot.width / 2
        return plot.left + plot.width * (day - first).days / span

    def y_of(value: int) -> float:
        return plot.bottom - plot.height * value / top

    with_year = first_day.year != last_day.year
    labelled = [d for d in date_ticks(first, last) if first <= d <= last]
    month_only = (last - first).days + 1 > 14 * MAX_DATE_TICKS
    x_ticks = []
    for day in labelled:
        label = date_label(day, month_only=month_only, with_year=with_year)
        x = x_at(day)
        anchor = tick_anchor(x, label, left=plot.left, right=WIDTH - 2)
        x_ticks.append(Tick(x, label, anchor))
    y_ticks = tuple(Tick(y_of(v), label) for v, label in zip(y_values, y_labels, strict=True))
    markers = count <= MARKERS_UP_TO

    def tooltip(j: int, v: int) -> str:
        # Only markers show one: a year of points needs none (formatting them is slow).
        if not markers:
            return ""
        when = date_label(days[j], month_only=False, with_year=with_year)
        if weekly:
            when = _("Week of %(date)s") % {"date": when}
        return f"{when}: {number(v)}"

    lines = tuple(
        Line(
            name=s.name,
            style=SERIES_STYLES[i % len(SERIES_STYLES)],
            points=tuple(
                Point(x_at(days[j]), y_of(v), tooltip(j, v)) for j, v in enumerate(s.values)
            ),
            values=tuple(s.values),
            markers=markers,
        )
        for i, s in enumerate(series)
    )
    return TimeChart(
        key=key,
        title=title,
        description=_describe(lines, days, first_day, last_day, weekly=weekly),
        x_label=x_label,
        y_label=y_label,
        days=tuple(days),
        lines=lines,
        x_ticks=tuple(x_ticks),
        y_ticks=y_ticks,
        plot=plot,
        weekly=weekly,
    )


def _describe(
    lines: Sequence[Line], days: Sequence[date], first: date, last: date, *, weekly: bool
) -> str:
    span = _("From %(first)s to %(last)s.") % {
        "first": date_label(first, month_only=False, with_year=True),
        "last": date_label(last, month_only=False, with_year=True),
    }
    parts = [span]
    if weekly:
        parts.append(_("By week, from Monday to Sunday."))
    for line in lines:
        if not line.total:
            parts.append(_("%(name)s: none in these days.") % {"name": line.name})
            continue
        index = line.values.index(max(line.values))
        peak = date_label(days[index], month_only=False, with_year=first.year != last.year)
        peak += f": {number(line.values[index])}"
        if weekly:
            text = _("%(name)s: %(total)s in all, most in the week of %(peak)s.")
        else:
            text = _("%(name)s: %(total)s in all, most on %(peak)s.")
        parts.append(text % {"name": line.name, "total": number(line.total), "peak": peak})
    return " ".join(parts)


# --- Bars per category (networks) --------------------------------------------------------

BAR_HEIGHT = 22
BAR_GAP = 8
BAR_LABEL_MIN = 48  # room for the category names, left of the bars: at least …
BAR_LABEL_MAX = 170  # … and at most (longer names are shortened, in full in a tooltip)
BAR_LABEL_GAP = 8  # between a name and its bar
BAR_VALUE_ROOM = 56  # room for the value, right of the longest bar
ELLIPSIS = "\u2026"


def shortened(label: str, room: float) -> str:
    """``label`` as it fits in ``room`` units, cut with an ellipsis when too long."""
    if text_width(label) <= room:
        return label
    keep = max(1, int(room // CHAR_WIDTH) - 1)
    return label[:keep].rstrip() + ELLIPSIS


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    value_text: str
    y: float
    width: float
    left: float  # where the bar starts (the right edge of the names' gutter)
    short_label: str  # ``label``, shortened to fit the gutter

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT / 2

    @property
    def value_x(self) -> float:
        return self.left + self.width + 4

    @property
    def shortened(self) -> bool:
        return self.short_label != self.label


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    description: str
    x_label: str
    category_label: str
    bars: tuple[Bar, ...]
    x_ticks: tuple[Tick, ...]
    width: int
    height: int
    axis_y: float
    left: float  # the gutter for the category names, left of the bars
    bar_height: int = BAR_HEIGHT

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in self.bars)

    @property
    def x_label_y(self) -> float:
        return self.height - 6

    @property
    def tick_label_y(self) -> float:
        return self.axis_y + 18

    @property
    def label_x(self) -> float:
        return self.left - BAR_LABEL_GAP

    @property
    def axis_end(self) -> float:
        return self.width - BAR_VALUE_ROOM

    @property
    def middle(self) -> float:
        return self.left + (self.width - self.left - BAR_VALUE_ROOM) / 2


def bar_gutter(labels: Sequence[str]) -> float:
    """Room for the category names: the longest one's width, within the bounds."""
    widest = max((text_width(label) for label in labels), default=0.0)
    return min(BAR_LABEL_MAX, max(BAR_LABEL_MIN, widest + BAR_LABEL_GAP + 4))


def bar_chart(
    *,
    key: str,
    title: str,
    items: Sequence[tuple[str, int]],
    x_label: str,
    category_label: str,
    width: int = WIDTH,
) -> BarChart:
    """Horizontal bars, one per ``(label, value)``, with a value axis of round ticks."""
    left = bar_gutter([label for label, _value in items])
    span = width - left - BAR_VALUE_ROOM
    maximum = max((value for _label, value in items), default=0)
    ticks = value_ticks(maximum, ticks=4)
    top = ticks[-1]
    room = left - BAR_LABEL_GAP - 4
    bars = tuple(
        Bar(
            label=label,
            value=value,
            value_text=number(value),
            y=MARGIN_TOP + i * (BAR_HEIGHT + BAR_GAP),
            width=span * value / top,
            left=left,
            short_label=shortened(label, room),
        )
        for i, (label, value) in enumerate(items)
    )
    axis_y = MARGIN_TOP + max(len(items), 1) * (BAR_HEIGHT + BAR_GAP)
    x_ticks = tuple(Tick(left + span * v / top, number(v)) for v in ticks)
    described = "; ".join(f"{label}: {number(value)}" for label, value in items)
    return BarChart(
        key=key,
        title=title,
        description=described + "." if described else _("Nothing to show."),
        x_label=x_label,
        category_label=category_label,
        bars=bars,
        x_ticks=x_ticks,
        width=width,
        height=int(axis_y + MARGIN_BOTTOM),
        axis_y=axis_y,
        left=left,
    )
