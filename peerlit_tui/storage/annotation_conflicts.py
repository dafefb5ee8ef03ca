"""Edits made on a stale view: detecting them and keeping both sides.

A window shows a record's note, another process changes it, and then the user
saves the text they typed over the old note. The setters take `expected=` (the
value the user saw); under the lock, after reading other processes' entries, the
current value is compared with it. When they differ the newer value is kept:

- a note keeps the newer text and gets the user's text appended below a line
  "— conflicting edit (saved <time>) —", in the same transaction, so nothing
  typed is lost and one undo takes it back out;
- a rating, read status or decision is left as it is and the user is told
  (`EditConflict`); nothing of theirs needs keeping beyond the keypress.

Each conflict is reported as a `Conflict` in `Transaction.conflicts` (when the
transaction wrote something) or in the raised `EditConflict` (when it wrote
nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from peerlit_tui.storage.annotation_history import Edit, Transaction
from peerlit_tui.storage.annotation_index import REASONS_FIELD, AnnotationIndex, normalise_value

#: The line put between the newer note and the text typed on a stale view.
SEPARATOR = "— conflicting edit (saved {time}) —"


@dataclass(frozen=True, slots=True)
class Conflict:
    """One field that had changed since the user saw it.

    Attributes:
        record_id: The record.
        field: "note", "rating", "read" or "decision".
        expected: The value the user saw.
        current: The newer value found (and kept).
        mine: The value the user asked for.
        kept_mine: True when the user's value was kept too (a note's text appended).
    """

    record_id: str
    field: str
    expected: Any
    current: Any
    mine: Any
    kept_mine: bool

    def describe(self) -> str:
        """The conflict in words, for a message."""
        if self.field == "note":
            if self.kept_mine:
                return (
                    f"the note of {self.record_id} was changed elsewhere since you opened it; "
                    "the newer note was kept and your text was added below it, after a "
                    "'conflicting edit' line"
                )
            return (
                f"the note of {self.record_id} was changed elsewhere since you opened it; "
                "the newer note was kept"
            )
        return (
            f"the {self.field} of {self.record_id} was changed elsewhere to {self.current!r} "
            f"(you saw {self.expected!r}); the newer value was kept, {self.mine!r} was not saved"
        )


class EditConflict(ValueError):
    """Nothing was saved: every value had changed since the user saw it.

    Attributes:
        conflicts: One `Conflict` per record and field.
    """

    def __init__(self, message: str, conflicts: tuple[Conflict, ...] = ()) -> None:
        super().__init__(message)
        self.conflicts = conflicts

    @classmethod
    def of(cls, conflicts: list[Conflict]) -> EditConflict:
        """The error for a list of conflicts, its message naming the first."""
        more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
        return cls(conflicts[0].describe() + more, tuple(conflicts))


def merged_note(current: str, mine: str, time: str) -> str:
    """The newer note followed by the text typed on a stale view, under a separator.

    Args:
        current: The newer note, kept first.
        mine: The user's text.
        time: When it is saved, ISO 8601 UTC.
    """
    when = time.replace("T", " ")[:16] + " UTC" if "T" in time else time
    line = SEPARATOR.format(time=when)
    return f"{current.rstrip()}\n\n{line}\n{mine}" if current.strip() else mine


def expected_for(expected: Any, record_id: str) -> tuple[bool, Any]:
    """(given, value): the value the caller saw for one record.

    `expected` is None (no check), one value for every record, or a mapping from
    record id to value (records missing from it are not checked).
    """
    if expected is None:
        return False, None
    if isinstance(expected, Mapping):
        if record_id in expected:
            return True, expected[record_id]
        return False, None
    return True, expected


def guarded(
    index: AnnotationIndex,
    record_id: str,
    field: str,
    value: Any,
    expected: Any,
    conflicts: list[Conflict],
    time: str,
    reviewer: str | None = None,
) -> Edit | None:
    """The edit to make for one field, given what the user saw; None to leave it.

    A decision or reason is `reviewer`'s own (None: the record's final one).

    Appends to `conflicts` when the current value is neither what the user saw nor
    what they ask for. A note then becomes the newer note plus the user's text
    (`merged_note`); other fields keep the newer value.
    """
    given, seen = expected_for(expected, record_id)
    if given and field in ("tags", REASONS_FIELD):
        seen = normalise_value(field, seen)
    current = index.current(record_id, field, reviewer)
    if not given or seen == current or value == current:
        return Edit(record_id, field, value, reviewer)
    if field == "note" and value:
        merged = merged_note(current, value, time)
        conflicts.append(Conflict(record_id, field, seen, current, value, True))
        return Edit(record_id, field, merged, reviewer)
    conflicts.append(Conflict(record_id, field, seen, current, value, False))
    return None


def outcome(txn: Transaction | None, conflicts: list[Conflict]) -> Transaction | None:
    """The transaction with its conflicts, or `EditConflict` when only conflicts remain."""
    if not conflicts:
        return txn
    if txn is None:
        raise EditConflict.of(conflicts)
    return replace(txn, conflicts=tuple(conflicts))
