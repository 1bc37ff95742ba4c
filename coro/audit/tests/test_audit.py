"""Issue point 9: the audit trail. Who, when, before and after; admins only; exportable;
never edited."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone, translation

from coro.audit.models import AppendOnlyError, AuditEntry
from coro.audit.selectors import audit_entries, audit_rows
from coro.audit.services import audit_record
from coro.orgs.models import Role
from coro.people import services as people_services
from coro.program import services as program_services
from coro.program.selectors import terms_current
from coro.program.services import program_join, program_leave
from testing.factories import MembershipFactory, PostFactory, ShareFactory, TeamFactory

Action = AuditEntry.Action


@pytest.fixture(autouse=True)
def english():
    """Rows carry translated labels ("a former member"); read them in English."""
    with translation.override("en"):
        yield


def log_url(org) -> str:
    return f"/o/{org.code}/audit/"


def csv_url(org) -> str:
    return f"/o/{org.code}/audit.csv"


def json_url(org) -> str:
    return f"/o/{org.code}/audit.json"


@pytest.fixture
def entry(tenancy):
    return audit_record(
        organisation=tenancy.org,
        actor=tenancy.admin,
        action=Action.PRIVACY_CHANGED,
        before={"min_group_size": 5},
        after={"min_group_size": 7},
    )


# --- Append-only --------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL only"
)
def test_postgresql_refuses_raw_update_and_delete(entry):
    """The trigger (django-pgtrigger, from the append-only base) stops raw SQL too."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
            cursor.execute(f"UPDATE {table} SET reason = 'x' WHERE id = %s", [entry.pk])
        with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.reason == ""


def test_an_entry_cannot_be_saved_again(entry):
    entry.reason = "rewritten history"
    with pytest.raises(AppendOnlyError):
        entry.save()
    entry.refresh_from_db()
    assert entry.reason == ""


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda qs: qs.update(reason="x"),
        lambda qs: qs.delete(),
        lambda qs: qs.filter(action=Action.PRIVACY_CHANGED).update(after={}),
        lambda qs: AuditEntry.objects.bulk_update(list(qs), ["reason"]),
    ],
    ids=["update", "delete", "filtered-update", "bulk-update"],
)
def test_querysets_cannot_change_or_remove_entries(entry, change):
    with pytest.raises(AppendOnlyError), transaction.atomic():
        change(AuditEntry.objects.all())
    entry.refresh_from_db()
    assert (entry.reason, entry.after) == ("", {"min_group_size": 7})


def test_a_new_instance_with_an_existing_pk_does_not_overwrite(tenancy, entry):
    forged = AuditEntry(
        pk=entry.pk, organisation=tenancy.org, action=Action.ROLE_CHANGED, reason="forged"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    entry.refresh_from_db()
    assert (entry.action, entry.reason) == (Action.PRIVACY_CHANGED, "")


def test_appending_still_works(tenancy, entry):
    audit_record(organisation=tenancy.org, actor=None, action=Action.DISCLOSURE_ENABLED)
    AuditEntry.objects.bulk_create(
        [AuditEntry(organisation=tenancy.org, action=Action.DISCLOSURE_CHANGED)]
    )
    assert audit_entries(tenancy.org).count() == 3


# --- Who may see it -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "employee"])
@pytest.mark.parametrize("url", [log_url, csv_url, json_url])
def test_only_admins_see_the_trail(tenancy, entry, who, url):
    client = tenancy.client_for(getattr(tenancy, who).user)
    assert client.get(url(tenancy.org)).status_code == 403


@pytest.mark.parametrize("url", [log_url, csv_url, json_url])
def test_another_organisations_admin_gets_404(tenancy, entry, url):
    assert tenancy.client_for(tenancy.outsider.user).get(url(tenancy.org)).status_code == 404


def test_the_trail_is_per_organisation(tenancy, entry):
    audit_record(
        organisation=tenancy.other_org,
        actor=tenancy.outsider,
        action=Action.DISCLOSURE_DISABLED,
        reason="Otra empresa, otra razón",
    )
    html = tenancy.client_for(tenancy.admin.user).get(log_url(tenancy.org)).content.decode()
    assert "Otra empresa, otra razón" not in html
    assert tenancy.outsider.user.name not in html
    assert [e.pk for e in audit_entries(tenancy.org)] == [entry.pk]


# --- What the page shows ------------------------------------------------------------------


def test_page_shows_who_when_what_before_after_and_reason(tenancy):
    audit_record(
        organisation=tenancy.org,
        actor=tenancy.admin,
        action=Action.DISCLOSURE_DISABLED,
        before={"disclosure_enabled": True},
        after={"disclosure_enabled": False},
        reason="Campaña institucional sin productos",
    )
    response = tenancy.client_for(tenancy.admin.user).get(
        log_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = response.content.decode()
    row = re.search(r'<tr data-action="disclosure_disabled">(.*?)</tr>', html, re.DOTALL).group(1)
    assert "Alicia Admin" in row
    assert "Disclosure switched off" in row
    assert "disclosure on: yes → no" in row
    assert "Campaña institucional sin productos" in row
    assert "<time datetime=" in row


def test_newest_first_and_paginated(tenancy):
    start = timezone.now() - timedelta(days=1)
    for minutes in range(55):
        AuditEntry.objects.create(
            organisation=tenancy.org,
            action=Action.PRIVACY_CHANGED,
            after={"min_group_size": minutes + 3},
            at=start + timedelta(minutes=minutes),
        )
    client = tenancy.client_for(tenancy.admin.user)
    first = client.get(log_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    sizes = [int(n) for n in re.findall(r"smallest group shown: — → (\d+)", first)]
    assert sizes == list(range(57, 7, -1))  # 50 on the first page, newest first
    second = client.get(log_url(tenancy.org) + "?page=2", HTTP_ACCEPT_LANGUAGE="en")
    sizes = [int(n) for n in re.findall(r"→ (\d+)", second.content.decode())]
    assert sizes == [7, 6, 5, 4, 3]


def test_actor_and_target_are_named_when_shown(tenancy):
    member = MembershipFactory(organisation=tenancy.org, user__name="Rosa Nueva")
    people_services.membership_update(
        membership=member, role=Role.EDITOR, team=None, actor=tenancy.admin
    )
    [row] = audit_rows(tenancy.org, audit_entries(tenancy.org))
    assert (row.actor, row.target) == ("Alicia Admin", "Rosa Nueva")
    entry = audit_entries(tenancy.org).get()
    assert (entry.actor_ref, entry.target_ref) == (tenancy.admin.code, member.code)


def test_a_person_who_is_gone_is_a_former_member(tenancy):
    member = MembershipFactory(organisation=tenancy.org, user__name="Rosa Nueva")
    people_services.membership_update(membership=member, role=Role.EDITOR, team=None, actor=member)
    member.user.delete()  # erasure removes the person; the entry stays, with no name
    [row] = audit_rows(tenancy.org, audit_entries(tenancy.org))
    assert row.actor == row.target == "a former member"
    html = tenancy.client_for(tenancy.admin.user).get(log_url(tenancy.org)).content.decode()
    assert "Rosa Nueva" not in html
    assert "Rosa Nueva" not in tenancy.client_for(tenancy.admin.user).get(
        json_url(tenancy.org)
    ).content.decode("utf-8")


def test_automatic_changes_have_no_person(tenancy):
    audit_record(organisation=tenancy.org, actor=None, action=Action.DISCLOSURE_ENABLED)
    [row] = audit_rows(tenancy.org, audit_entries(tenancy.org))
    assert row.actor == "Coro (automatic)"
    assert row.target == ""


def test_a_member_of_another_organisation_is_never_named(tenancy):
    """A code that belongs to another organisation's member is not looked up."""
    AuditEntry.objects.create(
        organisation=tenancy.org, actor_ref=tenancy.outsider.code, action=Action.ROLE_CHANGED
    )
    [row] = audit_rows(tenancy.org, audit_entries(tenancy.org))
    assert row.actor == "a former member"


def test_empty_trail_renders(tenancy):
    response = tenancy.client_for(tenancy.admin.user).get(log_url(tenancy.org))
    assert response.status_code == 200
    assert response.context["rows"] == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_page_renders_in_both_languages(tenancy, entry, language):
    response = tenancy.client_for(tenancy.admin.user).get(
        log_url(tenancy.org), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


# --- Exports ------------------------------------------------------------------------------


@pytest.fixture
def trail(tenancy):
    member = MembershipFactory(organisation=tenancy.org, user__name="Rosa Nueva")
    team = TeamFactory(organisation=tenancy.org, name="Ventas")
    people_services.membership_update(
        membership=member, role=Role.EMPLOYEE, team=team, actor=tenancy.admin
    )
    program_services.disclosure_disable(
        organisation=tenancy.org, actor=tenancy.admin, reason='=HYPERLINK("x") evento'
    )
    return member


def read_csv(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export(tenancy, trail):
    response = tenancy.client_for(tenancy.admin.user).get(
        csv_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        rf'attachment; filename="coro-audit-{tenancy.org.code}-\d{{4}}-\d\d-\d\d\.csv"',
        response["Content-Disposition"],
    )
    rows = read_csv(response)
    assert [r["action"] for r in rows] == ["disclosure_disabled", "role_changed"]
    off, role = rows
    assert (role["actor"], role["target"]) == ("Alicia Admin", "Rosa Nueva")
    assert json.loads(role["before"]) == {"role": "employee", "team": ""}
    assert json.loads(role["after"]) == {"role": "employee", "team": "Ventas"}
    assert role["action_label"] == "Role or team changed"
    # A reason that looks like a spreadsheet formula is exported as text.
    assert off["reason"] == '\'=HYPERLINK("x") evento'
    assert off["at"].startswith(str(timezone.now().year))


def test_json_export(tenancy, trail):
    response = tenancy.client_for(tenancy.admin.user).get(json_url(tenancy.org))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="coro-audit-')
    data = json.loads(response.content)
    assert data["organisation"] == "Cerámicas Prueba"
    off, role = data["entries"]
    assert off["action"] == "disclosure_disabled"
    assert off["reason"] == '=HYPERLINK("x") evento'  # JSON needs no spreadsheet guard
    assert off["before"] == {"disclosure_enabled": True, "disclosure_off_reason": ""}
    assert off["after"]["disclosure_enabled"] is False
    assert role["target"] == "Rosa Nueva"
    assert set(role) == {
        "at",
        "action",
        "action_label",
        "actor",
        "target",
        "before",
        "after",
        "reason",
    }


def test_exports_hold_the_whole_trail_not_a_page(tenancy):
    AuditEntry.objects.bulk_create(
        [AuditEntry(organisation=tenancy.org, action=Action.PRIVACY_CHANGED) for _ in range(60)]
    )
    client = tenancy.client_for(tenancy.admin.user)
    assert len(read_csv(client.get(csv_url(tenancy.org)))) == 60
    assert len(json.loads(client.get(json_url(tenancy.org)).content)["entries"]) == 60


# --- Participation never shows ------------------------------------------------------------

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")|("X-CSRFToken": ")[^"]+(")')
EXPORTED_AT = re.compile(r'"exported_at": "[^"]+"')


def comparable(response) -> str:
    text = response.content.decode("utf-8")
    return EXPORTED_AT.sub("", CSRF.sub(lambda m: "".join(g for g in m.groups() if g), text))


def test_trail_is_identical_before_and_after_people_join_share_and_leave(tenancy, trail):
    """The trail names people only as the author or the subject of a change it records:
    never because they joined, shared or left."""
    client = tenancy.client_for(tenancy.admin.user)
    urls = [log_url(tenancy.org), csv_url(tenancy.org), json_url(tenancy.org)]
    before = [comparable(client.get(url)) for url in urls]
    terms = terms_current(tenancy.org)
    for member in (trail, tenancy.editor, tenancy.employee):
        program_join(membership=member, terms=terms)
    ShareFactory(post=PostFactory(organisation=tenancy.org), membership=trail)
    program_leave(membership=tenancy.employee)
    after = [comparable(client.get(url)) for url in urls]
    assert after == before
    assert all("Rosa Nueva" in page for page in after)
