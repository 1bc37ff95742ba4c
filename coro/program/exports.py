"""The consent ledger as evidence: CSV and JSON files with the chain hashes."""

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
]

HASH_RULE = (
    "hash = SHA-256 hex of prev_hash followed by the JSON object "
    '{"action","at","channel","organisation","seq","subject","terms_sha256","terms_version"} '
    "with sorted keys and no spaces; the first record's prev_hash is 64 zeros."
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
