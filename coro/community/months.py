"""Calendar months and days in an organisation's time zone (pure functions)."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR = 2000  # nothing in Coro is older; earlier years only risk date overflows


def month_parse(text: str) -> date | None:
    """``"2026-11"`` → 1 November 2026; None for anything else."""
    found = MONTH_RE.match(text.strip())
    if found is None:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    if not (1 <= month <= 12 and year >= FIRST_YEAR):
        return None
    return date(year, month, 1)


def month_key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_previous(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone`` (DST-safe)."""
    return datetime.combine(day, time.min, tzinfo=zone)


def days_span(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """``[start, end)``: from the start of ``first`` to the start of the day after ``last``."""
    return day_start(first, zone), day_start(last + timedelta(days=1), zone)


def month_span(month: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return day_start(month, zone), day_start(month_next(month), zone)
