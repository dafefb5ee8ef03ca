"""Quick lookups import only what they use; the command table matches the commands."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from peerlit_tui.cli import COMMANDS, build_parser, command_of
from tests.cli.helpers import sample_library, subprocess_env

#: Modules a quick lookup must not pay for: the app, rich, the exporters, the
#: ranking model, shell completion.
HEAVY = ("textual", "rich", "peerlit_tui.ui", "peerlit_tui.exporters", "sklearn", "argcomplete")
#: ... nor the import parsers.
PARSERS = (
    "peerlit_tui.importers.ris",
    "peerlit_tui.importers.bibtex",
    "peerlit_tui.importers.columns",
    "peerlit_tui.importers.csv_tsv",
    "peerlit_tui.importers.emerald",
    "peerlit_tui.importers.xlsx",
)

_SNIPPET = """
import json, sys
from peerlit_tui.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""


def imported(tmp_path: Path, *argv: str) -> tuple[set[str], str]:
    """The modules a `peerlit ARGV` run has imported when it ends, and `-X importtime`."""
    report = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", _SNIPPET, str(report), *argv],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(report.read_text())
    assert data["code"] == 0, done.stderr
    return set(data["modules"]), done.stderr


def heavy(modules: set[str], names: tuple[str, ...] = HEAVY) -> list[str]:
    return [h for h in names if any(m == h or m.startswith(h + ".") for m in modules)]


def import_chain(importtime: str, module: str) -> str:
    """Who imported `module`: "a <- b <- c", read from `-X importtime`'s indentation."""
    rows = [line.rsplit("|", 1)[-1] for line in importtime.splitlines() if "|" in line]
    names = [(len(r) - len(r.lstrip()), r.strip()) for r in rows]
    for i, (depth, name) in enumerate(names):
        if name == module or name.startswith(module + "."):
            chain, want = [name], depth
            for later_depth, later in names[i + 1 :]:  # a parent is listed after its children
                if later_depth < want:
                    chain.append(later)
                    want = later_depth
            return " <- ".join(chain)
    return module


def _lookups(folder: Path, ids: list[str]) -> list[list[str]]:
    lib = ["--library", str(folder)]
    return [
        [*lib, "show", ids[0], "--json"],
        [*lib, "show", ids[0]],
        [*lib, "list", "peer", "--limit", "3"],
        [*lib, "decide", ids[1], "include"],
        [*lib, "tag", ids[1], "quick"],
    ]


def test_quick_lookups_import_no_app_no_rich_no_exporters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "library"
    for argv in _lookups(folder, sample_library(folder, capsys)):
        modules, importtime = imported(tmp_path, *argv)
        found = heavy(modules)
        assert found == [], (argv[2:], [import_chain(importtime, h) for h in found])


def test_quick_lookups_import_no_parser(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "library"
    for argv in _lookups(folder, sample_library(folder, capsys)):
        modules, importtime = imported(tmp_path, *argv)
        found = heavy(modules, PARSERS)
        assert found == [], (argv[2:], [import_chain(importtime, h) for h in found])


def test_help_imports_no_command_module(tmp_path: Path) -> None:
    # --help exits through SystemExit.
    report = tmp_path / "modules.json"
    catching = "code = 0\ntry:\n    main(sys.argv[2:])\nexcept SystemExit:\n    pass"
    snippet = _SNIPPET.replace("code = main(sys.argv[2:])", catching)
    done = subprocess.run(
        [sys.executable, "-c", snippet, str(report), "--help"],
        capture_output=True, text=True, env=subprocess_env(), timeout=60,
    )  # fmt: skip
    assert "show every field of one record" in done.stdout
    modules = set(json.loads(report.read_text())["modules"])
    loaded = {m for m in modules if m.startswith("peerlit_tui.")}
    assert not loaded & {f"peerlit_tui.cli.{module}" for module, _ in COMMANDS.values()}
    assert not [m for m in loaded if m.startswith(("peerlit_tui.services", "peerlit_tui.storage."))]


class _Recorder:
    """Records every sub-command a module registers, with its help."""

    def __init__(self) -> None:
        self.helps: dict[str, str] = {}

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        self.helps[name] = kwargs.get("help", "")
        return argparse.ArgumentParser(add_help=False)


def test_command_table_lists_every_command_with_its_modules_help() -> None:
    modules = sorted({module for module, _ in COMMANDS.values()})
    registered: dict[str, tuple[str, str]] = {}
    for module_name in modules:
        recorder = _Recorder()
        importlib.import_module(f"peerlit_tui.cli.{module_name}").register(recorder)
        registered.update({n: (module_name, h) for n, h in recorder.helps.items()})
    assert registered == COMMANDS


def test_full_parser_parses_every_command_and_the_command_is_found_past_options() -> None:
    parser = build_parser(None)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(sub.choices) == list(COMMANDS)
    assert command_of(["--library", "show", "list", "x"]) == "list"
    assert command_of(["--library=lib", "show", "x"]) == "show"
    assert command_of(["--version"]) is None
    assert command_of(["nosuch"]) is None
