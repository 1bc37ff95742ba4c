"""Editors see how a post was made known, in aggregate only: ways of few people are merged."""

import pytest
from django.utils import timezone, translation

from coro.notifications.figures import post_reach
from coro.notifications.models import ChatAnnouncement, Digest, Notification
from testing.factories import ChatWebhookFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


def told(org, about, count, *, channel="", delivered=True, digest=None, kind=Kind.NEW_POST):
    now = timezone.now()
    for _ in range(count):
        emailed = now if channel == "email" else None
        Notification.objects.create(
            email_sent_at=emailed,
            user=UserFactory(),
            organisation=org,
            kind=kind,
            subject="Nuevo",
            body="",
            about=about,
            deliver_after=now,
            delivered_at=now if delivered else None,
            channel=channel,
            digest=digest,
        )


def ways(reach):
    with translation.override("en"):
        return {str(way.label): way.people for way in reach.ways}


def test_ways_of_enough_people_are_shown_and_small_ones_merged(tenancy):
    org = tenancy.org
    org.min_group_size = 5
    org.save()
    told(org, "post:a", 12, channel="in_app")
    told(org, "post:a", 6, channel="email")
    told(org, "post:a", 2, delivered=False)  # too few: merged with the smallest shown way
    sent = Digest.objects.create(user=UserFactory(), rhythm="daily", sent_at=timezone.now())
    told(org, "post:a", 1, channel="in_app", digest=sent)
    told(org, "post:b", 9, channel="email")  # another post
    told(org, "post:a", 4, channel="email", kind=Kind.COMMENT_REPLY)  # not a new-post message
    reach = post_reach(organisation=org, about="post:a")
    assert reach.people == 21
    # The two small ways (3 people) were still too few alone: e-mail joined them.
    assert ways(reach) == {"In Coro only (or an e-mail still to come)": 12, "Other ways": 9}


def test_below_the_minimum_in_all_only_that_is_said(tenancy):
    org = tenancy.org
    org.min_group_size = 5
    org.save()
    told(org, "post:a", 3, channel="email")
    reach = post_reach(organisation=org, about="post:a")
    assert reach.too_few and reach.ways == []


def test_another_organisations_messages_are_not_counted(tenancy):
    told(tenancy.other_org, "post:a", 10, channel="email")
    assert post_reach(organisation=tenancy.org, about="post:a").people == 0


def test_chat_announcements_are_counted_by_state(tenancy):
    hook = ChatWebhookFactory(organisation=tenancy.org)
    other = ChatWebhookFactory(organisation=tenancy.org)
    ChatAnnouncement.objects.create(
        webhook=hook, about="post:a", text="t", link="/", status=ChatAnnouncement.Status.SENT
    )
    ChatAnnouncement.objects.create(webhook=other, about="post:a", text="t", link="/")
    reach = post_reach(organisation=tenancy.org, about="post:a")
    assert (reach.chats_sent, reach.chats_waiting) == (1, 1)


def test_the_editor_sees_the_figures_on_a_published_post(tenancy, settings):
    settings.LANGUAGE_CODE = "en"
    org = tenancy.org
    org.min_group_size = 3
    org.save()
    post = PostFactory(organisation=org, published_at=timezone.now())
    told(org, f"post:{post.code}", 4, channel="email")
    web = tenancy.client_for(tenancy.editor.user)
    page = web.get(f"/o/{org.code}/posts/{post.code}/edit/").content.decode()
    assert "How people heard about it" in page
    assert "4 people were told about it" in page
    assert "By e-mail, right away" in page
