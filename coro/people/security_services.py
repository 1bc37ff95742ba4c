from django.db import transaction

from coro.audit.models import AuditEntry
from coro.audit.services import audit_record
from coro.orgs.models import Membership, Organisation


def two_factor_requirement_set(
    *, organisation: Organisation, required: bool, actor: Membership | None
) -> Organisation:
    """Whether the organisation's admins and editors must use two-factor authentication
    (enforced by ``coro.orgs.access.org_view``). A change goes to the audit trail."""
    with transaction.atomic():
        stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = stored.two_factor_required
        organisation.two_factor_required = required
        organisation.full_clean()
        if before == required:
            return organisation
        organisation.save(update_fields=["two_factor_required"])
        audit_record(
            organisation=organisation,
            actor=actor,
            action=AuditEntry.Action.TWO_FACTOR_CHANGED,
            before={"two_factor_required": before},
            after={"two_factor_required": required},
        )
    return organisation
