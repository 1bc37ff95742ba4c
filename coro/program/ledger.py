"""The consent ledger's hash chain: how a record's hash is computed, and how the chain is checked.

Each organisation has its own chain. Record ``seq`` 1 follows ``GENESIS_HASH``; every record's
``hash`` covers its ``prev_hash`` followed by the canonical JSON of its fields
(``canonical_payload``). The ledger format is versioned, per record (``ConsentRecord.format``):

- format 1, records written before keys: SHA-256 of prev_hash + payload. Anyone can compute
  it, so it shows accidents, not someone rewriting the chain;
- format 2, keyed: HMAC-SHA256, with the secret key named by the record's ``key_id``, of
  prev_hash + payload, the payload also holding ``format`` and ``key_id``. Without the key
  nobody can make a record that verifies.

Format-1 records must be followed by a format-2 record (the seal of migration
``program/0006``), and never come after one. docs/program.md gives the rule in full.

The hash functions take plain values, not model instances, so a migration can use them.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from coro.orgs.models import Organisation
from coro.program.models import ConsentRecord

GENESIS_HASH = "0" * 64
LEGACY = 1  # ConsentRecord.Format.SHA256: the chain of before keys
KEYED = 2  # ConsentRecord.Format.HMAC


class UnknownKeyError(Exception):
    """The record names a key that is not configured (``LEDGER_KEY``)."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"The ledger key {key_id!r} is not configured.")
        self.key_id = key_id


class UnknownFormatError(Exception):
    """The record claims a ledger format that does not exist."""


def timestamp(at: datetime) -> str:
    """ISO-8601 in UTC with microseconds: the form that is hashed and exported."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class RecordValues:
    """Everything a record's hash covers, as plain values: ``organisation`` is the
    organisation's code and ``at`` is a ``timestamp()``."""

    organisation: str
    seq: int
    subject: str
    action: str
    terms_version: int | None
    terms_sha256: str
    at: str
    channel: str
    prev_hash: str
    format: int
    key_id: str


class StoredRecord(Protocol):
    """A consent record as stored: the model, or its historical version in a migration."""

    seq: int
    subject: str
    action: str
    terms_version: int | None
    terms_sha256: str
    at: datetime
    channel: str
    prev_hash: str
    format: int
    key_id: str


def values_of(
    record: StoredRecord, *, organisation_code: str, seq: int | None = None
) -> RecordValues:
    """The hashed values of a stored record (optionally as if it had another ``seq``)."""
    return RecordValues(
        organisation=organisation_code,
        seq=record.seq if seq is None else seq,
        subject=record.subject,
        action=record.action,
        terms_version=record.terms_version,
        terms_sha256=record.terms_sha256,
        at=timestamp(record.at),
        channel=record.channel,
        prev_hash=record.prev_hash,
        format=record.format,
        key_id=record.key_id,
    )


def canonical_payload(values: RecordValues) -> str:
    """The canonical JSON of a record: sorted keys, no spaces, UTF-8.

    Format 1 holds the eight fields of its time; format 2 adds ``format`` and ``key_id``,
    so a keyed record cannot be passed off as another format or another key's.
    """
    fields: dict[str, object] = {
        "organisation": values.organisation,
        "seq": values.seq,
        "subject": values.subject,
        "action": values.action,
        "terms_version": values.terms_version,
        "terms_sha256": values.terms_sha256,
        "at": values.at,
        "channel": values.channel,
    }
    if values.format != LEGACY:
        fields["format"] = values.format
        fields["key_id"] = values.key_id
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def legacy_hash(prev_hash: str, payload: str) -> str:
    """Format 1: SHA-256 hex of prev_hash followed by the payload."""
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def keyed_hash(secret: str, prev_hash: str, payload: str) -> str:
    """Format 2: HMAC-SHA256 hex, keyed with ``secret``, of prev_hash followed by the payload."""
    return hmac.new(secret.encode(), (prev_hash + payload).encode(), hashlib.sha256).hexdigest()


def hash_of(values: RecordValues, *, keys: Mapping[str, str]) -> str:
    """The hash a record with these values must carry, by the rule of its format.

    Raises ``UnknownKeyError`` for a keyed record whose key is not in ``keys``, and
    ``UnknownFormatError`` for a format that does not exist.
    """
    payload = canonical_payload(values)
    if values.format == LEGACY:
        return legacy_hash(values.prev_hash, payload)
    if values.format == KEYED:
        secret = keys.get(values.key_id)
        if secret is None:
            raise UnknownKeyError(values.key_id)
        return keyed_hash(secret, values.prev_hash, payload)
    raise UnknownFormatError(values.format)


def hash_matches(values: RecordValues, stored_hash: str, *, keys: Mapping[str, str]) -> bool:
    """Whether ``stored_hash`` is the hash of ``values`` (False for an unknown format);
    raises ``UnknownKeyError`` like ``hash_of``."""
    try:
        expected = hash_of(values, keys=keys)
    except UnknownFormatError:
        return False
    return hmac.compare_digest(expected, stored_hash)


def signing_key(keys: Mapping[str, str]) -> tuple[str, str]:
    """``(key_id, secret)`` of the key that signs new records: the first one configured."""
    for key_id, secret in keys.items():
        return key_id, secret
    raise ImproperlyConfigured("LEDGER_KEY names no key: the consent ledger cannot be written.")


def configured_keys() -> Mapping[str, str]:
    return settings.LEDGER_KEYS


# --- Checking a chain ---------------------------------------------------------------------


class Flaw(StrEnum):
    EDITED = "edited"
    MISSING_BEFORE = "missing before this record"
    OUT_OF_ORDER = "out of order"
    UNKNOWN_KEY = "unknown key"
    UNKEYED_AFTER_KEYED = "unkeyed record after a keyed one"
    NOT_SEALED = "not sealed by a keyed record"


@dataclass(frozen=True)
class Problem:
    seq: int
    record_id: int
    flaw: Flaw
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.flaw} {self.detail}" if self.detail else str(self.flaw)


@dataclass
class LedgerCheck:
    organisation: Organisation
    count: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    problems: list[Problem] = field(default_factory=list)
    # Records of format 1, and the first keyed record after the last of them (the seal).
    legacy_count: int = 0
    sealed_by: int | None = None

    @property
    def is_intact(self) -> bool:
        return not self.problems


def ledger_verify(
    organisation: Organisation, *, keys: Mapping[str, str] | None = None
) -> LedgerCheck:
    """Check one organisation's chain and explain each broken record.

    A record whose stored hash matches its fields is genuine, including its ``seq`` and
    ``prev_hash`` (both are hashed). Otherwise it is *out of order* if its fields hash
    correctly with the position its ``prev_hash`` link gives it, and *edited* if not. A
    genuine record has something *missing before* it when the record it was chained to is
    gone (deleted, or replaced by another that hashes correctly: only possible in format 1).
    A keyed record whose key is not configured cannot be checked (*unknown key*). A format-1
    record after a keyed one, or at the end of the chain, is what someone without the key
    would write: *unkeyed record after a keyed one*, *not sealed by a keyed record*.
    Deleting the newest records leaves a shorter but valid chain: receipts, and the head
    hash kept from an earlier export, show it.
    """
    keys = configured_keys() if keys is None else keys
    records = list(ConsentRecord.objects.filter(organisation=organisation).order_by("seq", "pk"))
    code = organisation.code
    check = LedgerCheck(organisation=organisation, count=len(records))
    if records:
        check.head_seq, check.head_hash = records[-1].seq, records[-1].hash
    unknown_key = {r.pk for r in records if r.format == KEYED and r.key_id not in keys}

    def fits(record: ConsentRecord, seq: int | None = None) -> bool:
        values = values_of(record, organisation_code=code, seq=seq)
        return hash_matches(values, record.hash, keys=keys)

    # A record whose key is unknown cannot be checked: it is taken at its place, and
    # reported as such, so the records around it are still checked.
    genuine = {r.pk: r.pk in unknown_key or fits(r) for r in records}
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
            original[r.pk] = candidate if candidate is not None and fits(r, candidate) else None
        return original[record.pk]

    for record in records:
        original_seq(record)
    # Where each record belongs: its original position, or (edited) where it stands now.
    positions = {original[r.pk] or r.seq for r in records}
    placed: dict[int, list[ConsentRecord]] = {}
    for record in records:
        seq = original[record.pk]
        if seq is not None:
            placed.setdefault(seq, []).append(record)

    def chained(record: ConsentRecord, seq: int) -> bool:
        """Whether what the record was chained to is there (an edited predecessor is
        reported by itself, not here)."""
        if seq == 1:
            return record.prev_hash == GENESIS_HASH
        if seq - 1 not in positions:
            return False
        before = placed.get(seq - 1, [])
        return not before or any(b.hash == record.prev_hash for b in before)

    keyed_seen = False
    for record in records:
        seq = original[record.pk]
        detail = ""
        if record.pk in unknown_key:
            flaw: Flaw | None = Flaw.UNKNOWN_KEY
            detail = f'"{record.key_id}"'
        elif seq is None:
            flaw = Flaw.EDITED
        elif seq != record.seq:
            flaw = Flaw.OUT_OF_ORDER
        elif not chained(record, seq):
            flaw = Flaw.MISSING_BEFORE
        elif record.format == LEGACY and keyed_seen:
            flaw = Flaw.UNKEYED_AFTER_KEYED
        else:
            flaw = None
        keyed_seen = keyed_seen or record.format == KEYED
        if flaw is not None:
            check.problems.append(
                Problem(seq=record.seq, record_id=record.pk, flaw=flaw, detail=detail)
            )
    _seal_check(records, check)
    return check


def _seal_check(records: list[ConsentRecord], check: LedgerCheck) -> None:
    """Format-1 records count only if a keyed record follows the last of them: otherwise
    anyone could have rewritten the whole chain by the unkeyed rule."""
    legacy = [i for i, r in enumerate(records) if r.format == LEGACY]
    check.legacy_count = len(legacy)
    if not legacy:
        return
    seal = next((r for r in records[legacy[-1] + 1 :] if r.format == KEYED), None)
    if seal is not None:
        check.sealed_by = seal.seq
        return
    last = records[legacy[-1]]
    if not any(p.record_id == last.pk for p in check.problems):
        check.problems.append(Problem(seq=last.seq, record_id=last.pk, flaw=Flaw.NOT_SEALED))
        check.problems.sort(key=lambda p: p.seq)
