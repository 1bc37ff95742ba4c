"""The audit trail, for admins: on a page and as CSV and JSON for a works council."""

import json

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from coro.audit.selectors import AuditRow, audit_entries, audit_rows
from coro.core.downloads import csv_response, export_filename, json_response
from coro.orgs.access import org_view
from coro.orgs.models import Membership, Role

PAGE_SIZE = 50

FIELDS = ["at", "action", "action_label", "actor", "target", "before", "after", "reason"]


@org_view(Role.ADMIN)
def log(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    page = Paginator(audit_entries(organisation), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "membership": membership,
        "page": page,
        "rows": audit_rows(organisation, page.object_list),
    }
    return render(request, "audit/log.html", context)


def _as_dict(row: AuditRow) -> dict[str, object]:
    return {
        "at": row.at.isoformat(),
        "action": row.entry.action,
        "action_label": row.action_label,
        "actor": row.actor,
        "target": row.target,
        "before": row.entry.before,
        "after": row.entry.after,
        "reason": row.entry.reason,
    }


def _csv_value(value: object) -> object:
    return (
        json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, dict) else value
    )


@org_view(Role.ADMIN)
def export_csv(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    rows = audit_rows(organisation, audit_entries(organisation))
    lines = [[_csv_value(_as_dict(row)[field]) for field in FIELDS] for row in rows]
    return csv_response(export_filename(organisation.code, "audit", "csv"), FIELDS, lines)


@org_view(Role.ADMIN)
def export_json(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    rows = audit_rows(organisation, audit_entries(organisation))
    data = {
        "organisation": organisation.name,
        "exported_at": timezone.now().isoformat(),
        "entries": [_as_dict(row) for row in rows],
    }
    return json_response(export_filename(organisation.code, "audit", "json"), data)
