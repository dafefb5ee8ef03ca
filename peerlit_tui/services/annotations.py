"""Annotation use cases shared by the command line and the TUI.

`AnnotationService` validates what the user asked for and hands the edits to the
store as one transaction: one undo step however many records it touches. Callers
check record ids against the library first. Tags match case- and
accent-insensitively and a record never holds two spellings of one tag (adding a
tag adopts the library's spelling; `rename_tag` changes it).

Undo and redo act on this reviewer's own history (`storage.annotation_history`, read
from the reviewer's journal): `undo()` reverts their newest change not yet undone,
perhaps another window's of theirs; `peek_undo()` says whose, and
`undo(expected=txn)` reverts only that one.
Decisions and reasons are per reviewer (`services.reviewers`, `services.team`).

Stale views: the setters of notes, ratings, read status and decisions take
`expected=` (what the user saw; `storage.annotation_conflicts`); tag edits merge
with other processes' on the fresh state. `changed_since(token)` tells a polling
app which records other processes changed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peerlit_tui.annotation import (
    EXCLUDE,
    Annotation,
    tag_key,
    validate_decision,
    validate_note,
    validate_rating,
    validate_read_status,
    validate_reason,
    validate_record_id,
)
from peerlit_tui.services.annotation_args import Ids, _ids, _quote, _tags, _where
from peerlit_tui.services.annotation_vocabulary import VocabularyEdits
from peerlit_tui.services.reviewers import current_reviewer, identify

# From the parts, not `storage.annotations`: its TinyDB layer loads only when a
# checkpoint is read or written, which a one-record command never does.
from peerlit_tui.storage.annotation_changes import ChangeSet, ChangeToken
from peerlit_tui.storage.annotation_conflicts import Conflict, EditConflict, guarded, outcome
from peerlit_tui.storage.annotation_edits import decision_edits, validate_decided
from peerlit_tui.storage.annotation_errors import DiskFullError, NotSavedError
from peerlit_tui.storage.annotation_history import Edit, HistoryItem, Transaction, UndoPreview
from peerlit_tui.storage.annotation_index import AnnotationIndex
from peerlit_tui.storage.annotation_store import AnnotationStore, ReadOnlyStoreError
from peerlit_tui.storage.journal import utc_now

if TYPE_CHECKING:  # the doctor is loaded by `peerlit doctor` only
    from peerlit_tui.storage.annotation_doctor import DoctorReport
    from peerlit_tui.storage.annotation_partial import LookupUnavailable

__all__ = [
    "AnnotationService",
    "ChangeSet",
    "ChangeToken",
    "Conflict",
    "DiskFullError",
    "DoctorReport",
    "EditConflict",
    "HistoryItem",
    "LookupUnavailable",
    "NotSavedError",
    "ReadOnlyStoreError",
    "Transaction",
    "UndoPreview",
]


def __getattr__(name: str) -> Any:
    """`DoctorReport`, still importable from here, loaded on first use."""
    if name == "DoctorReport":
        from peerlit_tui.storage.annotation_doctor import DoctorReport

        return DoctorReport
    if name == "LookupUnavailable":
        from peerlit_tui.storage.annotation_partial import LookupUnavailable

        return LookupUnavailable
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class AnnotationService(VocabularyEdits):
    """Tags, notes, ratings, read status and decisions of one library.

    Args:
        store: The open store (use `AnnotationService.open`).
        reviewer: Who makes the changes (None: see `services.reviewers`). Decisions
            and reasons are this reviewer's own; `get` gives final decisions.
    """

    def __init__(self, store: AnnotationStore, reviewer: str | None = None) -> None:
        self.store = store
        self.reviewer, self.earlier_reviewer = identify(store, reviewer)
        # The key of this reviewer's decisions in the store ("": the earlier reviewer).
        self.reviewer_key = "" if self.reviewer == self.earlier_reviewer else self.reviewer

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
        reviewer: str | None = None,
    ) -> AnnotationService:
        """Open the annotations of a library folder.

        Args:
            folder: The library folder (created unless `read_only`).
            read_only: Open without locking or changing anything; edits raise
                `ReadOnlyStoreError`.
            checkpoint_every: Journal entries between background checkpoints.
            keep_backups: Checkpoint copies kept in `backups/`.
            backup_interval: Minimum seconds between two checkpoint copies.
            sync: fsync every save; only tests and benchmarks turn it off.
            reviewer: Who makes the changes (None: `current_reviewer()`).

        Raises:
            OSError: When the files cannot be opened.
        """
        return cls(
            AnnotationStore.open(
                Path(folder),
                read_only=read_only,
                checkpoint_every=checkpoint_every,
                keep_backups=keep_backups,
                backup_interval=backup_interval,
                sync=sync,
                reviewer=current_reviewer(reviewer),
            ),
            reviewer,
        )

    @classmethod
    def open_records(
        cls,
        folder: Path,
        ids: Iterable[str],
        *,
        read_only: bool = False,
        sync: bool = True,
        reviewer: str | None = None,
    ) -> AnnotationService:
        """Open only what reading or changing the records `ids` needs (`PartialStore`).

        The service answers for those records exactly as a full one; what needs
        every annotation (counts, listings, tag renames, undo) raises `LookupUnavailable`.

        Raises:
            LookupUnavailable: When the lookup table cannot answer: use `open`.
            OSError: When the files cannot be opened.
        """
        from peerlit_tui.storage.annotation_partial import PartialStore

        store = PartialStore.open_records(
            Path(folder), ids, read_only=read_only, sync=sync, reviewer=current_reviewer(reviewer)
        )
        try:
            return cls(store, reviewer)
        except BaseException:
            store.close()
            raise

    def save_lookup(self, *, always: bool = False) -> None:
        """Write the lookup table for quick one-record opens when it is missing or stale.

        Args:
            always: Also when it is current (it could not answer a quick open).

        Raises:
            OSError: When it cannot be written.
        """
        from peerlit_tui.storage.annotation_partial import lookup_current, save_lookup

        if not self.read_only and (always or not lookup_current(self.store)):
            save_lookup(self.store)

    def close(self, *, checkpoint: bool = True) -> None:
        """Checkpoint (unless `checkpoint` is False) and close; safe to call twice."""
        self.store.close(checkpoint=checkpoint)

    def __enter__(self) -> AnnotationService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def warnings(self) -> list[str]:
        """Problems met while reading the store (torn journal line, unreadable checkpoint, ...)."""
        return self.store.warnings

    @property
    def read_only(self) -> bool:
        """True when opened read-only, or the library cannot be written."""
        return self.store.read_only

    @property
    def read_only_reason(self) -> str:
        """Why changes are refused ("the library is read-only: ..."); "" when writable."""
        return self.store.read_only_reason

    # -- reading -----------------------------------------------------------------

    def get(self, record_id: str) -> Annotation:
        """The annotation of a record; a blank one when nothing is recorded."""
        return self.store.get(record_id) or Annotation(record_id)

    def to_json(self, record_id: str) -> dict[str, Any]:
        """The record's annotation as JSON (the "annotations" key of `peerlit show --json`)."""
        return self.get(record_id).to_json()

    def all(self) -> list[Annotation]:
        """Every non-blank annotation."""
        return self.store.annotations()

    def __len__(self) -> int:
        return len(self.store)

    def ids_with_tag(self, tag: str) -> frozenset[str]:
        """Ids of the records holding `tag` (any spelling)."""
        return self.store.index.ids_with_tag(tag)

    def tag_counts(self) -> list[tuple[str, int]]:
        """(display spelling, number of records) per tag, sorted by name."""
        return self.store.tag_counts()

    def reasons(self) -> list[str]:
        """The project's exclusion reasons, in order."""
        return list(self.store.index.reasons)

    def history(self, record_id: str) -> list[HistoryItem]:
        """Every change to one record's annotation, oldest first, with undone ones flagged."""
        return self.store.history(validate_record_id(record_id))

    def undo_label(self) -> str | None:
        """What `undo()` would revert, in words; None when there is nothing to undo."""
        return self.store.peek("undo")

    def redo_label(self) -> str | None:
        """What `redo()` would re-apply, in words; None when there is nothing to redo."""
        return self.store.peek("redo")

    def peek_undo(self) -> UndoPreview | None:
        """What `undo()` would revert and whether this window made it; None when nothing."""
        return self.store.peek_undo("undo")

    def peek_redo(self) -> UndoPreview | None:
        """What `redo()` would re-apply and whether this window undid it; None when nothing."""
        return self.store.peek_undo("redo")

    def decision_counts(self) -> dict[str, int]:
        """Records per decision, O(1); "undecided" counts only annotated records."""
        with self.store.index_lock:
            return self.store.index.decision_counts()

    def decided_ids(self, decision: str) -> frozenset[str]:
        """Ids of the records with this decision (not "undecided"), O(result)."""
        with self.store.index_lock:
            return frozenset(self.store.index.decided[validate_decided(decision)])

    def decision_progress(self, subset: Collection[str] | None = None) -> dict[str, int]:
        """Records per decision within `subset`, O(min(subset, decided)); None: all annotated."""
        with self.store.index_lock:
            index = self.store.index
            return index.decision_counts() if subset is None else index.decision_progress(subset)

    # -- editing: every call is one transaction ------------------------------------

    def add_tags(self, ids: Ids, tags: str | Iterable[str]) -> Transaction | None:
        """Add tags to records; a tag a record already holds (any spelling) is skipped.

        Returns:
            The transaction, or None when every record already held every tag.

        Raises:
            ValueError: For an empty or invalid tag or record id.
        """
        targets, wanted = _ids(ids), _tags(tags)

        def build(index: AnnotationIndex) -> Iterator[Edit]:
            for rid in targets:
                current = index.current(rid, "tags")
                keys = {index.key(t) for t in current}
                new = list(current)
                for tag in wanted:
                    key = index.key(tag)
                    if key not in keys:
                        keys.add(key)
                        new.append(index.display(key) or tag)
                yield Edit(rid, "tags", tuple(new))

        return self.store.transact(f"tag {_quote(wanted)} on {_where(targets)}", build)

    def remove_tags(self, ids: Ids, tags: str | Iterable[str]) -> Transaction | None:
        """Remove tags (any spelling) from records.

        Returns:
            The transaction, or None when no record held any of the tags.
        """
        targets, unwanted = _ids(ids), _tags(tags)
        keys = {tag_key(t) for t in unwanted}

        def build(index: AnnotationIndex) -> Iterator[Edit]:
            for rid in targets:
                current = index.current(rid, "tags")
                yield Edit(rid, "tags", tuple(t for t in current if index.key(t) not in keys))

        return self.store.transact(f"untag {_quote(unwanted)} on {_where(targets)}", build)

    def set_note(self, ids: Ids, text: str, *, expected: Any = None) -> Transaction | None:
        """Replace the note of records; an empty text clears it.

        Args:
            ids: Record ids.
            text: The new note.
            expected: The note the user saw (one text, or a mapping id -> text);
                None skips the check. When the note changed meanwhile, the newer
                note is kept and `text` is appended below a "— conflicting edit
                (saved <time>) —" line; the transaction's `conflicts` say so.

        Raises:
            EditConflict: When nothing was saved because of conflicts (clearing a
                note that changed meanwhile keeps the newer note).
        """
        targets, note = _ids(ids), validate_note(text)
        label = f"{'note' if note else 'clear note'} on {_where(targets)}"
        return self._set(label, targets, "note", note, expected)

    def set_rating(
        self, ids: Ids, rating: int | str, *, expected: Any = None
    ) -> Transaction | None:
        """Set the rating (0 = not rated, up to 5).

        `expected`: the rating the user saw (or a mapping id -> rating); a record
        whose rating changed meanwhile keeps the newer one. Raises `EditConflict`
        when every record's rating had changed meanwhile.
        """
        targets, value = _ids(ids), validate_rating(rating)
        return self._set(f"rate {_where(targets)} {value}", targets, "rating", value, expected)

    def set_read(self, ids: Ids, status: str, *, expected: Any = None) -> Transaction | None:
        """Set the read status: "unread", "skimmed" or "read" (`expected` as in `set_rating`)."""
        targets, value = _ids(ids), validate_read_status(status)
        return self._set(f"mark {_where(targets)} {value}", targets, "read", value, expected)

    def _set(
        self, label: str, targets: list[str], field: str, value: Any, expected: Any
    ) -> Transaction | None:
        conflicts: list[Conflict] = []

        def build(index: AnnotationIndex) -> list[Edit]:
            conflicts.clear()
            now = utc_now()
            edits = (guarded(index, r, field, value, expected, conflicts, now) for r in targets)
            return [e for e in edits if e is not None]

        return outcome(self.store.transact(label, build), conflicts)

    def set_decision(
        self,
        ids: Ids,
        decision: str,
        reason: str | None = None,
        *,
        add_reason: bool = False,
        expected: Any = None,
    ) -> Transaction | None:
        """Set the screening decision of records.

        Args:
            ids: Record ids.
            decision: "undecided", "include", "exclude" or "maybe".
            reason: For "exclude" only: one of `reasons()` (case-insensitive), "" to
                clear it, or None to keep the record's current reason. Any other
                decision clears the reason.
            add_reason: Add `reason` to the project's list when it is new (in the
                same transaction, so one undo removes both).
            expected: The decision the user saw (or a mapping id -> decision); a
                record decided differently meanwhile keeps the newer decision.

        Raises:
            EditConflict: When every record's decision had changed meanwhile.
            ValueError: For an unknown decision, a reason with a decision other than
                "exclude", or a reason not in the list without `add_reason`.
        """
        targets, value = _ids(ids), validate_decision(decision)
        wanted = reason
        if reason:
            if value != EXCLUDE:
                raise ValueError(
                    f"an exclusion reason only goes with the decision 'exclude', not {value!r}"
                )
            wanted = validate_reason(reason)

        conflicts: list[Conflict] = []

        def build(index: AnnotationIndex) -> list[Edit]:
            conflicts.clear()
            return decision_edits(
                index,
                targets,
                value,
                wanted,
                add_reason=add_reason,
                expected=expected,
                conflicts=conflicts,
                reviewer=self.reviewer_key,
            )

        suffix = f" ({wanted})" if wanted else ""
        label = f"decide {value}{suffix} for {_where(targets)}"
        return outcome(self.store.transact(label, build), conflicts)

    def undo(self, *, expected: str | None = None) -> Transaction | None:
        """Revert the newest change not yet undone (a whole bulk action at once).

        Args:
            expected: The `txn` of the `peek_undo()` preview the user confirmed;
                when another change came first meanwhile, nothing is undone.

        Raises:
            EditConflict: When `expected` is no longer the change to undo.
        """
        return self.store.undo(expected)

    def redo(self, *, expected: str | None = None) -> Transaction | None:
        """Re-apply the most recently undone change (`expected` as in `undo`)."""
        return self.store.redo(expected)

    def idle(self) -> bool:
        """Call when the user is idle: starts a background checkpoint if one is due."""
        return self.store.idle()

    def refresh(self) -> bool:
        """Pick up changes other processes made; True when something changed."""
        return self.store.refresh()

    def change_token(self) -> ChangeToken:
        """The current moment, for `changed_since`."""
        return self.store.change_token()

    def changed_since(self, token: ChangeToken) -> ChangeSet:
        """Pick up other processes' changes and say which records changed after `token`.

        One `stat` and one `fstat` when nothing changed, so an app can call it every
        second. `ChangeSet.complete` False means: refresh every record shown.
        """
        return self.store.changed_since(token)

    @staticmethod
    def doctor(folder: Path) -> DoctorReport:
        """Verify and repair the annotations store of a library folder."""
        from peerlit_tui.storage.annotation_doctor import doctor

        return doctor(Path(folder))
