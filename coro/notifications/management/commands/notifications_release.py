from typing import Any

from django.core.management.base import BaseCommand

from coro.notifications.services import notifications_release_due


class Command(BaseCommand):
    help = (
        "Enqueue delivery of every held notification that is due and not yet delivered. "
        "Run it when the worker starts and then every few minutes (cron, systemd timer)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = notifications_release_due()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{count} notification(s) enqueued.")
