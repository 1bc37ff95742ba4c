"""The ``coro`` command: Django's management commands under one friendly name.

``coro serve`` starts the web server, ``coro worker`` the background worker,
``coro run`` both together (``make run``; Ctrl+C stops both), ``coro demo`` loads the
demo company; anything else is passed to Django (``coro migrate``, ``coro check
--deploy``, ``coro ledger verify`` ...).

Missing or wrong settings are one sentence on stderr naming what to set (exit status 2),
and Ctrl+C is a quiet exit (status 130), never a traceback.
"""

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from types import FrameType

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from coro.core.processes import die_with_parent
from coro.env import ConfigError, env_bool

CONFIG_DOCS = "docs/configuration.md"
EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130

_REQUIRED = re.compile(r"The setting (?P<name>\w+) is required(?: \((?P<hint>[^)]*)\))?")


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        os.environ["DJANGO_SETTINGS_MODULE"] = "coro.settings"
    try:
        settings_or_exit()
        if args and args[0] == "run":
            sys.exit(run(args[1:]))
        from django.core.management import execute_from_command_line

        if args and args[0] == "worker":
            # Notifications whose delivery task was lost (a crash, a restore) go out now;
            # the rest are already queued for their time.
            execute_from_command_line(["coro", "notifications_release"])
            # Team figures due while no worker ran are published now; the next check is planned.
            execute_from_command_line(["coro", "releases"])
            # Scheduled posts, blog feeds and other periodic jobs catch up and are planned.
            execute_from_command_line(["coro", "periodic"])
            args = ["db_worker", *args[1:]]
        execute_from_command_line(["coro", *args])
    except KeyboardInterrupt:
        # Ctrl+C: the person knows why it stopped; a traceback would only alarm them.
        sys.exit(EXIT_INTERRUPTED)


# --- Settings ------------------------------------------------------------------------------


def settings_or_exit() -> None:
    """Load the settings; if they cannot load, say in one sentence what to set, exit 2."""
    try:
        settings.INSTALLED_APPS  # noqa: B018 (reading a setting loads them all)
    except ConfigError as error:
        problem = config_advice(error)
    except ImportError as error:
        module = os.environ["DJANGO_SETTINGS_MODULE"]
        if not error.name or not (module == error.name or module.startswith(f"{error.name}.")):
            raise  # a module the settings import is missing: a fault, not a setting
        problem = (
            f"Coro cannot find the settings module {module!r} named by DJANGO_SETTINGS_MODULE: "
            "unset it to use Coro's own settings (coro.settings), or name a module Python can "
            "import."
        )
    except ImproperlyConfigured as error:
        problem = f"Coro cannot start: {str(error).rstrip('.')} (see {CONFIG_DOCS})."
    else:
        return
    sys.stderr.write(problem + "\n")
    sys.exit(EXIT_CONFIG)


def config_advice(error: ConfigError) -> str:
    """One sentence: which setting is missing or wrong, and how to give it."""
    message = str(error)
    required = _REQUIRED.match(message)
    if required is None:
        return f"Coro cannot start: {message.rstrip('.')} (see {CONFIG_DOCS})."
    name, hint = required["name"], required["hint"]
    wanted = f"{name} ({hint.split(', see')[0]})" if hint else name
    advice = (
        f"Coro needs {wanted}: set it in the environment or in a file named by {name}_FILE "
        f"(see {CONFIG_DOCS})"
    )
    if not _debug():
        advice += ", or set DEBUG=true for development"
    return advice + "."


def _debug() -> bool:
    try:
        return env_bool("DEBUG", False)
    except ConfigError:
        return False


# --- coro run: web server and worker together ----------------------------------------------

# What stops ``coro run``: Ctrl+C, a termination (make, systemd), a closed terminal. The
# worker is passed the same request (it finishes its task; Ctrl+C again forces it), the
# web server is asked to stop gracefully (it answers the requests under way: a Ctrl+C would
# cut them off, with a traceback). A second request stops both at once.
STOP_SIGNALS = {
    signal.SIGINT: signal.SIGINT,
    signal.SIGTERM: signal.SIGTERM,
    signal.SIGHUP: signal.SIGTERM,
}
WORKER, WEB = "worker", "web server"
# How a child that was asked to stop may end without it being news.
_STOPPED_ON_REQUEST = {0, EXIT_INTERRUPTED, -signal.SIGINT, -signal.SIGTERM}


def run(argv: list[str]) -> int:
    """Start the worker and the web server; stop both when asked or when either stops.

    Each child runs in its own process group, so a Ctrl+C in the terminal reaches only this
    process, which passes it on once to each: no child is hit twice, and none is left behind.
    """
    parser = argparse.ArgumentParser(
        prog="coro run", description="Start Coro's web server and worker together."
    )
    parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
    options = parser.parse_args(argv)

    coro = [sys.executable, "-m", "coro.cli"]
    children = {
        WORKER: _start([*coro, "worker", "--no-reload"]),
        WEB: _start([*coro, "serve", "--bind", options.bind, "--access-log"]),
    }
    requests = 0

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal requests
        requests += 1
        for name, child in children.items():
            if child.returncode is not None:
                continue
            if requests > 1:
                _kill_group(child)
            elif name == WORKER:
                child.send_signal(STOP_SIGNALS[signal.Signals(signum)])
            else:
                child.send_signal(signal.SIGTERM)

    for signum in STOP_SIGNALS:
        signal.signal(signum, stop)

    status = 0
    while running := [name for name, child in children.items() if child.poll() is None]:
        ended = [name for name in children if name not in running]
        if not requests and ended:
            name = ended[0]
            code = children[name].returncode
            others = " and ".join(running)
            sys.stderr.write(f"The {name} stopped (exit status {code}); stopping the {others}.\n")
            status = code or 1
            requests = 1
            for other in running:
                children[other].send_signal(signal.SIGTERM)
        time.sleep(0.1)

    if status == 0 and any(c.returncode not in _STOPPED_ON_REQUEST for c in children.values()):
        status = 1
    sys.stdout.write("Coro has stopped (web server and worker).\n")
    return status


def _kill_group(child: subprocess.Popen[bytes]) -> None:
    """Stop a child and what it started (the web server's workers) at once."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)


def _start(command: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 (our own interpreter and module, no shell)
        command, stdin=subprocess.DEVNULL, process_group=0, preexec_fn=die_with_parent
    )


if __name__ == "__main__":
    main()
