import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coro.orgs.models import Organisation
from coro.program.ledger import LedgerCheck, ledger_verify
from coro.program.receipts import ReceiptUnreadable, receipt_verify, receipts_parse

# Exit codes: 0 all is well, 1 something is broken (or not issued here), 2 unreadable input.
BROKEN = 1
UNREADABLE = 2


class Command(BaseCommand):
    help = (
        "Work with the consent ledger. `coro ledger verify` checks every hash chain; "
        "`coro ledger verify --receipt FILE` checks a person's receipt against the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        verify = subcommands.add_parser(
            "verify",
            help="Detect edited, deleted or reordered records; exit code 1 if any.",
        )
        what = verify.add_mutually_exclusive_group()
        what.add_argument(
            "--organisation", metavar="CODE", help="Check only this organisation (its code)."
        )
        what.add_argument(
            "--receipt",
            metavar="FILE",
            help="Check a consent receipt (or a list of them, or the e-mail that carries one) "
            "against the database instead; exit code 1 if it does not hold, 2 if the file "
            "cannot be read. '-' reads standard input.",
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "verify":
            if options.get("receipt"):
                self.verify_receipts(options["receipt"])
            else:
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
                    f"organisation {organisation.code}: OK, {check.count} records"
                    f"{_sealed(check)}, latest hash {check.head_hash}"
                )
                continue
            for problem in check.problems:
                broken += 1
                self.stdout.write(
                    self.style.ERROR(
                        f"organisation {organisation.code}, record #{problem.seq} "
                        f"(id {problem.record_id}): {problem}"
                    )
                )
        if broken:
            noun = "record" if broken == 1 else "records"
            raise CommandError(f"The consent ledger is broken: {broken} {noun}.", returncode=BROKEN)

    def verify_receipts(self, name: str) -> None:
        try:
            receipts = receipts_parse(_read(name))
        except ReceiptUnreadable as exc:
            raise CommandError(
                f"{name} is not a readable consent receipt: {exc}.", returncode=UNREADABLE
            ) from None
        failed = 0
        for receipt in receipts:
            check = receipt_verify(receipt)
            head = f"receipt of record #{receipt.seq} in organisation {receipt.organisation}"
            style = self.style.SUCCESS if check.is_ok else self.style.ERROR
            self.stdout.write(style(f"{head}: {check.outcome}"))
            for detail in check.details:
                self.stdout.write(f"  {detail}")
            failed += not check.is_ok
        if failed:
            noun = "receipt does" if failed == 1 else "receipts do"
            raise CommandError(f"{failed} {noun} not hold.", returncode=BROKEN)


def _sealed(check: LedgerCheck) -> str:
    if not check.legacy_count:
        return ""
    return (
        f" ({check.legacy_count} from before keys, sealed by the keyed record #{check.sealed_by})"
    )


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReceiptUnreadable(f"it cannot be read ({exc})") from None
