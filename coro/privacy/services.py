"""A person's own choices about their data: recognition, and erasing their account."""

import logging

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.db.models import Count, Q

from coro.accounts.models import User
from coro.orgs.models import Invitation, Membership, Organisation, Role

logger = logging.getLogger(__name__)

DATABASE_SESSION_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


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
    admin_of = Membership.objects.filter(user=user, role=Role.ADMIN).values("organisation")
    return list(
        Organisation.objects.filter(pk__in=admin_of)
        .annotate(
            admins=Count("memberships", filter=Q(memberships__role=Role.ADMIN), distinct=True),
            members=Count("memberships", distinct=True),
        )
        .filter(admins=1, members__gt=1)
        .order_by("name")
    )


def account_erase(*, user: User) -> None:
    """Erase the person: no row keeps their name, e-mail address or id.

    Their memberships go (and with them participation, working hours, notifications);
    their shares and clicks stay, no longer linked to anyone, so organisation totals do
    not change. The consent ledger and the audit trail are append-only and name people
    only by pseudonymous codes, which resolve to nobody once the membership is gone.
    """
    with transaction.atomic():
        blockers = erasure_blockers(user)
        if blockers:
            raise ErasureRefused(blockers)
        Invitation.objects.filter(email__iexact=user.email).delete()
        _sessions_delete(user)
        user.delete()


def _sessions_delete(user: User) -> None:
    """Sign the person out everywhere: their sessions hold their id."""
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        # Cookie or cache sessions expire on their own and no longer resolve to anyone.
        logger.info("Sessions are not in the database; not searched on erasure.")
        return
    from importlib import import_module

    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    user_id = str(user.pk)
    for session in Session.objects.iterator():
        if session.get_decoded().get(SESSION_KEY) == user_id:
            store(session_key=session.session_key).delete()
