"""An organisation with people in it always keeps an admin: one rule, for every path."""

import threading

import pytest
from django.db import connection

from coro.orgs.models import Membership, Role
from coro.orgs.services import LastAdminError, admin_would_be_missing
from coro.people import services
from testing.factories import MembershipFactory, OrganisationFactory


def test_demoting_the_only_admin_is_refused(tenancy):
    with pytest.raises(LastAdminError):
        services.membership_update(
            membership=tenancy.admin, role=Role.EDITOR, team=None, actor=tenancy.admin
        )
    tenancy.admin.refresh_from_db()
    assert tenancy.admin.role == Role.ADMIN


def test_an_admin_with_a_fellow_admin_may_step_down(tenancy):
    MembershipFactory(organisation=tenancy.org, role=Role.ADMIN)
    services.membership_update(
        membership=tenancy.admin, role=Role.EMPLOYEE, team=None, actor=tenancy.admin
    )
    tenancy.admin.refresh_from_db()
    assert tenancy.admin.role == Role.EMPLOYEE


def test_the_rule_covers_removal_and_the_last_person(tenancy, db):
    assert admin_would_be_missing(membership=tenancy.admin, new_role=None)
    assert not admin_would_be_missing(membership=tenancy.editor, new_role=None)
    assert not admin_would_be_missing(membership=tenancy.admin, new_role=Role.ADMIN)
    alone = MembershipFactory(organisation=OrganisationFactory(), role=Role.ADMIN)
    # The only person may go (nobody is left without an admin), but not stay without a role.
    assert not admin_would_be_missing(membership=alone, new_role=None)
    assert admin_would_be_missing(membership=alone, new_role=Role.EMPLOYEE)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the in-memory SQLite test database cannot be written from several threads; "
    "SQLite serialises writers with IMMEDIATE transactions",
)
def test_two_admins_demoting_each_other_at_once_leave_one_admin():
    org = OrganisationFactory()
    first, second = (MembershipFactory(organisation=org, role=Role.ADMIN) for _ in range(2))
    start = threading.Barrier(2)
    refused: list[BaseException] = []

    def demote(member: Membership) -> None:
        try:
            start.wait()
            services.membership_update(
                membership=member, role=Role.EMPLOYEE, team=None, actor=member
            )
        except LastAdminError as exc:
            refused.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=(m,)) for m in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(refused) == 1
    assert Membership.objects.filter(organisation=org, role=Role.ADMIN).count() == 1
