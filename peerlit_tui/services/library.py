"""The library service: importing exports, looking records up, managing duplicate links.

This is what the command line and the TUI talk to for records. It joins the import
pipeline (parsing, cleaning, identity) with the record store (SQLite), and reports
each import in a summary a user can act on: what was added, what was already
there, which likely duplicates were linked, which records share a DOI with a
different paper (and so got an id of their own), and which records were skipped where.

Identity on import, in order: a record whose DOI is already stored merges into the
stored record only when they are the same paper (`identity.same_paper`); a different
paper with that DOI gets a split id (DOI#title-hash) and a visible "shared DOI" link.
The record stored first keeps its id, so annotations stay where they were made. New
records are then linked to likely duplicates: the exact duplicate key first, then the
fuzzy step of `services.dedup`, which compares each new record with its candidates only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peerlit_tui.library_errors import (
    LibraryCorruptError,
    LibraryDiskFullError,
    LibraryError,
    LibraryReadOnlyError,
)
from peerlit_tui.model import Author, Record
from peerlit_tui.services.import_state import MAX_SIBLINGS as MAX_SIBLINGS
from peerlit_tui.services.import_state import ImportState
from peerlit_tui.storage.paths import RECORDS_DB
from peerlit_tui.storage.records import RecordStore

# The import machinery (parsers, fuzzy matching, the dedup step, the summary) is
# loaded by the import itself: a lookup (`peerlit show ID`) opens this module too
# and must not pay for what only an import uses.
if TYPE_CHECKING:
    from peerlit_tui.importers.pipeline import FileResult
    from peerlit_tui.list_columns import ListColumns
    from peerlit_tui.model import Provenance
    from peerlit_tui.services.import_summary import FileSummary, ImportSummary

__all__ = [
    "FileSummary",
    "ImportSummary",
    "Library",
    "LibraryCorruptError",
    "LibraryDiskFullError",
    "LibraryError",
    "LibraryReadOnlyError",
    "UnknownRecordError",
]

#: Above this many records with one DOI, a bulk first look in C picks the candidates.
BULK_SIBLINGS = 200

#: Link reasons and statuses shown to the user.
SAME_KEY_REASON = "same title, year and first author"
SHARED_DOI_REASON = "shared DOI, different paper"
#: Status of a shared-DOI link: related records that are different papers, so they
#: are neither counted nor hidden as duplicates (`duplicates --link` makes them so).
SHARED_DOI_STATUS = "distinct"

#: Progress callback: (units done, units total, what is being done). Units are lines
#: while a file is read, records while they are written.
Progress = Callable[[int, int, str], None]


def __getattr__(name: str) -> Any:
    """`FileSummary` and `ImportSummary`, still importable from here, loaded on first use."""
    if name in ("FileSummary", "ImportSummary"):
        from peerlit_tui.services import import_summary

        return getattr(import_summary, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class UnknownRecordError(LookupError):
    """A user-typed record id matches no record, or more than one."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown record"


class Library:
    """The records of one library folder.

    Args:
        folder: The library folder.
        store: Its opened record store.
    """

    def __init__(self, folder: Path, store: RecordStore) -> None:
        self.folder = folder
        self.store = store

    @classmethod
    def open(cls, folder: Path, *, read_only: bool = False) -> Library:
        """Open (creating if needed and possible) the library in `folder`.

        A library that cannot be written (read-only mount or folder, read-only
        database) opens read-only: every read works, writes raise
        `LibraryReadOnlyError`.

        Raises:
            LibraryCorruptError: When the record store is damaged.
        """
        if not folder.exists():
            folder.mkdir(parents=True, exist_ok=True)
        return cls(folder, RecordStore(folder / RECORDS_DB, read_only=read_only))

    @property
    def read_only(self) -> bool:
        """True when nothing can be saved in this library."""
        return self.store.read_only

    @property
    def read_only_reason(self) -> str:
        """Why nothing can be saved, in words ("" for a writable library)."""
        return self.store.read_only_reason

    def close(self) -> None:
        """Close the record store."""
        self.store.close()

    # -- lookups --------------------------------------------------------------

    def count(self) -> int:
        """Number of records."""
        return self.store.count()

    def has(self, record_id: str) -> bool:
        """True when a record with exactly this id exists."""
        return self.store.rowid_of(record_id) is not None

    def get(self, record_id: str) -> Record | None:
        """The full record, with every provenance, or None."""
        return self.store.get(record_id)

    def columns(self, limit: int | None = None) -> ListColumns:
        """List columns of every record, or the first `limit` (one query, no JSON parsing)."""
        return self.store.load_columns(limit)

    def columns_since(self, rowid: int) -> ListColumns:
        """List columns of the records added after row `rowid` (`ListColumns.last_rowid`).

        For an incremental refresh: `cols.extend(library.columns_since(cols.last_rowid))`.
        Records changed in place by a merge keep their row and are not included.
        """
        return self.store.load_columns_since(rowid)

    def change_token(self) -> int:
        """A cheap number that changes whenever anyone (any process) commits a change.

        `PRAGMA data_version` of a connection of its own: no table is read, so it
        can be polled every second; when it differs from the last value seen, load
        `columns_since` (new records) or reload.
        """
        return self.store.change_token()

    def resolve_id(self, text: str) -> str:
        """Turn what a user typed into a record id.

        Accepts an exact id, a DOI in any common form ("https://doi.org/10...."),
        or an unambiguous prefix of at least four characters.

        Raises:
            UnknownRecordError: When nothing, or more than one record, matches.
        """
        wanted = text.strip()
        if not wanted:
            raise UnknownRecordError("empty record id")
        for candidate in (wanted, wanted.lower()):
            if self.has(candidate):
                return candidate
        # Only a DOI typed in another form needs the identity rules (and their imports).
        from peerlit_tui.identity import normalise_doi

        candidate = normalise_doi(wanted)
        if candidate and self.has(candidate):
            return candidate
        if len(wanted) >= 4:
            matches = self.store.ids_with_prefix(wanted.lower(), limit=6)
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                shown = ", ".join(matches[:5])
                raise UnknownRecordError(f"record id {wanted!r} is ambiguous: {shown}, ...")
        raise UnknownRecordError(f"no record with id {wanted!r} in the library")

    def duplicates_of(self, record_id: str) -> list[dict[str, str]]:
        """Links of a record to likely duplicates, as JSON-ready dicts."""
        return [
            {"id": other, "reason": reason, "status": status}
            for other, reason, status in self.store.duplicates_of(record_id)
        ]

    # -- duplicate links ------------------------------------------------------

    def link(self, a: str, b: str) -> bool:
        """Link two records as duplicates by hand (relinks a pair that was unlinked).

        Raises:
            LibraryReadOnlyError: In a read-only library.
            LibraryDiskFullError: When the disk is full (nothing changed).
        """
        from peerlit_tui.importers.pipeline import now_iso

        return self._in_transaction(
            lambda: self.store.link(a, b, "linked by user", now_iso(), force=True)
        )

    def unlink(self, a: str, b: str) -> bool:
        """Mark two linked records as not duplicates; later imports keep them apart.

        Raises:
            LibraryReadOnlyError: In a read-only library.
            LibraryDiskFullError: When the disk is full (nothing changed).
        """
        return self._in_transaction(lambda: self.store.unlink(a, b))

    def _in_transaction(self, change: Callable[[], bool], what: str = "this change") -> bool:
        try:
            self.store.begin()
            changed = change()
            self.store.commit()
        except LibraryDiskFullError as exc:
            self.store.rollback()
            raise LibraryDiskFullError(self.folder, what) from exc
        except BaseException:
            self.store.rollback()
            raise
        return changed

    # -- import ---------------------------------------------------------------

    def import_files(
        self,
        paths: Sequence[Path],
        *,
        format_name: str | None = None,
        database: str | None = None,
        progress: Progress | None = None,
    ) -> ImportSummary:
        """Import export files into the library in one transaction.

        Files are parsed first (a file that cannot be read is reported, not fatal);
        then all records are written in a single SQLite transaction, so a crash or
        kill mid-import leaves the library exactly as it was before.

        Args:
            paths: Files to import.
            format_name: Force a format for all files instead of sniffing.
            database: Source database name to record as provenance.
            progress: Called as records are written.

        Returns:
            The per-file summary with totals.
        """
        from peerlit_tui.importers.pipeline import now_iso, read_file
        from peerlit_tui.services.sync_sources import keep_sources

        imported_at = now_iso()
        results = []
        for path in paths:

            def parsing(line: int, lines: int, name: str = path.name) -> None:
                if progress is not None:
                    progress(line, lines, f"reading {name}")

            results.append(
                read_file(
                    path,
                    format_name=format_name,
                    database=database,
                    imported_at=imported_at,
                    on_progress=parsing,
                )
            )
        summary = self.store_results(results, imported_at, progress)
        keep_sources(self.folder, results, database, imported_at)  # for `peerlit sync`
        return summary

    def store_results(
        self, results: Sequence[FileResult], imported_at: str, progress: Progress | None = None
    ) -> ImportSummary:
        """Write parsed files into the library in one transaction.

        Each record's `id` is set to the id it has in the library (its own, the
        record it merged into, or its split id).

        Raises:
            LibraryReadOnlyError: In a read-only library (nothing read is saved).
            LibraryDiskFullError: When the disk fills up; the library is as before.
        """
        from peerlit_tui.services.import_summary import ImportSummary

        summary = ImportSummary()
        total = sum(len(r.records) for r in results)
        done = 0
        try:
            self.store.begin()
            state = ImportState(self.store)
            for result in results:
                file_summary = self._summarise(result)
                summary.files.append(file_summary)
                for record in result.records:
                    self._write(record, state, file_summary, imported_at)
                    done += 1
                    if progress is not None and (done % 500 == 0 or done == total):
                        progress(done, total, "saving records")
            state.dedup.finish()
            self.store.commit()
        except LibraryDiskFullError as exc:
            self.store.rollback()
            raise LibraryDiskFullError(self.folder, "the import") from exc
        except BaseException:
            self.store.rollback()
            raise
        return summary

    @staticmethod
    def _summarise(result: FileResult) -> FileSummary:
        from peerlit_tui.services.import_summary import FileSummary

        return FileSummary(
            path=str(result.path),
            format=result.format,
            encoding=result.encoding,
            records=len(result.records),
            skipped=[{"line": i.line, "message": i.message} for i in result.issues if i.skipped],
            warnings=[
                {"line": i.line, "message": i.message} for i in result.issues if not i.skipped
            ],
            error=result.error,
        )

    def _stored_match(self, record: Record, state: ImportState) -> tuple[str, Record | None]:
        """The id `record` gets, and the stored record it merges into (None: a new record)."""
        from rapidfuzz import fuzz, process
        from rapidfuzz.utils import default_process

        from peerlit_tui.identity import may_be_same_paper, same_paper, split_id

        if record.id not in state.known and not record.doi:
            return record.id, None
        if not record.doi or record.id != record.doi:
            # A hash id (no DOI): the same id is the same paper, as before.
            return record.id, self.store.get(record.id)
        doi = record.doi
        own = split_id(record)
        if own in state.known:
            # Its own split id is stored: the same normalised title, the same paper.
            return own, self.store.get(own)
        rows = state.with_doi(self.store, doi)
        if not rows:
            return doi, None
        processed = default_process(record.title)
        if len(rows) > BULK_SIBLINGS and not record.title_derived:
            # Hundreds of records with one DOI: one C call picks the titles that can
            # match (a very long subtitle may be missed; it then gets its own id).
            hits = process.extract(processed, state.processed_titles(doi), scorer=fuzz.ratio,
                                   score_cutoff=55, limit=None)  # fmt: skip
            picked = sorted({i for _t, _s, i in hits} | {i for i, r in enumerate(rows) if r[2]})
            rows = [rows[i] for i in picked]
        for rid, title, derived, year, author in rows:
            if not (derived or record.title_derived or may_be_same_paper(processed, title)):
                continue
            outline = Record(title=title, title_derived=bool(derived), year=year,
                             authors=[Author(author, author, "")] if author else [])  # fmt: skip
            if same_paper(outline, record):
                return rid, self.store.get(rid)
        return own, None

    def _write(
        self, record: Record, state: ImportState, summary: FileSummary, imported_at: str
    ) -> None:
        from peerlit_tui.identity import duplicate_key
        from peerlit_tui.services.dedup import make_entry
        from peerlit_tui.services.merge import merge_into

        source = record.sources[0]
        doi = record.doi
        record.id, stored = self._stored_match(record, state)
        split = bool(doi) and record.id.startswith(doi + "#")
        if split:
            summary.shared_doi += 1
        if stored is not None:
            if merge_into(stored, record):
                self.store.update(stored, duplicate_key(stored))
            summary.already_present += 1
            self.store.add_source(record.id, source)
            return
        key = duplicate_key(record)
        rowid = self.store.insert(record, imported_at, key)
        state.known.add(record.id)
        state.added.add(record.id)
        if doi:
            state.note_doi_record(record)
        summary.added += 1
        if split:
            self._link_shared_doi(record, doi, source, state, summary, imported_at)
        linked = set()
        if key:
            for other in self.store.ids_by_dup_key(key):
                if other != record.id and self.store.link(
                    record.id, other, SAME_KEY_REASON, imported_at
                ):
                    summary.duplicates_linked += 1
                    linked.add(other)
        entry = make_entry(
            record.id, record.title, record.year, record.first_author_family, record.journal,
            record.doi, record.pages,
        )  # fmt: skip
        for other, reason in state.dedup.matches(entry, rowid):
            if other not in linked and self.store.link(record.id, other, reason, imported_at):
                summary.duplicates_linked += 1
        self.store.add_source(record.id, source)

    def _link_shared_doi(
        self,
        record: Record,
        doi: str,
        source: Provenance,
        state: ImportState,
        summary: FileSummary,
        imported_at: str,
    ) -> None:
        """Link a split-off record to the record that keeps the bare DOI as its id."""
        anchor = doi if self.store.rowid_of(doi) is not None else ""
        if not anchor:
            siblings = [i for i in self.store.ids_with_prefix(doi + "#", limit=2) if i != record.id]
            anchor = siblings[0] if siblings else ""
        if not anchor or anchor == record.id:
            return
        self.store.link(record.id, anchor, SHARED_DOI_REASON, imported_at,
                        status=SHARED_DOI_STATUS)  # fmt: skip
        # Read from this very file by an earlier import: that import merged it into the anchor.
        if anchor not in state.added and any(
            s.file == source.file and s.database == source.database
            for s in self.store.sources_of(anchor)
        ):
            summary.split.append({"id": anchor, "split_off": record.id, "title": record.title})

    def iter_records(self, ids: Iterable[str] | None = None) -> Iterable[Record]:
        """Full records (without provenance), all or the given ids."""
        return self.store.iter_records(ids)
