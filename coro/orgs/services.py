from django.core import signing
from django.db import transaction
from django.utils import timezone

from coro.accounts.models import User
from coro.orgs.models import Invitation, Membership, Organisation, Role, Team
from coro.orgs.tasks import send_invitation_email

INVITATION_SALT = "coro.orgs.invitation"


class InvitationError(Exception):
    """The invitation link cannot be used (unknown, expired or already used)."""


def organisation_create(*, name: str, owner: User) -> Organisation:
    from coro.program.services import terms_create_default

    with transaction.atomic():
        organisation = Organisation(name=name)
        organisation.full_clean()
        organisation.save()
        membership_create(organisation=organisation, user=owner, role=Role.ADMIN)
        terms_create_default(organisation=organisation)
    return organisation


def team_create(*, organisation: Organisation, name: str) -> Team:
    team = Team(organisation=organisation, name=name.strip())
    team.full_clean()
    team.save()
    return team


def membership_create(
    *, organisation: Organisation, user: User, role: Role, team: Team | None = None
) -> Membership:
    membership = Membership(organisation=organisation, user=user, role=role, team=team)
    membership.full_clean()
    membership.save()
    return membership


def membership_update(*, membership: Membership, role: Role, team: Team | None) -> Membership:
    if team is not None and team.organisation_id != membership.organisation_id:
        raise ValueError("The team belongs to another organisation.")
    membership.role = role
    membership.team = team
    membership.full_clean()
    membership.save(update_fields=["role", "team"])
    return membership


def invitation_create(
    *,
    organisation: Organisation,
    email: str,
    role: Role,
    team: Team | None,
    invited_by: User,
) -> Invitation:
    invitation = Invitation(
        organisation=organisation,
        email=email.strip().lower(),
        role=role,
        team=team,
        invited_by=invited_by,
    )
    invitation.full_clean()
    invitation.save()
    transaction.on_commit(lambda: send_invitation_email.enqueue(invitation.pk))
    return invitation


def invitation_token(invitation: Invitation) -> str:
    """The secret part of the invitation link: the code, signed with SECRET_KEY."""
    return signing.dumps(invitation.code, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    try:
        code = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        raise InvitationError("unknown") from None
    invitation = Invitation.objects.select_related("organisation", "team").filter(code=code).first()
    if invitation is None:
        raise InvitationError("unknown")
    if invitation.accepted_at is not None:
        raise InvitationError("used")
    if invitation.is_expired:
        raise InvitationError("expired")
    return invitation


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the organisation. The invitation works once, even under concurrent clicks."""
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).update(accepted_at=timezone.now())
        if not claimed:
            raise InvitationError("used")
        existing = Membership.objects.filter(
            organisation=invitation.organisation, user=user
        ).first()
        if existing is not None:
            return existing
        return membership_create(
            organisation=invitation.organisation,
            user=user,
            role=Role(invitation.role),
            team=invitation.team,
        )


def user_create(*, email: str, name: str, password: str, language: str = "es") -> User:
    user = User(email=email.strip().lower(), name=name.strip(), language=language)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user
