"""Background work of content: thin wrappers that pass ids to the services.

Tasks are imported by the services (to enqueue them), so the service they run is looked up
when the task runs rather than at import, which would be circular within this app.
"""

from django_tasks import task


@task()
def link_preview_fetch(post_id: int) -> None:
    """Fetch the preview of a post's link; safe to run twice (the service checks the link)."""
    from coro.content.previews import preview_fetch

    preview_fetch(post_id=post_id)


@task()
def blog_feed_check_run(feed_id: int) -> int:
    """Check one blog feed; safe to run twice (items already taken are never taken again)."""
    from coro.content.blog import blog_feed_check

    return blog_feed_check(feed_id=feed_id)


@task()
def post_live_notify_run(post_id: int) -> int:
    """Tell people a post is live; safe to run twice (each person is told once)."""
    from coro.content.notify import post_live_notify

    return post_live_notify(post_id=post_id)
