from django.db import transaction

from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.orgs.models import Membership, Role, Team
from coro.orgs.services import admin_kept_check


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
