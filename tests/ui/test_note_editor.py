"""The note editor: Ctrl+S saves, Esc keeps typed text, pastes are cleaned."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Static

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.ui.screens.main import MainScreen
from peerlit_tui.ui.screens.note_editor import NoteEditor, NoteTextArea
from tests.ui.conftest import make_test_app, settle

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


async def test_a_note_changed_elsewhere_while_the_editor_is_open_is_kept(ui_library: Path) -> None:
    # The editor opened on an empty note; a colleague writes one from the command
    # line; saving must keep theirs and the typed text too, and say so.
    app = make_test_app(ui_library)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, MainScreen)
            record_id = screen.record_list.current_id
            assert record_id is not None
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, NoteEditor)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "peerlit_tui",
                    "--library",
                    str(ui_library),
                    "note",
                    record_id,
                    "colleague's note",
                ],
                check=True,
                capture_output=True,
            )
            await pilot.press("m", "i", "n", "e", "ctrl+s")
            await settle(pilot)
            shown = [n.message for n in app._notifications]
    finally:
        app.close_services()
    with AnnotationService.open(ui_library, read_only=True) as svc:
        note = svc.get(record_id).note
    assert note.startswith("colleague's note")
    assert "conflicting edit" in note and note.rstrip().endswith("mine")
    assert any("changed elsewhere" in str(m) for m in shown)
