"""The ``coro`` command: Django's management commands under one friendly name.

``coro serve`` starts the web server, ``coro worker`` the background worker,
``coro demo`` loads the demo company; anything else is passed to Django
(``coro migrate``, ``coro check --deploy``, ``coro createsuperuser`` ...).
"""

import os
import sys

ALIASES = {"worker": ["db_worker"]}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coro.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args = ALIASES[args[0]] + args[1:]
    execute_from_command_line(["coro", *args])


if __name__ == "__main__":
    main()
