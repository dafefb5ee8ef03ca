"""Output commands: `peerlit export` and `peerlit stats`, and restoring annotations on import.

Exports go through `peerlit_tui.services.export_job`, shared with the app's export
dialog: a file is written next to its target and renamed over it only once
everything is written, so an export that fails half-way leaves no half file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peerlit_tui.cli.context import CliContext, CliError
from peerlit_tui.cli.progress import ProgressLine
from peerlit_tui.exporters import EXPORT_FORMATS

if TYPE_CHECKING:
    from peerlit_tui.services.annotation_import import RestoreSummary
    from peerlit_tui.services.library import ImportSummary
    from peerlit_tui.services.stats import PrismaStats

#: Exports of at least this many records show a progress line on a terminal.
PROGRESS_FROM = 1000
#: Written to a pipe when neither --format nor -o says otherwise: the format every
#: reference manager imports, and one that carries the annotations back on import.
DEFAULT_FORMAT = "ris"
_BAR_WIDTH = 30


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `export` and `stats` to the sub-command parser."""
    p = sub.add_parser("export", help="export records with their annotations")
    p.add_argument(
        "query", nargs="*", help="a query, as for `peerlit list`; none exports every record"
    )
    p.add_argument(
        "--format",
        choices=list(EXPORT_FORMATS),
        help="output format (default: from the -o file's extension; "
        f"to a pipe without -o, {DEFAULT_FORMAT})",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument(
        "--no-tag-keywords",
        action="store_true",
        help="do not also write tags as keywords (RIS, BibTeX); for moving to another library",
    )
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("stats", help="PRISMA counts: databases, duplicates, screening")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--prisma-csv", metavar="FILE", help="also write the PRISMA2020 flow-diagram CSV"
    )
    p.set_defaults(handler=cmd_stats)


def format_name(args: argparse.Namespace, stdout_is_terminal: bool) -> str:
    """The format to write: --format, else the -o file's extension, else RIS to a pipe.

    To a terminal without either the user is asked, rather than have a whole
    library scroll past in RIS.
    """
    if args.format:
        return str(args.format)
    known = "|".join(EXPORT_FORMATS)
    if args.output:
        suffix = Path(args.output).suffix.lower().lstrip(".")
        for fmt in EXPORT_FORMATS.values():
            if suffix in (fmt.extension, fmt.name):
                return fmt.name
        extensions = ", ".join("." + f.extension for f in EXPORT_FORMATS.values())
        raise CliError(
            f"cannot tell the format from {args.output!r} (known endings: {extensions}); "
            f"say which with --format {known}"
        )
    if not stdout_is_terminal:
        return DEFAULT_FORMAT
    raise CliError(
        f"say which format to print: --format {known} (or write a file: -o FILE.ris; "
        f"piped output is {DEFAULT_FORMAT.upper()} by default)"
    )


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit export [QUERY…] --format FMT [-o FILE]`."""
    from peerlit_tui.cli.records import parse_query
    from peerlit_tui.exporters import export
    from peerlit_tui.services.export_job import export_items, export_to_file
    from peerlit_tui.services.search import search_ids

    name = format_name(args, ctx.out.isatty())
    query = parse_query(args.query)
    library = ctx.library()
    annotations = ctx.annotations(read_only=True)
    ids = search_ids(library, query, annotations)
    tags_in_keywords = not args.no_tag_keywords
    show = ctx.err.isatty() and len(ids) >= PROGRESS_FROM
    with ProgressLine(ctx.err, enabled=show) as bar:
        if not args.output:
            items = export_items(library, annotations, ids, name, library_order=True)
            export(items, name, ctx.out, bar.update, len(ids), tags_in_keywords=tags_in_keywords)
            return 0
        path = Path(args.output).expanduser()
        try:
            count = export_to_file(
                library,
                annotations,
                ids,
                name,
                path,
                bar.update,
                library_order=True,
                tags_in_keywords=tags_in_keywords,
            )
        except OSError as exc:
            raise CliError(f"cannot write {path}: {exc.strerror or exc}") from exc
    ctx.print(f"{count} records written to {path} ({EXPORT_FORMATS[name].label})")
    return 0


def _bar(n: int, largest: int, block: str) -> str:
    return block * max(1, round(n / largest * _BAR_WIDTH)) if n and largest else ""


def stats_lines(stats: PrismaStats, block: str = "█") -> list[str]:
    """The plain-text report of `peerlit stats`, with bars for the per-database counts."""
    lines = [f"Records identified: {stats.identified}"]
    width = max((len(n) for n in stats.by_database), default=0)
    largest = max(stats.by_database.values(), default=0)
    for name, n in stats.by_database.items():
        lines.append(f"  {name:<{width}}  {n:>7}  {_bar(n, largest, block)}")
    if len(stats.by_file) > 1:
        lines.append("  by file:")
        for file, n in stats.by_file.items():
            lines.append(f"    {Path(file).name}: {n}")
    lines += [
        f"Duplicates removed: {stats.duplicates} ({stats.refound} found again by id, "
        f"{stats.linked} linked as likely duplicates)",
        f"Records after duplicates: {stats.after_duplicates}",
        f"Records screened: {stats.screened} of {stats.after_duplicates}",
        f"  included   {stats.included:>7}",
        f"  excluded   {stats.excluded:>7}",
    ]
    for reason, n in stats.excluded_by_reason.items():
        lines.append(f"    {reason}: {n}")
    lines += [f"  maybe      {stats.maybe:>7}", f"  undecided  {stats.undecided:>7}"]
    return lines


def cmd_stats(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit stats [--json] [--prisma-csv FILE]`."""
    from peerlit_tui.services.export_job import write_atomically
    from peerlit_tui.services.stats import compute_stats, prisma_csv
    from peerlit_tui.services.stopping import stopping_lines, stopping_signal

    library = ctx.library()
    # Counting only reads: no lock, nothing written, no checkpoint at exit.
    annotations = ctx.annotations(read_only=True)
    stats = compute_stats(library, annotations)
    signal = stopping_signal(annotations, ctx.library_dir, stats.after_duplicates)
    if args.prisma_csv:
        path = Path(args.prisma_csv).expanduser()
        text = prisma_csv(stats)
        try:
            write_atomically(path, lambda stream: stream.write(text))
        except OSError as exc:
            raise CliError(f"cannot write {path}: {exc.strerror or exc}") from exc
    if args.json:
        ctx.emit_json({**stats.to_json(), "stopping": signal.to_json()})
        return 0
    encoding = getattr(ctx.out, "encoding", None) or "utf-8"
    try:
        "█│└─▁✓·".encode(encoding)
        block = "█"
    except (UnicodeEncodeError, LookupError):
        block = "#"
    for line in stats_lines(stats, block):
        ctx.print(line)
    ctx.print()
    for line in stopping_lines(signal, ascii_only=block == "#"):
        ctx.print(line)
    if args.prisma_csv:
        ctx.print(f"PRISMA flow-diagram CSV written to {args.prisma_csv}")
    return 0


# -- restoring annotations carried by an imported peerlit export ---------------------


def restore_imported_annotations(summary: ImportSummary, ctx: CliContext) -> RestoreSummary:
    """Apply the annotations that imported peerlit exports carry (see `annotation_import`).

    The annotations store is only opened when a file holds any.
    """
    from peerlit_tui.services.annotation_import import (
        RestoreSummary,
        read_annotations,
        restore_annotations,
    )

    files = [(Path(f.path), f.format) for f in summary.files if f.error is None and f.records]
    reading = read_annotations(files)
    if not reading.found:
        return RestoreSummary(problems=reading.problems)
    library = ctx.library()
    return restore_annotations(reading, ctx.annotations(), library.has)


def with_restored(data: dict[str, Any], restored: RestoreSummary) -> dict[str, Any]:
    """Add the restore to `peerlit import --json` output: a total and an "annotations" key."""
    data["totals"]["annotations_restored"] = restored.restored
    data["annotations"] = restored.to_json()
    return data


def restored_lines(restored: RestoreSummary, shown: int = 10) -> list[str]:
    """Plain-text lines about a restore; none when the files carried no annotations."""
    lines: list[str] = []
    if restored.found:
        lines.append(
            f"annotations restored for {restored.restored} of {restored.found} records "
            f"({len(restored.conflicts)} conflicts kept this library's value, "
            f"{len(restored.unmatched)} ids not in the library)"
        )
    for item in restored.conflicts[:shown]:
        lines.append(
            f"  conflict: {item['id']} {item['field']}: kept {item['library']!r}, "
            f"file has {item['file']!r}"
        )
    if len(restored.conflicts) > shown:
        lines.append(f"  … and {len(restored.conflicts) - shown} more conflicts")
    if restored.reasons_added:
        lines.append("  exclusion reasons added: " + ", ".join(restored.reasons_added))
    lines += [f"  ignored: {p}" for p in restored.problems[:shown]]
    return lines
