"""Nothing lost (issue 11, point 4): each web process appends its visits to a spool file of
its own and counts them in batches (``coro.sharing.spool``). Every line is counted exactly
once: flushed twice, rotated, closed, or left behind by a process killed with SIGKILL.

The database part runs in this process (the test database lives here); a child process
only writes its file, as a web worker would, and is then killed."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coro.sharing import spool as spool_module
from coro.sharing.models import Click, Preview, SpoolCursor
from coro.sharing.spool import SUFFIX, Spool, drain, spool_claim_orphans
from coro.sharing.visits import PREVIEW, VISIT, VisitLine, spool_offset, visits_ingest
from testing.environment import clean_environ
from testing.factories import ShareFactory

AT = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[3]  # the repository


def line(code: str, n: int, kind: str = VISIT) -> str:
    """Visit ``n`` of a visitor of its own (keys unique per ``n``)."""
    if kind == PREVIEW:
        return VisitLine(at=AT, kind=PREVIEW, code=code).text()
    return VisitLine(
        at=AT + timedelta(seconds=n),
        kind=VISIT,
        code=code,
        link_key=f"l{n:031x}",
        day_key=f"d{n:031x}",
    ).text()


@pytest.fixture
def share(db):
    return ShareFactory()


@pytest.fixture
def spool_of(tmp_path):
    """Spools of this process in ``tmp_path``, their thread asleep (counting is called by
    the test); closed afterwards."""
    made: list[Spool] = []

    def make(**kwargs) -> Spool:
        spool = Spool(tmp_path, kwargs.get("flush_seconds", 3600.0))
        made.append(spool)
        return spool

    yield make
    for spool in made:
        spool.close()


def spool_files(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"*{SUFFIX}"))


def test_lines_appended_are_counted_by_flush(share, spool_of, tmp_path):
    spool = spool_of()
    for n in range(5):
        spool.append(line(share.code, n))
    spool.append(line(share.code, 0, PREVIEW))
    assert Click.objects.count() == 0  # not before the count
    spool.flush()
    assert Click.objects.filter(share=share).count() == 5
    assert Preview.objects.filter(share=share).count() == 1
    assert len(spool_files(tmp_path)) == 1  # the file stays: it is still written to


def test_the_cursor_is_saved_with_the_rows_and_a_second_flush_counts_nothing(
    share, spool_of, tmp_path
):
    """Previews have no keys to dedupe them: only the cursor keeps them from being counted
    twice."""
    spool = spool_of()
    for n in range(3):
        spool.append(line(share.code, n))
        spool.append(line(share.code, n, PREVIEW))
    spool.flush()
    (path,) = spool_files(tmp_path)
    assert spool_offset(path.name) == path.stat().st_size
    spool.flush()
    assert (Click.objects.count(), Preview.objects.count()) == (3, 3)
    spool.append(line(share.code, 3))
    spool.append(line(share.code, 3, PREVIEW))
    spool.flush()
    spool.flush()
    assert (Click.objects.count(), Preview.objects.count()) == (4, 4)
    assert spool_offset(path.name) == path.stat().st_size


def test_a_line_being_written_waits_for_its_end(share, spool_of, tmp_path):
    spool = spool_of()
    spool.append(line(share.code, 0))
    text = line(share.code, 1)
    os.write(spool._fd, text[:10].encode())  # half a line, as if written just now
    spool.flush()
    assert Click.objects.count() == 1
    os.write(spool._fd, text[10:].encode())
    spool.flush()
    assert Click.objects.count() == 2


def test_close_counts_the_rest_and_deletes_the_file(share, tmp_path):
    spool = Spool(tmp_path, 3600.0)
    for n in range(4):
        spool.append(line(share.code, n))
    spool.flush()
    spool.append(line(share.code, 4))
    spool.close()
    assert Click.objects.count() == 5
    assert spool_files(tmp_path) == []
    assert not SpoolCursor.objects.exists()  # the cursor goes with its file
    spool.close()  # twice (atexit): nothing happens
    spool.append(line(share.code, 5))  # used again: a new file
    assert len(spool_files(tmp_path)) == 1
    spool.close()
    assert Click.objects.count() == 6


def test_rotation_loses_nothing(share, spool_of, tmp_path, monkeypatch):
    monkeypatch.setattr(spool_module, "ROTATE_BYTES", 300)
    spool = spool_of()
    names = set()
    for n in range(40):
        spool.append(line(share.code, n))
        names.update(p.name for p in spool_files(tmp_path))
        if n % 7 == 6:
            spool.flush()
    spool.flush()
    assert len(names) > 3  # it did rotate
    assert Click.objects.count() == 40
    assert len(spool_files(tmp_path)) == 1  # full files are counted and deleted
    spool.close()
    assert Click.objects.count() == 40
    assert spool_files(tmp_path) == []


def test_reading_in_batches_loses_nothing(share, spool_of, monkeypatch):
    monkeypatch.setattr(spool_module, "READ_BYTES", 250)  # about two lines per batch
    spool = spool_of()
    for n in range(25):
        spool.append(line(share.code, n))
    spool.flush()
    assert Click.objects.count() == 25


def test_lines_counted_meanwhile_by_someone_else_are_not_counted_again(
    share, spool_of, tmp_path, monkeypatch
):
    """Two counts of one file at once (the process's thread and its stop): the second
    finds the cursor moved on, counts nothing and goes on from there."""
    spool = spool_of()
    for n in range(3):
        spool.append(line(share.code, n, PREVIEW))
    spool.flush()
    (path,) = spool_files(tmp_path)
    end = path.stat().st_size
    stale = iter([0])  # the offset as read before the other count
    real = spool_module.spool_offset
    monkeypatch.setattr(spool_module, "spool_offset", lambda name: next(stale, None) or real(name))
    spool.append(line(share.code, 3, PREVIEW))
    assert drain(path, spool._fd) == path.stat().st_size - end
    assert Preview.objects.count() == 4


def test_a_stale_cursor_counts_nothing(share):
    texts = [line(share.code, 0)]
    size = len(texts[0].encode())
    assert not visits_ingest(texts, cursor="f.spool", start=0, offset=size).stale
    again = visits_ingest(texts, cursor="f.spool", start=0, offset=size)
    assert again.stale and again.visits == 0
    assert Click.objects.count() == 1
    assert spool_offset("f.spool") == size


def test_malformed_lines_in_a_file_are_skipped(share, spool_of):
    spool = spool_of()
    spool.append("garbage\n")
    spool.append(line(share.code, 0))
    spool.append("\xff\xfe not a line\n")
    spool.append(line("nosuchcode", 1))
    spool.append(line(share.code, 1))
    spool.flush()
    assert Click.objects.count() == 2


# --- A process killed with SIGKILL ---------------------------------------------------------

CHILD = """
import os, sys, time
import django
django.setup()
from pathlib import Path
from coro.sharing.spool import Spool
from coro.sharing.tests.test_spool import line

directory, code, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
spool = Spool(directory, 3600.0)
for n in range(count):
    spool.append(line(code, n))
    spool.append(line(code, n, "p"))
os.write(spool._fd, b"1772445900000\\tv\\t" + code.encode())  # killed mid-line
print("ready", flush=True)
time.sleep(600)
"""


def _child(tmp_path: Path, code: str, count: int) -> subprocess.Popen[str]:
    environ = clean_environ(
        DJANGO_SETTINGS_MODULE="coro.settings_test",
        CORO_DATA_DIR=str(tmp_path / "child-data"),
        PYTHONPATH=str(ROOT),
    )
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "spool"), code, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
        cwd=ROOT,
    )
    assert child.stdout is not None
    ready = child.stdout.readline()
    assert ready == "ready\n", child.stderr.read() if child.stderr else ""
    return child


def test_the_file_of_a_killed_process_is_claimed_and_counted_once(share, tmp_path):
    directory = tmp_path / "spool"
    child = _child(tmp_path, share.code, 30)
    try:
        (path,) = spool_files(directory)
        assert str(child.pid) in path.name
        assert spool_claim_orphans(directory) == 0  # its process lives: not an orphan
        assert Click.objects.count() == 0
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    assert spool_claim_orphans(directory) == 1
    # Every whole line; the half line is dropped.
    assert (Click.objects.count(), Preview.objects.count()) == (30, 30)
    assert spool_files(directory) == []
    assert not SpoolCursor.objects.exists()
    assert spool_claim_orphans(directory) == 0
    assert (Click.objects.count(), Preview.objects.count()) == (30, 30)


def test_an_orphan_half_counted_before_is_counted_from_its_cursor(share, tmp_path):
    """The killed process had counted part of its file: the rest is counted, once."""
    directory = tmp_path / "spool"
    child = _child(tmp_path, share.code, 20)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    (path,) = spool_files(directory)
    texts = [
        text for n in range(10) for text in (line(share.code, n), line(share.code, n, PREVIEW))
    ]
    first_ten = sum(len(text.encode()) for text in texts)
    assert path.read_bytes().startswith("".join(texts).encode())
    visits_ingest(texts, cursor=path.name, start=0, offset=first_ten)
    assert (Click.objects.count(), Preview.objects.count()) == (10, 10)
    assert spool_claim_orphans(directory) == 1
    assert (Click.objects.count(), Preview.objects.count()) == (20, 20)


def test_own_files_are_not_orphans(share, spool_of, tmp_path):
    spool = spool_of()
    spool.append(line(share.code, 0))
    assert spool_claim_orphans(tmp_path) == 0  # locked by this very process's spool
    assert spool_claim_orphans(tmp_path / "missing") == 0
    spool.flush()
    assert Click.objects.count() == 1


def test_a_forked_child_does_not_keep_its_parents_files(share, spool_of, tmp_path):
    """After a fork (a server's workers), the child's spool is its own: the parent's file
    is an orphan as soon as the parent is gone, even while the child lives."""
    spool = spool_of()
    spool.append(line(share.code, 0))
    (parent_file,) = spool_files(tmp_path)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: appends once (a file of its own), then waits to be killed
        try:
            os.close(read)
            spool.append(line(share.code, 1))
            os.write(write, b"x")
            time.sleep(600)
        finally:
            os._exit(0)
    os.close(write)
    try:
        assert os.read(read, 1) == b"x"
        files = spool_files(tmp_path)
        assert len(files) == 2
        fd = os.open(parent_file, os.O_RDONLY)
        try:
            spool._stop.set()
            os.close(spool._fd)  # the parent "ends": its descriptor is gone
            spool._pid = 0
            assert spool_module._lock(fd, wait=False)  # no copy in the child holds it
        finally:
            os.close(fd)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)
    assert spool_claim_orphans(tmp_path) == 2
    assert Click.objects.count() == 2


# --- The thread, and the process's spool -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_thread_counts_by_itself(tmp_path):
    share = ShareFactory()
    spool = Spool(tmp_path, 0.05)
    try:
        for n in range(10):
            spool.append(line(share.code, n))
        deadline = time.monotonic() + 20
        while Click.objects.count() < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert Click.objects.count() == 10
        assert spool._thread is not None and spool._thread.is_alive()
        assert spool._thread.name == "coro-visits"
    finally:
        spool.close()
    assert spool._thread is not None
    spool._thread.join(timeout=5)
    assert not spool._thread.is_alive()
    assert Click.objects.count() == 10


def test_appends_from_many_threads_are_all_counted(share, spool_of):
    spool = spool_of()

    def writer(first: int) -> None:
        for n in range(first, first + 50):
            spool.append(line(share.code, n))

    threads = [threading.Thread(target=writer, args=(k * 50,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    spool.flush()
    assert Click.objects.count() == 400


def test_counting_while_threads_append_counts_every_line_once(share, spool_of, monkeypatch):
    """Lines are counted while others are being written (and files replaced): each whole
    line once, none lost. Previews have no keys, so a line counted twice would show."""
    monkeypatch.setattr(spool_module, "ROTATE_BYTES", 4000)
    spool = spool_of()
    counted_once = threading.Event()

    def writer(first: int) -> None:
        for n in range(first, first + 150):
            spool.append(line(share.code, n))
            spool.append(line(share.code, n, PREVIEW))
            if n == first + 75:
                counted_once.wait(30)  # half written: the rest comes after a count
            if n % 5 == 0:
                time.sleep(0.01)  # as requests come: the counting runs in between

    threads = [threading.Thread(target=writer, args=(k * 150,)) for k in range(4)]
    for thread in threads:
        thread.start()
    flushes = 0
    while any(thread.is_alive() for thread in threads):
        spool.flush()
        flushes += 1
        counted_once.set()
    for thread in threads:
        thread.join()
    spool.flush()
    assert flushes > 1
    assert (Click.objects.count(), Preview.objects.count()) == (600, 600)


def test_the_process_spool_uses_the_settings(settings, tmp_path):
    settings.VISITS_SPOOL_DIR = str(tmp_path / "visits")
    settings.VISITS_FLUSH_SECONDS = 0.25
    spool_module._spool = None
    try:
        made = spool_module.spool()
        assert made is spool_module.spool()
        assert made.directory == tmp_path / "visits"
        assert made.flush_seconds == 0.25
    finally:
        spool_module._spool = None
