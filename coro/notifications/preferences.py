"""How often each kind of message reaches a person by e-mail (their ``Rhythm`` per kind).

In the app every message shows, whatever the rhythm. The rhythm decides the e-mail only:
right away (inside the person's working hours), listed in a daily or a weekly digest, or
never. A kind the person never chose follows ``DEFAULTS``; only their choices are stored.
"""

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.notifications.models import Notification, NotificationPreference, Rhythm

Kind = Notification.Kind

# What a person who chose nothing gets. New posts come often and can wait for the day's
# digest; the rest is about the person's own work or rights and goes out right away.
DEFAULTS: dict[str, Rhythm] = {
    Kind.NEW_POST: Rhythm.DAILY,
    Kind.COMMENT_REPLY: Rhythm.IMMEDIATE,
    Kind.PROPOSAL_DECIDED: Rhythm.IMMEDIATE,
    Kind.SCHEDULED_POST_FAILED: Rhythm.IMMEDIATE,
    Kind.ACCOUNT_RECONNECT: Rhythm.IMMEDIATE,
    Kind.TERMS_UPDATED: Rhythm.IMMEDIATE,
    Kind.CONSENT_RECEIPT: Rhythm.IMMEDIATE,
}

# The rhythms whose messages wait in the app for the person's next digest.
DIGEST_RHYTHMS = (Rhythm.DAILY, Rhythm.WEEKLY)


def rhythms_of(user: User) -> dict[str, Rhythm]:
    """The person's rhythm for every kind, in the order of ``Notification.Kind``."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "rhythm"))
    return {kind: Rhythm(chosen.get(kind, DEFAULTS[kind])) for kind in Kind.values}


def rhythm_of(user: User, kind: str) -> Rhythm:
    """The person's rhythm for ``kind`` (an unknown kind gets "right away"; saving the
    message refuses it)."""
    chosen = (
        NotificationPreference.objects.filter(user=user, kind=kind)
        .values_list("rhythm", flat=True)
        .first()
    )
    return Rhythm(chosen or DEFAULTS.get(kind, Rhythm.IMMEDIATE))


def preferences_update(*, user: User, rhythms: Mapping[str, str]) -> list[str]:
    """Set the person's rhythm for the kinds given; the kinds whose rhythm changed.

    Messages still held for the person's working hours follow the new choice; messages
    already delivered in the app keep the choice they were delivered under, except that a
    kind no longer taken in a digest is no longer listed in one (``digests``).
    """
    errors = {
        kind: ValidationError(_("Choose a kind of message from the list."), code="kind")
        for kind in rhythms
        if kind not in Kind.values
    } | {
        kind: ValidationError(_("Choose how often from the list."), code="rhythm")
        for kind, rhythm in rhythms.items()
        if rhythm not in Rhythm.values
    }
    if errors:
        raise ValidationError(errors)
    current = rhythms_of(user)
    changed = [kind for kind, rhythm in rhythms.items() if current[kind] != rhythm]
    now = timezone.now()
    with transaction.atomic():
        for kind in changed:
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"rhythm": rhythms[kind], "updated_at": now}
            )
            Notification.objects.filter(user=user, kind=kind, delivered_at=None).update(
                rhythm=rhythms[kind]
            )
    return changed


def preferences_stop(*, user: User, kinds: list[str]) -> list[str]:
    """No more e-mail of these kinds (what an unsubscribe link does); the kinds changed."""
    return preferences_update(user=user, rhythms=dict.fromkeys(kinds, Rhythm.NEVER))


def rhythm_of_each(users: Sequence[User], kind: str) -> dict[int, Rhythm]:
    """Each person's rhythm for ``kind``, by their id, in one query."""
    chosen = dict(
        NotificationPreference.objects.filter(
            user__in=[user.pk for user in users], kind=kind
        ).values_list("user_id", "rhythm")
    )
    default = DEFAULTS.get(kind, Rhythm.IMMEDIATE)
    return {user.pk: Rhythm(chosen.get(user.pk, default)) for user in users}
