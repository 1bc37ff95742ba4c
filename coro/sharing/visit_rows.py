"""Writing counted visits fast: plain multi-row INSERTs through Django's connection.

``bulk_create`` builds a model instance and prepares every value through its field for
each row, which costs more than the database's own work at a few thousand visits a second.
The rows here are plain tuples of ids, times and booleans whose columns are fixed, so they
are inserted as they are, with the times adapted the way Django adapts them for the
database in use.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Model

from coro.sharing.models import Click, Preview, VisitSeen

_ROWS_PER_STATEMENT = 500


def _insert(model: type[Model], columns: Sequence[str], rows: Sequence[tuple[object, ...]]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            chunk = rows[start : start + _ROWS_PER_STATEMENT]
            params: list[Any] = [value for values in chunk for value in values]
            # Names from the models' own metadata and placeholders only: no value in the SQL.
            values = ", ".join([row] * len(chunk))
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES {values}", params)  # noqa: S608


def _time(value: datetime) -> object:
    """As Django stores an aware time: as it is for PostgreSQL; for SQLite, the UTC time as
    text (what ``adapt_datetimefield_value`` gives, at a fraction of its cost)."""
    if connection.vendor == "sqlite":
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value(value)


def clicks_insert(rows: Sequence[tuple[int, datetime, int | None, bool]]) -> None:
    """(share id, at, team id, new visitor) per visit."""
    _insert(
        Click,
        ["share_id", "at", "team_id", "new_visitor"],
        [(share, _time(at), team, new) for share, at, team, new in rows],
    )


def previews_insert(rows: Sequence[tuple[int, datetime]]) -> None:
    """(share id, at) per preview."""
    _insert(Preview, ["share_id", "at"], [(share, _time(at)) for share, at in rows])


def seen_insert(rows: Sequence[tuple[str, datetime]]) -> None:
    """(key, expires at) per key seen for the first time."""
    _insert(VisitSeen, ["key", "expires_at"], [(key, _time(at)) for key, at in rows])
