"""Each person chooses, per kind of message, how often it reaches them by e-mail."""

import zoneinfo
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coro.notifications import channels
from coro.notifications.models import Notification, NotificationPreference, Rhythm
from coro.notifications.personal_data import notification_preferences
from coro.notifications.preferences import (
    DEFAULTS,
    preferences_update,
    rhythm_of,
    rhythms_of,
)
from coro.notifications.services import notification_hold
from testing.factories import UserFactory

Kind = Notification.Kind
URL = "/notifications/preferences/"
MONDAY_10 = datetime(2026, 6, 1, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid"))


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def person(db):
    return UserFactory(language="en")


@pytest.fixture
def client_in(client, person):
    client.force_login(person)
    return client


def form_data(**changes: str) -> dict[str, str]:
    return {kind: str(DEFAULTS[kind]) for kind in Kind.values} | changes


# --- Defaults and choices -----------------------------------------------------------------


def test_every_kind_has_a_default():
    assert set(DEFAULTS) == set(Kind.values)
    assert DEFAULTS[Kind.NEW_POST] == Rhythm.DAILY
    for kind in Kind.values:
        if kind != Kind.NEW_POST:
            assert DEFAULTS[kind] == Rhythm.IMMEDIATE, kind


def test_without_choices_the_defaults_apply(person):
    assert rhythms_of(person) == DEFAULTS
    assert rhythm_of(person, Kind.NEW_POST) == Rhythm.DAILY
    assert not NotificationPreference.objects.exists()


def test_a_choice_is_stored_and_only_changes_are_reported(person):
    changed = preferences_update(
        user=person, rhythms={Kind.NEW_POST: Rhythm.WEEKLY, Kind.TERMS_UPDATED: Rhythm.IMMEDIATE}
    )
    assert changed == [Kind.NEW_POST]
    assert rhythm_of(person, Kind.NEW_POST) == Rhythm.WEEKLY
    assert preferences_update(user=person, rhythms={Kind.NEW_POST: Rhythm.WEEKLY}) == []
    assert NotificationPreference.objects.filter(user=person).count() == 1


def test_nonsense_is_refused(person):
    with pytest.raises(ValidationError) as error:
        preferences_update(user=person, rhythms={"no_such_kind": Rhythm.DAILY})
    assert "no_such_kind" in error.value.message_dict
    with pytest.raises(ValidationError):
        preferences_update(user=person, rhythms={Kind.NEW_POST: "hourly"})
    assert not NotificationPreference.objects.exists()


def test_one_persons_choice_is_not_anothers(person):
    other = UserFactory()
    preferences_update(user=person, rhythms={Kind.NEW_POST: Rhythm.NEVER})
    assert rhythms_of(other) == DEFAULTS


# --- Holding records the rhythm; the channel follows it -----------------------------------


@pytest.mark.parametrize(
    ("rhythm", "channel"),
    [
        (Rhythm.IMMEDIATE, "email"),
        (Rhythm.DAILY, "in_app"),
        (Rhythm.WEEKLY, "in_app"),
        (Rhythm.NEVER, "in_app"),
    ],
)
def test_the_channel_follows_the_rhythm_held_with_the_message(person, monkeypatch, rhythm, channel):
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_10.astimezone(UTC))
    preferences_update(user=person, rhythms={Kind.PROPOSAL_DECIDED: rhythm})
    notification = notification_hold(
        user=person, organisation=None, kind=Kind.PROPOSAL_DECIDED, subject="s", body="b"
    )
    assert notification.rhythm == rhythm
    assert channels.channel_for(notification).key == channel


# --- The page -----------------------------------------------------------------------------


def test_the_page_needs_signing_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_shows_one_labelled_choice_per_kind(client_in):
    response = client_in.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for kind, label in Kind.choices:
        assert f'<label for="id_{kind}">{label}:</label>' in html
        assert f'<select name="{kind}"' in html
    for _rhythm, label in Rhythm.choices:
        assert str(label) in html
    assert '<option value="daily" selected>' in html  # new posts, by default
    assert reverse("me:working_hours") in html
    assert "a digest stops every kind the digest lists" in html


def test_saving_confirms_and_keeps_the_choice(client_in, person):
    response = client_in.post(URL, form_data(new_post="weekly", comment_reply="never"), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Your e-mail preferences were saved." in response.content.decode()
    rhythms = rhythms_of(person)
    assert rhythms[Kind.NEW_POST] == Rhythm.WEEKLY
    assert rhythms[Kind.COMMENT_REPLY] == Rhythm.NEVER
    assert rhythms[Kind.TERMS_UPDATED] == Rhythm.IMMEDIATE
    assert '<option value="weekly" selected>' in client_in.get(URL).content.decode()


def test_a_bad_choice_is_explained_and_nothing_changes(client_in, person):
    response = client_in.post(URL, form_data(new_post="hourly"))
    assert response.status_code == 400
    assert "Choose how often from the list." in response.content.decode()
    assert not NotificationPreference.objects.filter(user=person).exists()


def test_a_missing_choice_is_explained(client_in, person):
    data = form_data()
    del data["terms_updated"]
    response = client_in.post(URL, data)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_someone_without_working_days_is_told_nothing_is_e_mailed(client_in, person):
    person.work_days = ""
    person.save()
    assert "Coro does not e-mail you at all" in client_in.get(URL).content.decode()


# --- Download my data ---------------------------------------------------------------------


def test_the_persons_data_lists_every_kind_and_what_they_chose(person):
    preferences_update(user=person, rhythms={Kind.NEW_POST: Rhythm.NEVER})
    rows = {row["kind"]: row for row in notification_preferences(person)}
    assert set(rows) == set(Kind.values)
    assert rows[Kind.NEW_POST]["rhythm"] == Rhythm.NEVER
    assert rows[Kind.NEW_POST]["chosen"] is True
    assert rows[Kind.TERMS_UPDATED] == {
        "kind": Kind.TERMS_UPDATED,
        "rhythm": Rhythm.IMMEDIATE,
        "chosen": False,
        "updated_at": None,
    }
