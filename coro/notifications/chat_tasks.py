"""Background work of team chat: thin wrappers that pass ids to ``chat_services``.

Imported by ``chat_services`` (to enqueue), so the service is looked up when the task runs.
``chat_release_job`` is the periodic job that sends what came due without its task (a backend
that cannot run tasks later, a lost task); ``NotificationsConfig.ready()`` registers it.
"""

from datetime import timedelta

from django_tasks import task

from coro.core.periodic import PeriodicJob

# How often pending announcements that are due are looked for.
RELEASE_EVERY = timedelta(minutes=5)


@task()
def chat_announcement_deliver(announcement_id: int) -> None:
    """Post one announcement in its chat channel; safe to run twice (claimed first)."""
    from coro.notifications.chat_services import chat_announcement_send

    chat_announcement_send(announcement_id=announcement_id)


def _release_due() -> None:
    from coro.notifications.chat_services import chat_announcements_release_due

    chat_announcements_release_due()


def chat_release_job() -> PeriodicJob:
    """The periodic job that sends due announcements; register it with
    ``periodic_register(chat_release_job())``."""
    return PeriodicJob("notifications.chat_release_due", RELEASE_EVERY, _release_due)
