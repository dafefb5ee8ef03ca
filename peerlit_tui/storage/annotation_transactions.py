"""The change API of `AnnotationStore`: transactions, undo, redo and history.

`StoreTransactions` is the part of `AnnotationStore` that turns edits into journal
transactions. The save path takes the lock, catches up with entries other writers
appended, computes the changes against that fresh state, appends them to the
journal and applies them to the in-memory index. Undo and redo are transactions
too (they revert or re-apply an earlier one); `history` reads a record's changes
back from the journal. The state it uses is set up by `AnnotationStore.__init__`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

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
from peerlit_tui.storage.annotation_team import TEAM_FIELDS, team_key
from peerlit_tui.storage.journal import Journal, Located, new_id, utc_now


class StoreTransactions:
    """Transactions, undo, redo and per-record history of `AnnotationStore`.

    Not used on its own: `AnnotationStore` inherits it and sets the attributes
    declared here in its `__init__`.
    """

    _index: AnnotationIndex
    _journal: Journal
    _history: UndoHistory | None
    origin: dict[str, Any]
    reviewer: str

    if TYPE_CHECKING:  # defined by `AnnotationStore`, `StoreLoading` and `StoreCheckpoints`

        def _check_writable(self) -> None: ...
        def _catch_up(self, *, repair: bool) -> bool: ...
        def _ensure_journal(self) -> None: ...
        def _apply(self, item: Located, *, own: bool) -> None: ...
        def _saving(self) -> AbstractContextManager[None]: ...
        def _maybe_checkpoint(self) -> None: ...

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
            DiskFullError: When the disk is full; nothing is changed then.
            NotSavedError: When the journal cannot be written; nothing is changed then.
        """
        self._check_writable()
        with self._saving(), self._journal.locked():
            self._ensure_journal()
            self._catch_up(repair=True)
            return self._commit(label, build(self._index), EDIT, None)

    def undo(self, expected: str | None = None) -> Transaction | None:
        """Revert the newest edit not yet undone; None when there is none.

        Args:
            expected: Transaction id the caller showed the user (from `peek_undo`);
                when the newest edit is another one by now, nothing is undone and
                `EditConflict` is raised.
        """
        return self._step(UNDO, expected)

    def redo(self, expected: str | None = None) -> Transaction | None:
        """Re-apply the most recently undone edit; None when there is none."""
        return self._step(REDO, expected)

    def peek_undo(self, action: str = UNDO) -> UndoPreview | None:
        """What `undo()` (or, with action "redo", `redo()`) would act on, before doing it.

        Other processes' new entries are read first, so the answer is current.
        """
        with self._journal.locked():
            if not self._journal.read_only:
                self._ensure_journal()
            self._catch_up(repair=False)
            history = self._ensure_history()
            stack = history.undo if action == UNDO else history.redo
            if not stack:
                return None
            _, start, end = stack[-1]
            entry = self._journal.read_entry(start, end)
        return UndoPreview.from_entry(entry, action, self.origin)

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
        # Only the quoted id, so lines written with any JSON spacing are found; the
        # parsed changes are then matched exactly.
        needle = json.dumps(record_id, ensure_ascii=False).encode()
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

    def _ensure_history(self) -> UndoHistory:
        # Built on first use by reading the whole journal; kept current afterwards.
        if self._history is None:
            history = UndoHistory()
            for line, start, end in self._journal.lines(0, self._journal.offset):
                history.feed_line(line, start, end)
            self._history = history
        return self._history

    def _step(self, action: str, expected: str | None) -> Transaction | None:
        self._check_writable()
        with self._saving(), self._journal.locked():
            self._ensure_journal()
            self._catch_up(repair=True)
            history = self._ensure_history()
            stack = history.undo if action == UNDO else history.redo
            if not stack:
                if expected is not None:
                    raise EditConflict(f"nothing to {action} any more; nothing was changed")
                return None
            txn, start, end = stack[-1]
            if expected is not None and txn != expected:
                raise EditConflict(
                    f"the change to {action} is no longer the one shown (another window "
                    "changed the library meanwhile); nothing was changed"
                )
            target = self._journal.read_entry(start, end)
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
            return self._commit(label, edits, action, txn)

    def _commit(
        self, label: str, edits: Iterable[Edit], action: str, target: str | None
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
        # Key order matters: `UndoHistory.feed_line` reads the fields up to the
        # target without parsing the whole line.
        entry: dict[str, Any] = {"seq": 0, "txn": new_id(), "ts": utc_now(), "action": action}
        if target is not None:
            entry["undoes" if action == UNDO else "redoes"] = target
        entry["label"] = label
        entry["by"] = self.origin
        if self.reviewer:
            entry["reviewer"] = self.reviewer
        entry["changes"] = changes
        self._apply(self._journal.append(entry), own=True)
        self._maybe_checkpoint()
        return Transaction.from_entry(entry)
