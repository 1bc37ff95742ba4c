"""A post the person scheduled on their own account that fails for good tells them, once, with
a link to their scheduled posts; a post that is retried, or made, tells nobody. Against the
small local HTTP server of the posting tests."""

from dataclasses import replace

import pytest
from django.urls import reverse
from django.utils import timezone

from coro import networks
from coro.connections.models import ConnectedAccount
from coro.connections.services import account_mark_reconnect
from coro.notifications.models import Notification
from coro.sharing import posting
from coro.sharing.models import ScheduledPost
from testing.factories import ScheduledPostFactory
from testing.posting_network import NETWORK, Answer, HttpTestClient, post_server

Status = ScheduledPost.Status
Kind = Notification.Kind
pytestmark = pytest.mark.django_db


@pytest.fixture
def server(monkeypatch):
    with post_server() as state:
        client = HttpTestClient(state.url)
        monkeypatch.setitem(
            networks.NETWORKS, NETWORK, replace(networks.NETWORKS[NETWORK], client=client)
        )
        yield state


@pytest.fixture
def scheduled():
    """A post due now; its person reads English (their messages are in their language)."""
    post = ScheduledPostFactory.create()
    post.share.membership.user.language = "en"
    post.share.membership.user.save(update_fields=["language"])
    return post


def run(scheduled, at=None):
    return posting.scheduled_post_run(post_id=scheduled.pk, now=at)


def failures():
    return Notification.objects.filter(kind=Kind.SCHEDULED_POST_FAILED)


def test_a_refused_post_tells_the_person_once(server, scheduled):
    server.script = [Answer(422)]
    post = run(scheduled)
    assert post is not None and post.status == Status.FAILED

    notification = failures().get()
    membership = scheduled.share.membership
    assert notification.user == membership.user
    assert notification.organisation == membership.organisation
    assert notification.link == f"/o/{membership.organisation.code}/me/scheduled-posts/"
    assert notification.about == f"scheduled:{scheduled.code}"
    assert notification.subject.startswith("Your post on Bluesky was not made: ")
    assert scheduled.share.post.text("en")["title"] in notification.subject
    assert "will not try again" in notification.body
    assert "422" in notification.body  # what went wrong
    assert "share" not in f"{notification.subject} {notification.body}".lower()

    # Over for good: a later run does nothing, and tells nobody again.
    assert run(scheduled) is None
    assert failures().count() == 1


def test_a_post_being_retried_tells_nobody_until_it_fails_for_good(server, scheduled):
    server.script = [Answer(503)] * posting.MAX_ATTEMPTS
    at = None
    for _ in range(posting.MAX_ATTEMPTS - 1):
        post = run(scheduled, at=at)
        assert post is not None and post.status == Status.SCHEDULED
        at = post.next_attempt_at
        assert failures().count() == 0
    last = run(scheduled, at=at)
    assert last is not None and last.status == Status.FAILED
    assert failures().count() == 1


def test_a_post_made_tells_nobody(server, scheduled):
    post = run(scheduled)
    assert post is not None and post.status == Status.POSTED
    assert failures().count() == 0


def test_a_refused_access_is_told_once_as_a_reconnection(server, scheduled):
    """The reconnection message already says the post was not made: not a second message."""
    server.script = [Answer(401)]
    post = run(scheduled)
    assert post is not None and post.status == Status.FAILED
    assert failures().count() == 0
    reconnect = Notification.objects.get(kind=Kind.ACCOUNT_RECONNECT)
    assert "posts you scheduled on it are not made" in reconnect.body
    assert reconnect.link == reverse(
        "connections:profiles", args=[scheduled.share.membership.organisation.code]
    )


def test_an_account_already_known_to_need_reconnecting_is_not_told_again(server, scheduled):
    """The follower count found it first (and told the person, once); the post that runs
    later fails without trying and says so, but the reconnection is not told a second time."""
    account = ConnectedAccount.objects.get(pk=scheduled.account_id)
    assert account_mark_reconnect(account=account) is True
    post = run(scheduled)
    assert post is not None and post.status == Status.FAILED
    assert server.requests == []
    assert Notification.objects.filter(kind=Kind.ACCOUNT_RECONNECT).count() == 1
    assert failures().count() == 1


def test_two_posts_refused_at_once_tell_the_reconnection_once(server, scheduled):
    """Two posts claimed together both meet the 401: one change, one message."""
    other = ScheduledPostFactory.create(share=scheduled.share, account=scheduled.account)
    server.script = [Answer(401), Answer(401)]
    for claimed in (scheduled, other):
        # Both read the account while it was still connected (claimed at the same moment).
        claim = posting._claim(claimed.pk, timezone.now())
        assert claim is not None
        fresh = ScheduledPost.objects.select_related("share", "account").get(pk=claimed.pk)
        fresh.account.status = ConnectedAccount.Status.CONNECTED
        posting._run(fresh, claim)
    assert ScheduledPost.objects.filter(status=Status.FAILED).count() == 2
    assert Notification.objects.filter(kind=Kind.ACCOUNT_RECONNECT).count() == 1


def test_an_account_that_needs_connecting_again_fails_the_post_and_says_so(server, scheduled):
    ConnectedAccount.objects.filter(pk=scheduled.account_id).update(
        status=ConnectedAccount.Status.RECONNECT
    )
    post = run(scheduled)
    assert post is not None and post.status == Status.FAILED
    assert "connecting again" in failures().get().body
    assert server.requests == []


def test_nobody_is_told_once_they_are_deactivated(server, scheduled):
    membership = scheduled.share.membership
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["deactivated_at"])
    server.script = [Answer(422)]
    post = run(scheduled)
    assert post is not None and post.status == Status.FAILED
    assert failures().count() == 0
