from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coro.orgs.models import Organisation
from coro.program.ledger import ledger_verify


class Command(BaseCommand):
    help = "Work with the consent ledger. `coro ledger verify` checks every hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        verify = subcommands.add_parser(
            "verify",
            help="Detect edited, deleted or reordered records; exit code 1 if any.",
        )
        verify.add_argument(
            "--organisation", metavar="CODE", help="Check only this organisation (its code)."
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "verify":
            self.verify(options.get("organisation"))

    def verify(self, code: str | None) -> None:
        organisations = Organisation.objects.order_by("created_at", "pk")
        if code is not None:
            organisations = organisations.filter(code=code)
            if not organisations.exists():
                raise CommandError(f"No organisation has the code {code!r}.")
        broken = 0
        for organisation in organisations:
            check = ledger_verify(organisation)
            if check.is_intact:
                self.stdout.write(
                    f"organisation {organisation.code}: OK, {check.count} records, "
                    f"latest hash {check.head_hash}"
                )
                continue
            for problem in check.problems:
                broken += 1
                self.stdout.write(
                    self.style.ERROR(
                        f"organisation {organisation.code}, record #{problem.seq} "
                        f"(id {problem.record_id}): {problem.flaw}"
                    )
                )
        if broken:
            noun = "record" if broken == 1 else "records"
            raise CommandError(f"The consent ledger is broken: {broken} {noun}.", returncode=1)
