from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from coro.accounts.models import User
from coro.orgs.models import Invitation, Membership, Organisation, Role, Team
from coro.orgs.tasks import send_invitation_email
from coro.orgs.tokens import INVITATION_SALT


class InvitationError(Exception):
    """The invitation link cannot be used (unknown, expired or already used)."""


class LastAdminError(Exception):
    """An organisation that has members keeps at least one admin."""


def organisation_create(*, name: str, owner: User) -> Organisation:
    """A new organisation with its first admin. Its program opens only when an admin
    publishes the first version of the terms."""
    with transaction.atomic():
        organisation = Organisation(name=name)
        organisation.full_clean()
        organisation.save()
        membership_create(organisation=organisation, user=owner, role=Role.ADMIN)
    return organisation


def organisation_lock(organisation: Organisation) -> None:
    """Serialise changes to one organisation's admins, ledger and terms (inside a
    transaction). On PostgreSQL this locks the organisation's row; SQLite already
    serialises writers (transactions are IMMEDIATE)."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk").get()


def admin_would_be_missing(*, membership: Membership, new_role: Role | None) -> bool:
    """The one rule that an organisation keeps an admin: whether changing this membership's
    role to ``new_role`` (None: the membership goes away) would leave people in the
    organisation and no admin among them."""
    if new_role == Role.ADMIN:
        return False
    stored_role = Membership.objects.filter(pk=membership.pk).values_list("role", flat=True).first()
    if stored_role != Role.ADMIN:
        return False
    others = Membership.objects.filter(organisation_id=membership.organisation_id).exclude(
        pk=membership.pk
    )
    if new_role is None and not others.exists():
        return False  # the last person leaves: nobody is left without an admin
    # A deactivated admin cannot open the organisation: they do not count as its admin.
    return not others.active().filter(role=Role.ADMIN).exists()


def admin_kept_check(*, membership: Membership, new_role: Role | None) -> None:
    """Enforce ``admin_would_be_missing`` for every path that demotes, removes or erases an
    admin: raise ``LastAdminError`` instead of making the change.

    Call it inside the transaction that makes the change: it takes the organisation's lock,
    so two admins demoting each other at once cannot both pass.
    """
    organisation_lock(membership.organisation)
    if admin_would_be_missing(membership=membership, new_role=new_role):
        raise LastAdminError(membership.organisation.name)


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


def invitation_revoke(*, invitation: Invitation) -> None:
    """Withdraw an invitation not yet used: its link stops working."""
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).delete()


# Re-sending the same invitation again within this time is refused (a double click).
INVITATION_RESEND_INTERVAL = timedelta(minutes=1)


def invitation_resend(*, invitation: Invitation) -> Invitation:
    """Send the invitation e-mail again (a task, enqueued once the transaction commits).

    The link gets ``INVITATION_MAX_AGE_DAYS`` from now, so an expired invitation works
    again and the e-mail's "expires on" date is true. Raises ``InvitationError("used")``
    if it was accepted or withdrawn meanwhile, ``InvitationError("recent")`` if it went out
    less than ``INVITATION_RESEND_INTERVAL`` ago.
    """
    with transaction.atomic():
        stored = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation.pk, accepted_at__isnull=True)
            .first()
        )
        if stored is None:
            raise InvitationError("used")
        now = timezone.now()
        if stored.last_sent_at is not None and now - stored.last_sent_at < (
            INVITATION_RESEND_INTERVAL
        ):
            raise InvitationError("recent")
        stored.last_sent_at = now
        stored.expires_at = now + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
        # The inviter may have erased their account since (invited_by is then empty).
        stored.full_clean(exclude=["invited_by"])
        stored.save(update_fields=["last_sent_at", "expires_at"])
        transaction.on_commit(lambda: send_invitation_email.enqueue(stored.pk))
    return stored


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


def user_create(*, email: str, name: str, password: str, language: str = "") -> User:
    user = User(email=email.strip().lower(), name=name.strip(), language=language)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user
