"""Record commands: `peerlit import`, `list`, `show`, `duplicates`, and the default command.

The JSON shapes printed with `--json` are documented in the README and kept stable;
`record_json` and `list_item_json` are the single place they are built.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peerlit_tui.cli.context import CliContext, CliError
from peerlit_tui.cli.import_options import add_import_options, column_choice, screening_labels
from peerlit_tui.cli.progress import ProgressLine
from peerlit_tui.services.library import Library, UnknownRecordError

if TYPE_CHECKING:
    from peerlit_tui.model import Record
    from peerlit_tui.query import Query
    from peerlit_tui.services.import_summary import ImportSummary
    from peerlit_tui.services.search import AnnotationLookup

#: Skipped lines and warnings listed per file; `--verbose` lists them all.
SHOWN_DIAGNOSTICS = 10
#: `list --limit N` first searches this many records (at least), then three times as
#: many after them, and so on: the first N matches in library order are found
#: without reading the whole library when they come early, as they usually do, and
#: no record is searched twice when they do not.
_FIRST_SLICE = 2000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the record commands to the sub-command parser."""
    p = sub.add_parser("import", help="import export files into the library")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to import")
    p.add_argument(
        "--format",
        choices=_FormatNames(),
        metavar="FORMAT",  # a metavar keeps argparse from listing (importing) the formats
        help="force a format instead of sniffing: %(choices)s",
    )
    p.add_argument("--source", metavar="NAME", help="source database name (e.g. Scopus)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help=f"list every skipped line and warning (default: the first {SHOWN_DIAGNOSTICS})",
    )
    add_import_options(p)
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("list", help="list records, optionally filtered")
    p.add_argument(
        "query",
        nargs="*",
        help='a query: words that must all appear, "phrases", -word, OR, (...), '
        "field:value (title, author, year:2010..2020, tag, decision, findings, ...), /regex/",
    )
    p.add_argument("--limit", type=int, default=0, metavar="N", help="show at most N records")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", help="show every field of one record")
    p.add_argument("id", help="record id, DOI or unique id prefix")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("duplicates", help="list likely duplicates; link or unlink a pair")
    p.add_argument("id", nargs="?", help="only the links of this record")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--unlink", nargs=2, metavar=("A", "B"), help="mark A and B as distinct")
    group.add_argument("--link", nargs=2, metavar=("A", "B"), help="mark A and B as duplicates")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_duplicates)


class _FormatNames(Sequence[str]):
    """The import format names, read only when argparse checks or lists them.

    Listing them imports every parser, which a `peerlit show` must not pay for.
    """

    def _names(self) -> list[str]:
        from peerlit_tui.importers import format_names

        return format_names()

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, value: object) -> bool:
        return value in self._names()


def expand_paths(raw: list[str]) -> list[Path]:
    """Expand folders into the files they hold (sorted); files are kept as given."""
    out: list[Path] = []
    for item in raw:
        path = Path(item).expanduser()
        if path.is_dir():
            out.extend(
                p for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith(".")
                and p.name.lower() != "readme.md"
            )  # fmt: skip
        else:
            out.append(path)
    return out


def import_into(
    library: Library, paths: list[Path], args: argparse.Namespace, ctx: CliContext
) -> ImportSummary:
    """Import with a progress line on an interactive terminal."""
    show = not getattr(args, "json", False) and ctx.err.isatty()
    with ProgressLine(ctx.err, enabled=show) as bar, column_choice(args):
        return library.import_files(
            paths,
            format_name=getattr(args, "format", None),
            database=getattr(args, "source", None),
            progress=bar.update,
        )


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit import PATH…`."""
    paths = expand_paths(args.paths)
    if not paths:
        raise CliError("no files to import in " + ", ".join(args.paths))
    summary = import_into(ctx.library(), paths, args, ctx)
    # Annotations carried by a peerlit export come back with it (one undo step).
    from peerlit_tui.cli import output_commands as out

    restored = out.restore_imported_annotations(summary, ctx)
    # Other review tools' screening labels: applied with --labels, else only counted.
    labels = screening_labels(summary, args, ctx)
    if args.json:
        data = out.with_restored(summary.to_json(), restored)
        data["labels"] = labels.to_json()
        ctx.emit_json(data)
        return summary.exit_code
    for f in summary.files:
        if f.error:
            ctx.error(f"{f.path}: {f.error}")
            continue
        ctx.print(
            f"{f.path} ({f.format}, {f.encoding}): {f.records} records: {f.added} added, "
            f"{f.already_present} already present, {f.duplicates_linked} duplicates linked, "
            f"{len(f.skipped)} skipped"
        )
        if f.shared_doi:
            ctx.print(
                f"  {f.shared_doi} records share a DOI with a different paper: each keeps "
                "an id of its own (DOI#title-hash), linked as 'shared DOI'"
            )
        for item in f.split:
            ctx.print(
                f"  split: {item['split_off']} was merged into {item['id']} by an earlier "
                f"import; {item['id']} keeps its id and annotations"
            )
        _diagnostics(ctx, f.path, "skipped", f.skipped, args.verbose)
        _diagnostics(ctx, f.path, "warning", f.warnings, args.verbose)
    totals = summary.to_json()["totals"]
    if len(summary.files) > 1:
        ctx.print(
            f"total: {totals['records']} records: {totals['added']} added, "
            f"{totals['already_present']} already present, "
            f"{totals['duplicates_linked']} duplicates linked, {totals['skipped']} skipped"
            + (f", {totals['shared_doi']} with a shared DOI kept apart" if totals["shared_doi"]
               else "")
            + (f", {totals['split']} split out of earlier merges" if totals["split"] else "")
        )  # fmt: skip
    for line in out.restored_lines(restored):
        ctx.print(line)
    for line in labels.lines():
        ctx.print(line)
    return summary.exit_code


def _diagnostics(
    ctx: CliContext, path: str, what: str, items: list[dict[str, Any]], verbose: bool
) -> None:
    """List skipped lines or warnings on stderr: the first few, then how many more."""
    shown = items if verbose else items[:SHOWN_DIAGNOSTICS]
    for item in shown:
        ctx.err.write(f"  {what} at line {item['line']}: {item['message']}\n")
    if len(items) > len(shown):
        ctx.err.write(
            f"  … and {len(items) - len(shown)} more {what} lines in {path} "
            "(--verbose lists them all)\n"
        )


def list_item_json(record: Record) -> dict[str, Any]:
    """The stable JSON shape of one record in `peerlit list --json`."""
    return {
        "id": record.id,
        "type": record.type,
        "title": record.title,
        "title_derived": record.title_derived,
        "authors": [a.name for a in record.authors],
        "year": record.year,
        "journal": record.journal,
        "doi": record.doi,
    }


def record_json(record: Record, library: Library, annotations: dict[str, Any]) -> dict[str, Any]:
    """The stable JSON shape of `peerlit show --json`."""
    out = list_item_json(record)
    out.update(
        {
            "type_detail": record.type_detail,
            "date": record.date,
            "volume": record.volume,
            "issue": record.issue,
            "pages": record.pages,
            "issn": record.issn,
            "isbn": record.isbn,
            "url": record.url,
            "language": record.language,
            "publisher": record.publisher,
            "keywords": list(record.keywords),
            "sections": [
                {"heading": s.heading, "text": s.text, "key": s.key} for s in record.abstract
            ],
            "teaser": record.teaser,
            "listing_count": record.listing_count,
            "extra": dict(record.extra),
            "sources": [p.to_dict() for p in record.sources],
            "duplicates": library.duplicates_of(record.id),
            "annotations": annotations,
        }
    )
    return out


def parse_query(words: list[str]) -> Query:
    """Parse a query given on the command line (complete, not being typed)."""
    from peerlit_tui.query import QueryError, parse

    try:
        return parse(" ".join(words), complete=True)
    except QueryError as exc:
        raise CliError(f"bad query: {exc}", 2) from exc


def first_matches(
    library: Library, query: Query, annotations: AnnotationLookup | None, limit: int
) -> tuple[list[str], int | None]:
    """The first `limit` matching ids in library order (all when `limit` <= 0).

    The library is searched a slice at a time, each slice after the last, until
    `limit` matches are found: the first slice holds `_FIRST_SLICE` records (or
    four per match wanted), and each next one as many as all before it together,
    times three, so the slices end where the first 2,000, 8,000, 32,000, ...
    records end. Only the list columns of each slice are read and no bitmaps are
    built, so neither numpy nor the whole library is loaded for a short answer.

    Returns:
        (ids, how many records match), the count None when the search stopped at
        `limit` matches before reaching the end of the library.
    """
    from peerlit_tui.query import QueryError
    from peerlit_tui.services.search import SearchIndex

    total = library.count()
    found: list[str] = []
    searched, after = 0, 0  # records searched, and the row of the last one
    size = max(4 * limit, _FIRST_SLICE) if limit > 0 else total
    while True:
        whole = searched + size >= total
        wanted = None if whole else size
        store = library.store
        columns = (
            store.load_columns_since(after, wanted) if searched else store.load_columns(wanted)
        )
        index = SearchIndex(library, annotations, columns=columns)
        try:
            found += index.ids(index.search(query).rows)
        except QueryError as exc:  # a regular expression that ran out of time
            raise CliError(f"bad query: {exc}", 2) from exc
        finally:
            index.close()
        if whole or not len(columns):
            return (found[:limit] if limit > 0 else found), len(found)
        if len(found) >= limit:
            return found[:limit], None
        searched += len(columns)
        after = columns.rowids[-1]
        size = 3 * searched


def cmd_list(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit list [QUERY]`: the records, then a count on stderr ("5 of 418 records")."""
    query = parse_query(args.query)
    library = ctx.library()
    # Annotations are opened only when the query asks about them (tag:, decision:, ...).
    annotations = ctx.annotations(read_only=True) if query.uses_annotations() else None
    ids, matched = first_matches(library, query, annotations, max(args.limit, 0))
    if args.json:
        ctx.emit_json([list_item_json(r) for r in library.iter_records(ids)])
        return 0
    # Printed as they are read, so `peerlit list | head` stops early.
    for r in library.iter_records(ids):
        year = str(r.year) if r.year else "----"
        title = ("~ " if r.title_derived else "") + r.title
        ctx.print(f"{r.id:<14} {year}  {r.author_short()[:24]:<24}  {title}")
    ctx.out.flush()
    ctx.err.write(_count_line(len(ids), matched, library.count(), args.limit) + "\n")
    return 0


def _count_line(shown: int, matched: int | None, total: int, limit: int) -> str:
    """The count after a listing: "5 of 418 records", or what a --limit left out."""
    if matched is None:
        return f"{shown:,} of {total:,} records shown (--limit {limit}; more match)"
    if matched > shown:
        return f"{shown:,} shown of {matched:,} matching, {total:,} records (--limit {limit})"
    return f"{matched:,} of {total:,} records"


def _resolve(library: Library, text: str) -> str:
    try:
        return library.resolve_id(text)
    except UnknownRecordError as exc:
        raise CliError(str(exc), 2) from exc


def cmd_show(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit show ID`."""
    from peerlit_tui.cli.show_text import format_record

    library = ctx.library()
    record = library.get(_resolve(library, args.id))
    if record is None:  # pragma: no cover - resolve_id guarantees existence
        raise CliError(f"no record with id {args.id!r}")
    service = ctx.annotations(read_only=True, records=[record.id])
    annotations = service.to_json(record.id)
    if args.json:
        from peerlit_tui.services.team import decisions_of

        data = record_json(record, library, annotations)
        data["decisions"] = decisions_of(service, record.id)  # keyed by reviewer
        ctx.emit_json(data)
        return 0
    for line in format_record(record, library.duplicates_of(record.id), annotations):
        ctx.print(line)
    return 0


def cmd_duplicates(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit duplicates [ID] [--link A B | --unlink A B]`."""
    library = ctx.library()
    if args.link or args.unlink:
        a, b = (_resolve(library, x) for x in (args.link or args.unlink))
        if a == b:
            raise CliError("a record cannot be linked to itself")
        changed = library.link(a, b) if args.link else library.unlink(a, b)
        verb = "linked" if args.link else "unlinked"
        if not changed and args.unlink:
            raise CliError(f"{a} and {b} are not linked as duplicates")
        if args.json:
            ctx.emit_json({"a": a, "b": b, "status": verb, "changed": changed})
        else:
            ctx.print(f"{verb}: {a} {b}")
        return 0
    links = library.store.all_links()
    if args.id:
        wanted = _resolve(library, args.id)
        links = [link for link in links if wanted in link[:2]]
    if args.json:
        ctx.emit_json([{"a": a, "b": b, "reason": r, "status": s} for a, b, r, s in links])
        return 0
    for a, b, reason, status in links:
        # A shared-DOI pair is two different papers, shown so the user can check it.
        shown = "different papers" if status == "distinct" else status
        ctx.print(f"{a}  {b}  {shown}  ({reason})")
    return 0


def default_command(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit` with no command: open the library in the app.

    The app itself offers the sample data when the library is empty. Without a
    terminal (output piped) or without the app's dependencies, the records are
    listed instead; an empty library gets a hint on stderr and exit code 2, and
    nothing is ever imported behind the user's back (`peerlit | head`).
    """
    import importlib.util

    if ctx.out.isatty() and importlib.util.find_spec("textual") is not None:
        from peerlit_tui.ui import run_app

        ctx.close()
        return run_app(ctx.library_dir)
    library = ctx.library()
    if library.count() == 0:
        from peerlit_tui.services.project import sample_data_dir

        sample = sample_data_dir()
        hint = f"; or try the sample data: peerlit import {sample}" if sample else ""
        raise CliError(
            f"the library in {ctx.library_dir} is empty: add records with "
            f"`peerlit import FILE...`{hint}",
            2,
        )
    args.query, args.limit, args.json = [], 0, False
    return cmd_list(args, ctx)
