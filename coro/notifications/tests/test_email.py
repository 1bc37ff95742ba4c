"""E-mails sent right away, through a real SMTP server on loopback (aiosmtpd): what arrives,
in whose language, with which headers; and an SMTP server that fails, then recovers."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from coro.notifications.models import Notification, Rhythm
from coro.notifications.preferences import preferences_update
from coro.notifications.services import (
    notification_hold,
    notification_send,
    notifications_release_due,
)
from coro.notifications.unsubscribe import unsubscribe_read
from testing.factories import OrganisationFactory, UserFactory
from testing.smtp import smtp_server_fixture  # noqa: F401

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
# 2026-06-01 is a Monday; Madrid is UTC+2 in June.
MONDAY_10 = datetime(2026, 6, 1, 10, 0, tzinfo=MADRID)
MONDAY_22 = datetime(2026, 6, 1, 22, 0, tzinfo=MADRID)
TUESDAY_9 = datetime(2026, 6, 2, 9, 0, tzinfo=MADRID)


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
def organisation(db):
    return OrganisationFactory(name="Cerámicas Prueba", language="ca")


@pytest.fixture
def person(db):
    return UserFactory(name="Nuria", email="nuria@example.com", language="en")


def hold(user, organisation, kind=Notification.Kind.COMMENT_REPLY, link="/o/abc/posts/x/"):
    return notification_hold(
        user=user,
        organisation=organisation,
        kind=kind,
        subject="Marta replied to your comment",
        body="I agree with you & <em>your</em> point.\n\nSee you there.",
        link=link,
    )


def send_now(user, organisation, captured, **kwargs) -> Notification:
    with captured(execute=True):
        return hold(user, organisation, **kwargs)


# --- What arrives -------------------------------------------------------------------------


def test_an_immediate_e_mail_arrives_with_both_parts_and_one_click_unsubscribe(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    notification = send_now(person, organisation, django_capture_on_commit_callbacks)
    [received] = smtp_server.messages
    message = received.message
    assert received.recipients == ["nuria@example.com"]
    assert message["Subject"] == "Marta replied to your comment"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Auto-Submitted"] == "auto-generated"

    # RFC 8058: an https (here: BASE_URL) link in angle brackets, and the one-click header.
    assert received.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    match = re.fullmatch(r"<(.+)>", received.header("List-Unsubscribe"))
    assert match
    link = match.group(1)
    assert link.startswith(f"{settings.BASE_URL}/notifications/unsubscribe/")
    token = link.removeprefix(f"{settings.BASE_URL}/notifications/unsubscribe/").rstrip("/")
    unsubscription = unsubscribe_read(token)
    assert unsubscription.user == person
    assert unsubscription.kinds == [Notification.Kind.COMMENT_REPLY]

    text = received.part("text/plain")
    html = received.part("text/html")
    assert "I agree with you & <em>your</em> point." in text  # plain text, as written
    assert "I agree with you &amp; &lt;em&gt;your&lt;/em&gt; point." in html  # escaped
    for part in (text, html):
        assert f"{settings.BASE_URL}/o/abc/posts/x/" in part
        assert link in part
        assert f"{settings.BASE_URL}{reverse('notifications:preferences')}" in part
        assert f"{settings.BASE_URL}{reverse('me:working_hours')}" in part
    assert "Cerámicas Prueba" in html  # the organisation's name
    assert '<html lang="en">' in html

    notification.refresh_from_db()
    assert notification.channel == "email"
    assert notification.rhythm == Rhythm.IMMEDIATE


def test_the_html_has_no_external_images_scripts_or_trackers(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    send_now(person, organisation, django_capture_on_commit_callbacks)
    html = smtp_server.messages[0].part("text/html")
    assert "<img" not in html
    assert "<script" not in html
    assert "<link" not in html
    assert "url(" not in html
    # Every link points at Coro itself, never at a redirector that counts clicks.
    for href in re.findall(r'href="([^"]+)"', html):
        assert href.startswith(settings.BASE_URL + "/")
    assert 'role="presentation"' in html  # layout tables are not read out as data


def test_the_e_mail_is_in_the_persons_language(
    smtp_server, organisation, clock, django_capture_on_commit_callbacks
):
    spanish = UserFactory(language="es")
    send_now(spanish, organisation, django_capture_on_commit_callbacks)
    text = smtp_server.messages[0].part("text/plain")
    assert "Coro solo te escribe dentro del horario laboral que has fijado" in text
    assert '<html lang="es">' in smtp_server.messages[0].part("text/html")


def test_without_a_language_of_their_own_the_organisations_is_used(
    smtp_server, organisation, clock, django_capture_on_commit_callbacks
):
    undecided = UserFactory(language="")
    send_now(undecided, organisation, django_capture_on_commit_callbacks)
    assert '<html lang="ca">' in smtp_server.messages[0].part("text/html")


def test_without_any_language_the_sites_is_used(
    smtp_server, db, clock, django_capture_on_commit_callbacks
):
    undecided = UserFactory(language="")
    send_now(undecided, None, django_capture_on_commit_callbacks)
    html = smtp_server.messages[0].part("text/html")
    assert f'<html lang="{settings.LANGUAGE_CODE}">' in html
    assert ">Coro</p>" in html  # no organisation: Coro's name heads it


def test_a_full_link_is_kept_as_it_is(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    send_now(person, organisation, django_capture_on_commit_callbacks, link="https://example.org/x")
    assert "https://example.org/x" in smtp_server.messages[0].part("text/plain")


# --- The rhythm decides the channel -------------------------------------------------------


@pytest.mark.parametrize("rhythm", [Rhythm.DAILY, Rhythm.WEEKLY, Rhythm.NEVER])
def test_other_rhythms_are_delivered_in_the_app_without_an_e_mail(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks, rhythm
):
    preferences_update(user=person, rhythms={Notification.Kind.COMMENT_REPLY: rhythm})
    notification = send_now(person, organisation, django_capture_on_commit_callbacks)
    notification.refresh_from_db()
    assert notification.rhythm == rhythm
    assert notification.delivered_at == clock.now
    assert notification.channel == "in_app"
    assert smtp_server.messages == []


def test_only_the_kind_chosen_changes(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    preferences_update(user=person, rhythms={Notification.Kind.COMMENT_REPLY: Rhythm.NEVER})
    send_now(person, organisation, django_capture_on_commit_callbacks)
    send_now(
        person,
        organisation,
        django_capture_on_commit_callbacks,
        kind=Notification.Kind.TERMS_UPDATED,
    )
    [received] = smtp_server.messages
    token = received.header("List-Unsubscribe").strip("<>").rstrip("/").rsplit("/", 1)[1]
    assert unsubscribe_read(token).kinds == [Notification.Kind.TERMS_UPDATED]


# --- Working hours ------------------------------------------------------------------------


def test_a_message_created_at_22_in_madrid_is_e_mailed_at_9_the_next_morning(
    smtp_server, organisation, clock, django_capture_on_commit_callbacks
):
    person = UserFactory(language="en", time_zone="Europe/Madrid")  # Monday to Friday, 9 to 18
    clock.set(MONDAY_22)
    with django_capture_on_commit_callbacks(execute=True):
        notification = hold(person, organisation)
    assert notification.deliver_after == TUESDAY_9
    assert smtp_server.messages == []

    # The night passes: whatever runs before 09:00 sends nothing.
    for moment in (MONDAY_22 + timedelta(hours=1), TUESDAY_9 - timedelta(seconds=1)):
        clock.set(moment)
        assert notifications_release_due() == 0
        with django_capture_on_commit_callbacks(execute=True):
            assert notification_send(notification_id=notification.pk) is False
    assert smtp_server.messages == []

    clock.set(TUESDAY_9)
    assert notifications_release_due() == 1
    assert len(smtp_server.messages) == 1
    notification.refresh_from_db()
    assert notification.delivered_at == TUESDAY_9
    assert notification.channel == "email"


# --- A failing SMTP server ----------------------------------------------------------------


def test_a_refusing_server_loses_nothing_and_sends_nothing_twice(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    smtp_server.refuse(2)
    first = send_now(person, organisation, django_capture_on_commit_callbacks)
    second = send_now(person, organisation, django_capture_on_commit_callbacks)
    assert smtp_server.refused == 2
    assert smtp_server.messages == []
    for notification in (first, second):
        notification.refresh_from_db()
        assert notification.delivered_at is None  # released, not lost
        assert notification.channel == ""

    # The periodic release finds them; the server accepts now.
    clock.set(MONDAY_10 + timedelta(minutes=5))
    assert notifications_release_due() == 2
    assert len(smtp_server.messages) == 2
    assert notifications_release_due() == 0
    assert notification_send(notification_id=first.pk) is False
    assert len(smtp_server.messages) == 2
    for received in smtp_server.messages:
        assert received.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
        assert received.part("text/plain")
        assert received.part("text/html")


def test_a_server_that_is_down_then_up_gets_the_message_once(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    smtp_server.down()
    notification = send_now(person, organisation, django_capture_on_commit_callbacks)
    with pytest.raises(ConnectionRefusedError):
        notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.delivered_at is None

    smtp_server.up()
    assert notifications_release_due() == 1
    assert notifications_release_due() == 0
    assert len(smtp_server.messages) == 1


def test_the_periodic_jobs_are_registered():
    from coro.core.periodic import JOBS

    assert JOBS["notifications.release_due"].every == timedelta(minutes=5)
    assert JOBS["notifications.digests"].every == timedelta(minutes=15)
