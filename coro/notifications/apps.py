from datetime import timedelta

from django.apps import AppConfig


def _release_due() -> None:
    from coro.notifications.services import notifications_release_due

    notifications_release_due()


def _digests() -> None:
    from coro.notifications.digests import digests_run

    digests_run()


class NotificationsConfig(AppConfig):
    name = "coro.notifications"
    label = "notifications"

    def ready(self) -> None:
        from coro.core.periodic import PeriodicJob, periodic_register

        # Held messages that are due and were missed (a lost task, a backend that cannot run
        # tasks later), and e-mails released after an SMTP failure, go out again.
        periodic_register(
            PeriodicJob("notifications.release_due", timedelta(minutes=5), _release_due)
        )
        # Digests: the ones that failed are tried again, the ones that are due are made.
        periodic_register(PeriodicJob("notifications.digests", timedelta(minutes=15), _digests))
        # Team chat announcements that came due without their task.
        from coro.notifications.chat_tasks import chat_release_job

        periodic_register(chat_release_job())
