"""The consent ledger's hash chain: how a record's hash is computed, and how the chain is checked.

Each organisation has its own chain. Record ``seq`` 1 follows ``GENESIS_HASH``; every record's
``hash`` is the SHA-256 of its ``prev_hash`` followed by the canonical JSON of its fields (see
``record_payload``). docs/program.md describes the format so anyone can recompute it.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from coro.orgs.models import Organisation
from coro.program.models import ConsentRecord

GENESIS_HASH = "0" * 64


def timestamp(at: datetime) -> str:
    """ISO-8601 in UTC with microseconds: the form that is hashed and exported."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def record_payload(
    *,
    organisation_code: str,
    seq: int,
    subject: str,
    action: str,
    terms_version: int | None,
    terms_sha256: str,
    at: datetime,
    channel: str,
) -> str:
    """The canonical JSON of a record: sorted keys, no spaces, UTF-8."""
    fields = {
        "organisation": organisation_code,
        "seq": seq,
        "subject": subject,
        "action": action,
        "terms_version": terms_version,
        "terms_sha256": terms_sha256,
        "at": timestamp(at),
        "channel": channel,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, payload: str) -> str:
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def record_hash(record: ConsentRecord, *, organisation_code: str, seq: int | None = None) -> str:
    """The hash the record should carry (optionally as if it had another ``seq``)."""
    payload = record_payload(
        organisation_code=organisation_code,
        seq=record.seq if seq is None else seq,
        subject=record.subject,
        action=record.action,
        terms_version=record.terms_version,
        terms_sha256=record.terms_sha256,
        at=record.at,
        channel=record.channel,
    )
    return chain_hash(record.prev_hash, payload)


class Flaw(StrEnum):
    EDITED = "edited"
    MISSING_BEFORE = "missing before this record"
    OUT_OF_ORDER = "out of order"


@dataclass(frozen=True)
class Problem:
    seq: int
    record_id: int
    flaw: Flaw


@dataclass
class LedgerCheck:
    organisation: Organisation
    count: int = 0
    head_hash: str = GENESIS_HASH
    problems: list[Problem] = field(default_factory=list)

    @property
    def is_intact(self) -> bool:
        return not self.problems


def ledger_verify(organisation: Organisation) -> LedgerCheck:
    """Check one organisation's chain and explain each broken record.

    A record whose stored hash matches its fields is genuine, including its ``seq`` and
    ``prev_hash`` (both are hashed). Otherwise it is *out of order* if its fields hash
    correctly with the position its ``prev_hash`` link gives it, and *edited* if not. A
    genuine record whose predecessor (by original position) is gone has something *missing
    before* it. Deleting the newest records leaves a shorter but valid chain: compare the
    head hash with one kept from an earlier export.
    """
    records = list(ConsentRecord.objects.filter(organisation=organisation).order_by("seq", "pk"))
    code = organisation.code
    check = LedgerCheck(organisation=organisation, count=len(records))
    if records:
        check.head_hash = records[-1].hash
    genuine = {r.pk: record_hash(r, organisation_code=code) == r.hash for r in records}
    by_hash = {r.hash: r for r in records}
    original: dict[int, int | None] = {}

    def original_seq(record: ConsentRecord) -> int | None:
        # Walk back along prev_hash links to a genuine record (or the genesis), then forward.
        trail: list[ConsentRecord] = []
        current: ConsentRecord | None = record
        while current is not None and current.pk not in original:
            if genuine[current.pk]:
                original[current.pk] = current.seq
                break
            trail.append(current)
            original[current.pk] = None  # until resolved; also ends a cycle of links
            current = None if current.prev_hash == GENESIS_HASH else by_hash.get(current.prev_hash)
        for r in reversed(trail):
            if r.prev_hash == GENESIS_HASH:
                candidate: int | None = 1
            else:
                before = by_hash.get(r.prev_hash)
                base = original.get(before.pk) if before is not None else None
                candidate = base + 1 if base is not None else None
            fits = candidate is not None and (
                record_hash(r, organisation_code=code, seq=candidate) == r.hash
            )
            original[r.pk] = candidate if fits else None
        return original[record.pk]

    for record in records:
        original_seq(record)
    # Where each record belongs: its original position, or (edited) where it stands now.
    positions = {original[r.pk] or r.seq for r in records}
    for record in records:
        seq = original[record.pk]
        if seq is None:
            flaw = Flaw.EDITED
        elif seq != record.seq:
            flaw = Flaw.OUT_OF_ORDER
        elif seq > 1 and seq - 1 not in positions:
            flaw = Flaw.MISSING_BEFORE
        else:
            continue
        check.problems.append(Problem(seq=record.seq, record_id=record.pk, flaw=flaw))
    return check
