"""Screening labels carried by imported records, for `peerlit simulate`.

Labelled exports say "included" in several ways: a `label_included` / `included` /
`asreview_label` / `label` / `final_included` column (SYNERGY, ASReview), Rayyan's
`RAYYAN-INCLUSION: {"Reviewer"=>"Included"}` in the notes, or ASReview's
`ASReview_relevant` / `ASReview_irrelevant` notes in RIS. The importers keep such
fields in `Record.extra`; this module finds a label there and reads its value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from peerlit_tui.model import Record

#: Columns that hold a 0/1 inclusion label, in the order they are tried.
LABEL_COLUMNS = ("label_included", "included", "asreview_label", "final_included", "label")

_TRUE = frozenset({"1", "1.0", "true", "yes", "y", "include", "included", "relevant"})
_FALSE = frozenset({"0", "0.0", "false", "no", "n", "exclude", "excluded", "irrelevant"})
_RAYYAN = re.compile(r"RAYYAN-INCLUSION:\s*\{([^}]*)\}")
_RAYYAN_VOTE = re.compile(r'=>\s*"(Included|Excluded|Maybe)"', re.IGNORECASE)


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def parse_label(value: str) -> bool | None:
    """True (included), False (excluded) or None (no usable label: empty, -1, maybe, ...)."""
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _from_notes(notes: str) -> bool | None:
    match = _RAYYAN.search(notes)
    if match:
        votes = {v.lower() for v in _RAYYAN_VOTE.findall(match.group(1))}
        if "included" in votes and "excluded" not in votes:
            return True
        if votes == {"excluded"}:
            return False
        return None
    if "ASReview_relevant" in notes:
        return True
    if "ASReview_irrelevant" in notes:
        return False
    return None


def record_label(record: Record, column: str | None = None) -> bool | None:
    """The label of one record, or None when it has none.

    Args:
        record: An imported record.
        column: The column to read; None tries `LABEL_COLUMNS`, then the notes.
    """
    extra = {_normal(k): v for k, v in record.extra.items()}
    if column is not None:
        value = extra.get(_normal(column))
        if value is None and _normal(column) in LABEL_COLUMNS:
            # The importers file every known label column under "label_included".
            value = extra.get("label_included")
        return parse_label(value) if value is not None else None
    for name in LABEL_COLUMNS:
        if name in extra:
            label = parse_label(extra[name])
            if label is not None:
                return label
    return _from_notes(extra.get("notes", ""))


@dataclass(frozen=True, slots=True)
class LabelledRecords:
    """The labelled records of a file and what was left out.

    Attributes:
        records: Records with a label.
        labels: Their labels (True = included).
        unlabelled: Records without a usable label (left out of a simulation).
    """

    records: list[Record]
    labels: list[bool]
    unlabelled: int


def labelled(records: Sequence[Record], column: str | None = None) -> LabelledRecords:
    """Split records into labelled ones (with their labels) and a count of the rest."""
    kept: list[Record] = []
    labels: list[bool] = []
    for record in records:
        label = record_label(record, column)
        if label is None:
            continue
        kept.append(record)
        labels.append(label)
    return LabelledRecords(kept, labels, len(records) - len(kept))
