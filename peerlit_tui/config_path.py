"""Where the user configuration file is, without loading the configuration module.

`services.reviewers` reads one key of the file on every annotation command; the
full `peerlit_tui.config` (settings classes, highlighting words, regular
expressions) is loaded only by what uses the settings.
"""

from __future__ import annotations

import os
from pathlib import Path


def config_path() -> Path:
    """The config file to read: `$PEERLIT_CONFIG`, else the platform's user config folder."""
    env = os.environ.get("PEERLIT_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("peerlit", appauthor=False)) / "config.toml"
