"""``coro setup``: first run on the command line (docs/zero-to-production.md).

Each value comes from its flag, else its environment variable, else (on a terminal) a
question. Exit codes: 0 done, 1 a value is missing or refused, 2 wrong usage, 3 Coro is
already set up (an organisation exists; ``--force-another`` creates one more on purpose),
4 the database is not ready (run ``coro migrate`` first).
"""

import getpass
import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection
from django.utils import translation

from coro.accounts.models import User
from coro.env import ConfigError, env_str
from coro.site import services
from coro.site.forms import SetupDetailsForm
from coro.site.setup_token import setup_token_revoke

EXIT_REFUSED = 1
EXIT_ALREADY_SET_UP = 3
EXIT_DATABASE_NOT_READY = 4

# field: (flag, environment variable, what it is, in a sentence)
FIELDS = {
    "organisation": ("--organisation", "CORO_ORGANISATION", "the organisation's name"),
    "admin_email": ("--admin-email", "CORO_ADMIN_EMAIL", "the admin's e-mail address"),
    "admin_name": ("--admin-name", "CORO_ADMIN_NAME", "the admin's name"),
    "language": ("--language", "CORO_LANGUAGE", "the default language"),
    "time_zone": ("--time-zone", "CORO_TIME_ZONE", "the time zone"),
}
PASSWORD_ENV = "CORO_ADMIN_PASSWORD"


def _first_message(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


class Command(BaseCommand):
    help = (
        "Create the organisation and its first admin (first run). Values come from the flags, "
        "else from CORO_ORGANISATION, CORO_ADMIN_EMAIL, CORO_ADMIN_NAME, CORO_LANGUAGE, "
        "CORO_TIME_ZONE and CORO_ADMIN_PASSWORD (or *_FILE), else are asked on a terminal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        for field, (flag, variable, what) in FIELDS.items():
            parser.add_argument(flag, dest=field, help=f"{what.capitalize()} (or {variable}).")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Never ask: fail on a missing value, and without "
            f"{PASSWORD_ENV} print a one-time link to set the admin's password.",
        )
        parser.add_argument(
            "--force-another",
            action="store_true",
            help="Create one more organisation although one exists already.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The command's own sentences are English; so are the validators' it passes on.
        with translation.override("en"):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        self.interactive = bool(options["interactive"]) and sys.stdin.isatty()
        self._check_database(another=bool(options["force_another"]))
        values = self._values(options)
        existing = User.objects.filter(email=values["admin_email"]).first()
        password = None if existing else self._password(values)
        try:
            result = services.site_setup(
                organisation_name=values["organisation"],
                language=values["language"],
                time_zone=values["time_zone"],
                admin_email=values["admin_email"],
                admin_name=values["admin_name"],
                password=password,
                another=bool(options["force_another"]),
            )
        except services.AlreadySetUpError:
            raise self._already_set_up() from None
        except ValidationError as exc:
            raise CommandError(_first_message(exc), returncode=EXIT_REFUSED) from None
        setup_token_revoke()  # /setup/ closes: an organisation exists now
        self._report(result, password_given=password is not None)

    # --- Steps ----------------------------------------------------------------------------

    def _already_set_up(self) -> CommandError:
        return CommandError(
            "Coro is already set up (an organisation exists); "
            "to create another one on purpose, add --force-another.",
            returncode=EXIT_ALREADY_SET_UP,
        )

    def _check_database(self, *, another: bool) -> None:
        try:
            ready = "orgs_organisation" in connection.introspection.table_names()
            exists = ready and services.organisation_exists()
        except DatabaseError as exc:
            raise CommandError(
                f"The database cannot be reached: {exc}".strip(), returncode=EXIT_DATABASE_NOT_READY
            ) from None
        if not ready:
            raise CommandError(
                "The database has no tables yet: run “coro migrate” first.",
                returncode=EXIT_DATABASE_NOT_READY,
            )
        if exists and not another:
            raise self._already_set_up()

    def _values(self, options: dict[str, Any]) -> dict[str, str]:
        form = SetupDetailsForm()
        defaults = {"language": settings.LANGUAGE_CODE, "time_zone": settings.TIME_ZONE}
        values: dict[str, str] = {}
        for field, (flag, variable, what) in FIELDS.items():
            try:
                given = options.get(field) or env_str(variable, "")
            except ConfigError as exc:
                raise CommandError(str(exc), returncode=EXIT_REFUSED) from None
            if given:
                values[field] = self._clean(form, field, given, origin=f"{flag} / {variable}")
            elif self.interactive:
                values[field] = self._ask(form, field, default=defaults.get(field, ""))
            elif field in defaults:
                values[field] = defaults[field]
            else:
                raise CommandError(
                    f"{what.capitalize()} is missing: pass {flag} or set {variable}.",
                    returncode=EXIT_REFUSED,
                )
        return values

    def _clean(self, form: SetupDetailsForm, field: str, value: str, *, origin: str) -> str:
        try:
            return self._clean_value(form, field, value)
        except ValidationError as exc:
            raise CommandError(
                f"{origin}: {_first_message(exc)}", returncode=EXIT_REFUSED
            ) from None

    def _clean_value(self, form: SetupDetailsForm, field: str, value: str) -> str:
        cleaned = str(form.fields[field].clean(value.strip()))
        return cleaned.lower() if field == "admin_email" else cleaned

    def _ask(self, form: SetupDetailsForm, field: str, *, default: str) -> str:
        label = str(form.fields[field].label)
        if field == "language":
            label += f" ({', '.join(code for code, _name in settings.LANGUAGES)})"
        prompt = f"{label} [{default}]: " if default else f"{label}: "
        while True:
            try:
                answer = input(prompt).strip() or default
            except (EOFError, KeyboardInterrupt):
                raise CommandError("Setup cancelled: nothing was created.") from None
            try:
                return self._clean_value(form, field, answer)
            except ValidationError as exc:
                self.stderr.write(_first_message(exc))

    def _password(self, values: dict[str, str]) -> str | None:
        try:
            given = env_str(PASSWORD_ENV, "")
        except ConfigError as exc:
            raise CommandError(str(exc), returncode=EXIT_REFUSED) from None
        if given:
            try:
                services.validate_password_for(
                    given, email=values["admin_email"], name=values["admin_name"]
                )
            except ValidationError as exc:
                raise CommandError(
                    f"The password in {PASSWORD_ENV} is refused: {_first_message(exc)}",
                    returncode=EXIT_REFUSED,
                ) from None
            return given
        if not self.interactive:
            return None
        while True:
            try:
                first = getpass.getpass("Admin's password: ")
                second = getpass.getpass("The same password again: ")
            except (EOFError, KeyboardInterrupt):
                raise CommandError("Setup cancelled: nothing was created.") from None
            if first != second:
                self.stderr.write("The two passwords differ; try again.")
                continue
            try:
                services.validate_password_for(
                    first, email=values["admin_email"], name=values["admin_name"]
                )
            except ValidationError as exc:
                self.stderr.write(_first_message(exc))
                continue
            return first

    def _report(self, result: services.SetupResult, *, password_given: bool) -> None:
        organisation, admin = result.organisation, result.admin
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the organisation “{organisation.name}” ({organisation.code}) "
                f"with its admin {admin.email}."
            )
        )
        if not result.admin_created:
            self.stdout.write(
                f"{admin.email} already had an account: it is the admin now, "
                "and its password is unchanged."
            )
        elif not password_given:
            hours = settings.PASSWORD_RESET_TIMEOUT // 3600
            self.stdout.write(
                f"The admin has no password yet. Open this link to choose one; it works once, "
                f"within {hours} hours (afterwards run “coro changepassword {admin.email}”):\n"
                f"  {services.password_set_link(admin)}"
            )
        self.stdout.write(
            f"Log in at {settings.BASE_URL}/accounts/login/ and publish the program's terms: "
            "the program stays closed, and nobody can join, until an admin publishes them."
        )
