"""Deactivating, reactivating and removing a member: what it does to them, their links, the
figures, and the rule that an organisation keeps an admin."""

import pytest
from django.utils import timezone, translation

from coro.analytics import services as analytics_services
from coro.analytics.selectors import release_group_sizes
from coro.audit.models import AuditEntry
from coro.audit.selectors import audit_entries, audit_rows
from coro.orgs.models import Membership, Role
from coro.orgs.services import LastAdminError, admin_would_be_missing
from coro.people import services
from coro.program import selectors as program_selectors
from coro.program.models import ConsentRecord
from coro.program.services import program_join
from coro.sharing.models import Click, Share
from testing.factories import MembershipFactory, PostFactory, ShareFactory, TeamFactory


def edit_url(member) -> str:
    return f"/o/{member.organisation.code}/people/{member.code}/"


@pytest.fixture
def enrolled_with_links(tenancy):
    """The employee takes part in the program and shared a post twice."""
    program_join(membership=tenancy.employee, terms=program_selectors.terms_current(tenancy.org))
    post = PostFactory(organisation=tenancy.org)
    return [ShareFactory(post=post, membership=tenancy.employee, network=n) for n in ("x", "email")]


def visit(client, share) -> None:
    response = client.get(f"/r/{share.code}", HTTP_USER_AGENT="Mozilla/5.0 Firefox/140")
    assert response.status_code == 302
    assert response["Location"].startswith(
        f"{share.post.link}?utm_source={share.network}&utm_medium=employee_advocacy"
    )


# --- Deactivating ---------------------------------------------------------------------------


def test_deactivating_takes_the_person_out_of_the_program_and_keeps_their_links_counting(
    tenancy, admin, enrolled_with_links, client
):
    response = admin.post(edit_url(tenancy.employee) + "deactivate/")
    assert response.status_code == 302
    assert response["Location"] == edit_url(tenancy.employee)

    tenancy.employee.refresh_from_db()
    assert tenancy.employee.deactivated_at is not None
    assert tenancy.employee.role == Role.EMPLOYEE  # everything else stays
    assert not program_selectors.is_enrolled(tenancy.employee)
    left = ConsentRecord.objects.get(action="left")
    assert left.subject == tenancy.employee.consent_ref
    # Their links are detached, keep working, and count visits anonymously.
    for share in enrolled_with_links:
        share.refresh_from_db()
        assert share.membership is None
        visit(client, share)
    assert Click.objects.count() == 2
    assert not Click.objects.filter(share__membership__isnull=False).exists()


def test_a_deactivated_member_gets_a_page_saying_so_on_every_organisation_page(tenancy, admin):
    admin.post(edit_url(tenancy.employee) + "deactivate/")
    client = tenancy.client_for(tenancy.employee.user)
    org = tenancy.org.code
    for path in ("", "program/", "me/", "people/", "posts/"):
        response = client.get(f"/o/{org}/{path}", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403, path
        html = response.content.decode()
        assert "Your access was deactivated" in html
        assert tenancy.org.name in html
        assert 'href="/me/data/"' in html
        # None of the organisation's pages or menus.
        assert f'href="/o/{org}/program/"' not in html
    # Nothing they post goes through either.
    response = client.post(f"/o/{org}/program/leave/")
    assert response.status_code == 403
    # Their own pages, outside the organisation, still work.
    assert client.get("/me/data/").status_code == 200


def test_a_deactivated_member_is_not_sent_back_to_the_organisation_from_home(tenancy, admin):
    second = MembershipFactory(user=tenancy.employee.user, organisation=tenancy.other_org)
    client = tenancy.client_for(tenancy.employee.user)
    client.get(f"/o/{tenancy.org.code}/")  # remembered as the last organisation
    admin.post(edit_url(tenancy.employee) + "deactivate/")
    assert client.get(f"/o/{tenancy.org.code}/").status_code == 403
    # Home no longer sends them to it: with two organisations, they get to choose.
    assert client.get("/")["Location"] == "/o/"
    assert client.get(f"/o/{second.organisation.code}/").status_code == 200


def test_deactivating_someone_not_in_the_program_records_nothing_in_the_ledger(tenancy, admin):
    admin.post(edit_url(tenancy.editor) + "deactivate/")
    tenancy.editor.refresh_from_db()
    assert tenancy.editor.deactivated_at is not None
    assert not ConsentRecord.objects.filter(action="left").exists()


def test_deactivating_is_audited_and_twice_changes_nothing(tenancy, admin):
    admin.post(edit_url(tenancy.employee) + "deactivate/")
    first = Membership.objects.get(pk=tenancy.employee.pk).deactivated_at
    admin.post(edit_url(tenancy.employee) + "deactivate/")
    assert Membership.objects.get(pk=tenancy.employee.pk).deactivated_at == first
    entry = AuditEntry.objects.get(action=AuditEntry.Action.MEMBER_DEACTIVATED)
    assert (entry.actor_ref, entry.target_ref) == (tenancy.admin.code, tenancy.employee.code)
    (row,) = audit_rows(tenancy.org, audit_entries(tenancy.org))
    assert (row.actor, row.target) == (tenancy.admin.user.name, tenancy.employee.user.name)


def test_a_deactivated_member_no_longer_counts_in_team_sizes(tenancy, admin):
    tenancy.org.min_group_size = 3
    tenancy.org.save()
    team = TeamFactory(organisation=tenancy.org, name="Taller")
    members = [MembershipFactory(organisation=tenancy.org, team=team) for _ in range(4)]
    key = f"t:{team.code}"

    def sizes() -> dict[str, int]:
        return {g.key: g.size for g in release_group_sizes(tenancy.org)}

    def sizes_for_the_year() -> dict[object, object]:
        groups = analytics_services._groups_for_the_year(tenancy.org)
        return analytics_services._group_sizes(tenancy.org, groups)

    assert sizes()[key] == 4
    assert sizes_for_the_year()[key] == 4
    admin.post(edit_url(members[0]) + "deactivate/")
    assert sizes()[key] == 3
    assert sizes_for_the_year()[key] == 3
    admin.post(edit_url(members[0]) + "reactivate/")
    assert sizes()[key] == 4


# --- Reactivating ---------------------------------------------------------------------------


def test_reactivating_gives_access_back_but_not_the_program(tenancy, admin, enrolled_with_links):
    admin.post(edit_url(tenancy.employee) + "deactivate/")
    response = admin.post(edit_url(tenancy.employee) + "reactivate/")
    assert response.status_code == 302
    tenancy.employee.refresh_from_db()
    assert tenancy.employee.deactivated_at is None
    assert not program_selectors.is_enrolled(tenancy.employee)  # joining is theirs to do
    client = tenancy.client_for(tenancy.employee.user)
    assert client.get(f"/o/{tenancy.org.code}/").status_code == 200
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["member_deactivated", "member_reactivated"]
    # Reactivating someone active records nothing.
    admin.post(edit_url(tenancy.employee) + "reactivate/")
    assert AuditEntry.objects.count() == 2


# --- Removing -------------------------------------------------------------------------------


def test_removing_deletes_the_membership_and_keeps_the_links_anonymous(
    tenancy, admin, enrolled_with_links, client
):
    name = tenancy.employee.user.name
    code = tenancy.employee.code
    response = admin.post(edit_url(tenancy.employee) + "remove/")
    assert response.status_code == 302
    assert response["Location"] == f"/o/{tenancy.org.code}/people/"

    assert not Membership.objects.filter(pk=tenancy.employee.pk).exists()
    tenancy.employee.user.refresh_from_db()  # the account stays
    assert ConsentRecord.objects.filter(action="left").count() == 1
    assert Share.objects.count() == 2
    assert not Share.objects.filter(membership__isnull=False).exists()
    for share in enrolled_with_links:
        visit(client, share)
    assert Click.objects.count() == 2

    entry = AuditEntry.objects.get(action=AuditEntry.Action.MEMBER_REMOVED)
    assert entry.target_ref == code
    assert entry.before == {"role": "employee", "team": ""}
    with translation.override("en"):
        (row,) = audit_rows(tenancy.org, audit_entries(tenancy.org))
    assert row.target == "a former member"
    page = admin.get(f"/o/{tenancy.org.code}/people/").content.decode()
    assert f"{name} is no longer a member" in page  # the message, once
    assert name not in admin.get(f"/o/{tenancy.org.code}/people/").content.decode()
    # They are now an outsider.
    person = tenancy.client_for(tenancy.employee.user)
    assert person.get(f"/o/{tenancy.org.code}/").status_code == 404


def test_removing_a_deactivated_member_works_too(tenancy, admin):
    admin.post(edit_url(tenancy.editor) + "deactivate/")
    admin.post(edit_url(tenancy.editor) + "remove/")
    assert not Membership.objects.filter(pk=tenancy.editor.pk).exists()


# --- The refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["deactivate", "remove"])
def test_the_last_admin_can_be_neither_deactivated_nor_removed(tenancy, action):
    second = MembershipFactory(organisation=tenancy.org, role=Role.ADMIN)
    client = tenancy.client_for(second.user)
    # While two admins remain, one may go ...
    assert client.post(edit_url(tenancy.admin) + f"{action}/").status_code == 302
    # ... but the one left cannot be taken away by anyone.
    with pytest.raises(LastAdminError):
        getattr(services, f"member_{action}")(membership=second, actor=None)
    second.refresh_from_db()
    assert second.deactivated_at is None


def test_the_page_says_why_the_last_admin_stays(tenancy):
    second = MembershipFactory(organisation=tenancy.org, role=Role.ADMIN)
    services.member_deactivate(membership=second, actor=tenancy.admin)
    third = MembershipFactory(organisation=tenancy.org, role=Role.ADMIN)
    client = tenancy.client_for(third.user)
    client.post(edit_url(tenancy.admin) + "deactivate/")  # fine: third stays
    response = client.post(edit_url(third) + "deactivate/")
    # Third deactivating themselves is refused as their own membership.
    assert response.status_code == 302
    third.refresh_from_db()
    assert third.deactivated_at is None
    with pytest.raises(LastAdminError):
        services.member_remove(membership=third, actor=None)


def test_a_deactivated_admin_does_not_count_as_the_remaining_admin(tenancy):
    second = MembershipFactory(organisation=tenancy.org, role=Role.ADMIN)
    services.member_deactivate(membership=second, actor=tenancy.admin)
    # The only active admin may not step down, leave, or be removed.
    assert admin_would_be_missing(membership=tenancy.admin, new_role=Role.EMPLOYEE)
    assert admin_would_be_missing(membership=tenancy.admin, new_role=None)
    with pytest.raises(LastAdminError):
        services.membership_update(
            membership=tenancy.admin, role=Role.EMPLOYEE, team=None, actor=tenancy.admin
        )
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(edit_url(tenancy.admin), {"role": "editor", "team": ""})
    assert response.status_code == 200
    assert "role" in response.context["form"].errors


@pytest.mark.parametrize("action", ["deactivate", "remove"])
def test_admins_do_not_deactivate_or_remove_themselves(tenancy, action):
    MembershipFactory(organisation=tenancy.org, role=Role.ADMIN)
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(edit_url(tenancy.admin) + f"{action}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == edit_url(tenancy.admin)
    assert Membership.objects.filter(pk=tenancy.admin.pk, deactivated_at__isnull=True).exists()
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You can&#x27;t" in page
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("action", ["deactivate", "reactivate", "remove"])
def test_only_admins_of_the_organisation_and_only_by_post(tenancy, action):
    url = edit_url(tenancy.employee) + f"{action}/"
    assert tenancy.client_for(tenancy.admin.user).get(url).status_code == 405
    for who in ("editor", "employee"):
        assert tenancy.client_for(getattr(tenancy, who).user).post(url).status_code == 403
    assert tenancy.client_for(tenancy.outsider.user).post(url).status_code == 404
    foreign = f"/o/{tenancy.org.code}/people/{tenancy.outsider.code}/{action}/"
    assert tenancy.client_for(tenancy.admin.user).post(foreign).status_code == 404
    tenancy.employee.refresh_from_db()
    tenancy.outsider.refresh_from_db()
    assert tenancy.employee.deactivated_at is None
    assert tenancy.outsider.deactivated_at is None
    assert not AuditEntry.objects.exists()


# --- The member page ------------------------------------------------------------------------


def test_the_member_page_offers_each_action_with_its_explanation(tenancy, admin):
    html = admin.get(edit_url(tenancy.employee), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'action="{edit_url(tenancy.employee)}deactivate/"' in html
    assert f'action="{edit_url(tenancy.employee)}remove/"' in html
    assert "the links they shared keep working and counting, without their name" in html
    assert "<details" in html  # the confirm button is behind a first click
    tenancy.employee.deactivated_at = timezone.now()
    tenancy.employee.save()
    html = admin.get(edit_url(tenancy.employee), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'action="{edit_url(tenancy.employee)}reactivate/"' in html
    assert "Access deactivated on" in html
    people = admin.get(f"/o/{tenancy.org.code}/people/", HTTP_ACCEPT_LANGUAGE="en")
    assert "deactivated" in people.content.decode()


def test_ones_own_page_offers_no_way_to_lock_oneself_out(tenancy, admin):
    html = admin.get(edit_url(tenancy.admin), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "deactivate/" not in html
    assert "remove/" not in html
