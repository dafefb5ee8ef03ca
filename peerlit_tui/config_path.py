"""Where the user configuration file is, without loading the configuration module.

`services.reviewers` reads one key of the file on every annotation command; the
full `peerlit_tui.config` (settings classes, highlighting words, regular
expressions) is loaded only by what uses the settings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Whether the user config folder follows the XDG rule (as platformdirs has it on Linux).
_XDG: bool = sys.platform.startswith("linux")


def config_path() -> Path:
    """The config file to read: `$PEERLIT_CONFIG`, else the platform's user config folder."""
    env = os.environ.get("PEERLIT_CONFIG")
    if env:
        return Path(env).expanduser()
    if _XDG:
        # platformdirs' XDG rule, without loading it (~3 ms of every quick command):
        # an absolute $XDG_CONFIG_HOME, else ~/.config (a test holds the two equal).
        base = os.environ.get("XDG_CONFIG_HOME", "").strip()
        if not os.path.isabs(base):
            base = os.path.expanduser("~/.config")
        return Path(base) / "peerlit" / "config.toml"
    from platformdirs import user_config_dir

    return Path(user_config_dir("peerlit", appauthor=False)) / "config.toml"
