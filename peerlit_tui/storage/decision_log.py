"""The order in which records were screened, read from the annotations journal.

The journal holds every change to every annotation in the order it was made (edits,
undos and redos all carry the values they set), so replaying its decision changes
gives each record's screening moment. The journal is read without a lock and without
changing anything, like `peerlit history` does; only lines mentioning a decision are
parsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peerlit_tui.storage.journal import Journal
from peerlit_tui.storage.paths import ANNOTATIONS_JOURNAL, ANNOTATIONS_LOCK

#: Every decision change is written with this field name (compact JSON).
_NEEDLE = b'"field":"decision"'


@dataclass(frozen=True, slots=True)
class DecisionChange:
    """One change of one record's decision.

    Attributes:
        seq: Journal sequence number (the order of changes).
        time: ISO 8601 UTC time of the change.
        record_id: The record.
        decision: The decision set ("undecided" when a decision was taken back).
    """

    seq: int
    time: str
    record_id: str
    decision: str


def decision_changes(folder: Path) -> list[DecisionChange]:
    """Every decision change of a library, oldest first (empty without a journal).

    Args:
        folder: The library folder.
    """
    path = Path(folder) / ANNOTATIONS_JOURNAL
    if not path.exists():
        return []
    journal = Journal(
        path, Path(folder) / ANNOTATIONS_LOCK, read_only=True, sync=False, warn=lambda _: None
    )
    out: list[DecisionChange] = []
    try:
        for item in journal.scan(needle=_NEEDLE):
            entry = item.entry
            seq = int(entry.get("seq", 0))
            stamp = str(entry.get("ts", ""))
            for change in entry.get("changes") or []:
                if not isinstance(change, dict) or change.get("field") != "decision":
                    continue
                record_id, new = change.get("id"), change.get("new")
                if isinstance(record_id, str) and isinstance(new, str):
                    out.append(DecisionChange(seq, stamp, record_id, new))
    finally:
        journal.close()
    return out
