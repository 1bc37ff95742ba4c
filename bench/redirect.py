"""Tracked-link redirect throughput: `python bench/redirect.py` (issue "clicks", point 8).

For each database (SQLite, PostgreSQL) it sets up a fresh Coro (a temporary data folder,
`coro migrate`, one organisation, one post, 1,000 tracked links), starts `coro serve` as
it ships (granian, 2 workers, access log on) and, under the same server with the same
options, a minimal Django view that answers a constant 302 (the framework's ceiling). Then
`wrk -t2` at 50 and 200 connections against both (bench/visits.lua: every request a new
visitor), a stop of Coro's server (SIGTERM), and a count: the visit rows in the database
must equal the 302s wrk received. With `--kill`, one more run kills a web worker with
SIGKILL halfway through (the server starts another) and counts the same way.

Prints one table; nothing is asserted. Needs wrk (Debian package) and, for PostgreSQL, the
server on 127.0.0.1:5432 (user postgres). Traffic stays on loopback.
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CORO = str(ROOT / ".venv" / "bin" / "coro")
LUA = str(ROOT / "bench" / "visits.lua")
STEADY_LUA = str(ROOT / "bench" / "visits_steady.lua")
STEADY_RATE = 6000  # the target: visits a second, with p99 under 30 ms
# The servers' output, for a look when a figure is odd.
LOGS = Path(tempfile.gettempdir()) / "coro-bench-logs"
LOGS.mkdir(exist_ok=True)
LINKS = 1000
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "coro_bench_redirect"

SETUP = """
from coro.content.models import Post
from coro.orgs.models import Membership, Organisation, Role
from coro.sharing.models import Share
from coro.accounts.models import User
org = Organisation.objects.create(name="Bench")
post = Post.objects.create(organisation=org, status=Post.Status.PUBLISHED,
    texts={"es": {"title": "Lanzamiento de primavera", "body": "Texto"}}, language="es",
    link="https://example.com/landing?ref=bench")
codes = []
for n in range(LINKS):
    user = User.objects.create_user(email=f"p{n}@bench.example", password=None)
    member = Membership.objects.create(organisation=org, user=user, role=Role.EMPLOYEE)
    codes.append(Share.objects.create(post=post, membership=member, network="linkedin").code)
open(CODES, "w").write("\\n".join(codes))
"""

COUNT = """
import fcntl, os
from pathlib import Path
from django.conf import settings
from coro.sharing.spool import COUNTER_LOCK, spool_count
from coro.sharing.models import Click
folder = Path(settings.VISITS_SPOOL_DIR)
turn = os.open(folder / COUNTER_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(turn, fcntl.LOCK_EX)  # once the server's counter has made its last round
spool_count(folder)
print("ROWS", Click.objects.count())
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server on port {port} stopped")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answered on port {port}")


def environment(data: Path, database_url: str, port: int) -> dict[str, str]:
    secret = "bench-" + "s" * 60
    return {
        **os.environ,
        "CORO_DATA_DIR": str(data),
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secret,
        "LEDGER_KEY": "b1:" + "l" * 40,
        "ENCRYPTION_KEY": "b1:" + "e" * 40,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }


def shell(env: dict[str, str], code: str) -> str:
    result = subprocess.run(
        [CORO, "shell", "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


RUNS = iter(range(1, 60))


def wrk(port: int, connections: int, seconds: int, codes: Path, rate: int = 0) -> dict[str, float]:
    """As fast as it goes, or at a steady ``rate`` (requests a second, all connections)."""
    script, extra = LUA, []
    if rate:
        # The pause between answers, less about a millisecond for the answer itself.
        script, extra = STEADY_LUA, [str(max(1, connections * 1000 // rate - 1))]
    command = [
        "wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script,
        f"http://127.0.0.1:{port}", "--", str(codes), str(seconds), str(next(RUNS)), *extra,
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    errors = re.findall(r"(?:connect|read|write|timeout) (\d+)", output)
    figures = {
        "rps": float(found(r"Requests/sec:\s+([\d.]+)", output)[0]),
        "counted": float(found(r"COUNTED302 (\d+)", output)[0]),
        "errors": float(sum(int(n) for n in errors)),
    }
    for percent in ("50", "99"):
        value, unit = found(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output)
        figures[f"p{percent}"] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return figures


def found(pattern: str, text: str) -> tuple[str, ...]:
    match = re.search(pattern, text, re.M)
    if match is None:
        raise SystemExit(f"not in the output: {pattern}\n{text}")
    return match.groups()


def serve(env: dict[str, str], port: int, app: str | None = None) -> subprocess.Popen[bytes]:
    if app is None:
        command = [CORO, "serve", "--bind", f"127.0.0.1:{port}"]
    else:  # the ceiling: the very command line `coro serve` uses, for another application
        sys.path.insert(0, str(ROOT))
        from coro.core.management.commands.serve import server_argv

        command = server_argv(app, bind=f"127.0.0.1:{port}", workers=2)
        command[0] = PYTHON
    log = open(LOGS / f"server-{port}.log", "wb")  # noqa: SIM115 (kept open by the server)
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    wait_for(port, process)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def worker_pids(server: subprocess.Popen[bytes]) -> list[int]:
    out = subprocess.run(
        ["pgrep", "-g", str(server.pid)], capture_output=True, text=True
    ).stdout.split()
    return [int(pid) for pid in out if int(pid) != server.pid]


def database_url(kind: str, data: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{data / 'coro.sqlite3'}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_BENCH} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {PG_BENCH}")
    return f"postgres://postgres@127.0.0.1:5432/{PG_BENCH}"


def run(kind: str, seconds: int, connections: list[int], kill: bool) -> list[str]:
    rows_out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="coro-bench-") as folder:
        data = Path(folder)
        port, ceiling_port = free_port(), free_port()
        env = environment(data, database_url(kind, data), port)
        codes = data / "codes.txt"
        subprocess.run([CORO, "migrate", "-v0"], env=env, check=True)
        shell(env, f"LINKS = {LINKS}\nCODES = {str(codes)!r}\n" + SETUP)
        coro = serve(env, port)
        ceiling_env = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
        ceiling = serve(ceiling_env, ceiling_port, "bench.ceiling:application")
        received = 0
        try:
            received += int(wrk(port, 10, 3, codes)["counted"])  # warm-up: caches, connections
            for c in connections:
                mine = wrk(port, c, seconds, codes)
                base = wrk(ceiling_port, c, seconds, codes)
                received += int(mine["counted"])
                rows_out.append(
                    f"| {kind} | {c} | {mine['rps']:,.0f} | {mine['p50']:.1f} | {mine['p99']:.1f} "
                    f"| {base['rps']:,.0f} | {base['p99']:.1f} | {mine['rps'] / base['rps']:.2f} "
                    f"| {int(mine['errors'])} |"
                )
            # The target's own terms: 6,000 visits a second offered at 50 connections.
            steady = wrk(port, connections[0], seconds, codes, rate=STEADY_RATE)
            steady_base = wrk(ceiling_port, connections[0], seconds, codes, rate=STEADY_RATE)
            received += int(steady["counted"])
            rows_out.append(
                f"| {kind}, steady {STEADY_RATE:,}/s offered | {connections[0]} "
                f"| {steady['rps']:,.0f} | {steady['p50']:.1f} | {steady['p99']:.1f} "
                f"| {steady_base['rps']:,.0f} | {steady_base['p99']:.1f} | "
                f"| {int(steady['errors'])} |"
            )
        finally:
            stop(ceiling)
        if kill:
            stopped_at = seconds // 2
            killer = subprocess.Popen(
                ["sh", "-c", f"sleep {stopped_at}; kill -9 {worker_pids(coro)[0]}"]
            )
            killed_run = wrk(port, connections[0], seconds, codes)
            killer.wait()
            received += int(killed_run["counted"])
            rows_out.append(
                f"| {kind}, a worker killed (-9) at {stopped_at} s | {connections[0]} "
                f"| {killed_run['rps']:,.0f} | {killed_run['p50']:.1f} | {killed_run['p99']:.1f} "
                f"| | | | {int(killed_run['errors'])} |"
            )
        stop(coro)
        rows = int(found(r"ROWS (\d+)", shell(env, COUNT))[0])
        rows_out.append(
            f"| {kind}: visit rows after the runs | | {rows:,} rows for {received:,} 302s "
            f"received by wrk (+ warm-up) | | | | | | |"
        )
    return rows_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", default="50,200")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--kill", action="store_true", help="also kill a worker mid-run")
    options = parser.parse_args()
    connections = [int(c) for c in options.connections.split(",")]
    lines = [
        "| database | connections | Coro /r/ req/s | p50 ms | p99 ms | ceiling req/s "
        "| ceiling p99 ms | Coro / ceiling | socket errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for kind in options.databases.split(","):
        lines += run(kind, options.seconds, connections, options.kill)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
