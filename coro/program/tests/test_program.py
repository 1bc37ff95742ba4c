"""Rule 1: voluntary, explicitly. Nobody is enrolled by default; joining needs an explicit
acceptance of the current terms; leaving is one click and takes effect at once; nobody can
see who joined."""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from coro.orgs.models import Role
from coro.program import selectors, services
from coro.program.models import Participation
from coro.program.tests.conftest import texts_of
from coro.sharing.models import Share
from testing.factories import MembershipFactory, PostFactory, TermsFactory


def enrolled(organisation) -> int:
    return Participation.objects.filter(
        membership__organisation=organisation, status=Participation.Status.ENROLLED
    ).count()


def feed_url(org) -> str:
    return f"/o/{org.code}/"


def terms_url(org) -> str:
    return f"/o/{org.code}/program/"


def join_url(org) -> str:
    return f"/o/{org.code}/program/join/"


def leave_url(org) -> str:
    return f"/o/{org.code}/program/leave/"


def share_url(post, network: str = "x") -> str:
    return f"/o/{post.organisation.code}/posts/{post.code}/share/{network}/"


def has_share_buttons(html: str) -> bool:
    return "data-network=" in html or "/share/" in html


def has_join_banner(html: str) -> bool:
    return 'class="banner"' in html


def message_levels(response) -> list[str]:
    return [m.level_tag for m in get_messages(response.wsgi_request)]


@pytest.fixture
def post(tenancy):
    return PostFactory(organisation=tenancy.org, title="Nueva colección Albufera")


@pytest.fixture
def employee_client(tenancy):
    return tenancy.client_for(tenancy.employee.user)


def join(client, org, version=1):
    return client.post(join_url(org), {"version": str(version), "accept": "1"})


# --- Nobody is enrolled by default --------------------------------------------------------


def test_a_new_membership_has_no_participation(tenancy):
    membership = MembershipFactory(organisation=tenancy.org)
    assert not Participation.objects.filter(membership=membership).exists()
    assert not selectors.is_enrolled(membership)
    assert Participation.objects.count() == 0


@pytest.mark.parametrize("who", ["admin", "editor", "employee"])
def test_feed_shows_the_join_banner_and_no_share_buttons_by_default(tenancy, post, who):
    response = tenancy.client_for(getattr(tenancy, who).user).get(feed_url(tenancy.org))
    assert response.status_code == 200
    html = response.content.decode()
    assert post.title in html
    assert has_join_banner(html)
    assert f'href="{terms_url(tenancy.org)}"' in html
    assert not has_share_buttons(html)
    assert 'id="leave-program"' not in html


def test_terms_page_shows_the_current_terms_and_an_unticked_accept_box(tenancy, employee_client):
    TermsFactory(organisation=tenancy.org, version=2, texts=texts_of(2))
    response = employee_client.get(terms_url(tenancy.org))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["terms"].version == 2
    assert 'name="version" value="2"' in html
    checkbox = re.search(r'<input type="checkbox"[^>]*name="accept"[^>]*>', html)
    assert checkbox is not None
    assert "checked" not in checkbox.group(0)


# --- Joining ------------------------------------------------------------------------------


def test_joining_with_the_box_and_the_current_version_enrols(tenancy, employee_client, post):
    response = join(employee_client, tenancy.org)
    assert response.status_code == 302
    assert response["Location"] == feed_url(tenancy.org)
    assert message_levels(response) == ["success"]

    participation = Participation.objects.get(membership=tenancy.employee)
    assert participation.status == Participation.Status.ENROLLED
    assert participation.terms == selectors.terms_current(tenancy.org)

    html = employee_client.get(feed_url(tenancy.org)).content.decode()
    assert not has_join_banner(html)
    assert has_share_buttons(html)
    assert f'href="{share_url(post)}"' in html
    assert 'id="leave-program"' in html


@pytest.mark.parametrize(
    "data",
    [
        {"version": "1"},
        {"accept": "1"},
        {},
        {"version": "", "accept": "1"},
        {"version": "one", "accept": "1"},
    ],
    ids=["no-accept", "no-version", "nothing", "empty-version", "bad-version"],
)
def test_joining_without_explicit_acceptance_does_not_enrol(tenancy, employee_client, data, post):
    response = employee_client.post(join_url(tenancy.org), data)
    assert response.status_code == 302
    assert response["Location"] == terms_url(tenancy.org)
    assert message_levels(response) == ["error"]
    assert not Participation.objects.exists()
    assert not has_share_buttons(employee_client.get(feed_url(tenancy.org)).content.decode())


def test_accepting_an_outdated_version_does_not_enrol(tenancy, employee_client):
    """The person read version 1, but version 2 was published meanwhile."""
    TermsFactory(organisation=tenancy.org, version=2)
    response = join(employee_client, tenancy.org, version=1)
    assert response["Location"] == terms_url(tenancy.org)
    assert not Participation.objects.exists()

    join(employee_client, tenancy.org, version=2)
    assert Participation.objects.get().terms.version == 2


def test_accepting_another_organisations_version_number_binds_only_own_terms(tenancy):
    TermsFactory(organisation=tenancy.other_org, version=5)
    client = tenancy.client_for(tenancy.employee.user)
    join(client, tenancy.org, version=5)
    assert not Participation.objects.exists()


def test_join_is_post_only(tenancy, employee_client):
    response = employee_client.get(join_url(tenancy.org) + "?version=1&accept=1")
    assert response.status_code == 405
    assert not Participation.objects.exists()


def test_join_is_csrf_protected(tenancy):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(tenancy.employee.user)
    response = client.post(join_url(tenancy.org), {"version": "1", "accept": "1"})
    assert response.status_code == 403
    assert not Participation.objects.exists()


def test_joining_twice_is_harmless(tenancy, employee_client):
    join(employee_client, tenancy.org)
    join(employee_client, tenancy.org)
    assert Participation.objects.filter(membership=tenancy.employee).count() == 1
    assert selectors.is_enrolled(tenancy.employee)


def test_joining_one_organisation_does_not_enrol_in_another(tenancy):
    from testing.factories import UserFactory

    person = UserFactory()
    here = MembershipFactory(user=person, organisation=tenancy.org)
    there = MembershipFactory(user=person, organisation=tenancy.other_org)
    services.program_join(membership=here, terms=selectors.terms_current(tenancy.org))
    assert selectors.is_enrolled(here)
    assert not selectors.is_enrolled(there)


def test_service_refuses_terms_of_another_organisation(tenancy):
    with pytest.raises(services.NoTermsError):
        services.program_join(
            membership=tenancy.employee, terms=selectors.terms_current(tenancy.other_org)
        )
    assert not Participation.objects.exists()


def test_organisation_without_terms_cannot_be_joined(db):
    from testing.factories import OrganisationFactory

    bare = OrganisationFactory()
    member = MembershipFactory(organisation=bare)
    client = Client()
    client.force_login(member.user)
    assert client.get(terms_url(bare)).status_code == 200
    assert join(client, bare).status_code == 404
    assert not Participation.objects.exists()


# --- Sharing needs enrolment --------------------------------------------------------------


def test_share_endpoint_sends_the_unenrolled_to_the_terms(tenancy, employee_client, post):
    response = employee_client.post(share_url(post))
    assert response.status_code == 302
    assert response["Location"] == terms_url(tenancy.org)
    assert Share.objects.count() == 0


def test_enrolled_member_can_share(tenancy, employee_client, post):
    join(employee_client, tenancy.org)
    response = employee_client.post(share_url(post))
    assert response.status_code == 302
    assert response["Location"] != terms_url(tenancy.org)
    assert Share.objects.filter(post=post, membership=tenancy.employee).count() == 1


# --- Leaving ------------------------------------------------------------------------------


def test_leaving_is_one_post_and_takes_effect_at_once(tenancy, employee_client, post):
    join(employee_client, tenancy.org)
    assert employee_client.post(share_url(post)).status_code == 302
    assert Share.objects.count() == 1

    response = employee_client.post(leave_url(tenancy.org))
    assert response.status_code == 302
    assert response["Location"] == feed_url(tenancy.org)
    assert message_levels(response)[-1] == "success"
    assert not selectors.is_enrolled(tenancy.employee)
    assert Participation.objects.get().status == Participation.Status.LEFT

    html = employee_client.get(feed_url(tenancy.org)).content.decode()
    assert has_join_banner(html)
    assert not has_share_buttons(html)

    response = employee_client.post(share_url(post, "linkedin"))
    assert response.status_code == 302
    assert response["Location"] == terms_url(tenancy.org)
    assert Share.objects.count() == 1  # nothing new


def test_leaving_keeps_past_shares_anonymously_and_the_membership(tenancy, employee_client, post):
    join(employee_client, tenancy.org)
    employee_client.post(share_url(post))
    employee_client.post(leave_url(tenancy.org))
    tenancy.employee.refresh_from_db()
    assert tenancy.employee.role == Role.EMPLOYEE
    assert Share.objects.filter(post=post).count() == 1
    assert Share.objects.filter(membership=tenancy.employee).count() == 0
    assert employee_client.get(feed_url(tenancy.org)).status_code == 200


def test_leaving_records_when(tenancy, employee_client):
    join(employee_client, tenancy.org)
    before = timezone.now()
    employee_client.post(leave_url(tenancy.org))
    assert Participation.objects.get().changed_at >= before


def test_leave_returns_to_a_local_next_only(tenancy, employee_client):
    join(employee_client, tenancy.org)
    response = employee_client.post(leave_url(tenancy.org), {"next": terms_url(tenancy.org)})
    assert response["Location"] == terms_url(tenancy.org)
    join(employee_client, tenancy.org)
    response = employee_client.post(leave_url(tenancy.org), {"next": "https://evil.example/"})
    assert response["Location"] == feed_url(tenancy.org)


def test_leave_is_post_only(tenancy, employee_client):
    join(employee_client, tenancy.org)
    assert employee_client.get(leave_url(tenancy.org)).status_code == 405
    assert selectors.is_enrolled(tenancy.employee)


def test_leaving_when_never_joined_is_harmless(tenancy, employee_client):
    response = employee_client.post(leave_url(tenancy.org))
    assert response.status_code == 302
    assert not Participation.objects.exists()


def test_one_can_join_again_after_leaving(tenancy, employee_client):
    join(employee_client, tenancy.org)
    employee_client.post(leave_url(tenancy.org))
    join(employee_client, tenancy.org)
    assert selectors.is_enrolled(tenancy.employee)
    assert Participation.objects.count() == 1


def test_leaving_affects_only_oneself(tenancy, employee_client):
    editor_client = tenancy.client_for(tenancy.editor.user)
    join(employee_client, tenancy.org)
    join(editor_client, tenancy.org)
    employee_client.post(leave_url(tenancy.org))
    assert selectors.is_enrolled(tenancy.editor)
    assert not selectors.is_enrolled(tenancy.employee)


def test_terms_page_offers_leaving_to_participants(tenancy, employee_client):
    join(employee_client, tenancy.org)
    html = employee_client.get(terms_url(tenancy.org)).content.decode()
    assert f'action="{leave_url(tenancy.org)}"' in html
    assert f'action="{join_url(tenancy.org)}"' not in html


# --- Nobody can see who joined ------------------------------------------------------------

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")|("X-CSRFToken": ")[^"]+(")')


def without_csrf(html: str) -> str:
    return CSRF.sub(lambda m: "".join(g for g in m.groups() if g), html)


PER_PERSON_WORDS = re.compile(
    r"enrolled|inscrit|participant|joined|se uni|in the program|en el programa|left|dej",
    re.IGNORECASE,
)
# The one aggregate label the dashboard may show, in both interface languages.
AGGREGATE_LABEL = re.compile(r"people in the program|personas en el programa")


@pytest.fixture
def crowd(tenancy):
    """A few more people: some will join, some will not."""
    return [
        MembershipFactory(organisation=tenancy.org, user__name=name)
        for name in ("Carmen Navarro", "Pablo Giménez", "Elena Martí", "Sergio Llorens")
    ]


def test_people_page_is_identical_before_and_after_members_join(tenancy, crowd):
    admin_client = tenancy.client_for(tenancy.admin.user)
    url = f"/o/{tenancy.org.code}/people/"
    before = admin_client.get(url)
    assert before.status_code == 200
    for member in (crowd[0], crowd[2], tenancy.employee):
        join(tenancy.client_for(member.user), tenancy.org)
    assert enrolled(tenancy.org) == 3
    after = admin_client.get(url)
    assert without_csrf(after.content.decode()) == without_csrf(before.content.decode())
    # And the page is not trivially identical: it does list the people.
    assert all(m.user.name in after.content.decode() for m in crowd)
    assert CSRF.search(before.content.decode())


def test_people_page_has_no_per_person_participation_words(tenancy, crowd):
    for member in crowd[:2]:
        join(tenancy.client_for(member.user), tenancy.org)
    html = tenancy.client_for(tenancy.admin.user).get(f"/o/{tenancy.org.code}/people/")
    tbody = re.search(r"<tbody>(.*?)</tbody>", html.content.decode(), re.DOTALL).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", tbody, re.DOTALL)
    assert len(rows) == 3 + len(crowd)
    for row in rows:
        cells = re.findall(r"<td>(.*?)</td>", row, re.DOTALL)
        assert len(cells) == 5  # name, e-mail, role, team, edit link: nothing more
        assert not PER_PERSON_WORDS.search(re.sub(r"<[^>]+>", " ", row)), row


def test_member_edit_page_is_identical_whether_the_member_joined_or_not(tenancy, crowd):
    admin_client = tenancy.client_for(tenancy.admin.user)
    url = f"/o/{tenancy.org.code}/people/{crowd[1].code}/"
    before = admin_client.get(url).content.decode()
    join(tenancy.client_for(crowd[1].user), tenancy.org)
    after = admin_client.get(url).content.decode()
    assert without_csrf(after) == without_csrf(before)


def test_dashboard_names_nobody(tenancy, crowd, post):
    joined = [crowd[0], crowd[3]]
    for member in joined:
        client = tenancy.client_for(member.user)
        join(client, tenancy.org)
        client.post(share_url(post))
    response = tenancy.client_for(tenancy.editor.user).get(f"/o/{tenancy.org.code}/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    others = [tenancy.admin, tenancy.employee, *crowd]
    for member in others:
        assert member.user.name not in html
        assert member.user.email not in html
        assert member.user.get_short_name() not in html
    main = html[html.index('<main id="main"') :]
    assert not PER_PERSON_WORDS.search(AGGREGATE_LABEL.sub("", re.sub(r"<[^>]+>", " ", main)))
    # It is the right page, with the aggregate only.
    assert 'id="total-shares">2<' in html


def test_joining_and_leaving_change_the_enrolment(tenancy, crowd):
    for member in crowd[:3]:
        services.program_join(membership=member, terms=selectors.terms_current(tenancy.org))
    assert enrolled(tenancy.org) == 3
    assert enrolled(tenancy.other_org) == 0
    services.program_leave(membership=crowd[0])
    assert enrolled(tenancy.org) == 2
