"""The user configuration as the app applies it: theme, keymap, sort, columns, highlighting.

`apply_config` runs once in the app's constructor. It reads the config file
(`peerlit_tui.config.load_config`), checks the choices only the UI can judge (the
theme exists, every keymap entry names a real binding id), applies the theme and the
keymap, and keeps the settings and the warnings for the main screen, which applies
the rest (sort, columns, highlighting, screening) and shows the warnings once it is
on screen. A broken file never stops the app: the warnings say what was ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from textual.binding import Binding

from peerlit_tui.config import Config, check_choices, load_config

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode

_CONFIGS: WeakKeyDictionary[App[Any], tuple[Config, list[str]]] = WeakKeyDictionary()


def binding_ids(classes: Iterable[type[DOMNode]]) -> set[str]:
    """Every binding id defined by `classes` and their bases."""
    ids: set[str] = set()
    for cls in classes:
        for base in cls.__mro__:
            for binding in base.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    ids.add(binding.id)
    return ids


def _ui_classes(app: App[Any]) -> list[type[DOMNode]]:
    # Imported here: the screens import the app module, which calls `apply_config`.
    from peerlit_tui.ui.clipboard import CopyMenu
    from peerlit_tui.ui.screens.export_dialog import ExportDialog
    from peerlit_tui.ui.screens.main import MainScreen
    from peerlit_tui.ui.screens.stats import StatsScreen
    from peerlit_tui.ui.widgets.detail_pane import DetailPane
    from peerlit_tui.ui.widgets.filter_bar import FilterBar
    from peerlit_tui.ui.widgets.record_list import RecordList
    from peerlit_tui.ui.widgets.tag_controls import ReasonPicker
    from peerlit_tui.ui.widgets.tag_panel import TagPanel

    return [
        type(app), MainScreen, RecordList, DetailPane, FilterBar, TagPanel, ReasonPicker,
        CopyMenu, StatsScreen, ExportDialog,
    ]  # fmt: skip


def apply_config(app: App[Any], path: Path | None = None) -> Config:
    """Read the user config and apply its theme and keymap to `app`.

    Never raises for a bad file: every problem becomes a warning (`config_warnings`).

    Args:
        app: The app, from its constructor.
        path: The config file; defaults to `$PEERLIT_CONFIG` or the platform's folder.

    Returns:
        The settings in effect.
    """
    try:
        config, warnings = load_config(path)
        warnings += check_choices(
            config, themes=list(app.available_themes), binding_ids=binding_ids(_ui_classes(app))
        )
    except Exception as exc:  # a config must never stop the app
        config, warnings = Config(), [f"cannot use the config file ({exc}); using the defaults"]
    if ("theme",) in config.lines:
        # Only a theme the file names: the app's own default stays otherwise.
        app.theme = config.theme
    if config.keymap:
        app.set_keymap(config.keymap)
    _CONFIGS[app] = (config, warnings)
    return config


def config_of(app: App[Any]) -> Config:
    """The settings `apply_config` applied to `app` (defaults when it never ran)."""
    found = _CONFIGS.get(app)
    return found[0] if found is not None else Config()


def take_config_warnings(app: App[Any]) -> list[str]:
    """The config warnings not shown yet (each is returned once)."""
    found = _CONFIGS.get(app)
    if found is None:
        return []
    warnings = list(found[1])
    found[1].clear()
    return warnings
