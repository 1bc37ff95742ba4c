import time
from typing import Any

from django.core.management.base import BaseCommand

from coro.analytics.rollups import rollup_run


class Command(BaseCommand):
    help = (
        "Add the visits and previews not yet added up to the dashboards' rollups now (the "
        "worker does it every minute), and print how many."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        rolled = rollup_run()
        seconds = time.monotonic() - started
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Rolled up {rolled.visits} visits and {rolled.previews} previews "
                f"in {rolled.batches} batches ({seconds:.1f} s)."
            )
