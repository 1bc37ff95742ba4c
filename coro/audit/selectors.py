from django.db.models import QuerySet

from coro.audit.models import AuditEntry
from coro.orgs.models import Organisation


def audit_entries(organisation: Organisation) -> QuerySet[AuditEntry]:
    """The trail as admins see and export it, newest first."""
    return AuditEntry.objects.filter(organisation=organisation).order_by("-at", "-pk")
