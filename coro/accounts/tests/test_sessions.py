"""Sessions end after an idle time (default a working day) and, however busy, after an
absolute lifetime counted from the log-in."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from coro.accounts.middleware import LOGIN_AT
from coro.accounts.models import User
from testing.factories import UserFactory
from testing.tenancy import PASSWORD

ROOT = Path(__file__).resolve().parents[3]
LOGIN_URL = "/accounts/login/"


@pytest.fixture
def person(db) -> User:
    return UserFactory(email="marta@example.com")


def log_in(person: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(LOGIN_URL, {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def stored_session(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


# --- Settings ----------------------------------------------------------------------------


def test_defaults_are_a_working_day_idle_and_two_weeks_in_all():
    assert settings.SESSION_IDLE_SECONDS == 8 * 60 * 60
    assert settings.SESSION_MAX_AGE_SECONDS == 14 * 24 * 60 * 60
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_SECONDS
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def settings_with(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("SESSION_", "DJANGO_SETTINGS"))
    }
    environ.update(DEBUG="true", CORO_DATA_DIR=str(tmp_path), **extra)
    code = (
        "import coro.settings as s; "
        "print(s.SESSION_IDLE_SECONDS, s.SESSION_MAX_AGE_SECONDS, s.SESSION_COOKIE_AGE)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_both_times_come_from_the_environment(tmp_path):
    result = settings_with(tmp_path, SESSION_IDLE_SECONDS="1800", SESSION_MAX_AGE_SECONDS="86400")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1800", "86400", "1800"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"SESSION_IDLE_SECONDS": "30"}, "SESSION_IDLE_SECONDS must be at least 60"),
        ({"SESSION_IDLE_SECONDS": "ocho horas"}, "SESSION_IDLE_SECONDS must be a whole number"),
        (
            {"SESSION_IDLE_SECONDS": "7200", "SESSION_MAX_AGE_SECONDS": "3600"},
            "SESSION_MAX_AGE_SECONDS (3600) must be at least SESSION_IDLE_SECONDS (7200)",
        ),
    ],
    ids=["too-short", "not-a-number", "lifetime-below-idle"],
)
def test_bad_values_stop_coro_with_a_clear_message(tmp_path, extra, message):
    result = settings_with(tmp_path, **extra)
    assert result.returncode != 0
    assert "ConfigError" in result.stderr
    assert message in result.stderr


# --- Idle time ---------------------------------------------------------------------------


def test_the_session_cookie_lasts_the_idle_time_and_is_renewed(person):
    client = log_in(person)
    first_expiry = stored_session(client).expire_date
    assert abs(first_expiry - (timezone.now() + timedelta(hours=8))) < timedelta(minutes=1)

    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )
    response = client.get("/accounts/profile/")
    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 60 * 60
    renewed = stored_session(client).expire_date
    assert renewed > timezone.now() + timedelta(hours=7)


def test_an_idle_session_has_ended(person):
    client = log_in(person)
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


# --- Absolute lifetime -------------------------------------------------------------------


def test_the_log_in_time_is_remembered(person):
    before = int(time.time())
    client = log_in(person)
    assert before <= client.session[LOGIN_AT] <= int(time.time())


def test_a_busy_session_still_ends_after_its_lifetime(person):
    client = log_in(person)
    session = client.session
    session[LOGIN_AT] = int(time.time()) - settings.SESSION_MAX_AGE_SECONDS - 1
    session.save()

    response = client.get("/accounts/profile/", follow=True)
    assert response.redirect_chain[0][0].startswith(LOGIN_URL)
    assert SESSION_KEY not in client.session
    assert "Your session ended. Log in again to continue." in response.content.decode()


def test_a_session_within_its_lifetime_goes_on(person):
    client = log_in(person)
    session = client.session
    session[LOGIN_AT] = int(time.time()) - settings.SESSION_MAX_AGE_SECONDS + 60
    session.save()
    assert client.get("/accounts/profile/").status_code == 200


def test_logging_in_again_starts_a_new_lifetime(person):
    client = log_in(person)
    session = client.session
    session[LOGIN_AT] = int(time.time()) - settings.SESSION_MAX_AGE_SECONDS - 1
    session.save()
    client.get("/accounts/profile/")  # ends it
    client.post(LOGIN_URL, {"login": person.email, "password": PASSWORD})
    assert client.session[LOGIN_AT] >= int(time.time()) - 5
    assert client.get("/accounts/profile/").status_code == 200


def test_a_session_without_a_log_in_time_starts_its_clock(person):
    """Sessions from before this rule (and tests' force_login) get one on first use."""
    client = Client()
    client.force_login(person)
    assert LOGIN_AT not in client.session
    assert client.get("/accounts/profile/").status_code == 200
    assert client.session[LOGIN_AT] >= int(time.time()) - 5
