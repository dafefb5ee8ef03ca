"""The user configuration as the app applies it: theme and keymap, checked against the app.

`load_settings` runs once in the app's constructor. It reads the config file
(`peerlit_tui.config.load_config`), checks what only the UI can judge (the theme
exists, every keymap entry names an action of the key table, no remap clashes with
another key) and returns the settings with the warnings; the app applies the theme
and the keymap and hands the rest to the main screen, which shows the warnings once
it is on screen. A broken file never stops the app: the warnings say what was ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from peerlit_tui.config import Config, check_choices, load_config
from peerlit_tui.ui.keys import check_keymap


def load_settings(themes: Iterable[str], path: Path | None = None) -> tuple[Config, list[str]]:
    """Read and check the user config; never raises for a bad file.

    Args:
        themes: The theme names the app offers.
        path: The config file; defaults to `$PEERLIT_CONFIG` or the platform's folder.

    Returns:
        The settings in effect (keymap ids renamed to the current ones) and the warnings.
    """
    try:
        config, warnings = load_config(path)
        warnings += check_choices(config, themes=list(themes))
        warnings += check_keymap(config)
    except Exception as exc:  # a config must never stop the app
        config, warnings = Config(), [f"cannot use the config file ({exc}); using the defaults"]
    return config, warnings
