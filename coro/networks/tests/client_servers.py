"""Small loopback HTTP servers for the API clients' tests: each answers with what the test
chose and records what it was asked (path, Host header)."""

import base64
import http.server
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

# (status, body) for a request's path; body None: no body at all.
Answer = tuple[int, Any]


@dataclass
class Recorded:
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, Host)

    def paths(self) -> list[str]:
        return [path for _method, path, _host in self.requests]


@contextmanager
def answering(answer: Callable[[str, str], Answer]) -> Iterator[tuple[int, Recorded]]:
    """A server on 127.0.0.1 answering ``answer(method, path)`` as JSON; (port, record)."""
    recorded = Recorded()

    class Handler(http.server.BaseHTTPRequestHandler):
        def _reply(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            path = self.path.split("?", 1)[0]
            recorded.requests.append((self.command, path, self.headers.get("Host", "")))
            status, body = answer(self.command, path)
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _reply

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(httpd.server_address[1]), recorded
    finally:
        httpd.shutdown()
        httpd.server_close()


REAL_GETADDRINFO = socket.getaddrinfo


def resolver(names: dict[str, list[str]], lookups: list[str]) -> Callable[..., Any]:
    """A ``socket.getaddrinfo`` stand-in: each name in ``names`` answers the next address of
    its list (the last one again once they run out); numeric addresses go to the real one.
    Every name looked up is appended to ``lookups``."""

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in names:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        answers = names[name]
        ip = answers[min(lookups.count(name), len(answers) - 1)]
        lookups.append(name)
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (ip, int(port or 0)))]

    return getaddrinfo


def jwt(did: str) -> str:
    """An access or refresh token the atproto SDK can read (it is never verified here)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"scope": "com.atproto.appPass", "sub": did, "iat": now, "exp": now + 3600}
    return f"{part({'alg': 'HS256', 'typ': 'at+jwt'})}.{part(claims)}.c2ln"


def session_answer(did: str = "did:plc:coroana", pds: str | None = None) -> dict[str, Any]:
    """``createSession``'s answer; ``pds``: the PDS the DID document names."""
    answer: dict[str, Any] = {
        "accessJwt": jwt(did),
        "refreshJwt": jwt(did),
        "handle": "ana.test",
        "did": did,
    }
    if pds is not None:
        answer["didDoc"] = {
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": did,
            "alsoKnownAs": ["at://ana.test"],
            "verificationMethod": [],
            "service": [
                {
                    "id": "#atproto_pds",
                    "type": "AtprotoPersonalDataServer",
                    "serviceEndpoint": pds,
                }
            ],
        }
    return answer
