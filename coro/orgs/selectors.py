from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.orgs.models import Invitation, Membership, Organisation, Team

# The columns of the People page, in order, as (attribute path from a Membership, label).
# The person's own transparency page shows these same columns about them (coro/privacy),
# so what admins see and what the person is told can never drift apart.
PEOPLE_COLUMNS = (
    ("user.name", _("Name")),
    ("user.email", _("E-mail")),
    ("get_role_display", _("Role")),
    ("team.name", _("Team")),
)


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


def credited_name(membership: Membership | None) -> str | None:
    """The name to credit this person with, or None when they did not choose to be named
    (or are no longer an active member). The one rule wherever Coro thanks someone
    (charter rule 3: recognition is opt-in per person)."""
    if membership is None or not membership.recognition_opt_in:
        return None
    if membership.deactivated_at is not None:
        return None
    return membership.user.name.strip() or None
