"""E-mails sent right away, through a real SMTP server on loopback (aiosmtpd): what arrives,
in whose language, with which headers; and an SMTP server that fails, then recovers."""

import re
import zoneinfo
from datetime import UTC, datetime, time, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from coro.notifications.channels import email
from coro.notifications.emails import notification_message
from coro.notifications.models import Notification, Rhythm
from coro.notifications.preferences import preferences_update, rhythms_of
from coro.notifications.selectors import notifications_delivered
from coro.notifications.services import (
    notification_hold,
    notification_send,
    notifications_release_due,
)
from coro.notifications.unsubscribe import unsubscribe_read
from coro.orgs.models import Membership
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
    if organisation is not None:  # people are e-mailed about organisations they are in
        Membership.objects.get_or_create(user=user, organisation=organisation)
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


def in_the_app(notification) -> bool:
    return notification in notifications_delivered(notification.user)


def test_451_twice_then_ok_sends_one_e_mail_and_the_message_shows_meanwhile(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    smtp_server.refuse(2)
    notification = send_now(person, organisation, django_capture_on_commit_callbacks)
    assert smtp_server.refused == 1
    notification.refresh_from_db()
    assert in_the_app(notification)  # delivered in the app whatever the e-mail does
    assert notification.email_sent_at is None
    assert notification.email_error.startswith("SMTPDataError: (451")
    assert notification.email_retry_at == clock.now + timedelta(minutes=5)

    assert notifications_release_due() == 0  # not before its wait is over
    clock.set(MONDAY_10 + timedelta(minutes=5))
    assert notifications_release_due() == 1
    assert smtp_server.refused == 2
    notification.refresh_from_db()
    assert notification.email_retry_at == clock.now + timedelta(minutes=10)  # doubled

    clock.set(MONDAY_10 + timedelta(minutes=15))
    assert notifications_release_due() == 1
    assert notifications_release_due() == 0
    assert notification_send(notification_id=notification.pk) is False
    [received] = smtp_server.messages
    assert received.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    notification.refresh_from_db()
    assert notification.email_sent_at == clock.now
    assert notification.email_attempts == 3
    assert notification.email_error == ""


def refuse_every_mailbox(smtp_server) -> None:
    """The server answers 550 (no such mailbox) to every recipient."""

    async def handle_RCPT(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such mailbox (test)"

    smtp_server.handler.handle_RCPT = handle_RCPT


def test_a_550_refusal_is_given_up_at_once_and_the_message_stays_in_the_app(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    refuse_every_mailbox(smtp_server)
    notification = send_now(person, organisation, django_capture_on_commit_callbacks)
    notification.refresh_from_db()
    assert in_the_app(notification)
    assert notification.email_sent_at is None
    assert notification.email_given_up_at == clock.now
    assert notification.email_attempts == 1
    assert "SMTPRecipientsRefused" in notification.email_error
    assert "550" in notification.email_error

    # No more attempts, however long the periodic job runs.
    for minutes in (5, 30, 60 * 4, 60 * 24):
        clock.set(MONDAY_10 + timedelta(minutes=minutes))
        assert notifications_release_due() == 0
    notification.refresh_from_db()
    assert notification.email_attempts == 1
    assert smtp_server.messages == []


def test_a_server_that_is_down_then_up_gets_the_message_once(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    smtp_server.down()
    notification = send_now(person, organisation, django_capture_on_commit_callbacks)
    notification.refresh_from_db()
    assert in_the_app(notification)
    assert notification.email_error.startswith("ConnectionRefusedError")

    smtp_server.up()
    clock.set(MONDAY_10 + timedelta(minutes=5))
    assert notifications_release_due() == 1
    assert notifications_release_due() == 0
    assert len(smtp_server.messages) == 1


def test_failures_stop_after_the_last_attempt(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks, caplog
):
    person.work_days, person.work_start, person.work_end = "1234567", time(0), time(23, 59)
    person.save()  # the retries' waits grow to hours: let them all fall inside working hours
    smtp_server.down()
    notification = send_now(person, organisation, django_capture_on_commit_callbacks)
    for _attempt in range(email.ATTEMPTS_MAX - 1):
        notification.refresh_from_db()
        clock.now = notification.email_retry_at
        assert notifications_release_due() == 1
    notification.refresh_from_db()
    assert notification.email_attempts == email.ATTEMPTS_MAX
    assert notification.email_given_up_at == clock.now
    assert "given up" in caplog.text
    clock.now += timedelta(days=1)
    assert notifications_release_due() == 0


def test_retries_wait_for_the_persons_working_hours(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    clock.set(datetime(2026, 6, 1, 17, 58, tzinfo=MADRID))
    smtp_server.down()
    notification = send_now(person, organisation, django_capture_on_commit_callbacks)
    smtp_server.up()
    clock.set(datetime(2026, 6, 1, 18, 5, tzinfo=MADRID))  # its wait is over, their day too
    assert notifications_release_due() == 0
    clock.set(TUESDAY_9)
    assert notifications_release_due() == 1
    assert len(smtp_server.messages) == 1
    notification.refresh_from_db()
    assert notification.email_sent_at == TUESDAY_9


# --- A worker that dies -------------------------------------------------------------------


def test_a_stale_claim_is_sent_once_later(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    """A worker took the e-mail and died before sending it: it is not lost."""
    clock.set(MONDAY_22)
    with django_capture_on_commit_callbacks(execute=True):
        notification = hold(person, organisation)
    clock.set(TUESDAY_9)
    Notification.objects.filter(pk=notification.pk).update(
        delivered_at=TUESDAY_9, channel="email", email_claimed_at=TUESDAY_9, email_attempts=1
    )
    # While the claim is fresh, nobody else sends it.
    clock.set(TUESDAY_9 + email.STALE_CLAIM - timedelta(seconds=1))
    assert notifications_release_due() == 0
    assert smtp_server.messages == []

    clock.set(TUESDAY_9 + email.STALE_CLAIM + timedelta(seconds=1))
    assert notifications_release_due() == 1
    assert notifications_release_due() == 0
    clock.set(TUESDAY_9 + 3 * email.STALE_CLAIM)
    assert notifications_release_due() == 0
    [received] = smtp_server.messages
    domain = settings.BASE_URL.split("://")[1].split(":")[0].split("/")[0]
    assert received.header("Message-ID") == f"<notification.{notification.code}@{domain}>"
    notification.refresh_from_db()
    assert notification.email_sent_at is not None
    assert notification.email_attempts == 2


def test_the_message_id_is_the_same_when_sent_again(person, organisation):
    notification = hold(person, organisation)
    first = notification_message(notification).message()["Message-ID"]
    assert first == notification_message(notification).message()["Message-ID"]
    assert notification.code in first


def test_email_timeout_is_set():
    assert settings.EMAIL_TIMEOUT > 0


# --- Held overnight: one e-mail -----------------------------------------------------------


def test_three_messages_held_at_22_arrive_at_9_as_one_e_mail(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    clock.set(MONDAY_22)
    held = []
    for subject, link in (
        ("Marta replied to your comment", "/o/abc/posts/1/"),
        ("Your proposal is published: Feria", "/o/abc/posts/2/"),
        ("Your post on Mastodon was not made", "/o/abc/scheduled/"),
    ):
        Membership.objects.get_or_create(user=person, organisation=organisation)
        with django_capture_on_commit_callbacks(execute=True):
            held.append(
                notification_hold(
                    user=person,
                    organisation=organisation,
                    kind=Notification.Kind.COMMENT_REPLY,
                    subject=subject,
                    body=f"About {subject}.",
                    link=link,
                )
            )
        clock.now += timedelta(minutes=10)
    assert smtp_server.messages == []

    clock.set(TUESDAY_9)
    assert notifications_release_due() == 3
    assert notifications_release_due() == 0
    [received] = smtp_server.messages
    assert received.header("Subject") == "Cerámicas Prueba · While you were away: 3 new messages"
    text = received.part("text/plain")
    html = received.part("text/html")
    for notification in held:
        assert notification.subject in text
        assert notification.subject in html
        assert f"{settings.BASE_URL}{notification.link}" in text
        assert f'href="{settings.BASE_URL}{notification.link}"' in html
        notification.refresh_from_db()
        assert notification.delivered_at == TUESDAY_9
        assert notification.email_sent_at == TUESDAY_9
    assert received.header("Message-ID").startswith("<notifications.")


def test_one_message_held_overnight_keeps_its_own_layout(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    clock.set(MONDAY_22)
    with django_capture_on_commit_callbacks(execute=True):
        notification = hold(person, organisation)
    clock.set(TUESDAY_9)
    assert notifications_release_due() == 1
    [received] = smtp_server.messages
    assert received.header("Subject") == notification.subject


# --- Who is still there -------------------------------------------------------------------


def test_someone_who_left_the_organisation_overnight_is_not_e_mailed(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    clock.set(MONDAY_22)
    with django_capture_on_commit_callbacks(execute=True):
        notification = hold(person, organisation)
    Membership.objects.filter(user=person).update(deactivated_at=clock.now)
    clock.set(TUESDAY_9)
    notifications_release_due()
    assert smtp_server.messages == []
    notification.refresh_from_db()
    assert notification.delivered_at == TUESDAY_9
    assert notification.channel == "in_app"


def test_a_closed_account_is_not_e_mailed(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    clock.set(MONDAY_22)
    with django_capture_on_commit_callbacks(execute=True):
        notification = hold(person, organisation)
    person.is_active = False
    person.save()
    clock.set(TUESDAY_9)
    notifications_release_due()
    assert smtp_server.messages == []
    notification.refresh_from_db()
    assert notification.channel == "in_app"


def test_someone_who_left_before_a_retry_is_not_e_mailed(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    smtp_server.down()
    notification = send_now(person, organisation, django_capture_on_commit_callbacks)
    smtp_server.up()
    Membership.objects.filter(user=person).delete()
    clock.set(MONDAY_10 + timedelta(minutes=5))
    notifications_release_due()
    assert smtp_server.messages == []
    notification.refresh_from_db()
    assert notification.email_given_up_at == clock.now
    assert notification.email_sent_at is None


# --- The unsubscribe link of an e-mail that arrived -----------------------------------------


def test_the_unsubscribe_link_of_an_e_mail_that_arrived_works_signed_out(
    smtp_server, person, organisation, clock, django_capture_on_commit_callbacks
):
    before = rhythms_of(person)
    send_now(person, organisation, django_capture_on_commit_callbacks)
    [received] = smtp_server.messages
    match = re.fullmatch(r"<(.+)>", received.header("List-Unsubscribe"))
    assert match
    url = match.group(1)
    assert url.startswith(settings.BASE_URL)

    response = Client().post(url.removeprefix(settings.BASE_URL), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    after = rhythms_of(person)
    assert after[Notification.Kind.COMMENT_REPLY] == Rhythm.NEVER
    assert before[Notification.Kind.COMMENT_REPLY] != Rhythm.NEVER
    assert {kind: rhythm for kind, rhythm in after.items() if rhythm != before[kind]} == {
        Notification.Kind.COMMENT_REPLY: Rhythm.NEVER
    }


def test_the_periodic_jobs_are_registered():
    from coro.core.periodic import JOBS

    assert JOBS["notifications.release_due"].every == timedelta(minutes=5)
    assert JOBS["notifications.digests"].every == timedelta(minutes=15)
