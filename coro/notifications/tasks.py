from django_tasks import task


@task()
def notification_deliver(notification_id: int) -> None:
    """E-mail one held notification; safe to run twice (the service claims it first)."""
    from coro.notifications.services import notification_send

    notification_send(notification_id=notification_id)
