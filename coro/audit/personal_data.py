"""What the audit trail holds about a person (see coro/core/personal_data.py)."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.audit.models import AuditEntry
from coro.audit.selectors import audit_entries
from coro.core.personal_data import PersonalDataFile
from coro.orgs.models import Membership


def audit(user: User) -> list[dict[str, Any]]:
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    return [
        {
            "organisation": m.organisation.name,
            "at": e.at,
            "action": e.action,
            "actor_ref": e.actor_ref,
            "target_ref": e.target_ref,
            "before": e.before,
            "after": e.after,
            "reason": e.reason,
        }
        for m in memberships.order_by("organisation__name")
        for e in audit_entries(m.organisation).filter(Q(actor_ref=m.code) | Q(target_ref=m.code))
    ]


FILES = [
    PersonalDataFile(
        "audit.json",
        (AuditEntry,),
        audit,
        _("Audit trail entries made by you or about you."),
    )
]
