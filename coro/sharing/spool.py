"""Each web process's visit spool: one line per fetch appended to a file of its own before
the redirect is answered, counted into the database in batches, by a thread of the process
or, under ``coro serve``, by a counter process of its own (``count_forever``), so that
counting never holds up the processes that answer visitors.

Why a file and not memory: a line that ``os.write`` has handed to the kernel survives the
process, even a ``kill -9``; only the machine losing power can lose it (the file is not
synced per visit: see docs/visits.md for the bound). The database sees a few batches a
second instead of one insert per visit.

- Files live in ``VISITS_SPOOL_DIR`` (local to the machine), named
  ``<host>-<pid>-<random>-<n>.spool``. The process holds an exclusive ``flock`` on each of its
  files while it lives; the kernel drops it when the process ends, however it ends.
- Every ``VISITS_FLUSH_SECONDS`` the thread counts the complete lines past the file's cursor
  (``visits.visits_ingest``, rows and cursor in one transaction). A full file is replaced
  by a new one, counted to its end and deleted.
- Files whose lock can be taken belong to no living process (stopped, restarted or
  killed): any process of the machine, and the workers' periodic job, count them to the end
  and delete them (``spool_claim_orphans``).
- Without a thread (``counting=False``), a writer that fills a file opens the next one and
  closes the full one, which releases its lock: the counter counts it to the end like an
  orphan. The counter counts the live files' complete lines as they come
  (``spool_count``). Two counters at once are safe (``visits_ingest`` checks the cursor),
  and ``coro count_visits`` lets only one per spool folder run.
"""

import atexit
import fcntl
import logging
import os
import secrets
import socket
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection

from coro.sharing.visits import spool_forget, spool_offset, visits_ingest

logger = logging.getLogger(__name__)

SUFFIX = ".spool"
ROTATE_BYTES = 8 * 1024 * 1024
READ_BYTES = 1024 * 1024  # at most this much per batch
ORPHANS_EVERY = 10.0  # seconds between two looks for orphan files


def _connection_fresh() -> None:
    """Between rounds: drop a database connection that broke or grew old, as Django does
    between requests; never one inside a transaction (a caller's, or a test's)."""
    if not connection.in_atomic_block:
        close_old_connections()


def _lock(fd: int, *, wait: bool) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def drain(path: Path, fd: int, *, to_end: bool = False) -> int:
    """Count the complete lines of ``path`` past its cursor; how many bytes were counted.
    ``fd`` is open on it and locked by the caller."""
    name = path.name
    offset = spool_offset(name)
    total = 0
    while True:
        chunk = os.pread(fd, READ_BYTES, offset)
        end = chunk.rfind(b"\n") + 1
        if end == 0:
            if to_end and chunk:
                logger.warning("Dropped %d bytes of an unfinished line in %s.", len(chunk), name)
            return total
        texts = chunk[:end].decode("utf-8", errors="replace").splitlines(keepends=True)
        counted = visits_ingest(texts, cursor=name, start=offset, offset=offset + end)
        if counted.stale:  # counted by someone else meanwhile: go on from where they got
            moved = spool_offset(name)
            if moved == offset:  # cannot happen; never loop on it
                raise RuntimeError(f"The cursor of {name} is stuck at {offset}.")
            offset = moved
            continue
        offset += end
        total += end


def _count_and_delete(path: Path, fd: int) -> None:
    drain(path, fd, to_end=True)
    path.unlink(missing_ok=True)
    spool_forget(path.name)  # after the file: a cursor without its file harms nothing


def spool_claim_orphans(directory: Path, *, own: set[str] | None = None) -> int:
    """Count to the end and delete every spool file no living process holds; how many."""
    claimed = 0
    if not directory.is_dir():
        return 0
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        if own and path.name in own:
            continue
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue  # counted by someone else meanwhile
        try:
            if not _lock(fd, wait=False):
                continue  # its process lives
            if not path.exists():
                continue
            _count_and_delete(path, fd)
            claimed += 1
        finally:
            os.close(fd)
    return claimed


class Spool:
    """The spool of this process: ``append`` from any thread; counting runs in a thread."""

    def __init__(self, directory: Path, flush_seconds: float, *, counting: bool = True) -> None:
        self.directory = directory
        self.flush_seconds = flush_seconds
        self.counting = counting
        self._written = 0
        self._lock = threading.Lock()  # the file being written
        self._flush_lock = threading.Lock()  # one count at a time (the thread, close())
        self._pid = 0
        self._fd = -1
        self._path = Path()
        self._number = 0
        self._prefix = ""
        self._retired: list[tuple[Path, int]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # Writing -------------------------------------------------------------------------

    def append(self, line: str) -> None:
        data = line.encode()
        with self._lock:
            if self._pid != os.getpid():
                self._start()
            os.write(self._fd, data)
            if not self.counting:
                self._written += len(data)
                if self._written >= ROTATE_BYTES:
                    # Full: closing it releases its lock, and the counter takes it over.
                    old = self._fd
                    self._open_next()
                    os.close(old)

    def _open_next(self) -> None:
        self._number += 1
        self._path = self.directory / f"{self._prefix}-{self._number}{SUFFIX}"
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        _lock(fd, wait=True)
        self._fd = fd
        self._written = 0

    def _start(self) -> None:
        """First use in this process (or after a fork): a file and a thread of its own."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._pid:
            # Forked from a process that had a spool: its files are its own. Our copies of
            # their descriptors would share its lock and keep its files from being claimed
            # as orphans after it ends.
            for inherited in {self._fd, *(fd for _, fd in self._retired)} - {-1}:
                os.close(inherited)
            self._flush_lock = threading.Lock()
        self._pid = os.getpid()
        self._prefix = f"{socket.gethostname()}-{self._pid}-{secrets.token_hex(4)}"
        self._number = 0
        self._retired = []
        self._stop = threading.Event()
        self._open_next()
        if not self.counting:
            return  # the counter process counts
        self._thread = threading.Thread(target=self._run, name="coro-visits", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    # Counting ------------------------------------------------------------------------

    def flush(self) -> None:
        """Count what is written so far; replace a full file."""
        with self._flush_lock:
            self._flush()

    def _flush(self) -> None:
        with self._lock:
            if self._pid != os.getpid():
                return
            if os.fstat(self._fd).st_size >= ROTATE_BYTES:
                self._retired.append((self._path, self._fd))
                self._open_next()
            path, fd = self._path, self._fd
        # A retired file is written no more: counted to its end, deleted, closed.
        for old_path, old_fd in list(self._retired):
            _count_and_delete(old_path, old_fd)
            os.close(old_fd)
            self._retired.remove((old_path, old_fd))
        drain(path, fd)

    def _run(self) -> None:
        last_orphans = 0.0
        while not self._stop.wait(self.flush_seconds):
            try:
                _connection_fresh()
                self.flush()
                if time.monotonic() - last_orphans >= ORPHANS_EVERY:
                    last_orphans = time.monotonic()
                    own = {self._path.name, *(p.name for p, _ in self._retired)}
                    spool_claim_orphans(self.directory, own=own)
            except Exception:
                # The lines stay in the file and are counted at the next try.
                logger.exception("Counting visits failed; retrying in %s s.", self.flush_seconds)

    def close(self) -> None:
        """On a graceful stop: count what is left. (If this cannot run, the file is an
        orphan that the next process counts: nothing is lost either way.)"""
        if self._pid != os.getpid():
            return
        self._stop.set()
        try:
            with self._flush_lock:
                self._flush()
                with self._lock:
                    _count_and_delete(self._path, self._fd)
                    os.close(self._fd)
                    self._pid = 0
                    self._fd = -1
        except Exception:
            logger.exception("Counting the last visits failed; the next process will.")


def spool_count(directory: Path) -> int:
    """One round of the counter: files no process holds any more (full, or left by a
    process that ended) are counted to their end and deleted; the complete lines of the
    others are counted. How many bytes were counted."""
    if not directory.is_dir():
        return 0
    counted = 0
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            if _lock(fd, wait=False):
                if path.exists():
                    size = os.fstat(fd).st_size
                    _count_and_delete(path, fd)
                    counted += size
            else:
                counted += drain(path, fd)
        finally:
            os.close(fd)
    return counted


COUNTER_LOCK = ".counter.lock"


def count_forever(directory: Path, every: float, stop: threading.Event) -> None:
    """The counter process's loop, until ``stop`` is set; then one last round. One counter
    per folder counts; another one waits for its turn (a second ``coro serve`` on the
    machine, say)."""
    directory.mkdir(parents=True, exist_ok=True)
    turn = os.open(directory / COUNTER_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while not _lock(turn, wait=False):
            if stop.wait(every):
                return
        _count_until(directory, every, stop)
    finally:
        os.close(turn)


def _count_until(directory: Path, every: float, stop: threading.Event) -> None:
    while not stop.wait(every):
        try:
            _connection_fresh()
            spool_count(directory)
        except Exception:
            # The lines stay in their files and are counted at the next round.
            logger.exception("Counting visits failed; retrying in %s s.", every)
    _connection_fresh()
    spool_count(directory)


_spool: Spool | None = None


def spool() -> Spool:
    global _spool
    if _spool is None:
        _spool = Spool(
            Path(settings.VISITS_SPOOL_DIR),
            settings.VISITS_FLUSH_SECONDS,
            counting=settings.VISITS_COUNT_IN_PROCESS,
        )
    return _spool
