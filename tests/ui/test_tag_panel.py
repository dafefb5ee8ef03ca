"""The tag panel on its own: every key posts the right message and nothing else.

The decision, rating, note and tag keys belong to the main screen (they act on the
record under the list cursor wherever the focus is); the host app here binds the
same rows of the key table and forwards them to the panel, as the screen does.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from peerlit_tui.annotation import Annotation
from peerlit_tui.ui.keys import KEY_TABLE, in_context
from peerlit_tui.ui.messages import NoteEditRequested
from peerlit_tui.ui.screens.help import HelpScreen
from peerlit_tui.ui.screens.note_editor import NoteEditor
from peerlit_tui.ui.widgets.detail_pane import AbstractSection, DetailPane
from peerlit_tui.ui.widgets.tag_controls import ReasonPicker, TagInput, TagList
from peerlit_tui.ui.widgets.tag_panel import TagPanel

TAG_COUNTS = {"peer support": 7, "Peer Work": 3, "qualitative": 2, "crisis": 1}
REASONS = ["wrong population", "not empirical", "duplicate"]


#: The main screen's actions that act through the panel.
PANEL_ACTIONS = {"decide", "exclude", "rate", "cycle_read", "edit_note", "add_tag"}


class TagHost(App[None]):
    """Hosts a tag panel with the screen's annotation keys and records what it posts."""

    BINDINGS = [  # noqa: RUF012 - a test host
        Binding(row.keys, row.action, row.description, id=row.id)
        for row in in_context("main") if row.action.split("(")[0] in PANEL_ACTIONS
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.posted: list[TagPanel.Changed] = []

    @property
    def panel(self) -> TagPanel:
        return self.query_one(TagPanel)

    def action_decide(self, decision: str) -> None:
        self.panel.decide(decision)

    def action_exclude(self) -> None:
        self.panel.action_exclude()

    def action_rate(self, rating: int) -> None:
        self.panel.action_rate(rating)

    def action_cycle_read(self) -> None:
        self.panel.action_cycle_read()

    def action_edit_note(self) -> None:
        self.panel.action_edit_note()

    def action_add_tag(self) -> None:
        self.panel.action_add_tag()

    @on(NoteEditRequested)
    def _note(self, message: NoteEditRequested) -> None:
        note = self.panel.annotation.note if self.panel.annotation else ""
        self.push_screen(
            NoteEditor(note), lambda text: self.panel.note_edited(message.record_id, text, note)
        )

    def compose(self) -> ComposeResult:
        yield TagPanel(id="tags")

    @on(TagPanel.Changed)
    def _record(self, message: TagPanel.Changed) -> None:
        self.posted.append(message)

    def show(self, annotation: Annotation | None, reasons: list[str] | None = None) -> TagPanel:
        panel = self.query_one(TagPanel)
        record_id = annotation.record_id if annotation is not None else None
        panel.show_annotation(
            record_id,
            annotation,
            tag_counts=TAG_COUNTS,
            reasons=REASONS if reasons is None else reasons,
            record_title="A [bold]title[/]",
        )
        panel.focus()
        return panel


def summary(message: TagPanel.Changed) -> tuple[Any, ...]:
    fields = [
        getattr(message, name)
        for name in ("tag", "decision", "reason", "rating", "read", "note")
        if hasattr(message, name)
    ]
    return (type(message).__name__, message.record_id, *fields)


async def test_adding_a_tag_with_completion_posts_tag_added() -> None:
    app = TagHost()
    async with app.run_test(size=(80, 24)) as pilot:
        app.show(Annotation("r1", tags=("crisis",)))
        await pilot.press("t")
        assert isinstance(app.focused, TagInput)
        await pilot.press("p", "e")
        await pilot.pause()
        assert app.focused._suggestion == "peer support"  # the most used tag first
        await pilot.press("right")  # accept the completion
        assert app.focused.value == "peer support"
        await pilot.press("enter")
        assert [summary(m) for m in app.posted] == [("TagAdded", "r1", "peer support")]
        assert app.focused.value == ""  # ready for the next tag


async def test_completion_is_case_and_accent_blind_and_skips_tags_already_present() -> None:
    app = TagHost()
    async with app.run_test(size=(80, 24)) as pilot:
        app.show(Annotation("r1", tags=("peer support",)))
        await pilot.press("t", "P", "E")
        await pilot.pause()
        field = app.query_one(TagInput)
        assert field._suggestion == "Peer Work"
        field.value = "QUÁL"
        await pilot.pause()
        assert field._suggestion == "qualitative"


async def test_a_new_tag_is_cleaned_and_bad_or_repeated_tags_are_refused() -> None:
    app = TagHost()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.show(Annotation("r1", tags=("crisis",)))
        field = app.query_one(TagInput)
        field.focus()
        field.value = "  brand\tnew  "
        await pilot.press("enter")
        field.value = "x" * 81
        await pilot.press("enter")
        message = str(panel.query_one("#tag-message", Static).visual)
        assert "at most 80" in message
        field.value = "CRISIS"
        await pilot.press("enter")
        assert "already tagged" in str(panel.query_one("#tag-message", Static).visual)
        assert [summary(m) for m in app.posted] == [("TagAdded", "r1", "brand new")]
        await pilot.press("escape")
        assert app.focused is panel


async def test_decision_keys_post_decision_set() -> None:
    app = TagHost()
    async with app.run_test(size=(80, 24)) as pilot:
        app.show(Annotation("r1"), reasons=[])
        await pilot.press("i", "m", "u", "x")
        assert [summary(m) for m in app.posted] == [
            ("DecisionSet", "r1", "include", None),
            ("DecisionSet", "r1", "maybe", None),
            ("DecisionSet", "r1", "undecided", None),
            ("DecisionSet", "r1", "exclude", None),  # no reasons defined: no question
        ]


async def test_exclude_asks_for_a_reason_by_number() -> None:
    app = TagHost()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.show(Annotation("r1"))
        picker = panel.query_one(ReasonPicker)
        assert picker.display is False
        await pilot.press("x")
        assert (picker.display, app.focused) == (True, picker)
        assert app.posted == []
        await pilot.press("2")
        assert not picker.display and app.focused is panel
        await pilot.press("x", "0")  # 0: exclude without a reason
        await pilot.press("x", "escape")  # Esc: no change at all
        await pilot.press("x", "down", "down", "down", "enter")  # arrows + Enter: reason 3
        assert [summary(m) for m in app.posted] == [
            ("DecisionSet", "r1", "exclude", "not empirical"),
            ("DecisionSet", "r1", "exclude", None),
            ("DecisionSet", "r1", "exclude", "duplicate"),
        ]


async def test_after_the_reason_focus_returns_where_the_exclude_key_was_pressed() -> None:
    app = TagHost()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.show(Annotation("r1"))
        field = panel.query_one(TagInput)
        field.focus()  # stands in for the record list, which keeps focus while screening
        await pilot.pause()
        panel.action_exclude()  # what the screen's own exclude key calls
        await pilot.pause()
        assert [app.focused] == [panel.query_one(ReasonPicker)]
        await pilot.press("1")
        assert [app.focused] == [field]
        assert [summary(m) for m in app.posted] == [
            ("DecisionSet", "r1", "exclude", "wrong population")
        ]


async def test_rating_and_read_keys() -> None:
    app = TagHost()
    async with app.run_test(size=(80, 24)) as pilot:
        app.show(Annotation("r1", read="skimmed", rating=2))
        await pilot.press("5", "0", "r")
        assert [summary(m) for m in app.posted] == [
            ("RatingSet", "r1", 5),
            ("RatingSet", "r1", 0),
            ("ReadSet", "r1", "read"),  # skimmed -> read
        ]
        app.posted.clear()
        app.show(Annotation("r1", read="read"))
        await pilot.press("r")
        assert [summary(m) for m in app.posted] == [("ReadSet", "r1", "unread")]


async def test_removing_the_highlighted_tag_posts_its_stored_spelling() -> None:
    app = TagHost()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.show(Annotation("r1", tags=("crisis", "Peer Work")))
        assert panel.listed_tags == ["crisis", "Peer Work"]
        tag_list = panel.query_one(TagList)
        tag_list.focus()
        tag_list.highlighted = 1
        await pilot.press("delete")
        assert [summary(m) for m in app.posted] == [("TagRemoved", "r1", "Peer Work")]


async def test_all_tags_view_lists_counts_and_enter_toggles_membership() -> None:
    app = TagHost()
    async with app.run_test(size=(80, 30)) as pilot:
        panel = app.show(Annotation("r1", tags=("crisis",)))
        await pilot.press("a")
        assert panel.listed_tags == ["peer support", "Peer Work", "qualitative", "crisis"]
        prompts = [str(panel.query_one(TagList).get_option_at_index(i).prompt) for i in (0, 3)]
        assert prompts == ["  peer support  (7)", "✓ crisis  (1)"]
        tag_list = panel.query_one(TagList)
        tag_list.focus()
        tag_list.highlighted = 0
        await pilot.press("enter")
        tag_list.highlighted = 3
        await pilot.press("enter")
        assert [summary(m) for m in app.posted] == [
            ("TagAdded", "r1", "peer support"),
            ("TagRemoved", "r1", "crisis"),
        ]


async def test_note_key_opens_the_editor_and_posts_the_saved_note() -> None:
    app = TagHost()
    async with app.run_test(size=(80, 24)) as pilot:
        app.show(Annotation("r1", note="first line"))
        await pilot.press("e")
        assert type(app.screen) is NoteEditor
        await pilot.press("escape")  # unchanged: nothing to save
        assert type(app.screen) is not NoteEditor
        await pilot.press("enter")
        await pilot.press("enter", "m", "o", "r", "e", "ctrl+s")
        assert [summary(m) for m in app.posted] == [("NoteSaved", "r1", "first line\nmore")]


async def test_status_and_note_preview_show_the_annotation() -> None:
    app = TagHost()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.show(
            Annotation(
                "r1", decision="exclude", reason="not empirical", rating=3, note="a\nb\nc\nd"
            )
        )
        await pilot.pause()
        status = str(panel.query_one("#tag-status", Static).visual)
        assert "✗ exclude (not empirical)" in status
        assert "★★★☆☆" in status
        assert "unread" in status
        assert str(panel.query_one("#note-preview", Static).visual) == "Note a\nb\nc …"


async def test_without_a_record_keys_post_nothing() -> None:
    app = TagHost()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.show(None)
        await pilot.press("i", "x", "3", "r", "e", "t")
        assert app.posted == []
        assert not isinstance(app.screen, NoteEditor)
        assert "No record selected." in str(panel.query_one("#tag-status", Static).visual)


async def test_keys_can_be_remapped_by_binding_id() -> None:
    app = TagHost()
    async with app.run_test(size=(80, 24)) as pilot:
        app.show(Annotation("r1"))
        app.set_keymap({"main.include": "y"})
        await pilot.press("y")
        assert [summary(m) for m in app.posted] == [("DecisionSet", "r1", "include", None)]


async def test_help_lists_keys_by_activity_without_internal_names() -> None:
    app = TagHost()
    async with app.run_test(size=(100, 40)) as pilot:
        app.show(Annotation("r1"))
        help_screen = HelpScreen({"main.include": "y"})
        await app.push_screen(help_screen)
        text = str(help_screen.query_one("#help-text", Static).visual)
        for heading in ("Moving", "Reading", "Deciding", "Tagging", "Searching"):
            assert heading in text
        assert "Decide: include this record" in text
        assert "TagPanel" not in text and "[tags." not in text and "main.include" not in text
        assert "y              Decide: include this record" in text  # the remapped key
        query = str(help_screen.query_one("#help-query-text", Static).visual)
        assert "year:2010..2020" in query and "findings:" in query
        await pilot.press("q")
        assert not isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize(
    "widget",
    [
        TagPanel,
        TagInput,
        TagList,
        ReasonPicker,
        NoteEditor,
        HelpScreen,
        DetailPane,
        AbstractSection,
    ],
)
def test_every_binding_has_an_id_a_description_and_a_tooltip(widget: type[Any]) -> None:
    own = widget.__dict__.get("BINDINGS", [])
    assert own, "each of these widgets defines keys of its own"
    table = {row.id for row in KEY_TABLE}
    for binding in own:
        assert isinstance(binding, Binding)
        assert binding.id in table and binding.description and binding.tooltip, binding
