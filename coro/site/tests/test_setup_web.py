"""First run on the web: ``/setup/``, only while no organisation exists, only with the
one-time token ``coro serve`` printed; the admin lands on the draft terms."""

import hmac
import io
import logging
import os
import stat

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client

from coro.accounts.models import User
from coro.core.management.commands import serve as serve_command
from coro.orgs.models import Membership, Organisation, Role
from coro.program.models import Terms
from coro.site import setup_token
from coro.site.setup_token import SetupTokenClaim, setup_token_issue, token_path
from testing.factories import OrganisationFactory

PASSWORD = "azulejos-de-manises-1927"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def token(db) -> str:
    return setup_token_issue()


def details(token: str, **changes: str) -> dict[str, str]:
    return {
        "token": token,
        "organisation": "Cerámicas del Turia",
        "language": "ca",
        "time_zone": "Europe/Madrid",
        "admin_name": "Lucía Ferrer",
        "admin_email": "Lucia@Turia.example",
        "password": PASSWORD,
        **changes,
    }


# --- The token ----------------------------------------------------------------------------


def test_only_the_tokens_hash_is_kept_readable_by_coros_user_alone(db):
    token = setup_token_issue()
    stored = token_path().read_text()
    assert token not in stored and token.replace("-", "") not in stored
    assert len(stored.strip()) == 64  # SHA-256, hex
    assert stat.S_IMODE(os.stat(token_path()).st_mode) == 0o600
    assert len(token.replace("-", "")) == 25


def test_a_new_token_replaces_the_old_one(db):
    first = setup_token_issue()
    second = setup_token_issue()
    assert not setup_token.setup_token_matches(first)
    assert setup_token.setup_token_matches(second)
    assert setup_token.setup_token_matches(second.upper().replace("-", " "))  # typed by hand


def test_the_token_is_compared_in_constant_time(db, monkeypatch):
    token = setup_token_issue()
    calls = []
    original = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(setup_token.hmac, "compare_digest", spy)
    assert setup_token.setup_token_matches(token)
    assert not setup_token.setup_token_matches("wrong")
    assert len(calls) == 2


def test_only_one_of_two_requests_claims_the_token(db):
    token = setup_token_issue()
    first, second = SetupTokenClaim(token), SetupTokenClaim(token)
    assert first and not second
    first.give_back()  # the setup failed: the token works again
    third = SetupTokenClaim(token)
    assert third
    third.burn()
    assert not token_path().exists()
    assert not SetupTokenClaim(token)


# --- coro serve prints it -----------------------------------------------------------------


class Started(Exception):
    pass


@pytest.fixture
def no_exec(monkeypatch):
    """``coro serve`` up to the point where it would become the web server (granian)."""
    argv: list[list[str]] = []

    def execve(path: str, args: list[str], environment: dict[str, str]) -> None:
        argv.append(args)
        raise Started

    monkeypatch.setattr(serve_command.os, "execve", execve)
    monkeypatch.setattr(serve_command, "counter_start", lambda environment: None)
    return argv


def test_serve_prints_and_logs_a_token_while_no_organisation_exists(db, no_exec, caplog):
    out = io.StringIO()
    with caplog.at_level(logging.WARNING, logger="coro.setup"), pytest.raises(Started):
        call_command("serve", stdout=out)
    printed = out.getvalue()
    token = printed.strip().splitlines()[-1].strip()
    assert "/setup/" in printed
    assert setup_token.setup_token_matches(token)
    assert token in caplog.text
    assert "granian" in no_exec[0]


def test_serve_prints_no_token_once_set_up(db, no_exec):
    OrganisationFactory()
    setup_token_issue()  # left over from before
    out = io.StringIO()
    with pytest.raises(Started):
        call_command("serve", stdout=out)
    assert "token" not in out.getvalue()
    assert not token_path().exists()


# --- The page -----------------------------------------------------------------------------


def test_setup_creates_the_organisation_signs_the_admin_in_and_shows_the_draft(client, token):
    response = client.post("/setup/", details(token))
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/o/{organisation.code}/program/manage/"
    assert (organisation.name, organisation.language, organisation.time_zone) == (
        "Cerámicas del Turia",
        "ca",
        "Europe/Madrid",
    )
    admin = User.objects.get()
    assert admin.email == "lucia@turia.example" and admin.check_password(PASSWORD)
    assert Membership.objects.get(user=admin).role == Role.ADMIN
    assert client.session[SESSION_KEY] == str(admin.pk)
    assert not Terms.objects.exists()
    assert not token_path().exists()  # burnt

    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert b"This is an example: rewrite it in your own words before publishing." in page.content


def test_once_set_up_the_page_is_gone_and_the_token_useless(client, token):
    client.post("/setup/", details(token))
    other = Client()
    assert other.get("/setup/").status_code == 404
    assert other.post("/setup/", details(token, admin_email="x@example.com")).status_code == 404
    assert Organisation.objects.count() == 1


def test_the_page_is_404_when_an_organisation_exists_even_with_a_token(client, token):
    OrganisationFactory()
    assert client.get("/setup/").status_code == 404
    assert client.post("/setup/", details(token)).status_code == 404
    assert Organisation.objects.count() == 1
    assert not User.objects.exists()


def test_without_the_right_token_nothing_is_created(client, token):
    response = client.post("/setup/", details("abcde-fghjk-mnpqr-stuvw-xyz23"))
    assert response.status_code == 400
    assert "token" in response.context["form"].errors
    assert not Organisation.objects.exists() and not User.objects.exists()
    assert setup_token.setup_token_matches(token)  # still good


def test_before_any_token_the_page_says_where_to_get_one(client, db):
    response = client.get("/setup/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert b'id="no-setup-token"' in response.content
    assert b"coro serve" in response.content
    response = client.post("/setup/", details("anything"))
    assert response.status_code == 400
    assert not Organisation.objects.exists()


def test_a_weak_password_is_refused_and_the_token_kept(client, token):
    response = client.post("/setup/", details(token, password="12345678"))
    assert response.status_code == 400
    assert "password" in response.context["form"].errors
    assert not Organisation.objects.exists() and not User.objects.exists()
    assert setup_token.setup_token_matches(token)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("language", "fr"),
        ("time_zone", "Mars/Olympus"),
        ("admin_email", "not-an-address"),
        ("organisation", ""),
    ],
)
def test_bad_details_are_refused_with_a_message(client, token, field, value):
    response = client.post("/setup/", details(token, **{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Organisation.objects.exists()


def test_the_page_renders_in_every_language(client, db):
    for language in ("es", "ca", "en"):
        response = client.get("/setup/", HTTP_ACCEPT_LANGUAGE=language)
        assert f'<html lang="{language}">'.encode() in response.content
