"""Duplicate links and the blocking keys of the fuzzy duplicate step, in the record store.

A mixin of `RecordStore` (kept apart so each module stays one subject): links
between records that are likely duplicates (status "linked", "unlinked" by the
user) or different papers that share a DOI (status "distinct"), and the table of
blocking keys that lets an import find the few stored records a new record must
be compared with, without loading every title.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

#: Blocking keys of the fuzzy duplicate step: (key, record row). `dedup_keys_upto`
#: in `meta` is the highest row keyed so far; rows above it are keyed on the next
#: import (a library from before the table existed is keyed once, then incrementally).
DEDUP_SCHEMA = """
CREATE TABLE IF NOT EXISTS dedup_keys (key TEXT NOT NULL, rid INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS dedup_keys_key ON dedup_keys(key);
"""

#: What the fuzzy step reads of a candidate record.
CANDIDATE_COLUMNS = "rowid, id, title, year, first_author, journal, doi"


class DuplicateLinks:
    """Link and blocking-key queries; the host provides `_read` and `_write`."""

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
        raise NotImplementedError

    def _write(self, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Cursor:
        raise NotImplementedError

    def _write_many(self, sql: str, rows: Iterable[tuple[object, ...]]) -> None:
        raise NotImplementedError

    def link(
        self,
        a: str,
        b: str,
        reason: str,
        created: str,
        *,
        force: bool = False,
        status: str = "linked",
    ) -> bool:
        """Link two records as likely duplicates (or, with `status`, as related papers).

        A pair the user unlinked stays unlinked unless `force` is set (an explicit
        link), so re-importing an export does not undo the user's decision. A pair
        already linked keeps its status and reason.

        Returns:
            True when a new link was made (or an unlinked pair was relinked by force).
        """
        a, b = sorted((a, b))
        row = self._read("SELECT status FROM duplicates WHERE a = ? AND b = ?", (a, b))
        if not row:
            self._write(
                "INSERT INTO duplicates(a, b, reason, status, created) VALUES (?, ?, ?, ?, ?)",
                (a, b, reason, status, created),
            )
            return True
        if force and row[0][0] != "linked":
            self._write(
                "UPDATE duplicates SET status = 'linked', reason = ? WHERE a = ? AND b = ?",
                (reason, a, b),
            )
            return True
        return False

    def unlink(self, a: str, b: str) -> bool:
        """Mark a linked pair as not duplicates; returns False when no such link exists."""
        a, b = sorted((a, b))
        cursor = self._write(
            "UPDATE duplicates SET status = 'unlinked' WHERE a = ? AND b = ? AND status = 'linked'",
            (a, b),
        )
        return cursor.rowcount > 0

    def duplicates_of(self, record_id: str) -> list[tuple[str, str, str]]:
        """(other id, reason, status) for every link involving a record."""
        rows = self._read(
            "SELECT b, reason, status FROM duplicates WHERE a = ? "
            "UNION ALL SELECT a, reason, status FROM duplicates WHERE b = ?",
            (record_id, record_id),
        )
        return [(str(other), str(reason), str(status)) for other, reason, status in rows]

    def linked_ids(self) -> set[str]:
        """Ids of every record currently linked to a likely duplicate."""
        rows = self._read(
            "SELECT a FROM duplicates WHERE status = 'linked' "
            "UNION SELECT b FROM duplicates WHERE status = 'linked'"
        )
        return {str(r[0]) for r in rows}

    def all_links(self) -> list[tuple[str, str, str, str]]:
        """Every duplicate link as (a, b, reason, status)."""
        rows = self._read("SELECT a, b, reason, status FROM duplicates ORDER BY created, a")
        return [(str(a), str(b), str(reason), str(status)) for a, b, reason, status in rows]

    # -- blocking keys (inside begin/commit for writes) ---------------------

    def dedup_keyed_upto(self) -> int:
        """The highest record row whose blocking keys are stored (0: none)."""
        rows = self._read("SELECT value FROM meta WHERE key = 'dedup_keys_upto'")
        return int(rows[0][0]) if rows else 0

    def unkeyed_rows(self, after: int) -> list[tuple[int, str]]:
        """(rowid, title) of the records above row `after`, which have no keys yet."""
        return self._read("SELECT rowid, title FROM records WHERE rowid > ? ORDER BY rowid",
                          (after,))  # fmt: skip

    def add_dedup_keys(self, rows: Iterable[tuple[str, int]]) -> None:
        """Store (key, rowid) pairs of the fuzzy step's blocking keys."""
        self._write_many("INSERT INTO dedup_keys(key, rid) VALUES (?, ?)", rows)

    def set_dedup_keyed_upto(self, rowid: int) -> None:
        """Note that every record row up to `rowid` has its blocking keys stored."""
        self._write(
            "INSERT INTO meta(key, value) VALUES ('dedup_keys_upto', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (str(rowid),),
        )

    def dedup_candidates(self, keys: Iterable[str], max_block: int) -> list[Any]:
        """Records filed under any of `keys`, leaving out keys shared by over `max_block`.

        Returns:
            Rows of `CANDIDATE_COLUMNS`.
        """
        wanted = sorted(set(keys))
        if not wanted:
            return []
        marks = ", ".join("?" * len(wanted))
        counts = self._read(
            f"SELECT key, count(*) FROM dedup_keys WHERE key IN ({marks}) GROUP BY key",
            tuple(wanted),
        )
        usable = [key for key, n in counts if n <= max_block]
        if not usable:
            return []
        marks = ", ".join("?" * len(usable))
        return self._read(
            f"SELECT {CANDIDATE_COLUMNS} FROM records WHERE rowid IN "
            f"(SELECT rid FROM dedup_keys WHERE key IN ({marks}))",
            tuple(usable),
        )
