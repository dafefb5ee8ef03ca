"""The `peerlit` command line: argument parsing and dispatch to sub-command modules.

Each module under `peerlit_tui.cli` registers its sub-commands on the parser and
gives each a handler `handler(args, ctx) -> int`. Handlers never let an exception
reach the user as a traceback: `main` turns `CliError` and unexpected errors into
one clear message and an exit code (0 ok, 1 partial, 2 failure or bad usage).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from peerlit_tui import __version__
from peerlit_tui.cli.context import CliContext, CliError


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every sub-command registered."""
    from peerlit_tui.cli import (
        annotate,
        app_commands,
        output_commands,
        project_commands,
        rank_commands,
        records,
        serve_command,
    )

    parser = argparse.ArgumentParser(
        prog="peerlit",
        description="Screen and annotate literature search exports from the keyboard.",
    )
    parser.add_argument("--version", action="version", version=f"peerlit {__version__}")
    parser.add_argument(
        "--library",
        metavar="DIR",
        help="library folder (default: $PEERLIT_LIBRARY or the user data folder)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    records.register(sub)
    annotate.register(sub)
    app_commands.register(sub)
    output_commands.register(sub)
    project_commands.register(sub)
    rank_commands.register(sub)
    serve_command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name; defaults to `sys.argv[1:]`.

    Returns:
        The process exit code.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = CliContext(library=args.library, out=sys.stdout, err=sys.stderr)
    handler = getattr(args, "handler", None)
    if handler is None:
        from peerlit_tui.cli.records import default_command

        handler = default_command
    try:
        return int(handler(args, ctx))
    except CliError as exc:
        ctx.error(str(exc))
        return exc.code
    except KeyboardInterrupt:
        ctx.error("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # never show a traceback; say what failed instead
        ctx.error(f"unexpected error: {type(exc).__name__}: {exc}")
        return 2
    finally:
        ctx.close()
