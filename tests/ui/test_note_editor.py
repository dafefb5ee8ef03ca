"""The note editor: Ctrl+S saves, Esc keeps typed text, pastes are cleaned."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Static

from peerlit_tui.ui.screens.note_editor import NoteEditor, NoteTextArea

UNSET = object()


class EditorHost(App[None]):
    """Opens a note editor and keeps what it returned."""

    def __init__(self, note: str = "", title: str = "") -> None:
        super().__init__()
        self.note = note
        self.title_text = title
        self.result: object = UNSET
        self.editor: NoteEditor | None = None

    def compose(self) -> ComposeResult:
        yield Static("host")

    def on_mount(self) -> None:
        self.editor = NoteEditor(self.note, title=self.title_text)
        self.push_screen(self.editor, self._done)

    def _done(self, text: str | None) -> None:
        self.result = text


async def test_ctrl_s_returns_the_multi_line_text() -> None:
    app = EditorHost("first")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, NoteTextArea)
        # The cursor starts at the end, ready to add; Enter makes a new line.
        await pilot.press("enter", "s", "e", "c", "o", "n", "d", "ctrl+s")
        assert app.result == "first\nsecond"
        assert not isinstance(app.screen, NoteEditor)


async def test_ctrl_s_returns_the_text_even_when_unchanged() -> None:
    app = EditorHost("same")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert app.result == "same"


async def test_escape_keeps_what_was_typed() -> None:
    app = EditorHost("")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("h", "i", "escape")
        assert app.result == "hi"


async def test_escape_without_changes_returns_none() -> None:
    app = EditorHost("kept as is")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        assert app.result is None


async def test_pasted_control_sequences_are_dropped() -> None:
    app = EditorHost("")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        area = app.screen.query_one(NoteTextArea)
        # As a terminal paste arrives: to the app, which forwards it to the focused widget.
        app.post_message(events.Paste("a\x1b]52;c;SGVsbG8=\x07b\x1b[2Jc\u202ed\nnext"))
        await pilot.pause()
        assert area.text == "abcd\nnext"


async def test_title_and_note_are_shown_literally_and_cleaned() -> None:
    app = EditorHost("note \x1b[31mred\x1b[0m [bold]x[/]", title="[@click=app.quit]T[/]")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.editor is not None
        assert app.editor.text == "note red [bold]x[/]"
        title = str(app.editor.query_one("#note-title", Static).visual)
        assert title == "Note on [@click=app.quit]T[/]"
        await pilot.press("escape")
        assert app.result is None  # opening cleaned the text, which is not an edit
