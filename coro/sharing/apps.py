from datetime import timedelta
from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


def _scheduled_posts() -> None:
    from coro.sharing.posting import scheduled_posts_enqueue_due

    scheduled_posts_enqueue_due()


def _visit_spools() -> None:
    from coro.sharing.spool import spool_claim_orphans

    spool_claim_orphans(Path(settings.VISITS_SPOOL_DIR))


class SharingConfig(AppConfig):
    name = "coro.sharing"
    label = "sharing"

    def ready(self) -> None:
        from coro.core.periodic import PeriodicJob, periodic_register

        # Posts on connected accounts that are due, due again after a failure, or left
        # half-sent by a worker that died are enqueued (no post depends on one lost task).
        periodic_register(
            PeriodicJob("sharing.scheduled_posts", timedelta(minutes=1), _scheduled_posts)
        )
        # Spool files left by web processes that stopped (however they stopped) are
        # counted to their end and deleted, even if no web process starts again.
        periodic_register(PeriodicJob("sharing.visit_spools", timedelta(minutes=1), _visit_spools))
