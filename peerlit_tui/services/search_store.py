"""What the search reads from the record store: full-text hits, section texts, sources, links.

The search runs in worker threads while the UI thread (and imports) use the
library's own connection, so it reads through a connection of its own, opened
read-only on first use and used under a lock. Results that do not change while an
index lives (sources, duplicate links until told otherwise) are built once and
then only read; full-text results are cached by expression, so retyping or
deleting a character does not ask SQLite again.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from peerlit_tui.query_tree import SECTION_FIELDS
from peerlit_tui.storage.records import FTS_SECTION_KEYS
from peerlit_tui.text import fold

if TYPE_CHECKING:
    from peerlit_tui.services.search_grams import Mask
    from peerlit_tui.storage.records import ListColumns

#: Full-text index columns a text term can be looked up in directly, as the record
#: store creates them; other section headings go through the abstract column and are
#: then checked against the section. `SearchStore.index_columns` reads what a
#: library file really has, so an older file with fewer columns still works.
INDEX_COLUMNS = frozenset(("abstract", *FTS_SECTION_KEYS))
#: Rows of text fetched per SQL statement (SQLite allows 32,766 parameters).
_CHUNK = 900
#: Cached full-text results, bounded by their total number of rows.
_CACHE_ROWS = 600_000
#: Full-text results also kept as masks (one byte per record each).
_CACHE_MASKS = 16

_T = TypeVar("_T")


class SearchStore:
    """Read-only access to a record store's text, keyed by row index.

    Args:
        db_path: The record store's SQLite file.
        columns: The list columns the row indices refer to.
    """

    def __init__(self, db_path: Path, columns: ListColumns) -> None:
        self.db_path = db_path
        self.columns = columns
        self.size = n = len(columns)
        rowids = columns.rowids
        # Rowids are normally 1..n: then a row index is rowid - offset, no lookup needed.
        self._offset: int | None = 0
        if n:
            self._offset = rowids[0] if rowids[-1] - rowids[0] == n - 1 else None
        self._lock = threading.RLock()
        self._db_lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._fts_cache: OrderedDict[str, frozenset[int]] = OrderedDict()
        self._lazy: dict[str, Any] = {}
        self._masks: list[tuple[frozenset[int], Mask]] = []

    def close(self) -> None:
        """Close the connection (it reopens on the next read)."""
        with self._db_lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def forget(self, name: str) -> None:
        """Drop a lazily built table ("duplicates", "sources") so it is read again."""
        with self._lock:
            self._lazy.pop(name, None)

    def cached(self, name: str, build: Callable[[], _T]) -> _T:
        """A value built once under the lock, then shared read-only."""
        value = self._lazy.get(name)
        if value is None:
            with self._lock:
                value = self._lazy.get(name)
                if value is None:
                    value = build()
                    self._lazy[name] = value
        return value

    def row_of_id(self) -> dict[str, int]:
        """Record id → row index."""
        return self.cached("row_of_id", lambda: {r: i for i, r in enumerate(self.columns.ids)})

    def row_of_rowid(self) -> dict[int, int]:
        """SQLite rowid → row index."""
        return self.cached(
            "row_of_rowid", lambda: {r: i for i, r in enumerate(self.columns.rowids)}
        )

    def index_columns(self) -> frozenset[str]:
        """The abstract and section columns of this library's full-text index."""

        def build() -> frozenset[str]:
            names = {str(row[1]) for row in self.query("PRAGMA table_info(records_fts)")}
            return frozenset(n for n in names if n == "abstract" or n in SECTION_FIELDS)

        return self.cached("index_columns", build)

    # -- SQL ------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run a read-only SQL statement on the search's own connection."""
        with self._db_lock:
            if self._db is None:
                try:
                    uri = self.db_path.resolve().as_uri() + "?mode=ro"
                    self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
                except sqlite3.Error:
                    self._db = sqlite3.connect(self.db_path, check_same_thread=False)
            return self._db.execute(sql, params).fetchall()

    def peek_fts(self, match: str) -> frozenset[int] | None:
        """The cached result of `fts_rows(match)`, or None when it is not cached."""
        with self._lock:
            return self._fts_cache.get(match)

    def fts_rows(self, match: str) -> frozenset[int]:
        """Rows whose full-text entry matches an FTS5 expression (cached)."""
        with self._lock:
            hit = self._fts_cache.get(match)
            if hit is not None:
                self._fts_cache.move_to_end(match)
                return hit
        offset = self._offset
        if offset is not None:
            # One group_concat string costs a third of fetching 50,000 one-int rows.
            found = self.query(
                "SELECT group_concat(rowid - ?) FROM records_fts "
                "WHERE records_fts MATCH ? AND rowid BETWEEN ? AND ?",
                (offset, match, offset, offset + self.size - 1),
            )
            text = found[0][0] if found else None
            rows = frozenset(map(int, str(text).split(","))) if text else frozenset()
        else:
            index = self.row_of_rowid()
            found = self.query("SELECT rowid FROM records_fts WHERE records_fts MATCH ?", (match,))
            rows = frozenset(index[r] for (r,) in found if r in index)
        with self._lock:
            self._fts_cache[match] = rows
            total = sum(len(v) for v in self._fts_cache.values())
            while total > _CACHE_ROWS and len(self._fts_cache) > 1:
                _, dropped = self._fts_cache.popitem(last=False)
                total -= len(dropped)
        return rows

    def fts_mask(self, rows: frozenset[int]) -> Mask:
        """`rows` (a result of `fts_rows`) as a mask over all rows, cached per result."""
        with self._lock:
            for held, mask in self._masks:
                if held is rows:
                    return mask.copy()
        from peerlit_tui.services.search_grams import mask_of  # numpy, only with bitmaps

        mask = mask_of(rows, self.size)
        with self._lock:
            self._masks.append((rows, mask))
            del self._masks[:-_CACHE_MASKS]
        return mask.copy()

    def texts(self, column: str, rows: Sequence[int]) -> Iterator[tuple[int, str]]:
        """(row, text) of a full-text column ("abstract", "findings", ...) for rows."""
        if column not in self.index_columns():
            raise ValueError(f"no full-text column {column!r}")
        if len(rows) * 4 > self.size:
            wanted = set(rows)
            index = self.row_of_rowid()
            for rowid, text in self.query(f"SELECT rowid, {column} FROM records_fts"):
                row = index.get(rowid)
                if row is not None and row in wanted and text:
                    yield row, str(text)
            return
        yield from self._by_chunks(f"SELECT rowid, {column} FROM records_fts WHERE rowid IN ({{}})",
                                   [], rows)  # fmt: skip

    def section_texts(
        self, key: str, rows: Sequence[int] | None, match: str = ""
    ) -> Iterator[tuple[int, str]]:
        """(row, text of its sections with canonical `key`) for rows that have one.

        Args:
            key: Canonical section key ("methods", "findings", ...).
            rows: Rows of interest; None for every record matching `match`.
            match: An FTS5 expression the records must match (with `rows` None).
        """
        sql = (
            "SELECT r.rowid, group_concat(j.value ->> 'text', char(10)) "
            "FROM records r, json_each(r.data, '$.abstract') j "
            "WHERE j.value ->> 'key' = ? AND r.rowid IN ({}) GROUP BY r.rowid"
        )
        if rows is not None:
            yield from self._by_chunks(sql, [key], rows)
            return
        index = self.row_of_rowid()
        subquery = "SELECT rowid FROM records_fts WHERE records_fts MATCH ?"
        for rowid, text in self.query(sql.format(subquery), (key, match)):
            row = index.get(rowid)
            if row is not None and text:
                yield row, str(text)

    def _by_chunks(
        self, sql: str, params: list[object], rows: Sequence[int]
    ) -> Iterator[tuple[int, str]]:
        rowids = self.columns.rowids
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start : start + _CHUNK]
            by_rowid = {rowids[i]: i for i in chunk}
            found = self.query(sql.format(",".join("?" * len(chunk))), [*params, *by_rowid])
            for rowid, text in found:
                if text:
                    yield by_rowid[rowid], str(text)

    # -- tables built once ----------------------------------------------------------------

    def duplicate_rows(self) -> frozenset[int]:
        """Rows linked to a likely duplicate."""

        def build() -> frozenset[int]:
            found = self.query(
                "SELECT a FROM duplicates WHERE status = 'linked' "
                "UNION SELECT b FROM duplicates WHERE status = 'linked'"
            )
            index = self.row_of_id()
            return frozenset(index[str(r)] for (r,) in found if str(r) in index)

        return self.cached("duplicates", build)

    def source_texts(self) -> dict[int, tuple[str, str]]:
        """Per row: (folded, original) text of its sources' databases and file names."""

        def build() -> dict[int, tuple[str, str]]:
            index = self.row_of_id()
            parts: dict[int, list[str]] = {}
            for record_id, file, database in self.query(
                "SELECT record_id, file, database FROM sources"
            ):
                row = index.get(str(record_id))
                if row is not None:
                    parts.setdefault(row, []).extend((str(database), Path(str(file)).name))
            return {row: (fold("\x1f".join(p)), "\x1f".join(p)) for row, p in parts.items()}

        return self.cached("sources", build)
