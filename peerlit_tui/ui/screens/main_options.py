"""What the main screen is given: the library folder, the settings, what to import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from peerlit_tui.config import Config

if TYPE_CHECKING:
    from peerlit_tui.list_columns import ListColumns
    from peerlit_tui.ui.session import Services

#: Returns the services and fresh list columns (first argument: a row limit or None).
LoadLibrary = Callable[[int | None], "tuple[Services, ListColumns]"]


@dataclass(slots=True)
class MainOptions:
    """What the main screen is given: the library, the settings, what to import.

    Attributes:
        library_dir: The library folder (project settings, default export paths).
        load_library: Services and list columns; a limit reads a first screenful.
        config: The user settings in effect.
        config_warnings: Problems found in the config, shown once the screen is up.
        open_paths: Export files to import once the library is loaded.
        sample_dir: Folder of sample exports offered when the library is empty.
        first_page: Show a first screenful before all list columns are read.
    """

    library_dir: Path
    load_library: LoadLibrary
    config: Config = field(default_factory=Config)
    config_warnings: list[str] = field(default_factory=list)
    open_paths: list[Path] = field(default_factory=list)
    sample_dir: Path | None = None
    first_page: bool = True
