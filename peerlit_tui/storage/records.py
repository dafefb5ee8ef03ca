"""The record store: imported records in SQLite, with an FTS5 index for text search.

Records are read-mostly and large (abstracts), so they do not go in TinyDB (100k
records take seconds to load there and seconds per update). SQLite gives:

- one transaction per import, so a crash mid-import leaves the library as it was;
- list columns (title, authors, year, ...) stored as plain columns, so the list of
  100,000 records loads in a single cheap query without parsing any JSON;
- the full record as JSON in `data`, parsed only when one record is shown;
- an FTS5 table over the text fields and each structured-abstract section, which
  the search can use for abstract terms and `findings:`-style queries.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from peerlit_tui.model import Provenance, Record

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
CREATE VIRTUAL TABLE IF NOT EXISTS records_fts USING fts5(
    {", ".join(FTS_COLUMNS)}, tokenize = 'unicode61 remove_diacritics 2'
);
"""


@dataclass(slots=True)
class ListColumns:
    """The list columns of every record, as parallel lists (one entry per record).

    Parallel lists rather than objects: 100,000 records load in one query and the
    search scans one column at a time, which is several times faster than looking
    attributes up on 100,000 objects.
    """

    rowids: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    title_derived: list[bool] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    first_authors: list[str] = field(default_factory=list)
    n_authors: list[int] = field(default_factory=list)
    years: list[int | None] = field(default_factory=list)
    journals: list[str] = field(default_factory=list)
    dois: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    has_abstract: list[bool] = field(default_factory=list)
    added: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)


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


class RecordStore:
    """SQLite-backed storage of records, provenance and duplicate links.

    Args:
        path: The SQLite file (created with its schema when missing).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT),
        # so an import is exactly one transaction.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.executescript(_SCHEMA)
        self._db.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    # -- transactions -------------------------------------------------------

    def begin(self) -> None:
        """Start a write transaction, waiting for other writers (busy timeout)."""
        self._db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        """Commit the current transaction (durable: synchronous=FULL)."""
        self._db.execute("COMMIT")

    def rollback(self) -> None:
        """Abandon the current transaction, if one is open."""
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    # -- reads ------------------------------------------------------------

    def count(self) -> int:
        """Number of records."""
        row = self._db.execute("SELECT count(*) FROM records").fetchone()
        return int(row[0])

    def all_ids(self) -> set[str]:
        """Every record id."""
        return {row[0] for row in self._db.execute("SELECT id FROM records")}

    def rowid_of(self, record_id: str) -> int | None:
        """Internal row number of a record, or None."""
        row = self._db.execute("SELECT rowid FROM records WHERE id = ?", (record_id,)).fetchone()
        return int(row[0]) if row else None

    def get(self, record_id: str) -> Record | None:
        """Load one full record with all its provenance, or None."""
        row = self._db.execute("SELECT data FROM records WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            return None
        record = Record.from_dict(json.loads(row[0]))
        record.sources = self.sources_of(record_id)
        return record

    def sources_of(self, record_id: str) -> list[Provenance]:
        """Provenance of a record in import order."""
        rows = self._db.execute(
            "SELECT file, format, database, imported_at, line FROM sources "
            "WHERE record_id = ? ORDER BY imported_at, file",
            (record_id,),
        )
        return [Provenance(f, fmt, db, at, line) for f, fmt, db, at, line in rows]

    def ids_with_prefix(self, prefix: str, limit: int = 5) -> list[str]:
        """Ids starting with `prefix` (for abbreviated ids typed by users)."""
        upper = prefix + "\U0010ffff"
        rows = self._db.execute(
            "SELECT id FROM records WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
            (prefix, upper, limit),
        )
        return [r[0] for r in rows]

    def ids_by_dup_key(self, dup_key: str) -> list[str]:
        """Ids of records sharing a duplicate key."""
        rows = self._db.execute(IDS_BY_DUP_KEY, (dup_key,))
        return [r[0] for r in rows]

    def load_columns(self, limit: int | None = None) -> ListColumns:
        """Load the list columns of every record (or the first `limit`) in insertion order."""
        cols = ListColumns()
        rows = self._db.execute(
            "SELECT rowid, id, type, title, title_derived, authors, first_author, n_authors, "
            "year, journal, doi, keywords, has_abstract, added_at FROM records ORDER BY rowid "
            "LIMIT ?",
            (-1 if limit is None else limit,),
        ).fetchall()
        if rows:
            (
                cols.rowids, cols.ids, cols.types, cols.titles, cols.title_derived,
                cols.authors, cols.first_authors, cols.n_authors, cols.years,
                cols.journals, cols.dois, cols.keywords, cols.has_abstract, cols.added,
            ) = (list(column) for column in zip(*rows, strict=True))  # fmt: skip
        return cols

    def iter_records(self, ids: Iterable[str] | None = None) -> Iterator[Record]:
        """Yield full records (without provenance), all or the given ids, in row order."""
        if ids is None:
            for (data,) in self._db.execute("SELECT data FROM records ORDER BY rowid"):
                yield Record.from_dict(json.loads(data))
            return
        for record_id in ids:
            row = self._db.execute("SELECT data FROM records WHERE id = ?", (record_id,))
            found = row.fetchone()
            if found:
                yield Record.from_dict(json.loads(found[0]))

    def fts_rowids(self, match: str) -> list[int]:
        """Row numbers matching an FTS5 MATCH expression, in row order.

        Raises:
            sqlite3.OperationalError: For a malformed expression.
        """
        rows = self._db.execute(
            "SELECT rowid FROM records_fts WHERE records_fts MATCH ? ORDER BY rowid", (match,)
        )
        return [r[0] for r in rows]

    def abstract_texts(self) -> Iterator[tuple[int, str]]:
        """(rowid, folded-ready abstract text) for every record, for substring scans."""
        yield from self._db.execute("SELECT rowid, abstract FROM records_fts ORDER BY rowid")

    # -- writes (inside begin/commit) ---------------------------------------

    def insert(self, record: Record, added_at: str, dup_key: str) -> int:
        """Insert a new record and its text index entry; returns its rowid."""
        cursor = self._db.execute(
            "INSERT INTO records(id, type, title, title_derived, authors, first_author, "
            "n_authors, year, journal, doi, keywords, has_abstract, added_at, dup_key, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.id, *self._columns(record), added_at, dup_key, self._data(record)),
        )
        rowid = int(cursor.lastrowid or 0)
        self._db.execute(
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
        self._db.execute(
            "UPDATE records SET type=?, title=?, title_derived=?, authors=?, first_author=?, "
            "n_authors=?, year=?, journal=?, doi=?, keywords=?, has_abstract=?, dup_key=?, "
            "data=? WHERE rowid=?",
            (*self._columns(record), dup_key, self._data(record), rowid),
        )
        self._db.execute("DELETE FROM records_fts WHERE rowid = ?", (rowid,))
        self._db.execute(
            f"INSERT INTO records_fts(rowid, {', '.join(FTS_COLUMNS)}) "
            f"VALUES (?{', ?' * len(FTS_COLUMNS)})",
            (rowid, *_fts_values(record)),
        )

    def add_source(self, record_id: str, source: Provenance) -> bool:
        """Record a provenance; returns False when that (file, database) was already known."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO sources(record_id, file, format, database, imported_at, line) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (record_id, source.file, source.format, source.database, source.imported_at,
             source.line),
        )  # fmt: skip
        return cursor.rowcount > 0

    # -- duplicate links ----------------------------------------------------

    def link(self, a: str, b: str, reason: str, created: str, *, force: bool = False) -> bool:
        """Link two records as likely duplicates.

        A pair the user unlinked stays unlinked unless `force` is set (an explicit
        link), so re-importing an export does not undo the user's decision.

        Returns:
            True when a new link was made (or an unlinked pair was relinked by force).
        """
        a, b = sorted((a, b))
        row = self._db.execute(
            "SELECT status FROM duplicates WHERE a = ? AND b = ?", (a, b)
        ).fetchone()
        if row is None:
            self._db.execute(
                "INSERT INTO duplicates(a, b, reason, status, created) VALUES (?, ?, ?, ?, ?)",
                (a, b, reason, "linked", created),
            )
            return True
        if force and row[0] != "linked":
            self._db.execute(
                "UPDATE duplicates SET status = 'linked', reason = ? WHERE a = ? AND b = ?",
                (reason, a, b),
            )
            return True
        return False

    def unlink(self, a: str, b: str) -> bool:
        """Mark a linked pair as not duplicates; returns False when no such link exists."""
        a, b = sorted((a, b))
        cursor = self._db.execute(
            "UPDATE duplicates SET status = 'unlinked' WHERE a = ? AND b = ? AND status = 'linked'",
            (a, b),
        )
        return cursor.rowcount > 0

    def duplicates_of(self, record_id: str) -> list[tuple[str, str, str]]:
        """(other id, reason, status) for every link involving a record."""
        rows = self._db.execute(
            "SELECT b, reason, status FROM duplicates WHERE a = ? "
            "UNION ALL SELECT a, reason, status FROM duplicates WHERE b = ?",
            (record_id, record_id),
        )
        return [(other, reason, status) for other, reason, status in rows]

    def linked_ids(self) -> set[str]:
        """Ids of every record currently linked to a likely duplicate."""
        rows = self._db.execute(
            "SELECT a FROM duplicates WHERE status = 'linked' "
            "UNION SELECT b FROM duplicates WHERE status = 'linked'"
        )
        return {r[0] for r in rows}

    def all_links(self) -> list[tuple[str, str, str, str]]:
        """Every duplicate link as (a, b, reason, status)."""
        rows = self._db.execute("SELECT a, b, reason, status FROM duplicates ORDER BY created, a")
        return [(a, b, reason, status) for a, b, reason, status in rows]

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
