"""The annotations store: an in-memory index, one journal per reviewer, and TinyDB checkpoints.

This is the only module that imports TinyDB. The design keeps every save O(1):

- Reads are answered by an in-memory `AnnotationIndex`.
- A change is appended to its reviewer's journal (`annotations/<reviewer>.journal`,
  one JSON line per transaction, fsynced) before the call returns; that is the
  durability point. No TinyDB work happens on the save path. A library made
  before reviewers had journals keeps `annotations.journal`, read as the earlier
  reviewer's history and written only by a store that names no reviewer.
- Each journal has its own lock (`annotations/<reviewer>.lock`): a save takes the
  lock of its own journal only, so reviewers never wait for each other. A writer
  first reads the complete lines every journal gained (no lock needed for that)
  and the journal files that appeared, so old values are computed on fresh state;
  `refresh` does the same for a polling app (`journal_set`).
- Entries of different journals reach processes in different orders, so every
  field value carries the stamp `(ts, journal, seq)` of the change that set it and
  an older change never replaces a newer one (`annotation_clock`); tags changed by
  two reviewers at once are merged (`annotation_merge`). Every process and every
  open therefore computes the same state.
- `annotations.json` is a TinyDB database written as a checkpoint, through
  `SnapshotStorage`, which writes a temp file in the same folder, fsyncs it and
  renames it over the old file, so a crash leaves either the old or the new file.
  Its shape (plain TinyDB opens it):

      annotations: {"1": {"record_id", "tags", "note", "rating", "read",
                          "decision", "reason",      # final decision
                          "created", "updated",
                          "decisions": {"alice": {"decision", "reason"}, ...},
                          "stamps": {"tags": 3, "decision@alice": 7, ...}}, ...}
      reasons:     {"1": {"reason": "wrong population"}, ...}
      meta:        {"1": {"format": 3, "written", "annotations": <count>,
                          "journals": {"annotations/alice.journal": {"id", "offset",
                                       "seq", "ts", "block_size", "blocks", "sha256"}, ...},
                          "stamps": [[ts, journal, seq], ...], "reasons_stamp": [...],
                          "journal_id", "journal_offset", "journal_seq"}}

  `journals` says how far the checkpoint read each journal and fingerprints those
  bytes (`annotation_fingerprint`); the last three keys repeat the position in
  `annotations.journal` for older peerlit versions. A record that is blank but
  has stamps (its last tag removed) keeps a document, so its stamps survive.
  Checkpoints run in a background thread when enough entries arrived, on
  `idle()`, and at `close()`; the rename happens under `annotations.lock`, the
  library's lock.
- Opening loads the checkpoint and replays every journal after its position (a
  journal the checkpoint does not know from its start). A journal that no longer
  holds the bytes the checkpoint read (missing, cut short, replaced) is never
  replayed over the checkpoint but set aside, on its own and under its own lock
  (`annotation_recovery`, `annotation_loading`).
- Each checkpoint is also copied to `backups/` (the newest few are kept).
- Each checkpoint also writes `annotations.lookup.sqlite3`, every record's index
  state in SQLite, stamped with the checkpoint file and the journals' marks, so a
  command on one record opens only that record plus the journals' tails
  (`annotation_lookup`, `annotation_partial.PartialStore`). It is derived data:
  one whose stamp does not match is never used.

Plain TinyDB can read the checkpoint (`TinyDB("annotations.json")`); it is a
faithful copy as of the last checkpoint, but edits must go through peerlit, which
rewrites the file from the journals.

This module holds the TinyDB layer (`SnapshotStorage`, `read_snapshot`,
`write_snapshot`) and is where the store is imported from; the parts live in
`journal` (one journal file and its lock), `journal_set` (all journals of a
library), `annotation_index` (the in-memory state and replay), `annotation_clock`
(stamps), `annotation_merge` (concurrent tag changes), `annotation_history` (undo,
redo, history), `checkpoint_files` (atomic writes, temp files, backups),
`annotation_store` (the store tying them together: open, replay, reads, close),
`annotation_transactions` (the store's save path, undo, redo, history and remote
transactions), `annotation_checkpoints` (the store's checkpoint scheduling and
background thread) and `annotation_doctor` (verify and repair).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from peerlit_tui.annotation import Annotation
from peerlit_tui.storage.annotation_changes import ChangeSet, ChangeToken
from peerlit_tui.storage.annotation_clock import Stamp, StampTable
from peerlit_tui.storage.annotation_conflicts import Conflict, EditConflict
from peerlit_tui.storage.annotation_errors import DiskFullError, NotSavedError
from peerlit_tui.storage.annotation_history import (
    Edit,
    HistoryItem,
    Transaction,
    UndoPreview,
)
from peerlit_tui.storage.annotation_store import (
    AnnotationStore,
    ReadOnlyStoreError,
)
from peerlit_tui.storage.checkpoint_files import (
    ANNOTATIONS_TABLE,
    META_TABLE,
    REASONS_TABLE,
    LockFactory,
    Pause,
    Snapshot,
    atomic_write,
    parse_snapshot,
)

__all__ = [
    "AnnotationStore",
    "ChangeSet",
    "ChangeToken",
    "Conflict",
    "DiskFullError",
    "Edit",
    "EditConflict",
    "HistoryItem",
    "NotSavedError",
    "ReadOnlyStoreError",
    "SnapshotStorage",
    "Transaction",
    "UndoPreview",
]

#: Serialisation pauses for waiting saves every this many documents.
_PAUSE_EVERY = 256


class SnapshotStorage(Storage):
    """TinyDB storage for `annotations.json` that never writes in place.

    Usable directly (`TinyDB(path, storage=SnapshotStorage)`) for safe writes. With
    `staged=True` the database lives in memory until `commit()` writes it once,
    which is how the store has TinyDB build a whole checkpoint.

    Args:
        path: The JSON file.
        staged: Start from an empty database in memory and write only on `commit`.
        sync: fsync the file and its folder when writing.
        pause: Called every few hundred documents while serialising, so a
            background checkpoint can give way to saves.
        lock: Context manager factory held while the new file is renamed into place.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        staged: bool = False,
        sync: bool = True,
        pause: Pause | None = None,
        lock: LockFactory | None = None,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self._staged: dict[str, dict[str, Any]] | None = {} if staged else None
        self._sync = sync
        self._pause = pause
        self._lock = lock

    def read(self) -> dict[str, dict[str, Any]] | None:
        """The database: the staged one, or the file's content (None when absent or empty)."""
        if self._staged is not None:
            return self._staged
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw or raw.isspace():  # isspace stops at the first "{"; strip would copy
            return None
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError(f"{self.path.name} does not hold a TinyDB database")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Stage `data`, or write it atomically when not staged."""
        if self._staged is not None:
            self._staged = data
        else:
            atomic_write(
                self.path, self.encode(data), sync=self._sync, lock=self._lock, pause=self._pause
            )

    def commit(self) -> list[bytes]:
        """Write the staged database atomically and return the bytes written, in chunks."""
        payload = self.encode(self._staged or {})
        atomic_write(self.path, payload, sync=self._sync, lock=self._lock, pause=self._pause)
        return payload

    def encode(self, data: dict[str, dict[str, Any]]) -> list[bytes]:
        """Serialise a few hundred documents at a time, pausing in between for saves.

        One `json.dumps` of the whole database, or one join of its text, would hold
        the interpreter lock for tens to hundreds of milliseconds at 100k
        documents, stalling saves in other threads; chunks of a few hundred
        documents keep every step short.
        """
        parts = [b"{"]
        for t, (name, table) in enumerate(data.items()):
            parts.append((("," if t else "") + json.dumps(name) + ":{").encode())
            items = list(table.items())
            for start in range(0, len(items), _PAUSE_EVERY):
                if start and self._pause is not None:
                    self._pause()
                batch = {str(k): v for k, v in items[start : start + _PAUSE_EVERY]}
                # ASCII output: plain TinyDB opens the file in the locale's encoding.
                text = json.dumps(batch, separators=(",", ":"))[1:-1]
                parts.append(("," if start else "").encode() + text.encode("ascii"))
            parts.append(b"}")
        parts.append(b"}")
        return parts


def read_snapshot(path: Path) -> Snapshot | None:
    """Read a checkpoint file; None when it does not exist or is empty.

    Raises:
        ValueError: When the file is not valid JSON or not a checkpoint.
        OSError: When it cannot be read.
    """
    storage = SnapshotStorage(path)
    try:
        data = storage.read()
    finally:
        storage.close()
    return None if data is None else parse_snapshot(data)


def write_snapshot(
    path: Path,
    annotations: list[Annotation],
    reasons: Iterable[str],
    meta: dict[str, Any],
    *,
    sync: bool,
    pause: Pause | None = None,
    lock: LockFactory | None = None,
    team: Mapping[str, Mapping[str, tuple[str, str]]] | None = None,
    stamps: Mapping[str, Mapping[str, Stamp]] | None = None,
) -> list[bytes]:
    """Have TinyDB build a checkpoint database and write it atomically to `path`.

    Args:
        path: The checkpoint file.
        annotations: Every non-blank annotation (final decisions).
        reasons: The project's exclusion reasons.
        meta: The `meta` table's one document; the list of stamps is added to it.
        sync: fsync the file and its folder.
        pause: Called every few hundred documents (see `SnapshotStorage`).
        lock: Held while the new file is renamed into place.
        team: Each reviewer's (decision, reason) per record id; a record's document
            then holds them as "decisions" ({"alice": {"decision", "reason"}})
            beside its final "decision" and "reason". Records that only have
            reviewers' decisions (still pending, or in conflict) get a document too.
        stamps: Per record id, the stamp of each field's value (`annotation_clock`);
            a document names them in "stamps" by position in `meta.stamps`. Records
            that are blank but have stamps (a tag removed, say) get a document too,
            so an older change read later cannot bring the old value back.

    Returns:
        The bytes written, in chunks (reused for the backup copy).
    """
    team = team or {}
    stamps = stamps or {}
    table = StampTable()

    def votes(rid: str) -> dict[str, dict[str, str]]:
        return {r: {"decision": d, "reason": why} for r, (d, why) in sorted(team[rid].items())}

    def document(doc: dict[str, Any], rid: str, i: int) -> Document:
        if pause is not None and i % _PAUSE_EVERY == 0:
            pause()
        if rid in team:
            doc["decisions"] = votes(rid)
        held = stamps.get(rid)
        if held:
            doc["stamps"] = table.refs(held)
        return Document(doc, doc_id=i)

    def documents() -> Iterator[Document]:
        i = 0
        for i, ann in enumerate(annotations, 1):
            yield document(ann.to_json(), ann.record_id, i)
        annotated = {a.record_id for a in annotations} if team or stamps else set()
        for rid in team:
            if rid not in annotated:
                i += 1
                annotated.add(rid)
                yield document(Annotation(rid).to_json(), rid, i)
        for rid in stamps:
            if rid not in annotated:
                i += 1
                yield document(Annotation(rid).to_json(), rid, i)

    db = TinyDB(path, storage=SnapshotStorage, staged=True, sync=sync, pause=pause, lock=lock)
    try:
        meta_table = db.table(META_TABLE)
        db.table(REASONS_TABLE).insert_multiple(
            Document({"reason": r}, doc_id=i) for i, r in enumerate(reasons, 1)
        )
        db.table(ANNOTATIONS_TABLE).insert_multiple(documents())
        if table.items:
            meta = {**meta, "stamps": table.to_json()}
        meta_table.insert(Document(meta, doc_id=1))
        storage = db.storage
        assert isinstance(storage, SnapshotStorage)
        return storage.commit()
    finally:
        db.close()
