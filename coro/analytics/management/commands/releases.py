from typing import Any

from django.core.management.base import BaseCommand

from coro.analytics.services import releases_due, releases_schedule


class Command(BaseCommand):
    help = (
        "Publish the team figures that are due (each organisation's release for the current "
        "period), and plan the next hourly run. `coro worker` runs it when it starts."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        made = releases_due()
        planned = releases_schedule()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Team figures: {made} new release(s) published; "
                + ("next check planned in an hour." if planned else "next check already planned.")
            )
