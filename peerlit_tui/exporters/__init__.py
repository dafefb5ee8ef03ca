"""Exporting records with their annotations: RIS, BibTeX, CSV, CSL-JSON and Markdown.

Nothing here knows about the command line or the app: `export` takes (record,
annotation) pairs and a text stream. Writers stream, one record at a time, so
exporting 100,000 records never holds a second copy of them in memory. Each format
lives in its own module, imported only when it is used. What each format carries,
annotations included, is described in `peerlit_tui.exporters.markers`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, TextIO, cast

from peerlit_tui.annotation import Annotation
from peerlit_tui.model import Record

#: Progress callback: (records written, records in all, what is being done).
Progress = Callable[[int, int, str], None]

#: How often (in records) progress is reported.
PROGRESS_EVERY = 500


class RecordWriter(Protocol):
    """Writes records of one format to a stream, one at a time."""

    def write(self, record: Record, annotation: Annotation) -> None:
        """Write one record with its annotation."""

    def close(self) -> None:
        """Write whatever ends the file (a closing bracket); does not close the stream."""


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One export format.

    Attributes:
        name: Name used on the command line ("ris").
        label: Name shown to people ("RIS").
        extension: File extension without the dot.
        module: Module under `peerlit_tui.exporters` that writes it.
        uses_sources: True when the format writes the records' provenance, so
            callers should load it (it costs one lookup per record).
    """

    name: str
    label: str
    extension: str
    module: str
    uses_sources: bool = False

    def open(self, stream: TextIO, *, tags_in_keywords: bool = True) -> RecordWriter:
        """Start writing this format to `stream`.

        Args:
            stream: Where to write.
            tags_in_keywords: Also write tags as keywords (RIS `KW`, BibTeX
                `keywords`), where reference managers show them as tags.
        """
        module = importlib.import_module(f"peerlit_tui.exporters.{self.module}")
        factory = cast(Callable[..., RecordWriter], module.open_writer)
        return factory(stream, tags_in_keywords=tags_in_keywords)


#: Every export format by name, in the order they are offered.
EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("ris", "RIS", "ris", "ris"),
        ExportFormat("bibtex", "BibTeX", "bib", "bibtex"),
        ExportFormat("csv", "CSV", "csv", "csv", uses_sources=True),
        ExportFormat("csljson", "CSL-JSON", "json", "csljson"),
        ExportFormat("md", "Markdown", "md", "md", uses_sources=True),
    )
}


def export(
    items: Iterable[tuple[Record, Annotation]],
    format_name: str,
    stream: TextIO,
    progress: Progress | None = None,
    total: int = 0,
    *,
    tags_in_keywords: bool = True,
) -> int:
    """Write records with their annotations to a stream.

    Args:
        items: (record, annotation) pairs, in the order to write them; consumed
            one at a time.
        format_name: One of `EXPORT_FORMATS`.
        stream: A text stream. CSV writes its own line endings, so a file should be
            opened with `newline=""`.
        progress: Called every few hundred records and at the end.
        total: Number of records expected, passed on to `progress`.
        tags_in_keywords: Also write tags as keywords in RIS and BibTeX (the
            annotation fields carry them either way). A re-import then brings them
            back as keywords too, so a transfer between libraries turns this off.

    Returns:
        The number of records written.

    Raises:
        KeyError: For an unknown format name.
    """
    try:
        fmt = EXPORT_FORMATS[format_name]
    except KeyError:
        known = ", ".join(EXPORT_FORMATS)
        raise KeyError(f"unknown export format {format_name!r}; use one of: {known}") from None
    writer = fmt.open(stream, tags_in_keywords=tags_in_keywords)
    count = 0
    for record, annotation in items:
        writer.write(record, annotation)
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count, max(total, count), f"writing {fmt.label}")
    writer.close()
    if progress is not None:
        progress(count, max(total, count), f"writing {fmt.label}")
    return count


__all__ = ["EXPORT_FORMATS", "ExportFormat", "Progress", "RecordWriter", "export"]
