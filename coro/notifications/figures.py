"""What editors see about how a post was made known: how many people heard of it, and by which
way, never who (charter: aggregates only). Ways with fewer people than the organisation's
minimum group size are merged into "other ways" (with the smallest shown way if that is still
too small), so no preference of a few people can be told apart or worked out by subtraction;
below the minimum in all, only that the post reached fewer people than that is shown."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coro.notifications.models import ChatAnnouncement, Notification
from coro.orgs.models import Organisation


@dataclass(frozen=True)
class Way:
    label: str | Promise
    people: int


@dataclass(frozen=True)
class PostReach:
    """How a post was made known: ``ways`` (empty when ``people`` is below ``min_size``),
    the people told in all, and the team chat channels it was announced in."""

    people: int
    min_size: int
    ways: list[Way]
    chats_sent: int
    chats_waiting: int

    @property
    def too_few(self) -> bool:
        return 0 < self.people < self.min_size


def _merged(ways: list[Way], min_size: int) -> list[Way]:
    populated = [w for w in ways if w.people > 0]
    kept = [w for w in populated if w.people >= min_size]
    small = [w for w in populated if w.people < min_size]
    if not small:
        return kept
    while sum(w.people for w in small) < min_size and kept:
        smallest = min(kept, key=lambda w: w.people)
        kept.remove(smallest)
        small.append(smallest)
    return [*kept, Way(_("Other ways"), sum(w.people for w in small))]


def post_reach(*, organisation: Organisation, about: str) -> PostReach:
    """How the post named by ``about`` ("post:<code>") was made known in ``organisation``."""
    told = Notification.objects.filter(
        organisation=organisation, kind=Notification.Kind.NEW_POST, about=about
    )
    counts = told.aggregate(
        people=Count("user", distinct=True),
        waiting=Count("pk", filter=Q(delivered_at=None)),
        emailed=Count("pk", filter=Q(email_sent_at__isnull=False)),
        digested=Count("pk", filter=Q(digest__sent_at__isnull=False)),
        # Delivered in the app, and not (or not yet) by e-mail.
        in_app=Count(
            "pk",
            filter=Q(delivered_at__isnull=False, email_sent_at=None)
            & ~Q(digest__sent_at__isnull=False),
        ),
    )
    ways = [
        Way(_("By e-mail, right away"), counts["emailed"]),
        Way(_("In an e-mail digest"), counts["digested"]),
        Way(_("In Coro only (or an e-mail still to come)"), counts["in_app"]),
        Way(_("Waiting for their working hours"), counts["waiting"]),
    ]
    min_size = organisation.min_group_size
    people = counts["people"]
    chats = ChatAnnouncement.objects.filter(webhook__organisation=organisation, about=about)
    sent = chats.filter(status=ChatAnnouncement.Status.SENT).count()
    waiting = chats.filter(
        status__in=[ChatAnnouncement.Status.PENDING, ChatAnnouncement.Status.SENDING]
    ).count()
    return PostReach(
        people=people,
        min_size=min_size,
        ways=_merged(ways, min_size) if people >= min_size else [],
        chats_sent=sent,
        chats_waiting=waiting,
    )
