from django.db.models import QuerySet

from coro.accounts.models import User
from coro.orgs.models import Invitation, Membership, Organisation, Team


def memberships_of_user(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def members_of_organisation(organisation: Organisation) -> QuerySet[Membership]:
    """Names, roles and teams. Deliberately nothing about program participation."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "team")
        .order_by("user__name")
    )


def teams_of_organisation(organisation: Organisation) -> QuerySet[Team]:
    return Team.objects.filter(organisation=organisation)


def pending_invitations(organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True)
