"""`PartialStore`: the annotations store holding only the records a command names.

A command that shows, decides or tags one record opens the store this way instead
of loading every annotation. The state comes from the lookup table
(`annotation_lookup`) plus every journal's entries after the table's marks, read
and applied exactly as a full store reads them (the same journals, locks, stamps,
merge of concurrent tag changes, and per-reviewer decisions): before each catch-up
applies its entries, the rows of the records they name are loaded, so every
record in the partial index has the state a full open would give it. A record no
journal entry names since the table was written is loaded on first `get`.

Library-wide values come from the table's meta and stay right as entries are
applied: the exclusion reasons, how many records each reviewer screened (which
reviewers are assigned, whether blind mode is on) and tag spellings.

Writes are the store's: `transact` appends one journal line, fsynced, under this
reviewer's journal lock, after catching up with every journal. A partial store
never writes a checkpoint (it does not hold every annotation); the journals hold
its changes, and the next full store checkpoints them.

`PartialStore.open_records` raises `LookupUnavailable` whenever the table cannot
answer: missing, unreadable, another format, written beside another checkpoint,
a journal no longer holding the bytes its mark describes, or too many entries
since (`TAIL_LIMIT`). A journal replaced while open raises it too, before
anything is written. The caller then opens the whole store, which also repairs
what needs repairing and writes a fresh table (`save_lookup`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from peerlit_tui.annotation import Annotation
from peerlit_tui.storage.annotation_clock import is_time
from peerlit_tui.storage.annotation_errors import READ_ONLY_ERRNOS
from peerlit_tui.storage.annotation_fingerprint import JournalMark
from peerlit_tui.storage.annotation_history import Edit, Transaction
from peerlit_tui.storage.annotation_index import AnnotationIndex
from peerlit_tui.storage.annotation_lookup import (
    LookupTable,
    copy_index,
    file_stamp,
    index_rows,
    load_rows,
    meta_of,
    read_lookup,
    write_lookup,
)
from peerlit_tui.storage.annotation_recovery import journal_position
from peerlit_tui.storage.annotation_store import AnnotationStore
from peerlit_tui.storage.journal import Journal, Located
from peerlit_tui.storage.journal_set import journal_names
from peerlit_tui.storage.paths import ANNOTATIONS_JSON, reviewer_journal

#: The table answers with at most this many journal entries after its marks (the
#: command line checkpoints at 100 entries waiting, which writes a new table) ...
TAIL_LIMIT = 200
#: ... naming at most this many records (a bulk change is cheaper loaded whole).
IDS_LIMIT = 5000


class LookupUnavailable(Exception):
    """The lookup table cannot answer for this library now: open the whole store."""


def _ids_of(items: Iterable[Located]) -> set[str]:
    ids: set[str] = set()
    for item in items:
        changes = item.entry.get("changes")
        if isinstance(changes, list):
            ids.update(
                c["id"] for c in changes if isinstance(c, dict) and isinstance(c.get("id"), str)
            )
    return ids


class PartialIndex(AnnotationIndex):
    """An index holding some records; notes when a change reached every record.

    When the set of assigned reviewers changes (a reviewer's first decision, or
    their last withdrawn), every record's final decision is derived again; the
    table's rows of the records not loaded no longer say what a full open gives.
    """

    def __init__(self) -> None:
        super().__init__()
        self.reassigned = False

    def _joined(self, reviewer: str, stamp: str) -> None:
        self.reassigned = True
        super()._joined(reviewer, stamp)

    def _refinalise(self, stamp: str) -> None:
        self.reassigned = True
        super()._refinalise(stamp)


class PartialStore(AnnotationStore):
    """The annotations of the records a command names; see the module docstring."""

    _index: PartialIndex
    _table: LookupTable
    _loaded: set[str]
    _opening: bool

    @classmethod
    def open_records(
        cls,
        folder: Path,
        ids: Iterable[str],
        *,
        read_only: bool = False,
        sync: bool = True,
        reviewer: str = "",
    ) -> PartialStore:
        """Open the store for the records `ids` (others load when first asked for).

        Raises:
            LookupUnavailable: When the lookup table cannot answer (see the module).
            OSError: When the folder or its files cannot be opened.
        """
        folder = Path(folder)
        table = read_lookup(folder)
        if table is None:
            raise LookupUnavailable("no usable lookup table")
        if table.meta.checkpoint != file_stamp(folder / ANNOTATIONS_JSON):
            table.close()
            raise LookupUnavailable("the lookup table was written beside another checkpoint")
        try:
            store = cls(
                folder,
                read_only=read_only,
                checkpoint_every=1 << 30,
                keep_backups=0,
                backup_interval=0.0,
                sync=sync,
            )
        except OSError as exc:
            table.close()
            if exc.errno in READ_ONLY_ERRNOS:  # the full open says why nothing can be saved
                raise LookupUnavailable("the library cannot be written") from exc
            raise
        except BaseException:
            table.close()
            raise
        store.reviewer = reviewer
        store._table, store._loaded, store._opening = table, set(), False
        try:
            store._load()
            store.load_records(ids)
        except BaseException:
            store._jset.close()
            table.close()
            raise
        return store

    # -- loading -------------------------------------------------------------------

    def _load_state(self, extra: dict[str, Path]) -> None:
        if extra:
            raise LookupUnavailable("a journal was replaced while open")
        meta, jset = self._table.meta, self._jset
        jset.forget_folder()
        jset.discover()
        names = journal_names(self.folder)
        if any(name not in names for name in meta.marks):
            raise LookupUnavailable("a journal the lookup table read is gone")
        index = PartialIndex()
        index.reasons, index.reasons_stamp = meta.reasons, meta.reasons_stamp
        index.team.counts.update(meta.counts)
        index.spellings().update({key: dict(n) for key, n in meta.spellings.items()})
        self._index, self._loaded = index, set()
        self._history = None
        self._applied = 0
        self._log.start(0)
        for name in names:
            self._position(jset.open(name), meta.marks.get(name))
        # A new entry's time is later than every entry the table's state includes
        # (a full open knows at least the entries after the checkpoint; see `next_ts`).
        times = [m.last_ts for m in meta.marks.values() if is_time(m.last_ts)]
        self._last_ts = max(times, default="")
        self._opening = True
        try:
            if self.read_only:
                self._catch_up(None)
            else:
                # As a full open: this store's own journal is read under its lock,
                # so a torn tail a killed writer left there is cut now (and, as
                # there, a journal is made at its first save, not here).
                mine = jset.get(reviewer_journal(self.reviewer)) if self.reviewer else None
                writer = mine or jset.legacy
                with writer.locked(), jset.legacy.locked():
                    self._ensure_header(jset.legacy)
                    self._catch_up(writer)
        finally:
            self._opening = False
        self._ckpt_seq = 0

    def _position(self, journal: Journal, mark: JournalMark | None) -> None:
        """Read a journal from the table's mark, once sure it still holds those bytes."""
        if mark is None or (mark.offset == 0 and mark.seq == 0):
            journal.offset = journal.seq = 0
            journal.last_ts = ""
            return
        if journal.replaced():
            raise LookupUnavailable(f"{journal.name} was replaced")
        start, damage = journal_position(journal, mark)
        if damage is not None or start != mark.offset:
            raise LookupUnavailable(f"{journal.name} does not continue the lookup table")
        journal.offset, journal.seq, journal.last_ts = mark.offset, mark.seq, mark.last_ts
        journal.journal_id = mark.journal_id

    def _catch_up(self, writer: Journal | None) -> bool:
        # Other processes' entries only (this store's own go through `_commit`), so
        # refusing here is always before this store wrote anything.
        changed = super()._catch_up(writer)
        if self._index.reassigned:
            raise LookupUnavailable("the assigned reviewers changed since the lookup table")
        return changed

    def _before_apply(self, items: list[Located]) -> None:
        ids = _ids_of(items)
        if self._opening and (len(items) > TAIL_LIMIT or len(ids) > IDS_LIMIT):
            raise LookupUnavailable(f"{len(items)} journal entries since the lookup table")
        self.load_records(ids)

    def load_records(self, ids: Iterable[str]) -> None:
        """Load records' states from the table (those not loaded yet)."""
        with self._jset.thread_lock:
            missing = set(ids) - self._loaded
            if not missing:
                return
            if self._index.reassigned:  # after this store's own change reassigned them
                raise LookupUnavailable("the assigned reviewers changed since the lookup table")
            try:
                load_rows(self._index, self._table.rows(missing))
            except ValueError as exc:
                raise LookupUnavailable(str(exc)) from exc
            self._loaded |= missing

    def _reload(self) -> None:
        raise LookupUnavailable("a journal was replaced, cut short or deleted while open")

    # -- reading and writing -------------------------------------------------------

    def get(self, record_id: str) -> Annotation | None:
        """The record's annotation (loaded from the table on first use)."""
        self.load_records((record_id,))
        return super().get(record_id)

    def transact(
        self, label: str, build: Callable[[AnnotationIndex], Iterable[Edit]]
    ) -> Transaction | None:
        """As `AnnotationStore.transact`; records the edits name are loaded first."""

        def loaded(index: AnnotationIndex) -> list[Edit]:
            while True:
                edits = list(build(index))
                named = {e.record_id for e in edits if e.record_id is not None}
                if named <= self._loaded:
                    return edits
                self.load_records(named)  # then compute again, on their real state

        return super().transact(label, loaded)

    def undo(self, expected: str | None = None) -> Transaction | None:
        """Not offered here: an undo may touch any record."""
        raise LookupUnavailable("undo needs the whole store")

    def redo(self, expected: str | None = None) -> Transaction | None:
        """Not offered here: a redo may touch any record."""
        raise LookupUnavailable("redo needs the whole store")

    def annotations(self) -> list[Annotation]:
        """Not offered here: it needs every annotation."""
        raise LookupUnavailable("listing every annotation needs the whole store")

    def tag_counts(self) -> list[tuple[str, int]]:
        """Not offered here: it needs every annotation."""
        raise LookupUnavailable("tag counts need the whole store")

    def __len__(self) -> int:
        raise LookupUnavailable("counting annotations needs the whole store")

    # -- never a checkpoint ----------------------------------------------------------

    def pending(self) -> int:
        """Journal entries not in the checkpoint (this store never writes one: see `total`)."""
        return self._table.meta.pending + self._applied

    @property
    def total(self) -> int:
        """How many annotations the library held when the table was written.

        With `pending`, what the command line needs to decide on a checkpoint at
        exit, which a full store then writes.
        """
        return self._table.meta.annotations

    def idle(self) -> bool:
        """Never checkpoints."""
        return False

    def _maybe_checkpoint(self) -> None:
        pass

    def _write_checkpoint(self) -> None:
        raise RuntimeError("a partial store does not hold every annotation")

    def close(self, *, checkpoint: bool = True) -> None:
        """Close the journals and the table (no checkpoint, whatever `checkpoint` says)."""
        del checkpoint
        try:
            super().close(checkpoint=False)
        finally:
            self._table.close()


def lookup_current(store: AnnotationStore) -> bool:
    """Whether the library's lookup table is usable beside the current checkpoint."""
    table = read_lookup(store.folder)
    if table is None:
        return False
    try:
        return table.meta.checkpoint == file_stamp(store.folder / ANNOTATIONS_JSON)
    finally:
        table.close()


def save_lookup(store: AnnotationStore, *, sync: bool = True) -> None:
    """Write a full store's index to the lookup table, stamped with where it read to.

    Raises:
        OSError: When the table cannot be written.
    """
    if isinstance(store, PartialStore) or store.read_only:
        return
    with store.index_lock:
        read = [(j, j.journal_id, j.offset, j.seq, j.last_ts) for j in store.journals().values()]
        index = copy_index(store.index)
    marks = {}
    for journal, journal_id, offset, seq, last_ts in read:
        if offset == 0 and seq == 0:
            continue
        head = journal.header()
        # The id from the header (a store started at a checkpoint's mark never read it).
        found = str(head["journal"]) if head else journal_id
        marks[journal.name] = store._jset.fingerprinter(journal.name).mark(
            found, offset, seq, last_ts
        )
    checkpoint = file_stamp(store.folder / ANNOTATIONS_JSON)
    meta = meta_of(index, checkpoint, marks, max(0, store.pending()))
    write_lookup(store.folder, index_rows(index), meta, sync=sync)
