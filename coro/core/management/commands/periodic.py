from typing import Any

from django.core.management.base import BaseCommand

from coro.core.periodic import periodic_start


class Command(BaseCommand):
    help = (
        "Run every periodic job once (publishing scheduled posts, reading blog feeds, ...) and "
        "plan its next run. `coro worker` runs it when it starts."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        names = periodic_start()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Periodic jobs: {', '.join(names) or 'none'} ran and are planned.")
