"""What an import did, per file and in total: the summary a user can act on.

`peerlit import --json` prints `ImportSummary.to_json()`; its keys are documented in
the README and kept stable. `shared_doi` counts the records that share their DOI
with a different paper (each has an id of its own, DOI#title-hash); `split` lists
the records split out of a record an earlier import had merged them into.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
    #: Records that share their DOI with a different paper (each has an id of its own).
    shared_doi: int = 0
    #: Records split out of a record an earlier import had merged them into.
    split: list[dict[str, str]] = field(default_factory=list)
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
            "shared_doi": self.shared_doi,
            "split": self.split,
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
                "shared_doi": self.total("shared_doi"),
                "split": sum(len(f.split) for f in self.files),
                "skipped": self.skipped_count,
                "failed_files": sum(1 for f in self.files if f.error),
            },
        }
