from django.utils import timezone

from coro.content.models import Post
from coro.orgs.models import Membership


def post_create(*, author: Membership, title: str, body: str, link: str) -> Post:
    language = author.organisation.language
    post = Post(
        organisation=author.organisation,
        author=author,
        language=language,
        texts={language: {"title": title, "body": body}},
        link=link,
    )
    post.search_text = Post.search_text_for(post.texts)
    post.full_clean()
    post.save()
    return post


def post_update(*, post: Post, title: str, body: str, link: str) -> Post:
    post.texts = {**post.texts, post.language: {"title": title, "body": body}}
    post.link = link
    post.search_text = Post.search_text_for(post.texts)
    post.full_clean()
    post.save(update_fields=["texts", "search_text", "link"])
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


def post_link_lock(*, post: Post) -> None:
    """The post has been shared: its link is frozen from now on (the first share sets it)."""
    if post.link_locked_at is None:
        Post.objects.filter(pk=post.pk, link_locked_at=None).update(link_locked_at=timezone.now())
        post.refresh_from_db(fields=["link_locked_at"])
