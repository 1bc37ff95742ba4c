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
            self.stdout.write(f"Team figures: {published_in_words(made, planned=planned)}")


def published_in_words(made: int, *, planned: bool) -> str:
    """What the worker's start-up line says about the team figures' releases."""
    if made == 0:
        done = "none were due"
    elif made == 1:
        done = "1 new release published"
    else:
        done = f"{made} new releases published"
    then = "the next check is in an hour" if planned else "the next check was already planned"
    return f"{done}; {then}."
