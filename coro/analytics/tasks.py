"""Releases on a fixed schedule: every hour, make the releases that are due.

Tasks are enqueued by ``services`` (the next run), so the service is looked up when the
task runs rather than at import, which would be circular within this app.
"""

from django_tasks import task


@task()
def releases_run() -> None:
    """Make the due releases, then plan the next run; safe to run twice."""
    from coro.analytics.services import releases_due, releases_schedule

    releases_due()
    releases_schedule()
