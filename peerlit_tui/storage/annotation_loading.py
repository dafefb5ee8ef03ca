"""Opening `AnnotationStore`: checkpoint plus journals, and recovery from a damaged journal.

`StoreLoading` is the part of `AnnotationStore` that builds the in-memory state.
It reads the checkpoint (or the newest good backup when the checkpoint is
unreadable), checks that every journal is the one the checkpoint was made from
(`annotation_recovery.journal_damage`), and replays each journal after the
checkpoint's position in it; a journal the checkpoint does not know (a reviewer's
first save came after it) is replayed from its start. Replay order does not
matter (`annotation_clock`), so the journals are read one after the other.

A journal that is missing, cut short, another one, or changed where the
checkpoint read it is never replayed over the checkpoint: holding that journal's
lock (and no other's), it is set aside as `<name>.damaged-<time>`, a new journal
continues its numbering, the entries of the set-aside file newer than the
checkpoint that still fit are copied over, and a warning says all of that in
words. Only that journal is touched: the other reviewers' journals are read as
they are.

The same happens while open, when a journal file is replaced or deleted
underneath (`_reload`): the store starts again from what is on disk, and a deleted
journal's content is first copied out of the still-open file so nothing is lost.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from peerlit_tui.storage.annotation_errors import NotSavedError
from peerlit_tui.storage.annotation_fingerprint import JournalMark
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
from peerlit_tui.storage.journal_set import JournalSet, journal_names
from peerlit_tui.storage.paths import ANNOTATIONS_JSON, reviewer_journal

if TYPE_CHECKING:
    from peerlit_tui.storage.annotation_changes import ChangeLog
    from peerlit_tui.storage.annotation_clock import Stamp

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
    reviewer: str
    _sync: bool
    _index: AnnotationIndex
    _jset: JournalSet
    _history: UndoHistory | None
    _log: ChangeLog
    _damaged: bool
    _continues: dict[str, tuple[str, int]]
    _ckpt_seq: int
    _applied: int
    _last_ts: str
    _retry: bool

    if TYPE_CHECKING:  # defined by `AnnotationStore`

        def _warn(self, message: str) -> None: ...
        def _catch_up(self, writer: Journal | None) -> bool: ...
        def _apply(self, item: Located, journal: Journal, stamp: Stamp, *, own: bool) -> None: ...

    def _load(self, extra: dict[str, Path] | None = None) -> None:
        # Loading builds ~10 objects per annotation, all long-lived: see `paused_gc`.
        with paused_gc(), self._jset.thread_lock:
            self._load_state(extra or {})

    def _load_state(self, extra: dict[str, Path]) -> None:
        jset = self._jset
        self._damaged = False
        # The checkpoint is replaced atomically, so it can be read without a lock
        # (reading 100k annotations takes a while; writers need not wait).
        base, seen = self._read_base()
        if not self.read_only:
            with jset.legacy.locked():  # the library's lock: no checkpoint is being renamed
                removed = remove_stale_temp_files(self.folder)
            if removed:
                self._warn(
                    f"removed {len(removed)} unfinished checkpoint file(s) "
                    "left by an interrupted save"
                )
        jset.forget_folder()
        jset.discover()
        names = list(dict.fromkeys([*journal_names(self.folder), *(base.journals if base else ())]))
        damage = self._damages(base, names)
        if damage and _file_stamp(self.folder / ANNOTATIONS_JSON) != seen:
            # Another process wrote a checkpoint meanwhile (perhaps after setting
            # one of these journals aside): judge against that one.
            base, seen = self._read_base()
            damage = self._damages(base, names)
        if base is not None and damage:
            better = base
            for name in damage:
                better = newer_backup(self.folder, better, self._warn, name)
            if better is not base:
                base = better
                damage = self._damages(base, names)
        index = AnnotationIndex()
        if base is not None:
            index.load(base.docs, base.reasons, self._warn, base.stamps, base.reasons_stamp)
        self._index = index
        self._history = None
        self._applied = 0
        self._last_ts = ""
        self._log.start(0)
        for name in names:
            journal = jset.open(name)
            mark = base.mark_of(name) if base is not None else JournalMark("", 0, 0)
            if base is not None and name in damage:
                self._recover(journal, base, mark, damage[name], extra.get(name))
                continue
            start = self._start_of(journal, mark)
            journal.offset = start
            journal.seq = mark.seq if start else 0
            journal.last_ts = mark.last_ts if start else ""
            jset.fingerprinter(name).reset(mark.blocks if start else None)
        if self.read_only:
            self._catch_up(None)
        else:
            # This store's own journal is read under its lock, so a torn tail a
            # killed writer left there is cut now (other journals' never are).
            mine = jset.get(reviewer_journal(self.reviewer)) if self.reviewer else None
            writer = mine or jset.legacy  # a journal is made at its first save, not here
            with writer.locked(), jset.legacy.locked():
                self._ensure_header(jset.legacy)
                self._catch_up(writer)
        self._ckpt_seq = -1 if self._damaged else 0

    def _start_of(self, journal: Journal, mark: JournalMark) -> int:
        """Where to replay a journal from: after the checkpoint's mark, or its start."""
        if mark.offset == 0 and mark.seq == 0:
            return 0
        start, _ = journal_position(journal, mark)
        return start

    def _damages(self, base: Snapshot | None, names: list[str]) -> dict[str, str]:
        """Journal name -> why it cannot continue the checkpoint, for the damaged ones."""
        out: dict[str, str] = {}
        if base is None:
            return out
        for name in names:
            mark = base.mark_of(name)
            if mark.offset == 0 and mark.seq == 0:
                continue
            journal = self._jset.open(name)
            if journal.replaced():
                journal.reopen()
            _, damage = journal_position(journal, mark)
            if damage is not None:
                out[name] = damage
        return out

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
                self._warn(f"{problem}; recovered from backup {backup.name} and the journals")
                return found, seen
        self._warn(f"{problem}; rebuilt from the journals")
        return None, seen

    def _recover(
        self, journal: Journal, base: Snapshot, mark: JournalMark, damage: str, extra: Path | None
    ) -> None:
        """Keep `base`, swap one damaged journal for a new one holding its newer entries."""
        self._damaged = True
        name = journal.name
        if self.read_only:
            self._recover_in_memory(journal, base, mark, damage, extra)
            return
        # Never wait for another journal's lock while holding one (two processes
        # repairing each other's journals would wait for ever): try, or retry later.
        nested = any(j.held for j in self._jset if j is not journal)
        with journal.locked(wait=not nested) as got:
            if not got:
                journal.offset, journal.seq = journal.size(), mark.seq
                self._retry = True
                self._warn(
                    f"{name} needs repairing but another process holds its lock; "
                    "it is read again at the next poll"
                )
                return
            if journal.replaced():
                journal.reopen()
            start, again = journal_position(journal, mark)
            if again is None:  # another process repaired it meanwhile
                journal.offset, journal.seq = start, mark.seq if start else 0
                journal.last_ts = mark.last_ts if start else ""
                self._jset.fingerprinter(name).reset(mark.blocks if start else None)
                return
            aside: Path | None = None
            kept = newer = 0
            self._continues[name] = (mark.journal_id, mark.seq)
            try:
                done = replace_journal(journal, base, mark, extra, sync=self._sync)
                aside, kept, newer = done.aside, done.kept, done.newer
            except OSError as exc:
                # No room for a new journal: rename the damaged one (no space needed)
                # so it is never replayed; its newer entries wait there for `doctor`.
                aside = set_aside(journal.path) if journal.size() > 0 else None
                self._warn(f"could not copy the newer changes over: {exc}")
            journal.reopen()
            if journal.size() == 0:
                self._start_journal(journal, mark.seq, aside)
            self._jset.fingerprinter(name).reset()
            journal.offset = journal.seq = 0
        where = (
            f"it was set aside as {aside.name} (nothing was deleted) and a new journal started"
            if aside is not None
            else "a new journal was started"
        )
        self._report(name, base, mark, damage, where, kept, newer)

    def _recover_in_memory(
        self, journal: Journal, base: Snapshot, mark: JournalMark, damage: str, extra: Path | None
    ) -> None:
        # Nothing may change on disk: show the checkpoint plus what fits, in memory.
        kept = newer = 0
        for source in (extra, journal.path):
            if source is None or not source.exists():
                continue
            newer += count_newer(source, mark.seq)
            for entry in salvage(source, mark.seq, self._index):
                self._index.apply_entry(entry, self._warn, journal.name)
                kept += 1
        journal.offset, journal.seq = journal.size(), mark.seq
        where = "run `peerlit doctor` (with write access) to set it aside"
        self._report(journal.name, base, mark, damage, where, kept, newer)

    def _report(
        self,
        name: str,
        base: Snapshot,
        mark: JournalMark,
        damage: str,
        where: str,
        kept: int,
        newer: int,
    ) -> None:
        del base
        copied = (
            f"; {kept} newer change(s) found after it were kept"
            + (f", {newer - kept} that did not fit were left out" if newer > kept else "")
            if newer
            else ""
        )
        self._warn(
            f"{damage}. The annotations saved in {ANNOTATIONS_JSON} (up to change "
            f"{mark.seq} of {name}) were kept and the journal was not replayed over them; "
            f"{where}{copied}"
        )

    def _start_journal(self, journal: Journal, after_seq: int, aside: Path | None) -> None:
        """Write the header of a new journal continuing a checkpoint (soft on a full disk)."""
        if journal.size() > 0:
            return
        follows = self._continues.get(journal.name) or ("", after_seq)
        try:
            journal.start_fresh(
                after_seq,
                continues={"id": follows[0], "seq": follows[1]},
                replaces=aside.name if aside else "",
            )
        except NotSavedError as exc:
            # Nothing is lost: the checkpoint holds the state; the next save retries.
            journal.seq = after_seq
            self._warn(f"could not start a new {journal.name}: {exc}")

    def _ensure_header(self, journal: Journal) -> None:
        try:
            journal.ensure_header()
        except NotSavedError as exc:
            # A full disk: reads still work; the next save retries (and says why it fails).
            self._warn(f"could not start {journal.name}: {exc}")

    def _ensure_journal(self, journal: Journal) -> None:
        """Before a save, under its lock: the journal is still the one read, with its header."""
        if journal.replaced() or journal.size() < journal.offset:
            self._reload()
        if journal.size() == 0:
            if journal.name in self._continues:
                self._start_journal(journal, journal.seq, None)
            else:
                journal.ensure_header()

    def _reload(self) -> None:
        """Start again from disk: a journal was replaced, cut short or deleted underneath."""
        extra: dict[str, Path] = {}
        names = []
        for journal in self._jset:
            if not (journal.replaced() or journal.size() < journal.offset):
                continue
            names.append(journal.name)
            if not self.read_only and journal.deleted() and journal.size() > 0:
                extra[journal.name] = self._copy_out(journal)
            journal.reopen()
        if names:
            self._warn(
                f"{', '.join(names)} was replaced, cut short or deleted by another program "
                "while open; the annotations were read again from disk"
            )
        self._load(extra)

    def _copy_out(self, journal: Journal) -> Path:
        """Save a deleted journal's bytes (still readable through the open file) to a file."""
        target = journal.path.with_name(f"{journal.path.name}.damaged-{stamp()}")
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
        fsync_dir(journal.path.parent)
        return target
