from django.utils import timezone

from coro.content.models import Post
from coro.orgs.models import Membership


def post_create(*, author: Membership, title: str, body: str, link: str) -> Post:
    post = Post(organisation=author.organisation, author=author, title=title, body=body, link=link)
    post.full_clean()
    post.save()
    return post


def post_update(*, post: Post, title: str, body: str, link: str) -> Post:
    post.title, post.body, post.link = title, body, link
    post.full_clean()
    post.save(update_fields=["title", "body", "link"])
    return post


def post_publish(*, post: Post) -> Post:
    if not post.is_published:
        post.status = Post.Status.PUBLISHED
        post.published_at = timezone.now()
        post.save(update_fields=["status", "published_at"])
    return post


def post_unpublish(*, post: Post) -> Post:
    post.status = Post.Status.DRAFT
    post.save(update_fields=["status"])
    return post
