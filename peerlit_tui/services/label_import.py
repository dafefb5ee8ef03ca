"""Turning the screening labels of other review tools into peerlit decisions.

`peerlit import --labels` reads the decisions, exclusion reasons and tags that
ASReview, Rayyan, abstrackr, EPPI-Reviewer and Covidence leave in their exports
(`peerlit_tui.importers.labels`) and applies them through the same machinery
that restores peerlit's own exported annotations
(`peerlit_tui.services.annotation_import.restore_annotations`): one transaction,
so one undo takes them all back; a field is filled only where this library has
none, and every disagreement with the library is reported as a conflict.
Without `--labels` the labels stay in each record's extra fields and the summary
says how many records of which file carry them.

The files are read again after the import, as the annotation restore does: the
import keeps no per-file list of record ids, and the pipeline gives a record the
same id each time it reads it. Only files whose opening text names a label
column or holds Rayyan's markers (and workbooks, which have no text to look at)
are read again, and without `--labels` a CSV/TSV file is read only for its
label columns (a fraction of the import's time), just to count them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from peerlit_tui.exporters.markers import FoundAnnotation, Reading, found_annotation
from peerlit_tui.importers.base import SourceFile
from peerlit_tui.importers.labels import count_table_labels, may_hold_labels, read_label
from peerlit_tui.importers.pipeline import read_file
from peerlit_tui.services.annotation_import import RestoreSummary, restore_annotations
from peerlit_tui.services.annotations import AnnotationService


@dataclass(slots=True)
class FileLabels:
    """The labels found in one file.

    Attributes:
        path: The file.
        records: Records carrying a label.
        tools: The tools whose conventions were read ("Rayyan", "ASReview", ...).
        disagreements: Records whose reviewers disagree (no decision taken).
    """

    path: str
    records: int = 0
    tools: list[str] = field(default_factory=list)
    disagreements: int = 0

    def to_json(self) -> dict[str, Any]:
        """JSON shape of one file's entry in the "labels" summary."""
        return {
            "path": self.path,
            "records": self.records,
            "tools": self.tools,
            "disagreements": self.disagreements,
        }


@dataclass(slots=True)
class LabelSummary:
    """What `--labels` found and did (the "labels" key of `peerlit import --json`).

    Attributes:
        requested: True when `--labels` was given, so labels were applied.
        files: Per-file counts, for files that carry labels.
        restore: What applying them did (empty when not requested).
    """

    requested: bool = False
    files: list[FileLabels] = field(default_factory=list)
    restore: RestoreSummary = field(default_factory=RestoreSummary)

    @property
    def found(self) -> int:
        """Records carrying a label, in all files."""
        return sum(f.records for f in self.files)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape."""
        return {
            "requested": self.requested,
            "found": self.found,
            "applied": self.restore.restored,
            "conflicts": self.restore.conflicts,
            "disagreements": sum(f.disagreements for f in self.files),
            "unmatched": self.restore.unmatched,
            "reasons_added": self.restore.reasons_added,
            "problems": self.restore.problems,
            "files": [f.to_json() for f in self.files],
        }

    def lines(self, shown: int = 10) -> list[str]:
        """Plain-text lines for the import summary; none when no file has labels."""
        out: list[str] = []
        if not self.requested:
            for f in self.files:
                out.append(
                    f"screening labels found in {f.path} ({f.records} records, "
                    f"{', '.join(f.tools)}): import with --labels to apply them"
                )
            return out
        if not self.files:
            return ["--labels: no screening labels found in the imported files"]
        restore = self.restore
        out.append(
            f"screening labels applied to {restore.restored} of {self.found} records "
            f"({len(restore.conflicts)} conflicts kept this library's value, "
            f"{sum(f.disagreements for f in self.files)} with reviewers who disagree)"
        )
        for item in restore.conflicts[:shown]:
            out.append(
                f"  conflict: {item['id']} {item['field']}: kept {item['library']!r}, "
                f"file has {item['file']!r}"
            )
        if len(restore.conflicts) > shown:
            out.append(f"  … and {len(restore.conflicts) - shown} more conflicts")
        if restore.reasons_added:
            out.append("  exclusion reasons added: " + ", ".join(restore.reasons_added))
        out += [f"  ignored: {p}" for p in restore.problems[:shown]]
        return out


def read_labels(
    files: Iterable[tuple[Path, str]], *, count_only: bool = False
) -> tuple[Reading, list[FileLabels]]:
    """Read the screening labels of imported files.

    Args:
        files: (path, importer format name) of each file that was imported.
        count_only: Only count labelled records; CSV/TSV files are then read
            for their label columns alone, not imported again.

    Returns:
        The labels as annotations to restore (none when only counting), and
        per-file counts.
    """
    reading = Reading()
    per_file: list[FileLabels] = []
    for path, format_name in files:
        try:
            source = SourceFile.read(path)
        except (OSError, EOFError, ValueError):
            continue  # the import has already reported the file
        if source.text and not may_hold_labels(source.text):
            continue
        if count_only and format_name == "csv_tsv":
            count, tools, disagreements = count_table_labels(source.text)
            if count:
                per_file.append(FileLabels(str(path), count, tools, disagreements))
            continue
        result = read_file(path, format_name=format_name)
        counts = FileLabels(str(path))
        for record in result.records:
            label = read_label(record)
            if label is None:
                continue
            counts.records += 1
            if label.tool not in counts.tools:
                counts.tools.append(label.tool)
            counts.disagreements += label.disagreement
            values: dict[str, object] = {"tags": label.tags}
            if label.decision:
                values["decision"] = label.decision
                if label.decision == "exclude" and label.reasons:
                    values["reason"] = label.reasons[0]
            line = record.sources[0].line if record.sources else 0
            found = found_annotation(
                record.id, f"{path.name} line {line}", values, reading.problems
            )
            if found is not None:
                reading.found.append(found)
        if counts.records:
            per_file.append(counts)
    return reading, per_file


def import_labels(
    files: Iterable[tuple[Path, str]],
    service: Callable[[], AnnotationService],
    exists: Callable[[str], bool],
    *,
    apply: bool,
) -> LabelSummary:
    """Find the screening labels of imported files and, when asked, apply them.

    Args:
        files: (path, importer format name) of each imported file.
        service: Opens the library's annotations (called only to apply).
        exists: Tells whether a record id is in the library.
        apply: Apply the labels (`--labels`); otherwise only count them.

    Returns:
        The summary.
    """
    reading, per_file = read_labels(files, count_only=not apply)
    # The same record labelled alike in two files (a Rayyan RIS and CSV export) is
    # one label; labelled differently, both go on and the second is reported.
    first: dict[str, FoundAnnotation] = {}
    kept: list[FoundAnnotation] = []
    for found in reading.found:
        earlier = first.setdefault(found.record_id, found)
        if earlier is found or replace(earlier, where="") != replace(found, where=""):
            kept.append(found)
    reading.found = kept
    summary = LabelSummary(requested=apply, files=per_file)
    if apply and reading.found:
        summary.restore = restore_annotations(
            reading, service(), exists, label="apply screening labels of imported records"
        )
    elif apply:
        summary.restore = RestoreSummary(problems=list(reading.problems))
    return summary
