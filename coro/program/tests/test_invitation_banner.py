"""No standing invitation: a person who has not joined sees the invitation to the program on
the feed until they dismiss it, with one click, for good. It comes back only with a new
version of the terms, and never to someone who takes part."""

import copy
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coro.program import selectors, services
from coro.program.defaults import EXAMPLE_TEXTS
from coro.program.models import InvitationDismissal
from testing.factories import MembershipFactory, OrganisationFactory, PostFactory

BANNER = 'id="invitation-banner"'


def feed_url(org) -> str:
    return f"/o/{org.code}/"


def dismiss_url(org) -> str:
    return f"/o/{org.code}/program/invitation/dismiss/"


def banner_on_feed(client, org) -> bool:
    response = client.get(feed_url(org))
    assert response.status_code == 200
    return BANNER in response.content.decode()


def publish_new_version(tenancy):
    texts = copy.deepcopy(EXAMPLE_TEXTS)
    texts["en"]["offer"] += " Now with a newsletter."
    return services.terms_publish(organisation=tenancy.org, actor=tenancy.admin, texts=texts)


@pytest.fixture
def employee_client(tenancy):
    return tenancy.client_for(tenancy.employee.user)


@pytest.fixture
def enrolled(tenancy):
    services.program_join(membership=tenancy.employee, terms=selectors.terms_current(tenancy.org))
    return tenancy.employee


# --- Shown until dismissed ----------------------------------------------------------------


def test_shown_to_a_person_who_has_not_joined_on_every_feed_view(tenancy, employee_client):
    PostFactory.create_batch(12, organisation=tenancy.org)
    assert banner_on_feed(employee_client, tenancy.org)
    assert banner_on_feed(employee_client, tenancy.org)
    response = employee_client.get(feed_url(tenancy.org), {"page": 2})
    assert BANNER in response.content.decode()
    assert selectors.invitation_banner_shown(tenancy.employee)


def test_the_banner_offers_a_real_button_in_a_form(tenancy, employee_client):
    html = employee_client.get(feed_url(tenancy.org), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    url = dismiss_url(tenancy.org)
    assert f'<form method="post" action="{url}" hx-post="{url}"' in html
    assert 'hx-target="#invitation-banner" hx-swap="outerHTML"' in html
    assert '<button type="submit"' in html
    assert "Don't show this again" in unescape(html)
    assert "It comes back only if the program's terms change." in unescape(html)


def test_one_plain_post_dismisses_it_for_good(tenancy, employee_client):
    response = employee_client.post(dismiss_url(tenancy.org))
    assert response.status_code == 302
    assert response["Location"] == feed_url(tenancy.org)
    dismissal = InvitationDismissal.objects.get()
    assert (dismissal.membership, dismissal.terms_version) == (tenancy.employee, 1)
    assert not banner_on_feed(employee_client, tenancy.org)
    assert not banner_on_feed(employee_client, tenancy.org)


def test_with_htmx_the_answer_is_empty_so_the_banner_goes_in_place(tenancy, employee_client):
    response = employee_client.post(dismiss_url(tenancy.org), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content == b""
    assert not banner_on_feed(employee_client, tenancy.org)


def test_without_javascript_it_goes_back_to_the_same_page_of_the_feed(tenancy, employee_client):
    back = f"{feed_url(tenancy.org)}?page=2"
    response = employee_client.post(dismiss_url(tenancy.org), {"next": back})
    assert response["Location"] == back


def test_it_never_sends_the_person_to_another_site(tenancy, employee_client):
    response = employee_client.post(dismiss_url(tenancy.org), {"next": "https://evil.example/"})
    assert response["Location"] == feed_url(tenancy.org)


def test_dismissing_is_each_persons_own(tenancy, employee_client):
    employee_client.post(dismiss_url(tenancy.org))
    assert banner_on_feed(tenancy.client_for(tenancy.editor.user), tenancy.org)


def test_dismissing_twice_keeps_one_row(tenancy, employee_client):
    employee_client.post(dismiss_url(tenancy.org))
    employee_client.post(dismiss_url(tenancy.org))
    assert InvitationDismissal.objects.count() == 1


# --- A new version of the terms -----------------------------------------------------------


def test_it_comes_back_with_a_new_version_of_the_terms(tenancy, employee_client):
    employee_client.post(dismiss_url(tenancy.org))
    publish_new_version(tenancy)
    assert banner_on_feed(employee_client, tenancy.org)


def test_dismissing_again_under_the_new_version_updates_the_record(tenancy, employee_client):
    employee_client.post(dismiss_url(tenancy.org))
    first = InvitationDismissal.objects.get()
    publish_new_version(tenancy)
    employee_client.post(dismiss_url(tenancy.org))
    again = InvitationDismissal.objects.get()
    assert (again.pk, again.terms_version) == (first.pk, 2)
    assert again.dismissed_at >= first.dismissed_at
    assert not banner_on_feed(employee_client, tenancy.org)


# --- People who take part, and people who left --------------------------------------------


def test_never_shown_to_an_enrolled_person(tenancy, enrolled, employee_client):
    assert not banner_on_feed(employee_client, tenancy.org)
    assert not selectors.invitation_banner_shown(enrolled)
    publish_new_version(tenancy)  # pending review is the other banner's business
    assert not banner_on_feed(employee_client, tenancy.org)


def test_shown_after_leaving_when_never_dismissed(tenancy, enrolled, employee_client):
    services.program_leave(membership=enrolled)
    assert banner_on_feed(employee_client, tenancy.org)


def test_not_shown_after_leaving_when_dismissed_under_the_current_version(tenancy, employee_client):
    employee_client.post(dismiss_url(tenancy.org))
    services.program_join(membership=tenancy.employee, terms=selectors.terms_current(tenancy.org))
    services.program_leave(membership=tenancy.employee)
    assert not banner_on_feed(employee_client, tenancy.org)


# --- No terms, other organisations, wrong method ------------------------------------------


def test_no_banner_and_nothing_recorded_without_published_terms(tenancy):
    membership = MembershipFactory(organisation=OrganisationFactory())
    client = tenancy.client_for(membership.user)
    assert not banner_on_feed(client, membership.organisation)
    assert services.invitation_dismiss(membership=membership) is None
    response = client.post(dismiss_url(membership.organisation))
    assert response.status_code == 302
    assert not InvitationDismissal.objects.exists()


def test_outsider_gets_404_and_records_nothing(tenancy):
    client = tenancy.client_for(tenancy.outsider.user)
    assert client.post(dismiss_url(tenancy.org)).status_code == 404
    assert not InvitationDismissal.objects.exists()


def test_get_is_not_allowed(tenancy, employee_client):
    assert employee_client.get(dismiss_url(tenancy.org)).status_code == 405
    assert not InvitationDismissal.objects.exists()


# --- Cost ---------------------------------------------------------------------------------


def feed_queries(client, org) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(feed_url(org)).status_code == 200
    return len(queries)


def test_the_banner_costs_no_query_per_post(tenancy, employee_client):
    PostFactory(organisation=tenancy.org)
    feed_queries(employee_client, tenancy.org)  # the first visit also notes the session
    one_post = feed_queries(employee_client, tenancy.org)
    PostFactory.create_batch(5, organisation=tenancy.org)
    assert feed_queries(employee_client, tenancy.org) == one_post


def test_the_selector_asks_the_database_once(tenancy, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert selectors.invitation_banner_shown(tenancy.employee)
