from django.db.models import QuerySet

from coro.content.models import Post
from coro.orgs.models import Organisation


def posts_published(organisation: Organisation) -> QuerySet[Post]:
    return Post.objects.filter(organisation=organisation, status=Post.Status.PUBLISHED).order_by(
        "-published_at"
    )


def posts_all(organisation: Organisation) -> QuerySet[Post]:
    return Post.objects.filter(organisation=organisation).order_by("-created_at")
