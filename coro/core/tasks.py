"""Background work of core: the runs of periodic jobs (see ``coro/core/periodic.py``)."""

from django_tasks import task


@task()
def periodic_run(name: str) -> None:
    """Run one periodic job by name, then plan its next run; safe to run twice."""
    from coro.core.periodic import periodic_run_now

    periodic_run_now(name)
