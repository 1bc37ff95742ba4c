"""What the organisation can see about a person, read through the organisation's own selectors.

The transparency page is not a description of what admins and editors see: it calls the
very selectors their pages call, and keeps what concerns the person.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from coro.analytics.figures import ReleaseFigures
from coro.analytics.selectors import Totals, figures_latest, totals
from coro.audit.selectors import AuditRow, audit_entries, audit_rows
from coro.orgs import selectors as org_selectors
from coro.orgs.disclosure import disclosure_wordings_named
from coro.orgs.models import Membership
from coro.program.models import ConsentRecord
from coro.program.selectors import ledger_records

EMPTY_CELL = "—"


def people_columns() -> tuple[tuple[str, Any], ...]:
    """The People page's columns, read when used (so both pages follow any change)."""
    return org_selectors.PEOPLE_COLUMNS


def people_cell(membership: Membership, path: str) -> object:
    """One cell of the People page: follow ``path`` ("user.name", "get_role_display")."""
    value: object = membership
    for part in path.split("."):
        value = getattr(value, part, None)
        if callable(value):
            value = value()
        if value is None:
            return EMPTY_CELL
    return EMPTY_CELL if value == "" else value


@dataclass(frozen=True)
class Transparency:
    membership: Membership
    people_row: Membership | None
    ledger: list[ConsentRecord]
    audit: list[AuditRow]
    totals: Totals
    figures: ReleaseFigures | None
    # (language name, exact wording) of the disclosure that goes out with shares.
    disclosures: list[tuple[str, str]]


def transparency_of(membership: Membership) -> Transparency:
    """Everything the organisation's admins and editors can see about this person."""
    organisation = membership.organisation
    return Transparency(
        membership=membership,
        people_row=org_selectors.members_of_organisation(organisation)
        .filter(pk=membership.pk)
        .first(),
        ledger=list(ledger_records(organisation).filter(subject=membership.consent_ref)),
        audit=audit_rows(
            organisation,
            audit_entries(organisation).filter(
                Q(actor_ref=membership.code) | Q(target_ref=membership.code)
            ),
        ),
        totals=totals(organisation),
        figures=figures_latest(organisation),
        disclosures=disclosure_wordings_named(organisation),
    )
