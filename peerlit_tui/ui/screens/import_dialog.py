"""The import prompt: a file or folder path, completed as it is typed.

Right (or End) accepts the completion shown dim after the cursor, as in the tag
field; Enter imports. The import itself runs in the main screen's worker and ends
with the same summary the command line prints.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Input, Static

from peerlit_tui.ui.bindings import bindings_for, keymap_of
from peerlit_tui.ui.keys import key_label
from peerlit_tui.ui.text_render import SafeInput, safe_content

#: Entries of a folder looked at for a completion (a huge folder must not stall typing).
MAX_ENTRIES = 2000


def complete_path(value: str) -> str | None:
    """The first existing path that starts with what was typed (folders end in "/").

    Args:
        value: The path as typed; "~" stands for the home folder.
    """
    if not value:
        return None
    expanded = os.path.expanduser(value)
    folder, stem = os.path.split(expanded)
    try:
        with os.scandir(folder or ".") as entries:
            names = sorted(
                (e.name + ("/" if e.is_dir() else ""))
                for _n, e in zip(range(MAX_ENTRIES), entries, strict=False)
                if e.name.startswith(stem) and not e.name.startswith(".")
            )
    except OSError:
        return None
    if not names or names[0] == stem:
        return None
    typed_folder = value[: len(value) - len(stem)] if stem else value
    return typed_folder + names[0]


class PathSuggester(Suggester):
    """Completes file and folder names."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        """The completion of `value`, or None."""
        return complete_path(value)


class ImportDialog(ModalScreen[Path | None]):
    """Ask for a file or folder to import; dismisses with the path, or None.

    Args:
        start: The folder the field starts in.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("import")
    """Dialog keys (`ui.keys`, context "import")."""

    DEFAULT_CSS = """
    ImportDialog {
        align: center middle;
        & > #import-dialog {
            width: 76;
            max-width: 100%;
            height: auto;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & #import-path { width: 100%; }
        & #import-error { color: $text-error; height: auto; }
        & #import-help { color: $text-muted; height: 1; }
    }
    """

    def __init__(self, start: Path) -> None:
        super().__init__()
        self._start = start

    def compose(self) -> Iterable[Widget]:
        """The path field, an error line and the keys."""
        keymap = keymap_of(self)
        run, cancel = key_label("import.run", keymap), key_label("import.cancel", keymap)
        with Vertical(id="import-dialog") as dialog:
            dialog.border_title = "Import an export file or a folder of them"
            start = str(self._start).rstrip("/") + "/"
            yield SafeInput(start, suggester=PathSuggester(), id="import-path")
            yield Static(id="import-error")
            yield Static(Content(f"→ completes · Enter/{run} import · {cancel} cancel"),
                         id="import-help")  # fmt: skip

    def on_mount(self) -> None:
        """Focus the field with the cursor at its end."""
        field = self.query_one("#import-path", Input)
        field.focus()
        field.cursor_position = len(field.value)

    @on(Input.Submitted, "#import-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run_import()

    def action_run_import(self) -> None:
        """Close with the path when it exists; else say why not."""
        text = self.query_one("#import-path", Input).value.strip()
        path = Path(os.path.expanduser(text)) if text else None
        if path is None or not path.exists():
            self.query_one("#import-error", Static).update(
                safe_content(f"No such file or folder: {text}")
            )
            return
        self.dismiss(path)

    def action_close(self) -> None:
        """Close without importing."""
        self.dismiss(None)
