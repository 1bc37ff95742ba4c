"""post_json: one SSRF-safe POST of JSON (team chat webhooks), against a real local server.

Refusals of addresses no test may touch (private, link-local, metadata) are proved with a
stubbed name resolution and every way of connecting made to fail the test.
"""

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from coro.core.fetch import FetchError
from coro.core.fetch.send import TEXT_LIMIT, post_json

Route = Callable[[BaseHTTPRequestHandler], None]


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        owner = self.server.owner
        owner.hits.append((self.path, dict(self.headers.items()), self.rfile.read(length)))
        route = owner.routes.get(self.path, reply(404, b""))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: "PostServer"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class PostServer:
    def __init__(self) -> None:
        self.hits: list[tuple[str, dict[str, str], bytes]] = []
        self.routes: dict[str, Route] = {}
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.endpoint}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def reply(
    status: int,
    body: bytes,
    *,
    content_type: str = "text/plain; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(body)

    return route


@pytest.fixture
def server(settings: Any) -> Iterator[PostServer]:
    s = PostServer()
    settings.FETCH_TEST_ALLOW = [s.endpoint]
    yield s
    s.stop()


@pytest.fixture
def no_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        pytest.fail("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def resolve_to(monkeypatch: pytest.MonkeyPatch, address: str) -> list[str]:
    asked: list[str] = []

    def fake(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        asked.append(host)
        if ":" in address:
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return asked


def refused(url: str, code: str, **kwargs: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        post_json(url, {"text": "hola"}, **kwargs)
    assert caught.value.code == code, str(caught.value)
    return caught.value


# --- What it sends and gives back ---------------------------------------------------------


def test_posts_the_json_and_gives_back_the_answer(server):
    server.routes["/hook"] = reply(200, b"ok")
    answer = post_json(server.url("/hook"), {"text": "Nueva publicación <ñ>"})
    assert (answer.status, answer.text, answer.retry_after) == (200, "ok", None)
    [(path, headers, body)] = server.hits
    assert path == "/hook"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["User-Agent"].startswith("Coro")
    assert json.loads(body.decode("utf-8")) == {"text": "Nueva publicación <ñ>"}


def test_the_query_is_kept(server):
    server.routes["/workflows/x?sig=abc"] = reply(202, b"")
    assert post_json(server.url("/workflows/x?sig=abc"), {}).status == 202


def test_an_error_answer_is_an_answer_with_its_words(server):
    server.routes["/hook"] = reply(403, b"invalid_token")
    answer = post_json(server.url("/hook"), {"text": "x"})
    assert (answer.status, answer.text) == (403, "invalid_token")


def test_retry_after_in_seconds_is_read(server):
    server.routes["/hook"] = reply(429, b"rate_limited", headers={"Retry-After": "30"})
    answer = post_json(server.url("/hook"), {"text": "x"})
    assert (answer.status, answer.retry_after) == (429, 30)


def test_an_answer_that_is_not_text_gives_no_words(server):
    server.routes["/hook"] = reply(400, b"\x89PNG\x00\x01", content_type="image/png")
    assert post_json(server.url("/hook"), {}).text == ""


def test_redirects_are_not_followed(server):
    server.routes["/hook"] = reply(302, b"", headers={"Location": server.url("/elsewhere")})
    server.routes["/elsewhere"] = reply(200, b"ok")
    answer = post_json(server.url("/hook"), {"text": "x"})
    assert answer.status == 302
    assert [path for path, _h, _b in server.hits] == ["/hook"]


def test_a_big_answer_is_read_only_up_to_the_limit(server):
    server.routes["/hook"] = reply(500, b"e" * (4 * 1024 * 1024))
    started = time.monotonic()
    answer = post_json(server.url("/hook"), {"text": "x"}, answer_limit=1024)
    assert answer.status == 500
    assert len(answer.text) <= TEXT_LIMIT and set(answer.text) == {"e"}
    assert time.monotonic() - started < 5


def test_a_slow_service_hits_the_deadline(server):
    def slow(h: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)
        reply(200, b"ok")(h)

    server.routes["/hook"] = slow
    refused(server.url("/hook"), "timeout", timeout=0.5)


def test_nothing_listening_is_a_network_error(settings):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    settings.FETCH_TEST_ALLOW = [f"127.0.0.1:{port}"]
    refused(f"http://127.0.0.1:{port}/hook", "network")


# --- What it refuses, without connecting -------------------------------------------------


@pytest.mark.parametrize(
    "address", ["10.1.2.3", "192.168.1.10", "169.254.169.254", "127.0.0.1", "::1", "fd00::1"]
)
@pytest.mark.parametrize("mode", ["test mode", "real use"])
def test_a_name_that_resolves_to_a_private_address_is_refused(
    monkeypatch, no_connect, settings, address, mode
):
    settings.FETCH_TEST_ALLOW = [] if mode == "test mode" else None
    asked = resolve_to(monkeypatch, address)
    refused("https://hooks.slack.com/services/T1/B1/secret", "address")
    assert asked == ["hooks.slack.com"]


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://hooks.slack.com/services/x", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("https://localhost/hook", "address"),
        ("https://metadata.google.internal/computeMetadata/v1/", "address"),
        ("https://user:pass@hooks.slack.com/services/x", "url"),
        ("http://10.0.0.1/hook", "address"),
    ],
)
def test_addresses_never_posted_to(no_connect, settings, url, code):
    settings.FETCH_TEST_ALLOW = None
    refused(url, code)


def test_a_loopback_server_not_listed_in_tests_is_refused(no_connect, settings):
    settings.FETCH_TEST_ALLOW = ["127.0.0.1:1"]
    refused("http://127.0.0.1:2/hook", "address")
