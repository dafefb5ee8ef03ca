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
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen

from peerlit_tui.ui import Services, open_services
from peerlit_tui.ui.commands import BindingCommands
from peerlit_tui.ui.text_render import safe_line, safe_str

if TYPE_CHECKING:
    from peerlit_tui.storage.records import ListColumns

#: The bundled sample data (a source checkout's `sample_data/`), offered when a library is empty.
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"


class TaskFailed(Message):
    """A background task failed; the app tells the user (`on_task_failed`).

    Args:
        what: The task in words ("Loading the library").
        error: The exception it raised.
    """

    def __init__(self, what: str, error: BaseException | None) -> None:
        super().__init__()
        self.what = what
        self.error = error


class PeerlitApp(App[int]):
    """Screen and annotate a library of literature records.

    Args:
        library_dir: The library folder.
        services: Already-open services (tests); opened from `library_dir` when None.
        open_paths: Export files to import once the library is loaded.
        sample_dir: Folder of sample exports offered when the library is empty.
        cursor_blink: False for deterministic screenshots.
        theme: Textual theme name; None keeps Textual's default.
    """

    CSS_PATH = "app.tcss"
    TITLE = "peerlit"
    COMMANDS = App.COMMANDS | {BindingCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help",
                tooltip="Show every key of the focused pane and the app"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True,
                id="app.command_palette", tooltip="Search every action by name"),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit peerlit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit_anywhere",
                tooltip="Quit peerlit, even while typing"),
        Binding("ctrl+c", "help_quit", show=False, system=True, id="app.help_quit"),
    ]  # fmt: skip
    """
    | Key(s) | Description |
    | :- | :- |
    | ? | Keys of the focused pane and the app. |
    | ctrl+p | Command palette: every action by name. |
    | q, ctrl+q | Quit. |
    """

    def __init__(
        self,
        library_dir: Path,
        *,
        services: Services | None = None,
        open_paths: Sequence[Path] = (),
        sample_dir: Path | None = SAMPLE_DIR,
        cursor_blink: bool = True,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        self.library_dir = Path(library_dir)
        self.services = services
        """The open services, once the main screen has loaded them."""
        self.open_paths = list(open_paths)
        self.sample_dir = sample_dir if sample_dir is not None and sample_dir.is_dir() else None
        self.cursor_blink = cursor_blink
        self._services_lock = threading.Lock()
        if theme is not None:
            self.theme = theme

    def get_default_screen(self) -> Screen[None]:
        """The main screen (imported here: the screen module needs `TaskFailed` from this one)."""
        from peerlit_tui.ui.screens.main import MainScreen

        return MainScreen(self.load_library, open_paths=self.open_paths, sample_dir=self.sample_dir)

    def load_library(self) -> tuple[Services, ListColumns]:
        """The library's services (opened on first call) and fresh list columns.

        Called from the main screen's loading thread (again after each import).
        """
        with self._services_lock:
            if self.services is None:
                self.services = open_services(self.library_dir)
            services = self.services
        return services, services.library.columns()

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
        """Show the keys of the focused pane and the app."""
        from peerlit_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own commands, minus the ones peerlit lists itself."""
        for command in super().get_system_commands(screen):
            if command.title not in {"Quit", "Keys"}:
                yield command
