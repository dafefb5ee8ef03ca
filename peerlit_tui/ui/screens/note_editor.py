"""The note editor: a modal multi-line editor for one record's note.

Nothing a user typed is ever lost: Ctrl+S saves and closes, and Esc closes *and saves*
when the text changed (it returns None only when nothing changed). Asking "save
changes?" on Esc was rejected because the answer is yes in practice, and a question
in the way of Esc slows down keyboard screening; to throw an edit away, undo it
(Ctrl+Z) before closing or clear the note afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual import events
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static, TextArea

from peerlit_tui.ui.bindings import bindings_for, keymap_of
from peerlit_tui.ui.keys import key_label
from peerlit_tui.ui.text_render import safe_content, safe_line, safe_str


class NoteTextArea(TextArea):
    """A `TextArea` that drops control characters from pasted text.

    A terminal paste can carry escape sequences; typed keys cannot, and the store
    cleans notes again when saving, but the text area would echo them before that.
    """

    async def _on_paste(self, event: events.Paste) -> None:
        # Runs before the base class's handler, which then inserts the cleaned text.
        event.text = safe_str(event.text)


class NoteEditor(ModalScreen[str | None]):
    """Edit a note; dismisses with the new text, or None when nothing changed.

    Args:
        note: The current note.
        title: Title of the record, shown in the header.
    """

    BINDINGS: ClassVar[list[BindingType]] = [*bindings_for("note")]
    """Editor keys; the text area's own keys (Ctrl+Z undo, ...) work as usual."""

    DEFAULT_CSS = """
    NoteEditor {
        align: center middle;
        & > #note-dialog {
            width: 90%;
            max-width: 100;
            height: 80%;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & #note-title { height: auto; max-height: 2; text-style: bold; }
        & #note-text { height: 1fr; }
        & #note-help { height: 1; color: $text-muted; }
    }
    """
    """A centred dialog over the main screen."""

    def __init__(
        self, note: str = "", *, title: str = "", heading: str = "", dialog_title: str = "Note"
    ) -> None:
        super().__init__()
        self._original = safe_str(note)
        self._title = safe_line(title)
        self._heading = safe_line(heading)
        self._dialog_title = safe_line(dialog_title)
        self.text_area = NoteTextArea(
            self._original, soft_wrap=True, show_line_numbers=False, id="note-text"
        )
        """The editing area."""

    @property
    def text(self) -> str:
        """The text as currently edited."""
        return self.text_area.text

    @property
    def changed(self) -> bool:
        """True when the text differs from the note the editor opened with."""
        return self.text_area.text != self._original

    def compose(self) -> Iterable[Widget]:
        """Yield the dialog: header, text area and a key hint."""
        with Vertical(id="note-dialog") as dialog:
            dialog.border_title = self._dialog_title
            heading = (
                Content(self._heading)
                if self._heading
                else Content.assemble("Note on ", safe_content(self._title or "this record"))
            )
            yield Static(heading, id="note-title")
            yield self.text_area
            save, close = (
                key_label("note.save", self.app_keymap),
                key_label("note.close", self.app_keymap),
            )
            yield Static(Content(f"{save} save · {close} close (changes are kept)"),
                         id="note-help")  # fmt: skip

    def on_mount(self) -> None:
        """Put the cursor at the end of the note, ready to add to it."""
        self.text_area.focus()
        self.text_area.move_cursor(self.text_area.document.end)

    @property
    def app_keymap(self) -> dict[str, str]:
        """The app's keymap, for the key labels (empty outside a running app)."""
        return keymap_of(self)

    def action_save(self) -> None:
        """Close, returning the text."""
        self.dismiss(self.text)

    def action_close(self) -> None:
        """Close, returning the text when it changed and None otherwise."""
        self.dismiss(self.text if self.changed else None)
