from datetime import timedelta

from django.apps import AppConfig


def _scheduled_posts() -> None:
    from coro.sharing.posting import scheduled_posts_enqueue_due

    scheduled_posts_enqueue_due()


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
