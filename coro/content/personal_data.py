"""What the content app holds about a person (see coro/core/personal_data.py)."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.content.models import (
    BlogFeed,
    BlogFeedItem,
    Comment,
    LinkPreview,
    Post,
    PostImage,
    Reaction,
    Topic,
)
from coro.core.personal_data import PersonalDataFile


def posts(user: User) -> list[dict[str, Any]]:
    """Posts the person wrote or proposed."""
    rows = (
        Post.objects.filter(author__user=user).select_related("organisation").order_by("created_at")
    ) | Post.objects.filter(proposed_by__user=user).select_related("organisation")
    return [
        {
            "organisation": p.organisation.name,
            "code": p.code,
            "title": p.title,
            "language": p.language,
            "texts": p.texts,
            "suggestions": p.suggestions,
            "link": p.link,
            "status": p.status,
            "proposed": p.proposed_by is not None and p.proposed_by.user_id == user.pk,
            "decline_message": p.decline_message,
            "created_at": p.created_at,
            "published_at": p.published_at,
        }
        for p in rows.distinct().order_by("created_at")
    ]


def reactions(user: User) -> list[dict[str, Any]]:
    rows = Reaction.objects.filter(membership__user=user).select_related("post")
    return [
        {"post": r.post.code, "reaction": r.kind, "at": r.created_at}
        for r in rows.order_by("created_at")
    ]


def comments(user: User) -> list[dict[str, Any]]:
    rows = Comment.objects.filter(author__user=user).select_related("post", "parent")
    return [
        {
            "post": c.post.code,
            "code": c.code,
            "reply_to": c.parent.code if c.parent else None,
            "comment": c.body,
            "at": c.created_at,
            "hidden_reason": c.hidden_reason if c.hidden_at else None,
        }
        for c in rows.order_by("created_at")
    ]


FILES = [
    PersonalDataFile("posts.json", (Post,), posts, _("Posts you wrote or proposed.")),
    PersonalDataFile(
        "reactions.json", (Reaction,), reactions, _("Your reactions to posts and proposals.")
    ),
    PersonalDataFile("comments.json", (Comment,), comments, _("Your comments and replies.")),
]

NOTHING_PERSONAL: dict[type[Model], str] = {
    Topic: "a topic's name, the company's own label",
    PostImage: "an image of a post (its author is in posts.json); its metadata is stripped",
    LinkPreview: "what a post's public link shows (title, description, image)",
    BlogFeed: "the address of the company's blog feed",
    BlogFeedItem: "which blog items already became posts",
}


def erase(user: AbstractBaseUser) -> None:
    """Reactions go; comments lose their words and author, so replies keep their place."""
    Reaction.objects.filter(membership__user_id=user.pk).delete()
    Comment.objects.filter(author__user_id=user.pk).update(author=None, body="")
