from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coro.audit.models import AuditEntry
from coro.orgs.models import Membership, Organisation, Role

FIELD_LABELS: dict[str, Promise] = {
    "disclosure": gettext_lazy("disclosure wording"),
    # Entries written before the wording was stored per language.
    "disclosure_es": gettext_lazy("disclosure (Spanish)"),
    "disclosure_en": gettext_lazy("disclosure (English)"),
    "disclosure_enabled": gettext_lazy("disclosure on"),
    "disclosure_off_reason": gettext_lazy("reason for switching it off"),
    "min_group_size": gettext_lazy("smallest group shown"),
    "two_factor_required": gettext_lazy("admins and editors must use two-factor authentication"),
    "preset": gettext_lazy("provider"),
    "issuer": gettext_lazy("issuer"),
    "client_id": gettext_lazy("client ID"),
    "secret": gettext_lazy("client secret"),
    "domains": gettext_lazy("e-mail domains"),
    "enabled": gettext_lazy("people can sign in with it"),
    "period": gettext_lazy("how often team figures are published"),
    "epsilon_year": gettext_lazy("privacy budget per person and year (ε)"),
    "version": gettext_lazy("terms version"),
    "sha256": gettext_lazy("fingerprint of the text (SHA-256)"),
    "role": gettext_lazy("role"),
    "team": gettext_lazy("team"),
    # The organisation's profile.
    "name": gettext_lazy("organisation name"),
    "logo": gettext_lazy("logo file"),
    "language": gettext_lazy("default language"),
    "time_zone": gettext_lazy("time zone"),
    "work_days": gettext_lazy("working days"),
    "work_start": gettext_lazy("working hours start"),
    "work_end": gettext_lazy("working hours end"),
    # Team chat channels.
    "channel": gettext_lazy("chat channel"),
    "address": gettext_lazy("webhook address (masked)"),
    # Blog feeds.
    "feed": gettext_lazy("feed address"),
    # Common goals ("team" is above: "—" is the whole company).
    "title": gettext_lazy("goal"),
    "target": gettext_lazy("target"),
    "metric": gettext_lazy("what counts"),
    "link_prefix": gettext_lazy("only links starting with"),
    "starts_on": gettext_lazy("first day"),
    "ends_on": gettext_lazy("last day"),
}

# Values stored as codes, shown by name. The goal's metrics repeat ``community.Goal.Metric``
# (the audit app sits below community and cannot import it); an unknown code shows as it is.
VALUE_LABELS: dict[str, dict[str, Promise]] = {
    "metric": {
        "visits": gettext_lazy("Visits through shared links"),
        "shares": gettext_lazy("Shares made through Coro"),
    },
}


def audit_entries(organisation: Organisation) -> QuerySet[AuditEntry]:
    """The trail as admins see and export it, newest first."""
    return AuditEntry.objects.filter(organisation=organisation).order_by("-at", "-pk")


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditRow:
    """One entry as shown and exported: people named, values readable."""

    entry: AuditEntry
    actor: str
    target: str
    changes: list[Change]

    @property
    def at(self) -> datetime:
        return self.entry.at

    @property
    def action_label(self) -> str:
        return str(AuditEntry.Action(self.entry.action).label)


def _display(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "; ".join(f"{key}: {value[key]}" for key in sorted(value)) or "—"
    if field == "role" and value in Role.values:
        return str(Role(value).label)
    label = VALUE_LABELS.get(field, {}).get(str(value))
    return str(label) if label is not None else str(value)


def _changes(entry: AuditEntry) -> list[Change]:
    """What changed, readable. Fields with the same value before and after are left out
    (the exports keep them)."""
    fields = list(entry.before) + [f for f in entry.after if f not in entry.before]
    return [
        Change(
            field=field,
            label=str(FIELD_LABELS.get(field, field)),
            before=_display(field, entry.before.get(field)),
            after=_display(field, entry.after.get(field)),
        )
        for field in fields
        if entry.before.get(field) != entry.after.get(field)
    ]


def audit_rows(organisation: Organisation, entries: Iterable[AuditEntry]) -> list[AuditRow]:
    """Name the people of each entry: by their current name, or "a former member"."""
    entries = list(entries)
    refs = {ref for e in entries for ref in (e.actor_ref, e.target_ref) if ref}
    names = dict(
        Membership.objects.filter(organisation=organisation, code__in=refs).values_list(
            "code", "user__name"
        )
    )

    def name(ref: str, empty: str) -> str:
        if not ref:
            return empty
        return names.get(ref) or _("a former member")

    return [
        AuditRow(
            entry=entry,
            actor=name(entry.actor_ref, _("Coro (automatic)")),
            target=name(entry.target_ref, ""),
            changes=_changes(entry),
        )
        for entry in entries
    ]
