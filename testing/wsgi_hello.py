"""A WSGI app that answers every request with a redirect, for tests of the web server's own
behaviour (its access log) without Django or a database."""

from collections.abc import Callable, Iterable
from typing import Any


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("302 Found", [("Location", "https://example.org/"), ("Content-Length", "0")])
    return [b""]
