from django.db import models


class Schedule(models.Model):
    """When a periodic job runs next. One row per job: enqueuing the next run is claimed by
    moving ``next_run_at`` with a conditional update, so however many workers start, one
    chain of runs exists (``coro.core.schedule``)."""

    name = models.CharField(max_length=64, unique=True)
    next_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.next_run_at:%Y-%m-%d %H:%M}"
