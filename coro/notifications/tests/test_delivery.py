"""Notifications are held until the person's working hours, then e-mailed once."""

import logging
import zoneinfo
from datetime import UTC, datetime, time, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db import transaction

from coro.notifications.models import Notification
from coro.notifications.selectors import notifications_delivered
from coro.notifications.services import (
    notification_hold,
    notification_send,
    notifications_release_due,
    working_hours_update,
)
from testing.factories import UserFactory

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
# 2026-06-01 is a Monday; Madrid is UTC+2 in June.
MONDAY_10 = datetime(2026, 6, 1, 10, 0, tzinfo=MADRID)
MONDAY_9 = datetime(2026, 6, 1, 9, 0, tzinfo=MADRID)
SATURDAY_11 = datetime(2026, 6, 6, 11, 0, tzinfo=MADRID)
NEXT_MONDAY_9 = datetime(2026, 6, 8, 9, 0, tzinfo=MADRID)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = MONDAY_10.astimezone(UTC)
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def person(db):
    return UserFactory(name="Nuria Noches", email="nuria@example.com", language="en")


def hold(user, link="/o/abc/program/", organisation=None) -> Notification:
    return notification_hold(
        user=user,
        organisation=organisation,
        kind=Notification.Kind.TERMS_UPDATED,
        subject="New program terms",
        body="The program's terms have a new version.",
        link=link,
    )


# --- Holding ------------------------------------------------------------------------------


def test_inside_working_hours_it_is_e_mailed_at_once(
    person, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = hold(person)
    notification.refresh_from_db()
    assert notification.deliver_after == clock.now
    assert notification.delivered_at == clock.now
    assert notification.channel == "email"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nuria@example.com"]
    assert message.subject == "New program terms"
    assert "The program's terms have a new version." in message.body
    assert f"{settings.BASE_URL}/o/abc/program/" in message.body
    assert f"{settings.BASE_URL}/me/working-hours/" in message.body


def test_nothing_is_sent_before_the_transaction_commits(
    person, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        hold(person)
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_outside_working_hours_it_waits_for_the_next_window(
    person, clock, django_capture_on_commit_callbacks, caplog
):
    clock.set(SATURDAY_11)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        notification = hold(person)  # the immediate backend cannot defer: must not crash
    notification.refresh_from_db()
    assert notification.deliver_after == NEXT_MONDAY_9
    assert notification.delivered_at is None
    assert notification.channel == ""
    assert mail.outbox == []
    assert "cannot run tasks later" in caplog.text


def test_the_persons_own_hours_and_zone_decide(person, clock, django_capture_on_commit_callbacks):
    person.time_zone = "America/New_York"  # 10:00 in Madrid is 04:00 in New York
    person.save()
    with django_capture_on_commit_callbacks(execute=True):
        notification = hold(person)
    assert notification.deliver_after == datetime(2026, 6, 1, 13, 0, tzinfo=UTC)
    assert mail.outbox == []


def test_without_working_days_it_is_in_app_only(person, clock, django_capture_on_commit_callbacks):
    person.work_days = ""
    person.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = hold(person)
    notification.refresh_from_db()
    assert notification.delivered_at == clock.now
    assert notification.channel == "in_app"
    assert callbacks == []
    assert mail.outbox == []
    assert notifications_release_due() == 0


def test_hold_takes_keyword_arguments_only(person):
    with pytest.raises(TypeError):
        notification_hold(person, None, Notification.Kind.TERMS_UPDATED, "s", "b")  # type: ignore[misc]


def test_hold_validates_before_saving(person, clock):
    with pytest.raises(ValidationError):
        notification_hold(
            user=person, organisation=None, kind="no_such_kind", subject="s", body="b"
        )  # type: ignore[arg-type]
    assert not Notification.objects.exists()


# --- Delivering ---------------------------------------------------------------------------


@pytest.fixture
def pending(person, clock, django_capture_on_commit_callbacks) -> Notification:
    clock.set(SATURDAY_11)
    with django_capture_on_commit_callbacks(execute=True):
        return hold(person)


def test_delivery_sends_once_however_often_it_runs(pending, clock):
    clock.set(NEXT_MONDAY_9)
    assert notification_send(notification_id=pending.pk) is True
    assert notification_send(notification_id=pending.pk) is False
    assert len(mail.outbox) == 1
    pending.refresh_from_db()
    assert pending.delivered_at == clock.now
    assert pending.channel == "email"


def test_delivery_too_early_holds_again(pending, clock, django_capture_on_commit_callbacks):
    clock.set(NEXT_MONDAY_9 - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_send(notification_id=pending.pk) is False
    pending.refresh_from_db()
    assert pending.delivered_at is None
    assert pending.deliver_after == NEXT_MONDAY_9
    assert mail.outbox == []


def test_delivery_respects_hours_changed_after_holding(
    pending, person, clock, django_capture_on_commit_callbacks
):
    person.work_start = time(11, 0)
    person.save()  # directly, without the service that would re-hold it
    clock.set(NEXT_MONDAY_9)
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_send(notification_id=pending.pk) is False
    pending.refresh_from_db()
    assert pending.deliver_after == datetime(2026, 6, 8, 11, 0, tzinfo=MADRID)
    assert mail.outbox == []


def test_delivery_after_working_days_were_removed_is_in_app(pending, person, clock):
    person.work_days = ""
    person.save()
    clock.set(NEXT_MONDAY_9)
    assert notification_send(notification_id=pending.pk) is False
    pending.refresh_from_db()
    assert pending.channel == "in_app"
    assert pending.delivered_at == clock.now
    assert mail.outbox == []


def test_a_failed_e_mail_is_retried_while_the_message_shows_in_the_app(
    pending, person, clock, monkeypatch
):
    clock.set(NEXT_MONDAY_9)
    sending = EmailMultiAlternatives.send

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", broken)
    assert notification_send(notification_id=pending.pk) is True  # delivered in the app
    pending.refresh_from_db()
    assert pending.delivered_at == clock.now
    assert pending.channel == "email"
    assert list(notifications_delivered(person)) == [pending]
    assert pending.email_sent_at is None
    assert pending.email_attempts == 1
    assert pending.email_error == "ConnectionRefusedError: smtp down"
    assert pending.email_retry_at == clock.now + timedelta(minutes=5)
    assert pending.email_claimed_at is None  # released

    monkeypatch.setattr(EmailMultiAlternatives, "send", sending)
    assert notification_send(notification_id=pending.pk) is False  # in the app already
    assert notifications_release_due() == 0  # its wait is not over
    assert mail.outbox == []
    clock.set(NEXT_MONDAY_9 + timedelta(minutes=5))
    assert notifications_release_due() == 1
    assert len(mail.outbox) == 1
    pending.refresh_from_db()
    assert pending.email_sent_at == clock.now
    assert pending.email_error == ""
    assert notifications_release_due() == 0


def test_an_unknown_or_deleted_notification_is_ignored(db):
    assert notification_send(notification_id=999_999) is False


def test_a_subject_with_line_breaks_still_goes_out(person, clock):
    notification = notification_hold(
        user=person,
        organisation=None,
        kind=Notification.Kind.TERMS_UPDATED,
        subject="New\nterms",
        body="b",
    )
    Notification.objects.filter(pk=notification.pk).update(delivered_at=None)
    assert notification_send(notification_id=notification.pk) is True
    assert mail.outbox[0].subject == "New terms"


# --- Releasing what is due ----------------------------------------------------------------


def test_release_enqueues_what_is_due_and_nothing_else(person, clock):
    clock.set(SATURDAY_11)
    due_early = hold(person)  # held until Monday 09:00
    due_late = hold(person)
    not_due = hold(UserFactory())
    Notification.objects.filter(pk=not_due.pk).update(deliver_after=NEXT_MONDAY_9 + timedelta(1))
    delivered = hold(person)
    Notification.objects.filter(pk=delivered.pk).update(delivered_at=clock.now)

    assert notifications_release_due(now=NEXT_MONDAY_9 - timedelta(seconds=1)) == 0
    clock.set(NEXT_MONDAY_9)
    assert notifications_release_due() == 2
    # The immediate backend runs the tasks inline; the person's two come in one e-mail.
    assert len(mail.outbox) == 1
    for notification in (due_early, due_late):
        notification.refresh_from_db()
        assert notification.channel == "email"
        assert notification.email_sent_at == clock.now
    not_due.refresh_from_db()
    assert not_due.delivered_at is None
    assert notifications_release_due() == 0


def test_release_command(person, clock):
    clock.set(SATURDAY_11)
    hold(person)
    clock.set(NEXT_MONDAY_9)
    from io import StringIO

    out = StringIO()
    call_command("notifications_release", stdout=out)
    assert out.getvalue() == "Held notifications: 1 was due and is on its way.\n"
    assert len(mail.outbox) == 1


# --- Changing one's hours -----------------------------------------------------------------


def test_changing_hours_holds_waiting_notifications_again(
    pending, person, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        working_hours_update(
            user=person,
            work_days="12345",
            work_start=time(7, 30),
            work_end=time(15, 0),
            time_zone="Europe/Madrid",
        )
    pending.refresh_from_db()
    assert pending.deliver_after == datetime(2026, 6, 8, 7, 30, tzinfo=MADRID)


def test_working_on_saturday_now_delivers_at_once(
    pending, person, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        working_hours_update(
            user=person,
            work_days="123456",
            work_start=time(9),
            work_end=time(18),
            time_zone="Europe/Madrid",
        )
    pending.refresh_from_db()
    assert pending.channel == "email"
    assert len(mail.outbox) == 1


def test_dropping_every_working_day_moves_waiting_notifications_in_app(pending, person, clock):
    working_hours_update(
        user=person, work_days="", work_start=time(9), work_end=time(18), time_zone="Europe/Madrid"
    )
    pending.refresh_from_db()
    assert pending.channel == "in_app"
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"work_days": "189"}, "work_days"),
        ({"work_days": "11"}, "work_days"),
        ({"work_start": time(9), "work_end": time(9)}, "work_end"),
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
    ],
)
def test_working_hours_update_refuses_nonsense(person, changes, field):
    values = {
        "work_days": "12345",
        "work_start": time(8),
        "work_end": time(16),
        "time_zone": "Europe/Madrid",
    }
    with pytest.raises(ValidationError) as error:
        working_hours_update(user=person, **(values | changes))
    assert field in error.value.message_dict
    person.refresh_from_db()
    assert (person.work_start, person.work_end) == (time(9), time(18))


def test_working_days_are_stored_in_order(person):
    working_hours_update(
        user=person, work_days="531", work_start=time(9), work_end=time(18), time_zone="UTC"
    )
    person.refresh_from_db()
    assert person.work_days == "135"


# --- Through the real worker --------------------------------------------------------------


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


# A real transaction: the worker closes its database connection when its batch ends.
@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_at_the_start_of_the_window(database_tasks, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    clock = Clock(monkeypatch)
    clock.set(SATURDAY_11)
    person = UserFactory(email="ana@example.com")
    with transaction.atomic():
        notification = hold(person)
    task = DBTaskResult.objects.get()
    assert task.run_after == NEXT_MONDAY_9
    assert task.args_kwargs["args"] == [notification.pk]  # an id, never a payload

    call_command("db_worker", "--batch", "--no-reload", verbosity=0)
    assert mail.outbox == []  # not before Monday 09:00
    assert DBTaskResult.objects.get().status == "READY"

    clock.set(NEXT_MONDAY_9 + timedelta(seconds=5))
    call_command("db_worker", "--batch", "--no-reload", verbosity=0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.com"]
    notification.refresh_from_db()
    assert notification.delivered_at == clock.now
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_at_once_inside_the_window(database_tasks, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    Clock(monkeypatch)  # Monday 10:00
    person = UserFactory()
    with transaction.atomic():
        notification = hold(person)
    assert mail.outbox == []  # enqueued, not sent inline
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-reload", verbosity=0)
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.channel == "email"
