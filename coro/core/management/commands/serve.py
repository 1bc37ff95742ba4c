import os
import subprocess
import sys
from argparse import BooleanOptionalAction
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coro.core.logging import ACCESS_LOG_ENV
from coro.core.processes import die_with_parent

# What the server's access log keeps of each request: when, the method and the path (no query
# string), the status and how long it took. Never the client's address, user agent or
# referrer: a tracked link (/r/<code>) is one person's, so the address of whoever followed it
# next to it would tie a reader to the colleague who shared (docs/zero-to-production.md says
# how to configure a reverse proxy in front the same way).
ACCESS_LOG_FORMAT = '[%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).1fms'


def bind_parts(bind: str) -> tuple[str, int]:
    """``127.0.0.1:8000`` or ``[::1]:8000`` as (host, port)."""
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise CommandError(f"--bind must be host:port, not {bind!r}.")
    return host.strip("[]"), int(port)


def server_argv(
    app: str, *, bind: str, workers: int, threads: int = 4, access_log: bool = False
) -> list[str]:
    """The command line of the web server: granian, serving Coro's WSGI application with
    ``workers`` processes of ``threads`` threads each; a worker that dies is started again."""
    host, port = bind_parts(bind)
    argv = [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--no-ws",
        "--host", host, "--port", str(port),
        "--workers", str(workers), "--blocking-threads", str(threads),
        "--respawn-failed-workers", "--workers-kill-timeout", "30",
    ]  # fmt: skip
    if access_log:
        argv += ["--access-log", "--access-log-fmt", ACCESS_LOG_FORMAT]
    return [*argv, app]


def counter_start(environment: dict[str, str]) -> subprocess.Popen[bytes]:
    """``coro count_visits`` beside the web server, at a lower priority: it stops when the
    server stops (the kernel tells it, however the server ends), after one last round."""
    return subprocess.Popen(
        [sys.executable, "-m", "coro.cli", "count_visits"],
        env=environment,
        stdin=subprocess.DEVNULL,
        preexec_fn=_counter_child,
    )


COUNTER_NICENESS = 10


def _counter_child() -> None:
    """In the counter's process: it yields the processors to the web server's processes
    (answering a visitor can't wait; counting can, and catches up when they are idle)."""
    die_with_parent()
    os.nice(COUNTER_NICENESS)


class Command(BaseCommand):
    help = "Start Coro's web server (granian)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument(
            "--access-log",
            action=BooleanOptionalAction,
            default=os.environ.get("ACCESS_LOG", "false").lower() in ("1", "true", "yes", "on"),
            help=(
                "Write a line per request (off by default: it costs a third of the tracked "
                "links' throughput, and the reverse proxy in front usually logs already)."
            ),
        )

    def handle(
        self, *args: Any, bind: str, workers: int, threads: int, access_log: bool, **options: Any
    ) -> None:
        argv = server_argv(
            "coro.wsgi:application",
            bind=bind,
            workers=workers,
            threads=threads,
            access_log=access_log,
        )
        if not settings.DEBUG:
            call_command("collectstatic", "--noinput", verbosity=0)
        # While no organisation exists, print the one-time token that opens /setup/ (the
        # command lives in the top app, ``site``; it is called by name, as ``coro worker``
        # calls its start-up commands).
        call_command("setup_token", stdout=self.stdout, stderr=self.stderr)
        sys.stdout.flush()  # execv drops what is still buffered (the token above)
        sys.stderr.flush()
        environment = {
            **os.environ,
            ACCESS_LOG_ENV: "1" if access_log else "0",
            # The server's processes only write visits down; one process beside them counts
            # (coro/sharing/spool.py), so that counting never holds up an answer.
            "VISITS_COUNT_IN_PROCESS": "false",
        }
        counter_start(environment)
        os.execve(sys.executable, argv, environment)  # noqa: S606 (fixed argv, no shell)
