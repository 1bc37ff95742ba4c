"""Issue points 6 and 9: the disclosure and the privacy threshold, and the audit trail of
every change to them and to roles."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from coro.audit.models import AuditEntry
from coro.audit.selectors import audit_entries
from coro.orgs import disclosure
from coro.orgs.disclosure import disclosure_default, disclosure_text
from coro.orgs.models import Organisation, Role
from coro.people import services as people_services
from coro.program import services
from testing.factories import MembershipFactory, TeamFactory

Action = AuditEntry.Action


def url(org, path: str = "") -> str:
    return f"/o/{org.code}/settings/{path}"


def entries(org) -> list[AuditEntry]:
    return list(audit_entries(org).order_by("at", "pk"))


def fresh(org) -> Organisation:
    return Organisation.objects.get(pk=org.pk)


# --- The disclosure text ------------------------------------------------------------------


def test_default_disclosure_names_the_organisation(tenancy):
    assert disclosure_text(tenancy.org, "en") == "I work at Cerámicas Prueba"
    assert disclosure_default("en") == "I work at {organisation}"


def test_default_is_translated_into_the_sharers_language(tenancy, monkeypatch):
    """The default goes through gettext in the language asked for, whatever is active."""
    wordings = {"es": "Trabajo en {organisation}", "en": "I work at {organisation}"}
    monkeypatch.setattr(disclosure, "gettext", lambda message: wordings[translation.get_language()])
    with translation.override("en"):
        assert disclosure_text(tenancy.org, "es") == "Trabajo en Cerámicas Prueba"
    with translation.override("es"):
        assert disclosure_text(tenancy.org, "en") == "I work at Cerámicas Prueba"
    assert disclosure_text(tenancy.org, "en-gb") == "I work at Cerámicas Prueba"


def test_own_wording_per_language_with_placeholder(tenancy):
    tenancy.org.disclosure = {
        "es": "Soy parte de {organisation} 🙂",
        "en": "  Proud to work at Cerámicas Prueba  ",
    }
    assert disclosure_text(tenancy.org, "es") == "Soy parte de Cerámicas Prueba 🙂"
    assert disclosure_text(tenancy.org, "en") == "Proud to work at Cerámicas Prueba"


def test_blank_wording_in_one_language_falls_back_to_the_default(tenancy):
    tenancy.org.disclosure = {"es": "Trabajo en {organisation}"}
    assert disclosure_text(tenancy.org, "en") == "I work at Cerámicas Prueba"


def test_switched_off_means_no_disclosure(tenancy):
    tenancy.org.disclosure_enabled = False
    assert disclosure_text(tenancy.org, "es") is None
    assert disclosure_text(tenancy.org, "en") is None


# --- Who may change what ------------------------------------------------------------------


def test_employees_cannot_open_the_settings(tenancy):
    client = tenancy.client_for(tenancy.employee.user)
    assert client.get(url(tenancy.org)).status_code == 403
    response = client.post(url(tenancy.org, "disclosure/"), {"disclosure_es": "{organisation}"})
    assert response.status_code == 403
    assert fresh(tenancy.org).disclosure == {}


@pytest.mark.parametrize("who", ["admin", "editor"])
def test_editors_and_admins_see_the_settings(tenancy, who):
    response = tenancy.client_for(getattr(tenancy, who).user).get(
        url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<q lang="en">I work at Cerámicas Prueba</q>' in html
    assert f'action="{url(tenancy.org, "disclosure/")}"' in html
    admin_only = [
        f'action="{url(tenancy.org, "disclosure/off/")}"',
        f'action="{url(tenancy.org, "privacy/")}"',
    ]
    assert all((form in html) == (who == "admin") for form in admin_only)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("disclosure/off/", {"reason": "Porque sí"}),
        ("disclosure/on/", {}),
        ("privacy/", {"min_group_size": "9"}),
    ],
)
def test_editors_cannot_switch_off_or_change_privacy(tenancy, path, data):
    tenancy.org.disclosure_enabled = False
    tenancy.org.save()
    client = tenancy.client_for(tenancy.editor.user)
    assert client.post(url(tenancy.org, path), data).status_code == 403
    org = fresh(tenancy.org)
    assert (org.disclosure_enabled, org.min_group_size) == (False, 5)
    assert entries(tenancy.org) == []


@pytest.mark.parametrize("path", ["disclosure/", "disclosure/off/", "disclosure/on/", "privacy/"])
def test_settings_actions_are_post_only(tenancy, path):
    assert tenancy.client_for(tenancy.admin.user).get(url(tenancy.org, path)).status_code == 405


# --- Rewording ----------------------------------------------------------------------------


def test_editor_rewords_the_disclosure_and_it_is_recorded(tenancy):
    client = tenancy.client_for(tenancy.editor.user)
    data = {"disclosure_es": " Trabajo en {organisation} ", "disclosure_en": ""}
    response = client.post(url(tenancy.org, "disclosure/"), data)
    assert response.status_code == 302
    assert response["Location"] == url(tenancy.org)
    assert fresh(tenancy.org).disclosure == {"es": "Trabajo en {organisation}"}
    [entry] = entries(tenancy.org)
    assert entry.action == Action.DISCLOSURE_CHANGED
    assert entry.actor_ref == tenancy.editor.code
    assert entry.before == {"disclosure": {}}
    assert entry.after == {"disclosure": {"es": "Trabajo en {organisation}"}}


def test_every_language_has_its_own_wording(tenancy):
    client = tenancy.client_for(tenancy.editor.user)
    data = {
        "disclosure_es": "Trabajo en {organisation}",
        "disclosure_ca": "Treballo a {organisation}",
        "disclosure_en": "",
    }
    assert client.post(url(tenancy.org, "disclosure/"), data).status_code == 302
    org = fresh(tenancy.org)
    assert org.disclosure == {"es": "Trabajo en {organisation}", "ca": "Treballo a {organisation}"}
    assert disclosure_text(org, "ca") == "Treballo a Cerámicas Prueba"
    assert disclosure_text(org, "ca-ES") == "Treballo a Cerámicas Prueba"
    page = client.get(url(tenancy.org)).content.decode()
    assert "Treballo a Cerámicas Prueba" in page


def test_saving_the_same_wording_records_nothing(tenancy):
    client = tenancy.client_for(tenancy.editor.user)
    client.post(url(tenancy.org, "disclosure/"), {"disclosure_es": "", "disclosure_en": ""})
    assert entries(tenancy.org) == []


@pytest.mark.parametrize(
    "wording",
    ["🙂", "Opinions are my own", "x" * 121],
    ids=["emoji", "no-employer", "too-long"],
)
def test_rewording_must_still_say_where_you_work(tenancy, wording):
    client = tenancy.client_for(tenancy.editor.user)
    response = client.post(
        url(tenancy.org, "disclosure/"), {"disclosure_es": wording, "disclosure_en": ""}
    )
    assert response.status_code == 400
    assert "disclosure_es" in response.context["disclosure_form"].errors
    assert fresh(tenancy.org).disclosure == {}
    assert entries(tenancy.org) == []


def test_the_organisations_name_counts_as_saying_where_you_work(tenancy):
    client = tenancy.client_for(tenancy.editor.user)
    data = {"disclosure_es": "", "disclosure_en": "Working at cerámicas prueba, views mine"}
    assert client.post(url(tenancy.org, "disclosure/"), data).status_code == 302


# --- Switching off and on -----------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_switching_off_needs_a_reason(tenancy, reason):
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(url(tenancy.org, "disclosure/off/"), {"reason": reason})
    assert response.status_code == 400
    assert "reason" in response.context["off_form"].errors
    assert fresh(tenancy.org).disclosure_enabled
    assert entries(tenancy.org) == []


def test_the_service_refuses_a_blank_reason_too(tenancy):
    with pytest.raises(ValidationError):
        services.disclosure_disable(organisation=tenancy.org, actor=tenancy.admin, reason=" ")
    assert fresh(tenancy.org).disclosure_enabled


def test_admin_switches_off_with_a_reason_and_back_on(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    reason = "Campaña de empleo: no recomendamos productos."
    assert client.post(url(tenancy.org, "disclosure/off/"), {"reason": reason}).status_code == 302
    org = fresh(tenancy.org)
    assert (org.disclosure_enabled, org.disclosure_off_reason) == (False, reason)
    html = client.get(url(tenancy.org)).content.decode()
    assert reason in html
    assert f'action="{url(tenancy.org, "disclosure/on/")}"' in html

    assert client.post(url(tenancy.org, "disclosure/on/")).status_code == 302
    org = fresh(tenancy.org)
    assert (org.disclosure_enabled, org.disclosure_off_reason) == (True, "")

    off, on = entries(tenancy.org)
    assert (off.action, off.actor_ref, off.reason) == (
        Action.DISCLOSURE_DISABLED,
        tenancy.admin.code,
        reason,
    )
    assert off.before == {"disclosure_enabled": True, "disclosure_off_reason": ""}
    assert off.after == {"disclosure_enabled": False, "disclosure_off_reason": reason}
    assert on.action == Action.DISCLOSURE_ENABLED
    assert on.after == {"disclosure_enabled": True, "disclosure_off_reason": ""}


def test_switching_on_what_is_on_records_nothing(tenancy):
    tenancy.client_for(tenancy.admin.user).post(url(tenancy.org, "disclosure/on/"))
    assert entries(tenancy.org) == []


# --- Privacy threshold --------------------------------------------------------------------


@pytest.mark.parametrize("size", ["2", "0", "-5", "tres", ""])
def test_minimum_group_size_is_never_below_the_floor(tenancy, size):
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(url(tenancy.org, "privacy/"), {"min_group_size": size})
    assert response.status_code == 400
    assert "min_group_size" in response.context["privacy_form"].errors
    assert fresh(tenancy.org).min_group_size == 5
    assert entries(tenancy.org) == []


def test_the_model_refuses_a_size_below_the_floor_too(tenancy):
    with pytest.raises(ValidationError):
        services.privacy_update(organisation=tenancy.org, actor=tenancy.admin, min_group_size=2)


def test_admin_changes_the_minimum_group_size_and_it_is_recorded(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    assert client.post(url(tenancy.org, "privacy/"), {"min_group_size": "3"}).status_code == 302
    assert fresh(tenancy.org).min_group_size == 3
    [entry] = entries(tenancy.org)
    assert (entry.action, entry.before, entry.after) == (
        Action.PRIVACY_CHANGED,
        {"min_group_size": 5},
        {"min_group_size": 3},
    )


def test_before_is_read_from_the_database_not_a_stale_object(tenancy):
    stale = Organisation.objects.get(pk=tenancy.org.pk)
    services.privacy_update(organisation=tenancy.org, actor=tenancy.admin, min_group_size=8)
    services.privacy_update(organisation=stale, actor=tenancy.admin, min_group_size=6)
    assert [e.before for e in entries(tenancy.org)] == [
        {"min_group_size": 5},
        {"min_group_size": 8},
    ]


# --- Roles and teams ----------------------------------------------------------------------


def test_changing_a_role_is_recorded_with_before_and_after(tenancy):
    team = TeamFactory(organisation=tenancy.org, name="Taller")
    client = tenancy.client_for(tenancy.admin.user)
    member_url = f"/o/{tenancy.org.code}/people/{tenancy.employee.code}/"
    response = client.post(member_url, {"role": "editor", "team": team.pk})
    assert response.status_code == 302
    [entry] = entries(tenancy.org)
    assert entry.action == Action.ROLE_CHANGED
    assert (entry.actor_ref, entry.target_ref) == (tenancy.admin.code, tenancy.employee.code)
    assert entry.before == {"role": "employee", "team": ""}
    assert entry.after == {"role": "editor", "team": "Taller"}


def test_saving_a_member_unchanged_records_nothing(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    member_url = f"/o/{tenancy.org.code}/people/{tenancy.employee.code}/"
    client.post(member_url, {"role": "employee", "team": ""})
    assert entries(tenancy.org) == []


def test_refused_last_admin_demotion_records_nothing(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    client.post(f"/o/{tenancy.org.code}/people/{tenancy.admin.code}/", {"role": "employee"})
    assert entries(tenancy.org) == []


def test_the_service_records_a_team_change(tenancy):
    sales, workshop = TeamFactory.create_batch(2, organisation=tenancy.org)
    member = MembershipFactory(organisation=tenancy.org, team=sales)
    people_services.membership_update(
        membership=member, role=Role.EMPLOYEE, team=workshop, actor=tenancy.admin
    )
    [entry] = entries(tenancy.org)
    assert entry.before == {"role": "employee", "team": sales.name}
    assert entry.after == {"role": "employee", "team": workshop.name}


# --- Both languages -----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["es", "ca", "en"])
def test_settings_page_renders_in_every_language(tenancy, language):
    tenancy.org.disclosure_enabled = False
    tenancy.org.disclosure_off_reason = "Motivo"
    tenancy.org.save()
    for who in (tenancy.admin, tenancy.editor):
        response = tenancy.client_for(who.user).get(url(tenancy.org), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.content.decode()
