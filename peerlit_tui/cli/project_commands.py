"""Settings commands: the user config file and the project settings kept with the library.

`peerlit config path|show|init` concern the personal config file;
`peerlit criteria`, `peerlit words` and `peerlit searches` read and change the
project's inclusion criteria, highlighting words and saved searches. Every
command takes `--json`, and a change prints the resulting settings.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from peerlit_tui.cli.context import CliContext, CliError

if TYPE_CHECKING:
    from peerlit_tui.services.project import ProjectSettings

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]

Handler = Callable[[argparse.Namespace, CliContext], int]
T = TypeVar("T")


def register(sub: SubParsers) -> None:
    """Add the settings commands to the sub-command parser."""
    p = _command(
        sub,
        "config",
        cmd_config,
        "the config file: its path, the settings in effect, or a commented default file",
        "[path | show | init]",
    )
    p.add_argument(
        "action",
        nargs="?",
        choices=("path", "show", "init"),
        default="show",
        help="path: print where it is; show (default): the settings in effect; "
        "init: write a commented default file if there is none",
    )

    p = _command(
        sub,
        "criteria",
        cmd_criteria,
        "show or set the project's inclusion criteria",
        "[--set TEXT|-]",
    )
    p.add_argument("--set", metavar="TEXT", help="replace them ('' clears, '-' reads stdin)")

    p = _command(
        sub,
        "words",
        cmd_words,
        "show or change the keyword highlighting lists",
        "[--include W ...] [--exclude W ...] [--remove W ...]",
    )
    for flag, what in (
        ("--include", "add to the include list (green); * is a wildcard"),
        ("--exclude", "add to the exclude list (red)"),
        ("--remove", "remove from whichever list holds it"),
    ):
        p.add_argument(flag, metavar="W", nargs="+", action="extend", default=[], help=what)

    p = _command(
        sub,
        "searches",
        cmd_searches,
        "list, save, rename or delete saved searches",
        "[--save SLOT QUERY [--name N]] [--rename SLOT NAME] [--delete SLOT]",
    )
    p.add_argument("--save", nargs=2, metavar=("SLOT", "QUERY"), help="save QUERY on key 1-9")
    p.add_argument("--name", metavar="N", help="the saved search's name (with --save)")
    p.add_argument("--rename", nargs=2, metavar=("SLOT", "NAME"), help="rename a saved search")
    p.add_argument("--delete", metavar="SLOT", help="delete the search saved on SLOT")


def _command(sub: SubParsers, name: str, handler: Handler, help_text: str, usage: str) -> Any:
    p = sub.add_parser(
        name, help=help_text, description=help_text, usage=f"peerlit {name} {usage} [--json]"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=handler)
    return p


def _attempt(call: Callable[[], T]) -> T:
    try:
        return call()
    except ValueError as exc:
        raise CliError(str(exc), 2) from exc
    except OSError as exc:
        raise CliError(f"cannot save the project settings: {exc}", 2) from exc


def _project(ctx: CliContext) -> ProjectSettings:
    """Open the project settings, new projects taking their words from the user config."""
    from peerlit_tui.config import load_config
    from peerlit_tui.services.project import ProjectSettings

    config, warnings = load_config()
    for warning in warnings:
        ctx.error(f"warning: {warning}")
    settings = _attempt(
        lambda: ProjectSettings(
            ctx.library_dir,
            include_words=config.highlight.include_words,
            exclude_words=config.highlight.exclude_words,
        )
    )
    for warning in settings.warnings:
        ctx.error(f"warning: {warning}")
    settings.warnings.clear()
    return settings


# -- config -------------------------------------------------------------------------


def cmd_config(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit config [path|show|init]`; 1 when the file has problems (init: already exists)."""
    from peerlit_tui.config import DEFAULT_FILE, config_path, load_config

    path = config_path()
    if args.action == "path":
        if args.json:
            ctx.emit_json({"path": str(path), "exists": path.is_file()})
        else:
            ctx.print(str(path))
        return 0
    if args.action == "init":
        created = not path.exists()
        if created:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "x", encoding="utf-8") as f:
                    f.write(DEFAULT_FILE)
            except OSError as exc:
                raise CliError(f"cannot write {path}: {exc.strerror or exc}", 2) from exc
        if args.json:
            ctx.emit_json({"path": str(path), "created": created})
        elif created:
            ctx.print(f"wrote {path}")
        else:
            ctx.error(f"{path} already exists; left as it is")
        return 0 if created else 1
    config, warnings = load_config(path)
    # The keymap is checked against the app's key table (which loads no toolkit):
    # unknown ids, and remaps that clash with or hide another action, by name.
    from peerlit_tui.ui.keys import check_keymap

    warnings = warnings + check_keymap(config)
    if args.json:
        ctx.emit_json(
            {
                "path": str(path),
                "exists": path.is_file(),
                "config": config.to_json(),
                "warnings": warnings,
            }
        )
    else:
        for warning in warnings:
            ctx.error(f"warning: {warning}")
        ctx.print(f"# settings in effect ({path}{'' if path.is_file() else ': no such file'})")
        ctx.out.write(config.to_toml())
    return 1 if warnings else 0


# -- project settings ---------------------------------------------------------------


def cmd_criteria(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit criteria [--set TEXT|-]`."""
    settings = _project(ctx)
    if args.set is not None:
        text = sys.stdin.read() if args.set == "-" else args.set
        _attempt(lambda: settings.set_criteria(text))
    criteria = settings.criteria()
    if args.json:
        ctx.emit_json({"criteria": criteria})
    elif criteria:
        ctx.print(criteria)
    else:
        ctx.print("no inclusion criteria yet; write them with: peerlit criteria --set TEXT")
    return 0


def cmd_words(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit words [--include W…] [--exclude W…] [--remove W…]`."""
    from peerlit_tui.highlight import clean_word, word_key

    # Check every word before changing anything, so a typo changes nothing.
    include = [_attempt(partial(clean_word, w)) for w in args.include]
    exclude = [_attempt(partial(clean_word, w)) for w in args.exclude]
    clash = {word_key(w) for w in include} & {word_key(w) for w in exclude}
    if clash:
        raise CliError(f"{', '.join(sorted(clash))}: a word goes in one list, not both", 2)
    settings = _project(ctx)
    held = {word_key(w) for w in settings.include_words() + settings.exclude_words()}
    missing = [w for w in args.remove if word_key(w) not in held]
    if missing:
        raise CliError(f"not in either list: {', '.join(missing)}", 2)
    for word in args.remove:
        for kind in ("include", "exclude"):
            _attempt(partial(settings.remove_word, kind, word))
    for kind, words in (("include", include), ("exclude", exclude)):
        for word in words:
            _attempt(partial(settings.add_word, kind, word))
    if args.json:
        ctx.emit_json({"include": settings.include_words(), "exclude": settings.exclude_words()})
        return 0
    for kind, words in (
        ("include", settings.include_words()),
        ("exclude", settings.exclude_words()),
    ):
        ctx.print(f"{kind}: {', '.join(words) if words else '-'}")
    return 0


def cmd_searches(args: argparse.Namespace, ctx: CliContext) -> int:
    """`peerlit searches [--save SLOT QUERY [--name N]] [--rename SLOT NAME] [--delete SLOT]`."""
    if args.name is not None and not args.save:
        raise CliError("--name goes with --save SLOT QUERY (use --rename SLOT NAME)", 2)
    settings = _project(ctx)
    if args.save:
        slot, query = args.save
        _attempt(lambda: settings.save_search(slot, query, args.name))
    if args.rename:
        slot, name = args.rename
        _attempt(lambda: settings.rename_search(slot, name))
    if args.delete is not None and not _attempt(lambda: settings.delete_search(args.delete)):
        raise CliError(f"no search is saved on {args.delete}", 2)
    searches = settings.saved_searches().values()
    if args.json:
        ctx.emit_json({"searches": [s.to_json() for s in searches]})
        return 0
    if not searches:
        ctx.print("no saved searches; save one with: peerlit searches --save 1 QUERY")
    for search in searches:
        name = "" if search.name == search.query else f"{search.name}: "
        ctx.print(f"{search.slot}  {name}{search.query}")
    return 0
