"""Layering rules, checked at run time: the core never loads textual, only storage loads tinydb."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "peerlit_tui"

CORE_MODULES = [
    "peerlit_tui.model",
    "peerlit_tui.text",
    "peerlit_tui.sections",
    "peerlit_tui.authors",
    "peerlit_tui.identity",
    "peerlit_tui.importers",
    "peerlit_tui.importers.registry",
    "peerlit_tui.storage.records",
    "peerlit_tui.storage.annotations",
    "peerlit_tui.services.library",
    "peerlit_tui.services.annotations",
    "peerlit_tui.services.search",
    "peerlit_tui.cli",
]


def _loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "from peerlit_tui.importers.registry import all_formats\n"
        "all_formats()\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out))


def test_core_never_imports_textual() -> None:
    loaded = _loaded_after_import(CORE_MODULES)
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_only_the_annotations_store_imports_tinydb() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "tinydb" or n.startswith("tinydb.") for n in names):
                rel = path.relative_to(PACKAGE).as_posix()
                if rel != "storage/annotations.py":
                    offenders.append(rel)
    assert offenders == []


@pytest.mark.parametrize("layer", ["model.py", "text.py", "importers", "storage", "services"])
def test_lower_layers_do_not_import_upper_layers(layer: str) -> None:
    forbidden = {
        "model.py": (
            "peerlit_tui.importers",
            "peerlit_tui.storage",
            "peerlit_tui.services",
            "peerlit_tui.ui",
            "peerlit_tui.cli",
        ),
        "text.py": (
            "peerlit_tui.importers",
            "peerlit_tui.storage",
            "peerlit_tui.services",
            "peerlit_tui.ui",
            "peerlit_tui.cli",
        ),
        "importers": (
            "peerlit_tui.storage",
            "peerlit_tui.services",
            "peerlit_tui.ui",
            "peerlit_tui.cli",
        ),
        "storage": (
            "peerlit_tui.services",
            "peerlit_tui.ui",
            "peerlit_tui.cli",
            "peerlit_tui.importers",
        ),
        "services": ("peerlit_tui.ui", "peerlit_tui.cli"),
    }[layer]
    target = PACKAGE / layer
    files = [target] if target.is_file() else list(target.rglob("*.py"))
    bad = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith(forbidden)
            ):
                bad.append(f"{path.name}: {node.module}")
            if isinstance(node, ast.Import):
                bad += [
                    f"{path.name}: {a.name}" for a in node.names if a.name.startswith(forbidden)
                ]
    assert bad == []


def _core_modules() -> list[str]:
    """Every module outside the UI (and the entry point), found by walking the package."""
    import pkgutil

    import peerlit_tui

    return sorted(
        info.name
        for info in pkgutil.walk_packages(peerlit_tui.__path__, "peerlit_tui.")
        if not info.name.startswith(("peerlit_tui.ui", "peerlit_tui.__main__"))
    )


def test_no_core_module_loads_textual() -> None:
    # Every module, found by walking the package (a new one is covered without a list).
    # rich is checked by the import-linter contract on our own imports only: a
    # dependency (scikit-learn) loads it by itself.
    loaded = _loaded_after_import(_core_modules())
    assert not {m for m in loaded if m.split(".")[0] == "textual"}


def test_the_key_table_and_the_ui_entry_load_no_toolkit() -> None:
    # The command line checks keymaps and prints key tables without loading Textual.
    loaded = _loaded_after_import(
        ["peerlit_tui.ui", "peerlit_tui.ui.keys", "peerlit_tui.ui.sorting"]
    )
    assert not {m for m in loaded if m.split(".")[0] in {"textual", "rich"}}


def _ui_modules() -> list[Path]:
    return sorted((PACKAGE / "ui").rglob("*.py"))


def test_no_screen_inherits_another_of_the_projects_screens() -> None:
    screens = PACKAGE / "ui" / "screens"
    classes: dict[str, list[str]] = {}
    for path in screens.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                classes[node.name] = [ast.unparse(b).split("[")[0] for b in node.bases]
    own = set(classes)
    assert classes, "ui/screens holds the screens"
    assert {name: bases for name, bases in classes.items() if own & set(bases)} == {}


def test_ui_has_no_module_level_state_and_widgets_push_no_screens() -> None:
    bad = []
    for path in _ui_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in {
                "WeakKeyDictionary",
                "getattr(self.app, 'library_dir')",
            }:
                bad.append(f"{path.name}: {ast.unparse(node)}")
            if "widgets" in path.parts and isinstance(node, ast.Attribute):
                if node.attr == "push_screen":
                    bad.append(f"{path.name}: pushes a screen")
    assert bad == []


@pytest.mark.skipif(
    shutil.which("lint-imports") is None
    and not (Path(sys.executable).parent / "lint-imports").exists(),
    reason="import-linter not installed",
)
def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    done = subprocess.run(
        [exe, "--config", str(PACKAGE.parent / ".importlinter")],
        capture_output=True, text=True, cwd=PACKAGE.parent, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
