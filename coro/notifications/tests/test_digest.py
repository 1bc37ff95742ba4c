"""Digests: new posts wait in the app and reach the person in one e-mail a day (or a week),
inside their working hours, through a real SMTP server on loopback; once, even when the
server fails first."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from coro.notifications import digests
from coro.notifications.digests import (
    ATTEMPTS_MAX,
    digest_make,
    digest_retry_at,
    digest_send,
    digests_run,
)
from coro.notifications.models import Digest, Notification, Rhythm
from coro.notifications.personal_data import digests as digests_of
from coro.notifications.preferences import preferences_update, rhythms_of
from coro.notifications.services import notification_hold, notifications_release_due
from coro.orgs.models import Membership
from testing.factories import OrganisationFactory, UserFactory
from testing.smtp import smtp_server_fixture  # noqa: F401

Kind = Notification.Kind
MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
# 2026-06-01 is a Monday; Madrid is UTC+2 in June.
MONDAY_10 = datetime(2026, 6, 1, 10, 0, tzinfo=MADRID)
MONDAY_20 = datetime(2026, 6, 1, 20, 0, tzinfo=MADRID)
TUESDAY_9 = datetime(2026, 6, 2, 9, 0, tzinfo=MADRID)
NEXT_MONDAY_10 = datetime(2026, 6, 8, 10, 0, tzinfo=MADRID)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = MONDAY_10.astimezone(UTC)
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)

    def forward(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def ceramicas(db):
    return OrganisationFactory(name="Cerámicas Prueba")


@pytest.fixture
def person(db):
    # Monday to Friday, 09:00 to 18:00, in Madrid (the defaults).
    return UserFactory(name="Nuria", email="nuria@example.com", language="en")


class Run:
    """Hold messages, or run the periodic job, with what waits for the commit done after."""

    def __init__(self, captured) -> None:
        self.captured = captured
        self.posts = 0

    def hold(self, user, organisation, title="Nueva tienda en Valencia", kind=Kind.NEW_POST):
        self.posts += 1  # one post each: a person is told of a post once
        Membership.objects.get_or_create(user=user, organisation=organisation)
        with self.captured(execute=True):
            return notification_hold(
                user=user,
                organisation=organisation,
                kind=kind,
                subject=title,
                body=f"{title}: the body of the post, to read before sharing it.",
                link=f"/o/{organisation.code}/posts/{len(title)}/share/",
                about=f"post:abc{self.posts}",
            )

    def job(self) -> digests.DigestRun:
        with self.captured(execute=True):
            return digests_run()


@pytest.fixture
def run(django_capture_on_commit_callbacks) -> Run:
    return Run(django_capture_on_commit_callbacks)


def unsubscribe_kinds(received) -> list[str]:
    from coro.notifications.unsubscribe import unsubscribe_read

    link = received.header("List-Unsubscribe").strip("<>")
    return unsubscribe_read(link.rstrip("/").rsplit("/", 1)[1]).kinds


# --- Waiting in the app, then one e-mail --------------------------------------------------


def test_new_posts_wait_in_the_app_and_come_in_one_digest(
    smtp_server, person, ceramicas, clock, run
):
    first = run.hold(person, ceramicas, "Nueva tienda en Valencia")
    second = run.hold(person, ceramicas, "Premio de diseño")
    for notification in (first, second):
        notification.refresh_from_db()
        assert notification.rhythm == Rhythm.DAILY
        assert notification.channel == "in_app"
        assert notification.delivered_at == clock.now
    assert smtp_server.messages == []

    assert run.job() == digests.DigestRun(retried=0, made=1)
    [received] = smtp_server.messages
    assert received.recipients == ["nuria@example.com"]
    assert received.header("Subject") == "Cerámicas Prueba · Your daily digest: 2 new messages"
    assert received.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert unsubscribe_kinds(received) == [Kind.NEW_POST]
    text, html = received.part("text/plain"), received.part("text/html")
    for part in (text, html):
        assert "Nueva tienda en Valencia" in part
        assert "Premio de diseño" in part
        assert f"{settings.BASE_URL}/o/{ceramicas.code}/posts/24/share/" in part
        assert "Cerámicas Prueba" in part
    assert f'<a href="{settings.BASE_URL}/o/{ceramicas.code}/posts/16/share/"' in html
    assert text.index("Nueva tienda") < text.index("Premio de diseño")  # oldest first

    digest = Digest.objects.get()
    assert digest.sent_at == clock.now
    assert digest.attempts == 1
    assert set(digest.notifications.all()) == {first, second}


def test_a_digest_is_sent_once_however_often_it_runs(smtp_server, person, ceramicas, clock, run):
    run.hold(person, ceramicas)
    run.job()
    digest = Digest.objects.get()
    assert digest_send(digest_id=digest.pk) is False
    clock.forward(timedelta(minutes=15))
    assert run.job() == digests.DigestRun(retried=0, made=0)
    assert len(smtp_server.messages) == 1


def test_the_next_daily_digest_waits_a_day(smtp_server, person, ceramicas, clock, run):
    run.hold(person, ceramicas, "Primera")
    run.job()
    clock.set(MONDAY_10 + timedelta(hours=1))
    run.hold(person, ceramicas, "Segunda")
    assert run.job().made == 0
    clock.set(MONDAY_10 + timedelta(hours=19, minutes=59))  # 05:59 on Tuesday: not working
    assert run.job().made == 0
    clock.set(TUESDAY_9)  # 23 hours after the first
    assert run.job().made == 1
    assert len(smtp_server.messages) == 2
    second = smtp_server.messages[1].part("text/plain")
    assert "Segunda" in second
    assert "Primera" not in second


def test_held_overnight_they_come_at_the_start_of_the_next_window(
    smtp_server, person, ceramicas, clock, run
):
    clock.set(MONDAY_20)
    notification = run.hold(person, ceramicas)
    assert notification.deliver_after == TUESDAY_9
    for moment in (MONDAY_20, TUESDAY_9 - timedelta(minutes=1)):
        clock.set(moment)
        notifications_release_due()
        assert run.job().made == 0
    assert smtp_server.messages == []

    clock.set(TUESDAY_9)
    assert notifications_release_due() == 1  # into the app
    assert run.job().made == 1  # and into the digest
    assert len(smtp_server.messages) == 1


def test_a_weekly_digest_waits_a_week(smtp_server, person, ceramicas, clock, run):
    preferences_update(user=person, rhythms={Kind.NEW_POST: Rhythm.WEEKLY})
    run.hold(person, ceramicas, "Lunes")
    run.job()
    [first] = smtp_server.messages
    assert first.header("Subject") == "Cerámicas Prueba · Your weekly digest: 1 new message"
    assert "Your weekly digest" in first.part("text/html")
    clock.set(TUESDAY_9)
    run.hold(person, ceramicas, "Martes")
    for day in range(1, 7):
        clock.set(TUESDAY_9 + timedelta(days=day - 1, hours=1))
        assert run.job().made == 0
    clock.set(NEXT_MONDAY_10)
    assert run.job().made == 1
    assert "Martes" in smtp_server.messages[1].part("text/plain")


def test_daily_and_weekly_kinds_go_in_their_own_digests(smtp_server, person, ceramicas, clock, run):
    preferences_update(user=person, rhythms={Kind.COMMENT_REPLY: Rhythm.WEEKLY})
    run.hold(person, ceramicas, "Post del día")
    run.hold(person, ceramicas, "Respuesta de Marta", kind=Kind.COMMENT_REPLY)
    assert run.job().made == 2
    by_kinds = {tuple(unsubscribe_kinds(m)): m for m in smtp_server.messages}
    assert set(by_kinds) == {(Kind.NEW_POST,), (Kind.COMMENT_REPLY,)}
    assert "Respuesta de Marta" in by_kinds[(Kind.COMMENT_REPLY,)].part("text/plain")
    assert "Respuesta de Marta" not in by_kinds[(Kind.NEW_POST,)].part("text/plain")


def test_a_digest_groups_by_organisation(smtp_server, person, ceramicas, clock, run):
    other = OrganisationFactory(name="Azulejos Norte")
    run.hold(person, ceramicas, "De Cerámicas")
    run.hold(person, other, "De Azulejos")
    run.hold(person, ceramicas, "Otra de Cerámicas")
    run.job()
    [received] = smtp_server.messages
    assert received.header("Subject") == "Coro · Your daily digest: 3 new messages"
    text = received.part("text/plain")
    assert re.search(
        r"== Azulejos Norte ==.*De Azulejos.*== Cerámicas Prueba ==.*De Cerámicas"
        r".*Otra de Cerámicas",
        text,
        re.DOTALL,
    )
    html = received.part("text/html")
    assert html.index("Azulejos Norte") < html.index("Cerámicas Prueba</h2>")


def test_the_digest_is_in_the_persons_language(smtp_server, ceramicas, clock, run):
    ceramicas.language = "ca"
    ceramicas.save()
    undecided = UserFactory(language="")
    run.hold(undecided, ceramicas)
    run.job()
    assert '<html lang="ca">' in smtp_server.messages[0].part("text/html")


# --- Who gets one -------------------------------------------------------------------------


def test_nobody_gets_a_digest_outside_their_hours(smtp_server, person, ceramicas, clock, run):
    run.hold(person, ceramicas)
    clock.set(MONDAY_20)
    assert run.job().made == 0
    clock.set(TUESDAY_9)
    assert run.job().made == 1


def test_nobody_without_working_days_gets_one(smtp_server, person, ceramicas, clock, run):
    person.work_days = ""
    person.save()
    notification = run.hold(person, ceramicas)
    assert notification.channel == "in_app"
    for day in range(8):
        clock.set(MONDAY_10 + timedelta(days=day))
        assert run.job().made == 0
    assert smtp_server.messages == []


def test_a_kind_stopped_while_waiting_is_not_listed(smtp_server, person, ceramicas, clock, run):
    run.hold(person, ceramicas)
    preferences_update(user=person, rhythms={Kind.NEW_POST: Rhythm.NEVER})
    assert run.job().made == 0
    assert smtp_server.messages == []


def test_kinds_sent_right_away_are_never_listed(smtp_server, person, ceramicas, clock, run):
    run.hold(person, ceramicas, "Condiciones", kind=Kind.TERMS_UPDATED)
    assert len(smtp_server.messages) == 1  # its own e-mail
    preferences_update(user=person, rhythms={Kind.TERMS_UPDATED: Rhythm.DAILY})
    assert run.job().made == 0
    assert len(smtp_server.messages) == 1


def test_a_message_is_listed_in_one_digest_only(person, ceramicas, clock, run):
    run.hold(person, ceramicas)
    first = digest_make(user=person, rhythm=Rhythm.DAILY)
    assert first is not None
    Digest.objects.filter(pk=first.pk).update(created_at=clock.now - timedelta(days=2))
    assert digest_make(user=person, rhythm=Rhythm.DAILY) is None  # nothing left to list
    assert Digest.objects.count() == 1


def test_the_digests_link_stops_every_kind_it_listed(smtp_server, person, ceramicas, clock, run):
    preferences_update(user=person, rhythms={Kind.COMMENT_REPLY: Rhythm.DAILY})
    run.hold(person, ceramicas, "Post")
    run.hold(person, ceramicas, "Respuesta", kind=Kind.COMMENT_REPLY)
    run.job()
    [received] = smtp_server.messages
    assert unsubscribe_kinds(received) == [Kind.COMMENT_REPLY, Kind.NEW_POST]
    text = received.part("text/plain")
    assert "Stop e-mail of what this digest lists" in text
    link = received.header("List-Unsubscribe").strip("<>")
    response = Client().post(link.removeprefix(settings.BASE_URL))  # signed out
    assert response.status_code == 200
    rhythms = rhythms_of(person)
    assert rhythms[Kind.NEW_POST] == rhythms[Kind.COMMENT_REPLY] == Rhythm.NEVER
    assert rhythms[Kind.TERMS_UPDATED] == Rhythm.IMMEDIATE


# --- A failing SMTP server ----------------------------------------------------------------


def test_a_refused_digest_is_released_and_sent_once_later(
    smtp_server, person, ceramicas, clock, run
):
    run.hold(person, ceramicas, "Nueva tienda")
    smtp_server.refuse(1)
    assert run.job().made == 1  # made; its sending failed
    digest = Digest.objects.get()
    assert digest.sent_at is None
    assert digest.attempts == 1
    assert "451" in digest.last_error
    assert smtp_server.messages == []
    assert digest_retry_at(digest) == clock.now + timedelta(minutes=15)

    clock.forward(timedelta(minutes=14))
    assert run.job() == digests.DigestRun(retried=0, made=0)  # its wait is not over
    clock.forward(timedelta(minutes=1))
    assert run.job() == digests.DigestRun(retried=1, made=0)
    [received] = smtp_server.messages
    assert "Nueva tienda" in received.part("text/plain")
    assert received.part("text/html")
    assert received.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    digest.refresh_from_db()
    assert digest.sent_at == clock.now
    assert digest.attempts == 2
    assert digest.last_error == ""

    clock.forward(timedelta(minutes=15))
    assert run.job() == digests.DigestRun(retried=0, made=0)
    assert len(smtp_server.messages) == 1


def test_a_digest_left_claimed_by_a_worker_that_died_is_sent_once_later(
    smtp_server, person, ceramicas, clock, run
):
    run.hold(person, ceramicas, "Nueva tienda")
    # Made (its task waits for the commit), then claimed by a worker that died before the
    # SMTP server took it.
    digest = digests.digest_make(user=person, rhythm=Rhythm.DAILY)
    assert digest is not None
    Digest.objects.filter(pk=digest.pk).update(claimed_at=clock.now, attempts=1)
    digest.refresh_from_db()
    assert digest.sent_at is None
    assert digest.attempts == 1

    clock.forward(digests.STALE_CLAIM - timedelta(minutes=1))
    assert run.job() == digests.DigestRun(retried=0, made=0)  # still claimed
    assert digest_send(digest_id=digest.pk) is False
    clock.forward(timedelta(minutes=2))
    assert run.job() == digests.DigestRun(retried=1, made=0)
    [received] = smtp_server.messages
    domain = settings.BASE_URL.split("://")[1].split(":")[0].split("/")[0]
    assert received.header("Message-ID") == f"<digest.{digest.code}@{domain}>"
    digest.refresh_from_db()
    assert digest.sent_at == clock.now
    clock.forward(timedelta(hours=1))
    assert run.job() == digests.DigestRun(retried=0, made=0)
    assert len(smtp_server.messages) == 1


def test_a_server_down_for_hours_gets_the_digest_once_it_is_back(
    smtp_server, person, ceramicas, clock, run
):
    run.hold(person, ceramicas)
    smtp_server.down()
    run.job()
    waits = []
    for _attempt in range(3):
        digest = Digest.objects.get()
        waits.append(digest_retry_at(digest) - digest.created_at)
        clock.set(digest_retry_at(digest))
        assert run.job().retried == 1
    assert waits == [timedelta(minutes=15), timedelta(minutes=45), timedelta(minutes=105)]
    digest.refresh_from_db()
    assert digest.attempts == 4
    assert "ConnectionRefusedError" in digest.last_error

    smtp_server.up()
    clock.set(digest_retry_at(digest))
    run.job()
    assert len(smtp_server.messages) == 1
    digest.refresh_from_db()
    assert digest.sent_at is not None


def test_a_retry_waits_for_the_persons_working_hours(smtp_server, person, ceramicas, clock, run):
    run.hold(person, ceramicas)
    smtp_server.refuse(1)
    run.job()
    clock.set(MONDAY_20)  # past its wait, but after hours
    assert run.job().retried == 0
    digest = Digest.objects.get()
    assert digest_send(digest_id=digest.pk) is False  # a late task does not send it either
    assert Digest.objects.get().attempts == 1
    clock.set(TUESDAY_9)
    assert run.job().retried == 1
    assert len(smtp_server.messages) == 1


def test_after_the_last_attempt_it_is_given_up_with_a_log_line(
    smtp_server, person, ceramicas, clock, run, caplog
):
    run.hold(person, ceramicas)
    smtp_server.refuse(1)
    run.job()
    Digest.objects.update(attempts=ATTEMPTS_MAX - 1)
    smtp_server.refuse(1)
    digest = Digest.objects.get()
    with pytest.raises(Exception, match="451"):
        digest_send(digest_id=digest.pk)
    assert "not sent after 12 attempts" in caplog.text
    clock.forward(timedelta(days=3))
    assert run.job().retried == 0
    assert digest_send(digest_id=digest.pk) is False
    assert smtp_server.messages == []


def test_a_digest_whose_messages_are_gone_is_dropped(person, ceramicas, clock, run):
    run.hold(person, ceramicas)
    digest = digest_make(user=person, rhythm=Rhythm.DAILY)
    assert digest is not None
    Notification.objects.all().delete()
    assert digest_send(digest_id=digest.pk) is False
    assert not Digest.objects.exists()


def test_the_persons_data_lists_their_digests(smtp_server, person, ceramicas, clock, run):
    run.hold(person, ceramicas, "Nueva tienda")
    run.job()
    [row] = digests_of(person)
    assert row["rhythm"] == Rhythm.DAILY
    assert row["listed"] == ["Nueva tienda"]
    assert row["sent_at"] == clock.now
    assert digests_of(UserFactory()) == []


# --- Through the real worker --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_digest(smtp_server, settings, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    Clock(monkeypatch)  # Monday 10:00
    organisation = OrganisationFactory()
    person = UserFactory()
    with transaction.atomic():
        notification_hold(
            user=person, organisation=organisation, kind=Kind.NEW_POST, subject="s", body="b"
        )
    call_command("db_worker", "--batch", "--no-reload", verbosity=0)  # into the app
    assert smtp_server.messages == []
    with transaction.atomic():
        digests_run()
    digest = Digest.objects.get()
    task = DBTaskResult.objects.get(task_path="coro.notifications.tasks.digest_deliver")
    assert task.args_kwargs["args"] == [digest.pk]  # an id, never a payload
    call_command("db_worker", "--batch", "--no-reload", verbosity=0)
    assert len(smtp_server.messages) == 1
