"""The order in which records were screened, read from the annotations journals.

A library has one journal per reviewer (and the first, shared `annotations.journal`);
each holds every change to every annotation in the order it was made (edits,
undos and redos all carry the values they set), so replaying its decision changes
gives each record's screening moment. The journals are merged by time (then
journal name and sequence number, the order the store itself applies them in). A
journal is read without a lock and without
changing anything, like `peerlit history` does; only lines mentioning a decision are
parsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peerlit_tui.storage.journal import Journal
from peerlit_tui.storage.journal_set import journal_names
from peerlit_tui.storage.paths import lock_of

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
    folder = Path(folder)
    keyed: list[tuple[str, str, int, int, DecisionChange]] = []
    for name in journal_names(folder):
        for position, change in enumerate(_journal_changes(folder, name)):
            keyed.append((change.time, name, change.seq, position, change))
    keyed.sort(key=lambda item: item[:4])
    return [item[4] for item in keyed]


def _journal_changes(folder: Path, name: str) -> list[DecisionChange]:
    """The decision changes of one journal file, in file order."""
    journal = Journal(
        folder / name, folder / lock_of(name), read_only=True, sync=False, warn=lambda _: None
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
