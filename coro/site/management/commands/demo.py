from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coro.site.demo import LOGINS, demo_exists, load_demo


class Command(BaseCommand):
    help = "Load the demo company (a Spanish ceramics maker with 24 people)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has people in it.",
        )

    def handle(self, *args: Any, if_empty: bool, **options: Any) -> None:
        if demo_exists():
            if if_empty:
                self.stdout.write("The database is not empty: the demo was not loaded.")
                self.print_logins()
                return
            raise CommandError("The database is not empty; the demo loads only into an empty one.")
        organisation = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo company “{organisation.name}”."))
        self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write(f"\nOpen {settings.BASE_URL}/ and log in as:")
        for login in LOGINS:
            self.stdout.write(f"  {login.role:<9} {login.email:<24} password: {login.password}")
