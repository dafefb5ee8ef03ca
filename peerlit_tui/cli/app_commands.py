"""Commands that open the terminal app: `peerlit tui` and `peerlit open FILE…`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from peerlit_tui.cli.context import CliContext, CliError
from peerlit_tui.cli.import_options import add_import_options, screening_labels
from peerlit_tui.cli.records import expand_paths, import_into


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the app commands to the sub-command parser."""
    p = sub.add_parser("tui", help="open the library in the terminal app")
    p.set_defaults(handler=cmd_tui)

    p = sub.add_parser("open", help="import export files, then open the app")
    p.add_argument("paths", nargs="+", metavar="FILE", help="files or folders to import")
    p.add_argument("--source", metavar="NAME", help="source database name (e.g. Scopus)")
    add_import_options(p)
    p.set_defaults(handler=cmd_open)


def _run(ctx: CliContext, notices: Sequence[str] = ()) -> int:
    from peerlit_tui.ui import run_app

    # The app opens the stores itself, in its loading thread; close this run's copies.
    ctx.close()
    return run_app(ctx.library_dir, notices=notices)


def cmd_tui(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit tui`: open the app."""
    return _run(ctx)


def cmd_open(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit open FILE…`: import the files (with a progress line), then open the app."""
    paths = expand_paths(args.paths)
    if not paths:
        raise CliError("no files to import in " + ", ".join(args.paths))
    summary = import_into(ctx.library(), paths, args, ctx)
    for f in summary.files:
        if f.error:
            ctx.error(f"{f.path}: {f.error}")
    if summary.exit_code == 2:
        raise CliError("nothing could be imported; the app was not opened")
    # A peerlit export brings its annotations back, as with `peerlit import`.
    from peerlit_tui.cli import output_commands as out

    for line in out.restored_lines(out.restore_imported_annotations(summary, ctx)):
        ctx.err.write(line + "\n")
    for line in screening_labels(summary, args, ctx).lines():
        ctx.err.write(line + "\n")
    # The app shows the same summary on start: the lines above scroll away behind it.
    from peerlit_tui.ui.import_text import import_summary_text

    return _run(ctx, notices=[import_summary_text(summary)])
