"""Undo, redo and per-record history, all derived from the annotations journals.

Each reviewer's journal is one linear history, shared by every process of that
reviewer (two windows, a command). The undo and redo stacks of a store are built
from its reviewer's own journal (and, for the earlier reviewer, from
`annotations.journal` before it): a reviewer undoes their own changes, never
another reviewer's. Three kinds of entries make a history up:

- "edit": a user action; it goes on top of the undo stack and empties the redo stack.
- "undo" (naming the transaction it reverts in "undoes"): moves that transaction
  from the undo stack to the redo stack.
- "redo" (naming it in "redoes"): moves it back onto the undo stack.

Because the stacks are rebuilt by reading the journal, undo survives a restart and
the command line (`peerlit undo`, a new process each time) works like the app.
When two processes of one reviewer write the library, they share these stacks:
undo reverts that reviewer's newest change not yet undone, whichever of the
processes made it (`UndoPreview.made_here` tells which). Each process reads the
others' entries before it writes, so the stacks it acts on are always current and
an undo never reverts something already reverted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from peerlit_tui.storage.journal import Entry, Located

#: Entry actions.
EDIT, UNDO, REDO = "edit", "undo", "redo"


@dataclass(frozen=True, slots=True)
class Edit:
    """One field to set in a transaction; the store fills in the old value itself.

    Attributes:
        record_id: The record, or None for the project-level "reasons" list.
        field: The field name (see `peerlit_tui.annotation.RECORD_FIELDS`).
        new: The value to set.
        reviewer: Whose "decision" or "reason" it is (None: the earlier reviewer,
            who made the changes journalled before reviewers were recorded).
    """

    record_id: str | None
    field: str
    new: Any
    reviewer: str | None = None


@dataclass(frozen=True, slots=True)
class Transaction:
    """A committed journal entry, as reported back to the caller.

    Attributes:
        txn: Transaction id.
        seq: Journal sequence number.
        time: ISO 8601 UTC time it was written.
        action: "edit", "undo" or "redo".
        label: What it did, in words ("tag 'qualitative' on 3 records").
        record_ids: The records it changed, in order, without repeats.
        changes: Number of field changes.
        conflicts: Edits made on a stale view that found a newer value (see
            `peerlit_tui.storage.annotation_conflicts`); empty normally.
    """

    txn: str
    seq: int
    time: str
    action: str
    label: str
    record_ids: tuple[str, ...]
    changes: int
    conflicts: tuple[Any, ...] = field(default=())

    @classmethod
    def from_entry(cls, entry: Entry) -> Transaction:
        """Summarise a journal entry."""
        changes = entry.get("changes") or []
        ids = dict.fromkeys(
            c["id"] for c in changes if isinstance(c, dict) and isinstance(c.get("id"), str)
        )
        return cls(
            txn=str(entry.get("txn", "")),
            seq=int(entry.get("seq", 0)),
            time=str(entry.get("ts", "")),
            action=str(entry.get("action", EDIT)),
            label=str(entry.get("label", "")),
            record_ids=tuple(ids),
            changes=len(changes),
        )


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """One change to one field of a record, as `history` lists it.

    Attributes:
        time: ISO 8601 UTC time of the change.
        seq: Journal sequence number of its transaction.
        txn: Transaction id.
        action: "edit", "undo" or "redo".
        label: What the transaction did, in words.
        field: The field changed.
        old: Value before.
        new: Value after.
        undone: True when this edit was later undone (and not redone).
    """

    time: str
    seq: int
    txn: str
    action: str
    label: str
    field: str
    old: Any
    new: Any
    undone: bool

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "time": self.time,
            "seq": self.seq,
            "txn": self.txn,
            "action": self.action,
            "label": self.label,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "undone": self.undone,
        }


@dataclass(frozen=True, slots=True)
class UndoPreview:
    """What an undo (or redo) would revert, and whose change it is, before doing it.

    Attributes:
        action: "undo" or "redo".
        txn: Id of the transaction it would act on (pass to `undo(expected=...)`).
        label: What that transaction did, in words.
        time: When it was made (ISO 8601 UTC).
        changes: (record id, field, value before, value after) of that transaction;
            undo sets each field back to "before", redo to "after".
        made_here: True when this store (this window or command) made it.
        by: Who made it: {"session", "pid", "host"}, or {} for entries written
            before peerlit recorded it.
    """

    action: str
    txn: str
    label: str
    time: str
    changes: tuple[tuple[str | None, str, Any, Any], ...]
    made_here: bool
    by: dict[str, Any]

    @property
    def made_elsewhere(self) -> bool:
        """True when another window, command or computer made the change."""
        return not self.made_here

    @property
    def record_ids(self) -> tuple[str, ...]:
        """The records the change touched, in order, without repeats."""
        return tuple(dict.fromkeys(c[0] for c in self.changes if c[0] is not None))

    def describe(self) -> str:
        """One line for a prompt or a message, e.g. "tag 'x' on 8917 (13:40:02, pid 4711)"."""
        when = self.time.replace("T", " ")[11:19] if len(self.time) >= 19 else self.time
        who = "made here" if self.made_here else _who(self.by)
        return f"{self.label} ({when}, {who})" if when else f"{self.label} ({who})"

    @classmethod
    def from_entry(cls, entry: Entry, action: str, origin: dict[str, Any]) -> UndoPreview:
        """Describe a journal entry as seen by the store with `origin`."""
        by = entry.get("by")
        by = by if isinstance(by, dict) else {}
        changes = tuple(
            (c.get("id"), str(c.get("field", "")), c.get("old"), c.get("new"))
            for c in entry.get("changes") or []
            if isinstance(c, dict)
        )
        return cls(
            action=action,
            txn=str(entry.get("txn", "")),
            label=str(entry.get("label", "")),
            time=str(entry.get("ts", "")),
            changes=changes,
            made_here=bool(by) and by.get("session") == origin.get("session"),
            by=by,
        )


def _who(by: dict[str, Any]) -> str:
    if not by:
        return "made before peerlit recorded who makes a change"
    where = f" on {by['host']}" if by.get("host") else ""
    return f"made by peerlit process {by.get('pid', '?')}{where}"


# The fields `feed_line` needs, as the store writes them: at the start of the line,
# before any user text, so they can be read without parsing the changes.
_HEAD = re.compile(
    rb'\{"seq":(\d+),"txn":"(\w+)","ts":"[^"\\]*","action":"(\w+)"'
    rb'(?:,"(?:undoes|redoes)":"(\w+)")?'
)

#: An undo or redo stack item: transaction id, journal name and the byte range of its entry.
StackItem = tuple[str, str, int, int]


class UndoHistory:
    """The undo and redo stacks, fed every journal entry in order.

    Attributes:
        undo: Edits that can be undone, newest last.
        redo: Undone edits that can be redone, newest last.
        undone: Ids of edits currently undone.
    """

    def __init__(self) -> None:
        self.undo: list[StackItem] = []
        self.redo: list[StackItem] = []
        self.undone: set[str] = set()

    def feed(self, item: Located, journal: str) -> None:
        """Account for one parsed entry of the journal named `journal`."""
        entry = item.entry
        action = str(entry.get("action", EDIT))
        target = str(entry.get("undoes" if action == UNDO else "redoes", ""))
        self._account(action, str(entry.get("txn", "")), target, (journal, item.start, item.end))

    def feed_line(self, line: bytes, start: int, end: int, journal: str) -> None:
        """Account for one raw journal line, reading only its first fields when possible.

        Building the stacks reads the whole journal once per session; parsing only
        the head of each line makes that about ten times faster.
        """
        head = _HEAD.match(line)
        if head is not None:
            seq, txn, action, target = head.groups()
            if int(seq) > 0:
                where = (journal, start, end)
                self._account(action.decode(), txn.decode(), (target or b"").decode(), where)
            return
        try:
            entry = json.loads(line)
        except ValueError:
            return
        if isinstance(entry, dict) and isinstance(entry.get("seq"), int) and entry["seq"] > 0:
            self.feed(Located(entry, start, end), journal)

    def _account(self, action: str, txn: str, target: str, where: tuple[str, int, int]) -> None:
        if action == EDIT:
            self.undo.append((txn, *where))
            self.redo.clear()
        elif action == UNDO:
            moved = _pop(self.undo, target)
            if moved is not None:
                self.redo.append(moved)
            self.undone.add(target)
        elif action == REDO:
            moved = _pop(self.redo, target)
            if moved is not None:
                self.undo.append(moved)
            self.undone.discard(target)


def _pop(stack: list[StackItem], txn: str) -> StackItem | None:
    # The target is the top of the stack unless the journal was damaged; search
    # from the top so a damaged journal still behaves sensibly.
    for i in range(len(stack) - 1, -1, -1):
        if stack[i][0] == txn:
            return stack.pop(i)
    return None
