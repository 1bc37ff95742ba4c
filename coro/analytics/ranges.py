"""The dashboard's date range: one for the whole page, its charts, tables and exports.

Days are days of the organisation's time zone, both ends included. A range comes from the
query string: a preset (``range=7d``, ``28d``, ``90d``, ``year``) or two dates
(``from=2026-03-01&to=2026-03-31``). Anything else falls back to the default (the last 28
days) with a message saying why, never an error page.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coro.community.months import FIRST_YEAR, days_span

MAX_DAYS = 366  # a year, leap day included: longer ranges are not offered


class Preset(StrEnum):
    LAST_7 = "7d"
    LAST_28 = "28d"
    LAST_90 = "90d"
    THIS_YEAR = "year"
    CUSTOM = "custom"  # from/to dates


PRESET_LABELS = {
    Preset.LAST_7: gettext_lazy("Last 7 days"),
    Preset.LAST_28: gettext_lazy("Last 28 days"),
    Preset.LAST_90: gettext_lazy("Last 90 days"),
    Preset.THIS_YEAR: gettext_lazy("This year"),
    Preset.CUSTOM: gettext_lazy("Chosen dates"),
}
DEFAULT = Preset.LAST_28
_LAST_DAYS = {Preset.LAST_7: 7, Preset.LAST_28: 28, Preset.LAST_90: 90}


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date  # included
    preset: Preset

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def day_list(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def span(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """``[start, end)`` instants of the range in ``zone``."""
        return days_span(self.start, self.end, zone)

    @property
    def label(self) -> str:
        return str(PRESET_LABELS[self.preset])

    def query(self) -> dict[str, str]:
        """The query parameters that give this range again (for links and exports)."""
        if self.preset == Preset.CUSTOM:
            return {"from": self.start.isoformat(), "to": self.end.isoformat()}
        return {"range": self.preset.value}


def range_preset(preset: Preset, today: date) -> DateRange:
    if preset == Preset.THIS_YEAR:
        return DateRange(date(today.year, 1, 1), today, preset)
    days = _LAST_DAYS.get(preset, _LAST_DAYS[DEFAULT])
    return DateRange(today - timedelta(days=days - 1), today, preset)


def _date(text: str) -> date | None:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return day if day.year >= FIRST_YEAR else None


def range_parse(
    *, preset: str = "", start: str = "", end: str = "", today: date
) -> tuple[DateRange, str]:
    """The range asked for, and ``""``; or the default range and a message saying why."""
    default = range_preset(DEFAULT, today)
    if start.strip() or end.strip():
        first, last = _date(start), _date(end)
        if first is None or last is None:
            return default, _(
                "Give both dates as year-month-day (for example %(example)s). "
                "Showing the last 28 days instead."
            ) % {"example": today.isoformat()}
        if last < first:
            return default, _(
                "The first day is after the last day. Showing the last 28 days instead."
            )
        if last > today:
            return default, _("The last day is in the future. Showing the last 28 days instead.")
        if (last - first).days + 1 > MAX_DAYS:
            return default, _("Choose at most %(days)s days. Showing the last 28 days instead.") % {
                "days": MAX_DAYS
            }
        return DateRange(first, last, Preset.CUSTOM), ""
    if not preset:
        return default, ""
    try:
        chosen = Preset(preset)
    except ValueError:
        chosen = Preset.CUSTOM
    if chosen == Preset.CUSTOM:
        return default, _(
            "Choose one of the periods offered, or two dates. Showing the last 28 days instead."
        )
    return range_preset(chosen, today), ""
