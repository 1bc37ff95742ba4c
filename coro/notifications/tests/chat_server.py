"""A local HTTP server on 127.0.0.1 that stands in for Slack and Microsoft Teams, and the
fixtures the team chat tests share: a test module imports ``*_fixture`` to use the fixture
of that name (``chat_server``, ``clock``, ``english``)."""

import json
import threading
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
# 2026-06-01 is a Monday; Madrid is UTC+2 in June.
MONDAY_10 = datetime(2026, 6, 1, 10, 0, tzinfo=MADRID)


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        owner = self.server.owner
        with owner.lock:
            owner.received.append(Received(self.path, dict(self.headers.items()), body))
            queue = owner.answers.get(self.path.split("?", 1)[0]) or [(200, b"ok", {})]
            status, answer, headers = queue.pop(0) if len(queue) > 1 else queue[0]
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(answer)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: "ChatServer"


class ChatServer:
    """Answers POSTs by path: ``answer(path, (status, body, headers), ...)`` queues answers
    (the last one repeats); ``received`` lists what came, in order."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: dict[str, list[tuple[int, bytes, dict[str, str]]]] = {}
        self.lock = threading.Lock()
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.endpoint}{path}"

    def answer(self, path: str, *answers: tuple[int, bytes] | tuple[int, bytes, dict[str, str]]):
        self.answers[path] = [(a[0], a[1], a[2] if len(a) > 2 else {}) for a in answers]  # type: ignore[misc]

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path.split("?", 1)[0] == path]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(name="chat_server")
def chat_server_fixture(settings: Any) -> Iterator[ChatServer]:
    """The stand-in chat service, which the fetcher may reach (``FETCH_TEST_ALLOW``)."""
    server = ChatServer()
    settings.FETCH_TEST_ALLOW = [server.endpoint]
    yield server
    server.stop()


class Clock:
    """``timezone.now()`` as the test says (the real clock goes on for the HTTP server)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = MONDAY_10.astimezone(UTC)
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)

    def set(self, moment: datetime) -> None:
        self.now = moment.astimezone(UTC)


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture(name="english", autouse=False)
def english_fixture(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
