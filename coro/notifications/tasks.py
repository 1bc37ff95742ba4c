"""Background work of notifications: thin wrappers that pass ids to the services.

Tasks are imported by ``services`` (to enqueue them), so the service they run is looked up
when the task runs rather than at import, which would be circular within this app.
"""

from django_tasks import task


@task()
def notification_deliver(notification_id: int) -> None:
    """Deliver one held notification; safe to run twice (the service claims it first)."""
    from coro.notifications.services import notification_send

    notification_send(notification_id=notification_id)


@task()
def digest_deliver(digest_id: int) -> None:
    """Send one digest; safe to run twice (the service claims it first)."""
    from coro.notifications.digests import digest_send

    digest_send(digest_id=digest_id)


@task()
def emails_deliver(user_id: int) -> None:
    """Send the person's due e-mails as one; safe to run twice (the messages are claimed)."""
    from coro.notifications.channels.email import emails_send

    emails_send(user_id=user_id)


@task()
def notifications_release() -> None:
    """Deliver whatever is held and due now (enqueued for the start of a working window)."""
    from coro.notifications.services import notifications_release_due

    notifications_release_due()
