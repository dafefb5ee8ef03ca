"""Options shared by `peerlit import` and `peerlit open`: `--map FIELD=COLUMN` and `--labels`.

`--map` tells the tabular importers which column holds a field when the file's
header is not one peerlit knows (`peerlit_tui.importers.column_map`); `--labels`
applies the screening decisions other review tools left in the files
(`peerlit_tui.services.label_import`).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from peerlit_tui.cli.context import CliContext, CliError

if TYPE_CHECKING:
    from peerlit_tui.services.label_import import LabelSummary
    from peerlit_tui.services.library import ImportSummary


def add_import_options(parser: argparse.ArgumentParser) -> None:
    """Add `--map` and `--labels` to an importing command."""
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="read FIELD (title, authors, year, journal, doi, abstract, ...) from the "
        "column named COLUMN of CSV/TSV/XLSX files; repeatable",
    )
    parser.add_argument(
        "--labels",
        action="store_true",
        help="apply screening decisions found in the files (ASReview, Rayyan, abstrackr, "
        "EPPI-Reviewer, Covidence tags) as one undo step",
    )


@contextmanager
def column_choice(args: argparse.Namespace) -> Iterator[None]:
    """Apply `--map` to the imports run inside the block.

    Raises:
        CliError: For a malformed option, before anything is read.
    """
    from peerlit_tui.importers.column_map import ColumnMapError, mapped_columns, parse_map_options

    try:
        mapping = parse_map_options(getattr(args, "map", None) or [])
    except ColumnMapError as exc:
        raise CliError(str(exc), 2) from None
    with mapped_columns(mapping):
        yield


def screening_labels(
    summary: ImportSummary, args: argparse.Namespace, ctx: CliContext
) -> LabelSummary:
    """Find the screening labels in the imported files; apply them with `--labels`."""
    from peerlit_tui.services.label_import import import_labels

    files = [(Path(f.path), f.format) for f in summary.files if f.error is None and f.records]
    library = ctx.library()
    return import_labels(
        files,
        ctx.annotations,
        library.has,
        apply=bool(getattr(args, "labels", False)),
    )
