"""Counts over the record store for the PRISMA figures, computed in SQLite.

A mixin of `RecordStore` (kept apart so each module stays one subject). The
PRISMA counts need how often each (file, database) was read, how many records
have any provenance, and a few facts about the records that are linked or
decided; none of it needs a record's fields, so nothing here loads the list
columns or parses JSON (at 1,000,000 records that took seconds).

Grouping a million provenance rows by (file, database) costs a sort of them
(0.6-0.8 s at 1,000,000 on a quiet machine) unless an index holds them in that
order (0.1-0.2 s). The counts create that index the first time they run on a
library that can be written (about 2.5 s at 1,000,000 records, once); imports then
keep it up to date. It is made only when no one else is writing, never waited for:
a read-only library, or one being imported into, is counted with the sort.

Provenance of a record that is not in the store (none is ever deleted, but the
counts have always ignored such rows) is left out: a merge of the two id indexes
tells cheaply whether there is any, and only then do the counts check each row.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peerlit_tui.storage.sqlite_connections import Connections

#: Provenance in (file, database) order, so that grouping by the pair needs no sort.
PAIR_INDEX = "sources_pair"
_CREATE_PAIR_INDEX = f"CREATE INDEX IF NOT EXISTS {PAIR_INDEX} ON sources(file, database)"
#: (file, database, rows, first rowid) per provenance pair, every row counted.
_PAIRS_ALL = "SELECT file, database, count(*), min(rowid) FROM sources GROUP BY file, database"
#: The same, only rows whose record exists.
_PAIRS_KNOWN = (
    "SELECT file, database, count(*), min(rowid) FROM sources s "
    "WHERE EXISTS (SELECT 1 FROM records r WHERE r.id = s.record_id) GROUP BY file, database"
)
#: Occurrences beyond the first per pair (repeats inside one export), existing records.
_REPEATS = (
    "SELECT p.file, p.database, sum(p.occurrences - 1) FROM source_repeats p "
    "WHERE EXISTS (SELECT 1 FROM sources s WHERE s.record_id = p.record_id "
    "AND s.file = p.file AND s.database = p.database) "
    "AND EXISTS (SELECT 1 FROM records r WHERE r.id = p.record_id) "
    "GROUP BY p.file, p.database"
)
#: Provenance record ids with no record; both sides are read in index order and merged.
_ORPHANS = (
    "SELECT count(*) FROM (SELECT record_id FROM sources EXCEPT SELECT id FROM records ORDER BY 1)"
)
#: Records with at least one provenance, when every provenance has its record.
_SOURCED_ALL = "SELECT count(DISTINCT record_id) FROM sources"
#: The same when some do not (a merge of the two id indexes).
_SOURCED_KNOWN = (
    "SELECT count(*) FROM (SELECT record_id FROM sources INTERSECT SELECT id FROM records "
    "ORDER BY 1)"
)


@dataclass(frozen=True, slots=True)
class SourcePair:
    """How often one (file, database) was read, over records in the store.

    Attributes:
        file: The imported file.
        database: Its database name ("" when none was given).
        occurrences: Records read from it, repeats inside the file included.
        first: Row of its first provenance: pairs in this order are in the order
            their first provenance was stored.
    """

    file: str
    database: str
    occurrences: int
    first: int


class RecordCounts:
    """Counting queries; the host provides `_read` and its connections."""

    if TYPE_CHECKING:
        _connections: Connections

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
        raise NotImplementedError

    def source_counts_by_pair(self) -> tuple[list[SourcePair], int]:
        """Every (file, database) records were read from, and how many records were read.

        Returns:
            The pairs in the order of their first provenance, and the number of
            records in the store with at least one provenance.
        """
        self._index_pairs()
        orphans = int(self._read(_ORPHANS)[0][0])
        rows = self._read(_PAIRS_KNOWN if orphans else _PAIRS_ALL)
        try:
            repeats = {(str(f), str(d)): int(n) for f, d, n in self._read(_REPEATS)}
        except sqlite3.OperationalError:  # a read-only library from before repeats were kept
            repeats = {}
        pairs = [
            SourcePair(str(f), str(d), int(n) + repeats.get((str(f), str(d)), 0), int(first))
            for f, d, n, first in rows
        ]
        sourced = int(self._read(_SOURCED_KNOWN if orphans else _SOURCED_ALL)[0][0])
        return sorted(pairs, key=lambda pair: pair.first), sourced

    def rows_of(self, ids: Iterable[str]) -> dict[str, int]:
        """Record id → row of those of `ids` that are in the store.

        One statement however many ids (they go in as one JSON array), each looked
        up through the id index; sorted, so the lookups walk the index in order.
        """
        wanted = json.dumps(sorted(ids), ensure_ascii=False)
        rows = self._read(
            "SELECT r.id, r.rowid FROM json_each(?) j JOIN records r ON r.id = j.value",
            (wanted,),
        )
        return {str(rid): int(rowid) for rid, rowid in rows}

    def _index_pairs(self) -> None:
        """Create `PAIR_INDEX` if it is missing and the store can be written right now."""
        if self._read("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?",
                      (PAIR_INDEX,)):  # fmt: skip
            return
        connections = self._connections
        writer = connections.writer
        if writer is None or connections.owner is not None:
            return  # read-only, or a write transaction is open (this thread's or another's)
        if not connections.write_lock.acquire(blocking=False):
            return
        try:
            # Not waiting for another process's import either: the sort will do today.
            (timeout,) = writer.execute("PRAGMA busy_timeout").fetchone()
            writer.execute("PRAGMA busy_timeout=0")
            try:
                writer.execute("BEGIN IMMEDIATE")
                writer.execute(_CREATE_PAIR_INDEX)
                writer.execute("COMMIT")
            except sqlite3.Error:
                if writer.in_transaction:
                    writer.execute("ROLLBACK")
            finally:
                writer.execute(f"PRAGMA busy_timeout={int(timeout)}")
        finally:
            connections.write_lock.release()
