"""A person's own choices about their data: recognition, and erasing their account."""

from django.db import transaction

from coro.accounts.models import User
from coro.orgs.models import Membership, Organisation
from coro.orgs.services import LastAdminError, admin_kept_check, admin_would_be_missing
from coro.privacy.personal_data import erasers


class ErasureRefused(Exception):
    """The person is the only admin of organisations that still have other members."""

    def __init__(self, organisations: list[Organisation]) -> None:
        super().__init__(", ".join(o.name for o in organisations))
        self.organisations = organisations


def recognition_set(*, membership: Membership, opt_in: bool) -> Membership:
    """Whether the person's name may appear in recognition (leaderboards, thank-yous)."""
    membership.recognition_opt_in = opt_in
    membership.full_clean()
    membership.save(update_fields=["recognition_opt_in"])
    return membership


def erasure_blockers(user: User) -> list[Organisation]:
    """Organisations the person is the only admin of, while other people remain in them.

    They must make someone else admin first, or the organisation would be left without
    one. An organisation where they are the only member at all does not block: it is left
    without members, its content and totals untouched.
    """
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    return sorted(
        (
            m.organisation
            for m in memberships
            if admin_would_be_missing(membership=m, new_role=None)
        ),
        key=lambda organisation: organisation.name,
    )


def account_erase(*, user: User) -> None:
    """Erase the person: no row keeps their name, e-mail address or id.

    Their memberships go (and with them participation, working hours, notifications);
    their shares and clicks stay, no longer linked to anyone, so organisation totals do
    not change. The consent ledger and the audit trail are append-only and name people
    only by pseudonymous codes, which resolve to nobody once the membership is gone.
    Each app's own erasure step runs first (coro/privacy/personal_data.py).
    """
    with transaction.atomic():
        refused: list[Organisation] = []
        for membership in Membership.objects.filter(user=user).select_related("organisation"):
            try:
                admin_kept_check(membership=membership, new_role=None)
            except LastAdminError:
                refused.append(membership.organisation)
        if refused:
            raise ErasureRefused(sorted(refused, key=lambda organisation: organisation.name))
        for erase in erasers():
            erase(user)
        user.delete()
