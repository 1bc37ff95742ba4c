"""The ledger's formats and keys: new records are keyed (HMAC-SHA256, format 2) with the first
configured key; older keys keep verifying what they signed; records of before keys (format 1)
still verify, once a keyed record seals them; and someone who can write the database but has
no key cannot change, insert or reorder a record without `coro ledger verify` naming it."""

import gzip
import importlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from coro.program import ledger as chain
from coro.program import selectors, services
from coro.program.models import ConsentRecord
from coro.program.receipts import RECORD_FIELDS
from coro.program.tests.conftest import (
    TABLE,
    expected_hash,
    legacy_records,
    raw_ledger,
    rechain,
)
from coro.site.demo import load_demo
from testing.factories import MembershipFactory

ROOT = Path(__file__).resolve().parents[3]
OLD_DEMO = ROOT / "testing" / "data" / "demo-before-seams.sqlite3.gz"
NEW_KEY = "n" * 40
OLD_KEY = "o" * 40
seal_migration = importlib.import_module("coro.program.migrations.0006_seal_legacy_chains")


def verify(*args: str) -> tuple[list[str], CommandError | None]:
    out = StringIO()
    try:
        call_command("ledger", "verify", *args, stdout=out, no_color=True)
    except CommandError as exc:
        return out.getvalue().splitlines(), exc
    return out.getvalue().splitlines(), None


def problems(org) -> list[tuple[int, str]]:
    return [(p.seq, str(p)) for p in chain.ledger_verify(org).problems]


def join(member) -> ConsentRecord:
    services.program_join(membership=member, terms=selectors.terms_current(member.organisation))
    return ConsentRecord.objects.filter(organisation=member.organisation).order_by("seq").last()


def seal() -> None:
    seal_migration.seal_legacy_chains(apps, None)


# --- Keys ---------------------------------------------------------------------------------


def test_the_first_key_signs_new_records(tenancy, settings):
    settings.LEDGER_KEYS = {"2027": NEW_KEY, "2026": OLD_KEY}
    record = join(tenancy.employee)
    assert (record.format, record.key_id) == (2, "2027")
    assert record.hash == expected_hash(record)
    assert record.hash != expected_hash(record, {"2027": OLD_KEY})


def test_rotation_keeps_what_the_old_key_signed(tenancy, settings):
    settings.LEDGER_KEYS = {"2026": OLD_KEY}
    old = join(tenancy.employee)
    settings.LEDGER_KEYS = {"2027": NEW_KEY, "2026": OLD_KEY}
    new = join(tenancy.editor)
    assert (old.key_id, new.key_id) == ("2026", "2027")
    assert new.prev_hash == old.hash
    lines, error = verify()
    assert error is None
    assert f"organisation {tenancy.org.code}: OK, 2 records, latest hash {new.hash}" in lines


def test_a_record_whose_key_is_gone_is_named(tenancy, settings):
    settings.LEDGER_KEYS = {"2026": OLD_KEY}
    old = join(tenancy.employee)
    settings.LEDGER_KEYS = {"2027": NEW_KEY}
    join(tenancy.editor)
    lines, error = verify()
    assert error is not None
    assert error.returncode == 1
    assert f'organisation {tenancy.org.code}, record #1 (id {old.pk}): unknown key "2026"' in lines
    assert problems(tenancy.org) == [(1, 'unknown key "2026"')]


def test_a_record_given_another_key_id_is_named(tenancy, ledger):
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET key_id = 'other' WHERE id = %s", [ledger[1].pk])
    assert problems(tenancy.org) == [(2, 'unknown key "other"')]


# --- Someone with the database but without the key ----------------------------------------


def test_an_edit_rechained_with_a_guessed_key_is_named(tenancy, ledger):
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = 'left' WHERE id = %s", [ledger[2].pk])
        rechain(cursor, ledger[2:], keys={"dev": "a guess, 32 characters long or more"})
    assert problems(tenancy.org) == [(3, "edited"), (4, "edited"), (5, "edited")]


def test_an_edit_rechained_by_the_public_rule_is_named(tenancy, ledger):
    """The documented format-1 rule needs no key, but may not follow a keyed record."""
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = 'left' WHERE id = %s", [ledger[2].pk])
        rechain(cursor, ledger[2:])
    flaw = "unkeyed record after a keyed one"
    assert problems(tenancy.org) == [(3, flaw), (4, flaw), (5, flaw)]


def test_a_whole_chain_rewritten_by_the_public_rule_is_named(tenancy, ledger):
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = 'left' WHERE id = %s", [ledger[0].pk])
        rechain(cursor, ledger)
    assert problems(tenancy.org) == [(5, "not sealed by a keyed record")]


def test_an_unkeyed_record_appended_at_the_end_is_named(tenancy, ledger):
    newcomer = MembershipFactory(organisation=tenancy.org)
    [appended] = legacy_records(tenancy.org, [newcomer])
    assert appended.seq == 6
    assert problems(tenancy.org) == [(6, "unkeyed record after a keyed one")]


def test_a_record_inserted_in_the_middle_is_named(tenancy, ledger):
    """Moving the newest records one place on and putting a forged one in the gap."""
    with raw_ledger() as cursor:
        for record in reversed(ledger[3:]):
            cursor.execute(f"UPDATE {TABLE} SET seq = seq + 1 WHERE id = %s", [record.pk])
    forged = legacy_records(tenancy.org, [MembershipFactory(organisation=tenancy.org)])[0]
    with raw_ledger() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET seq = 4, prev_hash = %s WHERE id = %s",
            [ledger[2].hash, forged.pk],
        )
        forged.seq, forged.prev_hash = 4, ledger[2].hash
        cursor.execute(
            f"UPDATE {TABLE} SET hash = %s WHERE id = %s", [expected_hash(forged), forged.pk]
        )
    found = dict(problems(tenancy.org))
    assert found[4] == "unkeyed record after a keyed one"
    assert found[5] == found[6] == "out of order"


# --- Records of before keys, and the seal -------------------------------------------------


@pytest.fixture
def legacy(tenancy) -> list[ConsentRecord]:
    """Three records written before keys in the organisation; none in the other one."""
    return legacy_records(tenancy.org, [tenancy.employee, tenancy.editor, tenancy.admin])


def test_records_of_before_keys_still_verify_once_sealed(tenancy, legacy):
    assert problems(tenancy.org) == [(3, "not sealed by a keyed record")]
    seal()
    sealed = ConsentRecord.objects.get(organisation=tenancy.org, seq=4)
    assert (sealed.action, sealed.subject, sealed.terms_version, sealed.terms_sha256) == (
        "sealed",
        "",
        None,
        "",
    )
    assert (sealed.format, sealed.key_id, sealed.channel) == (2, "dev", "web")
    assert sealed.prev_hash == legacy[-1].hash
    assert sealed.hash == expected_hash(sealed)
    lines, error = verify()
    assert error is None
    assert (
        f"organisation {tenancy.org.code}: OK, 4 records (3 from before keys, sealed by the "
        f"keyed record #4), latest hash {sealed.hash}"
    ) in lines
    assert f"organisation {tenancy.other_org.code}: OK, 0 records" in " ".join(lines)


def test_new_records_follow_the_seal(tenancy, legacy):
    seal()
    record = join(MembershipFactory(organisation=tenancy.org))
    assert (record.seq, record.format) == (5, 2)
    check = chain.ledger_verify(tenancy.org)
    assert check.is_intact
    assert (check.legacy_count, check.sealed_by) == (3, 4)


def test_sealing_only_touches_chains_that_end_before_keys(tenancy, legacy):
    join(tenancy.outsider)  # keyed already
    seal()
    seal()  # a second run finds nothing to do
    assert ConsentRecord.objects.filter(action="sealed").count() == 1
    assert ConsentRecord.objects.filter(organisation=tenancy.other_org).count() == 1


def test_a_sealed_record_of_before_keys_cannot_be_rewritten(tenancy, legacy):
    seal()
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = 'left' WHERE id = %s", [legacy[1].pk])
        rechain(cursor, legacy[1:])
    assert problems(tenancy.org) == [(4, "missing before this record")]


def test_removing_the_seal_shows(tenancy, legacy):
    seal()
    with raw_ledger() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE action = 'sealed'")
    assert problems(tenancy.org) == [(3, "not sealed by a keyed record")]


def test_the_manage_page_says_the_old_records_are_sealed(tenancy, legacy):
    seal()
    client = tenancy.client_for(tenancy.admin.user)
    html = client.get(f"/o/{tenancy.org.code}/program/manage/", HTTP_ACCEPT_LANGUAGE="en")
    assert "3 records from before keys are sealed by record #4." in html.content.decode()


# --- The demo data ------------------------------------------------------------------------


def test_the_demo_verifies(db):
    organisation = load_demo()
    count = ConsentRecord.objects.filter(organisation=organisation).count()
    assert count > 5
    assert set(ConsentRecord.objects.values_list("format", flat=True)) == {2}
    lines, error = verify()
    assert error is None
    assert lines[0].startswith(f"organisation {organisation.code}: OK, {count} records, latest")


def run_coro(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LEDGER_KEY"))},
        "DJANGO_SETTINGS_MODULE": "coro.settings",
        "DATABASE_URL": f"sqlite:///{data / 'coro.sqlite3'}",
        "CORO_DATA_DIR": str(data),
        "DEBUG": "true",
        "LEDGER_KEY": "demo:" + "k" * 40,
    }
    return subprocess.run(
        [sys.executable, "-m", "coro.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def receipt_from_sqlite(path: Path, code: str, seq: int) -> dict:
    """A receipt of record ``seq``, read straight from the database file."""
    names = list(RECORD_FIELDS)
    with sqlite3.connect(path) as db:
        row = db.execute(f"SELECT {', '.join(names)} FROM {TABLE} WHERE seq = ?", [seq]).fetchone()
    record = dict(zip(names, row, strict=True))
    at = datetime.fromisoformat(record["at"]).replace(tzinfo=UTC)  # stored naive, in UTC
    record["at"] = at.isoformat(timespec="microseconds")
    return {
        "receipt": "coro-consent-receipt",
        "version": 1,
        "organisation": code,
        "record": record,
        "chain_head": {"seq": seq, "hash": record["hash"]},
        "issued_at": record["at"],
    }


def test_the_demo_database_of_before_keys_migrates_and_verifies(tmp_path):
    """A copy of a database that Coro wrote before keys (16 records, format 1)."""
    with gzip.open(OLD_DEMO) as packed, (tmp_path / "coro.sqlite3").open("wb") as unpacked:
        shutil.copyfileobj(packed, unpacked)
    with sqlite3.connect(tmp_path / "coro.sqlite3") as db:
        (code,) = db.execute("SELECT code FROM orgs_organisation").fetchone()
        (before,) = db.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
    assert before == 16

    migrated = run_coro("migrate", "--no-input", data=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    verified = run_coro("ledger", "verify", data=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    with sqlite3.connect(tmp_path / "coro.sqlite3") as db:
        rows = db.execute(f"SELECT format, action, key_id FROM {TABLE} ORDER BY seq").fetchall()
        head = db.execute(f"SELECT hash FROM {TABLE} ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert rows[:16] == [(1, rows[i][1], "") for i in range(16)]
    assert rows[16:] == [(2, "sealed", "demo")]
    assert verified.stdout.splitlines() == [
        f"organisation {code}: OK, 17 records (16 from before keys, sealed by the keyed "
        f"record #17), latest hash {head}"
    ]

    # A receipt of a record written before keys, and of the seal, hold against it.
    for seq in (3, 17):
        path = tmp_path / f"receipt-{seq}.json"
        path.write_text(json.dumps(receipt_from_sqlite(tmp_path / "coro.sqlite3", code, seq)))
        checked = run_coro("ledger", "verify", "--receipt", str(path), data=tmp_path)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith(f"receipt of record #{seq} in organisation {code}: OK")
    (tmp_path / "junk.json").write_text("{not json")
    junk = run_coro("ledger", "verify", "--receipt", str(tmp_path / "junk.json"), data=tmp_path)
    assert junk.returncode == 2
    assert "is not a readable consent receipt: it is not JSON" in junk.stderr
    assert "Traceback" not in junk.stderr

    # Migrating again seals nothing more; an edit of an old record is still found.
    assert run_coro("migrate", "--no-input", data=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "coro.sqlite3") as db:
        db.execute(f"UPDATE {TABLE} SET channel = 'api' WHERE seq = 5")
    broken = run_coro("ledger", "verify", data=tmp_path)
    assert broken.returncode == 1
    assert f"organisation {code}, record #5" in broken.stdout
    assert "edited" in broken.stdout
    assert "Traceback" not in broken.stderr
