"""What the organisation can see about a person, read through the organisation's own selectors;
and what only the person sees: their own links and the visits each brought ("My impact").

The transparency page is not a description of what admins and editors see: it calls the
very selectors their pages call, and keeps what concerns the person. Its totals are the
dashboard's over all time (the dashboard shows them for a date range); visits come from the
rollups, like every visit figure Coro shows.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, Sum

from coro.analytics.figures import ReleaseFigures
from coro.analytics.models import ShareVisits
from coro.analytics.selectors import Totals, figures_latest
from coro.audit.selectors import AuditRow, audit_entries, audit_rows
from coro.content.models import Post
from coro.networks import get_network
from coro.orgs import selectors as org_selectors
from coro.orgs.disclosure import disclosure_wordings_named
from coro.orgs.models import Membership, Organisation
from coro.program.models import ConsentRecord
from coro.program.selectors import ledger_records
from coro.sharing.models import Share

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
    disclosures: list[tuple[str, str, str]]


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
        totals=totals_of(organisation),
        figures=figures_latest(organisation),
        disclosures=disclosure_wordings_named(organisation),
    )


def totals_of(organisation: Organisation) -> Totals:
    """The dashboard's all-time totals, with the visits read from the rollups of each link
    (at most one row per share), never from the raw visits, which are many and pruned after a
    while."""
    shares = Share.objects.filter(post__organisation=organisation)
    visits = ShareVisits.objects.filter(share__in=shares).aggregate(n=Sum("visits"))["n"]
    return Totals(
        posts=Post.objects.filter(organisation=organisation, status=Post.Status.PUBLISHED).count(),
        shares=shares.count(),
        clicks=visits or 0,
    )


# --- My impact: the person's own tracked links and the visits each brought ----------------

IMPACT_PAGE_SIZE = 20


@dataclass(frozen=True)
class ImpactRow:
    """One of the person's tracked links: a post passed on to one network."""

    share: Share
    network_label: str
    visits: int
    previews: int
    last_visit_at: datetime | None


@dataclass(frozen=True)
class Impact:
    """The person's own links (``rows``, newest first, of the page ``page``) and their
    totals. Never shown to anyone else (charter rules 3 and 7)."""

    page: Page[Share]
    rows: list[ImpactRow]
    links: int
    visits: int
    previews: int


def _network_label(key: str) -> str:
    network = get_network(key)
    return network.label if network is not None else key


def impact_of(membership: Membership, page_number: str | int | None = 1) -> Impact:
    """The links this membership shared (not those detached when they left the program:
    those are nobody's) with the visits and previews the rollups counted for each."""
    shares = Share.objects.filter(membership=membership)
    # Four small queries: the totals, the count of links, the page's links, their visits.
    sums = ShareVisits.objects.filter(share__membership=membership).aggregate(
        visits=Sum("visits"), previews=Sum("previews")
    )
    paginator = Paginator(
        shares.select_related("post").order_by("-created_at", "-pk"), IMPACT_PAGE_SIZE
    )
    page = paginator.get_page(page_number)
    counted = {
        row.share_id: row
        for row in ShareVisits.objects.filter(share__in=[share.pk for share in page])
    }
    rows = []
    for share in page:
        found = counted.get(share.pk)
        rows.append(
            ImpactRow(
                share=share,
                network_label=_network_label(share.network),
                visits=found.visits if found else 0,
                previews=found.previews if found else 0,
                last_visit_at=found.last_visit_at if found else None,
            )
        )
    return Impact(
        page=page,
        rows=rows,
        links=paginator.count,
        visits=sums["visits"] or 0,
        previews=sums["previews"] or 0,
    )
