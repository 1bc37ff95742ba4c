"""Settings come from the environment, typed, and fail loudly; the demo company loads."""

import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from coro.env import ConfigError, env_bool, env_choice, env_int, env_keys, env_list, env_str
from testing.environment import clean_environ

ROOT = Path(__file__).resolve().parents[3]

# --- env_str ------------------------------------------------------------------------------


def test_env_str_reads_the_value():
    assert env_str("NAME", environ={"NAME": "valor"}) == "valor"


def test_env_str_default_when_missing_or_empty():
    assert env_str("NAME", "por defecto", environ={}) == "por defecto"
    assert env_str("NAME", "por defecto", environ={"NAME": ""}) == "por defecto"


def test_env_str_required_names_the_setting():
    with pytest.raises(ConfigError, match="SECRET_KEY is required"):
        env_str("SECRET_KEY", environ={})
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        env_str("SECRET_KEY", environ={"SECRET_KEY": ""})


def test_env_str_empty_default_is_allowed():
    assert env_str("EMAIL_HOST_USER", "", environ={}) == ""


# --- *_FILE secrets -----------------------------------------------------------------------


def test_file_secret_is_read_and_stripped(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("  s3cr3t-from-file\n", encoding="utf-8")
    environ = {"SECRET_KEY_FILE": str(secret)}
    assert env_str("SECRET_KEY", environ=environ) == "s3cr3t-from-file"


def test_file_secret_wins_over_the_plain_variable(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-file", encoding="utf-8")
    environ = {"SECRET_KEY": "from-env", "SECRET_KEY_FILE": str(secret)}
    assert env_str("SECRET_KEY", environ=environ) == "from-file"


def test_file_works_for_every_type(tmp_path):
    (tmp_path / "b").write_text("yes\n")
    (tmp_path / "i").write_text("42\n")
    (tmp_path / "l").write_text("a.example, b.example\n")
    (tmp_path / "c").write_text("immediate\n")
    environ = {
        "B_FILE": str(tmp_path / "b"),
        "I_FILE": str(tmp_path / "i"),
        "L_FILE": str(tmp_path / "l"),
        "C_FILE": str(tmp_path / "c"),
    }
    assert env_bool("B", False, environ=environ) is True
    assert env_int("I", 0, environ=environ) == 42
    assert env_list("L", [], environ=environ) == ["a.example", "b.example"]
    assert env_choice("C", "database", {"immediate": "X", "database": "Y"}, environ=environ) == "X"


def test_unreadable_file_fails_loudly_naming_variable_and_path(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(ConfigError) as excinfo:
        env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(missing)})
    message = str(excinfo.value)
    assert "SECRET_KEY_FILE" in message
    assert str(missing) in message


def test_empty_file_variable_is_ignored():
    assert env_str("NAME", environ={"NAME_FILE": "", "NAME": "plain"}) == "plain"


def test_empty_secret_file_counts_as_missing(tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(ConfigError, match="required"):
        env_str("SECRET_KEY", environ={"SECRET_KEY_FILE": str(empty)})


# --- env_bool -----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "Yes", "on", " true "])
def test_env_bool_true(raw):
    assert env_bool("DEBUG", False, environ={"DEBUG": raw}) is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "no", "OFF", ""])
def test_env_bool_false(raw):
    assert env_bool("DEBUG", True, environ={"DEBUG": raw}) is False


def test_env_bool_default_when_missing():
    assert env_bool("DEBUG", True, environ={}) is True
    assert env_bool("DEBUG", False, environ={}) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "tru", "si"])
def test_env_bool_refuses_anything_else_naming_the_value(raw):
    with pytest.raises(ConfigError) as excinfo:
        env_bool("DEBUG", False, environ={"DEBUG": raw})
    assert "DEBUG" in str(excinfo.value)
    assert repr(raw) in str(excinfo.value)


# --- env_int ------------------------------------------------------------------------------


def test_env_int_reads_whole_numbers():
    assert env_int("PORT", 1, environ={"PORT": "587"}) == 587
    assert env_int("PORT", 1, environ={"PORT": " -3 "}) == -3


def test_env_int_default_when_missing_or_blank():
    assert env_int("PORT", 25, environ={}) == 25
    assert env_int("PORT", 25, environ={"PORT": "  "}) == 25


@pytest.mark.parametrize("raw", ["abc", "1.5", "10k", "0x10"])
def test_env_int_refuses_non_numbers_naming_the_value(raw):
    with pytest.raises(ConfigError) as excinfo:
        env_int("EMAIL_PORT", 587, environ={"EMAIL_PORT": raw})
    assert "EMAIL_PORT must be a whole number" in str(excinfo.value)
    assert repr(raw) in str(excinfo.value)


# --- env_list -----------------------------------------------------------------------------


def test_env_list_splits_and_trims():
    environ = {"ALLOWED_HOSTS": " a.example ,b.example,, c.example ,"}
    assert env_list("ALLOWED_HOSTS", [], environ=environ) == ["a.example", "b.example", "c.example"]


def test_env_list_default_when_missing():
    assert env_list("ALLOWED_HOSTS", ["localhost"], environ={}) == ["localhost"]


def test_env_list_empty_value_is_an_empty_list():
    assert env_list("ALLOWED_HOSTS", ["localhost"], environ={"ALLOWED_HOSTS": ""}) == []


# --- env_choice ---------------------------------------------------------------------------

CHOICES = {"database": "django_tasks_db.DatabaseBackend", "immediate": "immediate.Backend"}


def test_env_choice_maps_the_short_name():
    environ = {"TASK_BACKEND": "immediate"}
    assert env_choice("TASK_BACKEND", "database", CHOICES, environ=environ) == "immediate.Backend"


def test_env_choice_default():
    assert env_choice("TASK_BACKEND", "database", CHOICES, environ={}) == CHOICES["database"]


def test_env_choice_refuses_unknown_listing_the_allowed():
    with pytest.raises(ConfigError) as excinfo:
        env_choice("TASK_BACKEND", "database", CHOICES, environ={"TASK_BACKEND": "celery"})
    message = str(excinfo.value)
    assert "TASK_BACKEND must be one of database, immediate" in message
    assert "'celery'" in message


def test_env_choice_does_not_accept_the_full_value_instead_of_the_name():
    with pytest.raises(ConfigError):
        env_choice(
            "TASK_BACKEND", "database", CHOICES, environ={"TASK_BACKEND": CHOICES["database"]}
        )


# --- Loading the real settings in a fresh process -----------------------------------------

STRONG_KEY = "k7#Qz!p2@Lw9$Xr4%Nv8^Bt1&Hm6*Jc3(Fd5)Gs0_Ya-Ue+Oi=Pq"


def run_with(tmp_path, extra: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    environ = clean_environ(
        DJANGO_SETTINGS_MODULE="coro.settings", CORO_DATA_DIR=str(tmp_path), **extra
    )
    return subprocess.run(
        [sys.executable, *args],
        env=environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = run_with(tmp_path, {"DEBUG": "false"}, "-c", "import coro.settings")
    assert result.returncode != 0
    assert "ConfigError" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_with_a_short_secret_key_refuses_to_start(tmp_path):
    result = run_with(
        tmp_path, {"DEBUG": "false", "SECRET_KEY": "short"}, "-c", "import coro.settings"
    )
    assert result.returncode != 0
    assert "ConfigError" in result.stderr
    assert "50 characters" in result.stderr


def test_a_bad_base_url_refuses_to_start(tmp_path):
    result = run_with(
        tmp_path, {"DEBUG": "true", "BASE_URL": "coro.example.com"}, "-c", "import coro.settings"
    )
    assert result.returncode != 0
    assert "BASE_URL" in result.stderr


LEDGER_KEY = "k2026:" + "L" * 40
ENCRYPTION_KEY = "e2026:" + "E" * 40


def test_production_refuses_to_start_without_a_ledger_key(tmp_path):
    result = run_with(
        tmp_path,
        {"DEBUG": "false", "SECRET_KEY": STRONG_KEY, "BASE_URL": "https://coro.example.com"},
        "-c",
        "import coro.settings",
    )
    assert result.returncode != 0
    assert "LEDGER_KEY is required" in result.stderr


def test_production_refuses_to_start_without_an_encryption_key(tmp_path):
    result = run_with(
        tmp_path,
        {
            "DEBUG": "false",
            "SECRET_KEY": STRONG_KEY,
            "LEDGER_KEY": LEDGER_KEY,
            "BASE_URL": "https://coro.example.com",
        },
        "-c",
        "import coro.settings",
    )
    assert result.returncode != 0
    assert "ENCRYPTION_KEY is required" in result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nocolon", "id:secret pairs"),
        ("k1:short", "32 characters"),
        ("k1:" + "a" * 32 + ",k1:" + "b" * 32, "twice"),
        (":" + "a" * 32, "id:secret pairs"),
        ("k" * 33 + ":" + "a" * 32, "32 characters at most"),
    ],
)
def test_ledger_keys_are_checked(value, message):
    with pytest.raises(ConfigError, match=message):
        env_keys("LEDGER_KEY", environ={"LEDGER_KEY": value})


def test_ledger_keys_keep_their_order_and_read_a_file(tmp_path):
    secret = tmp_path / "ledger-key"
    secret.write_text("new:" + "n" * 32 + ",old:" + "o" * 32 + "\n")
    keys = env_keys("LEDGER_KEY", environ={"LEDGER_KEY_FILE": str(secret)})
    assert list(keys) == ["new", "old"]
    assert keys["old"] == "o" * 32
    assert env_keys("LEDGER_KEY", {"dev": "x" * 32}, environ={}) == {"dev": "x" * 32}


def test_deploy_check_passes_with_production_settings(tmp_path):
    assert len(STRONG_KEY) >= 50
    result = run_with(
        tmp_path,
        {
            "DEBUG": "false",
            "SECRET_KEY": STRONG_KEY,
            "LEDGER_KEY": LEDGER_KEY,
            "ENCRYPTION_KEY": ENCRYPTION_KEY,
            "BASE_URL": "https://coro.example.com",
            "ALLOWED_HOSTS": "coro.example.com",
        },
        "-m",
        "coro.cli",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_when_https_is_missing(tmp_path):
    """The same check catches an insecure deployment, so the test above means something."""
    result = run_with(
        tmp_path,
        {
            "DEBUG": "false",
            "SECRET_KEY": STRONG_KEY,
            "LEDGER_KEY": LEDGER_KEY,
            "ENCRYPTION_KEY": ENCRYPTION_KEY,
            "BASE_URL": "http://coro.example.com",
            "ALLOWED_HOSTS": "coro.example.com",
        },
        "-m",
        "coro.cli",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode != 0
    assert "security.W" in result.stderr + result.stdout


# --- The demo company ---------------------------------------------------------------------


def demo_counts() -> dict[str, int]:
    from coro.accounts.models import User
    from coro.content.models import Post
    from coro.orgs.models import Membership, Organisation, Team
    from coro.program.models import Participation
    from coro.sharing.models import Click, Share

    return {
        model.__name__: model.objects.count()
        for model in (User, Organisation, Team, Membership, Post, Participation, Share, Click)
    }


@pytest.fixture
def demo(db):
    call_command("demo", stdout=StringIO())
    return demo_counts()


def test_demo_loads_a_lively_company(demo):
    from coro.content.models import Post
    from coro.orgs.models import Organisation
    from coro.sharing.models import Share

    assert demo["Organisation"] == 1
    assert demo["Team"] >= 3
    assert demo["User"] >= 20
    assert demo["Membership"] >= 20
    assert Post.objects.filter(status=Post.Status.PUBLISHED).count() >= 10
    assert Post.objects.filter(status=Post.Status.DRAFT).exists()
    assert demo["Share"] > 0
    assert demo["Click"] > 0

    organisation = Organisation.objects.get()
    assert organisation.teams.count() == demo["Team"]
    assert Share.objects.exclude(post__organisation=organisation).count() == 0


def test_demo_activity_is_spread_over_the_past_weeks(demo):
    from coro.sharing.models import Click, Share

    now = timezone.now()
    click_times = list(Click.objects.values_list("at", flat=True))
    share_times = list(Share.objects.values_list("created_at", flat=True))
    assert all(at <= now for at in click_times + share_times)
    assert min(click_times) < now - timedelta(weeks=3)
    assert max(click_times) > now - timedelta(weeks=1)
    weeks = {(now - at).days // 7 for at in click_times}
    assert len(weeks) >= 4


def test_demo_does_not_enrol_everybody(demo):
    from coro.accounts.models import User
    from coro.program.selectors import is_enrolled

    assert 0 < demo["Participation"] < demo["Membership"]
    employee = User.objects.get(email="empleado@turia.example")
    assert not is_enrolled(employee.memberships.get())


def test_demo_logins_authenticate_with_their_roles(demo):
    from coro.site.demo import LOGINS

    assert [login.role for login in LOGINS] == ["admin", "editor", "employee"]
    for login in LOGINS:
        user = authenticate(username=login.email, password=login.password)
        assert user is not None, login.email
        assert user.memberships.get().role == login.role
        assert authenticate(username=login.email, password="wrong-password") is None


def test_demo_logins_work_through_the_login_page(demo, client):
    from coro.site.demo import LOGINS

    response = client.post(
        "/accounts/login/", {"login": LOGINS[0].email, "password": LOGINS[0].password}
    )
    assert response.status_code == 302


def test_demo_if_empty_changes_nothing_the_second_time(demo):

    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert demo_counts() == demo
    assert "admin@turia.example" in out.getvalue()


def test_demo_without_if_empty_refuses_a_non_empty_database(demo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("demo", stdout=StringIO())
    assert demo_counts() == demo


def test_demo_if_empty_does_not_touch_a_real_installation(db):

    from testing.factories import MembershipFactory

    MembershipFactory()
    before = demo_counts()
    call_command("demo", "--if-empty", stdout=StringIO())
    assert demo_counts() == before
