"""Working hours: when a message may reach a person (charter rule 9, right to disconnect).

Working hours belong to a person (``User``) or to an organisation (``Organisation``: its
team chat announcements wait for them); both have the same four fields (``WorkingHours``)
and everything here works the same for either.

A person's working window opens at ``work_start`` on each of their ``work_days`` (ISO
weekdays, "1" = Monday) in their own ``time_zone``, and closes at ``work_end``. When
``work_end`` is earlier than ``work_start`` the window runs past midnight and closes on
the next day (a night shift); the day it opens on is the working day. No working days at
all means no window ever: such a person is never e-mailed (see ``notification_hold``).

Times are wall-clock times in the person's zone, so a window keeps its local hours across
daylight-saving changes. A time the clock skips on a spring-forward day (02:30 in Madrid on
the last Sunday of March) is taken as the moment of the jump (03:00); a time the clock
shows twice on a fall-back day is taken at its first occurrence.
"""

import logging
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

ISO_WEEKDAYS = "1234567"


class WorkingHours(Protocol):
    """Whoever has working hours: a person (``User``) or an organisation (``Organisation``)."""

    @property
    def work_days(self) -> str: ...

    @property
    def work_start(self) -> time: ...

    @property
    def work_end(self) -> time: ...

    @property
    def time_zone(self) -> str: ...


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def validate_time_zone(name: str) -> None:
    if name not in time_zone_names():
        raise ValidationError(_("Choose a time zone from the list."), code="time_zone")


def validate_work_days(work_days: str) -> None:
    if any(day not in ISO_WEEKDAYS for day in work_days) or len(set(work_days)) != len(work_days):
        raise ValidationError(
            _("Working days are ISO weekday numbers, each at most once."), code="work_days"
        )


def validate_work_hours(work_start: time, work_end: time) -> None:
    if work_start == work_end:
        raise ValidationError(
            _("The end of your working hours must differ from their start."), code="work_hours"
        )


def working_days(user: WorkingHours) -> frozenset[int]:
    return frozenset(int(day) for day in user.work_days if day in ISO_WEEKDAYS)


def user_zone(user: WorkingHours) -> zoneinfo.ZoneInfo:
    """The person's (or organisation's) zone; the server's if theirs is unknown here (it is
    checked on input)."""
    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        logger.warning("Unknown time zone %r, using %s", user.time_zone, settings.TIME_ZONE)
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _at(day: date, moment: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """The first instant (in UTC) at which the wall clock in ``zone`` reads ``moment`` of
    ``day`` or later: the earlier of two on a fall-back day, the jump itself when the clock
    skips that time on a spring-forward day."""
    wall = datetime.combine(day, moment)
    after = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: past the jump, if any
    if after.astimezone(zone).replace(tzinfo=None) == wall:
        return after
    # The wall time does not exist: find the jump, to the second, between the readings
    # just before it and just after it.
    low = int(wall.replace(tzinfo=zone, fold=1).astimezone(UTC).timestamp())
    high = int(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def next_working_window_start(user: WorkingHours, now: datetime) -> datetime | None:
    """``now`` if it falls inside one of the person's working windows, else the start of the
    next one (in UTC); ``None`` if the person has no working days. ``user`` may be an
    ``Organisation`` too: its windows are computed the same way, in its own time zone."""
    days = working_days(user)
    if not days:
        return None
    zone = user_zone(user)
    now = now.astimezone(UTC)
    today = now.astimezone(zone).date()
    overnight = user.work_end <= user.work_start
    # Yesterday's window may still be open (overnight). Windows never overlap, so the
    # first one not yet closed is the answer; two weeks ahead always holds one.
    for offset in range(-1, 15):
        day = today + timedelta(days=offset)
        if day.isoweekday() not in days:
            continue
        start = _at(day, user.work_start, zone)
        end = _at(day + timedelta(days=1) if overnight else day, user.work_end, zone)
        if end <= start:
            continue  # a short window swallowed by a spring-forward gap: none that day
        if now < end:
            return max(start, now)
    raise AssertionError("unreachable: a working day occurs within every week")
