"""What the content app holds about a person (see coro/core/personal_data.py)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from coro.accounts.models import User
from coro.content.models import Post
from coro.core.personal_data import PersonalDataFile


def posts(user: User) -> list[dict[str, Any]]:
    rows = (
        Post.objects.filter(author__user=user).select_related("organisation").order_by("created_at")
    )
    return [
        {
            "organisation": p.organisation.name,
            "code": p.code,
            "title": p.title,
            "body": p.body,
            "link": p.link,
            "status": p.status,
            "created_at": p.created_at,
            "published_at": p.published_at,
        }
        for p in rows
    ]


FILES = [
    PersonalDataFile(
        "posts.json",
        (Post,),
        posts,
        _("Posts you wrote."),
    )
]
