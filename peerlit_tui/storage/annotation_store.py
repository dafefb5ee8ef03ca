"""`AnnotationStore`: the in-memory index, the journal and the checkpoints together.

See `peerlit_tui.storage.annotations` for the design. This module holds the logic
that ties the parts together: opening (checkpoint plus journal replay), the save
path (lock, catch up with other writers, append, apply), undo and redo, history,
and background checkpoints. The TinyDB layer is imported only where a checkpoint
is read or written, which keeps this module cheap to import.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from peerlit_tui.annotation import Annotation
from peerlit_tui.storage.annotation_history import (
    EDIT,
    REDO,
    UNDO,
    Edit,
    HistoryItem,
    Transaction,
    UndoHistory,
)
from peerlit_tui.storage.annotation_index import (
    AnnotationIndex,
    normalise_value,
    paused_gc,
    to_jsonable,
)
from peerlit_tui.storage.checkpoint_files import (
    Snapshot,
    backup_paths,
    remove_stale_temp_files,
    write_backup,
)
from peerlit_tui.storage.journal import Journal, Located, new_id, utc_now
from peerlit_tui.storage.paths import ANNOTATIONS_JOURNAL, ANNOTATIONS_JSON, ANNOTATIONS_LOCK

#: Version of the checkpoint layout, written to its `meta` table.
SNAPSHOT_FORMAT = 1


class ReadOnlyStoreError(PermissionError):
    """A change was attempted on a store opened read-only."""


class AnnotationStore:
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

    def pending(self) -> int:
        """Journal entries not yet included in a checkpoint."""
        return self._journal.seq - self._ckpt_seq

    # -- writing -----------------------------------------------------------------

    def transact(
        self, label: str, build: Callable[[AnnotationIndex], Iterable[Edit]]
    ) -> Transaction | None:
        """Apply a set of edits as one journal transaction (one undo step).

        `build` runs under the lock, after the entries other processes appended have
        been read, and computes the edits from that fresh state.

        Args:
            label: What the action does, in words (shown by undo and history).
            build: Returns the edits to make, reading the index it is given.

        Returns:
            The transaction, or None when nothing would change (nothing is written).

        Raises:
            ValueError: From `build`, or when an edit's value does not fit its field.
            ReadOnlyStoreError: When the store is read-only.
            OSError: When the journal cannot be written; nothing is changed then.
        """
        self._check_writable()
        with self._saving(), self._journal.locked():
            self._catch_up(repair=True)
            return self._commit(label, build(self._index), EDIT, None)

    def undo(self) -> Transaction | None:
        """Revert the newest edit not yet undone; None when there is none."""
        return self._step(UNDO)

    def redo(self) -> Transaction | None:
        """Re-apply the most recently undone edit; None when there is none."""
        return self._step(REDO)

    def peek(self, action: str) -> str | None:
        """Label of what `undo()` (action "undo") or `redo()` would act on, if anything."""
        with self._journal.thread_lock:
            stack = self._ensure_history().undo if action == UNDO else self._ensure_history().redo
            if not stack:
                return None
            _, start, end = stack[-1]
            return str(self._journal.read_entry(start, end).get("label", ""))

    def history(self, record_id: str) -> list[HistoryItem]:
        """Every change ever made to one record's annotation, oldest first."""
        with self._journal.thread_lock:
            undone = set(self._ensure_history().undone)
            end = self._journal.offset
        needle = b'"id":' + json.dumps(record_id, ensure_ascii=False).encode()
        out: list[HistoryItem] = []
        for item in self._journal.scan(0, end, needle=needle):
            entry = item.entry
            action = str(entry.get("action", EDIT))
            txn = str(entry.get("txn", ""))
            for change in entry.get("changes") or []:
                if isinstance(change, dict) and change.get("id") == record_id:
                    out.append(
                        HistoryItem(
                            time=str(entry.get("ts", "")),
                            seq=int(entry["seq"]),
                            txn=txn,
                            action=action,
                            label=str(entry.get("label", "")),
                            field=str(change.get("field", "")),
                            old=change.get("old"),
                            new=change.get("new"),
                            undone=action == EDIT and txn in undone,
                        )
                    )
        return out

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

    def idle(self) -> bool:
        """Start a background checkpoint if any entry is not yet checkpointed.

        Returns:
            True when a checkpoint was started.
        """
        if self.read_only or self._closed or self.pending() <= 0:
            return False
        return self._start_background()

    def checkpoint(self) -> bool:
        """Write a checkpoint now, in this thread, if any entry is not yet included.

        Returns:
            True when one was written.
        """
        self._check_writable()
        self.wait_for_checkpoint()
        if self.pending() <= 0:
            return False
        self._write_checkpoint()
        return True

    def wait_for_checkpoint(self) -> None:
        """Wait for a running background checkpoint to finish."""
        thread = self._ckpt_thread
        if thread is not None:
            thread.join()

    @property
    def checkpoint_running(self) -> bool:
        """True while a background checkpoint is being written."""
        thread = self._ckpt_thread
        return thread is not None and thread.is_alive()

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

    @contextmanager
    def _saving(self) -> Iterator[None]:
        with self._saves_lock:
            self._saves += 1
            self._no_saves.clear()
        try:
            yield
        finally:
            with self._saves_lock:
                self._saves -= 1
                if not self._saves:
                    self._no_saves.set()

    def _yield_to_saves(self) -> None:
        # Called every few hundred documents by the checkpoint thread. Blocking while
        # a save runs releases the interpreter lock, so the save runs at full speed;
        # `sleep(0)` otherwise hands the lock to a thread about to start a save now,
        # rather than after the interpreter's 5 ms switch interval.
        if not self._no_saves.is_set():
            self._no_saves.wait(0.5)
        time.sleep(0)

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

    def _ensure_history(self) -> UndoHistory:
        # Built on first use by reading the whole journal; kept current afterwards.
        if self._history is None:
            history = UndoHistory()
            for line, start, end in self._journal.lines(0, self._journal.offset):
                history.feed_line(line, start, end)
            self._history = history
        return self._history

    def _step(self, action: str) -> Transaction | None:
        self._check_writable()
        with self._saving(), self._journal.locked():
            self._catch_up(repair=True)
            history = self._ensure_history()
            stack = history.undo if action == UNDO else history.redo
            if not stack:
                return None
            txn, start, end = stack[-1]
            target = self._journal.read_entry(start, end)
            changes = [c for c in target.get("changes") or [] if isinstance(c, dict)]
            if action == UNDO:
                edits = [
                    Edit(c.get("id"), str(c.get("field")), c.get("old")) for c in changes[::-1]
                ]
            else:
                edits = [Edit(c.get("id"), str(c.get("field")), c.get("new")) for c in changes]
            label = f"{action}: {target.get('label', '')}"
            return self._commit(label, edits, action, txn)

    def _commit(
        self, label: str, edits: Iterable[Edit], action: str, target: str | None
    ) -> Transaction | None:
        changes: list[dict[str, Any]] = []
        overlay: dict[tuple[str | None, str], Any] = {}
        for edit in edits:
            new = normalise_value(edit.field, edit.new)
            key = (edit.record_id, edit.field)
            old = overlay[key] if key in overlay else self._index.current(*key)
            if old == new:
                continue
            overlay[key] = new
            changes.append(
                {"id": edit.record_id, "field": edit.field, "old": to_jsonable(old),
                 "new": to_jsonable(new)}
            )  # fmt: skip
        if not changes and action == EDIT:
            return None
        # Key order matters: `UndoHistory.feed_line` reads the fields up to the
        # target without parsing the whole line.
        entry: dict[str, Any] = {"seq": 0, "txn": new_id(), "ts": utc_now(), "action": action}
        if target is not None:
            entry["undoes" if action == UNDO else "redoes"] = target
        entry["label"] = label
        entry["changes"] = changes
        self._apply(self._journal.append(entry))
        self._maybe_checkpoint()
        return Transaction.from_entry(entry)

    def _maybe_checkpoint(self) -> None:
        # After a failed checkpoint (disk full, say) wait for another full interval
        # rather than retrying, and warning, on every save.
        since = self._journal.seq - max(self._ckpt_seq, self._ckpt_failed_seq)
        if not self.read_only and since >= self.checkpoint_every:
            self._start_background()

    def _start_background(self) -> bool:
        with self._ckpt_start_lock:
            if self._ckpt_thread is not None and self._ckpt_thread.is_alive():
                return False
            thread = threading.Thread(
                target=self._background_checkpoint, name="annotations-checkpoint", daemon=True
            )
            self._ckpt_thread = thread
            thread.start()
            return True

    def _background_checkpoint(self) -> None:
        try:
            self._write_checkpoint()
        except Exception as exc:  # the journal holds every change; report and go on
            self._ckpt_failed_seq = self._journal.seq
            self._warn(f"could not write the annotations checkpoint: {exc}")

    def _write_checkpoint(self) -> None:
        with self._ckpt_write_lock:
            # Copy under the lock (cheap: the annotations are immutable), then build
            # and write the file outside it so saves are not held up.
            with self._journal.thread_lock:
                annotations = list(self._index.by_id.values())
                reasons = self._index.reasons
                journal = self._journal
                offset, seq, journal_id = journal.offset, journal.seq, journal.journal_id
            meta = {
                "format": SNAPSHOT_FORMAT,
                "journal_id": journal_id,
                "journal_offset": offset,
                "journal_seq": seq,
                "written": utc_now(),
                "annotations": len(annotations),
            }
            from peerlit_tui.storage.annotations import write_snapshot

            with paused_gc():
                payload = write_snapshot(
                    self.folder / ANNOTATIONS_JSON,
                    annotations,
                    reasons,
                    meta,
                    sync=self._sync,
                    pause=self._yield_to_saves,
                    lock=self._journal.locked,
                )
            with self._journal.thread_lock:
                self._ckpt_seq = max(self._ckpt_seq, seq)
            self._backup(payload, seq)

    def _backup(self, payload: list[bytes], seq: int) -> None:
        if self.keep_backups:
            write_backup(
                self.folder,
                payload,
                seq,
                keep=self.keep_backups,
                interval=self.backup_interval,
                sync=self._sync,
                pause=self._yield_to_saves,
            )
