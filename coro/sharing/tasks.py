"""Background work of sharing: posting on a person's connected account (``posting.py``)."""

from django_tasks import task


@task()
def scheduled_post_publish(post_id: int) -> None:
    """Claim the scheduled post and send it once; safe to run twice (the claim and the
    post's idempotency key make one post)."""
    from coro.sharing.posting import scheduled_post_run

    scheduled_post_run(post_id=post_id)
