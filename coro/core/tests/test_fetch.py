"""The SSRF-safe fetcher, against real local HTTP servers (loopback only).

Refusals are proved two ways: loopback servers that count their requests (a refused fetch
leaves the count at zero), and, for addresses no test may ever touch (private, link-local,
metadata), a stubbed name resolution with every way of connecting made to fail the test.
"""

import contextlib
import gzip
import ipaddress
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import translation

from coro.core.fetch import FetchError, address_allowed, fetch

HTML = ("text/html", "application/xhtml+xml")
Route = Callable[[BaseHTTPRequestHandler], None]


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.owner.hits.append(self.path)
        route = self.server.owner.routes.get(self.path.split("?", 1)[0])
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        # The fetcher may hang up on purpose (a refused size, a deadline).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: "LocalServer"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class _Server6(_Server):
    address_family = socket.AF_INET6


class LocalServer:
    """A real HTTP server on a loopback address, in a thread; ``hits`` lists the paths it
    was asked for and ``routes`` maps a path to what it answers."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.hits: list[str] = []
        self.routes: dict[str, Route] = {}
        cls = _Server6 if ":" in host else _Server
        self.httpd = cls((host, port), _Handler)
        self.httpd.owner = self
        self.host = host
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"http://{self.endpoint}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def answer(
    body: bytes = b"<html><title>Hi</title></html>",
    *,
    status: int = 200,
    content_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
    length: bool = True,
) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        if length:
            h.send_header("Content-Length", str(len(body)))
        else:
            h.send_header("Connection", "close")
            h.close_connection = True
        h.end_headers()
        h.wfile.write(body)

    return route


def redirect(location: str, status: int = 302) -> Route:
    return answer(b"", status=status, headers={"Location": location})


@pytest.fixture
def serve() -> Iterator[Callable[..., LocalServer]]:
    servers: list[LocalServer] = []

    def start(host: str = "127.0.0.1", port: int = 0) -> LocalServer:
        server = LocalServer(host, port)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def allow(settings: Any) -> Callable[..., None]:
    """Let the fetcher reach these local servers (FETCH_TEST_ALLOW)."""

    def add(*servers: LocalServer) -> None:
        settings.FETCH_TEST_ALLOW = [*settings.FETCH_TEST_ALLOW, *(s.endpoint for s in servers)]

    settings.FETCH_TEST_ALLOW = []
    return add


@pytest.fixture
def no_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test (and never reaches the network)."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        pytest.fail(f"a connection was attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def resolve_to(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> list[str]:
    """Stub name resolution: every name resolves to ``addresses``; returns the names asked."""
    asked: list[str] = []

    def fake(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        asked.append(host)
        out: list[tuple[Any, ...]] = []
        for a in addresses:
            if ":" in a:
                out.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0)))
            else:
                out.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)))
        return out

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return asked


def refused(url: str, code: str, **kwargs: Any) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch(url, accept=kwargs.pop("accept", HTML), **kwargs)
    assert caught.value.code == code, str(caught.value)
    return caught.value


@pytest.fixture(params=["test mode", "real use"])
def mode(request: pytest.FixtureRequest, settings: Any) -> str:
    """Refusals must hold in real use (FETCH_TEST_ALLOW None) as well as in test mode."""
    settings.FETCH_TEST_ALLOW = [] if request.param == "test mode" else None
    return str(request.param)


# --- what works -----------------------------------------------------------------------------


def test_an_allowed_local_page_is_fetched(serve: Any, allow: Any) -> None:
    server = serve()
    server.routes["/page"] = answer(b"<p>hola</p>", content_type='Text/HTML; Charset="ISO-8859-1"')
    allow(server)
    got = fetch(server.url("/page?x=1"), accept=HTML)
    assert got.status == 200
    assert got.content_type == "text/html"
    assert got.charset == "iso-8859-1"
    assert got.body == b"<p>hola</p>"
    assert got.url == server.url("/page?x=1")
    assert server.hits == ["/page?x=1"]


def test_redirects_are_followed_up_to_three(serve: Any, allow: Any) -> None:
    server = serve()
    server.routes["/a"] = redirect("/b", 301)
    server.routes["/b"] = redirect(server.url("/c"), 307)
    server.routes["/c"] = redirect("d", 303)
    server.routes["/d"] = answer(b"done")
    allow(server)
    got = fetch(server.url("/a"), accept=HTML)
    assert got.body == b"done"
    assert got.url == server.url("/d")
    assert server.hits == ["/a", "/b", "/c", "/d"]


def test_a_gzipped_answer_is_unpacked(serve: Any, allow: Any) -> None:
    server = serve()
    server.routes["/"] = answer(
        gzip.compress(b"<p>packed</p>"), headers={"Content-Encoding": "gzip"}
    )
    allow(server)
    assert fetch(server.url(), accept=HTML).body == b"<p>packed</p>"


# --- loopback, in every spelling: the local server sees nothing --------------------------------


def test_loopback_is_refused(serve: Any, mode: str) -> None:
    server = serve()
    server.routes["/"] = answer()
    with translation.override("en"):
        error = refused(server.url(), "address")
    assert str(error) == "The address points to a private network, which Coro never fetches."
    assert server.hits == []


def test_ipv6_loopback_is_refused(serve: Any, mode: str) -> None:
    try:
        server = serve("::1")
    except OSError:
        pytest.skip("this machine has no ::1")
    server.routes["/"] = answer()
    refused(server.url(), "address")
    assert server.hits == []


@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f.1", "127.1", "0177.0.0.1", "0x7f000001", "[::ffff:127.0.0.1]"]
)
def test_loopback_written_otherwise_is_refused(serve: Any, mode: str, host: str) -> None:
    server = serve()
    server.routes["/"] = answer()
    refused(f"http://{host}:{server.port}/", "address")
    assert server.hits == []


def test_the_allowance_is_for_one_exact_port(serve: Any, allow: Any) -> None:
    allowed, other = serve(), serve()
    allowed.routes["/"] = other.routes["/"] = answer()
    allow(allowed)
    fetch(allowed.url(), accept=HTML)
    refused(other.url(), "address")
    assert allowed.hits == ["/"]
    assert other.hits == []


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.1:{port}/", "http://2130706433:{port}/", "http://[::ffff:7f00:1]:{port}/"],
)
def test_a_redirect_to_loopback_is_refused(serve: Any, allow: Any, target: str) -> None:
    start, victim = serve(), serve()
    victim.routes["/"] = answer(b"secret")
    start.routes["/go"] = redirect(target.format(port=victim.port))
    allow(start)
    refused(start.url("/go"), "address")
    assert start.hits == ["/go"]
    assert victim.hits == []


# --- private, link-local, metadata: only ever with stubbed resolution -----------------------------

REFUSED = [
    "10.0.0.1",
    "10.255.255.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "100.64.0.1",
    "169.254.169.254",
    "169.254.0.1",
    "127.0.0.1",
    "127.8.9.10",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "240.0.0.1",
    "::1",
    "::",
    "fc00::1",
    "fd12:3456:789a::1",
    "fe80::1",
    "ff02::1",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",
    "2002:0a00:0001::1",  # 6to4 around 10.0.0.1
    "2002:7f00:0001::1",  # 6to4 around 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
    "2001::1",  # Teredo
    "fd00:ec2::254",  # AWS metadata over IPv6
]
PUBLIC = [
    "8.8.8.8",
    "93.184.216.34",
    "2606:4700:4700::1111",
    "2002:0808:0808::1",
    "64:ff9b::808:808",
]


@pytest.mark.parametrize("address", REFUSED)
def test_address_allowed_refuses(address: str) -> None:
    assert not address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_address_allowed_lets_public_addresses_through(address: str) -> None:
    assert address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", REFUSED)
def test_a_name_resolving_to_a_refused_address_is_never_connected(
    monkeypatch: pytest.MonkeyPatch, no_connect: None, mode: str, address: str
) -> None:
    asked = resolve_to(monkeypatch, address)
    refused("https://innocent.example/page", "address")
    assert asked == ["innocent.example"]


@pytest.mark.parametrize("order", [("8.8.8.8", "10.0.0.1"), ("10.0.0.1", "8.8.8.8")])
def test_a_name_half_public_half_private_is_refused(
    monkeypatch: pytest.MonkeyPatch, no_connect: None, settings: Any, order: tuple[str, str]
) -> None:
    settings.FETCH_TEST_ALLOW = None  # real use: the public address alone would be tried
    resolve_to(monkeypatch, *order)
    refused("http://rebind.example/", "address")


@pytest.mark.parametrize(
    "url",
    [
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://metadata/",
        "http://instance-data/latest/",
        "http://localhost:8000/",
        "http://api.localhost/",
        "http://LOCALHOST./",
    ],
)
def test_metadata_and_local_names_are_refused_unresolved(
    monkeypatch: pytest.MonkeyPatch, no_connect: None, mode: str, url: str
) -> None:
    asked = resolve_to(monkeypatch, "8.8.8.8")
    refused(url, "address")
    assert asked == []


def _rebinding(monkeypatch: pytest.MonkeyPatch, first: str, later: str) -> list[str]:
    """Stub name resolution: every name answers ``first`` the first time it is asked, and
    ``later`` from then on (as a name server changing its answer would). The names asked."""
    asked: list[str] = []

    def lookup(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        asked.append(host)
        ip = first if len(asked) == 1 else later
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    return asked


def test_the_checked_address_is_the_one_connected_to_one_lookup_per_hop(
    serve: Any, allow: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: a name that answers a checked address, then another one. The fetch
    connects to the address it checked, never asking again; a redirect is a new hop with its
    own lookup and check. (Both servers are loopback ones the test allows; in real use the
    second answer would be a private address.)"""
    first = serve("127.0.0.1")
    later = serve("127.0.0.2", port=first.port)  # the same port, another address
    for server, body in ((first, b"first"), (later, b"later")):
        server.routes["/page"] = answer(body)
        server.routes["/start"] = redirect("/page")
    allow(first, later)

    asked = _rebinding(monkeypatch, first.host, later.host)
    got = fetch(f"http://rebind.example:{first.port}/page", accept=HTML)
    assert got.body == b"first"
    assert asked == ["rebind.example"]
    assert (first.hits, later.hits) == (["/page"], [])

    first.hits.clear()
    asked = _rebinding(monkeypatch, first.host, later.host)
    got = fetch(f"http://rebind.example:{first.port}/start", accept=HTML)
    assert got.body == b"later"
    assert asked == ["rebind.example", "rebind.example"]  # one per hop
    assert (first.hits, later.hits) == (["/start"], ["/page"])


def test_tests_never_reach_beyond_this_machine(
    monkeypatch: pytest.MonkeyPatch, no_connect: None, allow: Any
) -> None:
    resolve_to(monkeypatch, "93.184.216.34")
    refused("https://example.com/", "test")


def test_tests_never_ask_a_name_server(allow: Any, no_connect: None) -> None:
    # Without a stub, test mode resolves numeric addresses only: a name is simply not found.
    refused("https://example.com/", "network")


# --- limits -------------------------------------------------------------------------------------


def test_a_slow_site_times_out(serve: Any, allow: Any) -> None:
    server = serve()

    def slow(h: BaseHTTPRequestHandler) -> None:
        time.sleep(2)
        answer()(h)

    server.routes["/"] = slow
    allow(server)
    began = time.monotonic()
    with translation.override("en"):
        error = refused(server.url(), "timeout", timeout=0.5)
    assert time.monotonic() - began < 1.5
    assert str(error) == "The site took longer than 0.5 seconds."


def test_the_deadline_covers_the_whole_fetch_not_each_read(serve: Any, allow: Any) -> None:
    server = serve()

    def drip(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "100")
        h.end_headers()
        for _ in range(100):  # one byte every 0.1 s: each read is quick, the whole is not
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.1)

    server.routes["/"] = drip
    allow(server)
    began = time.monotonic()
    refused(server.url(), "timeout", timeout=0.8)
    assert time.monotonic() - began < 2


def test_the_deadline_covers_a_slow_name_lookup(
    monkeypatch: pytest.MonkeyPatch, no_connect: None, allow: Any
) -> None:
    def slow_lookup(*args: Any, **kwargs: Any) -> list[Any]:
        time.sleep(2)
        return []

    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    began = time.monotonic()
    refused("https://slow.example/", "timeout", timeout=0.5)
    assert time.monotonic() - began < 1.5


def test_the_deadline_covers_redirects(serve: Any, allow: Any) -> None:
    server = serve()

    def slow_redirect(h: BaseHTTPRequestHandler) -> None:
        time.sleep(0.4)
        redirect("/" + str(len(server.hits)))(h)

    for n in range(5):
        server.routes[f"/{n}" if n else "/"] = slow_redirect
    allow(server)
    began = time.monotonic()
    refused(server.url(), "timeout", timeout=1.0, max_redirects=10)
    assert time.monotonic() - began < 1.8


@pytest.mark.parametrize("length", [True, False])
def test_a_big_page_is_refused_not_cut(serve: Any, allow: Any, length: bool) -> None:
    server = serve()
    server.routes["/"] = answer(b"x" * 5000, length=length)
    allow(server)
    with translation.override("en"):
        error = refused(server.url(), "size", max_bytes=4000)
    assert str(error) == "The page is bigger than 3 KB."
    assert fetch(server.url(), accept=HTML, max_bytes=5000).body == b"x" * 5000


def test_the_size_limit_reads_2_mb_by_default(serve: Any, allow: Any) -> None:
    server = serve()
    server.routes["/"] = answer(b"x" * (2 * 1024 * 1024 + 1), length=False)
    allow(server)
    with translation.override("en"):
        assert str(refused(server.url(), "size")) == "The page is bigger than 2 MB."


def test_a_gzip_bomb_is_refused(serve: Any, allow: Any) -> None:
    server = serve()
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))
    assert len(bomb) < 100_000
    server.routes["/"] = answer(bomb, headers={"Content-Encoding": "gzip"})
    allow(server)
    refused(server.url(), "size")


def test_an_unknown_packing_is_refused(serve: Any, allow: Any) -> None:
    server = serve()
    server.routes["/"] = answer(b"???", headers={"Content-Encoding": "br"})
    allow(server)
    refused(server.url(), "encoding")


def test_a_wrong_type_is_refused_before_the_body_is_read(serve: Any, allow: Any) -> None:
    server = serve()
    server.routes["/"] = answer(b"\x89PNG" + b"x" * 100, content_type="image/png")
    allow(server)
    with translation.override("en"):
        error = refused(server.url(), "type")
    assert str(error) == "The address did not answer with a web page (it sent image/png)."


def test_too_many_redirects(serve: Any, allow: Any) -> None:
    server = serve()
    for n in range(5):
        server.routes[f"/{n}"] = redirect(f"/{n + 1}")
    server.routes["/5"] = answer()
    allow(server)
    with translation.override("en"):
        error = refused(server.url("/0"), "redirects")
    assert str(error) == "Too many redirects (more than 3)."
    assert server.hits == ["/0", "/1", "/2", "/3"]


def test_an_error_status_is_refused(serve: Any, allow: Any) -> None:
    server = serve()
    allow(server)
    refused(server.url("/missing"), "status")


@pytest.mark.parametrize(
    "raw",
    [
        b"garbage\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70000 + b"\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
)
def test_a_broken_answer_is_a_clear_error(serve: Any, allow: Any, raw: bytes) -> None:
    server = serve()

    def broken(h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(raw)
        h.close_connection = True

    server.routes["/"] = broken
    allow(server)
    refused(server.url(), "network")


def test_a_server_that_is_not_there(serve: Any, allow: Any) -> None:
    server = serve()
    allow(server)
    server.stop()
    refused(server.url(), "network")


def test_https_with_an_unverifiable_certificate_is_refused(allow: Any, settings: Any) -> None:
    # A TLS server with a made-up certificate: Coro checks certificates, so it hangs up.
    with tempfile.TemporaryDirectory() as tmp:
        made = subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes"),
                *("-subj", "/CN=127.0.0.1", "-days", "1"),
                *("-keyout", f"{tmp}/k.pem", "-out", f"{tmp}/c.pem"),
            ],
            capture_output=True,
        )
        if made.returncode:
            pytest.skip("no openssl to make a certificate")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(f"{tmp}/c.pem", f"{tmp}/k.pem")
    server = LocalServer()
    server.routes["/"] = answer()
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    try:
        settings.FETCH_TEST_ALLOW = [server.endpoint]
        refused(f"https://{server.endpoint}/", "tls")
        assert server.hits == []
    finally:
        server.stop()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/file",
        "javascript:alert(1)",
        "data:text/html,<p>hi</p>",
        "gopher://127.0.0.1:70/",
        "//example.com/",
        "example.com",
    ],
)
def test_only_http_and_https(no_connect: None, url: str) -> None:
    refused(url, "scheme")


@pytest.mark.parametrize(
    "url", ["http://user:secret@8.8.8.8/", "http://", "http://[::1/", "http://host:99999/"]
)
def test_malformed_addresses(no_connect: None, url: str) -> None:
    refused(url, "url")
