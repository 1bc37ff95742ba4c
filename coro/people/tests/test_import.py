"""Inviting people from a CSV file: preview every line, confirm, and never twice."""

import codecs
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from coro.orgs.models import Invitation, Role
from coro.people.csv_import import MAX_BYTES, payload_sign
from testing.factories import InvitationFactory, MembershipFactory, TeamFactory

TEAMS = ("Ventas", "Taller", "Almacén", "Oficina")


def import_url(org) -> str:
    return f"/o/{org.code}/people/import/"


def upload(client, org, content: bytes | str, name: str = "gente.csv", **extra):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(
        import_url(org), {"file": SimpleUploadedFile(name, data, "text/csv")}, **extra
    )


def payload_of(response) -> str:
    match = re.search(r'name="payload" value="([^"]+)"', response.content.decode())
    assert match, "the preview offers no confirmation"
    return match.group(1)


def confirm(client, org, payload: str, capture=None):
    url = import_url(org) + "confirm/"
    if capture is None:
        return client.post(url, {"payload": payload})
    with capture(execute=True):
        return client.post(url, {"payload": payload})


def statuses(response) -> list[str]:
    return [str(line.status) for line in response.context["lines"]]


@pytest.fixture
def teams(tenancy):
    return [TeamFactory(organisation=tenancy.org, name=name) for name in TEAMS]


def thirty_people(separator: str = ";") -> str:
    """30 people in 4 teams, as Spanish Excel writes them: semicolons, Spanish headers."""
    lines = [separator.join(["nombre", "correo", "equipo", "rol"])]
    for i in range(30):
        role = "editor" if i == 0 else ("administrador" if i == 1 else "empleado")
        lines.append(
            separator.join(
                [f"Persona Número {i}", f"persona{i}@azulejos.example", TEAMS[i % 4], role]
            )
        )
    return "\r\n".join(lines) + "\r\n"


# --- The done criterion: 30 people in 4 teams -----------------------------------------------


def test_thirty_people_in_four_teams_are_previewed_then_invited(
    tenancy, admin, teams, django_capture_on_commit_callbacks
):
    response = upload(admin, tenancy.org, thirty_people().encode("cp1252"))
    assert response.status_code == 200
    assert response.templates[0].name == "people/import_preview.html"
    summary = response.context["summary"]
    assert (summary.lines, summary.new, summary.skipped, summary.errors) == (30, 30, 0, 0)
    html = response.content.decode()
    assert "Persona Número 7" in html  # every line is listed, read as Windows-1252
    assert html.count('data-status="new"') == 30
    # Nothing is written before the confirmation.
    assert not Invitation.objects.exists()
    assert mail.outbox == []

    response = confirm(
        admin, tenancy.org, payload_of(response), capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert response["Location"] == f"/o/{tenancy.org.code}/people/"
    invitations = Invitation.objects.filter(organisation=tenancy.org)
    assert invitations.count() == 30
    by_team = {t.name: invitations.filter(team=t).count() for t in teams}
    assert by_team == {"Ventas": 8, "Taller": 8, "Almacén": 7, "Oficina": 7}
    assert invitations.get(email="persona0@azulejos.example").role == Role.EDITOR
    assert invitations.get(email="persona1@azulejos.example").role == Role.ADMIN
    assert invitations.filter(role=Role.EMPLOYEE).count() == 28
    assert set(invitations.values_list("invited_by", flat=True)) == {tenancy.admin.user.pk}
    # The e-mails went out as tasks, one per person, after the commit.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        invitations.values_list("email", flat=True)
    )

    page = admin.get(f"/o/{tenancy.org.code}/people/")
    assert "30 invitations sent." in page.content.decode()
    assert "persona29@azulejos.example" in page.content.decode()


def test_importing_the_same_file_again_changes_nothing(
    tenancy, admin, teams, django_capture_on_commit_callbacks
):
    first = upload(admin, tenancy.org, thirty_people())
    confirm(admin, tenancy.org, payload_of(first), capture=django_capture_on_commit_callbacks)
    assert Invitation.objects.count() == 30
    sent = len(mail.outbox)

    # The same preview confirmed again (a double click, the back button) ...
    response = confirm(
        admin, tenancy.org, payload_of(first), capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    # ... and the same file uploaded again.
    again = upload(admin, tenancy.org, thirty_people())
    summary = again.context["summary"]
    assert (summary.new, summary.skipped) == (0, 30)
    assert "There is nobody new to invite" in again.content.decode()
    assert 'name="payload"' not in again.content.decode()
    assert Invitation.objects.count() == 30
    assert len(mail.outbox) == sent


def test_members_are_skipped_and_new_lines_are_added(tenancy, admin, teams):
    member = MembershipFactory(organisation=tenancy.org, user__email="ya@azulejos.example")
    InvitationFactory(organisation=tenancy.org, email="invitada@azulejos.example")
    text = (
        "name,email\n"
        f"{member.user.name},YA@azulejos.example\n"
        "Invitada,invitada@azulejos.example\n"
        "Nueva,nueva@azulejos.example\n"
        f"Alicia,{tenancy.admin.user.email}\n"
    )
    response = upload(admin, tenancy.org, text)
    assert statuses(response) == ["member", "invited", "new", "member"]
    confirm(admin, tenancy.org, payload_of(response))
    assert set(Invitation.objects.values_list("email", flat=True)) == {
        "invitada@azulejos.example",
        "nueva@azulejos.example",
    }


def test_an_expired_invitation_is_replaced_by_a_new_one(tenancy, admin, teams):
    old = InvitationFactory(
        organisation=tenancy.org,
        email="tarde@azulejos.example",
        expires_at=timezone.now() - timedelta(days=1),
    )
    response = upload(admin, tenancy.org, "name,email,team\nTarde,tarde@azulejos.example,Taller\n")
    (line,) = response.context["lines"]
    assert str(line.status) == "new"
    assert "expired" in " ".join(line.notes)
    confirm(admin, tenancy.org, payload_of(response))
    invitation = Invitation.objects.get(email="tarde@azulejos.example")
    assert invitation.pk != old.pk
    assert not invitation.is_expired
    assert invitation.team.name == "Taller"


def test_a_deactivated_member_is_skipped_with_a_hint(tenancy, admin):
    MembershipFactory(
        organisation=tenancy.org, user__email="baja@azulejos.example", deactivated_at=timezone.now()
    )
    response = upload(admin, tenancy.org, "name,email\nBaja,baja@azulejos.example\n")
    (line,) = response.context["lines"]
    assert str(line.status) == "member"
    assert "reactivate" in " ".join(line.notes)


def test_another_organisations_people_do_not_count(tenancy, admin):
    InvitationFactory(organisation=tenancy.other_org, email="fuera@azulejos.example")
    text = f"name,email\nFuera,fuera@azulejos.example\nÓscar,{tenancy.outsider.user.email}\n"
    response = upload(admin, tenancy.org, text)
    assert statuses(response) == ["new", "new"]


# --- Each kind of bad line -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (",sinnombre@azulejos.example,,", "The name is missing."),
        ("Sin Correo,,,", "The e-mail address is missing."),
        ("Mal Correo,no-es-un-correo,,", "“no-es-un-correo” is not a valid e-mail address."),
        ("Mal Correo,ana@@azulejos.example,,", "is not a valid e-mail address."),
        ("Equipo Raro,raro@azulejos.example,Marketing,", "There is no team called “Marketing”"),
        ("Rol Raro,rol@azulejos.example,,jefe", "“jefe” is not a role."),
        ("N" * 151 + ",largo@azulejos.example,,", "The name is longer than 150 characters."),
    ],
    ids=["no-name", "no-email", "bad-email", "bad-email-2", "unknown-team", "unknown-role", "long"],
)
def test_each_bad_line_gets_its_error_and_is_left_out(tenancy, admin, teams, line, message):
    text = f"name,email,team,role\nBuena Persona,buena@azulejos.example,Ventas,\n{line}\n"
    response = upload(admin, tenancy.org, text)
    assert response.status_code == 200
    good, bad = response.context["lines"]
    assert str(good.status) == "new"
    assert str(bad.status) == "error"
    assert bad.row.line == 3
    assert any(message in error for error in bad.errors), bad.errors
    html = response.content.decode()
    assert "Send 1 invitation" in html
    confirm(admin, tenancy.org, payload_of(response))
    assert list(Invitation.objects.values_list("email", flat=True)) == ["buena@azulejos.example"]


def test_a_duplicate_within_the_file_points_to_the_first_line(tenancy, admin):
    text = "name,email\nAna,ana@azulejos.example\nOtra Ana,ANA@azulejos.example \n"
    response = upload(admin, tenancy.org, text)
    first, second = response.context["lines"]
    assert str(first.status) == "new"
    assert str(second.status) == "error"
    assert second.errors == ["This address is already on line 2."]
    confirm(admin, tenancy.org, payload_of(response))
    assert Invitation.objects.count() == 1


def test_a_line_can_have_several_errors(tenancy, admin):
    response = upload(admin, tenancy.org, "name,email,team,role\n,nada,Nadie,jefe\n")
    (line,) = response.context["lines"]
    assert len(line.errors) == 4
    assert "There is nobody new to invite" in response.content.decode()


def test_team_names_match_whatever_their_case_and_spacing(tenancy, admin, teams):
    response = upload(
        admin, tenancy.org, "nombre;correo;equipo\nPau;pau@azulejos.example;  almacén \n"
    )
    (line,) = response.context["lines"]
    assert line.team.name == "Almacén"


def test_another_organisations_team_is_unknown(tenancy, admin):
    TeamFactory(organisation=tenancy.other_org, name="Secreto")
    response = upload(admin, tenancy.org, "name,email,team\nPau,pau@azulejos.example,Secreto\n")
    (line,) = response.context["lines"]
    assert str(line.status) == "error"


# --- Files that cannot be read: a clear message, never a 500 --------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\x00\x01\x02\x03binary\xff\xfe\x00", "This is not a text file"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "spreadsheet workbook"),
        ("telefono,direccion\n600,Calle Mayor\n", "The first line must name the columns"),
        ("name,email\n", "lists nobody"),
        (b"x" * (MAX_BYTES + 10), "larger than 1 MB"),
    ],
    ids=["empty", "binary", "xlsx", "wrong-columns", "header-only", "too-big"],
)
def test_a_malformed_file_gets_a_clear_message(tenancy, admin, content, message):
    response = upload(admin, tenancy.org, content)
    assert response.status_code == 400
    assert response.templates[0].name == "people/import.html"
    assert message in " ".join(response.context["upload_form"].errors["file"])
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not Invitation.objects.exists()


def test_no_file_at_all_gets_a_clear_message(tenancy, admin):
    response = admin.post(import_url(tenancy.org), {})
    assert response.status_code == 400
    assert response.context["upload_form"].errors["file"] == ["Choose a CSV file to upload."]


@pytest.mark.parametrize("language", ["es", "ca", "en"])
def test_the_pages_render_in_every_language(tenancy, admin, teams, language):
    header = {"HTTP_ACCEPT_LANGUAGE": language}
    assert admin.get(import_url(tenancy.org), **header).status_code == 200
    response = upload(admin, tenancy.org, thirty_people(), **header)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
    bad = upload(admin, tenancy.org, b"", **header)
    assert bad.status_code == 400


# --- The confirmation trusts nothing the browser sends ---------------------------------------


def test_an_altered_payload_imports_nothing(tenancy, admin):
    response = upload(admin, tenancy.org, "name,email\nAna,ana@azulejos.example\n")
    payload = payload_of(response)
    response = confirm(admin, tenancy.org, payload[:-3] + "abc")
    assert response.status_code == 302
    assert response["Location"] == import_url(tenancy.org)
    assert not Invitation.objects.exists()
    page = admin.get(response["Location"])
    assert "This preview can't be used" in page.content.decode().replace("&#x27;", "'")


def test_a_preview_of_another_organisation_imports_nothing(tenancy):
    other_admin = tenancy.client_for(tenancy.outsider.user)
    response = upload(other_admin, tenancy.other_org, "name,email\nAna,ana@azulejos.example\n")
    payload = payload_of(response)
    # The admin of org replays it in org: refused, and nobody is invited anywhere.
    client = tenancy.client_for(tenancy.admin.user)
    confirm(client, tenancy.org, payload)
    assert not Invitation.objects.exists()


def test_the_confirmation_checks_again_against_the_organisation_as_it_is_now(tenancy, admin):
    team = TeamFactory(organisation=tenancy.org, name="Efímero")
    response = upload(admin, tenancy.org, "name,email,team\nAna,ana@azulejos.example,Efímero\n")
    assert response.context["summary"].new == 1
    team.delete()
    confirm(admin, tenancy.org, payload_of(response))
    assert not Invitation.objects.exists()


def test_a_signed_payload_can_carry_only_what_the_parser_accepts(tenancy, admin):
    payload = payload_sign(organisation_code=tenancy.org.code, text="not,a,list\n")
    response = confirm(admin, tenancy.org, payload)
    assert response["Location"] == import_url(tenancy.org)
    assert not Invitation.objects.exists()


# --- Who may import, and the sample ---------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "employee"])
def test_only_admins_import(tenancy, who):
    client = tenancy.client_for(getattr(tenancy, who).user)
    assert client.get(import_url(tenancy.org)).status_code == 403
    assert upload(client, tenancy.org, "name,email\nAna,ana@azulejos.example\n").status_code == 403
    admin_payload = payload_sign(
        organisation_code=tenancy.org.code, text="name,email\nAna,ana@azulejos.example\n"
    )
    assert confirm(client, tenancy.org, admin_payload).status_code == 403
    assert client.get(import_url(tenancy.org) + "sample.csv").status_code == 403
    assert not Invitation.objects.exists()


def test_confirm_is_post_only(tenancy, admin):
    assert admin.get(import_url(tenancy.org) + "confirm/").status_code == 405


@pytest.mark.parametrize(
    ("language", "header"),
    [
        ("en", "name,email,team,role"),
        ("es", "nombre;correo;equipo;rol"),
        ("ca", "nom;correu;equip;rol"),
    ],
)
def test_the_sample_file_imports_cleanly(
    tenancy, admin, teams, language, header, django_capture_on_commit_callbacks
):
    response = admin.get(import_url(tenancy.org) + "sample.csv", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    assert content.startswith(codecs.BOM_UTF8)
    assert content.decode("utf-8-sig").splitlines()[0] == header
    preview = upload(admin, tenancy.org, content)
    summary = preview.context["summary"]
    assert (summary.lines, summary.new, summary.errors) == (3, 3, 0)
    assert {line.team.name for line in preview.context["lines"]} <= set(TEAMS)


def test_the_sample_without_teams_leaves_the_team_blank(tenancy, admin):
    content = admin.get(import_url(tenancy.org) + "sample.csv", HTTP_ACCEPT_LANGUAGE="en").content
    preview = upload(admin, tenancy.org, content)
    assert preview.context["summary"].new == 3
    assert all(line.team is None for line in preview.context["lines"])


def test_the_people_page_links_to_the_import(tenancy, admin):
    html = admin.get(f"/o/{tenancy.org.code}/people/").content.decode()
    assert f'href="{import_url(tenancy.org)}"' in html
    page = admin.get(import_url(tenancy.org)).content.decode()
    assert f'href="{import_url(tenancy.org)}sample.csv"' in page
    assert 'enctype="multipart/form-data"' in page
