"""A network for posting tests: a small real HTTP server on loopback, and a client that
implements ``coro.networks.NetworkClient`` by calling it over HTTP (urllib3).

The server behaves like a network that honours ``Idempotency-Key`` (as Mastodon does): a
second post with a key it has seen makes no new post and answers with the first one. It
answers from a script of statuses (503, 429 with Retry-After, 401 ...), then 200, and may
hold its answer (``delay``) to let a test kill the worker mid-post. The client maps statuses
to the errors of ``coro.networks.clients`` as the real clients do.

Run as a module, it drives a Coro process in a test of its own (``test_posting_worker.py``)
with this network's client in place of Bluesky's (nothing in the product knows about it)::

    python -m testing.posting_network setup <server url>   # data + one post due now
    python -m testing.posting_network worker <server url> [coro worker args]
"""

import json
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import urllib3

from coro.networks import Posted
from coro.networks.base import LinkCard
from coro.networks.clients import AuthError, ClientError, RateLimited, TemporaryError

NETWORK = "bluesky"


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class PostServer:
    """What the server was asked and did. ``script`` is consumed one answer per request;
    once empty, posts succeed."""

    script: list[Answer] = field(default_factory=list)
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)  # by idempotency key
    received: threading.Event = field(default_factory=threading.Event)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, key: str, body: dict[str, Any]) -> tuple[Answer, dict[str, Any] | None]:
        with self.lock:
            self.requests.append({"key": key, **body})
            answer = self.script.pop(0) if self.script else Answer(200)
            made = None
            if answer.status == 200:
                made = self.posts.get(key)
                if made is None:  # one post per key, however often it is asked
                    number = len(self.posts) + 1
                    made = {"id": f"post-{number}", "url": f"{self.url}/posts/{number}", **body}
                    self.posts[key] = made
        self.received.set()
        return answer, made


@contextmanager
def post_server(script: list[Answer] | None = None, delay: float = 0.0) -> Iterator[PostServer]:
    state = PostServer(script=list(script or []), delay=delay)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            body["token"] = self.headers.get("Authorization", "")
            answer, made = state.answer(self.headers.get("Idempotency-Key", ""), body)
            if state.delay:
                time.sleep(state.delay)
            payload = json.dumps(made or {"error": "no"}).encode()
            try:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client is gone (a killed worker)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


class HttpTestClient:
    """``NetworkClient`` over HTTP to a ``PostServer``, errors mapped by status."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(total=120))

    def post(
        self,
        *,
        credentials: Mapping[str, str],
        text: str,
        link: str,
        idempotency_key: str,
        preview: LinkCard | None = None,
        created_at: datetime | None = None,
    ) -> Posted:
        try:
            response = self.http.request(
                "POST",
                f"{self.url}/statuses",
                json={"text": text, "link": link},
                headers={
                    "Authorization": f"Bearer {credentials.get('token', '')}",
                    "Idempotency-Key": idempotency_key,
                },
            )
        except urllib3.exceptions.HTTPError as error:
            raise TemporaryError(f"The server can't be reached: {error}") from error
        status = response.status
        if status in (401, 403):
            raise AuthError("The server refused the account's access.")
        if status == 429:
            retry_after = response.headers.get("Retry-After")
            raise RateLimited("Too many posts.", float(retry_after) if retry_after else None)
        if status >= 500:
            raise TemporaryError(f"The server answered {status}.")
        if status != 200:
            raise ClientError(f"The server refused the post ({status}).")
        made = response.json()
        return Posted(remote_id=made["id"], url=made["url"])

    def audience_size(self, *, credentials: Mapping[str, str]) -> int | None:
        return None


def use_test_network(url: str) -> None:
    """Put ``HttpTestClient(url)`` in place of the network's client, in this process."""
    from coro import networks

    networks.NETWORKS[NETWORK] = replace(networks.NETWORKS[NETWORK], client=HttpTestClient(url))


def _setup() -> None:
    """A company, an enrolled person with a connected account, a post, and one scheduled
    post due now (enqueued for the worker). Prints the scheduled post's id."""
    import django

    django.setup()
    from django.db import transaction

    from coro.program.selectors import terms_current
    from coro.program.services import program_join
    from coro.sharing.posting import scheduled_post_create
    from coro.sharing.services import share_record
    from testing.factories import (
        ConnectedAccountFactory,
        MembershipFactory,
        PostFactory,
        TermsFactory,
    )

    membership = MembershipFactory.create()
    terms = TermsFactory.create(organisation=membership.organisation)
    assert terms_current(membership.organisation) == terms
    program_join(membership=membership, terms=terms)
    account = ConnectedAccountFactory.create(membership=membership, network=NETWORK)
    post = PostFactory.create(organisation=membership.organisation)
    with transaction.atomic():
        text = "Azulejos nuevos, hechos a mano."
        share = share_record(post=post, membership=membership, network=NETWORK, text=text)
        scheduled = scheduled_post_create(share=share, account=account, text=text)
    print(scheduled.pk)


def main(argv: list[str]) -> None:
    command, url, *rest = argv
    use_test_network(url)
    if command == "setup":
        _setup()
    elif command == "worker":
        from coro.cli import main as coro

        coro(["worker", *rest])
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
