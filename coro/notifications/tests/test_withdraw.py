"""Taking messages back about something that is gone: what has not reached anyone is deleted,
what reached people stays, and an e-mail not sent yet is not sent."""

import pytest
from django.utils import timezone

from coro.notifications.models import Notification
from coro.notifications.withdraw import notifications_withdraw
from testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def held(about, *, delivered=False, emailed=False, **fields):
    now = timezone.now()
    return Notification.objects.create(
        user=UserFactory(),
        kind=Notification.Kind.NEW_POST,
        subject="Nuevo",
        body="",
        about=about,
        deliver_after=now,
        delivered_at=now if delivered else None,
        email_sent_at=now if emailed else None,
        **fields,
    )


def test_what_reached_nobody_is_deleted_and_history_stays():
    waiting = held("post:a")
    shown = held("post:a", delivered=True, emailed=True)
    other = held("post:b")
    assert notifications_withdraw(about="post:a") == 1
    assert not Notification.objects.filter(pk=waiting.pk).exists()
    shown.refresh_from_db()
    assert shown.email_given_up_at is None  # sent already: nothing to give up
    assert Notification.objects.filter(pk=other.pk).exists()


def test_an_email_still_to_be_retried_is_given_up():
    retrying = held("post:a", delivered=True, email_attempts=2, email_error="451")
    being_sent = held("post:a", delivered=True, email_claimed_at=timezone.now())
    notifications_withdraw(about="post:a")
    retrying.refresh_from_db()
    being_sent.refresh_from_db()
    assert retrying.email_given_up_at is not None and retrying.email_error == "withdrawn"
    assert being_sent.email_given_up_at is None  # left to finish


def test_an_empty_about_withdraws_nothing():
    held("")
    assert notifications_withdraw(about="") == 0
    assert Notification.objects.count() == 1
