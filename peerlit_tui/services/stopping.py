"""When to stop screening: the inclusions-found curve and a stopping heuristic (information only).

In ranked screening the inclusions come early and then dry up; the curve of
inclusions found against records screened shows it flattening. peerlit shows the
curve, the number of records screened since the last inclusion, and how far the
library is along the data criteria of the SAFE procedure:

    Boetje, J. & van de Schoot, R. (2024). The SAFE procedure: a practical stopping
    heuristic for active learning-based screening in systematic reviews and
    meta-analyses. Systematic Reviews 13, 81. doi:10.1186/s13643-024-02502-7

SAFE's active-learning phase ends when the key papers are found, at least twice the
estimated number of relevant records and at least 10 % of all records have been
screened, and the last 50 records screened in a row were irrelevant. peerlit checks
the three criteria it can count. It has no estimate from a random sample (SAFE's
first phase), so "twice the estimated number" uses the inclusions found so far —
a lower bound, so that criterion is optimistic and is labelled as such. Nothing here
stops anyone: the numbers are shown, the reviewer decides.

The screening order comes from the annotations journal (`storage.decision_log`):
a record's place is when it was last given a decision after being undecided;
changing include to exclude keeps its place. Records decided before the journal
knew them (none today) come first. "maybe" counts as screened, not as an inclusion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peerlit_tui.storage.decision_log import decision_changes

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService

#: SAFE's run of consecutive irrelevant records.
SAFE_RUN = 50
#: SAFE's minimum share of all records screened.
SAFE_MIN_SHARE = 0.10
#: SAFE's multiple of the estimated number of relevant records.
SAFE_RELEVANT_MULTIPLE = 2
SAFE_REFERENCE = "Boetje & van de Schoot 2024, Syst Rev 13:81, doi:10.1186/s13643-024-02502-7"

_EIGHTHS = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True, slots=True)
class Criterion:
    """One stopping criterion: what it asks, whether it is met, and the numbers."""

    name: str
    met: bool
    detail: str


@dataclass(slots=True)
class StoppingSignal:
    """The stopping information of a library.

    Attributes:
        records: Records to screen in all (after duplicates).
        screened: Records with a decision.
        included: Of those, inclusions.
        since_last_inclusion: Records screened after the latest inclusion (all of
            them when there is none).
        curve: Inclusions found after each screened record, in screening order.
        criteria: SAFE's data criteria, as far as they can be counted.
    """

    records: int
    screened: int
    included: int
    since_last_inclusion: int
    curve: list[int] = field(default_factory=list)
    criteria: list[Criterion] = field(default_factory=list)

    @property
    def criteria_met(self) -> int:
        """How many of the criteria are met."""
        return sum(1 for c in self.criteria if c.met)

    def summary(self) -> str:
        """One line: "SAFE: 2 of 3 criteria met (information only)"."""
        return (
            f"SAFE stopping heuristic: {self.criteria_met} of {len(self.criteria)} criteria met "
            "(information only)"
        )

    def to_json(self) -> dict[str, Any]:
        """The "stopping" block of `peerlit stats --json`."""
        return {
            "records": self.records,
            "screened": self.screened,
            "included": self.included,
            "since_last_inclusion": self.since_last_inclusion,
            "curve": list(self.curve),
            "heuristic": {
                "name": "SAFE",
                "reference": SAFE_REFERENCE,
                "criteria": [
                    {"name": c.name, "met": c.met, "detail": c.detail} for c in self.criteria
                ],
                "met": self.criteria_met,
            },
        }


def screening_order(annotations: AnnotationService, folder: Path) -> list[tuple[str, str]]:
    """(record id, current decision) of every decided record, in screening order."""
    current = {a.record_id: a.decision for a in annotations.all() if a.decision != "undecided"}
    place: dict[str, int] = {}
    for i, change in enumerate(decision_changes(folder)):
        if change.decision == "undecided":
            place.pop(change.record_id, None)
        elif change.record_id not in place:
            place[change.record_id] = i
    unplaced = sorted(rid for rid in current if rid not in place)
    placed = sorted((p, rid) for rid, p in place.items() if rid in current)
    return [(rid, current[rid]) for rid in unplaced] + [(rid, current[rid]) for _, rid in placed]


def signal_from_order(decisions: Sequence[str], records: int) -> StoppingSignal:
    """The stopping information of a screening order.

    Args:
        decisions: Decisions in screening order ("include", "exclude", "maybe").
        records: Records to screen in all.
    """
    curve: list[int] = []
    found = 0
    since = 0
    for decision in decisions:
        if decision == "include":
            found += 1
            since = 0
        else:
            since += 1
        curve.append(found)
    screened = len(decisions)
    minimum = SAFE_MIN_SHARE * records
    criteria = [
        Criterion(
            f"{SAFE_RUN} irrelevant records in a row",
            since >= SAFE_RUN,
            f"{since} since the last inclusion",
        ),
        Criterion(
            f"screened {SAFE_MIN_SHARE:.0%} of all records",
            records > 0 and screened >= minimum,
            f"{screened} of {records} ({screened / records:.1%})" if records else "no records",
        ),
        Criterion(
            f"screened {SAFE_RELEVANT_MULTIPLE}× the relevant records",
            found > 0 and screened >= SAFE_RELEVANT_MULTIPLE * found,
            f"{found} found so far, a lower bound",
        ),
    ]
    return StoppingSignal(records, screened, found, since, curve, criteria)


def stopping_signal(annotations: AnnotationService, folder: Path, records: int) -> StoppingSignal:
    """The stopping information of a library.

    Args:
        annotations: Its annotations.
        folder: The library folder (for the journal).
        records: Records to screen in all (after duplicates).
    """
    order = screening_order(annotations, folder)
    return signal_from_order([decision for _, decision in order], records)


def curve_chart(
    curve: Sequence[int], *, width: int = 72, height: int = 10, ascii_only: bool = False
) -> list[str]:
    """The inclusions-found curve as lines of text (Unicode block characters).

    The default size, with its axes and labels, is 80 columns by 13 lines, so it
    fits an 80×24 terminal with the counts and criteria below it.

    Args:
        curve: Inclusions found after each screened record.
        width: Columns of the plot area (the y labels take 8 more).
        height: Lines of the plot area.
        ascii_only: Draw with "#", "|" and "-" for terminals without Unicode.
    """
    lines = ["inclusions found vs records screened"]
    if not curve:
        return [*lines, "  (nothing screened yet)"]
    eighths = " .......#" if ascii_only else _EIGHTHS
    full, bar, corner, rule = ("#", "|", "+", "-") if ascii_only else ("█", "│", "└", "─")
    screened = len(curve)
    top = max(1, curve[-1])
    columns = min(width, screened)
    # Each column shows the inclusions found by the last record it covers.
    heights = [curve[((c + 1) * screened) // columns - 1] / top * height for c in range(columns)]
    for row in range(height, 0, -1):
        label = (
            f"{round(top * row / height):>6} " if row in (height, (height + 1) // 2) else " " * 7
        )
        cells = []
        for h in heights:
            fill = h - (row - 1)
            cells.append(full if fill >= 1 else eighths[max(0, round(fill * 8))])
        lines.append(f"{label}{bar}{''.join(cells).rstrip()}")
    lines.append(f"{0:>6} {corner}{rule * columns}")
    right = f"{screened} screened"
    lines.append(" " * 8 + "0" + right.rjust(max(len(right) + 1, columns - 1)))
    return lines


def stopping_lines(signal: StoppingSignal, *, ascii_only: bool = False) -> list[str]:
    """The stopping block of `peerlit stats` and the stats screen: chart, counts, criteria."""
    lines = curve_chart(signal.curve, ascii_only=ascii_only)
    lines.append(
        f"Screened since the last inclusion: {signal.since_last_inclusion} "
        f"({signal.included} inclusions in {signal.screened} screened)"
    )
    lines.append(signal.summary())
    for criterion in signal.criteria:
        mark = ("x" if criterion.met else " ") if ascii_only else ("✓" if criterion.met else "·")
        lines.append(f"  [{mark}] {criterion.name}: {criterion.detail}")
    lines.append(f"  ({SAFE_REFERENCE})")
    return lines
