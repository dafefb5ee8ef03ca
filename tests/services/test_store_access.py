"""Record store access: readers never see uncommitted writes; read-only, full and damaged stores."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from peerlit_tui.library_errors import (
    LibraryCorruptError,
    LibraryDiskFullError,
    LibraryReadOnlyError,
)
from peerlit_tui.services.library import Library
from tests.conftest import SAMPLE_DATA

SEED = SAMPLE_DATA / "emerald_peer_support_results.txt"
ROOT = Path(__file__).resolve().parents[2]


def _seeded(folder: Path) -> Path:
    lib = Library.open(folder)
    lib.import_files([SEED])
    lib.close()
    return folder


def test_a_reader_does_not_see_an_uncommitted_import(tmp_path: Path) -> None:
    lib = Library.open(_seeded(tmp_path / "lib"))
    token = lib.change_token()
    inside = threading.Event()
    finish = threading.Event()
    seen_inside: list[int] = []

    def slow_import(done: int, total: int, label: str) -> None:
        if label == "saving records" and not inside.is_set():
            seen_inside.append(lib.count())  # the writer sees its own rows
            inside.set()
            finish.wait(10)

    other = tmp_path / "other.ris"
    other.write_text(
        "TY  - JOUR\nTI  - A paper that arrives in a second import\nAU  - Okafor, C\n"
        "PY  - 2021\nER  - \n",
        encoding="utf-8",
    )
    worker = threading.Thread(target=lambda: lib.import_files([other], progress=slow_import))
    worker.start()
    assert inside.wait(10)
    try:
        assert seen_inside == [11]
        assert lib.count() == 10  # this thread reads the last committed state
        assert len(lib.columns()) == 10
        assert lib.change_token() == token
    finally:
        finish.set()
        worker.join(10)
    assert lib.count() == 11
    assert lib.change_token() != token
    lib.close()


def test_change_token_and_incremental_load_see_another_process(tmp_path: Path) -> None:
    lib = Library.open(_seeded(tmp_path / "lib"))
    cols = lib.columns()
    token = lib.change_token()
    assert lib.change_token() == token  # nothing changed: same token
    other = Library.open(tmp_path / "lib")  # stands for another process: its own connections
    extra = tmp_path / "x.ris"
    extra.write_text(
        "TY  - JOUR\nTI  - Something imported elsewhere entirely\nPY  - 2020\nER  - \n",
        encoding="utf-8",
    )
    other.import_files([extra])
    other.close()
    assert lib.change_token() != token
    newer = lib.columns_since(cols.last_rowid)
    assert [t for t in newer.titles] == ["Something imported elsewhere entirely"]
    cols.extend(newer)
    assert cols.ids == lib.columns().ids
    lib.close()


def test_a_full_disk_during_import_saves_nothing_and_says_so(tmp_path: Path) -> None:
    lib = Library.open(_seeded(tmp_path / "lib"))
    writer = lib.store._connections.writer
    assert writer is not None
    pages = writer.execute("PRAGMA page_count").fetchone()[0]
    # SQLite's own page limit fails the write exactly as a full disk does (SQLITE_FULL).
    writer.execute(f"PRAGMA max_page_count={pages + 1}")
    big = tmp_path / "big.ris"
    big.write_text(
        "".join(
            f"TY  - JOUR\nTI  - Paper number {i} with a long abstract\nAB  - {'word ' * 400}\n"
            f"ER  - \n"
            for i in range(60)
        ),
        encoding="utf-8",
    )
    with pytest.raises(LibraryDiskFullError, match="the disk is full: the import was NOT saved"):
        lib.import_files([big])
    assert lib.count() == 10
    writer.execute("PRAGMA max_page_count=1073741823")
    assert lib.import_files([big]).files[0].added == 60  # the lock was released
    lib.close()


def test_a_damaged_store_is_named_with_advice(tmp_path: Path) -> None:
    folder = _seeded(tmp_path / "lib")
    db = folder / "records.sqlite3"
    data = db.read_bytes()
    db.write_bytes(data[:100] + b"\xff" * 4000 + data[4100:])
    with pytest.raises(LibraryCorruptError) as caught:
        lib = Library.open(folder)
        lib.columns()
        lib.close()
    assert str(db) in str(caught.value) and "peerlit doctor" in str(caught.value)


def test_an_explicitly_read_only_library_reads_and_refuses_writes(tmp_path: Path) -> None:
    folder = _seeded(tmp_path / "lib")
    lib = Library.open(folder, read_only=True)
    assert lib.read_only and lib.count() == 10
    first = lib.columns().ids[0]
    assert lib.get(first) is not None
    with pytest.raises(
        LibraryReadOnlyError, match="the library is read-only: nothing can be saved"
    ):
        lib.import_files([SEED])
    with pytest.raises(LibraryReadOnlyError, match=str(folder)):
        lib.link(first, lib.columns().ids[1])
    lib.close()


_PROBE = """
import sys
from pathlib import Path
from peerlit_tui.services.library import Library
from peerlit_tui.library_errors import LibraryReadOnlyError
lib = Library.open(Path(sys.argv[1]))
ids = lib.columns().ids
print("count", lib.count(), "read_only", lib.read_only, "title", bool(lib.get(ids[0]).title))
print("exported", sum(1 for _ in lib.iter_records()))
try:
    lib.link(ids[0], ids[1])
except LibraryReadOnlyError as exc:
    print("refused", exc)
lib.close()
"""


def _as_unprivileged(args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run with file modes enforced (root ignores them unless its override is dropped)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: file modes cannot be enforced")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*prefix, *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize("setup", ["folder-555", "db-444", "db-444-stale-wal"])
def test_a_library_that_cannot_be_written_still_reads(tmp_path: Path, setup: str) -> None:
    folder = _seeded(tmp_path / "lib")
    db = folder / "records.sqlite3"
    if setup == "db-444-stale-wal":
        # Leave committed rows in the WAL (a process killed before its checkpoint).
        keep = sqlite3.connect(db)
        keep.execute("PRAGMA wal_autocheckpoint=0")
        keep.execute("UPDATE records SET title = title")
        keep.commit()
        for name in ("records.sqlite3-wal", "records.sqlite3-shm"):
            shutil.copy(folder / name, tmp_path / name)
        keep.close()
        for name in ("records.sqlite3-wal", "records.sqlite3-shm"):
            shutil.copy(tmp_path / name, folder / name)
            (folder / name).chmod(0o444)
    if setup.startswith("db-444"):
        db.chmod(0o444)
    else:
        folder.chmod(0o555)
    try:
        result = _as_unprivileged([sys.executable, "-c", _PROBE, str(folder)])
        assert result.returncode == 0, result.stderr
        assert "count 10 read_only True title True" in result.stdout
        assert "exported 10" in result.stdout
        assert "refused the library is read-only: nothing can be saved here" in result.stdout
        cli = _as_unprivileged(
            [sys.executable, "-m", "peerlit_tui", "--library", str(folder), "import", str(SEED)]
        )
        assert cli.returncode == 2
        assert "the library is read-only: nothing can be saved here" in cli.stderr
        assert "unexpected error" not in cli.stderr
        listed = _as_unprivileged(
            [sys.executable, "-m", "peerlit_tui", "--library", str(folder), "list"]
        )
        assert listed.returncode == 0, listed.stderr
        assert len(listed.stdout.splitlines()) == 10
    finally:
        folder.chmod(stat.S_IRWXU)
        for path in folder.iterdir():
            path.chmod(0o644)


def test_reads_from_many_threads_reuse_a_few_connections(tmp_path: Path) -> None:
    from peerlit_tui.storage.sqlite_connections import POOL_SIZE

    lib = Library.open(_seeded(tmp_path / "lib"))
    counts: list[int] = []
    threads = [threading.Thread(target=lambda: counts.append(lib.count())) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert counts == [10] * 40
    # Idle readers are capped; the watcher has its own connection.
    assert len(lib.store._connections._open) <= POOL_SIZE + 1
    lib.close()
