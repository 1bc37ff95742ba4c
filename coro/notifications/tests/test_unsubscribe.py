"""The one-click unsubscribe link: works signed out, asks before it acts (a page with one
button), takes the mail program's RFC 8058 POST, and changes only its own kinds."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from coro.notifications.models import Notification, NotificationPreference, Rhythm
from coro.notifications.preferences import DEFAULTS, preferences_update, rhythms_of
from coro.notifications.unsubscribe import (
    SALT,
    BadToken,
    unsubscribe_read,
    unsubscribe_token,
    unsubscribe_url,
)
from testing.factories import UserFactory

Kind = Notification.Kind


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def person(db):
    return UserFactory(language="en")


def url_for(user, kinds) -> str:
    return reverse(
        "notifications:unsubscribe", kwargs={"token": unsubscribe_token(user=user, kinds=kinds)}
    )


def test_the_page_asks_first_and_works_signed_out(person):
    client = Client()
    response = client.get(url_for(person, [Kind.COMMENT_REPLY]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stop these e-mails?" in html
    assert "Replies to your comments" in html
    assert 'method="post"' in html
    assert reverse("notifications:preferences") in html
    assert rhythms_of(person)[Kind.COMMENT_REPLY] == Rhythm.IMMEDIATE  # nothing changed yet


def test_the_button_stops_that_kind_only(person):
    preferences_update(user=person, rhythms={Kind.NEW_POST: Rhythm.WEEKLY})
    before = rhythms_of(person)
    response = Client().post(url_for(person, [Kind.COMMENT_REPLY]))
    assert response.status_code == 200
    assert "Done: these e-mails stop" in response.content.decode()
    after = rhythms_of(person)
    assert after[Kind.COMMENT_REPLY] == Rhythm.NEVER
    assert {k: v for k, v in after.items() if k != Kind.COMMENT_REPLY} == {
        k: v for k, v in before.items() if k != Kind.COMMENT_REPLY
    }
    assert after[Kind.NEW_POST] == Rhythm.WEEKLY


def test_a_mail_programs_one_click_post_needs_no_csrf_token_nor_cookie(person):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        url_for(person, [Kind.TERMS_UPDATED]),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert rhythms_of(person)[Kind.TERMS_UPDATED] == Rhythm.NEVER


def test_other_forms_still_need_their_csrf_token(person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    response = client.post(reverse("notifications:preferences"), {})
    assert response.status_code == 403


def test_it_is_only_about_the_person_of_the_link(person):
    someone_else = UserFactory()
    signed_in = Client()
    signed_in.force_login(someone_else)
    signed_in.post(url_for(person, [Kind.COMMENT_REPLY]))
    assert rhythms_of(person)[Kind.COMMENT_REPLY] == Rhythm.NEVER
    assert rhythms_of(someone_else) == DEFAULTS


def test_a_digests_link_stops_every_kind_it_listed(person):
    url = url_for(person, [Kind.NEW_POST, Kind.COMMENT_REPLY])
    page = Client().get(url).content.decode()
    assert "New posts for you" in page
    assert "Replies to your comments" in page
    assert "which the digest you came from listed" in page
    Client().post(url)
    rhythms = rhythms_of(person)
    assert rhythms[Kind.NEW_POST] == rhythms[Kind.COMMENT_REPLY] == Rhythm.NEVER
    assert rhythms[Kind.TERMS_UPDATED] == Rhythm.IMMEDIATE


def test_using_it_twice_is_harmless(person):
    url = url_for(person, [Kind.NEW_POST])
    assert Client().post(url).status_code == 200
    assert Client().post(url).status_code == 200
    assert NotificationPreference.objects.filter(user=person).count() == 1


def test_an_old_link_still_works_after_the_choice_changed_and_came_back(person):
    url = url_for(person, [Kind.NEW_POST])
    preferences_update(user=person, rhythms={Kind.NEW_POST: Rhythm.IMMEDIATE})
    preferences_update(user=person, rhythms={Kind.NEW_POST: Rhythm.DAILY})
    assert Client().post(url).status_code == 200
    assert rhythms_of(person)[Kind.NEW_POST] == Rhythm.NEVER


def test_held_messages_of_that_kind_follow_the_new_choice(person):
    from coro.notifications.services import notification_hold

    person.work_days = "6"  # so that a Monday-to-Friday message is held
    person.save()
    held = notification_hold(
        user=person, organisation=None, kind=Kind.NEW_POST, subject="s", body="b"
    )
    Notification.objects.filter(pk=held.pk).update(delivered_at=None)
    Client().post(url_for(person, [Kind.NEW_POST]))
    held.refresh_from_db()
    assert held.rhythm == Rhythm.NEVER


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "eyJ1IjoxfQ:1abcde:forged",
        signing.dumps({"u": 1, "k": ["new_post"]}, salt="another.purpose"),
        signing.dumps({"u": 1, "k": ["new_post"]}, salt=SALT, key="not-the-site-key"),
        signing.dumps({"u": 1, "k": ["no_such_kind"]}, salt=SALT),
        signing.dumps({"u": 1, "k": []}, salt=SALT),
        signing.dumps({"u": "1", "k": ["new_post"]}, salt=SALT),
        signing.dumps(["new_post"], salt=SALT),
    ],
)
def test_a_bad_or_forged_link_gets_a_clear_400(person, token):
    for method in ("get", "post"):
        response = getattr(Client(), method)(
            reverse("notifications:unsubscribe", kwargs={"token": token})
        )
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_a_link_for_an_account_that_is_gone_gets_a_400(person):
    url = url_for(person, [Kind.NEW_POST])
    person.delete()
    assert Client().get(url).status_code == 400
    assert Client().post(url).status_code == 400


def test_a_changed_kind_breaks_the_signature(person):
    token = unsubscribe_token(user=person, kinds=[Kind.NEW_POST])
    _payload, rest = token.split(":", 1)
    other = unsubscribe_token(user=person, kinds=[Kind.TERMS_UPDATED]).split(":", 1)[0]
    with pytest.raises(BadToken):
        unsubscribe_read(f"{other}:{rest}")
    assert unsubscribe_read(token).kinds == [Kind.NEW_POST]


def test_other_methods_are_refused(person):
    assert Client().put(url_for(person, [Kind.NEW_POST])).status_code == 405


def test_the_link_is_absolute(person, settings):
    settings.BASE_URL = "https://coro.example.org"
    url = unsubscribe_url(user=person, kinds=[Kind.NEW_POST])
    assert url.startswith("https://coro.example.org/notifications/unsubscribe/")
