"""The one-click unsubscribe link of every e-mail (RFC 8058), which works without signing in.

The link carries a token signed with the site's secret key (``django.core.signing``, salted
for this use only): the person and the kinds of message the e-mail was about. Nobody can
make one for someone else or change its kinds. It does not expire and does not depend on
the person's current choices, so an old e-mail's link still works after they changed their
mind and back. Using it sets those kinds to "never by e-mail" and changes nothing else.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from coro.accounts.models import User
from coro.notifications.models import Notification
from coro.notifications.preferences import preferences_stop

SALT = "coro.notifications.unsubscribe"


class BadToken(Exception):
    """The link was cut short, changed, or is about an account that no longer exists."""


@dataclass(frozen=True)
class Unsubscription:
    user: User
    kinds: list[str]


def unsubscribe_token(*, user: User, kinds: list[str]) -> str:
    return signing.dumps({"u": user.pk, "k": sorted(set(kinds))}, salt=SALT, compress=True)


def unsubscribe_url(*, user: User, kinds: list[str]) -> str:
    """The absolute address of the link, for the e-mail's footer and its headers."""
    token = unsubscribe_token(user=user, kinds=kinds)
    return settings.BASE_URL + reverse("notifications:unsubscribe", kwargs={"token": token})


def unsubscribe_read(token: str) -> Unsubscription:
    """Whom and which kinds the token names; ``BadToken`` if it is not one of Coro's."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise BadToken from None
    if not isinstance(payload, dict):
        raise BadToken
    user_id, kinds = payload.get("u"), payload.get("k")
    if (
        not isinstance(user_id, int)
        or not isinstance(kinds, list)
        or not kinds
        or not all(kind in Notification.Kind.values for kind in kinds)
    ):
        raise BadToken
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise BadToken
    return Unsubscription(user=user, kinds=kinds)


def unsubscribe_apply(unsubscription: Unsubscription) -> list[str]:
    """Stop e-mail of the token's kinds for its person; the kinds that changed (none when
    the link is used twice)."""
    return preferences_stop(user=unsubscription.user, kinds=unsubscription.kinds)
