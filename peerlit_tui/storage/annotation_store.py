"""`AnnotationStore`: the in-memory index, the journal and the checkpoints together.

See `peerlit_tui.storage.annotations` for the design. This module holds the core
of the store: opening, reads from the in-memory index, catching up with entries
other processes appended, polling for them, and closing. The store inherits the
rest from three parts: `annotation_loading.StoreLoading` (checkpoint plus journal
replay, and recovery from a damaged or replaced journal),
`annotation_transactions.StoreTransactions` (the save path, undo, redo and
history) and `annotation_checkpoints.StoreCheckpoints` (checkpoint scheduling and
the background checkpoint thread). The TinyDB layer is imported only where a
checkpoint is read or written, which keeps this module cheap to import.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import replace
from pathlib import Path

from peerlit_tui.annotation import Annotation
from peerlit_tui.screening_decisions import RESOLUTION, UNDECIDED, screened
from peerlit_tui.storage.annotation_changes import ChangeLog, ChangeSet, ChangeToken
from peerlit_tui.storage.annotation_checkpoints import StoreCheckpoints
from peerlit_tui.storage.annotation_clock import Stamp, is_time, last_time, running
from peerlit_tui.storage.annotation_errors import (
    READ_ONLY_ERRNOS,
    READ_ONLY_MESSAGE,
    ReadOnlyStoreError,
)
from peerlit_tui.storage.annotation_history import UndoHistory
from peerlit_tui.storage.annotation_index import AnnotationIndex
from peerlit_tui.storage.annotation_loading import StoreLoading
from peerlit_tui.storage.annotation_merge import rederive_tags
from peerlit_tui.storage.annotation_team import blind_active
from peerlit_tui.storage.annotation_transactions import StoreTransactions
from peerlit_tui.storage.journal import Journal, Located, new_id
from peerlit_tui.storage.journal_set import JournalSet

__all__ = ["AnnotationStore", "ReadOnlyStoreError"]


# `StoreCheckpoints` comes first so its `_saving` is the definition type checkers see.
class AnnotationStore(StoreCheckpoints, StoreLoading, StoreTransactions):
    """Annotations of one library folder; see the module docstring for the design.

    Use `AnnotationStore.open`. Reads come from memory and are cheap; every change
    goes through `transact` (or `undo` / `redo`) and is durable when it returns.

    Attributes:
        folder: The library folder.
        read_only: True when opened without write access (asked for, or because
            the library cannot be written: then `read_only_reason` says so).
        read_only_reason: Why changes are refused, in words; "" when writable.
        warnings: What went wrong while reading (torn or unreadable journal lines,
            an unreadable checkpoint, a damaged journal set aside, leftover temp
            files, failed checkpoints), in plain words, oldest first.
        origin: Who writes this store's entries: {"session", "pid", "host"}; each
            journal entry carries it as "by", so undo can tell whose change it is.
        reviewer: The reviewer whose journal this store writes
            (`annotations/<reviewer>.journal`; "" writes `annotations.journal`).
            The service sets it; it may change between saves.
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
        self.read_only_reason = (
            "the annotations are open read-only here: nothing can be saved" if read_only else ""
        )
        self.warnings: list[str] = []
        # `uname` gives what `socket.gethostname` does, without loading `socket`.
        self.origin = {"session": new_id(), "pid": os.getpid(), "host": os.uname().nodename}
        # The reviewer each journal entry names (set by the service; "" names none).
        self.reviewer = ""
        # Whose view reads give in blind mode (a reviewer key; None: the final view),
        # and the library's blind mode ("auto", "on" or "off").
        self.viewer: str | None = None
        self.blind = "auto"
        self.checkpoint_every = max(1, checkpoint_every)
        self.keep_backups = max(0, keep_backups)
        self.backup_interval = backup_interval
        self._sync = sync
        self._index = AnnotationIndex()
        self._history: UndoHistory | None = None
        self._log = ChangeLog()
        self._closed = False
        self._damaged = False
        # Journal name -> (id, seq) of the checkpoint a journal started afresh continues.
        self._continues: dict[str, tuple[str, int]] = {}
        # Entries applied since the store (re)loaded: the change log's and the
        # checkpoint schedule's clock (each journal numbers its own entries).
        self._applied = 0
        # The latest entry time read from any journal (`annotation_clock.next_ts`).
        self._last_ts = ""
        # Journals read again at the next poll (their repair waited for a lock).
        self._retry = False
        # Journal names the undo history was built from.
        self._history_names: tuple[str, ...] = ()
        # Origins of the remote transactions applied (`apply_remote`), read on first use.
        self._origins: set[str] | None = None
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
        self._jset = JournalSet(folder, read_only=read_only, sync=sync, warn=self._warn)

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
        reviewer: str = "",
    ) -> AnnotationStore:
        """Open (creating if need be) the annotations of a library folder.

        A library that cannot be written (read-only mount, folder or files without
        write permission) opens read-only: reads work, and every change raises
        `ReadOnlyStoreError` saying "the library is read-only: nothing can be saved
        here".

        Args:
            folder: The library folder.
            read_only: Change nothing on disk and take no locks; changes raise
                `ReadOnlyStoreError`.
            checkpoint_every: Journal entries after which a background checkpoint runs.
            keep_backups: How many checkpoint copies to keep in `backups/`.
            backup_interval: Seconds; a checkpoint is copied to `backups/` when the
                newest copy is older than this, so the copies span hours, not minutes.
            sync: fsync writes. Only tests and benchmarks turn this off.
            reviewer: Whose journal this store writes (see `reviewer`); known at
                open, its journal's torn tail (a kill mid-save) is cut right away.

        Raises:
            OSError: When the folder or its files cannot be opened.
        """

        def attempt(read_only: bool) -> AnnotationStore:
            store = cls(
                Path(folder),
                read_only=read_only,
                checkpoint_every=checkpoint_every,
                keep_backups=keep_backups,
                backup_interval=backup_interval,
                sync=sync,
            )
            store.reviewer = reviewer
            try:
                store._load()
            except BaseException:
                store._jset.close()
                raise
            return store

        if read_only:
            return attempt(True)
        try:
            return attempt(False)
        except OSError as exc:
            if exc.errno not in READ_ONLY_ERRNOS:
                raise
        store = attempt(True)
        store.read_only_reason = READ_ONLY_MESSAGE
        return store

    # -- reading -----------------------------------------------------------------

    @property
    def index_lock(self) -> threading.RLock:
        """Hold it while iterating the index, which a save in another thread may change."""
        return self._jset.thread_lock

    @property
    def _journal(self) -> Journal:
        """`annotations.journal`, the library's first journal (its lock is the library's)."""
        return self._jset.legacy

    def journals(self) -> dict[str, Journal]:
        """Every open journal by its name in the library ("annotations/alice.journal")."""
        with self._jset.thread_lock:
            return self._jset.as_dict()

    @property
    def index(self) -> AnnotationIndex:
        """The in-memory index (read it; change it only through `transact`)."""
        return self._index

    def get(self, record_id: str) -> Annotation | None:
        """The annotation of a record, or None when nothing is recorded for it.

        In blind mode (`viewer` set and `blind_active`) an unresolved record shows
        the viewer's own decision and reason instead of the final ones.
        """
        ann = self._index.by_id.get(record_id)
        if self.viewer is None or not blind_active(self._index.team, self.blind):
            return ann
        return self._blinded(record_id, ann)

    def _blinded(self, record_id: str, ann: Annotation | None) -> Annotation | None:
        votes = self._index.team.by_record.get(record_id)
        if not votes or screened(votes.get(RESOLUTION, (UNDECIDED, ""))[0]):
            return ann
        own = votes.get(self.viewer or "", (UNDECIDED, ""))
        base = ann or Annotation(record_id)
        if (base.decision, base.reason) == own:
            return ann
        new = replace(base, decision=own[0], reason=own[1])
        return None if new.is_blank() else new

    def __len__(self) -> int:
        return len(self._index)

    def annotations(self) -> list[Annotation]:
        """Every stored annotation (a copy of the list; the objects are immutable)."""
        with self._jset.thread_lock:
            if self.viewer is None or not blind_active(self._index.team, self.blind):
                return list(self._index.by_id.values())
            by_id = self._index.by_id
            seen = [self._blinded(r, a) for r, a in by_id.items()]
            seen += [self._blinded(r, None) for r in self._index.team.by_record if r not in by_id]
            return [a for a in seen if a is not None]

    def tag_counts(self) -> list[tuple[str, int]]:
        """(display spelling, record count) per tag, sorted by folded name.

        Taken under the lock: unlike single lookups, it iterates the index, which a
        save in another thread may be changing.
        """
        with self._jset.thread_lock:
            return self._index.tag_counts()

    # -- keeping up and closing ---------------------------------------------------

    def refresh(self) -> bool:
        """Read entries other processes appended; cheap (a `stat` and an `fstat` per journal).

        New journal files (a reviewer's first save) are found and read too. When a
        journal file was replaced or cut short underneath (another process set a
        damaged journal aside, a sync tool restored an older copy), the store
        reloads from disk and says so in `warnings`.

        Returns:
            True when something changed.
        """
        if self._closed:
            return False
        with self._jset.thread_lock:
            self._jset.discover()
            replaced = self._retry or any(j.replaced() or j.size() < j.offset for j in self._jset)
            if replaced:
                self._retry = False
                self._reload()
                changed = True
            else:
                # Complete lines need no file lock to be read; the thread lock keeps
                # this thread's saves out while the index changes.
                changed = self._catch_up(None)
        if changed:
            self._maybe_checkpoint()
        return changed

    def change_token(self) -> ChangeToken:
        """The current moment, to pass to `changed_since` later."""
        return ChangeToken(self._log.epoch, self._applied)

    def changed_since(self, token: ChangeToken) -> ChangeSet:
        """Pick up other processes' entries, then say which records changed after `token`.

        O(1) when nothing changed (see `refresh`); otherwise proportional to the
        entries since `token`.
        """
        self.refresh()
        with self._jset.thread_lock:
            return self._log.since(token, self.change_token())

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
            self._jset.close()

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
            raise ReadOnlyStoreError(self.read_only_reason or READ_ONLY_MESSAGE)

    def _catch_up(self, writer: Journal | None) -> bool:
        """Apply the complete entries every journal gained, in stamp order.

        Args:
            writer: The journal this thread holds the lock of: its torn tail, if
                any, is cut (no other journal's ever is).
        """
        found: list[tuple[Stamp, Journal, Located]] = []
        for journal in self._jset:
            items = journal.read_new(repair=journal is writer)
            if items:
                stamped = running(items, journal.name, journal.last_ts)
                journal.last_ts = last_time(stamped, journal.last_ts)
                found += [(stamp, journal, item) for stamp, item in stamped]
        if found:
            self._before_apply([item for _, _, item in found])
        if len(found) > 1:
            found.sort(key=lambda f: f[0])
        for stamp, journal, item in found:
            self._apply(item, journal, stamp, own=False)
        if self._index.rederive:
            self._rederive()
        return bool(found)

    def _before_apply(self, items: list[Located]) -> None:
        """Called with the entries a catch-up read, before applying them (see `PartialStore`)."""

    def _rederive(self) -> None:
        """Replay, in stamp order, the tags of records that got a change out of order."""
        ids, self._index.rederive = self._index.rederive, set()
        if any((j.header() or {}).get("after_seq", 0) for j in self._jset):
            return  # a journal lost its beginning: the merge applied stays
        for rid in sorted(ids):
            needle = json.dumps(rid, ensure_ascii=False).encode()
            runs = [
                (j.name, [item.entry for item in j.scan(0, j.offset, needle=needle)])
                for j in self._jset
            ]
            tags, stamp = rederive_tags(rid, runs, self._index.key)
            self._index.reset_tags(rid, tags, stamp)

    def _apply(self, item: Located, journal: Journal, stamp: Stamp, *, own: bool) -> None:
        entry = item.entry
        self._index.apply_entry(entry, self._warn, journal.name, stamp)
        ts = stamp[0]
        if ts > self._last_ts and is_time(ts):
            self._last_ts = ts
        if self._history is not None and journal.name in self._history_names:
            self._history.feed(item, journal.name)
        self._applied += 1
        changes = entry.get("changes")
        if isinstance(changes, list):
            ids = tuple(
                dict.fromkeys(
                    c["id"] for c in changes if isinstance(c, dict) and isinstance(c.get("id"), str)
                )
            )
            reasons = any(isinstance(c, dict) and c.get("id") is None for c in changes)
            self._log.note(self._applied, ids, reasons, own)
