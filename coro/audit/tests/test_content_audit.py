"""Blog feeds and hidden comments in the audit trail: each change writes one entry, in the
same transaction as the change. A hidden comment's entry names who hid it, whose it was and
why, and never holds the comment's words."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from coro.audit.models import AuditEntry
from coro.content import blog, community
from coro.content.models import BlogFeed, Comment
from testing.factories import BlogFeedFactory, CommentFactory, PostFactory

Action = AuditEntry.Action
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
WORDS = "Vaya porquería de anuncio, Rodolfo"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def audit_page(tenancy) -> str:
    response = tenancy.client_for(tenancy.admin.user).get(f"/o/{tenancy.org.code}/audit/", **EN)
    assert response.status_code == 200
    return response.content.decode()


def row_of(html: str, action: str) -> str:
    found = re.search(rf'<tr data-action="{action}">(.*?)</tr>', html, re.DOTALL)
    assert found, f"no {action} row on the audit page"
    return found.group(1)


def exports(tenancy) -> str:
    client = tenancy.client_for(tenancy.admin.user)
    csv = client.get(f"/o/{tenancy.org.code}/audit.csv").content.decode("utf-8-sig")
    data = client.get(f"/o/{tenancy.org.code}/audit.json").content.decode("utf-8")
    return csv + json.dumps(json.loads(data), ensure_ascii=False)


def feeds_url(tenancy, rest: str = "") -> str:
    return f"/o/{tenancy.org.code}/settings/blog-feeds/{rest}"


# --- Blog feeds ---------------------------------------------------------------------------


def test_adding_a_feed_is_recorded(tenancy):
    client = tenancy.client_for(tenancy.admin.user)
    response = client.post(
        feeds_url(tenancy, "add/"), {"url": "https://blog.example/feed", "language": "es"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(organisation=tenancy.org)
    assert entry.action == Action.BLOG_FEEDS_CHANGED
    assert (entry.actor_ref, entry.target_ref) == (tenancy.admin.code, "")
    assert (entry.before, entry.after) == ({}, {"feed": "https://blog.example/feed"})
    row = row_of(audit_page(tenancy), "blog_feeds_changed")
    assert "Alicia Admin" in row
    assert "Blog feeds changed" in row
    assert "feed address: — → https://blog.example/feed" in row


def test_a_refused_feed_records_nothing(tenancy):
    BlogFeedFactory.create(organisation=tenancy.org, url="https://blog.example/feed")
    client = tenancy.client_for(tenancy.admin.user)
    for url in ["https://blog.example/feed", "ftp://blog.example/feed"]:
        response = client.post(feeds_url(tenancy, "add/"), {"url": url, "language": "es"})
        assert response.status_code == 200
    assert not AuditEntry.objects.exists()


def test_removing_a_feed_is_recorded(tenancy):
    feed = BlogFeedFactory.create(organisation=tenancy.org, url="https://blog.example/rss")
    client = tenancy.client_for(tenancy.admin.user)
    assert client.get(feeds_url(tenancy, f"{feed.code}/remove/")).status_code == 200
    assert not AuditEntry.objects.exists()  # asking is not removing
    assert client.post(feeds_url(tenancy, f"{feed.code}/remove/")).status_code == 302
    entry = AuditEntry.objects.get(organisation=tenancy.org)
    assert (entry.action, entry.actor_ref) == (Action.BLOG_FEEDS_CHANGED, tenancy.admin.code)
    assert (entry.before, entry.after) == ({"feed": "https://blog.example/rss"}, {})
    row = row_of(audit_page(tenancy), "blog_feeds_changed")
    assert "feed address: https://blog.example/rss → —" in row
    # Removing what is already gone records nothing more.
    blog.blog_feed_remove(feed=feed, actor=tenancy.admin)
    assert AuditEntry.objects.count() == 1


def test_a_feed_change_and_its_entry_are_written_together(tenancy, monkeypatch):
    def broken(**kwargs):
        raise ValidationError("audit trail unavailable")

    feed = BlogFeedFactory.create(organisation=tenancy.org)
    monkeypatch.setattr(blog, "audit_record", broken)
    with pytest.raises(ValidationError):
        blog.blog_feed_add(
            organisation=tenancy.org,
            url="https://blog.example/other",
            language="es",
            actor=tenancy.admin,
        )
    with pytest.raises(ValidationError):
        blog.blog_feed_remove(feed=feed, actor=tenancy.admin)
    assert list(BlogFeed.objects.values_list("pk", flat=True)) == [feed.pk]


# --- Hidden comments ----------------------------------------------------------------------


def hide(tenancy, comment: Comment, reason: str):
    client = tenancy.client_for(tenancy.editor.user)
    return client.post(f"/o/{tenancy.org.code}/comments/{comment.code}/hide/", {"reason": reason})


def test_hiding_a_comment_is_recorded_without_its_words(tenancy):
    post = PostFactory(organisation=tenancy.org)
    comment = CommentFactory(post=post, author=tenancy.employee, body=WORDS)
    assert hide(tenancy, comment, "Insulta a un cliente").status_code == 302
    entry = AuditEntry.objects.get(organisation=tenancy.org)
    assert entry.action == Action.COMMENT_HIDDEN
    assert (entry.actor_ref, entry.target_ref) == (tenancy.editor.code, tenancy.employee.code)
    assert (entry.before, entry.after) == ({}, {})
    assert entry.reason == "Insulta a un cliente"
    html = audit_page(tenancy)
    row = row_of(html, "comment_hidden")
    assert "Eva Editora" in row
    assert "Comment hidden" in row
    assert "Emilio Empleado" in row
    assert "Insulta a un cliente" in row
    for text in (html, exports(tenancy)):
        assert "Vaya porquer" not in text
        assert "Rodolfo" not in text


def test_a_comment_of_an_erased_author_is_recorded_with_no_target(tenancy):
    post = PostFactory(organisation=tenancy.org)
    comment = CommentFactory(post=post, author=None, body="")
    community.comment_hide(comment=comment, membership=tenancy.admin, reason="Spam")
    entry = AuditEntry.objects.get(organisation=tenancy.org)
    assert (entry.action, entry.actor_ref, entry.target_ref) == (
        Action.COMMENT_HIDDEN,
        tenancy.admin.code,
        "",
    )
    assert entry.reason == "Spam"
    assert "Spam" in row_of(audit_page(tenancy), "comment_hidden")


def test_a_refused_hide_records_nothing(tenancy):
    comment = CommentFactory(post=PostFactory(organisation=tenancy.org), body=WORDS)
    assert hide(tenancy, comment, "  ").status_code == 400
    with pytest.raises(ValidationError):
        community.comment_hide(comment=comment, membership=tenancy.employee, reason="Feo")
    assert not AuditEntry.objects.exists()


def test_a_hidden_comment_and_its_entry_are_written_together(tenancy, monkeypatch):
    def broken(**kwargs):
        raise ValidationError("audit trail unavailable")

    comment = CommentFactory(post=PostFactory(organisation=tenancy.org), body=WORDS)
    monkeypatch.setattr(community, "audit_record", broken)
    with pytest.raises(ValidationError):
        community.comment_hide(comment=comment, membership=tenancy.editor, reason="Feo")
    comment.refresh_from_db()
    assert (comment.hidden_at, comment.hidden_reason) == (None, "")
