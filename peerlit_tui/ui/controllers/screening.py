"""Screening mode's state: on or off, decision counts of the shown records, the pace.

The counts are kept incrementally: the filter worker hands over the decisions of
the records it found (`Filtered.decided`), and every decision afterwards moves one
record from one count to another, so a decision costs a few dictionary operations
whatever the size of the library. The next undecided record is found from the same
table, and not looked for at all when every shown record has a decision.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from peerlit_tui.ui.messages import DecisionCounts

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.ui.widgets.tag_panel import TagPanel

#: A pace is shown only after this many decisions of this session …
RATE_MIN_DECISIONS = 5
#: … and this many seconds, so the first decisions do not read "60 per hour".
RATE_MIN_SECONDS = 120.0
UNDECIDED = "undecided"


def apply_screening_key(
    panel: TagPanel, decision: str, slot: int | None, reasons: list[str], edit_key: str
) -> str:
    """Decide with a screening key on the panel; the warning to show when it cannot ("").

    Args:
        panel: The annotation panel of the record under the cursor.
        decision: The key's decision.
        slot: The exclusion reason's number, for a number key.
        reasons: The project's exclusion reasons.
        edit_key: The key that edits the reasons (named in the warning).
    """
    if slot is not None:
        if not 1 <= slot <= len(reasons):
            return f"No exclusion reason {slot}: press {edit_key} to edit the reasons."
        panel.decide("exclude", reasons[slot - 1])
    elif decision == "exclude":
        panel.action_exclude()
    else:
        panel.decide(decision)
    return ""


class ScreeningMode:
    """Screening mode on or off, with the progress of the shown records.

    Args:
        annotations: The annotations service getter (decisions of changed records).
        clock: Seconds, monotonic (tests pass a fake one).
    """

    def __init__(
        self,
        *,
        annotations: Callable[[], AnnotationService | None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._annotations = annotations
        self._clock = clock
        self.on = False
        """True in screening mode."""
        self.auto_advance = True
        """Move to the next undecided record after a decision (user config)."""
        self.counted = False
        """True once the counts belong to the rows shown."""
        self._ids: list[str] = []
        self._rows: list[int] = []
        self._shown: set[str] | None = None
        self._shown_frozen: frozenset[str] | None = None
        self._decided: dict[str, str] = {}
        self._counts: Counter[str] = Counter()
        self._session: list[float] = []
        self._since: float | None = None

    def set_on(self, on: bool) -> None:
        """Enter or leave screening mode (the pace counts from the first entry)."""
        self.on = on
        if on and self._since is None:
            self._since = self._clock()

    # -- counts ------------------------------------------------------------------------

    def set_rows(
        self,
        ids: list[str],
        rows: list[int],
        decided: dict[str, str] | None,
        shown: frozenset[str] | None = None,
    ) -> None:
        """The rows a filter result shows, with the decisions among them (None: unknown).

        Args:
            ids: Record ids (the list columns' ids).
            rows: The shown rows, indices into `ids`.
            decided: Decision of each decided record among the rows; None when unknown.
            shown: The ids of `rows`, when the caller built them off the UI thread.
        """
        self._ids, self._rows = ids, rows
        self._shown = None
        self._shown_frozen = shown
        self.counted = decided is not None
        self._decided = dict(decided or {})
        self._counts = Counter(self._decided.values())

    def _is_shown(self, record_id: str) -> bool:
        if self._shown_frozen is not None:
            return record_id in self._shown_frozen
        if self._shown is None:
            ids = self._ids
            self._shown = {ids[row] for row in self._rows}
        return record_id in self._shown

    def decided(self, record_id: str, decision: str) -> None:
        """Count a decision made in this app (O(1))."""
        self._session.append(self._clock())
        self._move(record_id, decision)

    def changed(self, record_ids: Iterable[str]) -> None:
        """Recount records whose annotations changed elsewhere (undo, another process)."""
        annotations = self._annotations()
        if annotations is None or not self.counted:
            return
        for record_id in record_ids:
            self._move(record_id, annotations.get(record_id).decision)

    def _move(self, record_id: str, decision: str) -> None:
        if not self.counted or not self._is_shown(record_id):
            return
        old = self._decided.get(record_id, UNDECIDED)
        if old == decision:
            return
        if old != UNDECIDED:
            self._counts[old] -= 1
        if decision == UNDECIDED:
            self._decided.pop(record_id, None)
        else:
            self._decided[record_id] = decision
            self._counts[decision] += 1

    @property
    def counts(self) -> DecisionCounts:
        """Decisions among the shown records."""
        c = self._counts
        return DecisionCounts(len(self._rows), c["include"], c["exclude"], c["maybe"])

    def decision_of(self, record_id: str) -> str:
        """The decision of a shown record as counted."""
        return self._decided.get(record_id, UNDECIDED)

    def next_undecided(self, cursor: int) -> int | None:
        """The position of the next shown record without a decision, wrapping; None if none."""
        counts = self.counts
        if not self.counted or counts.screened >= counts.total:
            return None
        ids, rows, decided = self._ids, self._rows, self._decided
        count = len(rows)
        for step in range(1, count + 1):
            position = (cursor + step) % count
            if ids[rows[position]] not in decided:
                return position
        return None

    # -- words -------------------------------------------------------------------------

    def pace_text(self) -> str:
        """The pace: "12 this session" at first, "≈ 140 per hour" once it can tell."""
        done = len(self._session)
        if self._since is None:
            return ""
        elapsed = self._clock() - self._since
        if done < RATE_MIN_DECISIONS or elapsed < RATE_MIN_SECONDS:
            return f"{done:,} this session"
        window = [t for t in self._session if t >= self._clock() - 3600.0]
        span = min(elapsed, 3600.0)
        return f"≈ {round(len(window) * 3600.0 / span):,} per hour"

    def progress_text(self) -> str:
        """The progress line: "screened 12 of 100 (include 3, exclude 8, maybe 1) · …"."""
        if not self.counted:
            return "counting the decisions…"
        c = self.counts
        return (
            f"screened {c.screened:,} of {c.total:,} (include {c.include:,}, "
            f"exclude {c.exclude:,}, maybe {c.maybe:,}) · {self.pace_text()}"
        )
