"""Screening helpers for the command line and reports: progress, rate, next record.

Nothing here touches the screen or the store: decisions come in through a lookup
function (`decision_lookup` builds one from `AnnotationService.all()`). The keys of
screening mode are in the UI's key table (`peerlit_tui.ui.keys`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Protocol

from peerlit_tui.annotation import DECISIONS

#: The decision of a record id ("undecided" for a record nobody has judged).
DecisionOf = Callable[[str], str]

#: The rate is taken over at most this many seconds: the last hour.
RATE_WINDOW: Final = 3600.0
#: A session younger than this counts as this old, so the first decision of a
#: session reads "60 per hour" rather than thousands.
RATE_MIN_ELAPSED: Final = 60.0


class DecidedLike(Protocol):
    """What the helpers read of an annotation (`peerlit_tui.annotation.Annotation` fits)."""

    @property
    def record_id(self) -> str:
        """The record's id."""

    @property
    def decision(self) -> str:
        """The decision: undecided, include, exclude or maybe."""

    @property
    def updated(self) -> str:
        """ISO 8601 UTC time of the latest change."""


def decision_lookup(annotations: Iterable[DecidedLike]) -> DecisionOf:
    """A lookup of decisions from a set of annotations (records not in it are undecided).

    Args:
        annotations: Typically `AnnotationService.all()`.
    """
    decided = {a.record_id: a.decision for a in annotations if a.decision != "undecided"}
    return lambda record_id: decided.get(record_id, "undecided")


@dataclass(frozen=True, slots=True)
class Progress:
    """How far screening of a set of records has got.

    Attributes:
        total: Records in the set.
        include: Records decided "include".
        exclude: Records decided "exclude".
        maybe: Records decided "maybe".
    """

    total: int
    include: int = 0
    exclude: int = 0
    maybe: int = 0

    @property
    def screened(self) -> int:
        """Records with a decision (include, exclude or maybe)."""
        return self.include + self.exclude + self.maybe

    @property
    def undecided(self) -> int:
        """Records without a decision."""
        return self.total - self.screened

    def text(self) -> str:
        """The progress line: "screened 12 of 100 (include 3, exclude 8, maybe 1)"."""
        return (
            f"screened {self.screened:,} of {self.total:,} "
            f"(include {self.include:,}, exclude {self.exclude:,}, maybe {self.maybe:,})"
        )

    def to_json(self) -> dict[str, int]:
        """Every count, undecided and screened included."""
        return {
            "total": self.total,
            "screened": self.screened,
            "include": self.include,
            "exclude": self.exclude,
            "maybe": self.maybe,
            "undecided": self.undecided,
        }


def progress(ids: Iterable[str], decision_of: DecisionOf) -> Progress:
    """Count the decisions of a set of records (the current filter's, or the library's).

    Args:
        ids: Record ids; a repeated id counts once.
        decision_of: The decision of a record id.
    """
    counts = dict.fromkeys(DECISIONS, 0)
    for record_id in set(ids):
        decision = decision_of(record_id)
        counts[decision if decision in counts else "undecided"] += 1
    return Progress(
        total=sum(counts.values()),
        include=counts["include"],
        exclude=counts["exclude"],
        maybe=counts["maybe"],
    )


def next_undecided(
    rows: Sequence[int], ids: Sequence[str], start: int | None, decision_of: DecisionOf
) -> int | None:
    """Find the next record without a decision after position `start`, wrapping round.

    Args:
        rows: The shown records in display order, as indices into `ids`.
        ids: Record ids (the list columns' ids).
        start: Position in `rows` of the current record; None starts at the top.
        decision_of: The decision of a record id.

    Returns:
        A position in `rows`; `start` itself only when it is the one record left
        undecided; None when every shown record has a decision.
    """
    count = len(rows)
    if not count:
        return None
    origin = -1 if start is None else min(max(start, -1), count - 1)
    for step in range(1, count + 1):
        position = (origin + step) % count
        if decision_of(ids[rows[position]]) == "undecided":
            return position
    return None


def _iso(moment: datetime) -> str:
    # The store's timestamp format ("2024-08-22T10:15:03.512Z"), so that comparing
    # strings compares times and nothing needs parsing.
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def decision_rate(
    annotations: Iterable[DecidedLike],
    *,
    now: datetime | None = None,
    since: datetime | None = None,
    window: float = RATE_WINDOW,
) -> float:
    """Decisions per hour over the last hour, or since the session began if more recent.

    Counts the records that carry a decision and whose annotation last changed in
    that period, and divides by its length (at least `RATE_MIN_ELAPSED` seconds).
    A record decided earlier whose tags or note changed in the period counts too:
    the annotation keeps one `updated` time, not one per field.

    Args:
        annotations: Typically `AnnotationService.all()`.
        now: The current time (defaults to now, UTC).
        since: When the screening session began; None for a plain last-hour rate.
        window: Longest period looked at, in seconds.

    Returns:
        The rate, in decisions per hour.
    """
    now = now or datetime.now(UTC)
    start = now - timedelta(seconds=window)
    if since is not None and since > start:
        start = since
    elapsed = max((now - start).total_seconds(), RATE_MIN_ELAPSED)
    low, high = _iso(start), _iso(now)
    count = sum(1 for a in annotations if a.decision != "undecided" and low <= a.updated <= high)
    return count * 3600.0 / elapsed


def rate_text(rate: float) -> str:
    """The rate as the status line shows it: "42 per hour"."""
    return f"{round(rate):,} per hour"


def reason_for_slot(reasons: Sequence[str], slot: int) -> str | None:
    """The exclusion reason a number key stands for, None when the list is shorter.

    Args:
        reasons: The project's reasons (`AnnotationService.reasons()`), in order.
        slot: The number key, 1 to 9.
    """
    return reasons[slot - 1] if 1 <= slot <= len(reasons) else None
