import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Start Coro's web server (gunicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))

    def handle(self, *args: Any, bind: str, workers: int, **options: Any) -> None:
        if not settings.DEBUG:
            call_command("collectstatic", "--noinput", verbosity=0)
        # While no organisation exists, print the one-time token that opens /setup/ (the
        # command lives in the top app, ``site``; it is called by name, as ``coro worker``
        # calls its start-up commands).
        call_command("setup_token", stdout=self.stdout, stderr=self.stderr)
        # No control socket: Coro does not use gunicornc, and its one path in $HOME is shared
        # by every gunicorn on the machine (each takes it from the last) and slows the stop.
        argv = [
            sys.executable, "-m", "gunicorn", "coro.wsgi:application",
            "--bind", bind, "--workers", str(workers), "--access-logfile", "-",
            "--no-control-socket",
        ]  # fmt: skip
        sys.stdout.flush()  # execv drops what is still buffered (the token above)
        sys.stderr.flush()
        os.execv(sys.executable, argv)  # noqa: S606 (fixed argv, no shell)
