"""next_working_window_start: when a message may reach a person (charter rule 9)."""

import random
import zoneinfo
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from coro.accounts.models import User
from coro.notifications import hours
from coro.notifications.hours import next_working_window_start

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")


def person(days="12345", start=time(9), end=time(18), zone="Europe/Madrid") -> User:
    return User(work_days=days, work_start=start, work_end=end, time_zone=zone)


def local(zone: str, *args: int) -> datetime:
    """An instant given by the wall clock in ``zone`` (first occurrence)."""
    return datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# 2026-06-01 is a Monday; Madrid is on summer time (UTC+2) then.


def test_inside_the_window_is_now():
    now = local("Europe/Madrid", 2026, 6, 1, 10, 15)
    assert next_working_window_start(person(), now) == now


def test_result_is_in_utc():
    now = local("Europe/Madrid", 2026, 6, 1, 10, 15)
    result = next_working_window_start(person(), now)
    assert result.utcoffset() == timedelta(0)
    assert result == utc(2026, 6, 1, 8, 15)


def test_before_the_start_waits_for_the_start_the_same_day():
    now = local("Europe/Madrid", 2026, 6, 1, 7, 59)
    assert next_working_window_start(person(), now) == utc(2026, 6, 1, 7, 0)  # 09:00 CEST


def test_start_is_inside_and_end_is_outside():
    start = local("Europe/Madrid", 2026, 6, 1, 9, 0)
    end = local("Europe/Madrid", 2026, 6, 1, 18, 0)
    assert next_working_window_start(person(), start) == start
    assert next_working_window_start(person(), end - timedelta(seconds=1)) == end - timedelta(
        seconds=1
    )
    assert next_working_window_start(person(), end) == local("Europe/Madrid", 2026, 6, 2, 9, 0)


def test_friday_evening_waits_for_monday_morning():
    friday_evening = local("Europe/Madrid", 2026, 6, 5, 18, 30)
    monday = local("Europe/Madrid", 2026, 6, 8, 9, 0)
    assert next_working_window_start(person(), friday_evening) == monday


@pytest.mark.parametrize("day", [6, 7])  # Saturday, Sunday
def test_weekend_waits_for_monday(day):
    now = local("Europe/Madrid", 2026, 6, day, 11, 0)
    assert next_working_window_start(person(), now) == local("Europe/Madrid", 2026, 6, 8, 9, 0)


def test_weekend_worker_is_reached_on_the_weekend():
    saturday = local("Europe/Madrid", 2026, 6, 6, 11, 0)
    assert next_working_window_start(person(days="67"), saturday) == saturday
    friday = local("Europe/Madrid", 2026, 6, 5, 11, 0)
    expected = local("Europe/Madrid", 2026, 6, 6, 9, 0)
    assert next_working_window_start(person(days="67"), friday) == expected


def is_working_time(user, now) -> bool:
    """Working now: the next window starts now."""
    return next_working_window_start(user, now) == now


def test_a_single_working_day_already_over_waits_a_week():
    sunday_evening = local("Europe/Madrid", 2026, 6, 7, 19, 0)
    next_sunday = local("Europe/Madrid", 2026, 6, 14, 9, 0)
    assert next_working_window_start(person(days="7"), sunday_evening) == next_sunday


def test_no_working_days_means_never():
    assert next_working_window_start(person(days=""), utc(2026, 6, 1, 10)) is None


# --- Daylight saving time in Madrid -------------------------------------------------------


def test_spring_forward_weekend_keeps_nine_o_clock_local():
    # Clocks go forward on Sunday 29 March 2026: Friday is UTC+1, Monday UTC+2.
    friday_evening = local("Europe/Madrid", 2026, 3, 27, 19, 0)
    assert friday_evening.utcoffset() == timedelta(hours=1)
    result = next_working_window_start(person(), friday_evening)
    assert result == utc(2026, 3, 30, 7, 0)  # 09:00 CEST, not 08:00 UTC
    assert result.astimezone(MADRID).time() == time(9, 0)


def test_fall_back_weekend_keeps_nine_o_clock_local():
    # Clocks go back on Sunday 25 October 2026: Friday is UTC+2, Monday UTC+1.
    friday_evening = local("Europe/Madrid", 2026, 10, 23, 19, 0)
    assert friday_evening.utcoffset() == timedelta(hours=2)
    result = next_working_window_start(person(), friday_evening)
    assert result == utc(2026, 10, 26, 8, 0)  # 09:00 CET
    assert result.astimezone(MADRID).time() == time(9, 0)


def test_a_start_the_clock_skips_opens_at_the_jump():
    # 02:30 does not exist on 29 March 2026 in Madrid: 02:00 CET is followed by 03:00 CEST.
    sunday_worker = person(days="7", start=time(2, 30), end=time(6, 0))
    now = utc(2026, 3, 28, 20, 0)
    result = next_working_window_start(sunday_worker, now)
    assert result == utc(2026, 3, 29, 1, 0)
    assert result.astimezone(MADRID).time() == time(3, 0)
    # The hour before the jump is outside; the window closes at 06:00 CEST.
    assert not is_working_time(sunday_worker, utc(2026, 3, 29, 0, 59))
    assert is_working_time(sunday_worker, utc(2026, 3, 29, 3, 59))
    assert not is_working_time(sunday_worker, utc(2026, 3, 29, 4, 0))


def test_a_start_the_clock_shows_twice_opens_at_the_first():
    # 02:30 happens twice on 25 October 2026 in Madrid: first at UTC+2, then at UTC+1.
    sunday_worker = person(days="7", start=time(2, 30), end=time(6, 0))
    result = next_working_window_start(sunday_worker, utc(2026, 10, 24, 20, 0))
    assert result == utc(2026, 10, 25, 0, 30)


def test_a_short_window_swallowed_by_the_jump_is_skipped_that_day():
    # 02:10-02:50 never shows on the clock on 29 March 2026 in Madrid.
    sunday_worker = person(days="7", start=time(2, 10), end=time(2, 50))
    result = next_working_window_start(sunday_worker, utc(2026, 3, 28, 20, 0))
    assert result == local("Europe/Madrid", 2026, 4, 5, 2, 10)


# --- Other time zones ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "now", "expected"),
    [
        # New York, Friday 18:30 EDT: Monday 09:00 EDT.
        ("America/New_York", utc(2026, 6, 5, 22, 30), utc(2026, 6, 8, 13, 0)),
        # New York, Friday 17:30 EDT: inside.
        ("America/New_York", utc(2026, 6, 5, 21, 30), utc(2026, 6, 5, 21, 30)),
        # New York changes clocks on 8 March 2026, three weeks before Madrid.
        ("America/New_York", utc(2026, 3, 6, 23, 0), utc(2026, 3, 9, 13, 0)),
        # Tokyo (no DST): Monday 08:00 UTC is 17:00 JST, inside.
        ("Asia/Tokyo", utc(2026, 6, 1, 8, 0), utc(2026, 6, 1, 8, 0)),
        # Tokyo: Monday 09:00 UTC is 18:00 JST, over; Tuesday 09:00 JST.
        ("Asia/Tokyo", utc(2026, 6, 1, 9, 0), utc(2026, 6, 2, 0, 0)),
        # Kolkata (UTC+5:30): Sunday 22:00 UTC is Monday 03:30 IST; Monday 09:00 IST.
        ("Asia/Kolkata", utc(2026, 5, 31, 22, 0), utc(2026, 6, 1, 3, 30)),
        # Auckland, summer time in January (UTC+13): Sunday 20:00 UTC is Monday 09:00 NZDT.
        ("Pacific/Auckland", utc(2026, 1, 11, 19, 0), utc(2026, 1, 11, 20, 0)),
        # Auckland, Friday 18:00 NZST in June (UTC+12): Monday 09:00 NZST.
        ("Pacific/Auckland", utc(2026, 6, 5, 6, 0), utc(2026, 6, 7, 21, 0)),
    ],
)
def test_other_time_zones(zone, now, expected):
    assert next_working_window_start(person(zone=zone), now) == expected


def test_the_persons_zone_not_the_servers_decides():
    now = utc(2026, 6, 1, 14, 0)  # 16:00 in Madrid, 07:00 in Los Angeles
    assert next_working_window_start(person(zone="Europe/Madrid"), now) == now
    la = next_working_window_start(person(zone="America/Los_Angeles"), now)
    assert la == utc(2026, 6, 1, 16, 0)


def test_an_unknown_zone_falls_back_to_the_servers(settings):
    settings.TIME_ZONE = "Europe/Madrid"
    now = local("Europe/Madrid", 2026, 6, 1, 7, 0)
    expected = local("Europe/Madrid", 2026, 6, 1, 9, 0)
    assert next_working_window_start(person(zone="Mars/Olympus_Mons"), now) == expected


# --- Windows past midnight ----------------------------------------------------------------


NIGHT = {"days": "12345", "start": time(22, 0), "end": time(6, 0)}


def test_night_shift_is_reached_after_midnight_of_a_working_day():
    # Friday's shift runs into Saturday morning.
    saturday_early = local("Europe/Madrid", 2026, 6, 6, 3, 0)
    assert next_working_window_start(person(**NIGHT), saturday_early) == saturday_early


def test_night_shift_waits_for_the_next_shift():
    saturday_morning = local("Europe/Madrid", 2026, 6, 6, 7, 0)
    monday_night = local("Europe/Madrid", 2026, 6, 8, 22, 0)
    assert next_working_window_start(person(**NIGHT), saturday_morning) == monday_night
    # Early Monday belongs to Sunday's shift, and Sunday is not a working day.
    monday_early = local("Europe/Madrid", 2026, 6, 8, 1, 0)
    assert next_working_window_start(person(**NIGHT), monday_early) == monday_night


# --- Against a minute-by-minute reading of the wall clock ---------------------------------


def _inside_by_the_clock(user: User, instant: datetime) -> bool:
    wall = instant.astimezone(zoneinfo.ZoneInfo(user.time_zone))
    days = {int(d) for d in user.work_days}
    moment = wall.time().replace(tzinfo=None)
    if user.work_start < user.work_end:
        return wall.isoweekday() in days and user.work_start <= moment < user.work_end
    yesterday = (wall - timedelta(days=1)).isoweekday()
    return (wall.isoweekday() in days and moment >= user.work_start) or (
        yesterday in days and moment < user.work_end
    )


@pytest.mark.parametrize("seed", range(12))
def test_agrees_with_the_wall_clock(seed):
    rng = random.Random(seed)
    zone = rng.choice(["Europe/Madrid", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"])
    days = "".join(sorted(rng.sample("1234567", rng.randint(1, 7))))
    # Hours away from the night-time daylight-saving jumps, where a clock reading repeats.
    start = time(rng.randint(4, 23), rng.choice([0, 15, 30, 45]))
    end = time(rng.randint(4, 23), rng.choice([0, 15, 30, 45]))
    if start == end:
        end = time((end.hour + 1) % 24 or 4, end.minute)
    user = person(days=days, start=start, end=end, zone=zone)
    # Around Madrid's spring change, New York's autumn change, and an ordinary week.
    base = rng.choice([utc(2026, 3, 26), utc(2026, 10, 30), utc(2026, 6, 1)])
    now = base + timedelta(minutes=rng.randint(0, 7 * 24 * 60))
    result = next_working_window_start(user, now)
    assert result >= now
    assert _inside_by_the_clock(user, result)
    step = now
    while step < result:
        assert not _inside_by_the_clock(user, step), (user.work_days, start, end, zone, step)
        step += timedelta(minutes=15)


# --- Validation ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["12345", "", "7", "1234567"])
def test_valid_work_days(value):
    hours.validate_work_days(value)


@pytest.mark.parametrize("value", ["0", "8", "1a", "112", "1,2"])
def test_invalid_work_days(value):
    with pytest.raises(ValidationError):
        hours.validate_work_days(value)


def test_time_zone_names_are_real_and_sorted():
    names = hours.time_zone_names()
    assert "Europe/Madrid" in names
    assert list(names) == sorted(names)
    hours.validate_time_zone("America/Argentina/Buenos_Aires")
    with pytest.raises(ValidationError):
        hours.validate_time_zone("Europe/Atlantis")


def test_equal_start_and_end_are_refused():
    with pytest.raises(ValidationError):
        hours.validate_work_hours(time(9), time(9))
    hours.validate_work_hours(time(22), time(6))
