from django.db import transaction
from django.utils import timezone

from coro.orgs.models import Membership, Organisation
from coro.program import defaults
from coro.program.models import Participation, Terms


class NoTermsError(Exception):
    """The organisation has no published terms to accept."""


def terms_create_default(*, organisation: Organisation) -> Terms:
    terms = Terms(
        organisation=organisation,
        version=1,
        offer_es=defaults.OFFER_ES,
        offer_en=defaults.OFFER_EN,
        commitment_es=defaults.COMMITMENT_ES,
        commitment_en=defaults.COMMITMENT_EN,
    )
    terms.full_clean()
    terms.save()
    return terms


def program_join(*, membership: Membership, terms: Terms) -> Participation:
    """Accept these terms explicitly. Joining twice is harmless."""
    if terms.organisation_id != membership.organisation_id:
        raise NoTermsError
    with transaction.atomic():
        participation, _ = Participation.objects.select_for_update().get_or_create(
            membership=membership,
            defaults={"status": Participation.Status.ENROLLED, "terms": terms},
        )
        participation.status = Participation.Status.ENROLLED
        participation.terms = terms
        participation.changed_at = timezone.now()
        participation.save(update_fields=["status", "terms", "changed_at"])
    return participation


def program_leave(*, membership: Membership) -> None:
    """Leave at once. Nothing else changes for the person."""
    Participation.objects.filter(
        membership=membership, status=Participation.Status.ENROLLED
    ).update(status=Participation.Status.LEFT, changed_at=timezone.now())
