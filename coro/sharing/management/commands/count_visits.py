import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from coro.sharing.spool import count_forever, spool_count


class Command(BaseCommand):
    help = (
        "Count the tracked links' visits that the web processes write to their spool files "
        "(coro serve runs it beside the web server; SIGTERM stops it after a last round)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One round, then stop.")

    def handle(self, *args: Any, once: bool, **options: Any) -> None:
        directory = Path(settings.VISITS_SPOOL_DIR)
        if once:
            counted = spool_count(directory)
            self.stdout.write(f"Counted {counted} bytes of spooled visits.")
            return
        stop = threading.Event()

        def stopping(signum: int, frame: FrameType | None) -> None:
            stop.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, stopping)
        count_forever(directory, settings.VISITS_FLUSH_SECONDS, stop)
