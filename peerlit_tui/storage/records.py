"""The record store: imported records in SQLite, with an FTS5 index for text search.

Records are read-mostly and large (abstracts), so they do not go in TinyDB (100k
records take seconds to load there and seconds per update). SQLite gives:

- one transaction per import, so a crash mid-import leaves the library as it was;
- list columns (title, authors, year, ...) stored as plain columns, so the list of
  100,000 records loads in a single cheap query without parsing any JSON;
- the full record as JSON in `data`, parsed only when one record is shown;
- an FTS5 table over the text fields and each structured-abstract section, which
  the search can use for abstract terms and `findings:`-style queries.

Writes go through one writer connection under a lock; every other thread reads
through a pooled read connection (see `sqlite_connections`), so a reader never sees an
import's uncommitted rows. A library that cannot be written opens read-only.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from peerlit_tui.library_errors import LibraryDiskFullError, LibraryReadOnlyError
from peerlit_tui.list_columns import ListColumns
from peerlit_tui.model import Provenance, Record
from peerlit_tui.storage.duplicate_links import DEDUP_SCHEMA, DuplicateLinks
from peerlit_tui.storage.record_counts import RecordCounts
from peerlit_tui.storage.sqlite_connections import open_store, translate, translated

__all__ = ["FTS_COLUMNS", "FTS_SECTION_KEYS", "IDS_BY_DUP_KEY", "ListColumns", "RecordStore"]

SCHEMA_VERSION = 1

#: Structured-abstract section keys that get their own FTS column.
FTS_SECTION_KEYS = (
    "purpose", "design", "findings", "limitations", "implications", "social", "originality",
    "background", "objective", "methods", "results", "conclusions",
)  # fmt: skip
FTS_COLUMNS = ("title", "authors", "journal", "keywords", "abstract", *FTS_SECTION_KEYS)

#: Looked up once per imported record. The repeated `dup_key != ''` lets SQLite use
#: the partial index; without it every lookup scans the table and a large import
#: becomes quadratic.
IDS_BY_DUP_KEY = "SELECT id FROM records WHERE dup_key = ? AND dup_key != ''"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    title_derived INTEGER NOT NULL,
    authors TEXT NOT NULL,
    first_author TEXT NOT NULL,
    n_authors INTEGER NOT NULL,
    year INTEGER,
    journal TEXT NOT NULL,
    doi TEXT NOT NULL,
    keywords TEXT NOT NULL,
    has_abstract INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    dup_key TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_dup_key ON records(dup_key) WHERE dup_key != '';
CREATE TABLE IF NOT EXISTS sources (
    record_id TEXT NOT NULL,
    file TEXT NOT NULL,
    format TEXT NOT NULL,
    database TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    line INTEGER NOT NULL,
    PRIMARY KEY (record_id, file, database)
);
CREATE TABLE IF NOT EXISTS duplicates (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (a, b)
);
CREATE INDEX IF NOT EXISTS duplicates_b ON duplicates(b);
-- How often a record occurs inside one (file, database) when more than once: PRISMA
-- counts every record read, repeats inside one export included. No row means once.
CREATE TABLE IF NOT EXISTS source_repeats (
    record_id TEXT NOT NULL,
    file TEXT NOT NULL,
    database TEXT NOT NULL,
    occurrences INTEGER NOT NULL,
    PRIMARY KEY (record_id, file, database)
);
{DEDUP_SCHEMA}
CREATE VIRTUAL TABLE IF NOT EXISTS records_fts USING fts5(
    {", ".join(FTS_COLUMNS)}, tokenize = 'unicode61 remove_diacritics 2'
);
"""


_LIST_COLUMNS_SQL = (
    "SELECT rowid, id, type, title, title_derived, authors, first_author, n_authors, "
    "year, journal, doi, keywords, has_abstract, added_at FROM records"
)


def _columns_from_rows(rows: list[Any]) -> ListColumns:
    cols = ListColumns()
    if rows:
        (
            cols.rowids, cols.ids, cols.types, cols.titles, cols.title_derived,
            cols.authors, cols.first_authors, cols.n_authors, cols.years,
            cols.journals, cols.dois, cols.keywords, cols.has_abstract, cols.added,
        ) = (list(column) for column in zip(*rows, strict=True))  # fmt: skip
    return cols


def _fts_values(record: Record) -> tuple[str, ...]:
    by_key: dict[str, list[str]] = {}
    for section in record.abstract:
        if section.key in FTS_SECTION_KEYS:
            by_key.setdefault(section.key, []).append(section.text)
    return (
        record.title,
        "; ".join(a.name for a in record.authors),
        record.journal,
        "; ".join(record.keywords),
        record.abstract_text,
        *("\n".join(by_key.get(key, [])) for key in FTS_SECTION_KEYS),
    )


class RecordStore(DuplicateLinks, RecordCounts):
    """SQLite-backed storage of records, provenance and duplicate links.

    Args:
        path: The SQLite file (created with its schema when missing and writable).
        read_only: Open for reading only even when the file could be written.
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self._watch_lock = threading.Lock()
        self._connections, self.read_only_reason = open_store(
            path, _SCHEMA, SCHEMA_VERSION, read_only=read_only
        )
        #: One connection only asks "did anything change?"; other readers keep their pace.
        self._watch = self._connections.watcher()
        #: Occurrences per (record, file, database) in the open transaction.
        self._occurrences: dict[tuple[str, str, str], int] = {}

    @property
    def read_only(self) -> bool:
        """True when nothing can be saved in this store."""
        return bool(self.read_only_reason)

    @property
    def _db(self) -> sqlite3.Connection:
        """A connection to read through (the writer inside this thread's transaction).

        For one statement, in tests and diagnostics; the store's own reads use
        `_connections.reading()`, which keeps the connection until they are done.
        """
        with self._connections.reading() as db:
            return db

    def close(self) -> None:
        """Close every database connection."""
        self._connections.close()

    # -- transactions -------------------------------------------------------

    def _writer(self) -> sqlite3.Connection:
        writer = self._connections.writer
        if writer is None:
            if self._connections.disk_full:
                raise LibraryDiskFullError(self.path.parent)
            raise LibraryReadOnlyError(self.path.parent, self.read_only_reason)
        return writer

    def begin(self) -> None:
        """Start a write transaction, waiting for other writers (lock, then busy timeout).

        Raises:
            LibraryReadOnlyError: When the store cannot be written.
        """
        writer = self._writer()
        self._connections.write_lock.acquire()
        try:
            with translated(self.path, writing=True):
                writer.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._connections.write_lock.release()
            raise
        self._connections.owner = threading.get_ident()
        self._occurrences.clear()

    def commit(self) -> None:
        """Commit the current transaction (durable: synchronous=FULL).

        On failure the transaction stays open for `rollback`.
        """
        with translated(self.path, writing=True):
            self._writer().execute("COMMIT")
        self._release()

    def rollback(self) -> None:
        """Abandon the current transaction, if this thread has one open."""
        if self._connections.owner != threading.get_ident():
            return
        writer = self._writer()
        try:
            if writer.in_transaction:
                writer.execute("ROLLBACK")
        finally:
            self._release()

    def _release(self) -> None:
        if self._connections.owner == threading.get_ident():
            self._connections.owner = None
            self._connections.write_lock.release()

    def _write(self, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Cursor:
        """Run one write statement inside this thread's open transaction."""
        writer = self._writer()  # a read-only store says so first
        if self._connections.owner != threading.get_ident():
            raise RuntimeError("RecordStore write outside begin()/commit()")
        try:  # inline rather than `translated`: this runs several times per imported record
            return writer.execute(sql, params)
        except sqlite3.Error as exc:
            mapped = translate(exc, self.path, writing=True, what="this change")
            if mapped is exc:
                raise
            raise mapped from exc

    def _write_many(self, sql: str, rows: Iterable[tuple[object, ...]]) -> None:
        """Run one write statement for many rows inside this thread's open transaction."""
        writer = self._writer()
        if self._connections.owner != threading.get_ident():
            raise RuntimeError("RecordStore write outside begin()/commit()")
        with translated(self.path, writing=True):
            writer.executemany(sql, rows)

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
        connections = self._connections
        try:
            if connections.owner == threading.get_ident() and connections.writer is not None:
                # Inside this thread's own write transaction (an import): no pool round trip.
                return connections.writer.execute(sql, params).fetchall()
            with connections.reading() as db:
                return db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            mapped = translate(exc, self.path, writing=False, what="this change")
            if mapped is exc:
                raise
            raise mapped from exc

    # -- change detection ---------------------------------------------------

    def change_token(self) -> int:
        """A number that changes whenever anyone commits a change to the store.

        SQLite's `PRAGMA data_version` on a connection that never writes: it moves
        when the writer of this process, or any other process, commits. Cheap (no
        table is read), so an app may ask every second.
        """
        with self._watch_lock, translated(self.path):
            return int(self._watch.execute("PRAGMA data_version").fetchone()[0])

    def max_rowid(self) -> int:
        """The highest row number (0 for an empty store): rows added later have higher ones."""
        row = self._read("SELECT max(rowid) FROM records")
        return int(row[0][0] or 0)

    # -- reads ------------------------------------------------------------

    def count(self) -> int:
        """Number of records."""
        return int(self._read("SELECT count(*) FROM records")[0][0])

    def all_ids(self) -> set[str]:
        """Every record id."""
        return {str(row[0]) for row in self._read("SELECT id FROM records")}

    def rowid_of(self, record_id: str) -> int | None:
        """Internal row number of a record, or None."""
        rows = self._read("SELECT rowid FROM records WHERE id = ?", (record_id,))
        return int(rows[0][0]) if rows else None

    def get(self, record_id: str) -> Record | None:
        """Load one full record with all its provenance, or None."""
        rows = self._read("SELECT data FROM records WHERE id = ?", (record_id,))
        if not rows:
            return None
        record = Record.from_dict(json.loads(str(rows[0][0])))
        record.sources = self.sources_of(record_id)
        return record

    def sources_of(self, record_id: str) -> list[Provenance]:
        """Provenance of a record in import order."""
        rows = self._read(
            "SELECT file, format, database, imported_at, line FROM sources "
            "WHERE record_id = ? ORDER BY imported_at, file",
            (record_id,),
        )
        return [Provenance(*row) for row in rows]

    def ids_with_prefix(self, prefix: str, limit: int = 5) -> list[str]:
        """Ids starting with `prefix` (for abbreviated ids typed by users)."""
        upper = prefix + "\U0010ffff"
        rows = self._read(
            "SELECT id FROM records WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
            (prefix, upper, limit),
        )
        return [str(r[0]) for r in rows]

    def ids_by_dup_key(self, dup_key: str) -> list[str]:
        """Ids of records sharing a duplicate key."""
        return [str(r[0]) for r in self._read(IDS_BY_DUP_KEY, (dup_key,))]

    def identity_rows(self, ids: list[str]) -> list[Any]:
        """(id, title, title_derived, year, first author) of the given ids, in their order.

        What `identity.same_paper` needs, without parsing each record's JSON.
        """
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        rows = self._read(
            f"SELECT id, title, title_derived, year, first_author FROM records "
            f"WHERE id IN ({marks})",
            tuple(ids),
        )
        order = {rid: i for i, rid in enumerate(ids)}
        return sorted(rows, key=lambda row: order[row[0]])

    def dedup_rows(self) -> list[tuple[str, str, int | None, str, str, str]]:
        """(id, title, year, first author, journal, DOI) of every record, for fuzzy matching."""
        return self._read("SELECT id, title, year, first_author, journal, doi FROM records")

    def load_columns(self, limit: int | None = None) -> ListColumns:
        """Load the list columns of every record (or the first `limit`) in insertion order."""
        rows = self._read(
            _LIST_COLUMNS_SQL + " ORDER BY rowid LIMIT ?", (-1 if limit is None else limit,)
        )
        return _columns_from_rows(rows)

    def load_columns_since(self, rowid: int, limit: int | None = None) -> ListColumns:
        """List columns of the records after row `rowid` (all, or the next `limit`)."""
        rows = self._read(
            _LIST_COLUMNS_SQL + " WHERE rowid > ? ORDER BY rowid LIMIT ?",
            (rowid, -1 if limit is None else limit),
        )
        return _columns_from_rows(rows)

    def iter_records(self, ids: Iterable[str] | None = None) -> Iterator[Record]:
        """Yield full records (without provenance), all or the given ids, in row order."""
        if ids is None:
            with translated(self.path), self._connections.reading() as db:
                cursor = db.execute("SELECT data FROM records ORDER BY rowid")
                try:
                    while batch := cursor.fetchmany(500):
                        for (data,) in batch:
                            yield Record.from_dict(json.loads(data))
                finally:
                    cursor.close()  # ends the read before the connection goes back
            return
        for record_id in ids:
            found = self._read("SELECT data FROM records WHERE id = ?", (record_id,))
            if found:
                yield Record.from_dict(json.loads(str(found[0][0])))

    def fts_rowids(self, match: str) -> list[int]:
        """Row numbers matching an FTS5 MATCH expression, in row order.

        Raises:
            sqlite3.OperationalError: For a malformed expression.
        """
        rows = self._read(
            "SELECT rowid FROM records_fts WHERE records_fts MATCH ? ORDER BY rowid", (match,)
        )
        return [int(r[0]) for r in rows]

    def abstract_texts(self) -> Iterator[tuple[int, str]]:
        """(rowid, folded-ready abstract text) for every record, for substring scans."""
        with translated(self.path), self._connections.reading() as db:
            cursor = db.execute("SELECT rowid, abstract FROM records_fts ORDER BY rowid")
            try:
                while batch := cursor.fetchmany(1000):
                    yield from batch
            finally:
                cursor.close()

    # -- writes (inside begin/commit) ---------------------------------------

    def insert(self, record: Record, added_at: str, dup_key: str) -> int:
        """Insert a new record and its text index entry; returns its rowid."""
        cursor = self._write(
            "INSERT INTO records(id, type, title, title_derived, authors, first_author, "
            "n_authors, year, journal, doi, keywords, has_abstract, added_at, dup_key, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.id, *self._columns(record), added_at, dup_key, self._data(record)),
        )
        rowid = int(cursor.lastrowid or 0)
        self._write(
            f"INSERT INTO records_fts(rowid, {', '.join(FTS_COLUMNS)}) "
            f"VALUES (?{', ?' * len(FTS_COLUMNS)})",
            (rowid, *_fts_values(record)),
        )
        return rowid

    def update(self, record: Record, dup_key: str) -> None:
        """Replace the stored fields of an existing record (same id)."""
        rowid = self.rowid_of(record.id)
        if rowid is None:
            raise KeyError(record.id)
        self._write(
            "UPDATE records SET type=?, title=?, title_derived=?, authors=?, first_author=?, "
            "n_authors=?, year=?, journal=?, doi=?, keywords=?, has_abstract=?, dup_key=?, "
            "data=? WHERE rowid=?",
            (*self._columns(record), dup_key, self._data(record), rowid),
        )
        self._write("DELETE FROM records_fts WHERE rowid = ?", (rowid,))
        self._write(
            f"INSERT INTO records_fts(rowid, {', '.join(FTS_COLUMNS)}) "
            f"VALUES (?{', ?' * len(FTS_COLUMNS)})",
            (rowid, *_fts_values(record)),
        )

    def add_source(self, record_id: str, source: Provenance) -> bool:
        """Record a provenance; returns False when that (file, database) was already known."""
        cursor = self._write(
            "INSERT OR IGNORE INTO sources(record_id, file, format, database, imported_at, line) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (record_id, source.file, source.format, source.database, source.imported_at,
             source.line),
        )  # fmt: skip
        key = (record_id, source.file, source.database)
        seen = self._occurrences[key] = self._occurrences.get(key, 0) + 1
        if seen > 1:
            # max(): importing the same file again finds the same repeats, not new ones.
            self._write(
                "INSERT INTO source_repeats(record_id, file, database, occurrences) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(record_id, file, database) "
                "DO UPDATE SET occurrences = max(occurrences, excluded.occurrences)",
                (*key, seen),
            )
        return cursor.rowcount > 0

    def source_counts(self) -> list[tuple[str, str, str, int]]:
        """(record id, file, database, occurrences) of every provenance."""
        try:
            rows = self._read(
                "SELECT s.record_id, s.file, s.database, coalesce(r.occurrences, 1) "
                "FROM sources s LEFT JOIN source_repeats r "
                "USING (record_id, file, database) ORDER BY s.rowid"
            )
        except sqlite3.OperationalError:  # a read-only library from before repeats were kept
            rows = self._read("SELECT record_id, file, database, 1 FROM sources ORDER BY rowid")
        return [(str(r), str(f), str(d), int(n)) for r, f, d, n in rows]

    # -- helpers ------------------------------------------------------------

    @staticmethod
    def _columns(record: Record) -> tuple[object, ...]:
        return (
            record.type,
            record.title,
            int(record.title_derived),
            "; ".join(a.name for a in record.authors),
            record.authors[0].family if record.authors else "",
            len(record.authors),
            record.year,
            record.journal,
            record.doi,
            "; ".join(record.keywords),
            int(bool(record.abstract)),
        )

    @staticmethod
    def _data(record: Record) -> str:
        data = record.to_dict()
        # Provenance lives in its own table (one row per source); not duplicated here.
        data.pop("sources", None)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
