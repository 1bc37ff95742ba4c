from typing import Any

from coro.audit.models import AuditEntry
from coro.orgs.models import Membership, Organisation


def audit_record(
    *,
    organisation: Organisation,
    actor: Membership | None,
    action: AuditEntry.Action,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    target: Membership | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry to the organisation's audit trail."""
    entry = AuditEntry(
        organisation=organisation,
        actor_ref=actor.code if actor else "",
        target_ref=target.code if target else "",
        action=action,
        before=before or {},
        after=after or {},
        reason=reason,
    )
    entry.full_clean()
    entry.save()
    return entry
