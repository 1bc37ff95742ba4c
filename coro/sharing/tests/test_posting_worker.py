"""Done means: killing the worker in the middle of a scheduled post and restarting it posts
exactly once.

Real processes on a file-based SQLite database: ``coro migrate``, then ``coro worker`` (the
database task backend) posting to a small HTTP server in this test, which makes one post per
``Idempotency-Key`` (as Mastodon does) and holds its answer so the worker can be killed
(SIGKILL) while the request is in flight. The restarted worker finds the dead worker's claim
gone stale and sends again, with the same key: the server made exactly one post, and the row
ends POSTED with it. The worker runs through ``testing/posting_network.py``, which puts this
test's client in place of Bluesky's in that process only: nothing in the product knows it.
"""

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coro.sharing.posting import STALE_CLAIM
from testing.posting_network import post_server

ROOT = Path(__file__).resolve().parents[3]
TABLE = "sharing_scheduledpost"


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[dict[str, str]]:
    data = tmp_path / "data"
    data.mkdir()
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "TMPDIR") if name in os.environ}
    env = {
        **keep,
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "coro.settings",
        "DEBUG": "true",  # development keys; the database is the file below
        "CORO_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'coro.sqlite3'}",
    }
    coro(env, "-c", "from coro.cli import main; main(['migrate', '-v', '0'])")
    yield env


def coro(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def row(env: dict[str, str], post_id: int) -> dict[str, object]:
    with sqlite3.connect(Path(env["CORO_DATA_DIR"]) / "coro.sqlite3") as db:
        db.row_factory = sqlite3.Row
        found = db.execute(f"SELECT * FROM {TABLE} WHERE id = ?", (post_id,)).fetchone()
    return dict(found)


def test_killing_the_worker_mid_post_and_restarting_it_posts_exactly_once(machine):
    with post_server(delay=120) as server:
        setup = coro(machine, "-m", "testing.posting_network", "setup", server.url)
        post_id = int(setup.stdout.split()[-1])
        assert row(machine, post_id)["status"] == "scheduled"

        worker = subprocess.Popen(
            [sys.executable, "-m", "testing.posting_network", "worker", server.url, "--no-reload"],
            env=machine,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            # The post reached the network, which made it and holds its answer.
            assert server.received.wait(90), "the worker never posted"
            assert worker.poll() is None
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=30)
        assert worker.returncode == -signal.SIGKILL

        killed = row(machine, post_id)
        assert killed["status"] == "posting"  # claimed, and its worker is gone
        assert killed["attempts"] == 1
        assert len(server.requests) == 1
        assert len(server.posts) == 1

        # A few minutes later (the claim is older than STALE_CLAIM), a worker starts again.
        server.delay = 0
        server.received.clear()
        stale = datetime.now(UTC) - STALE_CLAIM - timedelta(minutes=1)
        with sqlite3.connect(Path(machine["CORO_DATA_DIR"]) / "coro.sqlite3") as db:
            db.execute(
                f"UPDATE {TABLE} SET claimed_at = ? WHERE id = ?",
                (stale.strftime("%Y-%m-%d %H:%M:%S.%f"), post_id),
            )
        coro(
            machine,
            "-m",
            "testing.posting_network",
            "worker",
            server.url,
            "--batch",
            "--no-reload",
            "--no-startup-delay",
        )

        done = row(machine, post_id)
        assert done["status"] == "posted", done["last_error"]
        assert done["attempts"] == 2
        # Sent twice with the post's one key; the network made exactly one post.
        key = done["idempotency_key"]
        assert [r["key"] for r in server.requests] == [key, key]
        assert list(server.posts) == [key]
        assert done["remote_id"] == server.posts[key]["id"] == "post-1"
        assert done["remote_url"] == f"{server.url}/posts/1"
