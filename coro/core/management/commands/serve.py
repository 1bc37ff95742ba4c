import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

# What the server's access log keeps of each request: when, the method and the path (no query
# string), the status, the size and how long it took. Never the client's address, user agent
# or referrer: a tracked link (/r/<code>) is one person's, so the address of whoever followed
# it next to it would tie a reader to the colleague who shared (docs/zero-to-production.md
# says how to configure a reverse proxy in front the same way).
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def gunicorn_argv(app: str, *, bind: str, workers: int) -> list[str]:
    """The command line of the web server."""
    # No control socket: Coro does not use gunicornc, and its one path in $HOME is shared
    # by every gunicorn on the machine (each takes it from the last) and slows the stop.
    return [
        sys.executable, "-m", "gunicorn", app,
        "--bind", bind, "--workers", str(workers),
        "--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT,
        "--no-control-socket",
    ]  # fmt: skip


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
        argv = gunicorn_argv("coro.wsgi:application", bind=bind, workers=workers)
        sys.stdout.flush()  # execv drops what is still buffered (the token above)
        sys.stderr.flush()
        os.execv(sys.executable, argv)  # noqa: S606 (fixed argv, no shell)
