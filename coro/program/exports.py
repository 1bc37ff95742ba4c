"""The consent ledger as evidence: CSV and JSON files with the chain hashes, the format of
each record and the id (never the secret) of the key that signed it."""

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from coro.core.downloads import csv_response, json_response
from coro.orgs.models import Organisation
from coro.program import ledger
from coro.program.models import ConsentRecord

COLUMNS = [
    "seq",
    "subject",
    "action",
    "terms_version",
    "terms_sha256",
    "at",
    "channel",
    "prev_hash",
    "hash",
    "format",
    "key_id",
]

HASH_RULE = (
    "Each record's payload is the JSON object "
    '{"action","at","channel","organisation","seq","subject","terms_sha256","terms_version"} '
    '(format 2 adds "format" and "key_id") with sorted keys and no spaces, UTF-8. '
    "Format 1 (records from before keys): hash = SHA-256 hex of prev_hash followed by the "
    "payload. Format 2: hash = HMAC-SHA256 hex, with the secret ledger key named by key_id, "
    "of prev_hash followed by the payload; the key is the operator's and is never exported, "
    "so format-2 hashes are checked with `coro ledger verify`. The first record's prev_hash "
    "is 64 zeros; format-1 records must be followed by a format-2 record (the seal) and "
    "never come after one."
)


def record_row(record: ConsentRecord) -> dict[str, Any]:
    return {
        "seq": record.seq,
        "subject": record.subject,
        "action": record.action,
        "terms_version": record.terms_version,
        "terms_sha256": record.terms_sha256,
        "at": ledger.timestamp(record.at),
        "channel": record.channel,
        "prev_hash": record.prev_hash,
        "hash": record.hash,
        "format": record.format,
        "key_id": record.key_id,
    }


def ledger_csv(records: Iterable[ConsentRecord], *, filename: str) -> HttpResponse:
    rows = (
        ["" if row[column] is None else row[column] for column in COLUMNS]
        for row in map(record_row, records)
    )
    return csv_response(filename, COLUMNS, rows)


def ledger_json(
    records: Iterable[ConsentRecord],
    *,
    organisation: Organisation,
    filename: str,
    subject: str | None = None,
) -> HttpResponse:
    document: dict[str, Any] = {
        "organisation": organisation.code,
        "exported_at": ledger.timestamp(timezone.now()),
        "hash_rule": HASH_RULE,
    }
    if subject is not None:
        document["subject"] = subject
    document["records"] = [record_row(r) for r in records]
    return json_response(filename, document)
