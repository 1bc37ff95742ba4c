"""Periodic jobs: work that runs every so often on the tasks API (publishing scheduled posts,
reading blog feeds, ...).

An app registers its job once, in its ``AppConfig.ready()``::

    periodic_register(PeriodicJob("content.publish_due", timedelta(minutes=1), run))

``run`` is the service that does the work (no arguments, safe to run twice). Each run plans
the next one through ``schedule_claim``, so however many workers there are, one run is
planned per period. ``coro worker`` calls ``periodic_start`` when it starts: every job runs
once (catching up on what came due while no worker ran) and its next run is planned.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from coro.core.schedule import schedule_claim

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    run: Callable[[], object]


JOBS: dict[str, PeriodicJob] = {}


def periodic_register(job: PeriodicJob) -> None:
    JOBS[job.name] = job


def periodic_plan(name: str, *, now: datetime | None = None) -> bool:
    """Plan the job's next run, unless one is planned already; whether this call planned it."""
    from coro.core.tasks import periodic_run

    job = JOBS[name]
    at = (now or timezone.now()) + job.every
    if not schedule_claim(name, at):
        return False
    if periodic_run.get_backend().supports_defer:
        transaction.on_commit(lambda: periodic_run.using(run_after=at).enqueue(name))
    return True


def periodic_run_now(name: str) -> None:
    """Run the job, then plan its next run (what the task does; safe to run twice).

    The next run is planned even when this one fails: one bad run (a database hiccup, a bug)
    must not stop the job for good. The failure is logged and raised again, so the task that
    ran it is recorded as failed.
    """
    job = JOBS.get(name)
    if job is None:
        return  # a job that was removed since its run was planned
    try:
        job.run()
    except Exception:
        logger.exception("The periodic job %s failed; its next run is planned all the same.", name)
        raise
    finally:
        periodic_plan(name)


def periodic_start() -> list[str]:
    """At worker start: run every job once and plan its next run; the names of the jobs.

    A job that fails (logged by ``periodic_run_now``) does not keep the others from running.
    """
    for name in sorted(JOBS):
        try:
            periodic_run_now(name)
        except Exception:  # noqa: S112 (logged in periodic_run_now; the other jobs go on)
            continue
    return sorted(JOBS)
