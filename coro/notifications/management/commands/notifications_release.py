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
            self.stdout.write(f"Held notifications: {released_in_words(count)}")


def released_in_words(count: int) -> str:
    """What the worker's start-up line says about notifications held for working hours."""
    if count == 0:
        return "none were due."
    if count == 1:
        return "1 was due and is on its way."
    return f"{count} were due and are on their way."
