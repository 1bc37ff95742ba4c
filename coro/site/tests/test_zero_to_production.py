"""docs/zero-to-production.md, step by step, as separate processes with production settings
(DEBUG off, the three keys, an https BASE_URL) on a fresh database: SQLite in a temporary
folder always, and PostgreSQL too when DATABASE_URL points at one (a throwaway database on
127.0.0.1:5432, dropped afterwards).

Everything runs on loopback: the web server binds 127.0.0.1, and the requests carry the
public host name and ``X-Forwarded-Proto: https`` as the reverse proxy would.
"""

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[3]
CORO = Path(sys.executable).with_name("coro")
HOST = "coro.example.com"
BASE_URL = f"https://{HOST}"
ADMIN_EMAIL = "lucia@turia.example"
PASSWORD = "azulejos-de-manises-1927"
ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@dataclass
class Machine:
    """A fresh install: its environment (docs/zero-to-production.md, step 4) and the steps."""

    env: dict[str, str]
    data: Path
    started: list[subprocess.Popen[str]] = field(default_factory=list)

    def coro(
        self, *args: str, extra: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CORO), *args],
            env={**self.env, **(extra or {})},
            cwd=self.data,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def python(self, script: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", textwrap.dedent(script), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )


def fresh_environment(tmp_path: Path, database_url: str) -> dict[str, str]:
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "TMPDIR") if name in os.environ}
    return {
        **keep,
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "coro.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LEDGER_KEY": "k2026:" + secrets.token_urlsafe(32),
        "ENCRYPTION_KEY": "e2026:" + secrets.token_urlsafe(32),
        "BASE_URL": BASE_URL,
        "DATABASE_URL": database_url,
        "CORO_DATA_DIR": str(tmp_path / "data"),
        "TIME_ZONE": "Europe/Madrid",
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def machine(request, tmp_path) -> Iterator[Machine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'data' / 'coro.sqlite3'}"
        yield from _machine(tmp_path, url)
        return
    if not ON_POSTGRESQL:
        pytest.skip("DATABASE_URL does not point at PostgreSQL")
    import psycopg

    name = f"coro_z2p_{secrets.token_hex(6)}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield from _machine(tmp_path, f"postgres://postgres@127.0.0.1:5432/{name}")
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _machine(tmp_path: Path, url: str) -> Iterator[Machine]:
    (tmp_path / "data").mkdir()
    machine = Machine(env=fresh_environment(tmp_path, url), data=tmp_path / "data")
    try:
        yield machine
    finally:
        for process in machine.started:  # only what this test started, by its own id
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def migrate_and_check(machine: Machine) -> None:
    """Steps 5: create the tables, and the deployment check says nothing is wrong."""
    migrated = machine.coro("migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    checked = machine.coro("check", "--deploy", "--fail-level", "WARNING")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout


# A log-in through the pages, as a browser behind the proxy would do it: Django's test client
# in a process of its own, with the production settings of the environment.
LOG_IN_AND_INVITE = """
import json, re, sys
import django
django.setup()
from django.test import Client

email, password = sys.argv[1], sys.argv[2]
client = Client(HTTP_HOST="coro.example.com", HTTP_ACCEPT_LANGUAGE="en")
get = lambda path: client.get(path, secure=True)
post = lambda path, data: client.post(path, data, secure=True)
result = {"plain_http": client.get("/accounts/login/").status_code}
page = get("/accounts/login/")
result["login_page"] = page.status_code
field = re.search(r'<input type="email" name="(\\w+)"', page.content.decode()).group(1)
result["wrong_password"] = post("/accounts/login/", {field: email, "password": "nope"}).status_code
result["log_in"] = post("/accounts/login/", {field: email, "password": password}).status_code
home = get("/")
org = home["Location"].split("/")[2]
feed = get(home["Location"]).content.decode()
result["feed_closed"] = "The advocacy program is not open yet." in feed
manage = get(f"/o/{org}/program/manage/").content.decode()
result["draft"] = "This is an example: rewrite it in your own words" in manage
result["setup_gone"] = get("/setup/").status_code
result["invite"] = post(
    f"/o/{org}/people/invite/", {"email": "nuria@example.com", "role": "employee"}
).status_code
print(json.dumps(result))
"""


def test_from_zero_to_production_with_coro_setup(machine):
    migrate_and_check(machine)

    # Step 6: `coro setup` with flags; the password from the environment.
    setup = ["setup", "--no-input", "--organisation", "Cerámicas del Turia",
             "--admin-email", ADMIN_EMAIL, "--admin-name", "Lucía Ferrer",
             "--language", "ca", "--time-zone", "Europe/Madrid"]  # fmt: skip
    done = machine.coro(*setup, extra={"CORO_ADMIN_PASSWORD": PASSWORD})
    assert done.returncode == 0, done.stderr
    assert "Created the organisation “Cerámicas del Turia”" in done.stdout
    again = machine.coro(*setup, extra={"CORO_ADMIN_PASSWORD": PASSWORD})
    assert again.returncode == 3
    assert "already set up" in again.stderr

    # Step 9: the admin logs in, finds the draft terms and invites someone. The pages are
    # served in-process here, so the static files are collected as `coro serve` does first.
    collected = machine.coro("collectstatic", "--noinput", "-v0")
    assert collected.returncode == 0, collected.stderr
    logged = machine.python(LOG_IN_AND_INVITE, ADMIN_EMAIL, PASSWORD)
    assert logged.returncode == 0, logged.stderr
    result = json.loads(logged.stdout.strip().splitlines()[-1])
    assert result == {
        "plain_http": 301,  # SECURE_SSL_REDIRECT: plain http goes to https
        "login_page": 200,
        "wrong_password": 200,
        "log_in": 302,
        "feed_closed": True,
        "draft": True,
        "setup_gone": 404,
        "invite": 302,
    }

    # Step 7: the worker sends the invitation (on the console without EMAIL_HOST), in the
    # organisation's language, with a link to the public address.
    worker = machine.coro("worker", "--batch", "--no-reload")
    assert worker.returncode == 0, worker.stderr
    assert re.search(rf"{re.escape(BASE_URL)}/invite/\S+/", worker.stdout), worker.stdout
    assert "T'han convidat" in worker.stdout or "T&#x27;han convidat" in worker.stdout


def test_from_zero_to_production_with_the_web_setup(machine):
    migrate_and_check(machine)

    # Step 6 on the web: `coro serve` prints a one-time token while no organisation exists.
    port = free_port()
    server = subprocess.Popen(
        [str(CORO), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=machine.env,
        cwd=machine.data,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    machine.started.append(server)
    token = read_token(server)
    assert (machine.data / "setup-token.sha256").exists()
    web = Browser(port)
    web.wait_until_up()

    page = web.get("/setup/")
    assert page.status == 200
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    form = {
        "csrfmiddlewaretoken": csrf,
        "token": token,
        "organisation": "Cerámicas del Turia",
        "language": "es",
        "time_zone": "Europe/Madrid",
        "admin_name": "Lucía Ferrer",
        "admin_email": ADMIN_EMAIL,
        "password": PASSWORD,
    }
    wrong = web.post("/setup/", {**form, "token": "abcde-fghjk-mnpqr-stuvw-xyz23"})
    assert wrong.status == 400
    done = web.post("/setup/", form)
    assert done.status == 302, done.text
    manage = web.get(done.location)
    assert manage.status == 200
    assert "This is an example" in manage.text or "Esto es un ejemplo" in manage.text
    assert web.get("/setup/").status == 404
    assert not (machine.data / "setup-token.sha256").exists()
    assert web.get("/healthz").status == 200

    # The same account logs in again later, through the log-in page.
    later = Browser(port)
    login = later.get("/accounts/login/")
    field_name = re.search(r'<input type="email" name="(\w+)"', login.text).group(1)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    answer = later.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": csrf, field_name: ADMIN_EMAIL, "password": PASSWORD},
    )
    assert answer.status == 302
    assert later.get("/").status == 302


# --- A small client for the real server ---------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def read_token(server: subprocess.Popen[str]) -> str:
    """The token `coro serve` prints under "with this one-time setup token"."""
    assert server.stdout is not None
    deadline = time.monotonic() + 120
    lines: list[str] = []
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "one-time setup token" in line:
            return server.stdout.readline().strip()
    raise AssertionError("no setup token printed:\n" + "".join(lines))


@dataclass
class Answer:
    status: int
    text: str
    location: str


class Browser:
    """HTTP to 127.0.0.1 as the reverse proxy forwards it (host name, https), with cookies
    kept by hand: they are Secure, and the connection itself is plain loopback."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError("coro serve did not answer")

    def request(self, method: str, path: str, body: str | None = None) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Accept-Language": "en",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if body is not None:
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": BASE_URL,
                "Referer": BASE_URL + path,
            }
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return Answer(response.status, text, response.getheader("Location", ""))
        finally:
            connection.close()

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, str]) -> Answer:
        return self.request("POST", path, urlencode(data))
