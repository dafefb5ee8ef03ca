"""Opening `AnnotationStore`: checkpoint plus journal, and recovery from a damaged journal.

`StoreLoading` is the part of `AnnotationStore` that builds the in-memory state.
It reads the checkpoint (or the newest good backup when the checkpoint is
unreadable), checks under the lock that the journal is the one the checkpoint was
made from (`annotation_recovery.journal_damage`), and replays the journal after
the checkpoint's position. A journal that is missing, cut short, another one, or
changed where the checkpoint read it is never replayed over the checkpoint: it is
set aside as `annotations.journal.damaged-<time>`, a new journal continues the
numbering, the entries of the set-aside file newer than the checkpoint that still
fit are copied over, and a warning says all of that in words.

The same happens while open, when the journal file is replaced or deleted
underneath (`_reload`): the store starts again from what is on disk, and a deleted
journal's content is first copied out of the still-open file so nothing is lost.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from peerlit_tui.storage.annotation_errors import NotSavedError
from peerlit_tui.storage.annotation_fingerprint import Fingerprinter
from peerlit_tui.storage.annotation_history import UndoHistory
from peerlit_tui.storage.annotation_index import AnnotationIndex, paused_gc
from peerlit_tui.storage.annotation_recovery import (
    count_newer,
    journal_position,
    newer_backup,
    replace_journal,
    salvage,
)
from peerlit_tui.storage.checkpoint_files import (
    Snapshot,
    backup_paths,
    remove_stale_temp_files,
    set_aside,
    stamp,
)
from peerlit_tui.storage.journal import Journal, Located, fsync_dir
from peerlit_tui.storage.paths import ANNOTATIONS_JOURNAL, ANNOTATIONS_JSON

if TYPE_CHECKING:
    from peerlit_tui.storage.annotation_changes import ChangeLog

#: How a checkpoint file looked when read: (inode, size, mtime in ns).
FileStamp = tuple[int, int, int] | None


def _file_stamp(path: Path) -> FileStamp:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class StoreLoading:
    """Loading, damage recovery and reloading of `AnnotationStore`.

    Not used on its own: `AnnotationStore` inherits it and sets the attributes
    declared here in its `__init__`.
    """

    folder: Path
    read_only: bool
    _sync: bool
    _index: AnnotationIndex
    _journal: Journal
    _history: UndoHistory | None
    _log: ChangeLog
    _fingerprint: Fingerprinter
    _damaged: bool
    _continues: tuple[str, int] | None
    _ckpt_seq: int

    if TYPE_CHECKING:  # defined by `AnnotationStore`

        def _warn(self, message: str) -> None: ...
        def _catch_up(self, *, repair: bool) -> bool: ...
        def _apply(self, item: Located, *, own: bool) -> None: ...

    def _load(self, extra: Path | None = None) -> None:
        # Loading builds ~10 objects per annotation, all long-lived: see `paused_gc`.
        with paused_gc():
            self._load_state(extra)

    def _load_state(self, extra: Path | None) -> None:
        journal = self._journal
        self._damaged = False
        # The checkpoint is replaced atomically, so it can be read without the lock
        # (reading 100k annotations takes a while; other writers need not wait).
        base, seen = self._read_base()
        with journal.locked():  # in read-only mode only the thread lock
            if journal.replaced():
                journal.reopen()
            if not self.read_only:
                removed = remove_stale_temp_files(self.folder)
                if removed:
                    self._warn(
                        f"removed {len(removed)} unfinished checkpoint file(s) "
                        "left by an interrupted save"
                    )
            start, damage = self._position(base)
            if damage is not None and _file_stamp(self.folder / ANNOTATIONS_JSON) != seen:
                # Another process wrote a checkpoint meanwhile (perhaps after setting
                # this very journal aside): judge against that one.
                base, seen = self._read_base()
                start, damage = self._position(base)
            if base is not None and damage is not None:
                base = newer_backup(self.folder, base, self._warn)
            index = AnnotationIndex()
            if base is not None:
                index.load(base.docs, base.reasons, self._warn)
            self._index = index
            self._history = None
            if base is not None and damage is not None:
                self._recover(base, damage, extra)
                return
            self._ensure_header()
            journal.offset = start
            journal.seq = base.seq if base is not None and start else 0
            self._fingerprint.reset(base.mark.blocks if base is not None and start else None)
            self._log.start(journal.seq)
            self._catch_up(repair=not self.read_only)
            self._ckpt_seq = -1 if self._damaged else (base.seq if base else 0)

    def _position(self, base: Snapshot | None) -> tuple[int, str | None]:
        """(offset to replay from, damage) of the journal against the checkpoint."""
        if base is None:
            return 0, None
        return journal_position(self._journal, base.mark)

    def _read_base(self) -> tuple[Snapshot | None, FileStamp]:
        from peerlit_tui.storage.annotations import read_snapshot

        path = self.folder / ANNOTATIONS_JSON
        seen = _file_stamp(path)
        try:
            found = read_snapshot(path)
        except (OSError, ValueError) as exc:
            problem = f"{ANNOTATIONS_JSON} is unreadable ({exc})"
        else:
            if found is not None or not backup_paths(self.folder):
                return found, seen
            problem = f"{ANNOTATIONS_JSON} is missing"
        self._damaged = True
        for backup in reversed(backup_paths(self.folder)):
            try:
                found = read_snapshot(backup)
            except (OSError, ValueError):
                continue
            if found is not None:
                self._warn(f"{problem}; recovered from backup {backup.name} and the journal")
                return found, seen
        self._warn(f"{problem}; rebuilt from the journal")
        return None, seen

    def _recover(self, base: Snapshot, damage: str, extra: Path | None) -> None:
        """Keep `base`, swap the journal for a new one holding the newer entries that fit."""
        journal = self._journal
        aside: Path | None = None
        kept = newer = 0
        if self.read_only:
            # Nothing may change on disk: show the checkpoint plus what fits, in memory.
            for source in (extra, journal.path):
                if source is None or not source.exists():
                    continue
                newer += count_newer(source, base.seq)
                for entry in salvage(source, base.seq, self._index):
                    self._index.apply_entry(entry, self._warn)
                    kept += 1
            journal.offset, journal.seq = journal.size(), base.seq
            self._log.start(journal.seq)
        else:
            self._continues = (base.journal_id, base.seq)
            try:
                done = replace_journal(journal, base, extra, sync=self._sync)
                aside, kept, newer = done.aside, done.kept, done.newer
            except OSError as exc:
                # No room for a new journal: rename the damaged one (no space needed)
                # so it is never replayed; its newer entries wait there for `doctor`.
                aside = set_aside(journal.path) if journal.size() > 0 else None
                self._warn(f"could not copy the newer changes over: {exc}")
            journal.reopen()
            if journal.size() == 0:
                self._start_journal(base.seq, aside)
            self._fingerprint.reset()
            journal.offset = journal.seq = 0
            self._log.start(base.seq)
            self._catch_up(repair=True)
        self._ckpt_seq = -1
        where = (
            f"it was set aside as {aside.name} (nothing was deleted) and a new journal started"
            if aside is not None
            else "a new journal was started"
        )
        if self.read_only:
            where = "run `peerlit doctor` (with write access) to set it aside"
        copied = (
            f"; {kept} newer change(s) found after it were kept"
            + (f", {newer - kept} that did not fit were left out" if newer > kept else "")
            if newer
            else ""
        )
        self._warn(
            f"{damage}. The annotations saved in {ANNOTATIONS_JSON} (up to change "
            f"{base.seq}) were kept and the journal was not replayed over them; {where}{copied}"
        )

    def _start_journal(self, after_seq: int, aside: Path | None) -> None:
        """Write the header of a new journal continuing a checkpoint (soft on a full disk)."""
        journal = self._journal
        if journal.size() > 0:
            return
        follows = self._continues or ("", after_seq)
        try:
            journal.start_fresh(
                after_seq,
                continues={"id": follows[0], "seq": follows[1]},
                replaces=aside.name if aside else "",
            )
        except NotSavedError as exc:
            # Nothing is lost: the checkpoint holds the state; the next save retries.
            journal.seq = after_seq
            self._warn(f"could not start a new {ANNOTATIONS_JOURNAL}: {exc}")

    def _ensure_header(self) -> None:
        try:
            self._journal.ensure_header()
        except NotSavedError as exc:
            # A full disk: reads still work; the next save retries (and says why it fails).
            self._warn(f"could not start {ANNOTATIONS_JOURNAL}: {exc}")

    def _ensure_journal(self) -> None:
        """Before a save, under the lock: the journal is still ours and has its header."""
        journal = self._journal
        if journal.replaced() or journal.size() < journal.offset:
            self._reload()
        if journal.size() == 0:
            if self._continues is not None:
                self._start_journal(journal.seq, None)
            else:
                journal.ensure_header()

    def _reload(self) -> None:
        """Start again from disk: the journal was replaced, cut short or deleted underneath."""
        journal = self._journal
        extra = None
        if not self.read_only and journal.deleted() and journal.size() > 0:
            extra = self._copy_out()
        self._warn(
            f"{ANNOTATIONS_JOURNAL} was replaced, cut short or deleted by another program "
            "while open; the annotations were read again from disk"
        )
        journal.reopen()
        self._load(extra)

    def _copy_out(self) -> Path:
        """Save a deleted journal's bytes (still readable through the open file) to a file."""
        journal = self._journal
        target = self.folder / f"{ANNOTATIONS_JOURNAL}.damaged-{stamp()}"
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            size, pos = journal.size(), 0
            while pos < size:
                chunk = journal.read_bytes(pos, min(size, pos + (4 << 20)))
                if not chunk:
                    break
                os.write(fd, chunk)
                pos += len(chunk)
            os.fsync(fd)
        finally:
            os.close(fd)
        fsync_dir(self.folder)
        return target
