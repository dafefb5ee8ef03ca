"""SVG snapshots of the app's key states at 80×24 and 120×40.

Regenerate after an intended change with `pytest tests/ui/test_snapshots.py
--snapshot-update` and review the SVGs (`snapshot_report.html` shows the diffs
of a failed run). The data, import time, theme and cursor blink are fixed
(`tests/ui/conftest.py`), so the screens are the same on every machine.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.ui.app import PeerlitApp
from tests.ui.conftest import make_test_app, settle

WIDE = (120, 40)
NARROW = (80, 24)

SnapCompare = Callable[..., bool]
Steps = Callable[[Pilot[Any]], Awaitable[None]]


def keys(*names: str, query: str | None = None, tag: str | None = None) -> Steps:
    """Steps for `run_before`: optionally set the filter or tag input, then press keys."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        screen: Any = pilot.app.screen
        if query is not None:
            screen.filter_bar.focus_input()
            screen.filter_bar.set_value(query)
        if tag is not None:
            await pilot.press("t")
            screen.tags.query_one("#tag-input", Input).value = tag
            await pilot.press("enter", "escape", "escape")
        await settle(pilot)
        await pilot.press(*names)
        await settle(pilot)

    return run


def snap(snap_compare: SnapCompare, app: PeerlitApp, size: tuple[int, int], steps: Steps) -> None:
    try:
        assert snap_compare(app, terminal_size=size, run_before=steps)
    finally:
        app.close_services()


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["120x40", "80x24"])
def test_start(snap_compare: SnapCompare, ui_library: Path, size: tuple[int, int]) -> None:
    """The library loaded: list, first record's details and annotations, status line."""
    snap(snap_compare, make_test_app(ui_library), size, keys())


def test_filtered_with_highlighted_terms(snap_compare: SnapCompare, ui_library: Path) -> None:
    """A query: fewer records, "shown / total", the terms highlighted in list and detail."""
    snap(snap_compare, make_test_app(ui_library), WIDE, keys("t", query="peer suppor"))


def test_malformed_query_keeps_last_result(snap_compare: SnapCompare, ui_library: Path) -> None:
    """An unreadable query shows its message under the filter; the list keeps "recovery"."""
    good, bad = keys("y", query="recover"), keys("c", query="recovery year:ab")

    async def steps(pilot: Pilot[Any]) -> None:
        await good(pilot)
        await bad(pilot)

    snap(snap_compare, make_test_app(ui_library), NARROW, steps)


def test_no_record_matches(snap_compare: SnapCompare, ui_library: Path) -> None:
    snap(snap_compare, make_test_app(ui_library), NARROW, keys("h", query="zebrafis"))


def test_screening_marks(snap_compare: SnapCompare, ui_library: Path) -> None:
    """Decision glyphs, a rating, the tag and note markers, after keys in the list."""
    steps = keys("i", "j", "m", "j", "x", "4", "j", "u", tag="qualitative")
    snap(snap_compare, make_test_app(ui_library), WIDE, steps)


def test_sorted_by_year_descending(snap_compare: SnapCompare, ui_library: Path) -> None:
    snap(snap_compare, make_test_app(ui_library), WIDE, keys("s", "S"))


def test_detail_with_a_collapsed_section(snap_compare: SnapCompare, ui_library: Path) -> None:
    """The detail pane focused, the Design section collapsed (▶) and the others open."""
    steps = keys("l", "right_curly_bracket", "right_curly_bracket", "z")
    snap(snap_compare, make_test_app(ui_library), WIDE, steps)


def test_detail_all_collapsed_narrow(snap_compare: SnapCompare, ui_library: Path) -> None:
    """At 80×24 with every section collapsed: the headings fit under the metadata."""
    snap(snap_compare, make_test_app(ui_library), NARROW, keys("enter", "minus"))


def test_tag_panel_with_all_tags(snap_compare: SnapCompare, ui_library: Path) -> None:
    with AnnotationService.open(ui_library) as annotations:
        ids = _first_ids(ui_library, 3)
        annotations.add_tags(ids, ["peer work"])
        annotations.add_tags(ids[:1], ["qualitative"])
    snap(snap_compare, make_test_app(ui_library), WIDE, keys("T", "a"))


def test_exclusion_reason_picker(snap_compare: SnapCompare, ui_library: Path) -> None:
    with AnnotationService.open(ui_library) as annotations:
        annotations.add_reason("wrong population")
        annotations.add_reason("not peer support")
    snap(snap_compare, make_test_app(ui_library), NARROW, keys("x"))


def test_note_editor(snap_compare: SnapCompare, ui_library: Path) -> None:
    with AnnotationService.open(ui_library) as annotations:
        annotations.set_note(
            _first_ids(ui_library, 1), "Check the sample size.\nAsk a second reviewer."
        )
    snap(snap_compare, make_test_app(ui_library), NARROW, keys("e"))


def test_help_screen(snap_compare: SnapCompare, ui_library: Path) -> None:
    snap(snap_compare, make_test_app(ui_library), WIDE, keys("question_mark"))


def test_empty_library_offers_sample_data(snap_compare: SnapCompare, empty_library: Path) -> None:
    snap(snap_compare, make_test_app(empty_library), NARROW, keys())


def _first_ids(folder: Path, n: int) -> list[str]:
    from peerlit_tui.services.library import Library

    library = Library.open(folder)
    try:
        return library.columns().ids[:n]
    finally:
        library.close()
