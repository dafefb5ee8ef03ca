"""The `peerlit` command line: a table of sub-commands, each loaded only when it runs.

`COMMANDS` names every sub-command, the module under `peerlit_tui.cli` that
registers it and its one-line help. A run imports only the module of the command
it runs, so a quick lookup (`peerlit show ID`) pays neither for the terminal app
nor for the import parsers; `peerlit --help` imports no command module at all.

Each module registers its sub-commands on the parser and gives each a handler
`handler(args, ctx) -> int`. Handlers never let an exception reach the user as a
traceback: `main` turns `CliError`, the library's own errors and the operating
system's (read-only folder, full disk) into one clear message and an exit code
(0 ok, 1 partial, 2 failure or bad usage).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from peerlit_tui import __version__
from peerlit_tui.cli.context import CliContext, CliError, explain
from peerlit_tui.cli.safe_io import InterruptGuard, control_free

_REVIEWER_ENV = "PEERLIT_REVIEWER"

#: Every sub-command in help order: name → (module under peerlit_tui.cli, one-line help).
COMMANDS: dict[str, tuple[str, str]] = {
    "import": ("records", "import export files into the library"),
    "list": ("records", "list records, optionally filtered"),
    "show": ("records", "show every field of one record"),
    "duplicates": ("records", "list likely duplicates; link or unlink a pair"),
    "tag": ("annotate", "add tags to records, or remove them with --remove"),
    "note": ("annotate", "replace a record's note ('-' reads it from stdin)"),
    "rate": ("annotate", "rate a record from 0 (not rated) to 5"),
    "read": ("annotate", "set a record's read status"),
    "decide": ("annotate", "record a screening decision"),
    "history": ("annotate", "every change to a record's annotations"),
    "undo": ("annotate", "undo the latest annotation change"),
    "redo": ("annotate", "redo the latest undone change"),
    "tags": ("annotate", "list tags with counts; rename, merge or delete one"),
    "reasons": ("annotate", "list, add or remove exclusion reasons"),
    "doctor": ("annotate", "check the annotations store and repair it"),
    "reviewers": ("team_commands", "list the reviewers; rename one"),
    "agreement": ("team_commands", "agreement between reviewers: counts and κ"),
    "conflicts": ("team_commands", "records the reviewers disagree on"),
    "resolve": ("team_commands", "resolve a conflict with a final decision"),
    "blind": ("team_commands", "show or set blind mode (reviewers see only their own)"),
    "sync": ("sync_commands", "share annotations with the team through a git remote"),
    "tui": ("app_commands", "open the library in the terminal app"),
    "open": ("app_commands", "import export files, then open the app"),
    "export": ("output_commands", "export records with their annotations"),
    "stats": ("output_commands", "PRISMA counts: databases, duplicates, screening"),
    "rank": ("rank_commands", "retrain the relevance model and list the likely inclusions"),
    "simulate": (
        "rank_commands",
        "replay a labelled export with the ranking model and report WSS@95",
    ),
    "config": (
        "project_commands",
        "the config file: its path, the settings in effect, or a commented default file",
    ),
    "criteria": ("project_commands", "show or set the project's inclusion criteria"),
    "words": ("project_commands", "show or change the keyword highlighting lists"),
    "searches": ("project_commands", "list, save, rename or delete saved searches"),
    "serve": ("serve_command", "serve the app in a web browser (needs the 'serve' extra)"),
    "completion": ("completion", "print the shell completion script (bash, zsh or fish)"),
}

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]


class _OnlyOne:
    """Stands in for the sub-parsers while a module registers its commands.

    Only `wanted` becomes a real sub-command (with the table's help); the module's
    other commands get a detached parser that is thrown away, so one module can be
    asked for any one of its commands.
    """

    def __init__(self, sub: SubParsers, wanted: str) -> None:
        self._sub = sub
        self._wanted = wanted

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if name != self._wanted:
            return argparse.ArgumentParser(add_help=False)
        kwargs["help"] = COMMANDS[name][1]
        parser: argparse.ArgumentParser = self._sub.add_parser(name, **kwargs)
        return parser


def command_of(argv: Sequence[str]) -> str | None:
    """The sub-command named in `argv` (None when there is none, or it is unknown)."""
    args = iter(argv)
    for arg in args:
        if arg in ("--library", "--reviewer"):
            next(args, None)
        elif arg == "--":
            return None
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def build_parser(command: str | None = "") -> argparse.ArgumentParser:
    """Build the argument parser.

    Args:
        command: The one sub-command to build in full (the others are listed by
            name and help only, so nothing else is imported); None builds every
            command in full (for shell completion and tests); "" builds none.
    """
    parser = argparse.ArgumentParser(
        prog="peerlit",
        description="Screen and annotate literature search exports from the keyboard.",
        epilog="Run `peerlit COMMAND --help` for a command's options. With no command, "
        "peerlit opens the library in the terminal app.",
    )
    parser.add_argument("--version", action="version", version=f"peerlit {__version__}")
    library = parser.add_argument(
        "--library",
        metavar="DIR",
        help="library folder (default: $PEERLIT_LIBRARY or the user data folder)",
    )
    library.completer = _complete_dirs  # type: ignore[attr-defined]
    parser.add_argument(
        "--reviewer",
        metavar="NAME",
        help="who makes the changes, before or after the command "
        "(default: $PEERLIT_REVIEWER, the config's reviewer, the login name)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        if command is None or name == command:
            module = importlib.import_module(f"peerlit_tui.cli.{module_name}")
            module.register(_OnlyOne(sub, name))
        else:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def _complete_dirs(prefix: str, **_: Any) -> list[str]:
    from peerlit_tui.cli.completion import complete_dirs

    return complete_dirs(prefix)


def _complete() -> None:
    """Answer a shell's completion request (argcomplete's protocol), then exit."""
    from peerlit_tui.cli.completion import autocomplete

    autocomplete(build_parser, command_of)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name; defaults to `sys.argv[1:]`.

    Returns:
        The process exit code.
    """
    if "_ARGCOMPLETE" in os.environ:
        _complete()
    # Ctrl-C ends any command at once with 130 and no traceback (cli/safe_io.py).
    interrupts = InterruptGuard().install()
    words, reviewer = _take_reviewer(sys.argv[1:] if argv is None else list(argv))
    previous = os.environ.get(_REVIEWER_ENV)
    if reviewer is not None:
        os.environ[_REVIEWER_ENV] = reviewer
    try:
        return _run(words, interrupts)
    finally:  # a caller running several commands in one process gets its own back
        if previous is None:
            os.environ.pop(_REVIEWER_ENV, None)
        else:
            os.environ[_REVIEWER_ENV] = previous


def _run(words: list[str], interrupts: InterruptGuard) -> int:
    try:
        parser = build_parser(command_of(words) or "")
        args = parser.parse_args(words)
    except BaseException:  # --help, a usage error: SystemExit
        interrupts.restore()
        raise
    # What commands print is cleaned of escapes and controls, like the app's display.
    ctx = CliContext(
        library=args.library,
        out=control_free(sys.stdout),
        err=control_free(sys.stderr, keep_cr=True),
    )
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            from peerlit_tui.cli.records import default_command

            handler = default_command
        with interrupts.unwinding():
            return int(handler(args, ctx))
    except CliError as exc:
        ctx.error(str(exc))
        return exc.code
    except KeyboardInterrupt:
        ctx.error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (`peerlit list | head`): stop quietly, and point
        # stdout at nothing so the interpreter's final flush does not complain.
        with _suppressed():
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # never show a traceback; say what failed instead
        query = sys.modules.get("peerlit_tui.query")  # loaded if it raised: no import cost
        if query is not None and isinstance(exc, query.QueryError):
            ctx.error(f"bad query: {exc}")  # e.g. a regular expression that took too long
        else:
            ctx.error(explain(exc, ctx.library_dir))
        return 2
    finally:
        try:
            ctx.close()
        except Exception as exc:  # a failure while closing is reported, not raised
            ctx.error(explain(exc, ctx.library_dir))
        interrupts.restore()


def _take_reviewer(words: list[str]) -> tuple[list[str], str | None]:
    """Take `--reviewer NAME` from anywhere before `--`; it names the reviewer of this run.

    The name reaches the annotations service as `PEERLIT_REVIEWER`, so it holds
    after the command name too (`peerlit decide ID include --reviewer bob`).
    """
    out: list[str] = []
    name: str | None = None
    rest = iter(words)
    for word in rest:
        if word == "--":
            out.append(word)
            out.extend(rest)
            break
        if word == "--reviewer":
            given = next(rest, None)
            if given is None:
                out.append(word)  # argparse reports the missing name
                break
            name = given
        elif word.startswith("--reviewer="):
            name = word.split("=", 1)[1]
        else:
            out.append(word)
    return out, name


def _suppressed() -> Any:
    from contextlib import suppress

    return suppress(OSError, ValueError)
