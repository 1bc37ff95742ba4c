"""Scheduled posts against a small real HTTP server on loopback that answers 503, 429 with
Retry-After, 401 ... then 200: the retry schedule, the final states, and one post per key
however often the task runs."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from coro import networks
from coro.connections.models import ConnectedAccount
from coro.notifications.models import Notification
from coro.sharing import posting
from coro.sharing.models import ScheduledPost
from coro.sharing.tasks import scheduled_post_publish
from testing.factories import ScheduledPostFactory
from testing.posting_network import NETWORK, Answer, HttpTestClient, post_server

Status = ScheduledPost.Status
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read Coro's English texts (the default language is Spanish)."""
    settings.LANGUAGE_CODE = "en"


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
    return ScheduledPostFactory.create()


def run(scheduled: ScheduledPost, at: datetime | None = None) -> ScheduledPost | None:
    return posting.scheduled_post_run(post_id=scheduled.pk, now=at)


def waits_about(post: ScheduledPost, before: datetime, wait: timedelta) -> None:
    """The next attempt is ``wait`` after the failure (which came between ``before`` and now)."""
    assert post.next_attempt_at is not None
    assert before + wait <= post.next_attempt_at <= timezone.now() + wait


def test_503_then_429_then_200_retries_on_schedule_and_posts_once(server, scheduled):
    server.script = [Answer(503), Answer(429, {"Retry-After": "120"})]

    before = timezone.now()
    first = run(scheduled)
    assert first is not None
    assert (first.status, first.attempts) == (Status.SCHEDULED, 1)
    assert "503" in first.last_error
    waits_about(first, before, timedelta(minutes=1))

    # Not due yet: nothing is sent.
    assert run(scheduled) is None
    assert len(server.requests) == 1

    assert first.next_attempt_at is not None
    before = timezone.now()
    second = run(scheduled, at=first.next_attempt_at)
    assert second is not None
    assert (second.status, second.attempts) == (Status.SCHEDULED, 2)
    waits_about(second, before, timedelta(seconds=120))  # Retry-After, not the backoff

    assert second.next_attempt_at is not None
    third = run(scheduled, at=second.next_attempt_at)
    assert third is not None
    assert (third.status, third.attempts) == (Status.POSTED, 3)
    assert third.remote_id == "post-1"
    assert third.remote_url == f"{server.url}/posts/1"
    assert third.posted_at is not None
    assert third.last_error == ""
    assert third.next_attempt_at is None

    # Three requests, all with the post's one key and its text and tracked link; one post.
    assert [r["key"] for r in server.requests] == [scheduled.idempotency_key] * 3
    assert server.requests[0]["text"] == scheduled.text
    assert server.requests[0]["link"] == scheduled.share.tracked_link
    assert server.requests[0]["token"] == "Bearer secret-token"
    assert len(server.posts) == 1


def test_backoff_doubles_up_to_the_cap_then_the_post_fails(server, scheduled):
    server.script = [Answer(503)] * posting.MAX_ATTEMPTS + [Answer(200)]
    waits = []
    at = None
    for _ in range(posting.MAX_ATTEMPTS - 1):
        before = timezone.now()
        post = run(scheduled, at=at)
        assert post is not None
        assert post.status == Status.SCHEDULED
        assert post.next_attempt_at is not None
        waits.append(post.next_attempt_at - before)
        at = post.next_attempt_at
    minutes = [round(w.total_seconds() / 60) for w in waits]
    assert minutes == [1, 2, 4, 8, 16, 32, 60]

    last = run(scheduled, at=at)
    assert last is not None
    assert (last.status, last.attempts) == (Status.FAILED, posting.MAX_ATTEMPTS)
    assert last.next_attempt_at is None
    # Over for good: no further run sends anything.
    assert run(scheduled, at=at + timedelta(days=1)) is None  # type: ignore[operator]
    assert len(server.requests) == posting.MAX_ATTEMPTS
    assert server.posts == {}


def test_401_is_never_retried_and_the_account_needs_reconnecting(server, scheduled):
    server.script = [Answer(503), Answer(429, {"Retry-After": "30"}), Answer(401), Answer(200)]
    post = run(scheduled)
    assert post is not None and post.next_attempt_at is not None
    post = run(scheduled, at=post.next_attempt_at)
    assert post is not None and post.next_attempt_at is not None
    post = run(scheduled, at=post.next_attempt_at)
    assert post is not None
    assert (post.status, post.attempts) == (Status.FAILED, 3)
    assert post.next_attempt_at is None
    assert post.last_error
    account = ConnectedAccount.objects.get(pk=scheduled.account_id)
    assert account.status == ConnectedAccount.Status.RECONNECT

    # Never retried: not by the task, not by the periodic job.
    later = timezone.now() + timedelta(days=1)
    assert run(scheduled, at=later) is None
    assert posting.scheduled_posts_enqueue_due(now=later) == 0
    assert len(server.requests) == 3
    assert server.posts == {}


def test_a_post_on_an_account_needing_reconnection_is_not_sent(server, scheduled):
    ConnectedAccount.objects.filter(pk=scheduled.account_id).update(
        status=ConnectedAccount.Status.RECONNECT
    )
    post = run(scheduled)
    assert post is not None and post.status == Status.FAILED
    assert server.requests == []


def test_403_also_fails_at_once(server, scheduled):
    server.script = [Answer(403)]
    post = run(scheduled)
    assert post is not None and post.status == Status.FAILED
    assert len(server.requests) == 1


def test_other_refusals_fail_without_retry(server, scheduled):
    server.script = [Answer(422)]
    post = run(scheduled)
    assert post is not None and post.status == Status.FAILED
    assert "422" in post.last_error


def test_a_server_that_cannot_be_reached_is_retried(monkeypatch, scheduled):
    with post_server() as state:
        gone = state.url  # closed below: nothing listens there any more
    client = HttpTestClient(gone)
    monkeypatch.setitem(
        networks.NETWORKS, NETWORK, replace(networks.NETWORKS[NETWORK], client=client)
    )
    post = run(scheduled)
    assert post is not None
    assert (post.status, post.attempts) == (Status.SCHEDULED, 1)


def test_the_person_is_told_when_the_account_needs_reconnecting(server, scheduled):
    server.script = [Answer(401)]
    run(scheduled)
    notification = Notification.objects.get(user=scheduled.share.membership.user)
    assert notification.kind == Notification.Kind.ACCOUNT_RECONNECT
    assert "again" in notification.subject
    # To My networks, where the account is connected again.
    assert notification.link.endswith("/me/networks/")


# --- Idempotency: a task run twice, a claim left by a dead worker ---------------------------


def test_the_task_run_twice_posts_once(server, scheduled):
    scheduled_post_publish.enqueue(scheduled.pk)
    scheduled_post_publish.enqueue(scheduled.pk)
    scheduled.refresh_from_db()
    assert scheduled.status == Status.POSTED
    assert scheduled.attempts == 1
    assert len(server.requests) == 1
    assert len(server.posts) == 1


def test_a_claim_left_by_a_dead_worker_is_sent_again_with_the_same_key(server, scheduled):
    # The dead worker's request reached the network, which made the post; its answer was lost.
    server.answer(scheduled.idempotency_key, {"text": scheduled.text})
    claimed = timezone.now() - posting.STALE_CLAIM - timedelta(seconds=1)
    ScheduledPost.objects.filter(pk=scheduled.pk).update(
        status=Status.POSTING, claimed_at=claimed, attempts=1
    )
    post = run(scheduled)
    assert post is not None
    assert (post.status, post.attempts) == (Status.POSTED, 2)
    assert post.remote_id == "post-1"
    assert [r["key"] for r in server.requests] == [scheduled.idempotency_key] * 2
    assert len(server.posts) == 1


def test_a_fresh_claim_is_left_to_its_worker(server, scheduled):
    ScheduledPost.objects.filter(pk=scheduled.pk).update(
        status=Status.POSTING, claimed_at=timezone.now() - timedelta(seconds=30)
    )
    assert run(scheduled) is None
    assert posting.scheduled_posts_enqueue_due() == 0
    assert server.requests == []


def test_the_periodic_job_enqueues_due_and_stale_posts_only(
    server, django_capture_on_commit_callbacks
):
    now = timezone.now()
    due = ScheduledPostFactory.create(run_at=now - timedelta(minutes=1))
    stale = ScheduledPostFactory.create(status=Status.POSTING, claimed_at=now - timedelta(hours=1))
    ScheduledPostFactory.create(run_at=now + timedelta(hours=1))  # not yet
    ScheduledPostFactory.create(next_attempt_at=now + timedelta(minutes=5))  # retry not due
    ScheduledPostFactory.create(status=Status.POSTING, claimed_at=now)  # being sent
    ScheduledPostFactory.create(status=Status.FAILED)
    ScheduledPostFactory.create(status=Status.CANCELLED)
    ScheduledPostFactory.create(status=Status.POSTED)

    with django_capture_on_commit_callbacks(execute=True):
        assert posting.scheduled_posts_enqueue_due(now=now) == 2

    assert sorted(r["key"] for r in server.requests) == sorted(
        [due.idempotency_key, stale.idempotency_key]
    )
    assert set(ScheduledPost.objects.filter(status=Status.POSTED).values_list("pk", flat=True)) >= {
        due.pk,
        stale.pk,
    }


def test_the_periodic_job_is_registered_every_minute():
    from coro.core.periodic import JOBS

    assert JOBS["sharing.scheduled_posts"].every == timedelta(minutes=1)


# --- A client that raises what it should not; claims that used every attempt ----------------


class BrokenClient:
    """A client with a bug (or an answer it did not expect): it raises ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def post(self, **kwargs: object) -> networks.Posted:
        self.calls += 1
        raise self.error

    def audience_size(self, **kwargs: object) -> int | None:
        return None


@pytest.mark.parametrize("error", [TypeError("'list' object"), KeyError("server")])
def test_an_unexpected_error_is_retried_as_an_attempt_then_fails(
    monkeypatch, scheduled, error, caplog
):
    broken = BrokenClient(error)
    monkeypatch.setitem(
        networks.NETWORKS, NETWORK, replace(networks.NETWORKS[NETWORK], client=broken)
    )
    before = timezone.now()
    post = run(scheduled)
    assert post is not None
    assert (post.status, post.attempts) == (Status.SCHEDULED, 1)  # never left POSTING
    assert post.claimed_at is None
    assert post.last_error == "Something unexpected went wrong while posting."
    waits_about(post, before, posting.RETRY_FIRST)
    assert "the bluesky client failed" in caplog.text

    at = post.next_attempt_at
    for _ in range(posting.MAX_ATTEMPTS - 1):
        post = run(scheduled, at=at)
        assert post is not None and post.status != Status.POSTING
        at = post.next_attempt_at
    assert (post.status, post.attempts) == (Status.FAILED, posting.MAX_ATTEMPTS)
    assert broken.calls == posting.MAX_ATTEMPTS
    # Over: nothing runs it again, not the task, not the periodic job.
    later = timezone.now() + timedelta(days=1)
    assert run(scheduled, at=later) is None
    assert posting.scheduled_posts_enqueue_due(now=later) == 0
    assert broken.calls == posting.MAX_ATTEMPTS


def test_an_error_outside_the_client_does_not_leave_the_claim(monkeypatch, server, scheduled):
    def broken_card(post, link):
        raise ValueError("a preview Coro cannot read")

    monkeypatch.setattr(posting, "link_card", broken_card)
    post = run(scheduled)
    assert post is not None
    assert (post.status, post.attempts) == (Status.SCHEDULED, 1)
    assert post.next_attempt_at is not None
    assert server.requests == []


def test_a_stale_claim_that_used_every_attempt_fails_instead_of_being_sent(server, scheduled):
    claimed = timezone.now() - posting.STALE_CLAIM - timedelta(seconds=1)
    ScheduledPost.objects.filter(pk=scheduled.pk).update(
        status=Status.POSTING, claimed_at=claimed, attempts=posting.MAX_ATTEMPTS
    )
    assert run(scheduled) is None
    post = ScheduledPost.objects.get(pk=scheduled.pk)
    assert (post.status, post.attempts) == (Status.FAILED, posting.MAX_ATTEMPTS)
    assert "Check your timeline" in post.last_error
    assert post.next_attempt_at is None
    assert server.requests == []
    assert posting.scheduled_posts_enqueue_due() == 0


def test_a_stale_claim_with_attempts_left_is_still_sent(server, scheduled):
    claimed = timezone.now() - posting.STALE_CLAIM - timedelta(seconds=1)
    ScheduledPost.objects.filter(pk=scheduled.pk).update(
        status=Status.POSTING, claimed_at=claimed, attempts=posting.MAX_ATTEMPTS - 1
    )
    post = run(scheduled)
    assert post is not None
    assert (post.status, post.attempts) == (Status.POSTED, posting.MAX_ATTEMPTS)
    assert len(server.requests) == 1


# --- Retry-After's floor; Mastodon's one-hour memory of the key --------------------------------


@pytest.mark.parametrize("retry_after", ["0", "-5"])
def test_retry_after_zero_waits_at_least_the_first_backoff(server, scheduled, retry_after):
    server.script = [Answer(429, {"Retry-After": retry_after})] * posting.MAX_ATTEMPTS
    before = timezone.now()
    post = run(scheduled)
    assert post is not None
    assert (post.status, post.attempts) == (Status.SCHEDULED, 1)
    waits_about(post, before, posting.RETRY_FIRST)
    # Not due again at once: the attempts are not all spent in a moment.
    assert run(scheduled) is None
    assert len(server.requests) == 1


@pytest.fixture
def on_mastodon(monkeypatch):
    with post_server() as state:
        client = HttpTestClient(state.url)
        monkeypatch.setitem(
            networks.NETWORKS, "mastodon", replace(networks.NETWORKS["mastodon"], client=client)
        )
        yield state


@pytest.fixture
def mastodon_post():
    return ScheduledPostFactory.create(share__network="mastodon")


def test_mastodon_retries_stay_inside_its_idempotency_window(on_mastodon, mastodon_post):
    on_mastodon.script = [Answer(503)] * posting.MAX_ATTEMPTS
    span = posting.RETRY_SPAN["mastodon"]
    assert span < timedelta(hours=1)  # Mastodon keeps the key for an hour
    first = None
    at = None
    tries = []
    while True:
        post = posting.scheduled_post_run(post_id=mastodon_post.pk, now=at)
        assert post is not None
        tries.append(at or post.run_at)
        first = first or tries[0]
        if post.status != Status.SCHEDULED:
            break
        at = post.next_attempt_at
        assert at is not None and at - mastodon_post.run_at <= span
    assert post.status == Status.FAILED
    assert post.attempts < posting.MAX_ATTEMPTS  # stopped by the window, not the count
    assert "Check your timeline" in post.last_error
    assert "Mastodon" in post.last_error
    assert len(on_mastodon.requests) == post.attempts
    assert {r["key"] for r in on_mastodon.requests} == {mastodon_post.idempotency_key}
    later = timezone.now() + timedelta(days=1)
    assert posting.scheduled_post_run(post_id=mastodon_post.pk, now=later) is None


def test_a_long_retry_after_on_mastodon_fails_rather_than_wait_past_the_window(
    on_mastodon, mastodon_post
):
    on_mastodon.script = [Answer(503), Answer(429, {"Retry-After": "7200"})]
    post = posting.scheduled_post_run(post_id=mastodon_post.pk)
    assert post is not None and post.next_attempt_at is not None
    post = posting.scheduled_post_run(post_id=mastodon_post.pk, now=post.next_attempt_at)
    assert post is not None
    assert post.status == Status.FAILED
    assert "Check your timeline" in post.last_error


def test_a_stale_mastodon_claim_past_the_window_is_not_sent_again(on_mastodon, mastodon_post):
    claimed = mastodon_post.run_at + timedelta(minutes=50)
    ScheduledPost.objects.filter(pk=mastodon_post.pk).update(
        status=Status.POSTING, claimed_at=claimed, attempts=5
    )
    later = claimed + posting.STALE_CLAIM + timedelta(minutes=1)
    post = posting.scheduled_post_run(post_id=mastodon_post.pk, now=later)
    assert post is not None
    assert post.status == Status.FAILED
    assert "Check your timeline" in post.last_error
    assert on_mastodon.requests == []


def test_bluesky_has_no_window_its_record_key_is_for_ever():
    assert "bluesky" not in posting.RETRY_SPAN


@pytest.mark.django_db(transaction=True)
def test_with_a_deferring_backend_a_post_whose_task_is_queued_is_not_enqueued_again(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    now = timezone.now()
    on_time = ScheduledPostFactory.create(run_at=now - timedelta(seconds=30))
    retry_now = ScheduledPostFactory.create(next_attempt_at=now - timedelta(seconds=30))
    lost = ScheduledPostFactory.create(run_at=now - posting.ENQUEUE_GRACE - timedelta(seconds=1))
    stale = ScheduledPostFactory.create(status=Status.POSTING, claimed_at=now - timedelta(hours=1))
    DBTaskResult.objects.all().delete()

    assert posting.scheduled_posts_enqueue_due(now=now) == 2
    queued = sorted(task.args_kwargs["args"][0] for task in DBTaskResult.objects.all())
    assert queued == sorted([lost.pk, stale.pk])
    assert on_time.pk not in queued and retry_now.pk not in queued
