"""Rule 2: each acceptance and withdrawal is recorded in a ledger that can be shown as evidence
and cannot be edited. Records are hash-chained per organisation with a secret key; the ORM
refuses updates and deletes, PostgreSQL refuses them too, and `coro ledger verify` finds any
tampering. (Formats, keys and sealing: test_ledger_keys.py; receipts: test_receipts.py.)"""

import importlib
import itertools
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction

from coro.orgs.models import Organisation
from coro.program import ledger as chain
from coro.program import selectors, services
from coro.program.models import ConsentRecord, LedgerIsAppendOnly, Participation
from coro.program.tests.conftest import ONLY_POSTGRESQL, TABLE, ZEROS, expected_hash, raw_ledger
from testing.factories import MembershipFactory

# --- What is recorded ---------------------------------------------------------------------


def test_joining_records_who_what_which_text_when_and_how(tenancy):
    terms = selectors.terms_current(tenancy.org)
    services.program_join(membership=tenancy.employee, terms=terms)
    record = ConsentRecord.objects.get()
    assert record.organisation == tenancy.org
    assert record.seq == 1
    assert record.subject == tenancy.employee.consent_ref
    assert record.action == ConsentRecord.Action.JOINED
    assert record.terms_version == 1
    assert record.terms_sha256 == terms.sha256
    assert len(record.terms_sha256) == 64
    assert record.channel == ConsentRecord.Channel.WEB
    assert record.prev_hash == ZEROS
    assert (record.format, record.key_id) == (2, "dev")
    assert record.hash == expected_hash(record)
    participation = Participation.objects.get(membership=tenancy.employee)
    assert abs((record.at - participation.changed_at).total_seconds()) < 1


def test_the_ledger_names_nobody(tenancy, ledger):
    names = {m.user.name for m in (tenancy.admin, tenancy.editor, tenancy.employee)}
    emails = {m.user.email for m in (tenancy.admin, tenancy.editor, tenancy.employee)}
    codes = {m.code for m in (tenancy.admin, tenancy.editor, tenancy.employee)}
    for record in ledger:
        values = {str(getattr(record, f.attname)) for f in ConsentRecord._meta.fields}
        assert not values & (names | emails | codes)


def test_the_sequence_of_actions(tenancy, ledger):
    employee, editor, admin = (
        tenancy.employee.consent_ref,
        tenancy.editor.consent_ref,
        tenancy.admin.consent_ref,
    )
    assert [(r.seq, r.subject, r.action, r.terms_version) for r in ledger] == [
        (1, employee, "joined", 1),
        (2, editor, "joined", 1),
        (3, employee, "accepted", 2),
        (4, editor, "left", 1),
        (5, admin, "joined", 2),
    ]
    v1, v2 = selectors.terms_versions(tenancy.org).order_by("version")
    assert [r.terms_sha256 for r in ledger] == [
        v1.sha256,
        v1.sha256,
        v2.sha256,
        v1.sha256,
        v2.sha256,
    ]


def test_each_organisation_has_its_own_chain(tenancy, ledger):
    others = list(ConsentRecord.objects.filter(organisation=tenancy.other_org).order_by("seq"))
    assert [(r.seq, r.action) for r in others] == [(1, "joined"), (2, "left")]
    assert others[0].prev_hash == ZEROS
    assert others[1].prev_hash == others[0].hash


def test_records_are_chained(tenancy, ledger):
    assert ledger[0].prev_hash == ZEROS
    for before, after in itertools.pairwise(ledger):
        assert after.prev_hash == before.hash
    for record in ledger:
        assert record.hash == expected_hash(record)


def test_api_channel_is_recorded(tenancy):
    terms = selectors.terms_current(tenancy.org)
    services.program_join(
        membership=tenancy.employee, terms=terms, channel=ConsentRecord.Channel.API
    )
    services.program_leave(membership=tenancy.employee, channel=ConsentRecord.Channel.API)
    assert list(ConsentRecord.objects.values_list("channel", flat=True)) == ["api", "api"]


def test_nothing_is_recorded_for_what_did_not_happen(tenancy):
    terms = selectors.terms_current(tenancy.org)
    services.program_leave(membership=tenancy.employee)  # never joined
    services.program_join(membership=tenancy.employee, terms=terms)
    services.program_join(membership=tenancy.employee, terms=terms)  # already on it
    services.program_leave(membership=tenancy.employee)
    services.program_leave(membership=tenancy.employee)  # already left
    assert list(ConsentRecord.objects.values_list("action", flat=True)) == ["joined", "left"]


# --- The ORM refuses changes --------------------------------------------------------------


@pytest.fixture
def record(tenancy):
    services.program_join(membership=tenancy.employee, terms=selectors.terms_current(tenancy.org))
    return ConsentRecord.objects.get()


def unchanged(record: ConsentRecord) -> bool:
    fresh = ConsentRecord.objects.get(pk=record.pk)
    return (fresh.action, fresh.hash, fresh.at) == (record.action, record.hash, record.at)


def test_saving_an_existing_record_is_refused(record):
    original_action = record.action
    record.action = ConsentRecord.Action.LEFT
    with pytest.raises(LedgerIsAppendOnly):
        record.save()
    with pytest.raises(LedgerIsAppendOnly):
        record.save(update_fields=["action"])
    record.action = original_action
    assert unchanged(record)


def test_deleting_a_record_is_refused(record):
    with pytest.raises(LedgerIsAppendOnly):
        record.delete()
    with pytest.raises(LedgerIsAppendOnly):
        ConsentRecord.objects.filter(pk=record.pk).delete()
    with pytest.raises(LedgerIsAppendOnly):
        ConsentRecord.objects.all().delete()
    assert ConsentRecord.objects.count() == 1


def test_queryset_updates_are_refused(record):
    with pytest.raises(LedgerIsAppendOnly):
        ConsentRecord.objects.filter(pk=record.pk).update(action="left")
    with pytest.raises(LedgerIsAppendOnly):
        ConsentRecord.objects.update(channel="api")
    record.action = "left"
    # bulk_update runs in an atomic block without a savepoint: give it one of its own.
    with pytest.raises(LedgerIsAppendOnly), transaction.atomic():
        ConsentRecord.objects.bulk_update([record], ["action"])
    with pytest.raises(LedgerIsAppendOnly), transaction.atomic():
        ConsentRecord.objects.update_or_create(pk=record.pk, defaults={"action": "left"})
    record.action = "joined"
    assert unchanged(record)


def test_a_new_instance_with_an_existing_id_cannot_overwrite(record):
    forged = ConsentRecord(
        pk=record.pk,
        organisation_id=record.organisation_id,
        seq=99,
        subject=record.subject,
        action=ConsentRecord.Action.LEFT,
        at=record.at,
        channel=record.channel,
        prev_hash=record.prev_hash,
        hash="f" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert unchanged(record)


# --- PostgreSQL refuses them too ----------------------------------------------------------


@ONLY_POSTGRESQL
def test_postgresql_refuses_raw_update_and_delete(record):
    """The trigger (django-pgtrigger, from the append-only base) stops raw SQL too."""
    with connection.cursor() as cursor:
        with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
            cursor.execute(f"UPDATE {TABLE} SET action = 'left' WHERE id = %s", [record.pk])
        with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [record.pk])
    assert unchanged(record)
    assert ConsentRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("migration", "functions"),
    [
        ("0002_consent_ledger_trigger", ["create_trigger", "drop_trigger"]),
        ("0005_append_only", ["old_trigger_drop"]),
    ],
)
def test_trigger_migrations_do_nothing_outside_postgresql(migration, functions):
    module = importlib.import_module(f"coro.program.migrations.{migration}")

    class Editor:
        class connection:
            vendor = "sqlite"

        def execute(self, *args, **kwargs):
            raise AssertionError("no SQL on this database")

    for name in functions:
        getattr(module, name)(None, Editor())


# --- Appending under concurrency ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the in-memory SQLite test database cannot be written from several threads "
    "(shared-cache 'table is locked'); SQLite serialises writers with IMMEDIATE transactions",
)
def test_concurrent_appends_make_one_unbroken_chain():
    """Eight people join at the same moment: no duplicate seq, no fork in the chain."""
    from testing.factories import OrganisationFactory, TermsFactory

    org = OrganisationFactory()
    terms = TermsFactory(organisation=org)
    members = [MembershipFactory(organisation=org) for _ in range(8)]
    start = threading.Barrier(len(members))
    errors: list[BaseException] = []

    def join(member):
        try:
            start.wait()
            services.program_join(membership=member, terms=terms)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=join, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    records = list(ConsentRecord.objects.filter(organisation=org).order_by("seq"))
    assert [r.seq for r in records] == list(range(1, 9))
    assert chain.ledger_verify(org).is_intact


# --- coro ledger verify -------------------------------------------------------------------


def verify(*args: str) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("ledger", "verify", *args, stdout=out, no_color=True)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_verify_reports_ok_with_the_count_per_organisation(tenancy, ledger):
    out, error = verify()
    assert error is None
    lines = out.splitlines()
    assert f"organisation {tenancy.org.code}: OK, 5 records, latest hash {ledger[-1].hash}" in lines
    assert any(
        line.startswith(f"organisation {tenancy.other_org.code}: OK, 2 records") for line in lines
    )


def test_verify_one_organisation(tenancy, ledger):
    out, error = verify("--organisation", tenancy.other_org.code)
    assert error is None
    assert tenancy.org.code not in out
    assert f"organisation {tenancy.other_org.code}: OK, 2 records" in out


def test_verify_an_unknown_organisation_fails(tenancy):
    _out, error = verify("--organisation", "nosuchorg")
    assert error is not None
    assert "nosuchorg" in str(error)


def test_verify_an_empty_ledger(tenancy):
    out, error = verify()
    assert error is None
    assert f"organisation {tenancy.org.code}: OK, 0 records" in out


def broken(org: Organisation, record: ConsentRecord, flaw: str) -> str:
    return f"organisation {org.code}, record #{record.seq} (id {record.pk}): {flaw}"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "'left'"),
        ("subject", "'someoneelse'"),
        ("terms_version", "7"),
        ("terms_sha256", "'" + "a" * 64 + "'"),
        ("channel", "'api'"),
        ("hash", "'" + "b" * 64 + "'"),
        ("prev_hash", "'" + "c" * 64 + "'"),
        ("format", "1"),
        ("format", "3"),
    ],
)
def test_verify_detects_an_edited_field(tenancy, ledger, column, value):
    target = ledger[2]
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET {column} = {value} WHERE id = %s", [target.pk])
    out, error = verify()
    assert error is not None
    assert error.returncode == 1
    assert out.splitlines()[0] == broken(tenancy.org, target, "edited")
    assert sum("organisation" in line and "OK" not in line for line in out.splitlines()) == 1
    assert f"organisation {tenancy.other_org.code}: OK" in out


def test_verify_detects_an_edited_time(tenancy, ledger):
    target = ledger[1]
    with raw_ledger() as cursor:
        cursor.execute(f"SELECT at FROM {TABLE} WHERE id = %s", [target.pk])
        cursor.execute(
            f"UPDATE {TABLE} SET at = %s WHERE id = %s",
            [target.at.replace(microsecond=(target.at.microsecond + 1) % 1_000_000), target.pk],
        )
    out, error = verify()
    assert error is not None
    assert broken(tenancy.org, target, "edited") in out.splitlines()


def test_verify_detects_an_organisation_swap(tenancy, ledger):
    """A record moved to another organisation's ledger is edited there, missing here."""
    target = ledger[4]
    with raw_ledger() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET organisation_id = %s, seq = 3 WHERE id = %s",
            [tenancy.other_org.pk, target.pk],
        )
    out, error = verify()
    assert error is not None
    target.refresh_from_db()
    assert broken(tenancy.other_org, target, "edited") in out.splitlines()


def test_verify_detects_a_deleted_record(tenancy, ledger):
    with raw_ledger() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [ledger[2].pk])
    out, error = verify()
    assert error is not None
    assert error.returncode == 1
    problems = [line for line in out.splitlines() if "OK" not in line]
    assert problems == [broken(tenancy.org, ledger[3], "missing before this record")]


def test_verify_detects_a_deleted_first_record(tenancy, ledger):
    with raw_ledger() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [ledger[0].pk])
    out, error = verify()
    assert error is not None
    problems = [line for line in out.splitlines() if "OK" not in line]
    assert problems == [broken(tenancy.org, ledger[1], "missing before this record")]


def test_a_deleted_newest_record_changes_the_latest_hash(tenancy, ledger):
    """Truncating the end leaves a valid, shorter chain: the latest hash kept from an
    earlier export or the admin page is what shows it."""
    with raw_ledger() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [ledger[4].pk])
    check = chain.ledger_verify(tenancy.org)
    assert check.is_intact
    assert check.head_hash == ledger[3].hash != ledger[4].hash


def swap_seq(cursor, a: ConsentRecord, b: ConsentRecord) -> None:
    cursor.execute(f"UPDATE {TABLE} SET seq = 1000 WHERE id = %s", [a.pk])
    cursor.execute(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [a.seq, b.pk])
    cursor.execute(f"UPDATE {TABLE} SET seq = %s WHERE id = %s", [b.seq, a.pk])


@pytest.mark.parametrize(("first", "second"), [(1, 2), (1, 3), (0, 4)])
def test_verify_detects_reordered_records(tenancy, ledger, first, second):
    a, b = ledger[first], ledger[second]
    with raw_ledger() as cursor:
        swap_seq(cursor, a, b)
    out, error = verify()
    assert error is not None
    assert error.returncode == 1
    problems = [line for line in out.splitlines() if "OK" not in line]
    a.seq, b.seq = b.seq, a.seq  # where they are now
    assert problems == [
        broken(tenancy.org, b, "out of order"),
        broken(tenancy.org, a, "out of order"),
    ]


def test_verify_detects_a_record_moved_to_the_end(tenancy, ledger):
    target = ledger[1]
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET seq = 6 WHERE id = %s", [target.pk])
    out, error = verify()
    problems = [line for line in out.splitlines() if "OK" not in line]
    target.seq = 6
    assert problems == [broken(tenancy.org, target, "out of order")]
    assert error is not None


def test_verify_reports_several_problems_at_once(tenancy, ledger):
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = 'joined' WHERE id = %s", [ledger[3].pk])
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [ledger[1].pk])
    out, error = verify()
    assert error is not None
    problems = [line for line in out.splitlines() if "OK" not in line]
    assert problems == [
        broken(tenancy.org, ledger[2], "missing before this record"),
        broken(tenancy.org, ledger[3], "edited"),
    ]


def test_verify_passes_on_the_demo_data(db):
    call_command("demo", stdout=StringIO())
    organisation = Organisation.objects.get()
    count = ConsentRecord.objects.filter(organisation=organisation).count()
    assert count > 5
    out, error = verify()
    assert error is None
    assert f"organisation {organisation.code}: OK, {count} records" in out


def test_verify_helper_matches_the_command(tenancy, ledger):
    check = chain.ledger_verify(tenancy.org)
    assert check.is_intact
    assert check.count == 5
    assert check.head_hash == ledger[-1].hash
