"""A new organisation's program is closed: the admin gets the example terms as a draft to
rewrite, employees see that the program is not open yet, and nobody can join until an admin
publishes a version."""

from dataclasses import dataclass

import pytest
from django.test import Client

from coro.orgs.models import Membership, Organisation, Role
from coro.program.defaults import EXAMPLE_TEXTS
from coro.program.models import Participation, Terms
from testing.factories import MembershipFactory, OrganisationFactory

BANNER = "This is an example: rewrite it in your own words before publishing."


@dataclass
class NewOrganisation:
    org: Organisation
    admin: Membership
    employee: Membership

    def client(self, membership: Membership) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(membership.user)
        return client


@pytest.fixture
def new(db) -> NewOrganisation:
    org = OrganisationFactory(name="Recién Creada")
    return NewOrganisation(
        org=org,
        admin=MembershipFactory(organisation=org, role=Role.ADMIN),
        employee=MembershipFactory(organisation=org, role=Role.EMPLOYEE),
    )


def test_the_admin_gets_the_example_in_every_language_marked_as_an_example(new):
    response = new.client(new.admin).get(f"/o/{new.org.code}/program/manage/")
    assert response.status_code == 200
    html = response.content.decode()
    assert BANNER in html
    form = response.context["form"]
    for language, parts in EXAMPLE_TEXTS.items():
        for part, text in parts.items():
            assert form[f"{part}_{language}"].value() == text
    assert "Publish as version 1" in html


def test_once_a_version_is_published_the_form_holds_it_and_no_banner(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    response = client.get(f"/o/{tenancy.org.code}/program/manage/", HTTP_ACCEPT_LANGUAGE="en")
    assert BANNER not in response.content.decode()


def test_the_banner_stays_when_the_draft_comes_back_with_errors(new):
    client = new.client(new.admin)
    response = client.post(f"/o/{new.org.code}/program/manage/", {"offer_en": "Only one part"})
    assert response.status_code == 200
    assert BANNER in response.content.decode()
    assert not Terms.objects.filter(organisation=new.org).exists()


@pytest.mark.parametrize("who", ["employee", "admin"])
def test_the_program_page_says_the_program_is_not_open_and_offers_no_join(new, who):
    response = new.client(getattr(new, who)).get(f"/o/{new.org.code}/program/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="program-not-open"' in html
    assert "The program is not open yet." in html
    assert "/program/join/" not in html
    assert (f'href="/o/{new.org.code}/program/manage/"' in html) == (who == "admin")


@pytest.mark.parametrize("who", ["employee", "admin"])
def test_the_feed_says_the_program_is_not_open(new, who):
    response = new.client(getattr(new, who)).get(f"/o/{new.org.code}/")
    html = response.content.decode()
    assert "The advocacy program is not open yet." in html
    assert 'id="invitation-banner"' not in html
    assert ("It opens when you publish its terms." in html) == (who == "admin")


def test_nobody_can_join_before_the_terms_are_published(new):
    response = new.client(new.employee).post(
        f"/o/{new.org.code}/program/join/", {"version": "1", "accept": "1"}
    )
    assert response.status_code == 404
    assert not Participation.objects.exists()


def test_publishing_the_first_version_opens_the_program(new):
    admin = new.client(new.admin)
    data = {f"{part}_en": f"Our own words: {part}." for part in ("offer", "commitment")} | {
        "confirm": "on"
    }
    response = admin.post(f"/o/{new.org.code}/program/manage/", data)
    assert response.status_code == 302
    assert Terms.objects.get(organisation=new.org).version == 1

    employee = new.client(new.employee)
    feed = employee.get(f"/o/{new.org.code}/").content.decode()
    assert "not open yet" not in feed
    assert 'id="invitation-banner"' in feed
    page = employee.get(f"/o/{new.org.code}/program/").content.decode()
    assert "not open yet" not in page
    assert "/program/join/" in page
    joined = employee.post(f"/o/{new.org.code}/program/join/", {"version": "1", "accept": "1"})
    assert joined.status_code == 302
    assert Participation.objects.get().membership == new.employee
