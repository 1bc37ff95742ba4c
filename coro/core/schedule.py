"""Periodic jobs on the tasks API: each run enqueues the next one, once.

``schedule_claim(name, at)`` says whether the caller should enqueue the run due ``at``: it
moves the job's next run to ``at`` if none is planned by then. A worker that starts while a
run is already planned enqueues nothing; if a planned run was lost (its worker died), the
next start finds ``next_run_at`` in the past and claims again.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from coro.core.models import Schedule


def schedule_claim(name: str, at: datetime) -> bool:
    now = timezone.now()
    with transaction.atomic():
        moved = Schedule.objects.filter(name=name, next_run_at__lte=now).update(next_run_at=at)
        if moved:
            return True
        if Schedule.objects.filter(name=name).exists():
            return False
        try:
            with transaction.atomic():
                Schedule.objects.create(name=name, next_run_at=at)
        except IntegrityError:
            return False  # another worker planned it at the same moment
    return True
