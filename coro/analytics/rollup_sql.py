"""The rollups' raw SQL, kept in one place (``rollups`` says when it runs).

Each statement adds one batch of raw rows (ids in ``(after, upto]``) to the rollup tables,
grouped in the database: ``INSERT ... SELECT ... GROUP BY ... ON CONFLICT (...) DO UPDATE
SET n = <table>.n + excluded.n``. The same text runs on SQLite (3.24 or later) and
PostgreSQL; only two expressions differ, the UTC hour of a time and the local day of an
hour in a named time zone (SQLite has no time zones: a small function registered on the
connection does it, called once per hourly group, not per row). Table names come from the
models' ``_meta.db_table``, quoted; every value is a parameter (hence the ``noqa: S608``:
only quoted table names and fixed expressions are put into the text).
"""

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection
from django.db.models import Model

from coro.analytics.models import NetworkDay, PostDay, ShareVisits, VisitDay, VisitHour
from coro.content.models import Post
from coro.orgs.models import Membership, Organisation, Team
from coro.sharing.models import Click, Preview, Share

CLICKS = "clicks"
PREVIEWS = "previews"
_RAW: dict[str, type[Model]] = {CLICKS: Click, PREVIEWS: Preview}


def _table(model: type[Model]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _postgres() -> bool:
    return bool(connection.vendor == "postgresql")


def _hour(column: str) -> str:
    if _postgres():
        return f"date_trunc('hour', {column}, 'UTC')"
    # Django keeps SQLite times as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]".
    return f"strftime('%%Y-%%m-%%d %%H:00:00', {column})"


def _local_day(hour: str, zone: str) -> str:
    if _postgres():
        return f"CAST({hour} AT TIME ZONE {zone} AS date)"
    return f"coro_local_day({hour}, {zone})"


@lru_cache(maxsize=4096)
def _sqlite_local_day(hour: str, zone: str) -> str:
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    at = datetime.fromisoformat(hour).replace(tzinfo=UTC)
    return at.astimezone(tz).date().isoformat()


def prepare() -> None:
    """Ready the connection for these statements (SQLite: register ``coro_local_day``)."""
    if not _postgres():
        connection.ensure_connection()
        raw: Any = connection.connection
        raw.create_function("coro_local_day", 2, _sqlite_local_day, deterministic=True)


def _groups(kind: str) -> str:
    """The batch's rows grouped by organisation, post, network, team code and UTC hour."""
    raw = _table(_RAW[kind])
    if kind == CLICKS:
        # The click's own team (the sharer's team when it was counted).
        team_join = f"LEFT JOIN {_table(Team)} t ON t.id = r.team_id"
        counts = "COUNT(*) AS v, SUM(CASE WHEN r.new_visitor THEN 1 ELSE 0 END) AS nv, 0 AS pv"
    else:
        # Previews carry no team: the sharer's team now, the rule ``visits_ingest`` applies
        # to visits (none once the link is anonymous).
        team_join = (
            f"LEFT JOIN {_table(Membership)} m ON m.id = s.membership_id "
            f"LEFT JOIN {_table(Team)} t ON t.id = m.team_id"
        )
        counts = "0 AS v, 0 AS nv, COUNT(*) AS pv"
    return (
        f"SELECT p.organisation_id AS o, s.post_id AS p, s.network AS n, "  # noqa: S608
        f"COALESCE(t.code, '') AS t, {_hour('r.at')} AS h, {counts} "
        f"FROM {raw} r JOIN {_table(Share)} s ON s.id = r.share_id "
        f"JOIN {_table(Post)} p ON p.id = s.post_id {team_join} "
        f"WHERE r.id > %s AND r.id <= %s "
        f"GROUP BY 1, 2, 3, 4, 5"
    )


def _add(table: str, columns: str) -> str:
    return " ".join(
        f"{column} = {table}.{column} + excluded.{column}," for column in columns.split(", ")
    ).rstrip(",")


_COUNTS = "visits, new_visitors, previews"


def batch_bounds(kind: str, *, after: int, size: int) -> tuple[int, int]:
    """(how many raw rows come next, the id of the last of them), at most ``size``."""
    raw = _table(_RAW[kind])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), MAX(b.id) FROM "  # noqa: S608
            f"(SELECT id FROM {raw} WHERE id > %s ORDER BY id LIMIT %s) b",
            [after, size],
        )
        count, last = cursor.fetchone()
    return int(count), int(last or after)


def _hour_insert(source: str) -> str:
    hours = _table(VisitHour)
    return (
        f"INSERT INTO {hours} (organisation_id, post_id, network, team, hour, {_COUNTS}) "
        f"{source} "
        f"ON CONFLICT (post_id, network, team, hour) DO UPDATE SET {_add(hours, _COUNTS)}"
    )


def _days(groups: str) -> str:
    """Hourly ``groups`` (a table name or a parenthesised query) folded into local days."""
    return (
        f"SELECT g.o, g.p, g.n, g.t, {_local_day('g.h', 'z.time_zone')} AS d, "  # noqa: S608
        f"SUM(g.v) AS v, SUM(g.nv) AS nv, SUM(g.pv) AS pv FROM {groups} g "
        f"JOIN {_table(Organisation)} z ON z.id = g.o GROUP BY 1, 2, 3, 4, 5"
    )


def _day_inserts(days: str) -> list[str]:
    """Daily groups ``days`` (a table name, one row per (o, p, n, t, d) with its counts v,
    nv, pv) added per post, network and team (``VisitDay``), per post (``PostDay``) and
    per network (``NetworkDay``)."""
    visit_days, post_days, network_days = _table(VisitDay), _table(PostDay), _table(NetworkDay)
    sums = "SUM(d.v), SUM(d.nv), SUM(d.pv)"
    return [
        f"INSERT INTO {visit_days} (organisation_id, post_id, network, team, day, {_COUNTS}) "  # noqa: S608
        f"SELECT d.o, d.p, d.n, d.t, d.d, d.v, d.nv, d.pv FROM {days} d WHERE TRUE "
        f"ON CONFLICT (post_id, network, team, day) DO UPDATE SET {_add(visit_days, _COUNTS)}",
        f"INSERT INTO {post_days} (organisation_id, post_id, day, {_COUNTS}) "  # noqa: S608
        f"SELECT d.o, d.p, d.d, {sums} FROM {days} d WHERE TRUE GROUP BY 1, 2, 3 "
        f"ON CONFLICT (post_id, day) DO UPDATE SET {_add(post_days, _COUNTS)}",
        f"INSERT INTO {network_days} (organisation_id, network, day, {_COUNTS}) "  # noqa: S608
        f"SELECT d.o, d.n, d.d, {sums} FROM {days} d WHERE TRUE GROUP BY 1, 2, 3 "
        f"ON CONFLICT (organisation_id, day, network) DO UPDATE SET "
        f"{_add(network_days, _COUNTS)}",
    ]


# SQLite has no INSERT inside WITH: the batch's hourly and daily groups go to temporary
# tables (one per connection, emptied before each batch), each read by several INSERTs.
_SQLITE_HOURS = "coro_rollup_hours"
_SQLITE_DAYS = "coro_rollup_days"


def _sqlite_statements(kind: str) -> list[tuple[str, bool]]:
    """(statement, takes the batch's bounds) for SQLite."""
    hours, days = _SQLITE_HOURS, _SQLITE_DAYS
    columns = "o INTEGER, p INTEGER, n TEXT, t TEXT, {} TEXT, v INTEGER, nv INTEGER, pv INTEGER"
    return [
        (f"CREATE TEMP TABLE IF NOT EXISTS {hours} ({columns.format('h')})", False),
        (f"CREATE TEMP TABLE IF NOT EXISTS {days} ({columns.format('d')})", False),
        (f"DELETE FROM {hours}", False),  # noqa: S608
        (f"DELETE FROM {days}", False),  # noqa: S608
        (f"INSERT INTO {hours} {_groups(kind)}", True),
        (_hour_insert(f"SELECT * FROM {hours} WHERE TRUE"), False),  # noqa: S608
        (f"INSERT INTO {days} {_days(hours)}", False),
        *((statement, False) for statement in _day_inserts(days)),
    ]


def _postgres_statement(kind: str) -> str:
    """The batch grouped once per hour and once per day, added to the four tables in one
    statement."""
    inserts = _day_inserts("dg")
    return (
        f"WITH g AS MATERIALIZED ({_groups(kind)}), "  # noqa: S608
        f"dg AS MATERIALIZED ({_days('g')}), "
        f"h AS ({_hour_insert('SELECT * FROM g')}), "
        f"vd AS ({inserts[0]}), pd AS ({inserts[1]}) {inserts[2]}"
    )


def batch_add(kind: str, *, after: int, upto: int) -> None:
    """Add the raw rows ``after < id <= upto`` to the hourly, daily (per post, network and
    team; per post; per network) and per-link rollups."""
    shares, raw = _table(ShareVisits), _table(_RAW[kind])
    if _postgres():
        per_hour_and_day = [(_postgres_statement(kind), True)]
    else:
        per_hour_and_day = _sqlite_statements(kind)
    link_counts = "COUNT(*), 0, MAX(r.at)" if kind == CLICKS else "0, COUNT(*), NULL"
    per_link = (
        f"INSERT INTO {shares} (share_id, visits, previews, last_visit_at) "  # noqa: S608
        f"SELECT r.share_id, {link_counts} FROM {raw} r "
        f"WHERE r.id > %s AND r.id <= %s GROUP BY r.share_id "
        f"ON CONFLICT (share_id) DO UPDATE SET {_add(shares, 'visits, previews')}, "
        f"last_visit_at = CASE WHEN {shares}.last_visit_at IS NULL "
        f"OR excluded.last_visit_at > {shares}.last_visit_at "
        f"THEN excluded.last_visit_at ELSE {shares}.last_visit_at END"
    )
    with connection.cursor() as cursor:
        for statement, bounded in [*per_hour_and_day, (per_link, True)]:
            cursor.execute(statement, [after, upto] if bounded else None)
