"""Fixtures for the program tests: clients for the three people, a small ledger, the hash
rule as docs/program.md states it (written out independently of the code), records of the
format of before keys, and raw SQL access to the ledger table (with PostgreSQL's append-only
trigger switched off)."""

import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from coro.orgs.models import Membership, Organisation
from coro.program import selectors, services
from coro.program.models import ConsentRecord, Terms

TABLE = ConsentRecord._meta.db_table
ON_POSTGRESQL = connection.vendor == "postgresql"
ONLY_POSTGRESQL = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="the append-only trigger exists only on PostgreSQL; on SQLite the ORM guard and "
    "the hash chain are tested instead",
)


@pytest.fixture
def admin_client(tenancy):
    return tenancy.client_for(tenancy.admin.user)


@pytest.fixture
def editor_client(tenancy):
    return tenancy.client_for(tenancy.editor.user)


@pytest.fixture
def employee_client(tenancy):
    return tenancy.client_for(tenancy.employee.user)


@pytest.fixture
def outsider_client(tenancy):
    return tenancy.client_for(tenancy.outsider.user)


def texts_from_fields(fields: dict[str, str], texts: dict | None = None) -> dict:
    """``{"offer_en": ...}`` (the form's field names) as terms texts ``{"en": {"offer": ...}}``,
    applied over ``texts``."""
    texts = {language: dict(parts) for language, parts in (texts or {}).items()}
    for name, text in fields.items():
        part, language = name.rsplit("_", 1)
        texts.setdefault(language, {})[part] = text
    return texts


def fields_from_texts(texts: dict) -> dict[str, str]:
    return {
        f"{part}_{language}": text
        for language, parts in texts.items()
        for part, text in parts.items()
    }


def texts_of(n: int, **changes: str) -> dict[str, dict[str, str]]:
    """Terms texts for version ``n`` in Spanish and English; ``offer_en="..."`` changes one."""
    texts = {
        "es": {"offer": f"Oferta v{n}", "commitment": f"Compromiso v{n}"},
        "en": {"offer": f"Offer v{n}", "commitment": f"Commitment v{n}"},
    }
    return texts_from_fields(changes, texts)


def publish(tenancy, org=None, **changes: str) -> Terms:
    """Publish the next version with changed texts (by the organisation's admin)."""
    org = org or tenancy.org
    actor = tenancy.admin if org == tenancy.org else tenancy.outsider
    current = selectors.terms_current(org)
    n = current.version + 1 if current else 1
    return services.terms_publish(organisation=org, actor=actor, texts=texts_of(n, **changes))


@pytest.fixture
def ledger(tenancy) -> list[ConsentRecord]:
    """Five records in the organisation, and two in the other one, in between.

    #1 employee joined v1, #2 editor joined v1, #3 employee accepted v2,
    #4 editor left (v1), #5 admin joined v2.
    """
    v1 = selectors.terms_current(tenancy.org)
    services.program_join(membership=tenancy.employee, terms=v1)
    services.program_join(membership=tenancy.editor, terms=v1)
    other_v1 = selectors.terms_current(tenancy.other_org)
    services.program_join(membership=tenancy.outsider, terms=other_v1)
    v2 = publish(tenancy)
    services.program_join(membership=tenancy.employee, terms=v2)
    services.program_leave(membership=tenancy.editor)
    services.program_leave(membership=tenancy.outsider)
    services.program_join(membership=tenancy.admin, terms=v2)
    return list(ConsentRecord.objects.filter(organisation=tenancy.org).order_by("seq"))


@contextmanager
def raw_ledger() -> Iterator:
    """A cursor that may UPDATE and DELETE ledger rows, as someone with database access could."""
    with connection.cursor() as cursor:
        if ON_POSTGRESQL:
            # Ordinary triggers do not fire for a "replica" session (this needs a superuser,
            # as the tests' database user is). LOCAL: it ends with the test's transaction.
            cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield cursor
        finally:
            if ON_POSTGRESQL:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")


# --- The hash rule, as documented ----------------------------------------------------------

ZEROS = "0" * 64


def documented_hash(row: dict, org_code: str, keys: dict[str, str] | None = None) -> str:
    """The hash of an exported row (or a receipt's record), by the rule of docs/program.md:
    format 1 is SHA-256, format 2 HMAC-SHA256 with the key named by key_id, of prev_hash and
    the canonical JSON (format 2 also hashes format and key_id)."""
    version = row["terms_version"]
    fields = {
        "organisation": org_code,
        "seq": int(row["seq"]),
        "subject": row["subject"],
        "action": row["action"],
        "terms_version": int(version) if version not in ("", None) else None,
        "terms_sha256": row["terms_sha256"],
        "at": row["at"],
        "channel": row["channel"],
    }
    fmt = int(row.get("format", 1))
    if fmt == 2:
        fields["format"] = 2
        fields["key_id"] = row["key_id"]
    message = row["prev_hash"] + json.dumps(fields, sort_keys=True, separators=(",", ":"))
    if fmt == 1:
        return hashlib.sha256(message.encode()).hexdigest()
    secret = (keys or settings.LEDGER_KEYS)[row["key_id"]]
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def at_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def row_of(record: ConsentRecord) -> dict:
    return {
        "seq": record.seq,
        "subject": record.subject,
        "action": record.action,
        "terms_version": record.terms_version,
        "terms_sha256": record.terms_sha256,
        "at": at_text(record.at),
        "channel": record.channel,
        "prev_hash": record.prev_hash,
        "format": record.format,
        "key_id": record.key_id,
    }


def expected_hash(record: ConsentRecord, keys: dict[str, str] | None = None) -> str:
    return documented_hash(row_of(record), record.organisation.code, keys)


def legacy_records(organisation: Organisation, people: list[Membership]) -> list[ConsentRecord]:
    """Records as Coro wrote them before keys (format 1): each person joined version 1, a
    minute apart, appended to whatever chain the organisation has."""
    terms = selectors.terms_current(organisation)
    last = ConsentRecord.objects.filter(organisation=organisation).order_by("-seq").first()
    seq, prev_hash = (last.seq, last.hash) if last else (0, ZEROS)
    start = timezone.now() - timedelta(days=30)
    records = []
    for n, member in enumerate(people, 1):
        record = ConsentRecord(
            organisation=organisation,
            seq=seq + n,
            subject=member.consent_ref,
            action=ConsentRecord.Action.JOINED,
            terms_version=terms.version,
            terms_sha256=terms.sha256,
            at=start + timedelta(minutes=n),
            channel=ConsentRecord.Channel.WEB,
            prev_hash=prev_hash,
            format=ConsentRecord.Format.SHA256,
            key_id="",
        )
        record.hash = expected_hash(record)
        record.save()
        records.append(record)
        prev_hash = record.hash
    return records


def rechain(cursor, records: list[ConsentRecord], *, keys: dict[str, str] | None = None) -> None:
    """Recompute the hashes of ``records`` (in chain order, as they now are in the database)
    by the documented rule, as someone with write access to the database would: format 1,
    or format 2 with ``keys`` (guessed: they do not have the real one)."""
    prev_hash = None
    for record in records:
        record.refresh_from_db()
        if prev_hash is not None:
            record.prev_hash = prev_hash
        if keys is None:
            record.format, record.key_id = 1, ""
        record.hash = expected_hash(record, keys)
        cursor.execute(
            f"UPDATE {TABLE} SET prev_hash = %s, hash = %s, format = %s, key_id = %s WHERE id = %s",
            [record.prev_hash, record.hash, record.format, record.key_id, record.pk],
        )
        prev_hash = record.hash
