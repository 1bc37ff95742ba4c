"""A first share and a change of the post's link never cross: ``share_record`` locks the
post's row, as the editor's ``post_update`` does, and works with the row as locked."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet

from coro.content.models import Post
from coro.content.services import post_update
from coro.sharing.services import share_record
from testing.factories import PostFactory


@pytest.fixture
def post(tenancy):
    return PostFactory(organisation=tenancy.org, link="https://azulejos.es/antes")


def test_the_post_row_is_locked_inside_the_transaction_that_records_the_share(
    tenancy, post, monkeypatch
):
    locks = []
    original = QuerySet.select_for_update

    def watched(self, *args, **kwargs):
        if self.model is Post:
            locks.append(connection.in_atomic_block)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", watched)
    share_record(post=post, membership=tenancy.employee, network="x", text="Hola")
    # The test itself runs in a transaction: the lock is taken in share_record's own atomic
    # block, nested in it (a savepoint), which is the same on PostgreSQL.
    assert locks == [True]


def test_a_link_changed_just_before_the_first_share_is_the_one_shared(tenancy, post):
    stale = Post.objects.get(pk=post.pk)  # what the share screen read
    Post.objects.filter(pk=post.pk).update(link="https://azulejos.es/despues")
    share = share_record(post=stale, membership=tenancy.employee, network="x", text="Hola")
    assert share.post.link == "https://azulejos.es/despues"
    post.refresh_from_db()
    assert post.link_locked_at is not None


def test_after_the_first_share_the_link_cannot_change(tenancy, post):
    share_record(post=post, membership=tenancy.employee, network="x", text="Hola")
    with pytest.raises(ValidationError):
        fresh = Post.objects.get(pk=post.pk)
        post_update(
            post=fresh,
            by=tenancy.editor,
            language=fresh.language,
            texts=fresh.texts,
            link="https://azulejos.es/otra",
        )
    post.refresh_from_db()
    assert post.link == "https://azulejos.es/antes"
