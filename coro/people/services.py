from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from coro.accounts.models import User
from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.orgs.models import Membership, Organisation, Role, Team
from coro.orgs.services import (
    admin_kept_check,
    invitation_create,
    invitation_revoke,
    organisation_lock,
)
from coro.people import hooks
from coro.people.csv_import import ImportRow
from coro.people.selectors import LineStatus, import_lines


class OwnMembershipError(Exception):
    """Admins do not deactivate or remove themselves: another admin does."""


def membership_update(
    *, membership: Membership, role: Role, team: Team | None, actor: Membership | None
) -> Membership:
    """Change a member's role and team; the change goes to the audit trail."""
    if team is not None and team.organisation_id != membership.organisation_id:
        raise ValueError("The team belongs to another organisation.")
    with transaction.atomic():
        admin_kept_check(membership=membership, new_role=role)
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


def _stored_member(membership: Membership, actor: Membership | None) -> Membership | None:
    """The member's row, locked, after the checks every deactivation and removal makes."""
    if actor is not None and actor.pk == membership.pk:
        raise OwnMembershipError
    admin_kept_check(membership=membership, new_role=None)
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("organisation", "user", "team")
        .filter(pk=membership.pk)
        .first()
    )


def member_deactivate(*, membership: Membership, actor: Membership | None) -> Membership:
    """The member can no longer open the organisation; everything stays as it was.

    If they take part in the program, they leave it (through ``hooks.on_member_deactivated``,
    as when they leave themselves: their tracked links keep working and counting,
    anonymously). The last admin cannot be deactivated (``LastAdminError``), nor can admins
    deactivate themselves (``OwnMembershipError``). Deactivating twice changes nothing.
    """
    with transaction.atomic():
        stored = _stored_member(membership, actor)
        if stored is None or stored.deactivated_at is not None:
            return stored or membership
        hooks.on_member_deactivated.run(stored)
        stored.deactivated_at = timezone.now()
        stored.full_clean()
        stored.save(update_fields=["deactivated_at"])
        audit_record(
            organisation=stored.organisation,
            actor=actor,
            action=AuditEntry.Action.MEMBER_DEACTIVATED,
            target=stored,
        )
    return stored


def member_reactivate(*, membership: Membership, actor: Membership | None) -> Membership:
    """Give a deactivated member their access back, with their role and team. It does not
    put them back in the program: joining is theirs to do again, if they want."""
    with transaction.atomic():
        stored = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("organisation", "user", "team")
            .filter(pk=membership.pk)
            .first()
        )
        if stored is None or stored.deactivated_at is None:
            return stored or membership
        stored.deactivated_at = None
        stored.full_clean()
        stored.save(update_fields=["deactivated_at"])
        audit_record(
            organisation=stored.organisation,
            actor=actor,
            action=AuditEntry.Action.MEMBER_REACTIVATED,
            target=stored,
        )
    return stored


def member_remove(*, membership: Membership, actor: Membership | None) -> None:
    """Take the person out of the organisation: their membership is deleted.

    First they leave the program if they take part (``hooks.on_member_removed``); their
    shares stay, anonymous, and keep counting. The consent ledger and the audit trail keep
    their pseudonymous code, which now resolves to "a former member". Their account stays
    (it may belong to other organisations). The same refusals as ``member_deactivate``.
    """
    with transaction.atomic():
        stored = _stored_member(membership, actor)
        if stored is None:
            return
        hooks.on_member_removed.run(stored)
        audit_record(
            organisation=stored.organisation,
            actor=actor,
            action=AuditEntry.Action.MEMBER_REMOVED,
            before={"role": stored.role, "team": stored.team.name if stored.team else ""},
            target=stored,
        )
        stored.delete()


@dataclass(frozen=True)
class ImportResult:
    invited: int
    skipped: int
    errors: int


def people_import(
    *, organisation: Organisation, rows: list[ImportRow], invited_by: User
) -> ImportResult:
    """Invite the people of a checked file: each line the preview calls new, checked again
    now. Lines already invited or members are skipped, so importing a file twice sends
    nothing new. The e-mails go out as tasks once the transaction commits."""
    with transaction.atomic():
        # Two confirmations at once (a double click) run one after the other: the second
        # finds the first one's invitations and skips them.
        organisation_lock(organisation)
        lines = import_lines(organisation=organisation, rows=rows)
        invited = 0
        for line in lines:
            if line.status != LineStatus.NEW:
                continue
            assert line.role is not None
            for expired in line.replaces:
                invitation_revoke(invitation=expired)
            invitation_create(
                organisation=organisation,
                email=line.row.email,
                role=line.role,
                team=line.team,
                invited_by=invited_by,
            )
            invited += 1
    errors = sum(1 for line in lines if line.status == LineStatus.ERROR)
    return ImportResult(invited=invited, skipped=len(lines) - invited - errors, errors=errors)
