"""The ``coro`` command: Django's management commands under one friendly name.

``coro serve`` starts the web server, ``coro worker`` the background worker,
``coro demo`` loads the demo company; anything else is passed to Django
(``coro migrate``, ``coro check --deploy``, ``coro ledger verify`` ...).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coro.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "worker":
        # Notifications whose delivery task was lost (a crash, a restore) go out now;
        # the rest are already queued for their time.
        execute_from_command_line(["coro", "notifications_release"])
        # Team figures due while no worker ran are published now; the next check is planned.
        execute_from_command_line(["coro", "releases"])
        args = ["db_worker", *args[1:]]
    execute_from_command_line(["coro", *args])


if __name__ == "__main__":
    main()
