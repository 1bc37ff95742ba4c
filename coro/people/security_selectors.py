from allauth.mfa.models import Authenticator

from coro.orgs.access import SECOND_FACTORS
from coro.orgs.models import Membership, Organisation, Role


def editors_without_second_factor(organisation: Organisation) -> int:
    """How many admins and editors have neither a passkey nor an authenticator app (a count,
    never who)."""
    with_factor = Authenticator.objects.filter(type__in=SECOND_FACTORS).values("user_id")
    return (
        Membership.objects.active()
        .filter(organisation=organisation, role__in=[Role.ADMIN, Role.EDITOR])
        .exclude(user_id__in=with_factor)
        .count()
    )
