"""Taking messages back: what was held about something that is gone (a post unpublished or
archived overnight) never goes out.

The app that owns the thing calls ``notifications_withdraw`` with the ``about`` its messages
were held with (``Notification.about``, ``ChatAnnouncement.about``). What has not reached
anyone yet is deleted: notifications not yet delivered (``delivered_at`` None: not in the
app, not e-mailed, not in a digest) and chat announcements still waiting (``PENDING``). What
reached people already stays as it is: it is their history; but an e-mail of it not sent yet
(a retry after an SMTP failure) is given up. An announcement being posted at this very
moment (``SENDING``) is left to finish, and so is a digest already made.
"""

import logging

from django.utils import timezone

from coro.notifications.models import ChatAnnouncement, Notification

logger = logging.getLogger(__name__)


def notifications_withdraw(*, about: str) -> int:
    """Delete every undelivered notification and every waiting chat announcement about
    ``about``; how many in all. Safe to run twice (the second run finds nothing). An empty
    ``about`` withdraws nothing: it would match every message held without one."""
    if not about:
        return 0
    notifications, _by_model = Notification.objects.filter(about=about, delivered_at=None).delete()
    # Shown in the app already, its e-mail not sent nor being sent: it is not sent.
    Notification.objects.filter(
        about=about,
        email_sent_at=None,
        email_given_up_at=None,
        email_claimed_at=None,
    ).exclude(delivered_at=None).update(email_given_up_at=timezone.now(), email_error="withdrawn")
    announcements, _by_model = ChatAnnouncement.objects.filter(
        about=about, status=ChatAnnouncement.Status.PENDING
    ).delete()
    if notifications or announcements:
        logger.info(
            "Withdrew %s notifications and %s chat announcements about %s.",
            notifications,
            announcements,
            about,
        )
    return notifications + announcements
