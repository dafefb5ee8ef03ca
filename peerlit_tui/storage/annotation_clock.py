"""Which of two changes to one field is the newer: stamps, and the last writer wins.

A library has one journal per reviewer (`journal_set`), and every process reads
the others' journals as they grow, so the same entries reach different processes
in different orders. Each field value therefore carries the *stamp* of the change
that set it, `(ts, journal, seq)`: the entry's time, the name of the journal file
it is in, and its sequence number there. A change is applied only when its stamp
is not older than the stamp of the current value, so the state is the same
whatever order the entries were read in, in every process and at every open: the
change with the greatest stamp wins ("last writer wins"), ties on the time broken
by journal name, then by sequence number.

Stamps are kept per record and per field: the shared fields by name ("tags",
"note", "rating", "read"), a reviewer's decision and reason as
"decision@<reviewer key>" and "reason@<reviewer key>" ("decision@" for the earlier
reviewer). The project's list of exclusion reasons has one stamp of its own.

In the checkpoint, the distinct stamps are listed once in the `meta` document
(`"stamps": [[ts, journal, seq], ...]`) and each annotation document names its
fields' stamps by position in that list (`"stamps": {"tags": 3, "decision@alice": 7}`).

The save path takes a time for a new entry that is later than every entry the
process has read (`next_ts`), so a change made after seeing another one always
wins over it, even with two clocks a little apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from peerlit_tui.storage.journal import utc_now

#: (entry time, journal name, sequence number).
Stamp = tuple[str, str, int]
#: The stamp of a value no journal entry set (older than any change).
ZERO: Final[Stamp] = ("", "", 0)

_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def field_key(field: str, reviewer: str | None) -> str:
    """The stamp key of a field; `reviewer` (a team key) for decisions and reasons."""
    return field if reviewer is None else f"{field}@{reviewer}"


def entry_stamp(entry: Mapping[str, Any], journal: str, after: str = "") -> Stamp:
    """The stamp of a journal entry read from the journal named `journal`.

    Args:
        entry: The entry.
        journal: The journal's name.
        after: The time of the journal's previous entry (its running stamp): within
            one journal a later line always wins, so an entry whose time is earlier
            (a clock set back, a line added by hand) takes that time instead. An
            entry applied from another machine (`"origin"`) keeps its own time.
    """
    ts, seq = entry.get("ts"), entry.get("seq")
    when = ts if isinstance(ts, str) else ""
    if when < after and "origin" not in entry:
        when = after
    return (when, journal, seq if type(seq) is int else 0)


def running(entries: Any, journal: str, after: str = "") -> list[tuple[Stamp, Any]]:
    """(stamp, item) for entries of one journal in file order (`entry_stamp`'s `after` kept).

    `entries` yields objects with an `entry` attribute (`Located`).
    """
    out = []
    for item in entries:
        stamp = entry_stamp(item.entry, journal, after)
        if "origin" not in item.entry:
            after = stamp[0]
        out.append((stamp, item))
    return out


def is_time(ts: str) -> bool:
    """True for a time in the journal's form ("2024-08-22T10:15:03.512Z")."""
    return _TS.fullmatch(ts) is not None


def next_ts(last: str) -> str:
    """The time for a new entry: now, or 1 ms after `last` when the clock is not ahead of it."""
    now = utc_now()
    if not last or now > last or not is_time(last):
        return now
    after = datetime.fromisoformat(last.replace("Z", "+00:00")) + timedelta(milliseconds=1)
    return after.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class StampTable:
    """Writes stamps into a checkpoint once each, and reads them back.

    Attributes:
        items: The distinct stamps, in the order first seen.
    """

    def __init__(self) -> None:
        self.items: list[Stamp] = []
        self._pos: dict[Stamp, int] = {}

    def refs(self, stamps: Mapping[str, Stamp]) -> dict[str, int]:
        """One record's stamps as positions in `items` (adding new ones)."""
        out: dict[str, int] = {}
        for key, stamp in stamps.items():
            pos = self._pos.get(stamp)
            if pos is None:
                pos = self._pos[stamp] = len(self.items)
                self.items.append(stamp)
            out[key] = pos
        return out

    def to_json(self) -> list[list[Any]]:
        """The list stored in the checkpoint's `meta` document."""
        return [list(s) for s in self.items]


def read_stamp_list(value: Any) -> list[Stamp]:
    """Parse the checkpoint's list of stamps; invalid items become `ZERO` (oldest).

    An old checkpoint has none: every value it holds is older than any entry.
    """
    if not isinstance(value, list):
        return []
    out: list[Stamp] = []
    for item in value:
        if (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[0], str)
            and isinstance(item[1], str)
            and type(item[2]) is int
        ):
            out.append((item[0], item[1], item[2]))
        else:
            out.append(ZERO)
    return out


def stamps_from_doc(value: Any, table: list[Stamp]) -> dict[str, Stamp] | None:
    """A document's `stamps` (key -> position in `table`) as stamps; None when absent or bad."""
    if not isinstance(value, dict) or not table:
        return None
    try:
        return {str(k): table[i] for k, i in value.items() if type(i) is int and i >= 0}
    except IndexError:
        return None


def last_time(stamped: list[tuple[Stamp, Any]], before: str = "") -> str:
    """The running time after `running`'s output (remote entries do not move it)."""
    times = [stamp[0] for stamp, item in stamped if "origin" not in item.entry]
    return max([before, *times])
