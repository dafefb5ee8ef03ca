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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerlit_tui.storage.annotation_clock import ZERO, Stamp, read_stamp_list
from peerlit_tui.storage.annotation_fingerprint import JournalMark
from peerlit_tui.storage.journal import fsync_dir, utc_now
from peerlit_tui.storage.paths import ANNOTATIONS_JOURNAL, BACKUP_DIR, JOURNAL_SUFFIX, JOURNALS_DIR

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
        # mkstemp creates 0600; keep the mode of the file being replaced instead,
        # unless that mode locks its owner out (an unreadable file must not be
        # re-created unreadable, or every later open would fail on it again).
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
        if mode & 0o400 == 0:
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
    # The sequence number first, so names sort oldest to newest.
    name = f"annotations-{seq:010d}-{stamp()}.json"
    atomic_write(where / name, payload, sync=sync, lock=None, pause=pause)
    for old in backup_paths(folder)[:-keep]:
        with suppress(OSError):
            old.unlink()
    return True


def stamp() -> str:
    """The current UTC time for file names: "20240822T101503512Z"."""
    return utc_now().replace("-", "").replace(":", "").replace(".", "")


def set_aside(path: Path) -> Path:
    """Rename a damaged file to `<name>.damaged-<time>` next to it (never delete it).

    Returns:
        The new path.
    """
    target = path.with_name(f"{path.name}.damaged-{stamp()}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp()}-{n}")
    os.replace(path, target)
    fsync_dir(path.parent)
    return target


def damaged_journals(folder: Path) -> list[Path]:
    """Journals set aside as damaged (the old journal's and the reviewers'), oldest first."""
    found = list(folder.glob(f"{ANNOTATIONS_JOURNAL}.damaged-*"))
    found += (folder / JOURNALS_DIR).glob(f"*{JOURNAL_SUFFIX}.damaged-*")
    return sorted(found, key=lambda p: p.name.rsplit(".damaged-", 1)[-1])


@dataclass(slots=True)
class Snapshot:
    """A checkpoint's content: documents, reasons and the journal positions included.

    Attributes:
        docs: The annotation documents.
        reasons: The project's exclusion reasons.
        journals: Journal file name -> how far the checkpoint read it. Written as
            `meta.journals`; a checkpoint older than that has one entry built from
            `journal_id`, `journal_offset` and `journal_seq`, without a fingerprint.
        stamps: The distinct stamps the documents refer to (`annotation_clock`);
            empty in checkpoints written before reviewers had journals.
        reasons_stamp: The stamp of the list of exclusion reasons.
    """

    docs: list[Any]
    reasons: list[str]
    journals: dict[str, JournalMark]
    stamps: list[Stamp] = field(default_factory=list)
    reasons_stamp: Stamp = ZERO

    @property
    def mark(self) -> JournalMark:
        """The position in `annotations.journal` (offset 0 when it includes none of it)."""
        return self.mark_of(ANNOTATIONS_JOURNAL)

    def mark_of(self, name: str) -> JournalMark:
        """The position in one journal (offset 0 when it includes none of it)."""
        return self.journals.get(name) or JournalMark("", 0, 0)

    @property
    def journal_id(self) -> str:
        """Id of `annotations.journal` the checkpoint was made from."""
        return self.mark.journal_id

    @property
    def offset(self) -> int:
        """Bytes of `annotations.journal` the checkpoint includes."""
        return self.mark.offset

    @property
    def seq(self) -> int:
        """Sequence number of the last `annotations.journal` entry included."""
        return self.mark.seq


def journal_meta(marks: dict[str, JournalMark]) -> dict[str, Any]:
    """The `meta` fields recording every journal's mark, new layout and old together.

    The old keys (the position in `annotations.journal`) stay so that an older
    peerlit can still read the checkpoint.
    """
    legacy = marks.get(ANNOTATIONS_JOURNAL) or JournalMark("", 0, 0)
    return {
        "journal_id": legacy.journal_id,
        "journal_offset": legacy.offset,
        "journal_seq": legacy.seq,
        "journals": {name: mark.to_json() for name, mark in sorted(marks.items())},
    }


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
    journals: dict[str, JournalMark] = {}
    listed = meta.get("journals")
    if isinstance(listed, dict):
        for name, value in listed.items():
            journals[str(name)] = JournalMark.from_json(value)
    else:
        journals[ANNOTATIONS_JOURNAL] = JournalMark.from_json(
            {
                "id": meta.get("journal_id", ""),
                "offset": meta.get("journal_offset", 0),
                "seq": meta.get("journal_seq", 0),
            }
        )
    reasons = [
        doc.get("reason")
        for _, doc in sorted(tables[REASONS_TABLE].items(), key=_doc_order)
        if isinstance(doc, dict) and isinstance(doc.get("reason"), str)
    ]
    held = read_stamp_list([meta.get("reasons_stamp")])
    return Snapshot(
        docs=list(tables[ANNOTATIONS_TABLE].values()),
        reasons=[r for r in reasons if r],
        journals=journals,
        stamps=read_stamp_list(meta.get("stamps")),
        reasons_stamp=held[0] if held else ZERO,
    )


def _doc_order(item: tuple[str, Any]) -> tuple[int, str]:
    key = item[0]
    return (int(key), key) if key.isdigit() else (1 << 62, key)
