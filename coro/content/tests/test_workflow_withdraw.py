"""A post taken back overnight takes its held messages back: published at 22:00, archived (or
back to draft, or expired) before the morning, nobody hears of it at 09:00: no e-mail, no
digest, no chat message, nothing in the app. Left published, everyone hears of it then, and
every message links to the post's page (its share buttons are there, one click away)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from coro.content import workflow
from coro.content.models import Post
from coro.core import crypto
from coro.notifications.chat_services import chat_announcements_release_due
from coro.notifications.digests import digests_run
from coro.notifications.models import ChatAnnouncement, ChatWebhook, Notification, Rhythm
from coro.notifications.preferences import preferences_update
from coro.notifications.selectors import notifications_delivered
from coro.notifications.services import notifications_release_due
from coro.notifications.tests.chat_server import (  # noqa: F401 (fixtures)
    MADRID,
    chat_server_fixture,
)
from coro.notifications.withdraw import notifications_withdraw
from coro.program.models import Participation
from coro.program.selectors import terms_current
from testing.factories import MembershipFactory, PostFactory
from testing.smtp import smtp_server_fixture  # noqa: F401 (fixture)

S = Post.Status
# 2026-06-01 is a Monday; Madrid is UTC+2 in June. Everyone works 9:00-18:00, Monday to Friday.
MONDAY_22 = datetime(2026, 6, 1, 22, 0, tzinfo=MADRID)
MONDAY_23 = datetime(2026, 6, 1, 23, 0, tzinfo=MADRID)
TUESDAY_9 = datetime(2026, 6, 2, 9, 0, tzinfo=MADRID)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = MONDAY_22.astimezone(UTC)
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def readers(tenancy):
    """Two people the post is for: one takes new posts by e-mail right away, one in the
    daily digest (the default)."""
    people = []
    for name, rhythm in (("Inma", Rhythm.IMMEDIATE), ("Dani", Rhythm.DAILY)):
        member = MembershipFactory.create(
            organisation=tenancy.org, user__language="en", user__name=name
        )
        Participation.objects.create(
            membership=member,
            status=Participation.Status.ENROLLED,
            terms=terms_current(tenancy.org),
        )
        preferences_update(user=member.user, rhythms={Notification.Kind.NEW_POST: rhythm})
        people.append(member)
    return people


@pytest.fixture
def channel(tenancy, chat_server):
    return ChatWebhook.objects.create(
        organisation=tenancy.org,
        service="slack",
        url_encrypted=crypto.encrypt(chat_server.url("/everyone")),
    )


def publish_at_22(tenancy, clock, capture) -> Post:
    post = PostFactory(
        organisation=tenancy.org,
        author=tenancy.editor,
        title="Azulejos nuevos",
        status=S.DRAFT,
        published_at=None,
    )
    with capture(execute=True):
        workflow.post_transition(post=post, to=S.PUBLISHED, by=tenancy.editor)
    return post


def morning(clock, capture) -> None:
    """09:00: the periodic jobs that send what was held (the test backend cannot defer)."""
    clock.set(TUESDAY_9)
    with capture(execute=True):
        notifications_release_due()
        chat_announcements_release_due()
        digests_run()


def post_url(post: Post) -> str:
    return settings.BASE_URL + reverse(
        "content:post_detail", args=[post.organisation.code, post.code]
    )


@pytest.mark.parametrize("to", [S.ARCHIVED, S.DRAFT])
def test_a_post_taken_back_overnight_is_announced_to_nobody_in_the_morning(
    tenancy,
    readers,
    channel,
    clock,
    smtp_server,
    chat_server,
    django_capture_on_commit_callbacks,
    to,
):
    post = publish_at_22(tenancy, clock, django_capture_on_commit_callbacks)
    # Held for the morning: nobody hears of it at 22:00.
    assert Notification.objects.filter(about=f"post:{post.code}", delivered_at=None).count() == 2
    assert ChatAnnouncement.objects.filter(webhook=channel).count() == 1
    assert smtp_server.messages == [] and chat_server.received == []

    clock.set(MONDAY_23)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.post_transition(post=post, to=to, by=tenancy.editor)
    morning(clock, django_capture_on_commit_callbacks)

    assert smtp_server.messages == []
    assert chat_server.received == []
    for reader in readers:
        assert not notifications_delivered(reader.user).exists()
    assert not Notification.objects.filter(about=f"post:{post.code}").exists()
    assert not ChatAnnouncement.objects.exists()


def test_a_post_that_expires_overnight_is_announced_to_nobody_in_the_morning(
    tenancy,
    readers,
    channel,
    clock,
    smtp_server,
    chat_server,
    django_capture_on_commit_callbacks,
):
    post = publish_at_22(tenancy, clock, django_capture_on_commit_callbacks)
    Post.objects.filter(pk=post.pk).update(expire_at=MONDAY_23)
    clock.set(MONDAY_23 + timedelta(minutes=1))
    assert workflow.posts_publish_due() == (0, 1)
    morning(clock, django_capture_on_commit_callbacks)

    assert smtp_server.messages == [] and chat_server.received == []
    assert not Notification.objects.filter(about=f"post:{post.code}").exists()


def test_a_post_left_published_reaches_everyone_in_the_morning_linking_to_its_page(
    tenancy,
    readers,
    channel,
    clock,
    smtp_server,
    chat_server,
    django_capture_on_commit_callbacks,
):
    post = publish_at_22(tenancy, clock, django_capture_on_commit_callbacks)
    morning(clock, django_capture_on_commit_callbacks)

    link = post_url(post)
    # Both people by e-mail (one right away, one in the digest), each with the post's page.
    assert sorted(m.recipients[0] for m in smtp_server.messages) == sorted(
        r.user.email for r in readers
    )
    for message in smtp_server.messages:
        assert link in message.part("text/plain")
        assert f'href="{link}"' in message.part("text/html")
    # In the app, with the post's page as its link.
    for reader in readers:
        [shown] = notifications_delivered(reader.user)
        assert shown.link == reverse("content:post_detail", args=[tenancy.org.code, post.code])
    # In the team's chat channel, with the post's page as its button.
    [posted] = chat_server.at("/everyone")
    assert f"<{link}|" in posted.json["text"]


def test_what_reached_people_already_is_not_taken_back(
    tenancy, readers, channel, clock, smtp_server, chat_server, django_capture_on_commit_callbacks
):
    post = publish_at_22(tenancy, clock, django_capture_on_commit_callbacks)
    morning(clock, django_capture_on_commit_callbacks)
    sent = len(smtp_server.messages)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.post_transition(post=post, to=S.ARCHIVED, by=tenancy.editor)

    assert notifications_withdraw(about=f"post:{post.code}") == 0  # nothing left to take back
    for reader in readers:
        assert notifications_delivered(reader.user).count() == 1
    assert ChatAnnouncement.objects.get().status == ChatAnnouncement.Status.SENT
    assert len(smtp_server.messages) == sent


def test_withdrawing_touches_only_what_it_is_about(tenancy, readers, clock):
    other = PostFactory(organisation=tenancy.org, status=S.PUBLISHED)
    reader = readers[0].user
    kept = Notification.objects.create(
        user=reader,
        organisation=tenancy.org,
        kind=Notification.Kind.NEW_POST,
        subject="New post",
        body="",
        about=f"post:{other.code}",
        deliver_after=TUESDAY_9,
    )
    unrelated = Notification.objects.create(
        user=reader,
        organisation=tenancy.org,
        kind=Notification.Kind.COMMENT_REPLY,
        subject="A reply",
        body="",
        deliver_after=TUESDAY_9,
    )
    assert notifications_withdraw(about="") == 0
    assert notifications_withdraw(about="post:gone") == 0
    assert set(Notification.objects.values_list("pk", flat=True)) == {kept.pk, unrelated.pk}
