from coro.orgs.models import Membership, Organisation
from coro.program.models import Participation, Terms


def terms_current(organisation: Organisation) -> Terms | None:
    return Terms.objects.filter(organisation=organisation).order_by("-version").first()


def participation_of(membership: Membership) -> Participation | None:
    return Participation.objects.filter(membership=membership).first()


def is_enrolled(membership: Membership) -> bool:
    return Participation.objects.filter(
        membership=membership, status=Participation.Status.ENROLLED
    ).exists()


def enrolled_count(organisation: Organisation) -> int:
    """How many people take part: a number, never a list of names."""
    return Participation.objects.filter(
        membership__organisation=organisation, status=Participation.Status.ENROLLED
    ).count()
