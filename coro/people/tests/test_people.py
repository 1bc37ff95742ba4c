"""The people pages (admins only), teams, member roles, and the organisation door."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.test import Client, RequestFactory

from coro.orgs.access import org_view
from coro.orgs.models import Membership, Role, Team
from coro.people import services as people_services
from coro.people.forms import InvitationForm, MembershipForm
from testing.factories import MembershipFactory, TeamFactory, UserFactory


def people_url(org) -> str:
    return f"/o/{org.code}/people/"


def edit_url(member) -> str:
    return f"/o/{member.organisation.code}/people/{member.code}/"


# --- Who may reach the people pages -------------------------------------------------------


def test_admin_sees_the_people_page(tenancy):
    response = tenancy.client_for(tenancy.admin.user).get(people_url(tenancy.org))
    assert response.status_code == 200
    html = response.content.decode()
    for member in (tenancy.admin, tenancy.editor, tenancy.employee):
        assert member.user.name in html
        assert edit_url(member) in html
    assert tenancy.outsider.user.name not in html


@pytest.mark.parametrize("who", ["editor", "employee"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "people/"),
        ("post", "people/invite/"),
        ("post", "people/teams/"),
        ("get", "people/{member}/"),
        ("post", "people/{member}/"),
    ],
)
def test_editor_and_employee_get_403_on_people_pages(tenancy, who, method, path):
    client = tenancy.client_for(getattr(tenancy, who).user)
    url = f"/o/{tenancy.org.code}/" + path.format(member=tenancy.employee.code)
    data = {"name": "Equipo X", "email": "x@example.com", "role": "admin", "team": ""}
    response = getattr(client, method)(url, data) if method == "post" else client.get(url)
    assert response.status_code == 403
    assert not Team.objects.filter(name="Equipo X").exists()
    tenancy.employee.refresh_from_db()
    assert tenancy.employee.role == Role.EMPLOYEE


def test_admin_of_another_organisation_gets_404_on_people_pages(tenancy):
    client = tenancy.client_for(tenancy.outsider.user)
    assert client.get(people_url(tenancy.org)).status_code == 404
    assert client.get(edit_url(tenancy.employee)).status_code == 404
    response = client.post(edit_url(tenancy.employee), {"role": "admin", "team": ""})
    assert response.status_code == 404
    tenancy.employee.refresh_from_db()
    assert tenancy.employee.role == Role.EMPLOYEE


def test_menu_shows_people_link_only_to_admins(tenancy):
    link = f'href="{people_url(tenancy.org)}"'
    feed = f"/o/{tenancy.org.code}/"
    assert link in tenancy.client_for(tenancy.admin.user).get(feed).content.decode()
    assert link not in tenancy.client_for(tenancy.editor.user).get(feed).content.decode()
    assert link not in tenancy.client_for(tenancy.employee.user).get(feed).content.decode()


# --- Editing a member ---------------------------------------------------------------------


def test_member_edit_changes_role_and_team(tenancy):
    team = TeamFactory(organisation=tenancy.org, name="Producción")
    client = tenancy.client_for(tenancy.admin.user)
    page = client.get(edit_url(tenancy.employee))
    assert page.status_code == 200
    assert tenancy.employee.user.email in page.content.decode()

    response = client.post(edit_url(tenancy.employee), {"role": "editor", "team": team.pk})
    assert response.status_code == 302
    assert response["Location"] == people_url(tenancy.org)
    tenancy.employee.refresh_from_db()
    assert tenancy.employee.role == Role.EDITOR
    assert tenancy.employee.team == team

    response = client.post(edit_url(tenancy.employee), {"role": "employee", "team": ""})
    tenancy.employee.refresh_from_db()
    assert (tenancy.employee.role, tenancy.employee.team) == (Role.EMPLOYEE, None)


def test_member_edit_refuses_an_unknown_role(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(edit_url(tenancy.employee), {"role": "owner", "team": ""})
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    tenancy.employee.refresh_from_db()
    assert tenancy.employee.role == Role.EMPLOYEE


def test_cannot_demote_the_last_admin(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    for role in ("editor", "employee"):
        response = client.post(edit_url(tenancy.admin), {"role": role, "team": ""})
        assert response.status_code == 200
        assert "role" in response.context["form"].errors
        tenancy.admin.refresh_from_db()
        assert tenancy.admin.role == Role.ADMIN


def test_last_admin_may_still_change_their_own_team(tenancy):
    team = TeamFactory(organisation=tenancy.org)
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(edit_url(tenancy.admin), {"role": "admin", "team": team.pk})
    assert response.status_code == 302
    tenancy.admin.refresh_from_db()
    assert tenancy.admin.team == team


def test_an_admin_can_be_demoted_when_another_admin_remains(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    client.post(edit_url(tenancy.editor), {"role": "admin", "team": ""})
    response = client.post(edit_url(tenancy.admin), {"role": "employee", "team": ""})
    assert response.status_code == 302
    tenancy.admin.refresh_from_db()
    assert tenancy.admin.role == Role.EMPLOYEE
    # And the demoted admin has lost the people pages at once.
    assert client.get(people_url(tenancy.org)).status_code == 403


def test_admins_of_another_organisation_do_not_count_as_remaining_admins(tenancy):
    MembershipFactory(organisation=tenancy.other_org, role=Role.ADMIN)
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(edit_url(tenancy.admin), {"role": "employee", "team": ""})
    assert response.status_code == 200
    tenancy.admin.refresh_from_db()
    assert tenancy.admin.role == Role.ADMIN


def test_member_edit_refuses_another_organisations_team(tenancy):
    foreign = TeamFactory(organisation=tenancy.other_org, name="Ajeno")
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(edit_url(tenancy.employee), {"role": "employee", "team": foreign.pk})
    assert response.status_code == 200
    assert "team" in response.context["form"].errors
    tenancy.employee.refresh_from_db()
    assert tenancy.employee.team is None


def test_member_of_another_organisation_cannot_be_edited(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    url = f"/o/{tenancy.org.code}/people/{tenancy.outsider.code}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"role": "employee", "team": ""}).status_code == 404
    tenancy.outsider.refresh_from_db()
    assert tenancy.outsider.role == Role.ADMIN


def test_membership_update_service_refuses_a_foreign_team(tenancy):
    foreign = TeamFactory(organisation=tenancy.other_org)
    with pytest.raises(ValueError):
        people_services.membership_update(
            membership=tenancy.employee, role=Role.EMPLOYEE, team=foreign, actor=tenancy.admin
        )
    tenancy.employee.refresh_from_db()
    assert tenancy.employee.team is None


# --- Teams --------------------------------------------------------------------------------


def test_admin_creates_a_team(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(f"/o/{tenancy.org.code}/people/teams/", {"name": "  Ventas  "})
    assert response.status_code == 302
    team = Team.objects.get()
    assert (team.organisation, team.name) == (tenancy.org, "Ventas")
    assert "Ventas" in client.get(people_url(tenancy.org)).content.decode()


@pytest.mark.parametrize("second_name", ["Ventas", "ventas", " VENTAS "])
def test_team_names_are_unique_per_organisation(tenancy, second_name):
    client = tenancy.client_for(tenancy.admin.user)
    client.post(f"/o/{tenancy.org.code}/people/teams/", {"name": "Ventas"})
    response = client.post(f"/o/{tenancy.org.code}/people/teams/", {"name": second_name})
    assert response.status_code == 400
    assert "name" in response.context["team_form"].errors
    assert Team.objects.filter(organisation=tenancy.org).count() == 1


def test_same_team_name_is_fine_in_another_organisation(tenancy):
    TeamFactory(organisation=tenancy.other_org, name="Ventas")
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(f"/o/{tenancy.org.code}/people/teams/", {"name": "Ventas"})
    assert response.status_code == 302
    assert Team.objects.filter(name="Ventas").count() == 2


def test_empty_team_name_is_refused(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(f"/o/{tenancy.org.code}/people/teams/", {"name": "   "})
    assert response.status_code == 400
    assert Team.objects.count() == 0


def test_database_also_refuses_duplicate_team_names(tenancy):
    TeamFactory(organisation=tenancy.org, name="Ventas")
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(organisation=tenancy.org, name="Ventas")


def test_team_choices_never_include_another_organisations_teams(tenancy):
    own = TeamFactory(organisation=tenancy.org, name="Nuestro equipo")
    foreign = TeamFactory(organisation=tenancy.other_org, name="Equipo secreto ajeno")
    invitation_choices = list(InvitationForm(organisation=tenancy.org).fields["team"].queryset)
    member_choices = list(MembershipForm(instance=tenancy.employee).fields["team"].queryset)
    assert invitation_choices == [own]
    assert member_choices == [own]

    client = tenancy.client_for(tenancy.admin.user)
    for url in (people_url(tenancy.org), edit_url(tenancy.employee)):
        html = client.get(url).content.decode()
        assert own.name in html
        assert foreign.name not in html
        assert f'value="{foreign.pk}"' not in html


# --- The organisation door: org_view ------------------------------------------------------


@org_view(Role.EDITOR)
def editors_only(request, membership, **kwargs):
    return HttpResponse(f"{membership.pk}:{kwargs}")


def make_request(user, path="/o/x/thing/"):
    request = RequestFactory().get(path)
    request.user = user
    request.session = {}
    return request


def test_org_view_sends_anonymous_to_login(tenancy):
    response = editors_only(make_request(AnonymousUser()), org_code=tenancy.org.code)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_org_view_hides_the_organisation_from_outsiders(tenancy):
    with pytest.raises(Http404):
        editors_only(make_request(tenancy.outsider.user), org_code=tenancy.org.code)


def test_org_view_hides_unknown_organisations(tenancy):
    with pytest.raises(Http404):
        editors_only(make_request(tenancy.admin.user), org_code="doesnotexist")


def test_org_view_refuses_a_role_too_low(tenancy):
    with pytest.raises(PermissionDenied):
        editors_only(make_request(tenancy.employee.user), org_code=tenancy.org.code)


@pytest.mark.parametrize("who", ["editor", "admin"])
def test_org_view_passes_the_membership_and_remembers_the_organisation(tenancy, who):
    membership = getattr(tenancy, who)
    request = make_request(membership.user)
    response = editors_only(request, org_code=tenancy.org.code, code="abc")
    assert response.content.decode() == f"{membership.pk}:{{'code': 'abc'}}"
    assert request.coro_membership == membership
    assert request.session["org_code"] == tenancy.org.code


def test_org_view_is_marked_for_the_route_audit():
    assert editors_only.org_scoped is True


def test_org_view_default_role_admits_employees(tenancy):
    @org_view()
    def anyone(request, membership):
        return HttpResponse(membership.role)

    response = anyone(make_request(tenancy.employee.user), org_code=tenancy.org.code)
    assert response.content == b"employee"


def test_roles_rank_admin_over_editor_over_employee(tenancy):
    assert tenancy.admin.has_role(Role.EDITOR) and tenancy.admin.has_role(Role.EMPLOYEE)
    assert tenancy.editor.has_role(Role.EMPLOYEE) and not tenancy.editor.has_role(Role.ADMIN)
    assert not tenancy.employee.has_role(Role.EDITOR)


def test_org_view_through_real_urls(tenancy, client):
    feed = f"/o/{tenancy.org.code}/"
    response = client.get(feed)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={feed}"
    assert tenancy.client_for(tenancy.outsider.user).get(feed).status_code == 404
    assert tenancy.client_for(tenancy.employee.user).get(feed).status_code == 200
    posts = f"/o/{tenancy.org.code}/posts/"
    assert tenancy.client_for(tenancy.employee.user).get(posts).status_code == 403
    assert tenancy.client_for(tenancy.editor.user).get(posts).status_code == 200


# --- A person in two organisations --------------------------------------------------------


@pytest.fixture
def two_orgs_person(tenancy):
    person = UserFactory(name="Rosa Vidal")
    first = MembershipFactory(user=person, organisation=tenancy.org)
    second = MembershipFactory(user=person, organisation=tenancy.other_org, role=Role.EDITOR)
    client = Client()
    client.force_login(person)
    return client, first, second


def test_person_in_two_organisations_sees_both_feeds(two_orgs_person):
    client, first, second = two_orgs_person
    for membership, other in ((first, second), (second, first)):
        response = client.get(f"/o/{membership.organisation.code}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert f"<h1>{membership.organisation.name}</h1>" in html
        # The switcher in the menu offers the other one.
        assert f'href="/o/{other.organisation.code}/"' in html


def test_home_redirects_to_the_last_organisation_visited(two_orgs_person):
    client, first, second = two_orgs_person
    client.get(f"/o/{second.organisation.code}/")
    assert client.get("/")["Location"] == f"/o/{second.organisation.code}/"
    client.get(f"/o/{first.organisation.code}/program/")
    assert client.get("/")["Location"] == f"/o/{first.organisation.code}/"


def test_home_without_a_last_visit_offers_the_choice(two_orgs_person):
    client, first, second = two_orgs_person
    assert client.get("/")["Location"] == "/o/"
    response = client.get("/o/")
    assert response.status_code == 200
    html = response.content.decode()
    assert first.organisation.name in html
    assert second.organisation.name in html


def test_home_ignores_a_remembered_organisation_one_has_left(two_orgs_person):
    client, first, second = two_orgs_person
    client.get(f"/o/{second.organisation.code}/")
    second.delete()
    assert client.get("/")["Location"] == f"/o/{first.organisation.code}/"


def test_person_in_one_organisation_goes_straight_to_its_feed(tenancy):
    client = tenancy.client_for(tenancy.employee.user)
    assert client.get("/")["Location"] == f"/o/{tenancy.org.code}/"
    assert client.get("/o/")["Location"] == f"/o/{tenancy.org.code}/"


def test_roles_are_per_organisation(two_orgs_person):
    client, first, second = two_orgs_person
    assert client.get(f"/o/{first.organisation.code}/posts/").status_code == 403
    assert client.get(f"/o/{second.organisation.code}/posts/").status_code == 200


def test_one_membership_per_person_and_organisation(tenancy):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(organisation=tenancy.org, user=tenancy.employee.user)
