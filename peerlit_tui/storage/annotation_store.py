"""`AnnotationStore`: the in-memory index, the journal and the checkpoints together.

See `peerlit_tui.storage.annotations` for the design. This module holds the core
of the store: opening (checkpoint plus journal replay), reads from the in-memory
index, catching up with entries other processes appended, and closing. The store
inherits the rest from two parts: `annotation_transactions.StoreTransactions`
(the save path, undo, redo and history) and `annotation_checkpoints.StoreCheckpoints`
(checkpoint scheduling and the background checkpoint thread). The TinyDB layer
is imported only where a checkpoint is read or written, which keeps this module
cheap to import.
"""

from __future__ import annotations

import threading
from pathlib import Path

from peerlit_tui.annotation import Annotation
from peerlit_tui.storage.annotation_checkpoints import StoreCheckpoints
from peerlit_tui.storage.annotation_history import UndoHistory
from peerlit_tui.storage.annotation_index import AnnotationIndex, paused_gc
from peerlit_tui.storage.annotation_transactions import StoreTransactions
from peerlit_tui.storage.checkpoint_files import (
    Snapshot,
    backup_paths,
    remove_stale_temp_files,
)
from peerlit_tui.storage.journal import Journal, Located
from peerlit_tui.storage.paths import ANNOTATIONS_JOURNAL, ANNOTATIONS_JSON, ANNOTATIONS_LOCK


class ReadOnlyStoreError(PermissionError):
    """A change was attempted on a store opened read-only."""


# `StoreCheckpoints` comes first so its `_saving` is the definition type checkers see.
class AnnotationStore(StoreCheckpoints, StoreTransactions):
    """Annotations of one library folder; see the module docstring for the design.

    Use `AnnotationStore.open`. Reads come from memory and are cheap; every change
    goes through `transact` (or `undo` / `redo`) and is durable when it returns.

    Attributes:
        folder: The library folder.
        read_only: True when opened without write access.
        warnings: What went wrong while reading (torn or unreadable journal lines,
            an unreadable checkpoint, leftover temp files, failed checkpoints), in
            plain words, oldest first.
    """

    def __init__(
        self,
        folder: Path,
        *,
        read_only: bool,
        checkpoint_every: int,
        keep_backups: int,
        backup_interval: float,
        sync: bool,
    ) -> None:
        self.folder = folder
        self.read_only = read_only
        self.warnings: list[str] = []
        self.checkpoint_every = max(1, checkpoint_every)
        self.keep_backups = max(0, keep_backups)
        self.backup_interval = backup_interval
        self._sync = sync
        self._index = AnnotationIndex()
        self._history: UndoHistory | None = None
        self._closed = False
        self._damaged = False
        self._ckpt_seq = 0
        self._ckpt_failed_seq = 0
        self._ckpt_thread: threading.Thread | None = None
        self._ckpt_start_lock = threading.Lock()
        self._ckpt_write_lock = threading.Lock()
        # Saves in progress; a background checkpoint waits while there are any.
        self._saves = 0
        self._saves_lock = threading.Lock()
        self._no_saves = threading.Event()
        self._no_saves.set()
        if not read_only:
            folder.mkdir(parents=True, exist_ok=True)
        self._journal = Journal(
            folder / ANNOTATIONS_JOURNAL,
            folder / ANNOTATIONS_LOCK,
            read_only=read_only,
            sync=sync,
            warn=self._warn,
        )

    @classmethod
    def open(
        cls,
        folder: Path,
        *,
        read_only: bool = False,
        checkpoint_every: int = 1000,
        keep_backups: int = 5,
        backup_interval: float = 600.0,
        sync: bool = True,
    ) -> AnnotationStore:
        """Open (creating if need be) the annotations of a library folder.

        Args:
            folder: The library folder.
            read_only: Change nothing on disk and take no locks; changes raise
                `ReadOnlyStoreError`.
            checkpoint_every: Journal entries after which a background checkpoint runs.
            keep_backups: How many checkpoint copies to keep in `backups/`.
            backup_interval: Seconds; a checkpoint is copied to `backups/` when the
                newest copy is older than this, so the copies span hours, not minutes.
            sync: fsync writes. Only tests and benchmarks turn this off.

        Raises:
            OSError: When the folder or its files cannot be opened.
        """
        store = cls(
            Path(folder),
            read_only=read_only,
            checkpoint_every=checkpoint_every,
            keep_backups=keep_backups,
            backup_interval=backup_interval,
            sync=sync,
        )
        try:
            store._load()
        except BaseException:
            store._journal.close()
            raise
        return store

    # -- reading -----------------------------------------------------------------

    @property
    def index(self) -> AnnotationIndex:
        """The in-memory index (read it; change it only through `transact`)."""
        return self._index

    def get(self, record_id: str) -> Annotation | None:
        """The annotation of a record, or None when nothing is recorded for it."""
        return self._index.by_id.get(record_id)

    def __len__(self) -> int:
        return len(self._index)

    def annotations(self) -> list[Annotation]:
        """Every stored annotation (a copy of the list; the objects are immutable)."""
        with self._journal.thread_lock:
            return list(self._index.by_id.values())

    def tag_counts(self) -> list[tuple[str, int]]:
        """(display spelling, record count) per tag, sorted by folded name.

        Taken under the lock: unlike single lookups, it iterates the index, which a
        save in another thread may be changing.
        """
        with self._journal.thread_lock:
            return self._index.tag_counts()

    @property
    def position(self) -> tuple[int, int]:
        """(byte offset, sequence number) of the journal read so far."""
        return self._journal.offset, self._journal.seq

    # -- keeping up and closing ---------------------------------------------------

    def refresh(self) -> bool:
        """Read entries other processes appended; cheap (one `fstat`) when there are none.

        Returns:
            True when something changed.
        """
        if self._closed or self._journal.size() <= self._journal.offset:
            return False
        with self._journal.thread_lock:
            changed = self._catch_up(repair=False)
        if changed:
            self._maybe_checkpoint()
        return changed

    def close(self, *, checkpoint: bool = True) -> None:
        """Finish checkpointing and close the files; safe to call twice.

        Args:
            checkpoint: Write a checkpoint if entries are pending. Skipping it loses
                nothing (the journal holds every change); the next open replays more.
        """
        if self._closed:
            return
        try:
            self.wait_for_checkpoint()
            if checkpoint and not self.read_only and self.pending() > 0:
                try:
                    self._write_checkpoint()
                except OSError as exc:
                    self._warn(f"could not write the annotations checkpoint at exit: {exc}")
        finally:
            self._closed = True
            self._journal.close()

    def __enter__(self) -> AnnotationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------

    def _warn(self, message: str) -> None:
        self.warnings.append(message)

    def _check_writable(self) -> None:
        if self._closed:
            raise ValueError("the annotations store is closed")
        if self.read_only:
            raise ReadOnlyStoreError(
                f"annotations in {self.folder} are open read-only; changes are not allowed"
            )

    def _load(self) -> None:
        # Loading builds ~10 objects per annotation, all long-lived: see `paused_gc`.
        with paused_gc():
            self._load_state()

    def _load_state(self) -> None:
        journal = self._journal
        force = False
        if not self.read_only:
            with journal.locked():
                journal.ensure_header()
            removed = remove_stale_temp_files(self.folder)
            if removed:
                self._warn(
                    f"removed {len(removed)} unfinished checkpoint file(s) "
                    "left by an interrupted save"
                )
        else:
            journal.ensure_header()
        # The checkpoint is replaced atomically, so it can be read without the lock.
        base = self._read_base()
        offset = seq = 0
        if base is not None:
            self._index.load(base.docs, base.reasons, self._warn)
            if self._matches(base):
                offset, seq = base.offset, base.seq
            else:
                self._warn(
                    "the annotations checkpoint does not match the journal; "
                    "the whole journal was replayed over it"
                )
                force = True
        if self._damaged:
            force = True
        # In read-only mode `locked` takes only the thread lock.
        with journal.locked():
            journal.offset, journal.seq = offset, seq
            self._catch_up(repair=not self.read_only)
            self._ckpt_seq = -1 if force else seq

    def _read_base(self) -> Snapshot | None:
        from peerlit_tui.storage.annotations import read_snapshot

        path = self.folder / ANNOTATIONS_JSON
        try:
            return read_snapshot(path)
        except (OSError, ValueError) as exc:
            problem = f"{ANNOTATIONS_JSON} is unreadable ({exc})"
        self._damaged = True
        for backup in reversed(backup_paths(self.folder)):
            try:
                found = read_snapshot(backup)
            except (OSError, ValueError):
                continue
            if found is not None:
                self._warn(f"{problem}; recovered from backup {backup.name} and the journal")
                return found
        self._warn(f"{problem}; rebuilt from the journal")
        return None

    def _matches(self, base: Snapshot) -> bool:
        journal = self._journal
        if not base.journal_id or base.journal_id != journal.journal_id:
            return False
        if base.offset > journal.size():
            return False
        return base.offset == 0 or journal.read_bytes(base.offset - 1, base.offset) == b"\n"

    def _catch_up(self, *, repair: bool) -> bool:
        items = self._journal.read_new(repair=repair)
        for item in items:
            self._apply(item)
        return bool(items)

    def _apply(self, item: Located) -> None:
        self._index.apply_entry(item.entry, self._warn)
        if self._history is not None:
            self._history.feed(item)
