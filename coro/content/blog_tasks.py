"""Background work of blog feeds (to be merged into ``coro/content/tasks.py``): a thin wrapper
passing the feed's id to the service, looked up when it runs (the service imports this)."""

from django_tasks import task


@task()
def blog_feed_check_run(feed_id: int) -> int:
    """Check one blog feed; safe to run twice (items already taken are never taken again)."""
    from coro.content.blog import blog_feed_check

    return blog_feed_check(feed_id=feed_id)
