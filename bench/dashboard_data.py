"""The dashboards' data set: `python bench/dashboard_data.py` (issue "clicks", point 8).

Makes a fresh PostgreSQL database (`coro_bench` unless `--database` says otherwise; an
existing one of that name is DROPPED), runs `coro migrate`, and generates one organisation
as big as the issue's dashboard benchmark asks:

- 1,000 people (`personNNNN@bench.example`, one password, hashed once) in 12 teams, an admin
  and a few editors, about 70% enrolled in the program (through `program_join`, so the
  consent ledger is real; no receipts are sent);
- about 500 published posts over the past year, some far more popular than others;
- 100,000 tracked links (shares) by enrolled people over 12 networks, most made in the
  hours after their post was published; each carries its sharer's audience on that network
  (`Share.audience`, known for about 80% of people and networks, as when some connected an
  account or told Coro their audience and others did not);
- 10,000,000 visits (`Click` rows) that decay after each share (most within a day, a long
  tail over weeks), plus previews (about 5%), written in time order as `visits_ingest`
  writes them, loaded with COPY while the raw tables' secondary indexes and foreign keys
  are dropped (rebuilt after);
- then the rollups (`rollup_run`: hourly and daily per post, network and team, daily per post
  and per network, per link) and a first release of the team figures.

Prints how long each step took, and the editor login to read the dashboards with
(`DATABASE_URL=postgres://postgres@127.0.0.1:5432/coro_bench coro serve`). Try it small
first: `--people 100 --shares 2000 --visits 100000`.
"""

import argparse
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CORO = str(ROOT / ".venv" / "bin" / "coro")
PASSWORD = "coro-bench-2026"
EMAIL = "person{n:04d}@bench.example"
TEAMS = [
    "Dirección",
    "Marketing",
    "Ventas",
    "Atención al cliente",
    "Producto",
    "Ingeniería",
    "Operaciones",
    "Logística",
    "Finanzas",
    "Personas",
    "Tiendas",
    "Producción",
]
# How often each network is picked for a share (LinkedIn first, as in most companies).
NETWORK_WEIGHTS = {
    "linkedin": 30,
    "x": 12,
    "facebook": 10,
    "whatsapp": 10,
    "email": 8,
    "xing": 5,
    "telegram": 5,
    "copy": 5,
    "mastodon": 4,
    "bluesky": 4,
    "threads": 4,
    "reddit": 3,
}
PREVIEW_SHARE = 0.05  # previews per visit
NEW_VISITOR_SHARE = 0.7
AUDIENCE_KNOWN = 0.8  # people and networks whose audience Coro knows
RAW_TABLES = ("sharing_click", "sharing_preview")


@contextmanager
def step(name: str) -> Iterator[None]:
    started = time.monotonic()
    print(f"{name} ...", flush=True)
    yield
    print(f"{name}: {time.monotonic() - started:.1f} s", flush=True)


# --- The people, the program, the posts (ORM and services) -----------------------------


def make_people(rng: random.Random, people: int) -> tuple[Any, list[Any], list[Any]]:
    """The organisation, its memberships, and those enrolled in the program."""
    from django.contrib.auth.hashers import make_password

    import coro.program.services as program_services
    from coro.accounts.models import User
    from coro.orgs import services as org_services
    from coro.orgs.models import Membership, Role
    from coro.program.defaults import EXAMPLE_TEXTS

    password = make_password(PASSWORD)  # hashed once, used by everyone
    users = User.objects.bulk_create(
        [
            User(email=EMAIL.format(n=n), name=f"Persona {n:04d}", password=password)
            for n in range(people)
        ],
        batch_size=1000,
    )
    organisation = org_services.organisation_create(name="Bench S.L.", owner=users[0])
    organisation.time_zone = "Europe/Madrid"
    organisation.language = "es"
    organisation.save(update_fields=["time_zone", "language"])
    teams = [org_services.team_create(organisation=organisation, name=n) for n in TEAMS]
    owner = Membership.objects.get(organisation=organisation, user=users[0])
    owner.team = teams[0]
    owner.save(update_fields=["team"])
    editors = max(1, people // 200)
    members = [
        owner,
        *Membership.objects.bulk_create(
            [
                Membership(
                    organisation=organisation,
                    user=user,
                    role=Role.EDITOR if n <= editors else Role.EMPLOYEE,
                    # Team sizes differ, as in a real company.
                    team=teams[min(int(rng.expovariate(1 / 3.5)), len(teams) - 1)],
                )
                for n, user in enumerate(users[1:], start=1)
            ],
            batch_size=1000,
        ),
    ]
    terms = program_services.terms_publish(
        organisation=organisation, actor=owner, texts=EXAMPLE_TEXTS
    )
    program_services._consent_receipt_send = lambda **_: None  # no 700 e-mails
    enrolled = [m for m in members if rng.random() < 0.7]
    for member in enrolled:
        program_services.program_join(membership=member, terms=terms)
    return organisation, members, enrolled


def make_posts(
    rng: random.Random, organisation: Any, author: Any, count: int, now: datetime
) -> list[Any]:
    from coro.content.models import Post

    posts = []
    for n in range(count):
        published = now - timedelta(seconds=rng.uniform(3600, 365 * 86400))
        texts = {"es": {"title": f"Noticia {n:03d}", "body": "Novedades de la empresa."}}
        posts.append(
            Post(
                organisation=organisation,
                author=author,
                language="es",
                texts=texts,
                search_text=Post.search_text_for(texts),
                link=f"https://bench.example/noticias/{n}",
                status=Post.Status.PUBLISHED,
                created_at=published - timedelta(hours=2),
                published_at=published,
            )
        )
    return list(Post.objects.bulk_create(posts, batch_size=1000))


# --- Links and raw visits (COPY) --------------------------------------------------------


def _copy(sql: str, chunks: Iterator[str]) -> None:
    from django.db import connection

    connection.ensure_connection()
    raw: Any = connection.connection
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for chunk in chunks:
            copy.write(chunk)


def make_shares(
    rng: random.Random, posts: list[Any], enrolled: list[Any], count: int, now: datetime
) -> list[tuple[int, int | None, datetime, float]]:
    """COPY the links; (id, team id, made at, popularity) of each, in the order made."""
    from django.db import connection

    from coro.core.codes import new_code

    networks, weights = list(NETWORK_WEIGHTS), list(NETWORK_WEIGHTS.values())
    audiences: dict[tuple[int, str], int | None] = {}

    def audience(member_id: int, network: str) -> int | None:
        """The person's audience on the network, the same on each of their shares there."""
        key = (member_id, network)
        if key not in audiences:
            known = rng.random() < AUDIENCE_KNOWN
            audiences[key] = min(int(rng.lognormvariate(5.5, 1.3)), 500_000) if known else None
        return audiences[key]

    popularity = [rng.lognormvariate(0, 1) for _ in posts]
    total = sum(popularity)
    rows: list[tuple[str, int, int, str, int | None, datetime, float, int | None]] = []
    for post, weight in zip(posts, popularity, strict=True):
        wanted = min(round(count * weight / total), len(enrolled) * len(networks) // 2)
        taken: set[tuple[int, str]] = set()
        while len(taken) < wanted:
            member = rng.choice(enrolled)
            network = rng.choices(networks, weights)[0]
            if (member.pk, network) in taken:
                continue
            taken.add((member.pk, network))
            made = post.published_at + timedelta(hours=rng.expovariate(1 / 8))
            made = min(made, now - timedelta(minutes=1))
            rows.append(
                (
                    new_code(),
                    post.pk,
                    member.pk,
                    network,
                    member.team_id,
                    made,
                    weight,
                    audience(member.pk, network),
                )
            )

    def lines() -> Iterator[str]:
        for code, post_id, member_id, network, team_id, made, _, reach in rows:
            team = "\\N" if team_id is None else str(team_id)
            known = "\\N" if reach is None else str(reach)
            yield (
                f"{post_id}\t{member_id}\t{network}\t{team}\t{code}\t{made.isoformat()}\t\t"
                f"{known}\n"
            )

    _copy(
        "COPY sharing_share "
        "(post_id, membership_id, network, team_id, code, created_at, text, audience) "
        "FROM STDIN",
        _chunked(lines()),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, id FROM sharing_share")
        ids = dict(cursor.fetchall())
    return [(ids[r[0]], r[4], r[5], r[6] * rng.paretovariate(1.6)) for r in rows]


def _chunked(lines: Iterator[str], size: int = 1 << 20) -> Iterator[str]:
    buffer: list[str] = []
    length = 0
    for line in lines:
        buffer.append(line)
        length += len(line)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer)


def _delay(rng: random.Random, *, preview: bool) -> float:
    """Seconds from the share to one visit: most within a day, a long tail over weeks."""
    if preview:
        return rng.expovariate(1 / 1800)  # link previews come as soon as the post is seen
    if rng.random() < 0.8:
        return rng.expovariate(1 / (9 * 3600))
    return rng.uniform(0, 30 * 86400)


def plan_visits(
    rng: random.Random,
    shares: list[tuple[int, int | None, datetime, float]],
    visits: int,
    start: datetime,
    now: datetime,
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """The visits and previews of every link, bucketed by hour since ``start``: each a
    packed int (second in the hour, link index, new visitor)."""
    total = sum(s[3] for s in shares)
    clicks: dict[int, list[int]] = {}
    previews: dict[int, list[int]] = {}
    base = start.timestamp()
    end = now.timestamp()
    for index, (_, _, made, weight) in enumerate(shares):
        exact = visits * weight / total
        count = int(exact) + (rng.random() < exact - int(exact))
        made_at = made.timestamp()
        room = end - made_at
        for kind, n in ((clicks, count), (previews, int(count * PREVIEW_SHARE + rng.random()))):
            preview = kind is previews
            for _ in range(n):
                offset = _delay(rng, preview=preview)
                if offset >= room:
                    offset = rng.random() * room
                seconds = int(made_at + offset - base)
                new = 0 if preview else int(rng.random() < NEW_VISITOR_SHARE)
                value = ((seconds % 3600) << 32) | (index << 1) | new
                kind.setdefault(seconds // 3600, []).append(value)
    return clicks, previews


def copy_visits(
    table: str,
    buckets: dict[int, list[int]],
    shares: list[tuple[int, int | None, datetime, float]],
    start: datetime,
) -> int:
    """COPY the raw rows in time order; how many."""
    head = [f"{share_id}\t" for share_id, *_ in shares]
    team = ["\\N" if t is None else str(t) for _, t, *_ in shares]
    mmss = [f":{s // 60:02d}:{s % 60:02d}+00\t" for s in range(3600)]
    flag = ("f\n", "t\n")
    count = 0

    def lines() -> Iterator[str]:
        nonlocal count
        for hour in sorted(buckets):
            prefix = (start + timedelta(hours=hour)).strftime("%Y-%m-%d %H")
            values = buckets[hour]
            values.sort()
            count += len(values)
            if table == "sharing_click":
                yield "".join(
                    head[(v & 0xFFFFFFFF) >> 1]
                    + prefix
                    + mmss[v >> 32]
                    + team[(v & 0xFFFFFFFF) >> 1]
                    + "\t"
                    + flag[v & 1]
                    for v in values
                )
            else:
                yield "".join(
                    head[(v & 0xFFFFFFFF) >> 1] + prefix + mmss[v >> 32][:-1] + "\n" for v in values
                )

    columns = "share_id, at, team_id, new_visitor" if table == "sharing_click" else "share_id, at"
    _copy(f"COPY {table} ({columns}) FROM STDIN", _chunked(lines()))
    return count


def drop_raw_indexes() -> list[str]:
    """Drop the raw tables' secondary indexes and foreign keys; the statements that make
    them again."""
    from django.db import connection

    again: list[str] = []
    with connection.cursor() as cursor:
        for table in RAW_TABLES:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                again.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND i.indexname NOT IN (SELECT conname FROM pg_constraint "
                "WHERE conrelid = %s::regclass)",
                [table, table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                again.insert(0, definition)
    return again


def inner(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from coro.analytics.models import (
        EPSILON_DEFAULT,
        NetworkDay,
        PostDay,
        ReleasePeriod,
        VisitDay,
        VisitHour,
    )
    from coro.analytics.rollups import rollup_run
    from coro.analytics.services import release_make, release_policy_update
    from coro.orgs.models import Role

    rng = random.Random(args.seed)
    now = timezone.now().replace(microsecond=0)
    with step(f"{args.people:,} people, 12 teams, the program"):
        organisation, members, enrolled = make_people(rng, args.people)
    editor = next(m for m in members if m.role == Role.EDITOR)
    with step(f"{args.posts:,} posts over a year"):
        posts = make_posts(rng, organisation, editor, args.posts, now)
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '1GB'")
    with step(f"{args.shares:,} links (COPY)"):
        shares = make_shares(rng, posts, enrolled, args.shares, now)
    start = (now - timedelta(days=400)).replace(minute=0, second=0, tzinfo=UTC)
    with step(f"{args.visits:,} visits planned (in Python)"):
        clicks, previews = plan_visits(rng, shares, args.visits, start, now)
    with step("raw tables' indexes and foreign keys dropped"):
        again = drop_raw_indexes()
    with step("visits (COPY)"):
        made = copy_visits("sharing_click", clicks, shares, start)
    del clicks
    with step("previews (COPY)"):
        shown = copy_visits("sharing_preview", previews, shares, start)
    del previews
    with step("indexes and foreign keys made again"), connection.cursor() as cursor:
        for statement in again:
            cursor.execute(statement)
    with step("ANALYZE"), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with step(f"rollups of {made:,} visits and {shown:,} previews"):
        started = time.monotonic()
        rolled = rollup_run()
        seconds = time.monotonic() - started
    rate = (rolled.visits + rolled.previews) / seconds
    print(
        f"  {rolled.batches} batches, {rate:,.0f} raw rows/s; {VisitHour.objects.count():,} "
        f"hourly and {VisitDay.objects.count():,} daily rollup rows, "
        f"{PostDay.objects.count():,} per post and day, "
        f"{NetworkDay.objects.count():,} per network and day"
    )
    with step("VACUUM ANALYZE"), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    with step("team figures: first release"):
        release_policy_update(
            organisation=organisation,
            actor=None,
            period=ReleasePeriod.MONTHLY,
            epsilon_year=EPSILON_DEFAULT,
        )
        release_make(organisation=organisation)
    print(
        f"\nSign in as {editor.user.email} (editor) or {EMAIL.format(n=0)} (admin), "
        f"password {PASSWORD}; organisation {organisation.code}."
    )


def _pg(sql: str) -> None:
    subprocess.run(
        ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", sql],
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--shares", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=10_000_000)
    parser.add_argument("--database", default="coro_bench", help="dropped and made again")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    if args.inner:
        inner(args)
        return
    if not args.database.replace("_", "").isalnum():
        raise SystemExit("--database: letters, digits and _ only")
    begun = time.monotonic()
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "coro.settings",
    }
    with step(f"database {args.database} made afresh, coro migrate"):
        _pg(f"DROP DATABASE IF EXISTS {args.database}")
        _pg(f"CREATE DATABASE {args.database}")
        subprocess.run([CORO, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([PYTHON, __file__, "--inner", *sys.argv[1:]], env=env, check=True, cwd=ROOT)
    print(f"All done in {time.monotonic() - begun:.0f} s. DATABASE_URL={url}")


if __name__ == "__main__":
    main()
