"""Checkpoint scheduling for `AnnotationStore`: when and how checkpoints are written.

`StoreCheckpoints` is the part of `AnnotationStore` that decides when a checkpoint
is due (every `checkpoint_every` journal entries, on `idle()`, on request), runs it
in a background thread, builds it from a copy of the in-memory index, and copies
it to `backups/`. It also counts the saves in progress, so a background checkpoint
gives way to them. The state it uses is set up by `AnnotationStore.__init__`.

The TinyDB layer is imported only when a checkpoint is written, which keeps this
module cheap to import.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peerlit_tui.storage.annotation_clock import Stamp
from peerlit_tui.storage.annotation_fingerprint import JournalMark
from peerlit_tui.storage.annotation_index import AnnotationIndex, paused_gc
from peerlit_tui.storage.annotation_lookup import (
    copy_index,
    file_stamp,
    index_rows,
    meta_of,
    write_lookup,
)
from peerlit_tui.storage.checkpoint_files import journal_meta, write_backup
from peerlit_tui.storage.journal import utc_now
from peerlit_tui.storage.journal_set import JournalSet
from peerlit_tui.storage.paths import ANNOTATIONS_JSON

if TYPE_CHECKING:
    from peerlit_tui.storage.annotation_changes import ChangeLog

#: Version of the checkpoint layout, written to its `meta` table. 2 added
#: `journals` (position and fingerprint per journal file); 3 one journal per
#: reviewer in it, and the stamps of the field values (`annotation_clock`).
SNAPSHOT_FORMAT = 3


def checkpoint_meta(
    marks: dict[str, JournalMark], count: int, reasons_stamp: Stamp | None = None
) -> dict[str, Any]:
    """The checkpoint's `meta` document for the journals' marks and an annotation count."""
    meta = {
        "format": SNAPSHOT_FORMAT,
        **journal_meta(marks),
        "written": utc_now(),
        "annotations": count,
    }
    if reasons_stamp is not None and reasons_stamp[0]:
        meta["reasons_stamp"] = list(reasons_stamp)
    return meta


class _Reloaded(Exception):
    """The store reloaded while a checkpoint was being built; that checkpoint is dropped."""


class StoreCheckpoints:
    """Checkpoint scheduling and the background checkpoint thread of `AnnotationStore`.

    Not used on its own: `AnnotationStore` inherits it and sets the attributes
    declared here in its `__init__`.
    """

    folder: Path
    read_only: bool
    checkpoint_every: int
    keep_backups: int
    backup_interval: float
    _sync: bool
    _index: AnnotationIndex
    _jset: JournalSet
    _applied: int
    _log: ChangeLog
    _closed: bool
    _ckpt_seq: int
    _ckpt_failed_seq: int
    _ckpt_thread: threading.Thread | None
    _ckpt_start_lock: threading.Lock
    _ckpt_write_lock: threading.Lock
    _saves: int
    _saves_lock: threading.Lock
    _no_saves: threading.Event

    if TYPE_CHECKING:  # defined by `AnnotationStore`

        def _warn(self, message: str) -> None: ...
        def _check_writable(self) -> None: ...

    def pending(self) -> int:
        """Journal entries applied here and not yet included in a checkpoint."""
        return self._applied - self._ckpt_seq

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

    def _maybe_checkpoint(self) -> None:
        # After a failed checkpoint (disk full, say) wait for another full interval
        # rather than retrying, and warning, on every save.
        since = self._applied - max(self._ckpt_seq, self._ckpt_failed_seq)
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
        except _Reloaded:
            pass
        except Exception as exc:  # the journal holds every change; report and go on
            self._ckpt_failed_seq = self._applied
            self._warn(f"could not write the annotations checkpoint: {exc}")

    def _write_checkpoint(self) -> None:
        with self._ckpt_write_lock:
            # Copy under the lock (cheap: the annotations are immutable, the inner
            # mappings replaced, never changed), then build and write the file
            # outside it so saves are not held up.
            with self._jset.thread_lock:
                index = self._index
                annotations = list(index.by_id.values())
                team = dict(index.team.by_record)
                stamps = dict(index.stamps)
                reasons, reasons_stamp = index.reasons, index.reasons_stamp
                read = [(j.name, j.journal_id, j.offset, j.seq, j.last_ts) for j in self._jset]
                applied, epoch = self._applied, self._log.epoch
                lookup = copy_index(index)
            # Hashes only what no earlier checkpoint of this session hashed (bytes
            # before an offset never change), outside the lock.
            marks = {
                name: self._jset.fingerprinter(name).mark(journal_id, offset, seq, last_ts)
                for name, journal_id, offset, seq, last_ts in read
                if offset > 0 or seq > 0
            }
            meta = checkpoint_meta(marks, len(annotations), reasons_stamp)
            from peerlit_tui.storage.annotations import write_snapshot

            @contextmanager
            def rename_lock() -> Iterator[None]:
                # The library's lock; taken last, never while waiting for another.
                with self._jset.legacy.locked():
                    if self._log.epoch != epoch or any(j.replaced() for j in self._jset):
                        raise _Reloaded  # a journal was replaced: this copy is stale
                    yield

            try:
                with paused_gc():
                    payload = write_snapshot(
                        self.folder / ANNOTATIONS_JSON,
                        annotations,
                        reasons,
                        meta,
                        sync=self._sync,
                        pause=self._yield_to_saves,
                        lock=rename_lock,
                        team=team,
                        stamps=stamps,
                    )
            except _Reloaded:
                return
            with self._jset.thread_lock:
                if self._log.epoch == epoch:
                    self._ckpt_seq = max(self._ckpt_seq, applied)
            self._backup(payload, sum(r[3] for r in read))
            self._save_lookup(lookup, marks)

    def _save_lookup(self, index: AnnotationIndex, marks: dict[str, JournalMark]) -> None:
        """Write the lookup table beside the checkpoint just written, from the same copy."""
        stamp = file_stamp(self.folder / ANNOTATIONS_JSON)
        try:
            write_lookup(
                self.folder, index_rows(index), meta_of(index, stamp, marks), sync=self._sync
            )
        except OSError as exc:  # derived data: commands read the whole store meanwhile
            self._warn(f"could not write the annotations lookup table: {exc}")

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
