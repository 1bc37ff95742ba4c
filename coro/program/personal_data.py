"""What the program holds about a person (see coro/core/personal_data.py)."""

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.core.personal_data import PersonalDataFile
from coro.orgs.models import Membership
from coro.program.models import ConsentRecord, InvitationDismissal, Participation, Terms
from coro.program.receipts import receipts_of
from coro.program.selectors import ledger_records_of, participation_of


def _memberships(user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def participation(user: User) -> list[dict[str, Any]]:
    rows = []
    for m in _memberships(user):
        p = participation_of(m)
        dismissal = InvitationDismissal.objects.filter(membership=m).first()
        rows.append(
            {
                "organisation": m.organisation.name,
                "status": p.status if p else "never_joined",
                "terms_version": p.terms.version if p else None,
                "changed_at": p.changed_at if p else None,
                # "Don't show this again" on the invitation to join, under this version.
                "invitation_dismissed": (
                    {"terms_version": dismissal.terms_version, "at": dismissal.dismissed_at}
                    if dismissal
                    else None
                ),
            }
        )
    return rows


def consent_ledger(user: User) -> list[dict[str, Any]]:
    return [
        {
            "organisation": m.organisation.name,
            "seq": r.seq,
            "subject": r.subject,
            "action": r.action,
            "terms_version": r.terms_version,
            "terms_sha256": r.terms_sha256,
            "at": r.at,
            "channel": r.channel,
            "prev_hash": r.prev_hash,
            "hash": r.hash,
            "format": r.format,
            "key_id": r.key_id,
        }
        for m in _memberships(user)
        for r in ledger_records_of(m)
    ]


def consent_receipts(user: User) -> list[dict[str, Any]]:
    """A receipt of each record, which ``coro ledger verify --receipt`` checks."""
    return [receipt for m in _memberships(user) for receipt in receipts_of(m)]


FILES = [
    PersonalDataFile(
        "participation.json",
        (Participation, InvitationDismissal),
        participation,
        _("Whether you take part in each organisation's program."),
    ),
    PersonalDataFile(
        "consent_ledger.json",
        (ConsentRecord,),
        consent_ledger,
        _("The consent ledger entries about you (under your pseudonym)."),
    ),
    # Made from the ledger records above: no model of its own.
    PersonalDataFile(
        "consent_receipts.json",
        (),
        consent_receipts,
        _("A receipt of each of those entries, which Coro can check against its ledger."),
    ),
]

NOTHING_PERSONAL: dict[type[Model], str] = {
    Terms: "the program's published terms, the same for everyone",
}
