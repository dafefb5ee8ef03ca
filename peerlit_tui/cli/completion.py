"""Shell completion: `peerlit completion bash|zsh|fish` and answering the shell's requests.

Completion goes through argcomplete: the script printed by `peerlit completion SHELL`
makes the shell run `peerlit` itself with the words typed so far in its environment
(`_ARGCOMPLETE`, `COMP_LINE`), and `peerlit` answers with the candidates. So
commands, options and choices always match the installed version, and record ids
come live from the library: an id is completed from what is typed with one indexed
prefix query, so a TAB costs about as much as `peerlit show` even at 100,000
records. Only the command being completed is built (see `peerlit_tui.cli`).

Install, e.g. for bash: `peerlit completion bash >> ~/.bashrc` (or save it under
`~/.local/share/bash-completion/completions/peerlit`); zsh: `peerlit completion zsh
> "${fpath[1]}/_peerlit"`; fish: `peerlit completion fish >
~/.config/fish/completions/peerlit.fish`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from peerlit_tui.cli.context import CliContext

SHELLS = ("bash", "zsh", "fish")
#: At most this many ids are offered for one TAB (a shell lists them all).
MAX_IDS = 200
#: Positionals that hold a record id (or start with one: `tag ID TAG...`).
_ID_ARGS = frozenset({"id", "items"})
_PAIR_OPTIONS = frozenset({"link", "unlink"})
_DECISIONS = ("include", "exclude", "maybe", "undecided")
_READ = ("unread", "skimmed", "read")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `completion` to the sub-command parser."""
    p = sub.add_parser(
        "completion",
        help="print the shell completion script (bash, zsh or fish)",
        description="Print the script that gives `peerlit` tab completion of commands, "
        "options and record ids. bash: peerlit completion bash >> ~/.bashrc; "
        'zsh: peerlit completion zsh > "${fpath[1]}/_peerlit"; '
        "fish: peerlit completion fish > ~/.config/fish/completions/peerlit.fish",
    )
    p.add_argument("shell", choices=SHELLS, help="the shell to print the script for")
    p.set_defaults(handler=cmd_completion)


def cmd_completion(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit completion bash|zsh|fish`: print the script."""
    from argcomplete.shell_integration import shellcode

    ctx.out.write(shellcode(["peerlit"], shell=args.shell))
    return 0


def autocomplete(
    build_parser: Callable[[str | None], argparse.ArgumentParser],
    command_of: Callable[[Sequence[str]], str | None],
) -> None:
    """Answer the shell's completion request and exit (argcomplete's protocol)."""
    import argcomplete
    from argcomplete.lexers import split_line

    line = os.environ.get("COMP_LINE", "")
    point = int(os.environ.get("COMP_POINT", len(line)))
    try:
        words = split_line(line, point)[3][1:]
    except Exception:  # an unbalanced quote: complete as if nothing was typed
        words = []
    parser = build_parser(command_of(words) or "")
    attach_completers(parser)
    argcomplete.autocomplete(parser, default_completer=argcomplete.completers.SuppressCompleter())
    # Reached only when argcomplete declined (not a completion request after all).
    os._exit(1)


def attach_completers(parser: argparse.ArgumentParser) -> None:
    """Give record-id, decision and path arguments their completers."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                _attach(name, sub)


def _attach(command: str, parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        dest = action.dest
        if not action.option_strings and dest in _ID_ARGS:
            action.completer = _positional(command)  # type: ignore[attr-defined]
        elif dest in _PAIR_OPTIONS:
            action.completer = complete_ids  # type: ignore[attr-defined]
        elif dest in ("ids_from", "output", "prisma_csv") or dest == "paths":
            action.completer = _complete_files  # type: ignore[attr-defined]


def _positional(command: str) -> Callable[..., list[str]]:
    """The completer of `command`'s id positional (`items` is "ID then more")."""

    def complete(prefix: str, parsed_args: argparse.Namespace, **kwargs: Any) -> list[str]:
        before = list(getattr(parsed_args, "items", None) or [])
        if getattr(parsed_args, "ids_from", None) or before:
            if command == "decide":
                return [d for d in _DECISIONS if d.startswith(prefix)]
            return []  # tags: free text
        if command == "read" and getattr(parsed_args, "id", None):
            return [r for r in _READ if r.startswith(prefix)]
        return complete_ids(prefix, parsed_args, **kwargs)

    return complete


def complete_ids(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
    """Record ids starting with `prefix`, from the library named on the line."""
    from peerlit_tui.storage.paths import RECORDS_DB, resolve_library_dir

    folder = resolve_library_dir(getattr(parsed_args, "library", None))
    if not (folder / RECORDS_DB).is_file():
        return []  # never create a library just to complete a word
    from peerlit_tui.services.library import Library

    library = Library.open(folder)
    try:
        return library.store.ids_with_prefix(prefix.lower(), limit=MAX_IDS)
    finally:
        library.close()


def complete_dirs(prefix: str) -> list[str]:
    """Folders starting with `prefix` (for `--library`)."""
    return [p for p in _paths(prefix) if p.endswith("/")]


def _complete_files(prefix: str, **_: Any) -> list[str]:
    return _paths(prefix)


def _paths(prefix: str) -> list[str]:
    base = Path(os.path.expanduser(prefix or "."))
    folder, start = (base, "") if prefix.endswith("/") or not prefix else (base.parent, base.name)
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    head = prefix[: len(prefix) - len(start)]
    return [
        head + e.name + ("/" if e.is_dir() else "")
        for e in entries
        if e.name.startswith(start) and (start.startswith(".") or not e.name.startswith("."))
    ]
