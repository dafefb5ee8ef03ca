"""The library service: importing exports, looking records up, managing duplicate links.

This is what the command line and the TUI talk to for records. It joins the import
pipeline (parsing, cleaning, identity) with the record store (SQLite), and reports
each import in a summary a user can act on: what was added, what was already
there, which likely duplicates were linked, and which records were skipped where.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerlit_tui.identity import duplicate_key, normalise_doi
from peerlit_tui.importers.pipeline import FileResult, now_iso, read_file
from peerlit_tui.model import Record
from peerlit_tui.services.merge import merge_into
from peerlit_tui.storage.paths import RECORDS_DB
from peerlit_tui.storage.records import ListColumns, RecordStore

#: Progress callback: (units done, units total, what is being done). Units are lines
#: while a file is read, records while they are written.
Progress = Callable[[int, int, str], None]


class UnknownRecordError(LookupError):
    """A user-typed record id matches no record, or more than one."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown record"


@dataclass(slots=True)
class FileSummary:
    """What importing one file did."""

    path: str
    format: str = ""
    encoding: str = ""
    records: int = 0
    added: int = 0
    already_present: int = 0
    duplicates_linked: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of one file's summary."""
        return {
            "path": self.path,
            "format": self.format,
            "encoding": self.encoding,
            "records": self.records,
            "added": self.added,
            "already_present": self.already_present,
            "duplicates_linked": self.duplicates_linked,
            "skipped": self.skipped,
            "warnings": self.warnings,
            "error": self.error,
        }


@dataclass(slots=True)
class ImportSummary:
    """What an import of one or more files did, with totals."""

    files: list[FileSummary] = field(default_factory=list)

    def total(self, name: str) -> int:
        """Sum of a numeric per-file field ("added", "records", ...)."""
        return sum(int(getattr(f, name)) for f in self.files)

    @property
    def skipped_count(self) -> int:
        """Number of records skipped in all files."""
        return sum(len(f.skipped) for f in self.files)

    @property
    def exit_code(self) -> int:
        """0 all read, 1 partial (records skipped or a file failed), 2 nothing readable."""
        if not any(f.records for f in self.files):
            return 2
        if self.skipped_count or any(f.error for f in self.files):
            return 1
        return 0

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of `peerlit import --json`."""
        return {
            "files": [f.to_json() for f in self.files],
            "totals": {
                "files": len(self.files),
                "records": self.total("records"),
                "added": self.total("added"),
                "already_present": self.total("already_present"),
                "duplicates_linked": self.total("duplicates_linked"),
                "skipped": self.skipped_count,
                "failed_files": sum(1 for f in self.files if f.error),
            },
        }


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
    def open(cls, folder: Path) -> Library:
        """Open (creating if needed) the library in `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder, RecordStore(folder / RECORDS_DB))

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
        for candidate in (wanted, wanted.lower(), normalise_doi(wanted)):
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
        """Link two records as duplicates by hand (relinks a pair that was unlinked)."""
        self.store.begin()
        try:
            changed = self.store.link(a, b, "linked by user", now_iso(), force=True)
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise
        return changed

    def unlink(self, a: str, b: str) -> bool:
        """Mark two linked records as not duplicates; later imports keep them apart."""
        self.store.begin()
        try:
            changed = self.store.unlink(a, b)
            self.store.commit()
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
        summary = ImportSummary()
        total = sum(len(r.records) for r in results)
        done = 0
        self.store.begin()
        try:
            known = self.store.all_ids()
            for result in results:
                file_summary = self._summarise(result)
                summary.files.append(file_summary)
                for record in result.records:
                    self._write(record, known, file_summary, imported_at)
                    done += 1
                    if progress is not None and (done % 500 == 0 or done == total):
                        progress(done, total, "saving records")
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise
        return summary

    @staticmethod
    def _summarise(result: FileResult) -> FileSummary:
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

    def _write(
        self, record: Record, known: set[str], summary: FileSummary, imported_at: str
    ) -> None:
        source = record.sources[0]
        key = duplicate_key(record)
        if record.id in known:
            stored = self.store.get(record.id)
            if stored is not None and merge_into(stored, record):
                self.store.update(stored, duplicate_key(stored))
            summary.already_present += 1
        else:
            self.store.insert(record, imported_at, key)
            known.add(record.id)
            summary.added += 1
            if key:
                for other in self.store.ids_by_dup_key(key):
                    if other != record.id and self.store.link(
                        record.id, other, "same title, year and first author", imported_at
                    ):
                        summary.duplicates_linked += 1
        self.store.add_source(record.id, source)

    def iter_records(self, ids: Iterable[str] | None = None) -> Iterable[Record]:
        """Full records (without provenance), all or the given ids."""
        return self.store.iter_records(ids)
