"""Receipts: each person gets their own copy of each of their ledger records (by e-mail, on
their program page, in their data download), and `coro ledger verify --receipt FILE` checks
one against the database: issued by this Coro, still there unchanged, chained to the head."""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coro.notifications.models import Notification
from coro.program import receipts, selectors, services
from coro.program.models import ConsentRecord
from coro.program.tests.conftest import (
    TABLE,
    documented_hash,
    legacy_records,
    raw_ledger,
    rechain,
)

RECORD_FIELDS = [
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
NOT_ISSUED = "this receipt was not issued by this Coro"


def receipt_for(record: ConsentRecord) -> dict:
    return receipts.receipt_of(record, organisation_code=record.organisation.code)


def write(tmp_path: Path, data, name: str = "receipt.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def check(path: str) -> tuple[list[str], CommandError | None]:
    out = StringIO()
    try:
        call_command("ledger", "verify", "--receipt", path, stdout=out, no_color=True)
    except CommandError as exc:
        return out.getvalue().splitlines(), exc
    return out.getvalue().splitlines(), None


def forge(receipt: dict, **changes) -> dict:
    forged = copy.deepcopy(receipt)
    forged["record"].update(changes)
    return forged


# --- What a receipt holds -----------------------------------------------------------------


def test_a_receipt_holds_the_record_and_the_head_after_it(tenancy, ledger):
    record = ledger[2]
    receipt = receipt_for(record)
    assert list(receipt) == [
        "receipt",
        "version",
        "organisation",
        "record",
        "chain_head",
        "issued_at",
    ]
    assert (receipt["receipt"], receipt["version"]) == ("coro-consent-receipt", 1)
    assert receipt["organisation"] == tenancy.org.code
    assert list(receipt["record"]) == RECORD_FIELDS
    assert receipt["record"]["hash"] == record.hash
    assert receipt["record"]["subject"] == tenancy.employee.consent_ref
    assert (receipt["record"]["format"], receipt["record"]["key_id"]) == (2, "dev")
    assert documented_hash(receipt["record"], tenancy.org.code) == record.hash
    assert receipt["chain_head"] == {"seq": 3, "hash": record.hash}
    assert receipt["issued_at"].endswith("+00:00")


def test_receipts_of_a_person_are_theirs_only(tenancy, ledger):
    mine = receipts.receipts_of(tenancy.employee)
    assert [r["record"]["seq"] for r in mine] == [1, 3]
    assert {r["record"]["subject"] for r in mine} == {tenancy.employee.consent_ref}
    assert receipts.receipts_of(tenancy.outsider)[0]["organisation"] == tenancy.other_org.code


# --- By e-mail ----------------------------------------------------------------------------


def receipt_notes(member) -> list[Notification]:
    return list(
        Notification.objects.filter(
            user=member.user, kind=Notification.Kind.CONSENT_RECEIPT
        ).order_by("pk")
    )


def test_joining_accepting_and_leaving_each_send_a_receipt(tenancy):
    from coro.program.tests.conftest import publish

    member = tenancy.employee
    services.program_join(membership=member, terms=selectors.terms_current(tenancy.org))
    services.program_join(membership=member, terms=selectors.terms_current(tenancy.org))
    v2 = publish(tenancy)
    services.program_join(membership=member, terms=v2)
    services.program_leave(membership=member)
    services.program_leave(membership=member)  # nothing happens, nothing is sent
    notes = receipt_notes(member)
    records = list(selectors.ledger_records_of(member))
    assert len(notes) == len(records) == 3
    for note, record in zip(notes, records, strict=True):
        [receipt] = receipts.receipts_parse(note.body)
        assert (receipt.seq, receipt.hash) == (record.seq, record.hash)
        assert note.organisation == tenancy.org
        assert note.link == f"/o/{tenancy.org.code}/program/"
    assert not receipt_notes(tenancy.editor)


def test_the_receipt_e_mail_is_in_the_persons_language(tenancy):
    user = tenancy.employee.user
    user.language = "en"
    user.save(update_fields=["language"])
    services.program_join(membership=tenancy.employee, terms=selectors.terms_current(tenancy.org))
    [note] = receipt_notes(tenancy.employee)
    assert note.subject == f"You joined the advocacy program of {tenancy.org.name}: your receipt"
    assert "record #1" in note.body
    assert "coro ledger verify --receipt FILE" in note.body
    assert '"receipt": "coro-consent-receipt"' in note.body


def test_the_receipt_waits_for_working_hours(tenancy):
    """Through notification_hold: someone with no working days is never e-mailed."""
    user = tenancy.employee.user
    user.work_days = ""
    user.save(update_fields=["work_days"])
    services.program_join(membership=tenancy.employee, terms=selectors.terms_current(tenancy.org))
    [note] = receipt_notes(tenancy.employee)
    assert note.channel == "in_app"


def test_an_e_mail_saved_as_a_file_can_be_checked(tenancy, tmp_path):
    services.program_join(membership=tenancy.employee, terms=selectors.terms_current(tenancy.org))
    [note] = receipt_notes(tenancy.employee)
    lines, error = check(write(tmp_path, f"Subject: {note.subject}\n\n{note.body}", "mail.eml"))
    assert error is None
    assert lines[0] == f"receipt of record #1 in organisation {tenancy.org.code}: OK"


# --- On the program page ------------------------------------------------------------------


def receipts_url(org, record: int | str | None = None) -> str:
    query = f"?record={record}" if record is not None else ""
    return f"/o/{org.code}/program/my-receipts.json{query}"


def test_downloading_all_my_receipts(tenancy, ledger, employee_client):
    response = employee_client.get(receipts_url(tenancy.org))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Cache-Control"] == "no-store"
    assert tenancy.employee.consent_ref in response["Content-Disposition"]
    document = json.loads(response.content)
    assert [r["record"]["seq"] for r in document] == [1, 3]
    assert [r["record"]["hash"] for r in document] == [ledger[0].hash, ledger[2].hash]


def test_downloading_the_receipt_of_one_record(tenancy, ledger, employee_client, tmp_path):
    response = employee_client.get(receipts_url(tenancy.org, 3))
    assert response.status_code == 200
    assert f"receipt-{tenancy.org.code}-3.json" in response["Content-Disposition"]
    receipt = json.loads(response.content)
    assert receipt["record"]["hash"] == ledger[2].hash
    _lines, error = check(write(tmp_path, response.content.decode()))
    assert error is None


@pytest.mark.parametrize("record", [2, 4, 5, 99, 0, "x", "", "3.0", "\uff11", "9" * 30])
def test_nobody_downloads_a_receipt_of_someone_elses_record(
    tenancy, ledger, employee_client, record
):
    assert employee_client.get(receipts_url(tenancy.org, record)).status_code == 404


def test_never_joined_means_no_receipts(tenancy, ledger, client):
    from testing.factories import MembershipFactory

    newcomer = MembershipFactory(organisation=tenancy.org)
    client.force_login(newcomer.user)
    assert json.loads(client.get(receipts_url(tenancy.org)).content) == []


# --- coro ledger verify --receipt ---------------------------------------------------------


def test_a_genuine_receipt_holds(tenancy, ledger, tmp_path):
    lines, error = check(write(tmp_path, receipt_for(ledger[2])))
    assert error is None
    assert lines[0] == f"receipt of record #3 in organisation {tenancy.org.code}: OK"
    assert f"latest record #5 (hash {ledger[4].hash}) is intact" in lines[1]


def test_a_list_of_receipts_is_checked_one_by_one(tenancy, ledger, tmp_path):
    mine = receipts.receipts_of(tenancy.employee)
    lines, error = check(write(tmp_path, mine))
    assert error is None
    assert [line for line in lines if not line.startswith(" ")] == [
        f"receipt of record #1 in organisation {tenancy.org.code}: OK",
        f"receipt of record #3 in organisation {tenancy.org.code}: OK",
    ]
    mine[0]["record"]["action"] = "left"
    lines, error = check(write(tmp_path, mine))
    assert error is not None
    assert error.returncode == 1
    assert f"receipt of record #1 in organisation {tenancy.org.code}: {NOT_ISSUED}" in lines
    assert f"receipt of record #3 in organisation {tenancy.org.code}: OK" in lines
    assert "1 receipt does not hold" in str(error)


@pytest.mark.parametrize(
    "changes",
    [
        {"action": "left"},
        {"at": "2020-01-01T00:00:00.000000+00:00"},
        {"terms_version": 1},
        {"seq": 4},
        {"hash": "f" * 64},
    ],
)
def test_a_changed_receipt_was_not_issued_here(tenancy, ledger, tmp_path, changes):
    lines, error = check(write(tmp_path, forge(receipt_for(ledger[2]), **changes)))
    assert error is not None
    assert error.returncode == 1
    assert lines[0].endswith(f": {NOT_ISSUED}")
    assert "its hash does not match its contents" in lines[1]


def test_a_receipt_made_with_a_guessed_key_was_not_issued_here(tenancy, ledger, tmp_path):
    forged = forge(receipt_for(ledger[2]), action="left")
    guess = {"dev": "a guess, 32 characters long or more"}
    forged["record"]["hash"] = documented_hash(forged["record"], tenancy.org.code, guess)
    forged["chain_head"]["hash"] = forged["record"]["hash"]
    lines, error = check(write(tmp_path, forged))
    assert error is not None
    assert lines[0].endswith(f": {NOT_ISSUED}")


def test_a_receipt_of_another_coro_was_not_issued_here(tenancy, ledger, tmp_path, settings):
    receipt = receipt_for(ledger[2])
    settings.LEDGER_KEYS = {"other": "another Coro's key, 32 characters or more"}
    lines, error = check(write(tmp_path, receipt))
    assert error is not None
    assert lines[0].endswith(f": {NOT_ISSUED}")
    assert 'it names the ledger key "dev", which this Coro does not have' in lines[1]


def test_a_receipt_of_an_old_key_holds_while_the_key_is_kept(tenancy, ledger, tmp_path, settings):
    receipt = receipt_for(ledger[2])
    settings.LEDGER_KEYS = {
        "new": "the next key, 32 characters long or more",
        **settings.LEDGER_KEYS,
    }
    services.program_join(membership=tenancy.editor, terms=selectors.terms_current(tenancy.org))
    lines, error = check(write(tmp_path, receipt))
    assert error is None
    assert "latest record #6" in lines[1]


def test_a_receipt_passed_off_as_of_before_keys_was_not_issued_here(tenancy, ledger, tmp_path):
    """The public rule of format 1 makes a hash anyone can compute: it cannot stand for a
    keyed record."""
    forged = forge(receipt_for(ledger[2]), action="left", format=1, key_id="")
    forged["record"]["hash"] = documented_hash(forged["record"], tenancy.org.code)
    forged["chain_head"]["hash"] = forged["record"]["hash"]
    lines, error = check(write(tmp_path, forged))
    assert error is not None
    assert lines[0].endswith(f": {NOT_ISSUED}")
    assert lines[1] == (
        "  it says record #3 is from before keys, but this ledger is keyed from record #1 on"
    )
    # Also for a place that does not exist yet.
    forged = forge(forged, seq=9)
    forged["record"]["hash"] = documented_hash(forged["record"], tenancy.org.code)
    forged["chain_head"] = {"seq": 9, "hash": forged["record"]["hash"]}
    lines, error = check(write(tmp_path, forged))
    assert lines[0].endswith(f": {NOT_ISSUED}")


def test_a_receipt_whose_head_is_not_its_record_was_not_issued_here(tenancy, ledger, tmp_path):
    receipt = receipt_for(ledger[2])
    receipt["chain_head"] = {"seq": 5, "hash": ledger[4].hash}
    lines, error = check(write(tmp_path, receipt))
    assert error is not None
    assert lines[0].endswith(f": {NOT_ISSUED}")


def test_an_edited_record_differs_from_its_receipt(tenancy, ledger, tmp_path):
    """Someone without the key edits the record and recomputes the chain: the receipt names
    what differs, and the receipts of earlier records see the broken chain."""
    mine, earlier = receipt_for(ledger[2]), receipt_for(ledger[0])
    genuine_hash = ledger[2].hash
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = 'left' WHERE id = %s", [ledger[2].pk])
        rechain(cursor, ledger[2:], keys={"dev": "a guess, 32 characters long or more"})
    lines, error = check(write(tmp_path, mine))
    assert error is not None
    assert error.returncode == 1
    assert lines[0] == (
        f"receipt of record #3 in organisation {tenancy.org.code}: "
        "the database holds this record changed"
    )
    stored = ConsentRecord.objects.get(pk=ledger[2].pk)
    assert lines[1:] == [
        '  action: "accepted" in the receipt, "left" in the database',
        f'  hash: "{genuine_hash}" in the receipt, "{stored.hash}" in the database',
    ]

    lines, error = check(write(tmp_path, earlier))
    assert error is not None
    assert lines[0].endswith("the chain after this record is broken")
    assert lines[1:] == [f"  record #{n} (id {ledger[n - 1].pk}): edited" for n in (3, 4, 5)]


def test_an_edit_rechained_by_the_public_rule_breaks_the_chain_after_a_receipt(
    tenancy, ledger, tmp_path
):
    earlier = receipt_for(ledger[1])
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET channel = 'api' WHERE id = %s", [ledger[3].pk])
        rechain(cursor, ledger[3:])
    lines, error = check(write(tmp_path, earlier))
    assert error is not None
    assert f"  record #4 (id {ledger[3].pk}): unkeyed record after a keyed one" in lines


def test_a_deleted_record_is_missing(tenancy, ledger, tmp_path):
    receipt = receipt_for(ledger[2])
    with raw_ledger() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [ledger[2].pk])
    lines, error = check(write(tmp_path, receipt))
    assert error is not None
    assert lines[0].endswith(": missing")
    assert lines[1] == "  the database has no record #3: it was deleted"


def test_deleting_the_newest_records_shows_against_a_receipt(tenancy, ledger, tmp_path):
    """Verify alone sees a shorter, valid chain; the receipt of the newest record does not."""
    receipt = receipt_for(ledger[4])
    with raw_ledger() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [ledger[4].pk])
    out = StringIO()
    call_command("ledger", "verify", stdout=out)
    lines, error = check(write(tmp_path, receipt))
    assert error is not None
    assert lines[0].endswith(": missing")
    assert lines[1] == (
        f"  the ledger of {tenancy.org.code} now ends at record #4: record #5 and any after "
        "it were deleted"
    )


def test_a_reordered_record_differs_and_is_found(tenancy, ledger, tmp_path):
    receipt = receipt_for(ledger[1])
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET seq = 6 WHERE id = %s", [ledger[1].pk])
    lines, error = check(write(tmp_path, receipt))
    assert error is not None
    assert lines[0].endswith("the database holds this record changed")
    assert lines[1:] == ["  seq: 2 in the receipt, 6 in the database"]
    # And the record now at the receipt's old place is named too.
    receipt = receipt_for(ledger[2])
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET seq = 7 WHERE id = %s", [ledger[2].pk])
        cursor.execute(f"UPDATE {TABLE} SET seq = 3 WHERE id = %s", [ledger[3].pk])
    lines, error = check(write(tmp_path, receipt))
    assert "  the receipt's record is now at #7" in lines


def test_an_organisation_that_is_gone(tenancy, ledger, tmp_path):
    receipt = receipt_for(ledger[1])
    with raw_ledger() as cursor:
        cursor.execute(
            "UPDATE orgs_organisation SET code = 'renamed' WHERE id = %s", [tenancy.org.pk]
        )
    lines, error = check(write(tmp_path, receipt))
    assert error is not None
    assert lines[0].endswith(": missing")
    assert f"no organisation has the code '{tenancy.org.code}' here" in lines[1]


def test_problems_before_the_record_do_not_fail_its_receipt(tenancy, ledger, tmp_path):
    receipt = receipt_for(ledger[3])
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET channel = 'api' WHERE id = %s", [ledger[0].pk])
    lines, error = check(write(tmp_path, receipt))
    assert error is None
    assert "1 record(s) before it are broken: run `coro ledger verify` to see them" in lines[2]


# --- Receipts of records from before keys -------------------------------------------------


@pytest.fixture
def sealed(tenancy) -> list[ConsentRecord]:
    import importlib

    from django.apps import apps

    records = legacy_records(tenancy.org, [tenancy.employee, tenancy.editor])
    migration = importlib.import_module("coro.program.migrations.0006_seal_legacy_chains")
    migration.seal_legacy_chains(apps, None)
    return records


def test_a_receipt_of_a_record_from_before_keys_holds_with_a_caveat(tenancy, sealed, tmp_path):
    lines, error = check(write(tmp_path, receipt_for(sealed[0])))
    assert error is None
    assert lines[0].endswith(": OK")
    assert "this record is from before keys (format 1)" in lines[1]


def test_a_changed_receipt_of_before_keys_does_not_match_the_sealed_record(
    tenancy, sealed, tmp_path
):
    forged = forge(receipt_for(sealed[0]), action="left")
    forged["record"]["hash"] = documented_hash(forged["record"], tenancy.org.code)
    forged["chain_head"]["hash"] = forged["record"]["hash"]
    lines, error = check(write(tmp_path, forged))
    assert error is not None
    assert lines[0].endswith(f": {NOT_ISSUED}")
    assert "sealed" in " ".join(lines)


def test_a_made_up_receipt_of_before_keys_after_the_seal_was_not_issued_here(
    tenancy, sealed, tmp_path
):
    forged = forge(receipt_for(sealed[1]), seq=4, prev_hash="0" * 64)
    forged["record"]["hash"] = documented_hash(forged["record"], tenancy.org.code)
    forged["chain_head"] = {"seq": 4, "hash": forged["record"]["hash"]}
    lines, error = check(write(tmp_path, forged))
    assert error is not None
    assert lines[0].endswith(f": {NOT_ISSUED}")
    assert "keyed from record #3 on" in lines[1]


def test_a_rewritten_record_of_before_keys_differs_from_its_receipt(tenancy, sealed, tmp_path):
    receipt = receipt_for(sealed[1])
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = 'left' WHERE id = %s", [sealed[1].pk])
        rechain(cursor, sealed[1:])
    lines, error = check(write(tmp_path, receipt))
    assert error is not None
    assert lines[0].endswith("the database holds this record changed")
    assert '  action: "joined" in the receipt, "left" in the database' in lines


# --- Unreadable files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("not json at all", "it is not JSON"),
        ("{}", "it is not a Coro consent receipt"),
        ("[]", "the list holds no receipt"),
        ('{"receipt": "coro-consent-receipt", "version": 9}', "receipt version 9"),
        ('{"receipt": "coro-consent-receipt", "version": 1}', '"record" is missing'),
        ("[" * 100_000, "it is not JSON"),
    ],
)
def test_an_unreadable_file_is_explained(tenancy, tmp_path, content, reason):
    _lines, error = check(write(tmp_path, content))
    assert error is not None
    assert error.returncode == 2
    assert reason in str(error)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("seq", "3", '"record.seq" must be a whole number, not "3"'),
        ("seq", True, '"record.seq" must be a whole number, not true'),
        ("terms_version", "1", '"record.terms_version" must be a whole number or null'),
        ("action", None, '"record.action" must be text, not null'),
        ("format", 3, "record.format 3 is not a ledger format"),
    ],
)
def test_a_malformed_receipt_is_explained(tenancy, ledger, tmp_path, field, value, reason):
    _lines, error = check(write(tmp_path, forge(receipt_for(ledger[0]), **{field: value})))
    assert error is not None
    assert error.returncode == 2
    assert reason in str(error)


def test_a_missing_field_is_explained(tenancy, ledger, tmp_path):
    receipt = receipt_for(ledger[0])
    del receipt["record"]["key_id"]
    _lines, error = check(write(tmp_path, receipt))
    assert error is not None
    assert '"record.key_id" is missing' in str(error)


def test_a_file_that_cannot_be_read_is_explained(tenancy, tmp_path):
    for path in (str(tmp_path / "nowhere.json"), str(tmp_path)):
        _lines, error = check(path)
        assert error is not None
        assert error.returncode == 2
        assert "cannot be read" in str(error)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    _lines, error = check(str(binary))
    assert error is not None
    assert error.returncode == 2


def test_receipt_and_organisation_do_not_go_together(tenancy, tmp_path):
    with pytest.raises(CommandError):
        call_command("ledger", "verify", "--receipt", "x.json", "--organisation", tenancy.org.code)
