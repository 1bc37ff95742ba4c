"""A quiet, honest console.

A refused or unknown page is one line, not a traceback; Ctrl+C on ``make run`` stops web
and worker cleanly; ``coro`` without its settings says in one sentence what to set; the
worker's start-up lines say what happened in plain words.
"""

import io
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import DisallowedHost, PermissionDenied
from django.core.management import call_command
from django.test import RequestFactory

from coro import cli
from coro.analytics.management.commands.releases import published_in_words
from coro.core.logging import ACCESS_LOG_ENV, ClientErrorsOnOneLine
from coro.env import ConfigError
from coro.notifications.management.commands.notifications_release import released_in_words
from testing.environment import clean_environ

ROOT = Path(__file__).resolve().parents[2]
CORO = Path(sys.executable).parent / "coro"  # the command `make run` calls
ALARMING = ("Traceback", "Segmentation fault", "Error")

# Settings a developer's shell may hold; each test says what it wants.


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    return clean_environ(CORO_DATA_DIR=str(data_dir), **extra)


# --- A 4xx is one line ---------------------------------------------------------------------


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the configured console handler (settings.LOGGING) prints during the test."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, ClientErrorsOnOneLine) for f in handler.filters)
    ]
    assert len(handlers) == 1, "LOGGING has one console handler, with the 4xx filter"
    handler = handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    before = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(before)


def test_a_403_is_one_line_without_traceback(tenancy, console):
    client = tenancy.client_for(tenancy.employee.user)
    url = f"/o/{tenancy.org.code}/people/"
    assert client.get(url).status_code == 403
    assert console.getvalue() == f"GET {url} 403 Forbidden\n"


def test_a_404_is_one_line(tenancy, console):
    client = tenancy.client_for(tenancy.admin.user)
    assert client.get("/o/nosuchorg/").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    assert console.getvalue() == (
        "GET /o/nosuchorg/ 404 Not Found\nGET /no/such/page 404 Not Found\n"
    )


def test_a_wrong_host_is_one_line_that_keeps_its_reason(client, console):
    assert client.get("/healthz", HTTP_HOST="evil.example").status_code == 400
    line = console.getvalue()
    assert line.startswith("GET /healthz 400 Bad Request: Invalid HTTP_HOST header: 'evil.example'")
    assert line.count("\n") == 1
    assert "Traceback" not in line


def test_django_does_not_print_its_messages_a_second_time():
    # Django's own console handler (DEBUG only) would repeat every line of the root one.
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django").propagate


def record(status: int, exception: Exception | None) -> logging.LogRecord:
    """A record as Django's ``log_response`` makes it."""
    exc_info = (type(exception), exception, None) if exception else None
    entry = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Refused: %s", ("/x",), exc_info
    )
    entry.status_code = status
    request = RequestFactory().post("/o/abc/posts/")
    request.path = "/o/abc/posts/\nFAKE 200 line"
    entry.request = request
    return entry


def test_the_filter_escapes_the_path_so_nobody_forges_a_log_line():
    entry = record(403, PermissionDenied())
    assert ClientErrorsOnOneLine().filter(entry)
    assert entry.getMessage() == "POST /o/abc/posts/\\nFAKE 200 line 403 Forbidden"
    assert entry.exc_info is None


def test_under_an_access_log_a_plain_4xx_adds_no_second_line(monkeypatch):
    monkeypatch.setenv(ACCESS_LOG_ENV, "1")  # as ``coro serve`` sets it for its server
    assert not ClientErrorsOnOneLine().filter(record(403, PermissionDenied()))
    assert not ClientErrorsOnOneLine().filter(record(404, None))
    # A reason the access log cannot give stays, on one line.
    with_reason = record(400, DisallowedHost("Invalid HTTP_HOST header: 'evil.example'."))
    assert ClientErrorsOnOneLine().filter(with_reason)
    assert with_reason.exc_info is None


def test_without_an_access_log_a_4xx_keeps_its_one_line(monkeypatch):
    monkeypatch.setenv(ACCESS_LOG_ENV, "0")
    assert ClientErrorsOnOneLine().filter(record(404, None))


def test_the_filter_leaves_a_server_error_its_traceback():
    entry = record(500, ValueError("a real fault"))
    assert ClientErrorsOnOneLine().filter(entry)
    assert entry.exc_info is not None
    assert entry.getMessage() == "Refused: /x"


def test_the_filter_leaves_an_unexpected_exception_on_a_4xx_its_traceback():
    entry = record(400, ValueError("a bug that answered 400"))
    assert ClientErrorsOnOneLine().filter(entry)
    assert entry.exc_info is not None


# --- coro without its settings -------------------------------------------------------------


def run_coro(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CORO), *args],
        env=environment(tmp_path, **extra),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_coro_without_secret_key_says_what_to_set(tmp_path):
    result = run_coro(tmp_path, "check", DEBUG="false")
    assert result.returncode == 2
    assert result.stderr == (
        "Coro needs SECRET_KEY: set it in the environment or in a file named by "
        "SECRET_KEY_FILE (see docs/configuration.md), or set DEBUG=true for development.\n"
    )
    assert result.stdout == ""


def test_coro_with_an_unknown_settings_module_says_so(tmp_path):
    result = run_coro(tmp_path, "migrate", DJANGO_SETTINGS_MODULE="coro.nosuchsettings")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "DJANGO_SETTINGS_MODULE" in result.stderr
    assert "Traceback" not in result.stderr


def test_coro_with_a_wrong_value_names_it(tmp_path):
    result = run_coro(tmp_path, "run", DEBUG="maybe")
    assert result.returncode == 2
    assert result.stderr == (
        "Coro cannot start: DEBUG must be true or false, not 'maybe' (see docs/configuration.md).\n"
    )


def test_advice_names_the_missing_key_and_its_form(monkeypatch):
    monkeypatch.setenv("DEBUG", "false")
    error = ConfigError("The setting LEDGER_KEY is required (id:secret, see the docs).")
    assert cli.config_advice(error) == (
        "Coro needs LEDGER_KEY (id:secret): set it in the environment or in a file named by "
        "LEDGER_KEY_FILE (see docs/configuration.md), or set DEBUG=true for development."
    )
    monkeypatch.setenv("DEBUG", "true")
    assert "DEBUG=true" not in cli.config_advice(error)


def test_advice_repeats_any_other_problem_in_one_sentence():
    error = ConfigError("MIN_GROUP_SIZE must be at least 3, not 2.")
    assert cli.config_advice(error) == (
        "Coro cannot start: MIN_GROUP_SIZE must be at least 3, not 2 (see docs/configuration.md)."
    )


def test_ctrl_c_on_any_coro_command_is_a_quiet_exit(tmp_path):
    process = subprocess.Popen(
        [
            str(CORO),
            "shell",
            "-v0",
            "-c",
            "import time; print('ready', flush=True); time.sleep(30)",
        ],
        env=environment(tmp_path, DEBUG="true"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 130
    assert stderr == ""


# --- The worker's start-up lines -----------------------------------------------------------


def test_held_notifications_in_plain_words():
    assert released_in_words(0) == "none were due."
    assert released_in_words(1) == "1 was due and is on its way."
    assert released_in_words(3) == "3 were due and are on their way."


def test_team_figures_in_plain_words():
    assert published_in_words(0, planned=True) == ("none were due; the next check is in an hour.")
    assert published_in_words(1, planned=False) == (
        "1 new release published; the next check was already planned."
    )
    assert published_in_words(2, planned=True).startswith("2 new releases published;")


@pytest.mark.django_db
def test_worker_start_up_lines():
    out = io.StringIO()
    call_command("notifications_release", stdout=out)
    call_command("releases", stdout=out)
    assert out.getvalue() == (
        "Held notifications: none were due.\n"
        "Team figures: none were due; the next check is in an hour.\n"
    )


# --- coro run: what `make run` starts ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite data folder, as `make run` prepares it."""
    path = tmp_path_factory.mktemp("coro-run")
    subprocess.run(
        [str(CORO), "migrate", "--noinput", "-v0"],
        env=environment(path, DEBUG="true"),
        check=True,
        timeout=120,
    )
    return path


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_ctrl_c_on_make_run_stops_web_and_worker_cleanly(data_dir: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # As `make run` in a terminal: its own session, so a signal to the group is a Ctrl+C.
    process = subprocess.Popen(
        [str(CORO), "run", "--bind", f"127.0.0.1:{port}"],
        env=environment(data_dir, DEBUG="true", BASE_URL=base),
        cwd=data_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while answers(f"{base}/healthz") != 200:
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "coro run did not answer within 30 s"
            time.sleep(0.1)
        assert answers(f"{base}/no/such/page") == 404
        children = children_of(process.pid)
        assert len(children) == 2  # the worker and the web server
        time.sleep(0.3)  # let the worker reach its loop, as a person would

        started = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)  # Ctrl+C
        output, _ = process.communicate(timeout=15)
        took = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == 0, output
    assert took < 8, output  # about 1 s on a quiet machine
    assert not [pid for pid in children if alive(pid)]
    assert answers(f"{base}/healthz") is None  # the server's workers are gone too
    for word in ALARMING:
        assert word not in output, output
    # One line for the 404: the server's access line; Coro adds no second one, no traceback.
    assert [line for line in output.splitlines() if "/no/such/page" in line] == [
        line for line in output.splitlines() if '"GET /no/such/page HTTP/1.1" 404' in line
    ]
    assert output.count("/no/such/page") == 1, output
    assert "Held notifications: none were due." in output
    assert output.endswith("Coro has stopped (web server and worker).\n")


@pytest.fixture
def signal_handlers() -> Iterator[None]:
    saved = {signum: signal.getsignal(signum) for signum in cli.STOP_SIGNALS}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def stand_ins(monkeypatch, worker: str, web: str) -> list[subprocess.Popen[bytes]]:
    """Replace the worker and the web server by small Python programs."""
    started: list[subprocess.Popen[bytes]] = []

    def start(command: list[str]) -> subprocess.Popen[bytes]:
        code = web if "serve" in command else worker
        child = subprocess.Popen([sys.executable, "-c", code], process_group=0)
        started.append(child)
        return child

    monkeypatch.setattr(cli, "_start", start)
    return started


SLEEP = "import time; time.sleep(60)"
IGNORING = "import signal, time; signal.signal(signal.SIG{0}, signal.SIG_IGN); time.sleep(60)"
# Sends `coro run` (its parent) what a person or make would, once running.
SENDS = "import os, signal, time; {0}" + "; time.sleep(60)"


def test_run_stops_the_worker_when_the_web_server_fails(monkeypatch, capsys, signal_handlers):
    # The web server fails at once (a port in use), the worker would run on.
    started = stand_ins(monkeypatch, worker=SLEEP, web="import sys; sys.exit(3)")
    assert cli.run(["--bind", "127.0.0.1:9"]) == 3
    assert [child.returncode for child in started] == [-signal.SIGTERM, 3]
    captured = capsys.readouterr()
    assert captured.err == "The web server stopped (exit status 3); stopping the worker.\n"


def test_run_passes_a_termination_on(monkeypatch, capsys, signal_handlers):
    terminate = "time.sleep(0.5); os.kill(os.getppid(), signal.SIGTERM)"
    started = stand_ins(monkeypatch, worker=SLEEP, web=SENDS.format(terminate))
    assert cli.run([]) == 0
    assert [child.returncode for child in started] == [-signal.SIGTERM, -signal.SIGTERM]
    assert capsys.readouterr().out == "Coro has stopped (web server and worker).\n"


def test_a_second_ctrl_c_stops_both_at_once(monkeypatch, capsys, signal_handlers):
    # Neither stand-in stops when asked (a long task, a hung request).
    twice = "time.sleep(0.5); os.kill(os.getppid(), 2); time.sleep(0.3); os.kill(os.getppid(), 2)"
    worker = IGNORING.format("INT")
    web = "signal.signal(signal.SIGTERM, signal.SIG_IGN); " + twice
    started = stand_ins(monkeypatch, worker=worker, web=SENDS.format(web))
    assert cli.run([]) == 1  # forced: not a clean stop, and it says so
    assert [child.returncode for child in started] == [-signal.SIGKILL, -signal.SIGKILL]
