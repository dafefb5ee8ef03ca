"""Exporting part of a library to a file: gathering records with annotations, writing safely.

Shared by `peerlit export` and the app's export dialog, so both write the same
records the same way. A file is written to a temporary file in the same folder
and renamed over the target only once everything is written: an export that fails
half-way never leaves half a file behind, nor replaces a good one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from peerlit_tui.annotation import Annotation
    from peerlit_tui.exporters import Progress
    from peerlit_tui.model import Record
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.library import Library


def export_items(
    library: Library,
    annotations: AnnotationService,
    ids: Sequence[str],
    format_name: str,
    *,
    library_order: bool = False,
) -> Iterator[tuple[Record, Annotation]]:
    """(record, annotation) pairs for `ids`, in that order, ready for `exporters.export`.

    Args:
        library: The records.
        annotations: Their annotations.
        ids: Record ids to export, in the order to write them.
        format_name: The export format; provenance is loaded only when it writes it.
        library_order: True when `ids` are in library order (as `search_ids`
            returns them); every record is then read in one table scan, much
            faster than one lookup each.

    Yields:
        One pair per record that still exists.
    """
    from peerlit_tui.exporters import EXPORT_FORMATS

    uses_sources = EXPORT_FORMATS[format_name].uses_sources
    whole = library_order and len(ids) == library.count()
    for record in library.iter_records(None if whole else ids):
        if uses_sources:
            record.sources = library.store.sources_of(record.id)
        yield record, annotations.get(record.id)


def write_atomically(path: Path, write: Callable[[TextIO], int]) -> int:
    """Write a text file through a temporary file in the same folder, then rename it.

    Args:
        path: The file to create or replace.
        write: Writes the contents to the stream it is given; returns a count.

    Returns:
        What `write` returned.

    Raises:
        OSError: When the folder is not writable or the disk is full; the target
            is then left as it was.
    """
    folder = path.parent if str(path.parent) else Path(".")
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            count = write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private; give it the mode a new file would get.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~umask)
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    return count


def export_to_file(
    library: Library,
    annotations: AnnotationService,
    ids: Sequence[str],
    format_name: str,
    path: Path,
    progress: Progress | None = None,
    *,
    library_order: bool = False,
    tags_in_keywords: bool = True,
) -> int:
    """Export records with their annotations to a file, atomically.

    Args:
        library: The records.
        annotations: Their annotations.
        ids: Record ids to export, in order.
        format_name: One of `exporters.EXPORT_FORMATS`.
        path: The file to write (replaced only when the export succeeds).
        progress: Called with (done, total, label) every few hundred records.
        library_order: True when `ids` are in library order (see `export_items`).
        tags_in_keywords: Also write tags as keywords (RIS, BibTeX).

    Returns:
        The number of records written.

    Raises:
        OSError: When the file cannot be written.
        KeyError: For an unknown format.
    """
    from peerlit_tui.exporters import export

    def run(stream: TextIO) -> int:
        items = export_items(library, annotations, ids, format_name, library_order=library_order)
        return export(items, format_name, stream, progress=progress, total=len(ids),
                      tags_in_keywords=tags_in_keywords)  # fmt: skip

    return write_atomically(path, run)
