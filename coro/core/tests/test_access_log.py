"""The web server's access log keeps nothing about the visitor: a real granian, started with
`coro serve`'s own command line, is asked for a tracked link from loopback with a telling user
agent and referrer; its log line has the path and status, never the address, agent or referrer.
"""

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from coro.core.management.commands.serve import ACCESS_LOG_FORMAT, server_argv

ROOT = Path(__file__).resolve().parents[3]
AGENT = "SecretReader/1.0 (ana.lopez@correo.example)"
REFERRER = "https://intranet.example/ana"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, server: subprocess.Popen[str]) -> None:
    """Until the server accepts connections (a TCP connect only: no request is made)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not answer")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # the 302 is the answer: never follow it out of loopback


def test_the_format_names_no_address_agent_or_referrer():
    for field in ("%(addr)s", "%(query_string)s", "%(header{"):
        assert field not in ACCESS_LOG_FORMAT


def test_a_followed_link_leaves_no_trace_of_the_reader_in_the_log():
    port = _free_port()
    argv = server_argv(
        "testing.wsgi_hello:app", bind=f"127.0.0.1:{port}", workers=1, access_log=True
    )
    server = subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(port, server)
        opener = urllib.request.build_opener(_NoRedirect)
        request = urllib.request.Request(
            f"{base}/r/abcdefghij?utm_source=ana",
            headers={"User-Agent": AGENT, "Referer": REFERRER, "X-Forwarded-For": "203.0.113.9"},
        )
        try:
            opener.open(request, timeout=5)
        except urllib.error.HTTPError as answer:
            assert answer.code == 302
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    lines = [line for line in output.splitlines() if "/r/abcdefghij" in line]
    assert len(lines) == 1, output
    line = lines[0]
    assert '"GET /r/abcdefghij HTTP/1.1" 302' in line
    for trace in ("127.0.0.1", "SecretReader", "ana.lopez", "intranet.example", "203.0.113.9"):
        assert trace not in line
    assert "utm_source" not in line  # no query string either
