"""'What my organisation can see about me' shows what the admins' and editors' pages show."""

import csv
import html
import io
import re
from datetime import UTC

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from coro.analytics.rollups import rollup_run
from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.orgs import selectors as org_selectors
from coro.program.models import ConsentRecord
from coro.program.selectors import ledger_records
from coro.sharing.models import Click
from testing.factories import (
    ClickFactory,
    MembershipFactory,
    PostFactory,
    ShareFactory,
    TeamFactory,
)

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def page_url(org) -> str:
    return reverse("privacy:transparency", args=[org.code])


def get(client, url):
    response = client.get(url, **ENGLISH)
    assert response.status_code == 200, url
    return response.content.decode()


def text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def header_cells(page: str) -> list[str]:
    """The column headers of the first table on the page."""
    thead = re.search(r"<thead>(.*?)</thead>", page, re.S)
    assert thead
    return [text(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", thead.group(1), re.S)]


def member_cells(page: str, code: str) -> list[str]:
    row = re.search(rf'<tr data-member="{code}">(.*?)</tr>', page, re.S)
    assert row, f"no row for {code}"
    return [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def section(page: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}"[^>]*>(.*?)</section>', page, re.S)
    assert match, section_id
    return match.group(1)


_hashes = iter(range(1, 10_000))


def ledger_entry(membership, action=ConsentRecord.Action.JOINED) -> ConsentRecord:
    """A ledger record for the test; the real chain is the program's business."""
    organisation = membership.organisation
    last = ConsentRecord.objects.filter(organisation=organisation).order_by("-seq").first()
    number = next(_hashes)
    return ConsentRecord.objects.create(
        organisation=organisation,
        seq=(last.seq + 1) if last else 1,
        subject=membership.consent_ref,
        action=action,
        terms_version=1,
        terms_sha256=f"{number:064x}"[::-1],
        at=membership.created_at,
        channel=ConsentRecord.Channel.WEB,
        prev_hash=last.hash if last else "0" * 64,
        hash=f"{number:064x}",
    )


@pytest.fixture
def employee(tenancy):
    tenancy.employee.team = TeamFactory(organisation=tenancy.org, name="Producción")
    tenancy.employee.save()
    return tenancy.employee


# --- Who may see it -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "editor", "employee"])
def test_every_member_has_the_page(tenancy, who):
    member = getattr(tenancy, who)
    page = get(tenancy.client_for(member.user), page_url(tenancy.org))
    assert f"What {tenancy.org.name} can see about you" in page
    assert member.user.email in page


def test_outsider_gets_404(tenancy):
    client = tenancy.client_for(tenancy.outsider.user)
    assert client.get(page_url(tenancy.org)).status_code == 404
    assert client.post(reverse("privacy:recognition", args=[tenancy.org.code])).status_code == 404


def test_anonymous_is_sent_to_login(client, tenancy):
    response = client.get(page_url(tenancy.org))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- The People page row ------------------------------------------------------------------


def test_shows_the_people_row_about_the_person_only(tenancy, employee):
    page = get(tenancy.client_for(employee.user), page_url(tenancy.org))
    people = section(page, "people")
    assert member_cells(people, employee.code) == [
        employee.user.name,
        employee.user.email,
        "Employee",
        "Producción",
    ]
    for other in (tenancy.admin, tenancy.editor, tenancy.outsider):
        assert other.user.name not in page
        assert other.user.email not in page


def test_people_row_matches_the_admins_people_page(tenancy, employee):
    """Drift test: the cells admins see about the person are the cells the person sees."""
    people_page = get(tenancy.client_for(tenancy.admin.user), f"/o/{tenancy.org.code}/people/")
    own_page = get(tenancy.client_for(employee.user), page_url(tenancy.org))
    admin_cells = member_cells(people_page, employee.code)[:-1]  # last: the Edit link
    assert admin_cells == member_cells(section(own_page, "people"), employee.code)
    assert header_cells(people_page)[:-1] == header_cells(section(own_page, "people"))
    assert len(admin_cells) == len(org_selectors.PEOPLE_COLUMNS)


def test_a_new_people_column_shows_on_both_pages(tenancy, employee, monkeypatch):
    columns = (*org_selectors.PEOPLE_COLUMNS, ("code", "Member code"))
    monkeypatch.setattr(org_selectors, "PEOPLE_COLUMNS", columns)
    people_page = get(tenancy.client_for(tenancy.admin.user), f"/o/{tenancy.org.code}/people/")
    own_page = section(get(tenancy.client_for(employee.user), page_url(tenancy.org)), "people")
    assert header_cells(people_page)[-2] == "Member code"
    assert header_cells(own_page)[-1] == "Member code"
    assert member_cells(people_page, employee.code)[-2] == employee.code
    assert member_cells(own_page, employee.code)[-1] == employee.code


def test_every_visible_value_of_the_people_selector_is_shown(tenancy, employee):
    """Whatever members_of_organisation gives the People page about the person is on the page."""
    row = org_selectors.members_of_organisation(tenancy.org).get(pk=employee.pk)
    page = get(tenancy.client_for(employee.user), page_url(tenancy.org))
    for value in (row.user.name, row.user.email, row.get_role_display(), row.team.name):
        assert value in page


# --- The consent ledger -------------------------------------------------------------------


def _ledger_rows_as_admins_export_them(tenancy) -> list[dict[str, str]]:
    """The admins' CSV export when it exists, else the same fields from its selector."""
    try:
        url = reverse("program:ledger_csv", args=[tenancy.org.code])
    except NoReverseMatch:
        return [
            {
                "seq": str(r.seq),
                "subject": r.subject,
                "action": r.action,
                "terms_version": str(r.terms_version or ""),
                "terms_sha256": r.terms_sha256,
                "at": r.at.astimezone(UTC).isoformat(timespec="microseconds"),
                "channel": r.channel,
                "prev_hash": r.prev_hash,
                "hash": r.hash,
            }
            for r in ledger_records(tenancy.org)
        ]
    response = tenancy.client_for(tenancy.admin.user).get(url)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


CHOICES = {"action": ConsentRecord.Action, "channel": ConsentRecord.Channel}


def test_ledger_records_match_the_admins_export(tenancy, employee):
    """Drift test: every value the admins' ledger export holds about the person is shown."""
    ledger_entry(employee)
    ledger_entry(employee, ConsentRecord.Action.LEFT)
    ledger_entry(tenancy.editor)
    rows = [
        r
        for r in _ledger_rows_as_admins_export_them(tenancy)
        if r["subject"] == employee.consent_ref
    ]
    assert len(rows) == 2
    page = get(tenancy.client_for(employee.user), page_url(tenancy.org))
    ledger = section(page, "ledger")
    for row in rows:
        for field, value in row.items():
            if not value:
                continue
            shown = str(CHOICES[field](value).label) if field in CHOICES else value
            assert shown in ledger, (field, value)


def test_ledger_shows_only_the_persons_records(tenancy, employee):
    mine = ledger_entry(employee)
    theirs = ledger_entry(tenancy.editor)
    page = get(tenancy.client_for(employee.user), page_url(tenancy.org))
    ledger = section(page, "ledger")
    assert mine.hash in ledger
    assert employee.consent_ref in ledger
    assert theirs.hash not in page
    assert tenancy.editor.consent_ref not in page


def test_ledger_says_so_when_there_is_nothing(tenancy, employee):
    page = get(tenancy.client_for(employee.user), page_url(tenancy.org))
    assert "you have not joined the program" in section(page, "ledger")


# --- The audit trail ----------------------------------------------------------------------


def test_audit_entries_by_or_about_the_person_are_shown(tenancy, employee):
    audit_record(
        organisation=tenancy.org,
        actor=tenancy.admin,
        target=employee,
        action=AuditEntry.Action.ROLE_CHANGED,
        before={"role": "employee"},
        after={"role": "editor"},
        reason="Lleva las redes ahora",
    )
    audit_record(
        organisation=tenancy.org,
        actor=employee,
        action=AuditEntry.Action.PRIVACY_CHANGED,
        reason="Cambio hecho por la persona",
    )
    audit_record(
        organisation=tenancy.org,
        actor=tenancy.admin,
        target=tenancy.editor,
        action=AuditEntry.Action.ROLE_CHANGED,
        reason="Sobre otra persona",
    )
    audit = section(get(tenancy.client_for(employee.user), page_url(tenancy.org)), "audit")
    assert "Lleva las redes ahora" in audit
    assert "Cambio hecho por la persona" in audit
    assert "Sobre otra persona" not in audit
    assert tenancy.editor.user.name not in audit


def test_audit_rows_match_the_admins_audit_page(tenancy, employee):
    """Drift test: each row of the admins' audit trail about the person is on their page."""
    audit_record(
        organisation=tenancy.org,
        actor=tenancy.admin,
        target=employee,
        action=AuditEntry.Action.ROLE_CHANGED,
        before={"role": "employee", "team": None},
        after={"role": "editor", "team": "Producción"},
        reason="Reorganización",
    )
    admin_page = get(tenancy.client_for(tenancy.admin.user), f"/o/{tenancy.org.code}/audit/")
    own_page = section(get(tenancy.client_for(employee.user), page_url(tenancy.org)), "audit")
    rows = re.findall(r'<tr data-action="role_changed">(.*?)</tr>', admin_page, re.S)
    assert len(rows) == 1
    for cell in re.findall(r"<td[^>]*>(.*?)</td>", rows[0], re.S):
        assert text(cell) in text(own_page), text(cell)


# --- Disclosure and aggregates ------------------------------------------------------------


def test_disclosure_switched_off_is_shown_with_its_reason(tenancy, employee):
    tenancy.org.disclosure_enabled = False
    tenancy.org.disclosure_off_reason = "Solo compartimos ofertas de empleo."
    tenancy.org.save()
    page = get(tenancy.client_for(employee.user), page_url(tenancy.org))
    warning = section(page, "disclosure")
    assert "switched off" in warning
    assert "Solo compartimos ofertas de empleo." in warning
    # Prominent: before everything else the page shows.
    assert page.index('id="disclosure"') < page.index('id="people"')


def test_disclosure_switched_on_shows_no_warning(tenancy, employee):
    page = get(tenancy.client_for(employee.user), page_url(tenancy.org))
    assert 'id="disclosure"' not in page
    assert "you work at" in section(page, "disclosure-status")


def _stat(page: str, stat_id: str) -> str | None:
    match = re.search(rf'id="{stat_id}">([^<]*)<', page)
    return match.group(1) if match else None


def test_totals_are_the_editors_totals(tenancy, employee):
    post = PostFactory(organisation=tenancy.org)
    share = ShareFactory(post=post, membership=employee)
    ClickFactory.create_batch(3, share=share)
    ShareFactory(post=post, membership=tenancy.editor, network="linkedin")
    rollup_run()  # as the periodic job leaves them
    dashboard = get(tenancy.client_for(tenancy.editor.user), f"/o/{tenancy.org.code}/dashboard/")
    page = get(tenancy.client_for(employee.user), page_url(tenancy.org))
    figures = section(page, "totals")
    assert _stat(figures, "total-shares") == _stat(dashboard, "total-shares") == "2"
    assert _stat(figures, "total-clicks") == _stat(dashboard, "total-clicks") == "3"
    assert _stat(figures, "total-participants") == _stat(dashboard, "total-participants")
    assert _stat(figures, "total-posts") == _stat(dashboard, "total-posts") == "1"
    assert "counted in them without your name" in figures


def test_visits_are_read_from_the_rollups_not_the_raw_visits(tenancy, employee):
    """The raw visits are many (the page took seconds with ten million) and pruned after a
    while: the total comes from the rollups, as fresh as their last run."""
    share = ShareFactory(post=PostFactory(organisation=tenancy.org), membership=employee)
    ClickFactory.create_batch(3, share=share)
    ClickFactory(share=ShareFactory(post=PostFactory(organisation=tenancy.other_org)))
    client = tenancy.client_for(employee.user)
    assert _stat(section(get(client, page_url(tenancy.org)), "totals"), "total-clicks") == "0"
    rollup_run()
    assert _stat(section(get(client, page_url(tenancy.org)), "totals"), "total-clicks") == "3"
    Click.objects.all().delete()  # pruned: the total stays
    assert _stat(section(get(client, page_url(tenancy.org)), "totals"), "total-clicks") == "3"


def test_the_page_reads_no_raw_visit(tenancy, employee):
    share = ShareFactory(post=PostFactory(organisation=tenancy.org), membership=employee)
    ClickFactory.create_batch(2, share=share)
    rollup_run()
    client = tenancy.client_for(employee.user)
    with CaptureQueriesContext(connection) as queries:
        get(client, page_url(tenancy.org))
    raw = [q["sql"] for q in queries if Click._meta.db_table in q["sql"]]
    assert raw == []


def test_links_to_my_impact_where_it_says_what_nobody_sees(tenancy, employee):
    cannot = section(get(tenancy.client_for(employee.user), page_url(tenancy.org)), "cannot-see")
    assert f'href="{reverse("privacy:impact", args=[tenancy.org.code])}"' in cannot


def test_says_plainly_what_the_organisation_cannot_see(tenancy, employee):
    cannot = section(get(tenancy.client_for(employee.user), page_url(tenancy.org)), "cannot-see")
    assert "Whether you joined the program, shared anything, or left" in cannot
    assert "never shown to anyone else" in cannot
    assert "no numbers about any one person" in cannot


def test_the_page_links_to_the_persons_own_tools(tenancy, employee):
    page = get(tenancy.client_for(employee.user), page_url(tenancy.org))
    for name in ("me:data", "me:working_hours", "me:delete"):
        assert f'href="{reverse(name)}"' in page


# --- Recognition --------------------------------------------------------------------------


def recognition_url(org) -> str:
    return reverse("privacy:recognition", args=[org.code])


def test_recognition_is_off_by_default(tenancy, employee):
    assert employee.recognition_opt_in is False
    page = section(get(tenancy.client_for(employee.user), page_url(tenancy.org)), "recognition")
    assert "Your name does not appear in recognition." in page
    assert 'name="opt_in" value="1"' in page


def test_opting_in_and_out(tenancy, employee):
    client = tenancy.client_for(employee.user)
    response = client.post(recognition_url(tenancy.org), {"opt_in": "1"})
    assert response.status_code == 302
    assert response["Location"] == page_url(tenancy.org)
    employee.refresh_from_db()
    assert employee.recognition_opt_in is True
    page = section(get(client, page_url(tenancy.org)), "recognition")
    assert "Your name may appear in recognition." in page
    assert 'name="opt_in" value="0"' in page

    client.post(recognition_url(tenancy.org), {"opt_in": "0"})
    employee.refresh_from_db()
    assert employee.recognition_opt_in is False


def test_opting_in_twice_keeps_it_on(tenancy, employee):
    client = tenancy.client_for(employee.user)
    client.post(recognition_url(tenancy.org), {"opt_in": "1"})
    client.post(recognition_url(tenancy.org), {"opt_in": "1"})
    employee.refresh_from_db()
    assert employee.recognition_opt_in is True


@pytest.mark.parametrize("data", [{}, {"opt_in": "yes"}, {"opt_in": "2"}])
def test_recognition_needs_an_explicit_choice(tenancy, employee, data):
    response = tenancy.client_for(employee.user).post(recognition_url(tenancy.org), data)
    assert response.status_code == 400
    employee.refresh_from_db()
    assert employee.recognition_opt_in is False


def test_recognition_is_post_only(tenancy, employee):
    client = tenancy.client_for(employee.user)
    assert client.get(recognition_url(tenancy.org), {"opt_in": "1"}).status_code == 405
    employee.refresh_from_db()
    assert employee.recognition_opt_in is False


def test_recognition_is_per_organisation(tenancy, employee):
    elsewhere = MembershipFactory(organisation=tenancy.other_org, user=employee.user)
    tenancy.client_for(employee.user).post(recognition_url(tenancy.org), {"opt_in": "1"})
    elsewhere.refresh_from_db()
    assert elsewhere.recognition_opt_in is False
