"""The change API of `AnnotationStore`: transactions, undo, redo and history.

`StoreTransactions` is the part of `AnnotationStore` that turns edits into journal
transactions. The save path picks up what other processes appended (their
journals' new lines, new journal files), takes the lock of this reviewer's journal
(only that one: other reviewers' saves go on meanwhile), catches up once more,
computes the changes against that fresh state, appends them to the journal and
applies them to the in-memory index. Undo and redo are transactions too (they
revert or re-apply an earlier one of this reviewer's); `history` reads a record's
changes back from every journal. `apply_remote` writes a transaction made on
another machine into its reviewer's journal. The state it uses is set up by
`AnnotationStore.__init__`.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from peerlit_tui.screening_decisions import validate_reviewer
from peerlit_tui.storage.annotation_clock import Stamp, entry_stamp, is_time, next_ts
from peerlit_tui.storage.annotation_conflicts import EditConflict
from peerlit_tui.storage.annotation_history import (
    EDIT,
    REDO,
    UNDO,
    Edit,
    HistoryItem,
    Transaction,
    UndoHistory,
    UndoPreview,
)
from peerlit_tui.storage.annotation_index import AnnotationIndex, normalise_value, to_jsonable
from peerlit_tui.storage.annotation_team import EARLIER, TEAM_FIELDS, team_key
from peerlit_tui.storage.journal import Journal, Located, new_id
from peerlit_tui.storage.journal_set import JournalSet
from peerlit_tui.storage.paths import ANNOTATIONS_JOURNAL, reviewer_journal


class StoreTransactions:
    """Transactions, undo, redo and per-record history of `AnnotationStore`.

    Not used on its own: `AnnotationStore` inherits it and sets the attributes
    declared here in its `__init__`.
    """

    _index: AnnotationIndex
    _jset: JournalSet
    _history: UndoHistory | None
    _history_names: tuple[str, ...]
    _last_ts: str
    _origins: set[str] | None
    origin: dict[str, Any]
    reviewer: str
    viewer: str | None

    if TYPE_CHECKING:  # defined by `AnnotationStore`, `StoreLoading` and `StoreCheckpoints`

        def _check_writable(self) -> None: ...
        def _catch_up(self, writer: Journal | None) -> bool: ...
        def _ensure_journal(self, journal: Journal) -> None: ...
        def _apply(self, item: Located, journal: Journal, stamp: Stamp, *, own: bool) -> None: ...
        def _saving(self) -> AbstractContextManager[None]: ...
        def _maybe_checkpoint(self) -> None: ...
        def refresh(self) -> bool:
            """Read other processes' new entries."""
            ...

    def transact(
        self, label: str, build: Callable[[AnnotationIndex], Iterable[Edit]]
    ) -> Transaction | None:
        """Apply a set of edits as one journal transaction (one undo step).

        `build` runs under the lock of this reviewer's journal, after the entries
        other processes appended have been read, and computes the edits from that
        fresh state.

        Args:
            label: What the action does, in words (shown by undo and history).
            build: Returns the edits to make, reading the index it is given.

        Returns:
            The transaction, or None when nothing would change (nothing is written).

        Raises:
            ValueError: From `build`, or when an edit's value does not fit its field.
            ReadOnlyStoreError: When the store is read-only.
            DiskFullError: When the disk is full; nothing is changed then.
            NotSavedError: When the journal cannot be written; nothing is changed then.
        """
        self._check_writable()
        with self._saving(), self._writing() as writer:
            return self._commit(writer, label, build(self._index), EDIT, None)

    def apply_remote(
        self, reviewer: str, ts: str, changes: Iterable[Edit], origin_id: str, label: str = ""
    ) -> Transaction | None:
        """Write a transaction made on another machine into `reviewer`'s journal.

        The entry keeps its time there (`ts`), so every machine orders it alike
        (`annotation_clock`): a newer change made here still wins over it. It
        carries `"origin": origin_id` and `"sync": true` in its `by`, so it is not
        exported again; a transaction whose origin this store has read before is
        skipped (applying the same remote transaction twice changes nothing).

        Args:
            reviewer: Whose transaction it is (the journal it goes to).
            ts: When it was made, ISO 8601 UTC ("2024-08-22T10:15:03.512Z").
            changes: The fields it set (old values are taken from this library).
            origin_id: Its id on the machine it came from.
            label: What it did, in words.

        Returns:
            The transaction written, or None when nothing changed or it was applied before.

        Raises:
            ValueError: For an invalid reviewer, time or change.
        """
        validate_reviewer(reviewer)
        if not is_time(ts):
            raise ValueError(f"invalid transaction time {ts!r}")
        if not origin_id:
            raise ValueError("a remote transaction needs its origin id")
        self._check_writable()
        who = self.reviewer
        with self._saving(), self._jset.thread_lock:
            self.reviewer = reviewer
            try:
                with self._writing() as writer:
                    if origin_id in self._index_origins():
                        return None
                    extra = {"origin": origin_id, "ts": ts, "by": {**self.origin, "sync": True}}
                    return self._commit(
                        writer, label or f"changes by {reviewer} from another machine",
                        list(changes), EDIT, None, extra,
                    )  # fmt: skip
            finally:
                self.reviewer = who

    def _index_origins(self) -> set[str]:
        # Built once from every journal's origins, then kept current by `_commit`.
        found = self._origins
        if found is None:
            found = set()
            for journal in self._jset:
                for item in journal.scan(0, journal.offset, needle=b'"origin"'):
                    origin = item.entry.get("origin")
                    if isinstance(origin, str):
                        found.add(origin)
            self._origins = found
        return found

    @contextmanager
    def _writing(self) -> Iterator[Journal]:
        """Hold this reviewer's journal lock, caught up with every journal."""
        # Replaced or new journals are dealt with before this journal's lock is
        # taken, so a save never waits for a second lock while holding one.
        self.refresh()
        writer = self._jset.writer(self.reviewer)
        with writer.locked():
            self._ensure_journal(writer)
            self._catch_up(writer)
            yield writer

    def undo(self, expected: str | None = None) -> Transaction | None:
        """Revert this reviewer's newest edit not yet undone; None when there is none.

        Args:
            expected: Transaction id the caller showed the user (from `peek_undo`);
                when the newest edit is another one by now, nothing is undone and
                `EditConflict` is raised.
        """
        return self._step(UNDO, expected)

    def redo(self, expected: str | None = None) -> Transaction | None:
        """Re-apply this reviewer's most recently undone edit; None when there is none."""
        return self._step(REDO, expected)

    def peek_undo(self, action: str = UNDO) -> UndoPreview | None:
        """What `undo()` (or, with action "redo", `redo()`) would act on, before doing it.

        Other processes' new entries are read first, so the answer is current.
        """
        self.refresh()
        with self._jset.thread_lock:
            history = self._ensure_history()
            stack = history.undo if action == UNDO else history.redo
            if not stack:
                return None
            entry = self._read_item(stack[-1])
        return UndoPreview.from_entry(entry, action, self.origin)

    def peek(self, action: str) -> str | None:
        """Label of what `undo()` (action "undo") or `redo()` would act on, if anything."""
        with self._jset.thread_lock:
            history = self._ensure_history()
            stack = history.undo if action == UNDO else history.redo
            if not stack:
                return None
            return str(self._read_item(stack[-1]).get("label", ""))

    def history(self, record_id: str) -> list[HistoryItem]:
        """Every change ever made to one record's annotation, in every journal, oldest first."""
        with self._jset.thread_lock:
            ends = [(j, j.offset) for j in self._jset]
        # Only the quoted id, so lines written with any JSON spacing are found; the
        # parsed changes are then matched exactly.
        needle = json.dumps(record_id, ensure_ascii=False).encode()
        # Each journal's lines in file order, merged by time (a journal's own order
        # is kept even where its times go back, as replay keeps it).
        per_journal = [
            [
                (entry_stamp(item.entry, journal.name), item.entry)
                for item in journal.scan(0, end, needle=needle)
            ]
            for journal, end in ends
        ]
        found = list(heapq.merge(*per_journal, key=lambda f: f[0]))
        undone: set[str] = set()
        for _, entry in found:
            action = entry.get("action")
            if action in (UNDO, REDO):
                target = str(entry.get("undoes" if action == UNDO else "redoes", ""))
                (undone.add if action == UNDO else undone.discard)(target)
        out: list[HistoryItem] = []
        for _, entry in found:
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

    def _own_journals(self) -> tuple[str, ...]:
        """The journals this reviewer's undo history is built from, oldest first."""
        writer = reviewer_journal(self.reviewer) if self.reviewer else ANNOTATIONS_JOURNAL
        if writer != ANNOTATIONS_JOURNAL and self.viewer == EARLIER:
            # The earlier reviewer's changes before they had a journal of their own.
            return (ANNOTATIONS_JOURNAL, writer)
        return (writer,)

    def _ensure_history(self) -> UndoHistory:
        # Built on first use by reading this reviewer's journals; kept current after.
        names = self._own_journals()
        if self._history is None or names != self._history_names:
            history = UndoHistory()
            for name in names:
                journal = self._jset.get(name)  # None: no save of this reviewer's yet
                if journal is None:
                    continue
                for line, start, end in journal.lines(0, journal.offset):
                    history.feed_line(line, start, end, name)
            self._history, self._history_names = history, names
        return self._history

    def _read_item(self, item: tuple[str, str, int, int]) -> dict[str, Any]:
        _, name, start, end = item
        return self._jset.open(name).read_entry(start, end)

    def _step(self, action: str, expected: str | None) -> Transaction | None:
        self._check_writable()
        with self._saving(), self._writing() as writer:
            history = self._ensure_history()
            stack = history.undo if action == UNDO else history.redo
            if not stack:
                if expected is not None:
                    raise EditConflict(f"nothing to {action} any more; nothing was changed")
                return None
            txn = stack[-1][0]
            if expected is not None and txn != expected:
                raise EditConflict(
                    f"the change to {action} is no longer the one shown (another window "
                    "changed the library meanwhile); nothing was changed"
                )
            target = self._read_item(stack[-1])
            changes = [c for c in target.get("changes") or [] if isinstance(c, dict)]
            if action == UNDO:
                edits = [
                    Edit(c.get("id"), str(c.get("field")), c.get("old"), c.get("reviewer"))
                    for c in changes[::-1]
                ]
            else:
                edits = [
                    Edit(c.get("id"), str(c.get("field")), c.get("new"), c.get("reviewer"))
                    for c in changes
                ]
            label = f"{action}: {target.get('label', '')}"
            return self._commit(writer, label, edits, action, txn)

    def _commit(
        self,
        writer: Journal,
        label: str,
        edits: Iterable[Edit],
        action: str,
        target: str | None,
        extra: dict[str, Any] | None = None,
    ) -> Transaction | None:
        changes: list[dict[str, Any]] = []
        overlay: dict[tuple[str | None, str, str | None], Any] = {}
        for edit in edits:
            new = normalise_value(edit.field, edit.new)
            # Decisions and reasons are per reviewer ("" the earlier reviewer).
            who = team_key(edit.reviewer) if edit.field in TEAM_FIELDS else None
            key = (edit.record_id, edit.field, who)
            old = overlay[key] if key in overlay else self._index.current(*key)
            if old == new:
                continue
            overlay[key] = new
            change = {"id": edit.record_id, "field": edit.field}
            if who:
                change["reviewer"] = who
            change.update(old=to_jsonable(old), new=to_jsonable(new))
            changes.append(change)
        if not changes and action == EDIT:
            return None
        extra = extra or {}
        # Later than every entry read, so it wins over the changes it was made on.
        ts = extra.get("ts") or next_ts(self._last_ts)
        # Key order matters: `UndoHistory.feed_line` reads the fields up to the
        # target without parsing the whole line.
        entry: dict[str, Any] = {"seq": 0, "txn": new_id(), "ts": ts, "action": action}
        if target is not None:
            entry["undoes" if action == UNDO else "redoes"] = target
        entry["label"] = label
        entry["by"] = extra.get("by") or self.origin
        if "origin" in extra:
            entry["origin"] = extra["origin"]
            self._index_origins().add(extra["origin"])
        if self.reviewer:
            entry["reviewer"] = self.reviewer
        entry["changes"] = changes
        item = writer.append(entry)
        stamp = entry_stamp(entry, writer.name, writer.last_ts)
        if "origin" not in entry:
            writer.last_ts = stamp[0]
        self._apply(item, writer, stamp, own=True)
        self._maybe_checkpoint()
        return Transaction.from_entry(entry)
