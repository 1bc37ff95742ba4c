"""``coro setup``: the organisation, its first admin, its language and time zone, from flags,
environment variables or questions on a terminal; never twice by accident."""

import io
import sys
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import Client

from coro.accounts.models import User
from coro.orgs.models import Membership, Organisation, Role
from coro.program.models import Terms
from coro.site.management.commands import setup as setup_command
from coro.site.setup_token import setup_token_issue, token_path
from testing.factories import OrganisationFactory, UserFactory

PASSWORD = "azulejos-de-manises-1927"
FLAGS = [
    "--organisation",
    "Cerámicas del Turia",
    "--admin-email",
    "Lucia@Turia.example",
    "--admin-name",
    "Lucía Ferrer",
]
ENV_NAMES = [
    *(variable for _f, variable, _w in setup_command.FIELDS.values()),
    "CORO_ADMIN_PASSWORD",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, settings, tmp_path):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)
    settings.DATA_DIR = tmp_path


@pytest.fixture
def no_terminal(monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("setup", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_flags_create_the_organisation_and_its_admin_with_no_terms(db, no_terminal, monkeypatch):
    monkeypatch.setenv("CORO_ADMIN_PASSWORD", PASSWORD)
    output = run(*FLAGS, "--language", "ca", "--time-zone", "Atlantic/Canary")
    organisation = Organisation.objects.get()
    assert organisation.name == "Cerámicas del Turia"
    assert (organisation.language, organisation.time_zone) == ("ca", "Atlantic/Canary")
    admin = User.objects.get()
    assert admin.email == "lucia@turia.example"
    assert admin.name == "Lucía Ferrer"
    assert Membership.objects.get().role == Role.ADMIN
    assert authenticate(email="lucia@turia.example", password=PASSWORD) == admin
    assert not Terms.objects.exists()  # the program starts closed
    assert "Created the organisation “Cerámicas del Turia”" in output
    assert "program stays closed" in output
    assert "link" not in output


def test_environment_variables_stand_for_the_flags(db, no_terminal, monkeypatch, tmp_path):
    monkeypatch.setenv("CORO_ORGANISATION", "Azulejos Roig")
    monkeypatch.setenv("CORO_ADMIN_EMAIL", "amparo@roig.example")
    monkeypatch.setenv("CORO_ADMIN_NAME", "Amparo Roig")
    monkeypatch.setenv("CORO_LANGUAGE", "en")
    monkeypatch.setenv("CORO_TIME_ZONE", "Europe/Lisbon")
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    monkeypatch.setenv("CORO_ADMIN_PASSWORD_FILE", str(secret))
    run()
    organisation = Organisation.objects.get()
    assert (organisation.name, organisation.language, organisation.time_zone) == (
        "Azulejos Roig",
        "en",
        "Europe/Lisbon",
    )
    assert User.objects.get().check_password(PASSWORD)


def test_a_flag_wins_over_its_environment_variable(db, no_terminal, monkeypatch):
    monkeypatch.setenv("CORO_ORGANISATION", "From the environment")
    run(*FLAGS)
    assert Organisation.objects.get().name == "Cerámicas del Turia"


def test_language_and_time_zone_default_to_the_settings(db, no_terminal):
    run(*FLAGS)
    organisation = Organisation.objects.get()
    assert organisation.language == settings.LANGUAGE_CODE
    assert organisation.time_zone == settings.TIME_ZONE


def test_without_a_password_the_admin_gets_a_one_time_link(db, no_terminal):
    output = run(*FLAGS, "--no-input")
    admin = User.objects.get()
    assert not admin.has_usable_password()
    link = next(
        line.strip() for line in output.splitlines() if "/accounts/" in line and "://" in line
    )
    assert link.startswith(settings.BASE_URL + "/accounts/password/reset/key/")
    assert "works once" in output and "coro changepassword lucia@turia.example" in output

    # The link lets the admin choose a password, once.
    client = Client()
    path = urlsplit(link).path
    response = client.get(path)
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.post(form_url, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.check_password(PASSWORD)
    again = Client().get(path, follow=True)
    assert b'name="password1"' not in again.content


def test_it_refuses_to_run_twice(db, no_terminal):
    run(*FLAGS)
    with pytest.raises(CommandError, match="already set up") as refused:
        run("--organisation", "Otra", "--admin-email", "otra@example.com", "--admin-name", "Otra")
    assert refused.value.returncode == setup_command.EXIT_ALREADY_SET_UP == 3
    assert Organisation.objects.count() == 1
    assert User.objects.count() == 1


def test_force_another_creates_one_more_and_keeps_an_existing_password(db, no_terminal):
    OrganisationFactory()
    person = UserFactory(email="lucia@turia.example")
    output = run(*FLAGS, "--force-another")
    assert Organisation.objects.count() == 2
    created = Organisation.objects.get(name="Cerámicas del Turia")
    assert Membership.objects.get(organisation=created).user == person
    person.refresh_from_db()
    assert person.check_password("correct horse battery")
    assert "password is unchanged" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--language", "fr"], "--language / CORO_LANGUAGE: fr is not one of Coro's languages."),
        (
            ["--time-zone", "Mars/Olympus"],
            "--time-zone / CORO_TIME_ZONE: Mars/Olympus is not a time zone name",
        ),
        (
            ["--admin-email", "not-an-address"],
            "--admin-email / CORO_ADMIN_EMAIL: Enter a valid email address.",
        ),
    ],
)
def test_a_bad_value_is_refused_in_one_sentence(db, no_terminal, args, message):
    with pytest.raises(CommandError) as refused:
        run(*FLAGS, *args)
    assert str(refused.value).startswith(message)
    assert refused.value.returncode == 1
    assert not Organisation.objects.exists() and not User.objects.exists()


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("--organisation", "The organisation's name is missing: pass --organisation or set "
         "CORO_ORGANISATION."),
        ("--admin-email", "The admin's e-mail address is missing: pass --admin-email or set "
         "CORO_ADMIN_EMAIL."),
    ],
)  # fmt: skip
def test_a_missing_value_without_a_terminal_is_named(db, no_terminal, missing, message):
    args = list(FLAGS)
    index = args.index(missing)
    del args[index : index + 2]
    with pytest.raises(CommandError) as refused:
        run(*args)
    assert str(refused.value) == message
    assert refused.value.returncode == 1
    assert not Organisation.objects.exists()


def test_a_weak_password_in_the_environment_is_refused(db, no_terminal, monkeypatch):
    monkeypatch.setenv("CORO_ADMIN_PASSWORD", "12345678")
    with pytest.raises(CommandError, match="The password in CORO_ADMIN_PASSWORD is refused: ") as e:
        run(*FLAGS)
    assert "too common" in str(e.value)
    assert e.value.returncode == 1
    assert not Organisation.objects.exists() and not User.objects.exists()


def test_on_a_terminal_it_asks_and_checks_each_answer(db, monkeypatch, capsys):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    answers = iter(
        [
            "Cerámicas del Turia",  # organisation
            "lucia@turia.example",  # e-mail
            "Lucía Ferrer",  # name
            "de",  # language: refused, asked again
            "en",
            "",  # time zone: the default
        ]
    )
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    passwords = iter(["12345678", "12345678", PASSWORD, "different", PASSWORD, PASSWORD])
    monkeypatch.setattr(setup_command.getpass, "getpass", lambda prompt="": next(passwords))
    err = io.StringIO()
    call_command("setup", stdout=io.StringIO(), stderr=err)
    organisation = Organisation.objects.get()
    assert (organisation.language, organisation.time_zone) == ("en", settings.TIME_ZONE)
    assert User.objects.get().check_password(PASSWORD)
    assert "de is not one of Coro's languages." in err.getvalue()
    assert "too common" in err.getvalue()
    assert "The two passwords differ" in err.getvalue()


def test_cancelling_on_a_terminal_creates_nothing(db, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)

    def interrupted(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", interrupted)
    with pytest.raises(CommandError, match=r"Setup cancelled: nothing was created\."):
        run()
    assert not Organisation.objects.exists()


def test_setting_up_on_the_command_line_closes_the_web_setup(db, no_terminal):
    setup_token_issue()
    assert token_path().exists()
    run(*FLAGS)
    assert not token_path().exists()
