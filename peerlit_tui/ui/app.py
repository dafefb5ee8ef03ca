"""The peerlit application: wiring, global keys and the one place worker failures surface.

The app is deliberately thin. `MainScreen` owns the panes and the workers that load,
filter and import; the app opens the library's services when the screen asks for
them (in the screen's loading thread, so the shell paints first), closes them on
exit, and turns any failed background task into a notification.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen

from peerlit_tui.ui import Services, open_services
from peerlit_tui.ui.commands import BindingCommands, PaletteCommand
from peerlit_tui.ui.text_render import safe_line, safe_str

if TYPE_CHECKING:
    from peerlit_tui.model import Record
    from peerlit_tui.storage.records import ListColumns
    from peerlit_tui.ui.screens.main import MainScreen

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


#: Records read first, so a large library's list shows before all its columns are read.
FIRST_PAGE_ROWS = 300


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
        Binding("f3,ctrl+t", "stats", "Stats", show=False, id="app.stats",
                tooltip="PRISMA counts with a bar chart; write the PRISMA CSV"),
        Binding("f4,ctrl+e", "export", "Export", show=False, id="app.export",
                tooltip="Export the shown records or all, with annotations"),
        Binding("y", "copy_menu", "Copy", show=False, id="app.copy_menu",
                tooltip="Copy this record's DOI, citation, BibTeX or RIS (d/c/b/r)"),
        Binding("o", "open_link", "Open link", show=False, id="app.open_link",
                tooltip="Open this record's DOI or web address in a browser"),
    ]  # fmt: skip
    """
    | Key(s) | Description |
    | :- | :- |
    | ? | Keys of the focused pane and the app. |
    | ctrl+p | Command palette: every action by name. |
    | q, ctrl+q | Quit. |
    | F3, ctrl+t | PRISMA counts (stats screen). |
    | F4, ctrl+e | Export dialog. |
    | y | Copy menu: d DOI, c citation, b BibTeX, r RIS, o open link. |
    | o | Open the DOI or web address in a browser. |
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
        from peerlit_tui.ui.settings import apply_config  # user config: theme, keymap, …

        apply_config(self)
        if theme is not None:
            self.theme = theme

    def get_default_screen(self) -> Screen[None]:
        """The main screen (imported here: the screen module needs `TaskFailed` from this one)."""
        from peerlit_tui.ui.screens.main import MainScreen

        return MainScreen(
            self.load_library,
            open_paths=self.open_paths,
            sample_dir=self.sample_dir,
            first_page=lambda: self.load_library(limit=FIRST_PAGE_ROWS),
        )

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
        """Show the keys of the focused pane and the app."""
        from peerlit_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # -- outputs: stats, export, copy and open (screens in ui/screens, ui/clipboard) ------

    def _main_screen(self) -> MainScreen | None:
        from peerlit_tui.ui.screens.main import MainScreen

        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    def current_record(self) -> Record | None:
        """The record under the main list's cursor, or None (nothing loaded, empty list)."""
        main = self._main_screen()
        if main is None or main.services is None:
            return None
        record_id = main.record_list.current_id
        return main.services.library.get(record_id) if record_id is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Output actions need the loaded library; they act from the main screen only."""
        if action in {"stats", "export", "copy_menu", "open_link"}:
            main = self._main_screen()
            return main is not None and main.services is not None and self.screen is main
        return super().check_action(action, parameters)

    def action_stats(self) -> None:
        """Show the PRISMA counts."""
        from peerlit_tui.ui.screens.stats import StatsScreen

        main = self._main_screen()
        if main is not None and main.services is not None:
            self.push_screen(StatsScreen(main.services, self.library_dir))

    def action_export(self) -> None:
        """Open the export dialog for the shown records (or all)."""
        from peerlit_tui.ui.screens.export_dialog import ExportDialog

        main = self._main_screen()
        if main is not None and main.services is not None:
            ids = main.record_list.columns.ids
            shown = [ids[row] for row in main.record_list.rows]
            self.push_screen(ExportDialog(main.services, shown, ids))

    def action_copy_menu(self) -> None:
        """Ask what to copy of the current record."""
        from peerlit_tui.ui.clipboard import CopyMenu

        record = self.current_record()
        if record is None:
            self.notify("No record is selected.", severity="warning", markup=False)
            return
        self.push_screen(CopyMenu(record), partial(self._copy_picked, record))

    def _copy_picked(self, record: Record, kind: str | None) -> None:
        if kind == "open":
            self._open(record)
        elif kind:
            self._copy(record, kind)

    def action_copy(self, kind: str) -> None:
        """Copy "doi", "citation", "bibtex" or "ris" of the current record (palette)."""
        if (record := self.current_record()) is not None:
            self._copy(record, kind)

    def _copy(self, record: Record, kind: str) -> None:
        from peerlit_tui.ui.clipboard import copy_record_text

        copy_record_text(self, record, kind)

    def action_open_link(self) -> None:
        """Open the current record's DOI or URL in a browser."""
        if (record := self.current_record()) is not None:
            self._open(record)

    def _open(self, record: Record) -> None:
        from peerlit_tui.ui.clipboard import open_record_link

        open_record_link(self, record)

    def palette_commands(self) -> list[PaletteCommand]:
        """Copy commands, whose keys live in the copy menu."""
        if self.current_record() is None:
            return []
        return [
            PaletteCommand(f"Copy {label}", f"y then {key}", partial(self.action_copy, kind))
            for kind, label, key in (
                ("doi", "DOI", "d"), ("citation", "citation (APA style)", "c"),
                ("bibtex", "BibTeX entry", "b"), ("ris", "RIS entry", "r"),
            )
        ]  # fmt: skip

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own commands, minus the ones peerlit lists itself."""
        for command in super().get_system_commands(screen):
            if command.title not in {"Quit", "Keys"}:
                yield command
