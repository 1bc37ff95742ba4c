"""Rate limits on log-in, password reset, invitation acceptance and the password check before
erasure: per address or account and per IP, with a clear message, and the same answers
whether or not an account exists."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client, override_settings

from coro.accounts.models import User
from coro.orgs.models import Membership
from coro.orgs.tokens import invitation_token
from testing.factories import InvitationFactory, UserFactory
from testing.tenancy import PASSWORD

ROOT = Path(__file__).resolve().parents[3]
LOGIN_URL = "/accounts/login/"
RESET_URL = "/accounts/password-reset/"
TOO_MANY = "Too many attempts. Wait a few minutes and try again."


def client_from(ip: str) -> Client:
    """A browser at a loopback address of its own (the counters are per IP)."""
    return Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")


def login_errors(client: Client, email: str, password: str) -> list[str]:
    response = client.post(LOGIN_URL, {"login": email, "password": password})
    assert response.status_code == 200
    return list(response.context["form"].non_field_errors())


@pytest.fixture
def person(db) -> User:
    return UserFactory(email="marta@example.com")


# --- Log-in ------------------------------------------------------------------------------


def test_twenty_wrong_passwords_are_stopped_and_say_nothing_about_the_account(person):
    answers = {}
    for ip, email in [("127.0.0.2", person.email), ("127.0.0.3", "nobody@example.com")]:
        client = client_from(ip)
        answers[email] = [login_errors(client, email, f"wrong-{n}") for n in range(20)]

    known, unknown = answers[person.email], answers["nobody@example.com"]
    assert known == unknown  # word for word, attempt by attempt
    mismatch = "The e-mail address and the password do not match. Check both and try again."
    assert known[:5] == [[mismatch]] * 5
    assert known[5:] == [[TOO_MANY]] * 15

    # Stopped, not only slowed: the right password does not get in either, for now.
    client = client_from("127.0.0.2")
    assert login_errors(client, person.email, PASSWORD) == [TOO_MANY]
    assert SESSION_KEY not in client.session


def test_the_log_in_limit_lifts_after_its_period(person, monkeypatch):
    client = client_from("127.0.0.2")
    for n in range(5):
        login_errors(client, person.email, f"wrong-{n}")
    assert login_errors(client, person.email, PASSWORD) == [TOO_MANY]

    later = time.time() + 5 * 60 + 1
    monkeypatch.setattr(allauth_ratelimit.time, "time", lambda: later)
    response = client.post(LOGIN_URL, {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(person.pk)


def test_one_address_trying_many_accounts_is_stopped(db):
    client = client_from("127.0.0.4")
    for n in range(10):
        assert login_errors(client, f"guess{n}@example.com", "wrong") != [TOO_MANY]
    assert login_errors(client, "guess-next@example.com", "wrong") == [TOO_MANY]


def test_a_flood_of_log_in_forms_gets_the_rate_limit_page(db):
    client = client_from("127.0.0.5")
    statuses = [
        client.post(LOGIN_URL, {"login": "", "password": ""}).status_code for _ in range(31)
    ]
    assert statuses[:30] == [200] * 30
    response = client.post(LOGIN_URL, {"login": "", "password": ""})
    assert response.status_code == 429
    assert "accounts/rate_limited.html" in [t.name for t in response.templates]
    assert "Wait a few minutes and try again." in response.content.decode()


# --- Password reset ----------------------------------------------------------------------


def test_repeated_reset_requests_for_one_address_are_limited_alike(person):
    for ip, email in [("127.0.0.2", person.email), ("127.0.0.3", "nobody@example.com")]:
        client = client_from(ip)
        statuses = [client.post(RESET_URL, {"email": email}).status_code for _ in range(4)]
        assert statuses == [302, 302, 302, 429], email
    # Three links reached the person; the fourth request sent nothing.
    assert [m.to for m in mail.outbox] == [[person.email]] * 3


def test_the_reset_limit_page_says_what_to_do(person):
    client = client_from("127.0.0.2")
    for _ in range(3):
        client.post(RESET_URL, {"email": person.email})
    response = client.post(RESET_URL, {"email": person.email})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


# --- Invitations -------------------------------------------------------------------------


def test_invitation_acceptance_is_limited_per_address(tenancy):
    invitation = InvitationFactory(organisation=tenancy.org, email="nuria@example.com")
    path = f"/invite/{invitation_token(invitation)}/"
    client = client_from("127.0.0.2")
    for _ in range(5):  # a password the validators refuse, five times
        response = client.post(path, {"name": "Nuria", "password": "1234"})
        assert response.status_code == 200
    response = client.post(path, {"name": "Nuria", "password": "azulejos-de-manises-1927"})
    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    assert 'value="Nuria"' in response.content.decode()  # what was typed is kept
    assert not User.objects.filter(email="nuria@example.com").exists()

    # From another address the limit per invitation still holds.
    response = client_from("127.0.0.3").post(path, {"name": "Nuria", "password": "x"})
    assert response.status_code == 429


def test_invitation_acceptance_is_limited_per_ip(tenancy):
    client = client_from("127.0.0.2")
    for n in range(10):
        invitation = InvitationFactory(organisation=tenancy.org, email=f"p{n}@example.com")
        response = client.post(
            f"/invite/{invitation_token(invitation)}/", {"name": "", "password": ""}
        )
        assert response.status_code == 200
    invitation = InvitationFactory(organisation=tenancy.org, email="last@example.com")
    response = client.post(
        f"/invite/{invitation_token(invitation)}/",
        {"name": "Last", "password": "azulejos-de-manises-1927"},
    )
    assert response.status_code == 429
    assert not Membership.objects.filter(user__email="last@example.com").exists()


# --- The password check before erasure ---------------------------------------------------


def test_the_password_check_before_erasure_is_limited(tenancy):
    user = tenancy.employee.user
    client = tenancy.client_for(user)
    for _ in range(5):
        response = client.post(
            "/me/delete/",
            {"password": "wrong", "confirm_email": user.email},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 400
        assert "That is not your password." in response.content.decode()
    response = client.post(
        "/me/delete/",
        {"password": PASSWORD, "confirm_email": user.email},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()


def test_the_erasure_limit_is_per_account(tenancy):
    """Another person at the same address still has their attempts."""
    first = tenancy.employee.user
    client = tenancy.client_for(first)
    for _ in range(5):
        client.post("/me/delete/", {"password": "wrong", "confirm_email": first.email})
    other = tenancy.editor.user
    response = tenancy.client_for(other).post(
        "/me/delete/",
        {"password": "wrong", "confirm_email": other.email},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert TOO_MANY not in response.content.decode()


# --- Behind a proxy ----------------------------------------------------------------------


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_each_client_counts_on_its_own(db):
    """Every request comes from the proxy's address; the client is in X-Forwarded-For."""
    english = {"REMOTE_ADDR": "127.0.0.1", "HTTP_ACCEPT_LANGUAGE": "en"}
    one = Client(**english, HTTP_X_FORWARDED_FOR="127.0.0.21")
    other = Client(**english, HTTP_X_FORWARDED_FOR="127.0.0.22")
    for n in range(10):
        login_errors(one, f"guess{n}@example.com", "wrong")
    assert login_errors(one, "guess-next@example.com", "wrong") == [TOO_MANY]
    assert login_errors(other, "guess-next@example.com", "wrong") != [TOO_MANY]


def proxy_count_with(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in {"BASE_URL", "TRUSTED_PROXY_COUNT"}}
    environ.update(DEBUG="true", CORO_DATA_DIR=str(tmp_path), **extra)
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-c", "import coro.settings as s; print(s.ALLAUTH_TRUSTED_PROXY_COUNT)"],
        env=environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("extra", "count"),
    [
        ({}, "0"),
        ({"BASE_URL": "https://coro.example.com"}, "1"),
        ({"BASE_URL": "https://coro.example.com", "TRUSTED_PROXY_COUNT": "2"}, "2"),
    ],
    ids=["http-no-proxy", "https-one-proxy", "two-proxies"],
)
def test_the_proxy_count_follows_the_setup(tmp_path, extra, count):
    result = proxy_count_with(tmp_path, **extra)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == count


def test_a_negative_proxy_count_stops_coro(tmp_path):
    result = proxy_count_with(tmp_path, TRUSTED_PROXY_COUNT="-1")
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT cannot be negative" in result.stderr
