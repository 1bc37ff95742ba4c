"""Counting the visits of tracked links, in batches: the one place that writes them.

The redirect (``hotpath``) writes one line per fetch to its process's spool (``spool``),
or hands it here at once in tests; ``visits_ingest`` turns lines into rows: a ``Click`` for
each visit whose visitor-link-hour key was not seen before, a ``Preview`` for each fetch by
a preview fetcher, a bot or a prefetch. A line is::

    <milliseconds since 1970>\t<v|p>\t<link code>\t<link-hour key>\t<organisation-day key>

Batches are counted one at a time across all processes (an advisory lock on PostgreSQL;
SQLite's write lock otherwise), so a key is never counted twice, and the spool's cursor is
saved in the same transaction as the rows: a line is counted once, whatever stops when.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from coro.sharing.models import Share, SpoolCursor, VisitSeen
from coro.sharing.visit_rows import clicks_insert, previews_insert, seen_insert
from coro.sharing.visitors import day_end, hour_end

VISIT = "v"
PREVIEW = "p"
# A key is kept this long after its hour or day is over: a line can be counted a little
# late (the spool's next batch, a file left by a stopped process and claimed minutes later)
# and must still find the key of the visit it repeats.
SEEN_GRACE = timedelta(hours=1)
_CHUNK = 500
_LOCK_ID = 7_460_001  # pg_advisory_xact_lock key of visit counting


@dataclass(frozen=True)
class VisitLine:
    at: datetime
    kind: str
    code: str
    link_key: str = ""
    day_key: str = ""

    def text(self) -> str:
        millis = int(self.at.timestamp() * 1000)
        return f"{millis}\t{self.kind}\t{self.code}\t{self.link_key}\t{self.day_key}\n"

    @classmethod
    def parse(cls, text: str) -> "VisitLine | None":
        """The line, or None for anything malformed (never raises)."""
        parts = text.rstrip("\n").split("\t")
        if len(parts) != 5 or parts[1] not in (VISIT, PREVIEW) or not parts[0].isdigit():
            return None
        millis, kind, code, link_key, day_key = parts
        if not code or len(code) > 16 or (kind == VISIT and not (link_key and day_key)):
            return None
        try:
            at = datetime.fromtimestamp(int(millis) / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return cls(at=at, kind=kind, code=code, link_key=link_key[:32], day_key=day_key[:32])


@dataclass
class Counted:
    visits: int = 0
    previews: int = 0
    repeats: int = 0  # visits already counted this hour
    unknown: int = 0  # links that no longer exist (the post was deleted)
    malformed: int = 0
    stale: bool = False  # the spool file's cursor had moved on: nothing was counted


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _shares(codes: set[str]) -> dict[str, tuple[int, int | None]]:
    found: dict[str, tuple[int, int | None]] = {}
    for chunk in _chunks(sorted(codes)):
        rows = Share.objects.filter(code__in=chunk).values_list("code", "pk", "membership__team_id")
        found.update({code: (pk, team_id) for code, pk, team_id in rows})
    return found


def _seen(keys: set[str]) -> set[str]:
    seen: set[str] = set()
    for chunk in _chunks(sorted(keys)):
        seen.update(VisitSeen.objects.filter(key__in=chunk).values_list("key", flat=True))
    return seen


def visits_ingest(
    texts: Sequence[str],
    *,
    cursor: str = "",
    start: int = 0,
    offset: int = 0,
    now: datetime | None = None,
) -> Counted:
    """Count these spool lines; with ``cursor``, the lines of that spool file from byte
    ``start`` to ``offset``: ``offset`` is saved as how far the file is counted, in the same
    transaction, and if the file's cursor is no longer at ``start`` (someone counted these
    lines meanwhile) nothing is counted and the result says ``stale``."""
    counted = Counted()
    lines: list[VisitLine] = []
    for text in texts:
        line = VisitLine.parse(text)
        if line is None:
            counted.malformed += 1
        else:
            lines.append(line)
    with transaction.atomic():
        _lock()
        if cursor and spool_offset(cursor) != start:
            return Counted(stale=True)
        shares = _shares({line.code for line in lines})
        seen = _seen(
            {k for line in lines if line.kind == VISIT for k in (line.link_key, line.day_key)}
        )
        new_keys: list[tuple[str, datetime]] = []
        clicks: list[tuple[int, datetime, int | None, bool]] = []
        previews: list[tuple[int, datetime]] = []
        for line in lines:
            share = shares.get(line.code)
            if share is None:
                counted.unknown += 1
            elif line.kind == PREVIEW:
                previews.append((share[0], line.at))
            elif line.link_key in seen:
                counted.repeats += 1
            else:
                seen.add(line.link_key)
                new_keys.append((line.link_key, hour_end(line.at) + SEEN_GRACE))
                new_visitor = line.day_key not in seen
                if new_visitor:
                    seen.add(line.day_key)
                    new_keys.append((line.day_key, day_end(line.at) + SEEN_GRACE))
                clicks.append((share[0], line.at, share[1], new_visitor))
        seen_insert(new_keys)
        clicks_insert(clicks)
        previews_insert(previews)
        if cursor:
            SpoolCursor.objects.update_or_create(
                name=cursor, defaults={"offset": offset, "updated_at": now or timezone.now()}
            )
    counted.visits, counted.previews = len(clicks), len(previews)
    return counted


def spool_offset(name: str) -> int:
    """How far the spool file ``name`` is counted (0 for a new one)."""
    stored = SpoolCursor.objects.filter(name=name).values_list("offset", flat=True).first()
    return int(stored or 0)


def spool_forget(name: str) -> None:
    """The file is counted and deleted: its cursor goes too."""
    SpoolCursor.objects.filter(name=name).delete()


def seen_prune(*, now: datetime | None = None) -> int:
    """Delete the keys whose hour or day is over (and ``SEEN_GRACE`` after it); how many."""
    deleted, _ = VisitSeen.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
