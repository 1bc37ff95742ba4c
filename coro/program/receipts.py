"""Consent receipts: each person's own copy of each of their ledger records.

A receipt is a JSON document::

    {"receipt": "coro-consent-receipt", "version": 1, "organisation": <code>,
     "record": {<every hashed field>, "prev_hash", "hash", "format", "key_id"},
     "chain_head": {"seq": ..., "hash": ...}, "issued_at": ...}

``chain_head`` is the head of the chain right after the record was appended: the record
itself. The person gets it by e-mail (``services._consent_receipt_send``), on their program
page and in their data download (``receipts_of``). ``coro ledger verify --receipt FILE``
(``receipt_verify``) checks it against the database: a keyed hash that this Coro's key did not
make was not issued here; a genuine receipt whose record the database no longer holds, or
holds changed, or whose chain to the current head is broken, shows tampering.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import UnionType
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from coro.orgs.models import Membership, Organisation
from coro.program import ledger, selectors
from coro.program.exports import COLUMNS, record_row
from coro.program.models import ConsentRecord

RECEIPT = "coro-consent-receipt"
VERSION = 1
# The record's fields in a receipt: those of the ledger's exports.
RECORD_FIELDS = tuple(COLUMNS)


def receipt_of(record: ConsentRecord, *, organisation_code: str) -> dict[str, Any]:
    row = record_row(record)
    return {
        "receipt": RECEIPT,
        "version": VERSION,
        "organisation": organisation_code,
        "record": {name: row[name] for name in RECORD_FIELDS},
        "chain_head": {"seq": record.seq, "hash": record.hash},
        "issued_at": ledger.timestamp(timezone.now()),
    }


def receipts_of(membership: Membership) -> list[dict[str, Any]]:
    """A receipt for each of the person's records in this organisation, in chain order."""
    code = membership.organisation.code
    return [receipt_of(r, organisation_code=code) for r in selectors.ledger_records_of(membership)]


def receipt_text(receipt: Mapping[str, Any] | list[dict[str, Any]]) -> str:
    """As the person gets it: indented JSON, UTF-8."""
    return json.dumps(receipt, ensure_ascii=False, indent=2)


# --- Reading a receipt --------------------------------------------------------------------


class ReceiptUnreadable(Exception):
    """The text is not a consent receipt; the message says why, for a person to read."""


@dataclass(frozen=True)
class Receipt:
    values: ledger.RecordValues
    hash: str
    head_seq: int
    head_hash: str

    @property
    def organisation(self) -> str:
        return self.values.organisation

    @property
    def seq(self) -> int:
        return self.values.seq


def receipts_parse(text: str) -> list[Receipt]:
    """The receipts in ``text``: one receipt, a JSON list of them (the download of all one's
    receipts), or the text of the e-mail that carries one."""
    data = _json_in(text)
    if isinstance(data, list):
        if not data:
            raise ReceiptUnreadable("the list holds no receipt")
        return [_receipt(item, where=f"receipt {n}: ") for n, item in enumerate(data, 1)]
    return [_receipt(data, where="")]


def _json_in(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        error = exc
    # Saved from an e-mail: the receipt is the JSON object in the text.
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        try:
            return json.loads(text[start : end + 1])
        except (ValueError, RecursionError):
            pass
    raise ReceiptUnreadable(f"it is not JSON ({error})")


def _receipt(data: Any, *, where: str) -> Receipt:
    def fail(problem: str) -> ReceiptUnreadable:
        return ReceiptUnreadable(where + problem)

    if not isinstance(data, dict) or data.get("receipt") != RECEIPT:
        raise fail(f'it is not a Coro consent receipt (no "receipt": "{RECEIPT}")')
    if data.get("version") != VERSION:
        raise fail(f"receipt version {data.get('version')!r} is not one this Coro reads")
    record, head = data.get("record"), data.get("chain_head")
    if not isinstance(record, dict):
        raise fail('"record" is missing')
    if not isinstance(head, dict):
        raise fail('"chain_head" is missing')
    organisation = _field(data, "organisation", str, fail)
    fields = {
        "seq": _field(record, "seq", int, fail, prefix="record."),
        "terms_version": _field(record, "terms_version", int | None, fail, prefix="record."),
        "format": _field(record, "format", int, fail, prefix="record."),
    }
    for name in ("subject", "action", "terms_sha256", "at", "channel", "prev_hash", "key_id"):
        fields[name] = _field(record, name, str, fail, prefix="record.")
    if fields["format"] not in (ledger.LEGACY, ledger.KEYED):
        raise fail(f"record.format {fields['format']} is not a ledger format (1 or 2)")
    return Receipt(
        values=ledger.RecordValues(organisation=organisation, **fields),
        hash=_field(record, "hash", str, fail, prefix="record."),
        head_seq=_field(head, "seq", int, fail, prefix="chain_head."),
        head_hash=_field(head, "hash", str, fail, prefix="chain_head."),
    )


Fail = Callable[[str], ReceiptUnreadable]
_KIND_NAMES: dict[type | UnionType, str] = {
    str: "text",
    int: "a whole number",
    int | None: "a whole number or null",
}


def _field(
    data: dict[str, Any], name: str, kind: type | UnionType, fail: Fail, *, prefix: str = ""
) -> Any:
    if name not in data:
        raise fail(f'"{prefix}{name}" is missing')
    value = data[name]
    # JSON's true and false are not numbers, whatever Python says.
    if isinstance(value, bool) or not isinstance(value, kind):
        wanted = _KIND_NAMES[kind]
        raise fail(f'"{prefix}{name}" must be {wanted}, not {json.dumps(value)}')
    return value


# --- Checking a receipt against the database ----------------------------------------------


class Outcome(StrEnum):
    OK = "OK"
    NOT_ISSUED = "this receipt was not issued by this Coro"
    MISSING = "missing"
    DIFFERS = "the database holds this record changed"
    CHAIN_BROKEN = "the chain after this record is broken"


@dataclass
class ReceiptCheck:
    receipt: Receipt
    outcome: Outcome = Outcome.OK
    details: list[str] = field(default_factory=list)

    @property
    def is_ok(self) -> bool:
        return self.outcome == Outcome.OK


LEGACY_NOTE = (
    "this record is from before keys (format 1): anyone can compute its hash, so the receipt "
    "cannot show by itself that this Coro issued it; only the database's sealed chain vouches "
    "for the record"
)


def receipt_verify(receipt: Receipt, *, keys: Mapping[str, str] | None = None) -> ReceiptCheck:
    """Whether this Coro issued the receipt, the database still holds exactly its record at
    its place, and the chain from there to the current head is intact."""
    keys = ledger.configured_keys() if keys is None else keys
    check = ReceiptCheck(receipt=receipt)
    not_issued = _not_issued(receipt, keys)
    if not_issued:
        check.outcome, check.details = Outcome.NOT_ISSUED, [not_issued]
        return check
    if receipt.values.format == ledger.LEGACY:
        check.details.append(LEGACY_NOTE)
    organisation = Organisation.objects.filter(code=receipt.organisation).first()
    if organisation is None:
        check.outcome = Outcome.MISSING
        check.details.append(f"no organisation has the code {receipt.organisation!r} here")
        return check
    ledger_check = ledger.ledger_verify(organisation, keys=keys)
    records = ConsentRecord.objects.filter(organisation=organisation)
    out_of_place = _legacy_out_of_place(receipt, records)
    if out_of_place:
        check.outcome, check.details = Outcome.NOT_ISSUED, [out_of_place]
        return check
    # At its place; or, moved, wherever its hash is.
    stored = records.filter(seq=receipt.seq).first() or records.filter(hash=receipt.hash).first()
    if stored is None:
        check.outcome = Outcome.MISSING
        check.details.append(_missing(receipt, organisation, ledger_check))
        return check
    after = [p for p in ledger_check.problems if p.seq >= receipt.seq]
    differences = _differences(receipt, stored)
    if differences:
        legacy_forgery = _legacy_forgery(receipt, stored, ledger_check, broken=bool(after))
        if legacy_forgery:
            check.outcome, check.details = Outcome.NOT_ISSUED, [legacy_forgery]
            return check
        check.outcome = Outcome.DIFFERS
        check.details[:0] = differences
        moved = records.filter(hash=receipt.hash).first()
        if moved is not None and moved.pk != stored.pk:
            check.details.append(f"the receipt's record is now at #{moved.seq}")
        return check
    if after:
        check.outcome = Outcome.CHAIN_BROKEN
        check.details = [f"record #{p.seq} (id {p.record_id}): {p}" for p in after]
        return check
    check.details.append(
        f"the database holds this record, and the chain from it to the latest record "
        f"#{ledger_check.head_seq} (hash {ledger_check.head_hash}) is intact"
    )
    before = len(ledger_check.problems)
    if before:
        check.details.append(
            f"{before} record(s) before it are broken: run `coro ledger verify` to see them"
        )
    return check


def _not_issued(receipt: Receipt, keys: Mapping[str, str]) -> str:
    """Why this receipt cannot come from this Coro, or ""."""
    values = receipt.values
    if values.format == ledger.KEYED and values.key_id not in keys:
        return f'it names the ledger key "{values.key_id}", which this Coro does not have'
    if not ledger.hash_matches(values, receipt.hash, keys=keys):
        return "its hash does not match its contents: it was changed, or made elsewhere"
    if (receipt.head_seq, receipt.head_hash) != (values.seq, receipt.hash):
        return "its chain head is not its own record"
    return ""


def _legacy_out_of_place(receipt: Receipt, records: QuerySet[ConsentRecord]) -> str:
    """Records of before keys all come before the first keyed one: a receipt of before keys
    for a later place was not made by Coro."""
    if receipt.values.format != ledger.LEGACY:
        return ""
    first_keyed = records.filter(format=ledger.KEYED).order_by("seq").first()
    if first_keyed is None or receipt.seq < first_keyed.seq:
        return ""
    return (
        f"it says record #{receipt.seq} is from before keys, but this ledger is keyed from "
        f"record #{first_keyed.seq} on"
    )


def _legacy_forgery(
    receipt: Receipt, stored: ConsentRecord, check: ledger.LedgerCheck, *, broken: bool
) -> str:
    """Why a receipt of before keys that differs from the database is the one that is wrong,
    or "" when it cannot be told (its hash is public: anyone could have made it)."""
    if receipt.values.format != ledger.LEGACY:
        return ""
    if not broken and check.sealed_by is not None:
        return (
            f"it does not match record #{stored.seq}, which the database holds sealed by the "
            f"keyed record #{check.sealed_by}, with an intact chain"
        )
    return ""


def _missing(receipt: Receipt, organisation: Organisation, check: ledger.LedgerCheck) -> str:
    if check.head_seq < receipt.seq:
        return (
            f"the ledger of {organisation.code} now ends at record #{check.head_seq}: "
            f"record #{receipt.seq} and any after it were deleted"
        )
    return f"the database has no record #{receipt.seq}: it was deleted"


def _differences(receipt: Receipt, stored: ConsentRecord) -> list[str]:
    values = receipt.values
    mine: dict[str, Any] = {name: getattr(values, name) for name in RECORD_FIELDS if name != "hash"}
    mine["hash"] = receipt.hash
    theirs = record_row(stored)
    return [
        f"{name}: {json.dumps(mine[name])} in the receipt, "
        f"{json.dumps(theirs[name])} in the database"
        for name in RECORD_FIELDS
        if mine[name] != theirs[name]
    ]
