"""Team chat announcements: one per channel and post, held until the organisation's working
hours, retried when the service may recover, failed at once when it refuses; never twice.
A local HTTP server on 127.0.0.1 stands in for Slack and Microsoft Teams."""

import socket
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.conf import settings

from coro.core import crypto
from coro.notifications.chat.errors import chat_error_message
from coro.notifications.chat_services import (
    MAX_ATTEMPTS,
    STALE_CLAIM,
    chat_announce,
    chat_announcement_send,
    chat_announcements_release_due,
    chat_webhook_remove,
)
from coro.notifications.chat_tasks import chat_release_job
from coro.notifications.models import ChatAnnouncement, ChatWebhook
from coro.notifications.tests.chat_server import (  # noqa: F401 (fixtures)
    MADRID,
    chat_server_fixture,
    clock_fixture,
    english_fixture,
)
from testing.factories import TeamFactory

Status = ChatAnnouncement.Status
MONDAY_22 = datetime(2026, 6, 1, 22, 0, tzinfo=MADRID)
TUESDAY_9 = datetime(2026, 6, 2, 9, 0, tzinfo=MADRID)


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def org(tenancy):
    tenancy.org.language = "en"
    tenancy.org.save()
    return tenancy.org


def webhook(org, server, path, *, team=None, service="slack") -> ChatWebhook:
    return ChatWebhook.objects.create(
        organisation=org,
        team=team,
        service=service,
        url_encrypted=crypto.encrypt(server.url(path)),
    )


def announce(django_capture_on_commit_callbacks, org, *, team_ids=(), about="post:abc") -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return chat_announce(
            organisation=org,
            team_ids=list(team_ids),
            about=about,
            text="New post: Albufera tiles",
            link=f"/o/{org.code}/share/abc/",
        )


def release(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return chat_announcements_release_due()


# --- Which channels, and once --------------------------------------------------------------


def test_a_post_is_announced_once_in_its_teams_and_the_organisations_channels(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    sales, support = TeamFactory(organisation=org), TeamFactory(organisation=org)
    webhook(org, chat_server, "/everyone")
    webhook(org, chat_server, "/sales", team=sales, service="teams")
    webhook(org, chat_server, "/support", team=support)

    assert announce(django_capture_on_commit_callbacks, org, team_ids=[sales.pk]) == 2

    assert sorted(r.path for r in chat_server.received) == ["/everyone", "/sales"]
    assert ChatAnnouncement.objects.filter(status=Status.SENT).count() == 2
    # Called again (a post saved twice, a task run twice): nothing more.
    assert announce(django_capture_on_commit_callbacks, org, team_ids=[sales.pk]) == 0
    for announcement in ChatAnnouncement.objects.all():
        assert chat_announcement_send(announcement_id=announcement.pk) is False
    assert release(django_capture_on_commit_callbacks) == 0
    assert len(chat_server.received) == 2


def test_a_post_for_everyone_goes_to_every_channel(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    webhook(org, chat_server, "/everyone")
    webhook(org, chat_server, "/sales", team=TeamFactory(organisation=org))
    assert announce(django_capture_on_commit_callbacks, org) == 2
    assert sorted(r.path for r in chat_server.received) == ["/everyone", "/sales"]


def test_another_organisations_channels_hear_nothing(
    org,
    tenancy,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    theirs = TeamFactory(organisation=tenancy.other_org)
    webhook(tenancy.other_org, chat_server, "/theirs")
    webhook(tenancy.other_org, chat_server, "/their-team", team=theirs)
    assert announce(django_capture_on_commit_callbacks, org, team_ids=[theirs.pk]) == 0
    assert chat_server.received == []


def test_what_is_sent_links_to_the_post_in_the_organisations_language(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    webhook(org, chat_server, "/slack")
    webhook(org, chat_server, "/teams", service="teams")
    announce(django_capture_on_commit_callbacks, org)
    link = f"{settings.BASE_URL}/o/{org.code}/share/abc/"
    [slack] = chat_server.at("/slack")
    assert slack.json == {"text": f"New post: Albufera tiles\n<{link}|Open in Coro to share>"}
    [teams] = chat_server.at("/teams")
    card = teams.json["attachments"][0]["content"]
    assert card["body"][0]["text"] == "New post: Albufera tiles"
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open in Coro to share", "url": link}
    ]


# --- Working hours -------------------------------------------------------------------------


def test_an_announcement_at_22_waits_for_the_next_working_morning(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    webhook(org, chat_server, "/everyone")
    clock.set(MONDAY_22)
    assert announce(django_capture_on_commit_callbacks, org) == 1
    announcement = ChatAnnouncement.objects.get()
    assert announcement.status == Status.PENDING
    assert announcement.deliver_after == TUESDAY_9
    assert chat_server.received == []

    # The task run early (or by hand) holds it.
    with django_capture_on_commit_callbacks(execute=True):
        assert chat_announcement_send(announcement_id=announcement.pk) is False
    clock.set(TUESDAY_9 - timedelta(minutes=1))
    assert release(django_capture_on_commit_callbacks) == 0
    assert chat_server.received == []

    clock.set(TUESDAY_9)
    assert release(django_capture_on_commit_callbacks) == 1
    assert len(chat_server.received) == 1
    announcement.refresh_from_db()
    assert (announcement.status, announcement.sent_at) == (Status.SENT, TUESDAY_9)
    assert release(django_capture_on_commit_callbacks) == 0
    assert len(chat_server.received) == 1


def test_the_organisations_time_zone_decides(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    # 22:00 in Madrid is 16:00 in New York: working there.
    org.time_zone = "America/New_York"
    org.save()
    webhook(org, chat_server, "/everyone")
    clock.set(MONDAY_22)
    announce(django_capture_on_commit_callbacks, org)
    assert len(chat_server.received) == 1


def test_a_change_of_hours_holds_an_announcement_again(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    webhook(org, chat_server, "/everyone")
    clock.set(MONDAY_22)
    announce(django_capture_on_commit_callbacks, org)
    org.work_start, org.work_end = time(11, 0), time(19, 0)
    org.save()
    clock.set(TUESDAY_9)
    assert release(django_capture_on_commit_callbacks) == 1
    assert chat_server.received == []
    announcement = ChatAnnouncement.objects.get()
    assert announcement.deliver_after == TUESDAY_9.replace(hour=11)
    assert announcement.attempts == 0


def test_hours_taken_away_altogether_announce_nothing(
    org, chat_server, clock, django_capture_on_commit_callbacks
):
    webhook(org, chat_server, "/everyone")
    clock.set(MONDAY_22)
    announce(django_capture_on_commit_callbacks, org)
    org.work_days = ""
    org.save()
    clock.set(TUESDAY_9)
    assert release(django_capture_on_commit_callbacks) == 1
    assert release(django_capture_on_commit_callbacks) == 0
    assert chat_server.received == []
    announcement = ChatAnnouncement.objects.get()
    assert announcement.status == Status.FAILED
    said = chat_error_message(announcement.last_error, service="slack")
    assert said == "The organisation has no working days, so nothing is announced."


def test_the_periodic_job_sends_what_is_due(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    webhook(org, chat_server, "/everyone")
    clock.set(MONDAY_22)
    announce(django_capture_on_commit_callbacks, org)
    clock.set(TUESDAY_9)
    job = chat_release_job()
    assert job.every <= timedelta(minutes=15)
    with django_capture_on_commit_callbacks(execute=True):
        job.run()
    assert len(chat_server.received) == 1


# --- Retries and refusals --------------------------------------------------------------------


def test_a_503_is_retried_and_the_announcement_sent_once(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    hook = webhook(org, chat_server, "/everyone")
    chat_server.answer("/everyone", (503, b"busy"), (200, b"ok"))
    announce(django_capture_on_commit_callbacks, org)
    announcement = ChatAnnouncement.objects.get()
    assert (announcement.status, announcement.attempts) == (Status.PENDING, 1)
    assert announcement.deliver_after == clock.now + timedelta(minutes=1)
    assert len(chat_server.received) == 1
    assert release(django_capture_on_commit_callbacks) == 0  # not yet

    clock.set(clock.now + timedelta(minutes=2))
    assert release(django_capture_on_commit_callbacks) == 1
    announcement.refresh_from_db()
    assert (announcement.status, announcement.attempts) == (Status.SENT, 2)
    assert len(chat_server.received) == 2
    hook.refresh_from_db()
    assert hook.last_ok_at == clock.now and hook.last_error == ""

    # Sent: however often the task or the job runs again, nothing more goes out.
    assert chat_announcement_send(announcement_id=announcement.pk) is False
    clock.set(clock.now + timedelta(hours=1))
    assert release(django_capture_on_commit_callbacks) == 0
    assert len(chat_server.received) == 2


def test_retry_after_is_honoured(org, chat_server, clock, django_capture_on_commit_callbacks):
    webhook(org, chat_server, "/everyone")
    chat_server.answer("/everyone", (429, b"rate_limited", {"Retry-After": "600"}))
    announce(django_capture_on_commit_callbacks, org)
    announcement = ChatAnnouncement.objects.get()
    assert announcement.deliver_after == clock.now + timedelta(minutes=10)


def test_a_retry_never_goes_out_after_hours(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    webhook(org, chat_server, "/everyone")
    chat_server.answer("/everyone", (500, b"oops"), (200, b"ok"))
    clock.set(datetime(2026, 6, 1, 17, 59, 30, tzinfo=MADRID))
    announce(django_capture_on_commit_callbacks, org)
    assert ChatAnnouncement.objects.get().deliver_after == TUESDAY_9


def test_a_refusal_fails_at_once_and_is_said_on_the_webhook(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    hook = webhook(org, chat_server, "/everyone")
    chat_server.answer("/everyone", (403, b"invalid_token"))
    announce(django_capture_on_commit_callbacks, org)
    announcement = ChatAnnouncement.objects.get()
    assert (announcement.status, announcement.attempts) == (Status.FAILED, 1)
    hook.refresh_from_db()
    assert hook.last_error_at == clock.now
    said = chat_error_message(hook.last_error, service=hook.service)
    assert said.startswith("Slack refused the message (HTTP 403)")
    assert "invalid_token" in said
    clock.set(clock.now + timedelta(hours=2))
    assert release(django_capture_on_commit_callbacks) == 0
    assert len(chat_server.received) == 1


@pytest.mark.parametrize("status", [400, 404, 410])
def test_other_client_errors_fail_at_once_too(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
    status,
):
    webhook(org, chat_server, "/everyone")
    chat_server.answer("/everyone", (status, b"no_service"))
    announce(django_capture_on_commit_callbacks, org)
    assert ChatAnnouncement.objects.get().status == Status.FAILED


def test_it_gives_up_after_the_last_attempt(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    hook = webhook(org, chat_server, "/everyone")
    chat_server.answer("/everyone", (502, b"bad gateway"))
    announce(django_capture_on_commit_callbacks, org)
    for _ in range(MAX_ATTEMPTS + 2):
        clock.set(clock.now + timedelta(hours=3, minutes=1))
        # Stay inside Monday-to-Friday working hours: jump to the next morning when over.
        local = clock.now.astimezone(MADRID)
        if not (9 <= local.hour < 18) or local.isoweekday() > 5:
            clock.set(datetime.combine(local.date() + timedelta(days=1), time(9), MADRID))
            while clock.now.astimezone(MADRID).isoweekday() > 5:
                clock.set(clock.now + timedelta(days=1))
        release(django_capture_on_commit_callbacks)
    announcement = ChatAnnouncement.objects.get()
    assert (announcement.status, announcement.attempts) == (Status.FAILED, MAX_ATTEMPTS)
    assert len(chat_server.received) == MAX_ATTEMPTS
    hook.refresh_from_db()
    said = chat_error_message(hook.last_error, service="slack")
    assert f"Coro tried {MAX_ATTEMPTS} times and gave up" in said and "HTTP 502" in said


def test_a_service_that_cannot_be_reached_is_retried(
    org, settings, clock, django_capture_on_commit_callbacks
):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there
    settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
    ChatWebhook.objects.create(
        organisation=org,
        service="slack",
        url_encrypted=crypto.encrypt(f"http://127.0.0.1:{port}/hook"),
    )
    announce(django_capture_on_commit_callbacks, org)
    announcement = ChatAnnouncement.objects.get()
    assert (announcement.status, announcement.attempts) == (Status.PENDING, 1)
    assert '"network"' in announcement.last_error


@pytest.fixture
def no_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        pytest.fail("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@pytest.mark.parametrize("address", ["10.0.0.7", "169.254.169.254", "127.0.0.1", "fd00::7"])
def test_a_webhook_name_that_resolves_to_a_private_address_is_refused_without_connecting(
    org, clock, monkeypatch, no_connect, django_capture_on_commit_callbacks, address
):
    asked: list[str] = []

    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        asked.append(host)
        if ":" in address:
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    hook = ChatWebhook.objects.create(
        organisation=org,
        service="slack",
        url_encrypted=crypto.encrypt("https://hooks.slack.com/services/T1/B1/secret"),
    )
    announce(django_capture_on_commit_callbacks, org)
    assert asked == ["hooks.slack.com"]
    assert ChatAnnouncement.objects.get().status == Status.FAILED
    hook.refresh_from_db()
    assert "private network" in chat_error_message(hook.last_error, service="slack")


def test_an_announcement_being_sent_elsewhere_is_not_sent_again(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    webhook(org, chat_server, "/everyone")
    clock.set(MONDAY_22)
    announce(django_capture_on_commit_callbacks, org)
    clock.set(TUESDAY_9)
    # Another worker claimed it a minute ago, and is posting it.
    claimed_until = clock.now - timedelta(minutes=1) + STALE_CLAIM
    ChatAnnouncement.objects.update(status=Status.SENDING, deliver_after=claimed_until, attempts=1)
    announcement_id = ChatAnnouncement.objects.get().pk
    assert chat_announcement_send(announcement_id=announcement_id) is False
    assert release(django_capture_on_commit_callbacks) == 0
    assert chat_server.received == []
    assert ChatAnnouncement.objects.get().status == Status.SENDING


def test_an_announcement_left_sending_by_a_dead_worker_is_sent_once_later(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    webhook(org, chat_server, "/everyone")
    clock.set(MONDAY_22)
    announce(django_capture_on_commit_callbacks, org)
    clock.set(TUESDAY_9)
    # A worker claims it, then dies before it posts (nothing reached the channel).
    claim = clock.now + STALE_CLAIM
    ChatAnnouncement.objects.update(status=Status.SENDING, deliver_after=claim, attempts=1)

    # Not while the claim may still be alive.
    clock.set(TUESDAY_9 + STALE_CLAIM - timedelta(seconds=1))
    assert release(django_capture_on_commit_callbacks) == 0
    assert chat_server.received == []

    # Once it is stale, the periodic job sends it, once, as a second attempt.
    clock.set(TUESDAY_9 + STALE_CLAIM + timedelta(seconds=1))
    assert release(django_capture_on_commit_callbacks) == 1
    assert len(chat_server.at("/everyone")) == 1
    announcement = ChatAnnouncement.objects.get()
    assert (announcement.status, announcement.attempts) == (Status.SENT, 2)
    # And never again: not by the job, not by a late task.
    assert release(django_capture_on_commit_callbacks) == 0
    assert chat_announcement_send(announcement_id=announcement.pk) is False
    assert len(chat_server.received) == 1


def test_a_stale_claim_outside_working_hours_waits_for_them(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    webhook(org, chat_server, "/everyone")
    clock.set(MONDAY_22)
    announce(django_capture_on_commit_callbacks, org)
    # Claimed at 17:58 on Tuesday, the worker died; found stale after 18:00.
    clock.set(TUESDAY_9.replace(hour=17, minute=58))
    ChatAnnouncement.objects.update(
        status=Status.SENDING, deliver_after=clock.now + STALE_CLAIM, attempts=1
    )
    clock.set(TUESDAY_9.replace(hour=18, minute=10))
    assert release(django_capture_on_commit_callbacks) == 1
    announcement = ChatAnnouncement.objects.get()
    assert announcement.status == Status.PENDING
    assert announcement.deliver_after == (TUESDAY_9 + timedelta(days=1)).astimezone(UTC)
    assert chat_server.received == []


def test_a_stale_claim_that_used_every_attempt_fails(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    hook = webhook(org, chat_server, "/everyone")
    clock.set(TUESDAY_9)
    announce(django_capture_on_commit_callbacks, org)
    chat_server.received.clear()
    ChatAnnouncement.objects.update(
        status=Status.SENDING, deliver_after=clock.now + STALE_CLAIM, attempts=MAX_ATTEMPTS
    )
    clock.set(TUESDAY_9 + STALE_CLAIM + timedelta(minutes=1))
    assert release(django_capture_on_commit_callbacks) == 1
    announcement = ChatAnnouncement.objects.get()
    assert announcement.status == Status.FAILED
    assert chat_server.received == []
    hook.refresh_from_db()
    assert chat_error_message(hook.last_error, service="slack")


def test_removing_a_channel_drops_what_waits_for_it(
    org,
    tenancy,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    hook = webhook(org, chat_server, "/everyone")
    clock.set(MONDAY_22)
    announce(django_capture_on_commit_callbacks, org)
    chat_webhook_remove(webhook=hook, actor=tenancy.admin)
    clock.set(TUESDAY_9)
    assert release(django_capture_on_commit_callbacks) == 0
    assert not ChatAnnouncement.objects.exists() and chat_server.received == []


def test_an_organisation_without_working_days_announces_nothing(
    org,
    chat_server,
    clock,
    django_capture_on_commit_callbacks,
):
    org.work_days = ""
    org.save()
    webhook(org, chat_server, "/everyone")
    assert announce(django_capture_on_commit_callbacks, org) == 0
    assert chat_server.received == [] and not ChatAnnouncement.objects.exists()
