"""All journal files of one library, as one store reads and writes them.

Every reviewer writes `annotations/<reviewer>.journal` under its own lock
(`annotations/<reviewer>.lock`); the library's first journal, `annotations.journal`
(lock `annotations.lock`), holds the changes made before reviewers had journals of
their own and those of a store that names no reviewer. A process reads every
journal and writes only the one of its reviewer, so two reviewers' saves never
wait for each other. It reads the others' complete lines without their locks (a
line is complete once its newline is there, see `journal`), and finds new journal
files by watching the folder's modification time: one `stat` per poll.

`JournalSet` opens the files as they are needed, keeps one `Fingerprinter` per
file for the checkpoints, and names them by their path inside the library
("annotations.journal", "annotations/alice.journal"): the names the checkpoint's
`meta.journals` uses and the tie-breaker of `annotation_clock` stamps.

`annotations.lock` is also the library's lock: checkpoint renames and the clean-up
of leftover temp files happen under it, as before reviewers had journals.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from peerlit_tui.storage.annotation_fingerprint import Fingerprinter
from peerlit_tui.storage.journal import Journal, Warn, fsync_dir
from peerlit_tui.storage.paths import (
    ANNOTATIONS_JOURNAL,
    JOURNAL_SUFFIX,
    JOURNALS_DIR,
    lock_of,
    reviewer_journal,
)


def journal_names(folder: Path) -> list[str]:
    """Names of the journal files of a library folder, `annotations.journal` first."""
    names = [ANNOTATIONS_JOURNAL] if (folder / ANNOTATIONS_JOURNAL).exists() else []
    where = folder / JOURNALS_DIR
    try:
        found = sorted(
            entry.name
            for entry in os.scandir(where)
            if entry.name.endswith(JOURNAL_SUFFIX) and not entry.name.startswith(".")
        )
    except OSError:  # no folder yet (a library with one journal)
        return names
    return names + [f"{JOURNALS_DIR}/{name}" for name in found]


class JournalSet:
    """The journals of a library folder.

    Args:
        folder: The library folder.
        read_only: Open every journal read-only, create nothing, take no locks.
        sync: fsync appends.
        warn: Receives messages about unreadable or torn lines.

    Attributes:
        thread_lock: The lock of this process's threads, shared by every journal
            (they feed one index).
        legacy: `annotations.journal`, whose lock is the library's lock.
    """

    def __init__(self, folder: Path, *, read_only: bool, sync: bool, warn: Warn) -> None:
        self.folder = folder
        self.read_only = read_only
        self.sync = sync
        self._warn = warn
        self.thread_lock = threading.RLock()
        self._journals: dict[str, Journal] = {}
        self._prints: dict[str, Fingerprinter] = {}
        self._seen_dir: int | None = -1
        self.legacy = self.open(ANNOTATIONS_JOURNAL)

    def open(self, name: str) -> Journal:
        """The journal of that name, opened now if need be (created when writable)."""
        found = self._journals.get(name)
        if found is not None:
            return found
        path = self.folder / name
        if not self.read_only and path.parent != self.folder and not path.parent.is_dir():
            path.parent.mkdir(exist_ok=True)
            fsync_dir(self.folder)
        journal = Journal(
            path,
            self.folder / lock_of(name),
            read_only=self.read_only,
            sync=self.sync,
            warn=self._warn,
            thread_lock=self.thread_lock,
            name=name,
        )
        self._journals[name] = journal
        self._prints[name] = Fingerprinter(journal)
        return journal

    def writer(self, reviewer: str) -> Journal:
        """The journal `reviewer`'s changes go to (`annotations.journal` for no reviewer)."""
        return self.open(reviewer_journal(reviewer) if reviewer else ANNOTATIONS_JOURNAL)

    def fingerprinter(self, name: str) -> Fingerprinter:
        """The fingerprinter of one journal (kept across checkpoints)."""
        return self._prints[name]

    def get(self, name: str) -> Journal | None:
        """The open journal of that name, if open."""
        return self._journals.get(name)

    def __iter__(self) -> Iterator[Journal]:
        return iter(list(self._journals.values()))

    def names(self) -> list[str]:
        """Names of the open journals."""
        return list(self._journals)

    def as_dict(self) -> dict[str, Journal]:
        """Name -> open journal."""
        return dict(self._journals)

    def discover(self) -> list[Journal]:
        """Open journal files that appeared since the last call; one `stat` when none did."""
        where = self.folder / JOURNALS_DIR
        try:
            mtime: int | None = where.stat().st_mtime_ns
        except OSError:
            mtime = None
        if mtime == self._seen_dir:
            return []
        # A folder's time has a coarse grain (a few ms): two files made within one
        # tick leave one time, so a time that recent is looked at again next poll.
        recent = mtime is not None and time.time_ns() - mtime < 2_000_000_000
        self._seen_dir = -1 if recent else mtime
        new = []
        for name in journal_names(self.folder):
            if name not in self._journals:
                new.append(self.open(name))
        return new

    def forget_folder(self) -> None:
        """Look at the journal folder again on the next `discover` (after a reload)."""
        self._seen_dir = -1

    def close(self) -> None:
        """Close every journal and lock file."""
        for journal in self._journals.values():
            journal.close()
