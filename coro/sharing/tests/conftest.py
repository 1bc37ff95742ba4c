"""Fixtures of the tracked-link tests: a clock the redirect reads, and a fresh link cache
and salt for each test (the rows they stood for are gone with the test's transaction)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from coro.sharing import hotpath, visitors


class Clock:
    """The time the redirect reads (``hotpath.datetime.now``)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(datetime(2026, 3, 2, 10, 5, tzinfo=UTC))

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return clock.at.astimezone(tz) if tz is not None else clock.at.replace(tzinfo=None)

    monkeypatch.setattr(hotpath, "datetime", Frozen)
    return clock


@pytest.fixture(autouse=True)
def fresh_visits() -> Iterator[None]:
    """No link cached and no salt remembered from another test (their rows are gone)."""
    hotpath.cache_forget()
    visitors._salts.clear()
    yield
    hotpath.cache_forget()
    visitors._salts.clear()
