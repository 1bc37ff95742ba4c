"""The ledger as evidence: admins export the organisation's, everyone their own, in CSV and
JSON with the chain hashes, each record's format and the id of its key (never the key). The
terms page shows each person their own records, receipts and pseudonym, and nobody else's."""

import csv
import io
import json

import pytest
from django.conf import settings

from coro.program.models import ConsentRecord
from coro.program.tests.conftest import documented_hash

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


def url(org, name: str) -> str:
    return f"/o/{org.code}/program/{name}"


def read_csv(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == COLUMNS
    return list(reader)


def recompute(org_code: str, row: dict) -> str:
    """The hash, from an exported row and the key, following the documented rule."""
    return documented_hash(row, org_code)


# --- The organisation's ledger (admins) ---------------------------------------------------


def test_admin_csv_has_every_record_of_the_organisation(tenancy, ledger, admin_client):
    response = admin_client.get(url(tenancy.org, "ledger.csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="coro-consent-ledger-{tenancy.org.code}.csv"'
    )
    rows = read_csv(response)
    assert [int(r["seq"]) for r in rows] == [1, 2, 3, 4, 5]
    for row, record in zip(rows, ledger, strict=True):
        assert row["subject"] == record.subject
        assert row["action"] == record.action
        assert row["terms_version"] == str(record.terms_version)
        assert row["terms_sha256"] == record.terms_sha256
        assert row["channel"] == record.channel
        assert row["prev_hash"] == record.prev_hash
        assert row["hash"] == record.hash
        assert (row["format"], row["key_id"]) == ("2", "dev")
        assert row["at"].endswith("+00:00")
        assert len(row["at"].split(".")[1]) == len("123456+00:00")


def test_admin_export_can_be_checked_from_the_file_and_the_key(tenancy, ledger, admin_client):
    rows = read_csv(admin_client.get(url(tenancy.org, "ledger.csv")))
    previous = "0" * 64
    for row in rows:
        assert row["prev_hash"] == previous
        assert recompute(tenancy.org.code, row) == row["hash"]
        previous = row["hash"]


def test_admin_json(tenancy, ledger, admin_client):
    response = admin_client.get(url(tenancy.org, "ledger.json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["organisation"] == tenancy.org.code
    assert "HMAC-SHA256" in document["hash_rule"]
    assert "SHA-256" in document["hash_rule"]
    records = document["records"]
    assert [list(r) for r in records] == [COLUMNS] * 5
    assert [r["hash"] for r in records] == [r.hash for r in ledger]
    assert records[0]["terms_version"] == 1
    assert (records[0]["format"], records[0]["key_id"]) == (2, "dev")
    for row in records:
        assert recompute(document["organisation"], row) == row["hash"]


def test_admin_export_names_nobody(tenancy, ledger, admin_client):
    for name in ("ledger.csv", "ledger.json"):
        body = admin_client.get(url(tenancy.org, name)).content.decode()
        for member in (tenancy.admin, tenancy.editor, tenancy.employee):
            assert member.user.name not in body
            assert member.user.email not in body
            assert member.code not in body


def test_admin_export_holds_only_this_organisation(tenancy, ledger, admin_client):
    other = ConsentRecord.objects.filter(organisation=tenancy.other_org)
    for name in ("ledger.csv", "ledger.json"):
        body = admin_client.get(url(tenancy.org, name)).content.decode()
        for record in other:
            assert record.hash not in body
        assert tenancy.outsider.consent_ref not in body


def test_no_export_reveals_a_key(tenancy, ledger, admin_client, employee_client):
    secrets = list(settings.LEDGER_KEYS.values())
    pages = [admin_client.get(url(tenancy.org, n)) for n in ("ledger.csv", "ledger.json", "")]
    pages += [
        employee_client.get(url(tenancy.org, n))
        for n in ("my-ledger.csv", "my-ledger.json", "my-receipts.json", "")
    ]
    for response in pages:
        assert response.status_code == 200
        body = response.content.decode()
        assert not any(secret in body for secret in secrets)


@pytest.mark.parametrize("name", ["ledger.csv", "ledger.json"])
def test_the_organisations_ledger_is_for_admins(
    tenancy, ledger, editor_client, employee_client, name
):
    assert editor_client.get(url(tenancy.org, name)).status_code == 403
    assert employee_client.get(url(tenancy.org, name)).status_code == 403


# --- One's own records (everyone) ---------------------------------------------------------


def test_my_csv_has_only_my_records(tenancy, ledger, employee_client):
    response = employee_client.get(url(tenancy.org, "my-ledger.csv"))
    assert response.status_code == 200
    assert tenancy.employee.consent_ref in response["Content-Disposition"]
    rows = read_csv(response)
    assert [(r["seq"], r["action"], r["terms_version"]) for r in rows] == [
        ("1", "joined", "1"),
        ("3", "accepted", "2"),
    ]
    assert {r["subject"] for r in rows} == {tenancy.employee.consent_ref}
    for row in rows:
        assert recompute(tenancy.org.code, row) == row["hash"]


def test_my_json_has_only_my_records(tenancy, ledger, editor_client):
    document = json.loads(editor_client.get(url(tenancy.org, "my-ledger.json")).content)
    assert document["subject"] == tenancy.editor.consent_ref
    assert document["organisation"] == tenancy.org.code
    assert [(r["seq"], r["action"]) for r in document["records"]] == [(2, "joined"), (4, "left")]


def test_my_export_when_never_joined_is_empty(tenancy, ledger, client):
    from testing.factories import MembershipFactory

    newcomer = MembershipFactory(organisation=tenancy.org)
    client.force_login(newcomer.user)
    assert read_csv(client.get(url(tenancy.org, "my-ledger.csv"))) == []
    assert json.loads(client.get(url(tenancy.org, "my-ledger.json")).content)["records"] == []


def test_my_export_is_per_organisation(tenancy, ledger):
    """The same person in two organisations has two pseudonyms and two ledgers."""
    from coro.program import selectors, services
    from testing.factories import MembershipFactory

    there = MembershipFactory(organisation=tenancy.other_org, user=tenancy.employee.user)
    services.program_join(membership=there, terms=selectors.terms_current(tenancy.other_org))
    client = tenancy.client_for(tenancy.employee.user)
    here_rows = read_csv(client.get(url(tenancy.org, "my-ledger.csv")))
    there_rows = read_csv(client.get(url(tenancy.other_org, "my-ledger.csv")))
    assert {r["subject"] for r in here_rows} == {tenancy.employee.consent_ref}
    assert [r["subject"] for r in there_rows] == [there.consent_ref]
    assert there.consent_ref != tenancy.employee.consent_ref


# --- The terms page shows the person their own records ------------------------------------


def test_terms_page_shows_my_pseudonym_and_my_records_only(tenancy, ledger, employee_client):
    response = employee_client.get(url(tenancy.org, ""))
    html = response.content.decode()
    assert tenancy.employee.consent_ref in html
    assert tenancy.editor.consent_ref not in html
    assert tenancy.admin.consent_ref not in html
    assert [r.seq for r in response.context["my_records"]] == [1, 3]
    assert f'href="{url(tenancy.org, "my-ledger.csv")}"' in html
    assert f'href="{url(tenancy.org, "my-ledger.json")}"' in html
    assert f'href="{url(tenancy.org, "my-receipts.json")}"' in html
    for seq in (1, 3):
        assert f'href="{url(tenancy.org, "my-receipts.json")}?record={seq}"' in html
    assert f"?record={2}" not in html
    assert url(tenancy.org, "ledger.csv") not in html


def test_terms_page_offers_admins_the_organisations_ledger(tenancy, ledger, admin_client):
    html = admin_client.get(url(tenancy.org, "")).content.decode()
    assert f'href="{url(tenancy.org, "ledger.csv")}"' in html
    assert f'href="{url(tenancy.org, "ledger.json")}"' in html
    assert tenancy.admin.consent_ref in html  # their own
    assert tenancy.employee.consent_ref not in html


def test_manage_page_shows_the_chain_state(tenancy, ledger, admin_client):
    from coro.program.tests.conftest import TABLE, raw_ledger

    html = admin_client.get(url(tenancy.org, "manage/")).content.decode()
    assert ledger[-1].hash in html
    assert 'id="ledger-status">' in html and "intact" in html
    with raw_ledger() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET channel = 'api' WHERE id = %s", [ledger[0].pk])
    html = admin_client.get(url(tenancy.org, "manage/")).content.decode()
    assert '<strong id="ledger-status">' in html
    assert "coro ledger verify" in html
    for member in (tenancy.editor, tenancy.employee):
        assert member.consent_ref not in html


# --- Tenancy of the new routes (the URL walker in coro/tests lists them too) --------------

ROUTES = [
    "",
    "join/",
    "leave/",
    "manage/",
    "versions/1/",
    "ledger.csv",
    "ledger.json",
    "my-ledger.csv",
    "my-ledger.json",
    "my-receipts.json",
    "my-receipts.json?record=1",
]


@pytest.mark.parametrize("name", ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_get_404(tenancy, ledger, outsider_client, name, method):
    response = getattr(outsider_client, method)(url(tenancy.org, name))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ROUTES)
def test_anonymous_is_sent_to_login(client, tenancy, name):
    response = client.get(url(tenancy.org, name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "name",
    [
        "versions/1/",
        "ledger.csv",
        "ledger.json",
        "my-ledger.csv",
        "my-ledger.json",
        "my-receipts.json",
    ],
)
def test_read_only_routes_refuse_post(tenancy, admin_client, name):
    assert admin_client.post(url(tenancy.org, name)).status_code == 405
