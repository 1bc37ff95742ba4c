from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coro.accounts.models import User
from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
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


def membership_update(
    *, membership: Membership, role: Role, team: Team | None, actor: Membership | None
) -> Membership:
    """Change a member's role and team; the change goes to the audit trail."""
    if team is not None and team.organisation_id != membership.organisation_id:
        raise ValueError("The team belongs to another organisation.")
    with transaction.atomic():
        # "Before" comes from the stored row: a bound ModelForm may already have set
        # the new values on ``membership``.
        stored = Membership.objects.select_for_update().get(pk=membership.pk)
        before = {"role": stored.role, "team": stored.team.name if stored.team else ""}
        membership.role = role
        membership.team = team
        membership.full_clean()
        membership.save(update_fields=["role", "team"])
        after = {"role": str(role), "team": team.name if team else ""}
        if after != before:
            audit_record(
                organisation=membership.organisation,
                actor=actor,
                action=AuditEntry.Action.ROLE_CHANGED,
                before=before,
                after=after,
                target=membership,
            )
    return membership


def _organisation_change(
    *,
    organisation: Organisation,
    actor: Membership | None,
    action: AuditEntry.Action,
    changes: dict[str, Any],
    reason: str = "",
) -> Organisation:
    """Apply ``changes`` to the organisation and record them, before and after.

    Nothing is saved or recorded when nothing changes.
    """
    with transaction.atomic():
        stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = {field: getattr(stored, field) for field in changes}
        if before == changes:
            return organisation
        for field, value in changes.items():
            setattr(organisation, field, value)
        organisation.full_clean()
        organisation.save(update_fields=list(changes))
        audit_record(
            organisation=organisation,
            actor=actor,
            action=action,
            before=before,
            after=changes,
            reason=reason,
        )
    return organisation


def disclosure_update(
    *,
    organisation: Organisation,
    actor: Membership | None,
    disclosure_es: str,
    disclosure_en: str,
) -> Organisation:
    """Reword the disclosure. Blank wording means the default."""
    return _organisation_change(
        organisation=organisation,
        actor=actor,
        action=AuditEntry.Action.DISCLOSURE_CHANGED,
        changes={"disclosure_es": disclosure_es.strip(), "disclosure_en": disclosure_en.strip()},
    )


def disclosure_disable(
    *, organisation: Organisation, actor: Membership | None, reason: str
) -> Organisation:
    """Switch the disclosure off. Only with a reason, which everyone can read."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the disclosure is switched off.")})
    return _organisation_change(
        organisation=organisation,
        actor=actor,
        action=AuditEntry.Action.DISCLOSURE_DISABLED,
        changes={"disclosure_enabled": False, "disclosure_off_reason": reason},
        reason=reason,
    )


def disclosure_enable(*, organisation: Organisation, actor: Membership | None) -> Organisation:
    return _organisation_change(
        organisation=organisation,
        actor=actor,
        action=AuditEntry.Action.DISCLOSURE_ENABLED,
        changes={"disclosure_enabled": True, "disclosure_off_reason": ""},
    )


def privacy_update(
    *, organisation: Organisation, actor: Membership | None, min_group_size: int
) -> Organisation:
    """Change the smallest group whose numbers are shown (never below the floor)."""
    return _organisation_change(
        organisation=organisation,
        actor=actor,
        action=AuditEntry.Action.PRIVACY_CHANGED,
        changes={"min_group_size": min_group_size},
    )


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
