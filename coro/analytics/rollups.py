"""The visit rollups: raw visits and previews added up per hour, per day and per link, so
that no dashboard reads raw rows; and the pruning of raw rows once they are added up.

``rollup_run`` reads ``sharing.Click`` and ``sharing.Preview`` rows past a ``RollupCursor``
("clicks", "previews") in batches of ids, adds each batch to ``VisitHour`` (UTC hours),
``VisitDay`` (days of the organisation's time zone) and ``ShareVisits`` in the database
(``rollup_sql``), and moves the cursor in the same transaction: a row is added once,
whatever stops when. Two workers never add the same batch: the one that cannot lock the
cursor row leaves the work to the one that holds it (on SQLite, where there is no row lock,
the write transaction, begun ``IMMEDIATE``, serialises them).

It relies on raw rows being committed in id order: a row that became visible after a row
with a higher id would be skipped for good. That holds because ``visits_ingest`` is the
one writer of raw rows and counts one batch at a time across all processes (an advisory
lock on PostgreSQL, the write lock on SQLite): whatever the rollups see committed has lower
ids than any batch still being written. Anything else that ever writes raw rows must take
the same lock.

``visits_prune`` deletes raw rows older than ``VISITS_KEEP_DAYS`` that are already added up
(id at or below the cursor); the rollups are kept for good.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coro.analytics import rollup_sql
from coro.analytics.models import RollupCursor
from coro.sharing.models import Click, Preview
from coro.sharing.visitors import salts_prune
from coro.sharing.visits import seen_prune

CLICKS = rollup_sql.CLICKS
PREVIEWS = rollup_sql.PREVIEWS
BATCH = 50_000  # raw rows per transaction
PRUNE_BATCH = 10_000  # raw rows per delete


@dataclass
class RolledUp:
    visits: int = 0
    previews: int = 0
    batches: int = 0


@dataclass
class Pruned:
    visits: int = 0
    previews: int = 0
    seen: int = 0
    salts: int = 0


def _batch(kind: str, size: int) -> int:
    """Add the next ``size`` raw rows at most; how many (0: none left, or another worker
    holds the cursor)."""
    with transaction.atomic():
        cursor = RollupCursor.objects.select_for_update(skip_locked=True).filter(name=kind).first()
        if cursor is None:
            return 0
        count, last = rollup_sql.batch_bounds(kind, after=cursor.last_id, size=size)
        if count:
            rollup_sql.batch_add(kind, after=cursor.last_id, upto=last)
            cursor.last_id = last
            cursor.save(update_fields=["last_id"])
    return count


def rollup_run(*, limit: int | None = None, batch: int = BATCH) -> RolledUp:
    """Add the raw rows not yet added up, at most ``limit`` of each kind; safe to run twice
    and on several workers at once."""
    rolled = RolledUp()
    rollup_sql.prepare()
    for kind in (CLICKS, PREVIEWS):
        RollupCursor.objects.get_or_create(name=kind)
        done = 0
        while limit is None or done < limit:
            count = _batch(kind, batch if limit is None else min(batch, limit - done))
            if count == 0:
                break
            done += count
            rolled.batches += 1
        if kind == CLICKS:
            rolled.visits = done
        else:
            rolled.previews = done
    return rolled


def _rolled_up_to(kind: str) -> int:
    last = RollupCursor.objects.filter(name=kind).values_list("last_id", flat=True).first()
    return int(last or 0)


def _prune(model: type[Click] | type[Preview], kind: str, before: datetime) -> int:
    upto = _rolled_up_to(kind)
    deleted = 0
    while True:
        ids = list(
            model.objects.filter(pk__lte=upto, at__lt=before)
            .order_by("pk")
            .values_list("pk", flat=True)[:PRUNE_BATCH]
        )
        if not ids:
            return deleted
        model.objects.filter(pk__in=ids).delete()
        deleted += len(ids)


def visits_prune(*, now: datetime | None = None) -> Pruned:
    """Delete the raw visits and previews older than ``VISITS_KEEP_DAYS`` that are added up,
    the dedupe keys whose hour or day is over, and the salts of past days."""
    now = now or timezone.now()
    before = now - timedelta(days=settings.VISITS_KEEP_DAYS)
    return Pruned(
        visits=_prune(Click, CLICKS, before),
        previews=_prune(Preview, PREVIEWS, before),
        seen=seen_prune(now=now),
        salts=salts_prune(now=now),
    )
