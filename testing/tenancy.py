"""The three-person tenancy fixture: an admin, an editor and an employee of one
organisation, and an outsider who belongs to another organisation."""

from dataclasses import dataclass

from django.test import Client

from coro.accounts.models import User
from coro.orgs.models import Membership, Organisation, Role
from testing.factories import MembershipFactory, OrganisationFactory, TermsFactory

PASSWORD = "correct horse battery"


@dataclass
class Tenancy:
    org: Organisation
    other_org: Organisation
    admin: Membership
    editor: Membership
    employee: Membership
    outsider: Membership  # admin of other_org, stranger to org

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def tenancy_create() -> Tenancy:
    org = OrganisationFactory.create(name="Cerámicas Prueba")
    other = OrganisationFactory.create(name="Otra Empresa")
    TermsFactory.create(organisation=org)
    TermsFactory.create(organisation=other)
    return Tenancy(
        org=org,
        other_org=other,
        admin=MembershipFactory.create(
            organisation=org, role=Role.ADMIN, user__name="Alicia Admin"
        ),
        editor=MembershipFactory.create(
            organisation=org, role=Role.EDITOR, user__name="Eva Editora"
        ),
        employee=MembershipFactory.create(
            organisation=org, role=Role.EMPLOYEE, user__name="Emilio Empleado"
        ),
        outsider=MembershipFactory.create(
            organisation=other, role=Role.ADMIN, user__name="Óscar Outsider"
        ),
    )
