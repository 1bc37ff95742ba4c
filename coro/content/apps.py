from datetime import timedelta

from django.apps import AppConfig


def _publish_due() -> None:
    from coro.content.workflow import posts_publish_due

    posts_publish_due()


def _blog_feeds() -> None:
    from coro.content.blog import blog_feeds_check_all

    blog_feeds_check_all()


class ContentConfig(AppConfig):
    name = "coro.content"
    label = "content"

    def ready(self) -> None:
        from coro.core.periodic import PeriodicJob, periodic_register

        # Scheduled posts go live and expired ones are archived (the feed does not wait for it).
        periodic_register(PeriodicJob("content.publish_due", timedelta(minutes=1), _publish_due))
        # New articles of the company blog become draft posts.
        periodic_register(PeriodicJob("content.blog_feeds", timedelta(hours=1), _blog_feeds))
