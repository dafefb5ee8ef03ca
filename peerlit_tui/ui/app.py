"""The peerlit application: wiring, global keys and the one place worker failures surface.

The app is deliberately thin. `MainScreen` owns the panes and the workers that load,
filter and import; the app opens the library's services when the screen asks for
them (in the screen's loading thread, so the shell paints first), closes them on
exit, and turns any failed background task into a notification.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen

from peerlit_tui.config import save_theme
from peerlit_tui.services.project import sample_data_dir
from peerlit_tui.ui.bindings import bindings_for
from peerlit_tui.ui.commands import KeyTableCommands
from peerlit_tui.ui.messages import TaskFailed
from peerlit_tui.ui.screens.help import HelpScreen
from peerlit_tui.ui.screens.main import MainOptions, MainScreen
from peerlit_tui.ui.session import Services, open_services
from peerlit_tui.ui.settings import load_settings
from peerlit_tui.ui.text_render import safe_line, safe_str

if TYPE_CHECKING:
    from peerlit_tui.list_columns import ListColumns

#: The bundled sample data (a source checkout's `sample_data/`), offered when a library is empty.
#: The bundled sample exports (package data; None when not installed).
SAMPLE_DIR = sample_data_dir()

__all__ = ["SAMPLE_DIR", "PeerlitApp", "TaskFailed"]


class PeerlitApp(App[int]):
    """Screen and annotate a library of literature records.

    Args:
        library_dir: The library folder.
        services: Already-open services (tests); opened from `library_dir` when None.
        open_paths: Export files to import once the library is loaded.
        sample_dir: Folder of sample exports offered when the library is empty.
        cursor_blink: False for deterministic screenshots.
        theme: Textual theme name; None keeps the config's (or Textual's default).
        config_path: The user config file (default: `$PEERLIT_CONFIG` or the platform's).
        notices: Messages to show once the app is up (an import summary).
    """

    CSS_PATH = "app.tcss"
    TITLE = "peerlit"
    COMMANDS = App.COMMANDS | {KeyTableCommands}

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("app")
    """Keys that work everywhere (`ui.keys`, context "app")."""

    def __init__(
        self,
        library_dir: Path,
        *,
        services: Services | None = None,
        open_paths: Sequence[Path] = (),
        sample_dir: Path | None = SAMPLE_DIR,
        cursor_blink: bool = True,
        theme: str | None = None,
        config_path: Path | None = None,
        notices: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.library_dir = Path(library_dir)
        self.services = services
        """The open services, once the main screen has loaded them."""
        self.open_paths = list(open_paths)
        self.sample_dir = sample_dir if sample_dir is not None and sample_dir.is_dir() else None
        self.cursor_blink = cursor_blink
        self._services_lock = threading.Lock()
        self.config, self.config_warnings = load_settings(self.available_themes, config_path)
        """The user settings in effect, and the problems found in the file."""
        self.keymap: dict[str, str] = dict(self.config.keymap)
        """Action id → keys the user chose (key labels on screen are built from it)."""
        if ("theme",) in self.config.lines:
            # Only a theme the file names: the app's own default stays otherwise.
            self.theme = self.config.theme
        if self.keymap:
            self.set_keymap(self.keymap)
        if theme is not None:
            self.theme = theme
        self._config_path = config_path
        self._notices = list(notices)
        self._theme_at_start = self.theme

    def get_default_screen(self) -> Screen[None]:
        """The main screen, given the library, the settings and what to import."""
        return MainScreen(
            MainOptions(
                library_dir=self.library_dir,
                load_library=self.load_library,
                config=self.config,
                config_warnings=list(self.config_warnings),
                open_paths=self.open_paths,
                sample_dir=self.sample_dir,
            )
        )

    def on_mount(self) -> None:
        """Keep a theme the user picks (in the palette) for the next start."""
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        for notice in self._notices:
            self.notify(notice, title="Import", timeout=15, markup=False)

    def _theme_changed(self, _theme: object) -> None:
        if self.theme == self._theme_at_start:
            return
        self._theme_at_start = self.theme
        try:
            save_theme(self.theme, self._config_path)
        except OSError as error:
            self.notify(f"The theme was not saved: {error}", severity="warning", markup=False)

    def load_library(self, limit: int | None = None) -> tuple[Services, ListColumns]:
        """The library's services (opened on first call) and fresh list columns.

        Called from the main screen's loading thread (again after each import).

        Args:
            limit: Read only the first `limit` records (a first screenful).
        """
        with self._services_lock:
            if self.services is None:
                self.services = open_services(self.library_dir)
            services = self.services
        return services, services.library.columns(limit)

    def close_services(self) -> None:
        """Close the services; safe to call twice."""
        with self._services_lock:
            if self.services is not None:
                services, self.services = self.services, None
                services.close()

    def on_unmount(self) -> None:
        """Flush and close the stores when the app ends."""
        self.close_services()

    @on(TaskFailed)
    def _task_failed(self, message: TaskFailed) -> None:
        """The single place background failures reach the user."""
        detail = f": {message.error}" if message.error is not None else ""
        # Errors can quote record text or file names: never parse them as markup.
        self.notify(f"{message.what} failed{detail}", severity="error", timeout=10, markup=False)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification, with control characters removed from its text.

        Notifications quote file names, errors and record text; whatever the caller
        passed, nothing in them reaches the terminal as an escape sequence.
        """
        super().notify(
            safe_str(message), title=safe_line(title), severity=severity, timeout=timeout,
            markup=markup,
        )  # fmt: skip

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Apply the cursor-blink setting to every text input as it gets focus."""
        if not self.cursor_blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    def action_help(self) -> None:
        """Show the keys by activity and the query syntax."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.keymap))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own commands, minus the ones peerlit lists itself."""
        for command in super().get_system_commands(screen):
            if command.title not in {"Quit", "Keys"}:
                yield command
