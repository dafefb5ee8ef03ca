"""Hostile text through every widget: nothing crashes, nothing acts, no ESC reaches the terminal.

Imported records, tags, notes, pasted text and queries are data. Each test mounts
widgets holding markup look-alikes (`[/]`, `[@click=app.pwned]`, `[link=...]`),
terminal escape sequences (OSC 52 clipboard writes, CSI screen clears, 8-bit C1
introducers), bidi overrides and a 10,000-character word, then checks three things:

* the app is still running and its `pwned` action never ran (a click on rendered
  text fires `@click` actions, so the test also clicks where the payload is);
* no rendered segment carries the payload's click action or link;
* the byte stream the driver would write holds no ESC other than the colour and
  cursor sequences Textual itself emits, and no other control character.

The stream is built the way the driver builds it (`render_segments` on every
compositor update), which headless test runs otherwise skip. The positive controls
show that the check does catch an unsafe `Static(raw, markup=False)` and parsed
markup, so a pass means something.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import Any

import pytest
from rich.segment import Segment
from textual import events
from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.content import Content
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.widgets._toast import Toast

from peerlit_tui.annotation import Annotation
from peerlit_tui.list_columns import ListColumns
from peerlit_tui.model import Author, Provenance, Record, Section
from peerlit_tui.ui.screens.help import HelpScreen
from peerlit_tui.ui.screens.note_editor import NoteEditor
from peerlit_tui.ui.text_render import (
    SafeInput,
    highlighted,
    highlighted_content,
    safe_content,
    safe_line,
    safe_str,
    safe_text,
)
from peerlit_tui.ui.widgets.detail_pane import DetailPane
from peerlit_tui.ui.widgets.filter_bar import FilterBar
from peerlit_tui.ui.widgets.record_list import RecordList, RowMarks
from peerlit_tui.ui.widgets.status_line import StatusLine
from peerlit_tui.ui.widgets.tag_controls import ReasonPicker, TagInput
from peerlit_tui.ui.widgets.tag_panel import TagPanel

PAYLOADS: dict[str, str] = {
    "click": "[@click=app.pwned]PWN[/]",
    "quit": "[@click=app.quit]QUIT[/]",
    "close_all": "[/]",
    "close_named": "[/bold]",
    "styles": "[bold]B[/bold] [i]I [18F] [$accent]V",
    "link": "[link=https://x.example/a:b]LINK[/link]",
    "osc52": "\x1b]52;c;SGVsbG8=\x07",
    "osc_title": "\x1b]0;owned\x1b\\",
    "csi_clear": "\x1b[2J\x1b[H",
    "csi_colour": "\x1b[31mRED\x1b[0m",
    "c1_csi": "\x9b2J",
    "c1_osc": "\x9d0;x\x9c",
    "c0": "a\x00b\x07c\x08d\x0be\x0cf\rg\x7fh",
    "bidi": "\u202eevil\u202c \u2066iso\u2069",
    "long_word": "W" * 10_000,
}
#: Every payload in one string, the click action first so a click at column 0 hits it.
HOSTILE = " ".join(PAYLOADS.values())
#: Every payload but the long word, for text that must fit on screen (notifications).
MEDIUM = " ".join(v for k, v in PAYLOADS.items() if k != "long_word")
#: A short one, for fields shown on one line.
SHORT = "[@click=app.pwned]PWN[/] \x1b]52;c;SGVsbG8=\x07 [/] \x1b[2J \x9b2J \u202eevil"
#: Query patterns, including ones that match the empty string everywhere.
PATTERNS = [re.compile(""), re.compile("x*"), re.compile("W+"), re.compile(r"\["), re.compile("p")]

# Sequences Textual writes itself: SGR colours/styles and cursor positioning.
_OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;]*m|\x1b\[\d+;\d+H")
# What must never reach the terminal otherwise: C0 (except LF), DEL, C1, bidi controls.
_FORBIDDEN = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Terminal:
    """Records what the driver would write for each frame of `app`."""

    def __init__(self, app: App[Any]) -> None:
        self.stream: list[str] = []
        self.segments: list[Segment] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            if isinstance(renderable, CompositorUpdate):
                self.stream.append(renderable.render_segments(app.console))
                self.segments.extend(app.console.render(renderable))  # type: ignore[arg-type]
            original(screen, renderable)

        app._display = display  # type: ignore[method-assign]

    def problems(self) -> list[str]:
        """Everything unsafe found so far, described."""
        found: list[str] = []
        for chunk in self.stream:
            found += [f"stream: {c!r}" for c in _FORBIDDEN.findall(_OWN_SEQUENCES.sub("", chunk))]
        for segment in self.segments:
            if segment.control:
                continue
            found += [f"segment text: {c!r}" for c in _FORBIDDEN.findall(segment.text)]
            style = segment.style
            if style is not None:
                click = str((style.meta or {}).get("@click", ""))
                if "pwned" in click or click == "app.quit":
                    found.append(f"segment action: {click}")
                if style.link and "x.example" in style.link:
                    found.append(f"segment link: {style.link}")
        return sorted(set(found))


class HostileHost(App[None]):
    """Mounts the widgets under test; `pwned` counts any action the payload triggers."""

    def __init__(self, *widgets: Widget) -> None:
        super().__init__()
        self.animation_level = "none"
        self._widgets = widgets
        self.pwned = 0
        self.terminal = Terminal(self)

    def compose(self) -> ComposeResult:
        yield from self._widgets

    def action_pwned(self) -> None:
        self.pwned += 1


async def click_around(pilot: Pilot[Any], widgets: Iterable[Widget]) -> None:
    """Click where a parsed leading `[@click=…]PWN` would sit (after a 2-cell prefix too)."""
    screen = pilot.app.screen.region
    for widget in widgets:
        region = widget.region
        for x in (1, 3):
            if widget.display and region.width > x and screen.contains(region.x + x, region.y):
                await pilot.click(widget, offset=(x, 0))


async def assert_safe(app: HostileHost, pilot: Pilot[Any]) -> None:
    await pilot.pause()
    assert app.return_code is None, "the payload ended the app"
    assert app.is_running
    assert app.pwned == 0, "the payload's action ran"
    assert app.terminal.stream, "nothing was rendered: the check would prove nothing"
    assert app.terminal.problems() == []


def hostile_record() -> Record:
    return Record(
        id=SHORT,
        type=SHORT,
        type_detail=SHORT,
        title=HOSTILE,
        title_derived=True,
        authors=[Author(SHORT, SHORT, SHORT), Author(HOSTILE, HOSTILE)],
        date=SHORT,
        year=2020,
        journal=SHORT,
        volume=SHORT,
        issue=SHORT,
        pages=SHORT,
        issn=SHORT,
        isbn=SHORT,
        doi=SHORT,
        url="https://x.example/" + SHORT,
        keywords=[SHORT, HOSTILE],
        language=SHORT,
        abstract=[
            Section(SHORT, HOSTILE, "findings"),
            Section(HOSTILE, SHORT),
            Section("", PAYLOADS["long_word"]),
        ],
        teaser=SHORT,
        listing_count=3,
        publisher=SHORT,
        sources=[Provenance("/tmp/" + SHORT, SHORT, SHORT, SHORT, 4)],
    )


# -- positive controls: the check can fail -------------------------------------------


async def test_control_raw_escape_in_an_unsafe_static_is_caught() -> None:
    app = HostileHost(Static(f"title {PAYLOADS['osc52']} {PAYLOADS['csi_clear']}", markup=False))
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        problems = app.terminal.problems()
        assert "stream: '\\x1b'" in problems
        assert "segment text: '\\x1b'" in problems


async def test_control_parsed_markup_acts_and_is_caught() -> None:
    app = HostileHost(Static(PAYLOADS["click"] + " " + "[link='https://x.example']L[/link]"))
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        await click_around(pilot, [app.query_one(Static)])
        assert app.pwned > 0
        problems = app.terminal.problems()
        assert "segment action: app.pwned" in problems
        assert "segment link: https://x.example" in problems


# -- text_render ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_text_render_keeps_markup_literal_and_drops_controls(name: str) -> None:
    payload = PAYLOADS[name]
    for built in (
        safe_text(payload).plain,
        safe_content(payload, "bold").plain,
        highlighted(payload, PATTERNS).plain,
        highlighted_content(payload, PATTERNS, ".x").plain,
        safe_line(payload),
    ):
        assert not _FORBIDDEN.findall(built)
        assert "\x1b" not in built
    if payload.startswith("["):
        assert safe_content(payload).plain == payload  # markup stays text
    content = highlighted_content(payload, PATTERNS, "reverse", base_style="bold")
    assert {span.style for span in content.spans} <= {"reverse", "bold"}
    assert all(span.end > span.start for span in content.spans)


def test_highlighting_a_10000_character_word_with_empty_matches_is_fast() -> None:
    start = time.perf_counter()
    content = highlighted_content(HOSTILE, [*PATTERNS, re.compile("(?=W)")], "reverse")
    assert time.perf_counter() - start < 0.5
    assert any(content.plain[s.start : s.end].startswith("WWWW") for s in content.spans)


async def test_text_render_output_mounted_in_statics_is_safe() -> None:
    app = HostileHost(
        Static(safe_text(HOSTILE)),
        Static(safe_content(HOSTILE)),
        Static(highlighted(HOSTILE, PATTERNS)),
        Static(highlighted_content(HOSTILE, PATTERNS, "reverse")),
    )
    async with app.run_test(size=(80, 40)) as pilot:
        await click_around(pilot, app.query(Static))
        await assert_safe(app, pilot)


async def test_safe_input_cleans_pastes_and_assigned_values() -> None:
    field = SafeInput()
    app = HostileHost(field)
    async with app.run_test(size=(80, 10)) as pilot:
        field.focus()
        app.post_message(events.Paste(SHORT))
        await pilot.pause()
        assert "\x1b" not in field.value and "[/]" in field.value
        field.value = HOSTILE
        await pilot.pause()
        assert not _FORBIDDEN.findall(field.value)
        await assert_safe(app, pilot)


# -- the panes -----------------------------------------------------------------------


async def test_detail_pane_with_a_hostile_record() -> None:
    pane = DetailPane()
    app = HostileHost(pane)
    async with app.run_test(size=(100, 40)) as pilot:
        pane.show_record(
            hostile_record(),
            duplicates=[{"id": SHORT, "reason": SHORT, "status": HOSTILE}],
            highlights=PATTERNS,
        )
        pane.focus()
        await pilot.pause()
        await click_around(pilot, [pane.query_one("#detail-title"), pane.query_one("#detail-meta")])
        await pilot.press("right_curly_bracket", "enter", "minus", "plus", "pagedown", "end")
        await click_around(pilot, pane.section_widgets)
        await assert_safe(app, pilot)


async def test_tag_panel_with_hostile_tags_reasons_and_note() -> None:
    panel = TagPanel()
    app = HostileHost(panel)
    posted: list[Any] = []
    async with app.run_test(size=(100, 40), message_hook=posted.append) as pilot:
        panel.show_annotation(
            "r1",
            Annotation("r1", tags=(SHORT, HOSTILE), note=HOSTILE, reason=SHORT, decision="exclude"),
            tag_counts={SHORT: 2, HOSTILE: 1, "[/]": 3},
            reasons=[SHORT, HOSTILE, "[/]"],
            record_title=HOSTILE,
        )
        panel.focus()
        await pilot.pause()
        await click_around(
            pilot, [panel.query_one("#tag-status"), panel.query_one("#note-preview")]
        )
        panel.action_exclude()  # the reason picker lists the hostile reasons
        await pilot.pause()
        assert panel.query_one(ReasonPicker).display
        await pilot.press("escape", "a")  # the all-tags view lists the hostile tags
        panel.action_add_tag()
        field = panel.query_one(TagInput)
        app.post_message(events.Paste("fresh " + SHORT))
        await pilot.pause()
        await pilot.press("enter")
        field.value = HOSTILE  # a 10,000-character tag is refused with a message
        await pilot.press("enter")
        await assert_safe(app, pilot)
        # The hook sees a bubbling message at every node it passes: count each once.
        added = list({id(m): m for m in posted if isinstance(m, TagPanel.TagAdded)}.values())
        assert len(added) == 1 and "\x1b" not in added[0].tag and "[/]" in added[0].tag


async def test_note_editor_with_a_hostile_note_title_and_paste() -> None:
    app = HostileHost(Static("host"))
    results: list[str | None] = []
    async with app.run_test(size=(100, 40)) as pilot:
        app.push_screen(NoteEditor(HOSTILE, title=HOSTILE), results.append)
        await pilot.pause()
        app.post_message(events.Paste(HOSTILE))
        await pilot.pause()
        await click_around(pilot, [app.screen.query_one("#note-title")])
        await assert_safe(app, pilot)
        await pilot.press("ctrl+s")
        assert len(results) == 1 and results[0] is not None
        assert "\x1b" not in results[0] and "[@click=app.pwned]" in results[0]


async def test_control_notify_alone_passes_escape_sequences_through() -> None:
    """Why the app cleans notification text itself: `markup=False` is not enough."""
    app = HostileHost(Static("host"))
    async with app.run_test(size=(100, 20), notifications=True) as pilot:
        app.notify("NOTE " + SHORT, markup=False, timeout=30)
        await pilot.pause()
        assert "stream: '\\x1b'" in app.terminal.problems()


async def test_help_screen_and_cleaned_notifications_with_hostile_text() -> None:
    panel = TagPanel()
    app = HostileHost(panel)
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        panel.show_annotation("r1", None, tag_counts={HOSTILE: 1}, reasons=[])
        panel.focus()
        app.notify(safe_str("NOTE " + MEDIUM), title=safe_line(SHORT), markup=False, timeout=30)
        await pilot.pause()
        await click_around(pilot, app.screen.query(Toast))
        await app.push_screen(HelpScreen())
        await pilot.pause()
        shown = "".join(segment.text for segment in app.terminal.segments)
        assert "NOTE [@click=app.pwned]PWN[/]" in shown  # the toast was really drawn
        await assert_safe(app, pilot)


# -- the other widgets of the main screen ----------------------------------------------


def hostile_columns(count: int = 3) -> ListColumns:
    return ListColumns(
        rowids=list(range(1, count + 1)),
        ids=[f"{SHORT}{i}" for i in range(count)],
        types=[SHORT] * count,
        titles=[HOSTILE, SHORT, PAYLOADS["long_word"]][:count],
        title_derived=[True, False, True][:count],
        authors=[HOSTILE] * count,
        first_authors=[SHORT] * count,
        n_authors=[3] * count,
        years=[2020] * count,
        journals=[HOSTILE] * count,
        dois=[SHORT] * count,
        keywords=[HOSTILE] * count,
        has_abstract=[True] * count,
        added=[SHORT] * count,
    )


async def test_record_list_with_hostile_columns() -> None:
    records = RecordList()
    app = HostileHost(records)
    async with app.run_test(size=(120, 20)) as pilot:
        records.set_data(hostile_columns(), lambda _id: RowMarks("exclude", True, True))
        records.set_highlights([(None, p) for p in PATTERNS] + [("title", PATTERNS[-1])])
        records.focus()
        await pilot.pause()
        await pilot.press("down", "down", "end", "home")
        await click_around(pilot, [records])
        await assert_safe(app, pilot)


async def test_filter_bar_with_a_hostile_query_and_error() -> None:
    bar = FilterBar()
    app = HostileHost(bar)
    async with app.run_test(size=(100, 10)) as pilot:
        bar.focus_input()
        app.post_message(events.Paste(SHORT))  # a pasted query
        await pilot.pause()
        bar.show_error(f"cannot read {SHORT}")
        await pilot.pause()
        await click_around(pilot, [bar.query_one(Input), bar.query_one("#filter-error")])
        await assert_safe(app, pilot)


async def test_status_line_with_a_hostile_query_and_state() -> None:
    status = StatusLine()
    app = HostileHost(status)
    async with app.run_test(size=(100, 5)) as pilot:
        status.set_counts(1, 2)
        status.set_sort(SHORT, True)
        status.set_query(HOSTILE)
        status.set_state(SHORT)
        await pilot.pause()
        await click_around(pilot, [status])
        await assert_safe(app, pilot)


def test_every_payload_is_exercised() -> None:
    # Guards the fixtures above: a payload dropped from HOSTILE would silently go untested.
    for payload in PAYLOADS.values():
        assert payload in HOSTILE
    assert isinstance(safe_content(HOSTILE), Content)


async def test_the_whole_app_with_a_hostile_pasted_query(app: Any) -> None:
    """The main screen end to end: a pasted query shows in the bar, the status line and errors."""
    from tests.ui.conftest import settle

    terminal = Terminal(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        app.post_message(events.Paste(SHORT))
        await settle(pilot)
        # Notifications quote data (file names, errors): the app must clean them itself.
        app.notify("NOTE " + MEDIUM, title=SHORT, markup=False, timeout=30)
        await pilot.press("enter", "down")
        await settle(pilot)
        assert app.return_code is None and app.is_running
        assert "NOTE [@click=app.pwned]PWN[/]" in "".join(s.text for s in terminal.segments)
        assert terminal.problems() == []
