"""A real Bluesky PDS for tests: ``@atproto/dev-env``'s ``TestNetworkNoAppView`` from npm,
started as a subprocess (``testing/pds/start.mjs``) on loopback, once per test session.

``make test`` installs the npm packages (``testing/pds/node_modules``). Without them, or
without Node, the tests that use the PDS FAIL (never skip): a CI machine that cannot
install them must say so.

Use it in a test module with ``from testing.bluesky import bluesky_pds  # noqa: F401``.
"""

import json
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

PDS_DIR = Path(__file__).resolve().parent / "pds"
START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LocalPds:
    """The running PDS: ``url`` ("http://127.0.0.1:<port>") and ``endpoint`` (for
    ``FETCH_TEST_ALLOW``), with the calls tests need to set accounts up and read back."""

    url: str
    port: int
    started_in: float

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _xrpc(self, method: str, nsid: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.request(
            method, f"{self.url}/xrpc/{nsid}", headers=headers, timeout=15, **kwargs
        )
        response.raise_for_status()
        return response.json()

    def account_create(self, handle: str, *, password: str = "main-password-1") -> dict[str, Any]:
        """A new account (``handle`` must end in ``.test``): its ``did`` and ``accessJwt``."""
        body = {"handle": handle, "email": f"{handle}@example.com", "password": password}
        result: dict[str, Any] = self._xrpc("POST", "com.atproto.server.createAccount", json=body)
        return result

    def app_password_create(self, access_jwt: str, name: str = "Coro") -> str:
        result = self._xrpc(
            "POST", "com.atproto.server.createAppPassword", access_jwt, json={"name": name}
        )
        return str(result["password"])

    def record_get(self, did: str, collection: str, rkey: str) -> dict[str, Any]:
        params = {"repo": did, "collection": collection, "rkey": rkey}
        result: dict[str, Any] = self._xrpc("GET", "com.atproto.repo.getRecord", params=params)
        return result

    def records_list(self, did: str, collection: str) -> list[dict[str, Any]]:
        params = {"repo": did, "collection": collection, "limit": 100}
        result = self._xrpc("GET", "com.atproto.repo.listRecords", params=params)
        return list(result["records"])

    def blob_get(self, did: str, cid: str) -> bytes:
        response = httpx.get(
            f"{self.url}/xrpc/com.atproto.sync.getBlob",
            params={"did": did, "cid": cid},
            timeout=15,
        )
        response.raise_for_status()
        return response.content


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="session")
def bluesky_pds() -> Iterator[LocalPds]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed for the Bluesky tests (Debian: apt-get install nodejs).")
    if not (PDS_DIR / "node_modules" / "@atproto" / "dev-env").is_dir():
        pytest.fail(
            "The local Bluesky PDS is not installed: run `make test`, or `npm ci` in testing/pds."
        )
    port, plc_port = _free_port(), _free_port()
    with (
        tempfile.TemporaryDirectory(prefix="coro-pds-") as data,
        tempfile.TemporaryFile("w+") as log,
    ):
        started = time.monotonic()
        process = subprocess.Popen(
            [node, "start.mjs", str(port), str(plc_port), data],
            cwd=PDS_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    pytest.fail(f"The local Bluesky PDS did not start:\n{log.read()[-4000:]}")
                if time.monotonic() - started > START_TIMEOUT:
                    log.seek(0)
                    pytest.fail(f"The local Bluesky PDS did not answer:\n{log.read()[-4000:]}")
                try:
                    if httpx.get(f"{url}/xrpc/_health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            log.seek(0)
            ready = [line for line in log.read().splitlines() if line.startswith("{")]
            assert ready and json.loads(ready[-1])["pds"].endswith(f":{port}")
            yield LocalPds(url=url, port=port, started_in=time.monotonic() - started)
        finally:
            _stop(process)
