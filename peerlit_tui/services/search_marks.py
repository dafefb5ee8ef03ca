"""What a search knows of each row's annotations: marks, the overlay of changes, team rows.

`Marks` is the part of an annotation the query language tests (tags, note, rating,
read status, decision); `MarksView` lays the changes since the last full snapshot
over that snapshot, so a decision costs one small dict, not a copy of every row's
marks; `TeamRows` holds the rows by team-screening state.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any, Protocol

from peerlit_tui.text import fold


class AnnotationLike(Protocol):
    """What the search reads of one annotation (`peerlit_tui.annotation.Annotation`)."""

    @property
    def tags(self) -> Sequence[str]:
        """Tags as the user spelled them."""

    @property
    def note(self) -> str:
        """Free text."""

    @property
    def rating(self) -> int:
        """0 (not rated) to 5."""

    @property
    def read(self) -> str:
        """unread, skimmed or read."""

    @property
    def decision(self) -> str:
        """undecided, include, exclude or maybe."""


@dataclass(frozen=True, slots=True)
class Marks:
    """The annotation of one record as the search compares it (tags and note folded)."""

    tags: frozenset[str]
    note: str
    note_folded: str
    rating: int
    read: str
    decision: str

    @classmethod
    def of(cls, ann: AnnotationLike) -> Marks:
        """Snapshot an annotation."""
        return cls(
            frozenset(fold(t) for t in ann.tags), ann.note, fold(ann.note), int(ann.rating),
            ann.read, ann.decision,
        )  # fmt: skip


BLANK = Marks(frozenset(), "", "", 0, "unread", "undecided")
#: Changes a `MarksView` holds on top of its base before they are merged into a new base.
OVERLAY_LIMIT = 512


class MarksView(Mapping[int, Marks]):
    """An immutable annotation snapshot: a shared base plus a small overlay of changes.

    A decision changes one record; copying the whole snapshot for it cost ~3 ms at
    100,000 records. `changed` returns a new view that shares the base and copies only
    the overlay (merged into a new base once it holds `OVERLAY_LIMIT` changes), so a
    search running on the old view is unaffected. Blank annotations are left out.

    Args:
        base: Row → marks; never modified once given.
        overlay: Row → marks, or None for a row now blank; takes precedence.
    """

    __slots__ = ("_base", "_len", "_overlay")

    def __init__(
        self, base: dict[int, Marks] | None = None, overlay: dict[int, Marks | None] | None = None
    ) -> None:
        self._base = base if base is not None else {}
        self._overlay = overlay if overlay is not None else {}
        size = len(self._base)
        for row, marks in self._overlay.items():
            size += (marks is not None) - (row in self._base)
        self._len = size

    def changed(self, changes: dict[int, Marks]) -> MarksView:
        """A new view with `changes` applied (BLANK marks remove a row)."""
        overlay: dict[int, Marks | None] = dict(self._overlay)
        for row, marks in changes.items():
            overlay[row] = None if marks == BLANK else marks
        if len(overlay) < OVERLAY_LIMIT:
            return MarksView(self._base, overlay)
        base = dict(self._base)
        for row, value in overlay.items():
            if value is None:
                base.pop(row, None)
            else:
                base[row] = value
        return MarksView(base)

    def __getitem__(self, row: int) -> Marks:
        if row in self._overlay:
            value = self._overlay[row]
            if value is None:
                raise KeyError(row)
            return value
        return self._base[row]

    def get(self, row: int, default: Any = None) -> Any:  # noqa: D102 - Mapping.get, faster
        overlay = self._overlay
        if overlay and row in overlay:
            value = overlay[row]
            return default if value is None else value
        return self._base.get(row, default)

    def __iter__(self) -> Iterator[int]:
        overlay = self._overlay
        for row in self._base:
            if row not in overlay:
                yield row
        for row, value in overlay.items():
            if value is not None:
                yield row

    def __len__(self) -> int:
        return self._len


@dataclass(frozen=True, slots=True)
class TeamRows:
    """Rows by team-screening state, for `reviewer:`, `decision:NAME=…`, `is:conflict|pending`.

    Attributes:
        conflict: Rows whose reviewers disagree (unresolved).
        pending: Rows not every reviewer screened yet (unresolved).
        screened_by: Reviewer name -> rows that reviewer screened.
        votes: "NAME=decision" -> rows that reviewer gave that decision.
    """

    conflict: frozenset[int] = frozenset()
    pending: frozenset[int] = frozenset()
    screened_by: dict[str, frozenset[int]] = _field(default_factory=dict)
    votes: dict[str, frozenset[int]] = _field(default_factory=dict)


NO_TEAM = TeamRows()
