"""Files around the annotations checkpoint: atomic replacement, temp files, backups.

Nothing here knows TinyDB: `parse_snapshot` reads the checkpoint's layout from the
plain dict TinyDB's JSON file holds, and the writers take bytes.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peerlit_tui.storage.journal import fsync_dir, utc_now
from peerlit_tui.storage.paths import BACKUP_DIR

ANNOTATIONS_TABLE, REASONS_TABLE, META_TABLE = "annotations", "reasons", "meta"
TEMP_SUFFIX = ".tmp"
#: Checkpoint files are flushed to disk every this many bytes while being written.
_SYNC_EVERY = 1 << 20

Pause = Callable[[], None]
LockFactory = Callable[[], AbstractContextManager[None]]


def atomic_write(
    path: Path,
    payload: bytes | Iterable[bytes],
    *,
    sync: bool,
    lock: LockFactory | None,
    pause: Pause | None = None,
) -> None:
    """Replace `path` with `payload` so that readers and crashes see old or new, never a mix.

    Writes a temp file in the same folder (held under `flock` so stale-file cleanup
    skips it), fsyncs it, renames it over `path` (under `lock`, if given) and fsyncs
    the folder. A large payload comes as chunks and is synced every megabyte: on
    ext4 an fsync of the journal also flushes other files' dirty data, so a
    checkpoint that left megabytes unflushed would stall every save made meanwhile.

    Args:
        path: The file to replace.
        payload: The new content, whole or in chunks.
        sync: fsync the data and the folder.
        lock: Context manager factory held around the rename.
        pause: Called after each chunk (a background writer gives way there).
    """
    chunks = [payload] if isinstance(payload, bytes) else payload
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        # mkstemp creates 0600; keep the mode of the file being replaced instead.
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
        os.fchmod(fd, mode)
        unsynced = 0
        for chunk in chunks:
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view) :]
            unsynced += len(chunk)
            if sync and unsynced >= _SYNC_EVERY:
                os.fdatasync(fd)
                unsynced = 0
            if pause is not None:
                pause()
        if sync:
            os.fsync(fd)
        with lock() if lock else nullcontext():
            os.replace(tmp, path)
        if sync:
            fsync_dir(path.parent)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        os.close(fd)


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Delete temp files left by interrupted checkpoints (not ones still being written)."""
    removed: list[Path] = []
    for where in (folder, folder / BACKUP_DIR):
        if not where.is_dir():
            continue
        for path in where.glob(f".annotations*{TEMP_SUFFIX}"):
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                path.unlink()
                removed.append(path)
            except OSError:
                continue  # locked: a live checkpoint is writing it
            finally:
                os.close(fd)
    return removed


def backup_paths(folder: Path) -> list[Path]:
    """Backups of `annotations.json`, oldest first."""
    where = folder / BACKUP_DIR
    if not where.is_dir():
        return []
    return sorted(where.glob("annotations-*.json"))


def write_backup(
    folder: Path,
    payload: bytes | Iterable[bytes],
    seq: int,
    *,
    keep: int,
    interval: float,
    sync: bool,
    pause: Pause | None = None,
) -> bool:
    """Copy a checkpoint into `backups/` unless the newest copy is recent; keep `keep`.

    Returns:
        True when a copy was written.
    """
    existing = backup_paths(folder)
    if existing:
        with suppress(OSError):
            if time.time() - existing[-1].stat().st_mtime < interval:
                return False
    where = folder / BACKUP_DIR
    where.mkdir(exist_ok=True)
    stamp = utc_now().replace("-", "").replace(":", "").replace(".", "")
    # The sequence number first, so names sort oldest to newest.
    name = f"annotations-{seq:010d}-{stamp}.json"
    atomic_write(where / name, payload, sync=sync, lock=None, pause=pause)
    for old in backup_paths(folder)[:-keep]:
        with suppress(OSError):
            old.unlink()
    return True


@dataclass(slots=True)
class Snapshot:
    """A checkpoint's content: documents, reasons and the journal position included."""

    docs: list[Any]
    reasons: list[str]
    journal_id: str
    offset: int
    seq: int


def parse_snapshot(data: Any) -> Snapshot:
    """Interpret a TinyDB database dict as a checkpoint.

    Raises:
        ValueError: When the structure is not that of an annotations checkpoint.
    """
    if not isinstance(data, dict):
        raise ValueError("not a TinyDB database")
    tables = {}
    for name in (ANNOTATIONS_TABLE, REASONS_TABLE, META_TABLE):
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise ValueError(f"table {name!r} is not an object")
        tables[name] = table
    metas = [v for _, v in sorted(tables[META_TABLE].items(), key=_doc_order)]
    meta = metas[-1] if metas and isinstance(metas[-1], dict) else {}
    offset, seq = meta.get("journal_offset", 0), meta.get("journal_seq", 0)
    if type(offset) is not int or type(seq) is not int or offset < 0 or seq < 0:
        raise ValueError("the journal position in table 'meta' is invalid")
    reasons = [
        doc.get("reason")
        for _, doc in sorted(tables[REASONS_TABLE].items(), key=_doc_order)
        if isinstance(doc, dict) and isinstance(doc.get("reason"), str)
    ]
    return Snapshot(
        docs=list(tables[ANNOTATIONS_TABLE].values()),
        reasons=[r for r in reasons if r],
        journal_id=str(meta.get("journal_id", "")),
        offset=offset,
        seq=seq,
    )


def _doc_order(item: tuple[str, Any]) -> tuple[int, str]:
    key = item[0]
    return (int(key), key) if key.isdigit() else (1 << 62, key)
