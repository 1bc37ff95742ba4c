"""The counter beside the web server (``coro count_visits``): the web server's processes only
append their visits (``Spool(counting=False)``), and one process counts every spool file of
the folder, the live ones as they grow and the full or abandoned ones to their end."""

import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from coro.sharing import spool as spool_module
from coro.sharing.models import Click, Preview, SpoolCursor
from coro.sharing.spool import COUNTER_LOCK, SUFFIX, Spool, count_forever, spool_count
from coro.sharing.visits import PREVIEW

from .test_spool import line


@pytest.fixture
def share(db):
    from testing.factories import ShareFactory

    return ShareFactory()


@pytest.fixture
def writer(tmp_path):
    """A web process's spool that only writes, as under ``coro serve``."""
    spool = Spool(tmp_path, 3600.0, counting=False)
    yield spool
    spool.close()


def files(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"*{SUFFIX}"))


def test_a_writer_has_no_thread_and_counts_nothing_itself(share, writer, tmp_path):
    writer.append(line(share.code, 1))
    assert writer._thread is None
    assert Click.objects.count() == 0
    assert len(files(tmp_path)) == 1


def test_the_counter_counts_a_live_file_as_it_grows_once_each(share, writer, tmp_path):
    for n in range(3):
        writer.append(line(share.code, n))
    spool_count(tmp_path)
    spool_count(tmp_path)  # nothing new: nothing counted twice
    assert Click.objects.count() == 3
    writer.append(line(share.code, 3))
    writer.append(line(share.code, 0, PREVIEW))
    spool_count(tmp_path)
    assert (Click.objects.count(), Preview.objects.count()) == (4, 1)
    assert len(files(tmp_path)) == 1  # still the writer's: kept


def test_a_full_file_is_handed_over_and_deleted_once_counted(share, writer, tmp_path, monkeypatch):
    monkeypatch.setattr(spool_module, "ROTATE_BYTES", 300)
    for n in range(12):  # about 100 bytes a line: several files
        writer.append(line(share.code, n))
    assert len(files(tmp_path)) > 2
    spool_count(tmp_path)
    assert Click.objects.count() == 12
    # Only the file still being written is left, and only its cursor.
    assert files(tmp_path) == [writer._path]
    assert set(SpoolCursor.objects.values_list("name", flat=True)) <= {writer._path.name}


def test_count_forever_stops_when_told_after_a_last_round(share, writer, tmp_path):
    stop = threading.Event()
    writer.append(line(share.code, 1))
    stop.set()  # asked to stop at once: the last round still counts
    count_forever(tmp_path, 0.01, stop)
    assert Click.objects.count() == 1
    assert (tmp_path / COUNTER_LOCK).exists()


def test_one_counter_per_folder_the_other_waits(share, writer, tmp_path):
    import fcntl
    import os

    held = os.open(tmp_path / COUNTER_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        writer.append(line(share.code, 1))
        stop = threading.Event()
        waiting = threading.Thread(target=count_forever, args=(tmp_path, 0.01, stop))
        waiting.start()
        waiting.join(timeout=0.3)
        assert waiting.is_alive()  # waiting for its turn, counting nothing
        assert Click.objects.count() == 0
        stop.set()
        waiting.join(timeout=5)
        assert not waiting.is_alive()
    finally:
        os.close(held)


def test_the_command_counts_once(share, writer, settings, tmp_path):
    settings.VISITS_SPOOL_DIR = str(tmp_path)
    writer.append(line(share.code, 1))
    out = StringIO()
    call_command("count_visits", "--once", stdout=out)
    assert Click.objects.count() == 1
    assert "Counted" in out.getvalue()
