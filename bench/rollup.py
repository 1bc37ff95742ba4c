"""Rollup throughput: `python bench/rollup.py [--rows N]` (issue "clicks", point 8).

For each database (SQLite, PostgreSQL) it makes a fresh, temporary Coro database (never the
development data: a temporary data folder for SQLite, a database named `coro_bench_rollup`
made and dropped again on PostgreSQL), runs `coro migrate`, makes one organisation (200
people in 10 teams, 100 posts, 2,000 tracked links over 12 networks) and writes N raw visits
(default 1,000,000) and N/20 previews in one SQL statement each, in time order (as
`visits_ingest` writes them). Then it times `rollup_run()`: every raw row added to the
hourly, daily and per-link rollups. Two shapes of traffic:

- bursty: at any moment the visits go to about 200 links (the posts of the day), which is
  how shared links are visited;
- spread: every visit goes to any of the 2,000 links, so nearly every visit of a batch falls
  in a group of its own (the worst case for the rollups).

Prints raw rows rolled up per second against the target (50,000 per second); nothing is
asserted. Needs the PostgreSQL server on 127.0.0.1:5432 (user postgres) for its half.
"""

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CORO = str(ROOT / ".venv" / "bin" / "coro")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "coro_bench_rollup"
TARGET = 50_000
PEOPLE, TEAMS, POSTS, LINKS = 200, 10, 100, 2000
SPAN_SECONDS = 30 * 86400  # the raw rows cover 30 days


def _setup() -> tuple[int, int]:
    """The organisation, its people, posts and links; (first link id, number of links)."""
    from django.contrib.auth.hashers import make_password

    from coro.accounts.models import User
    from coro.content.models import Post
    from coro.networks import NETWORKS
    from coro.orgs.models import Membership, Organisation, Role, Team
    from coro.sharing.models import Share

    org = Organisation.objects.create(name="Bench", time_zone="Europe/Madrid")
    teams = Team.objects.bulk_create(
        [Team(organisation=org, name=f"Equipo {n}") for n in range(TEAMS)]
    )
    password = make_password(None)
    users = User.objects.bulk_create(
        [User(email=f"p{n}@bench.example", password=password) for n in range(PEOPLE)]
    )
    members = Membership.objects.bulk_create(
        [
            Membership(organisation=org, user=u, role=Role.EMPLOYEE, team=teams[n % TEAMS])
            for n, u in enumerate(users)
        ]
    )
    posts = Post.objects.bulk_create(
        [
            Post(
                organisation=org,
                status=Post.Status.PUBLISHED,
                language="es",
                texts={"es": {"title": f"Noticia {n}", "body": "Texto"}},
                link="https://example.com/",
            )
            for n in range(POSTS)
        ]
    )
    networks = list(NETWORKS)[:12]
    shares = Share.objects.bulk_create(
        [
            Share(
                post=posts[n % POSTS],
                membership=members[(n // len(networks)) % PEOPLE],
                team=members[(n // len(networks)) % PEOPLE].team,
                network=networks[n % len(networks)],
            )
            for n in range(LINKS)
        ]
    )
    ids = sorted(s.pk for s in shares)
    assert ids == list(range(ids[0], ids[0] + LINKS)), "link ids are expected contiguous"
    return ids[0], LINKS


def _raw(table: str, rows: int, first: int, links: int, active: int, *, visits: bool) -> str:
    """One statement writing ``rows`` raw rows in time order."""
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    i = "g.i"
    link = f"{first} + ((({i} * {links}) / {rows}) + ({i} * 7919) % {active}) % {links}"
    if postgres:
        series = f"generate_series(0::bigint, {rows - 1}) g(i)"
        at = (
            f"TIMESTAMPTZ '2026-01-01 00:00:00+00' "
            f"+ ({i} * {SPAN_SECONDS} / {rows}) * INTERVAL '1 second'"
        )
        prefix = ""
        source = series
    else:
        prefix = (
            f"WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < {rows - 1}) "
        )
        at = (
            f"datetime('2026-01-01 00:00:00', '+' || ({i} * {SPAN_SECONDS} / {rows}) || ' seconds')"
        )
        source = "g"
    if visits:
        columns = "share_id, at, team_id, new_visitor"
        values = f"s.id, {at}, s.team_id, ({i} % 3 = 0)"
    else:
        columns = "share_id, at"
        values = f"s.id, {at}"
    return (
        f"{prefix}INSERT INTO {table} ({columns}) SELECT {values} "
        f"FROM {source} JOIN sharing_share s ON s.id = {link}"
    )


def inner(rows: int, active: int) -> None:
    import django

    django.setup()
    from django.db import connection

    from coro.analytics.models import ShareVisits, VisitDay, VisitHour
    from coro.analytics.rollups import rollup_run
    from coro.sharing.models import Click, Preview

    first, links = _setup()
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(_raw("sharing_click", rows, first, links, active, visits=True))
        cursor.execute(_raw("sharing_preview", rows // 20, first, links, active, visits=False))
        cursor.execute("ANALYZE")
    made = time.monotonic() - started
    raw = Click.objects.count() + Preview.objects.count()

    started = time.monotonic()
    rolled = rollup_run()
    seconds = time.monotonic() - started
    total = rolled.visits + rolled.previews
    assert total == raw, (total, raw)
    print(
        f"RESULT {total} {seconds:.2f} {rolled.batches} {VisitHour.objects.count()} "
        f"{VisitDay.objects.count()} {ShareVisits.objects.count()} {made:.1f}"
    )


def _pg(sql: str) -> None:
    subprocess.run(
        ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", sql],
        check=True,
    )


def run(database: str, rows: int, active: int) -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="coro-bench-rollup-") as data:
        env = {
            **os.environ,
            "DEBUG": "true",
            "CORO_DATA_DIR": data,
            "DJANGO_SETTINGS_MODULE": "coro.settings",
        }
        if database == "postgresql":
            _pg(f"DROP DATABASE IF EXISTS {PG_BENCH}")
            _pg(f"CREATE DATABASE {PG_BENCH}")
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_BENCH}"
        else:
            env["DATABASE_URL"] = f"sqlite:///{data}/bench.sqlite3"
        try:
            subprocess.run([CORO, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
            out = subprocess.run(
                [PYTHON, __file__, "--inner", "--rows", str(rows), "--active", str(active)],
                env=env,
                check=True,
                cwd=ROOT,
                capture_output=True,
                text=True,
            ).stdout
        finally:
            if database == "postgresql":
                _pg(f"DROP DATABASE IF EXISTS {PG_BENCH}")
    fields = next(line for line in out.splitlines() if line.startswith("RESULT")).split()[1:]
    keys = ["rows", "seconds", "batches", "hours", "days", "links", "made"]
    return dict(zip(keys, fields, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="raw visits (default 1M)")
    parser.add_argument("--active", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument("--shape", choices=["bursty", "spread"], help="one shape only")
    args = parser.parse_args()
    if args.inner:
        inner(args.rows, args.active)
        return
    print(
        f"Rollup throughput, {args.rows:,} raw visits + {args.rows // 20:,} previews over 30 "
        f"days, {LINKS:,} links; target {TARGET:,} raw rows/s"
    )
    header = (
        f"{'database':<11}{'traffic':<9}{'raw rows':>10}{'seconds':>9}{'rows/s':>10}"
        f"{'target':>8}{'batches':>8}{'hour rows':>10}{'day rows':>9}  (made in)"
    )
    print(header)
    shapes = {"bursty": 200, "spread": LINKS}
    for database in [args.only] if args.only else ["sqlite", "postgresql"]:
        for shape, active in shapes.items():
            if args.shape and shape != args.shape:
                continue
            r = run(database, args.rows, active)
            rate = int(r["rows"]) / float(r["seconds"])
            verdict = "met" if rate >= TARGET else "NOT met"
            print(
                f"{database:<11}{shape:<9}{int(r['rows']):>10,}{float(r['seconds']):>9.2f}"
                f"{rate:>10,.0f}{verdict:>8}{r['batches']:>8}{int(r['hours']):>10,}"
                f"{int(r['days']):>9,}  ({r['made']} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
