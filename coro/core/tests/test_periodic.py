from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from coro.core import periodic
from coro.core.models import Schedule
from coro.core.periodic import PeriodicJob, periodic_plan, periodic_run_now, periodic_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    runs: list[int] = []
    jobs = {"test.job": PeriodicJob("test.job", timedelta(minutes=5), lambda: runs.append(1))}
    monkeypatch.setattr(periodic, "JOBS", jobs)
    return runs


def test_a_run_does_the_work_and_plans_the_next_run_once(job: list[int]) -> None:
    periodic_run_now("test.job")
    assert job == [1]
    planned = Schedule.objects.get(name="test.job").next_run_at
    assert timezone.now() + timedelta(minutes=4) < planned <= timezone.now() + timedelta(minutes=5)
    # A second worker's run in the same period does the work but plans nothing more.
    assert periodic_plan("test.job") is False


def test_a_lost_run_is_planned_again(job: list[int]) -> None:
    Schedule.objects.create(name="test.job", next_run_at=timezone.now() - timedelta(hours=1))
    assert periodic_plan("test.job") is True


def test_the_worker_start_runs_every_job(job: list[int]) -> None:
    assert periodic_start() == ["test.job"]
    assert job == [1]
    call_command("periodic", verbosity=0)
    assert job == [1, 1]


def test_a_removed_job_is_ignored(job: list[int]) -> None:
    periodic_run_now("gone.job")
    assert job == []


def _broken() -> None:
    raise RuntimeError("database hiccup")


def test_a_failing_run_is_logged_and_the_next_run_is_planned_all_the_same(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = {"test.broken": PeriodicJob("test.broken", timedelta(minutes=5), _broken)}
    monkeypatch.setattr(periodic, "JOBS", jobs)
    with pytest.raises(RuntimeError, match="database hiccup"):
        periodic_run_now("test.broken")
    planned = Schedule.objects.get(name="test.broken").next_run_at
    assert timezone.now() + timedelta(minutes=4) < planned <= timezone.now() + timedelta(minutes=5)
    assert "test.broken" in caplog.text
    assert "database hiccup" in caplog.text  # the traceback is logged


def test_the_worker_start_goes_on_after_a_failing_job(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    runs: list[str] = []
    jobs = {
        # Sorted by name: the broken job runs first.
        "a.broken": PeriodicJob("a.broken", timedelta(minutes=5), _broken),
        "b.fine": PeriodicJob("b.fine", timedelta(minutes=5), lambda: runs.append("b")),
    }
    monkeypatch.setattr(periodic, "JOBS", jobs)
    assert periodic_start() == ["a.broken", "b.fine"]
    assert runs == ["b"]
    assert set(Schedule.objects.values_list("name", flat=True)) == {"a.broken", "b.fine"}
    assert "a.broken" in caplog.text
