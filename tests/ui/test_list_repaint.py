"""What a keystroke repaints: only changed list lines, no screen relayout, panes that catch up."""

from __future__ import annotations

import re
from typing import Any

from textual.app import App
from textual.screen import Screen

from peerlit_tui.ui.app import PeerlitApp
from peerlit_tui.ui.screens.main import MainScreen
from peerlit_tui.ui.widgets.record_list import RecordList
from tests.ui.conftest import settle
from tests.ui.test_record_list import ListApp, make_columns


def _screen_lines(app: App[Any]) -> list[str]:
    """The text of every screen line as the terminal would show it now."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_a_new_result_repaints_only_the_lines_that_changed() -> None:
    app = ListApp(make_columns(200))
    async with app.run_test(size=(100, 30)) as pilot:
        records = app.query_one(RecordList)
        await pilot.pause()
        painted: list[int] = []
        original = records.render_line

        def noting(y: int) -> Any:
            painted.append(y)
            return original(y)

        records.render_line = noting  # type: ignore[method-assign]
        # The first ten rows stay, the others are replaced.
        records.set_rows(list(range(10)) + list(range(100, 200)))
        await pilot.pause()
        assert painted and min(painted) >= 10
        lines = _screen_lines(app)
        assert "Title number 9 " in lines[9] and "Title number 100 " in lines[10]
        assert "Title number 119 " in lines[29]
        # A highlight that only one visible row contains repaints only that row.
        painted.clear()
        records.set_highlights([("title", re.compile("number 105 "))])
        await pilot.pause()
        assert painted == [15]
        row = records.render_line(15)
        assert any(s.style is not None and s.style.underline for s in row)
        # Fewer rows than the screen: the lines below are blanked, not left stale.
        records.set_rows([3, 4])
        await pilot.pause()
        lines = _screen_lines(app)
        assert "Title number 4 " in lines[1]
        assert all("Title number" not in line for line in lines[2:])


async def test_typing_in_the_query_lays_nothing_out(app: PeerlitApp) -> None:
    layouts: list[int] = []
    original = Screen._refresh_layout

    def noting(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
        layouts.append(1)
        original(self, *args, **kwargs)

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.filter_bar.focus_input()
        await settle(pilot)
        Screen._refresh_layout = noting  # type: ignore[method-assign]
        try:
            await pilot.press(*"abcdefghij" * 12)  # longer than the input is wide
            await pilot.pause()
        finally:
            Screen._refresh_layout = original  # type: ignore[method-assign]
        query = screen.filter_bar.input
        assert query.value == "abcdefghij" * 12
        assert layouts == []
        # The end of the text, where the cursor is, stays in view.
        assert query.scroll_x > 0
        assert "abcdefghij" in _screen_lines(app)[0]


async def test_the_panes_follow_the_top_record_once_typing_stops(app: PeerlitApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        records = screen.record_list
        await pilot.press("slash", *"peer")
        while screen.filtering.busy or screen.filtering.result is None:
            await pilot.pause(0.005)
        # Right after the last key, Enter and a decision act on the record under the cursor.
        await pilot.press("enter", "i")
        current = records.current_id
        assert current is not None and records.columns.ids.index(current) in records.rows
        assert screen.services is not None
        assert screen.services.annotations.get(current).decision == "include"
        assert screen.tags.record_id == current
        # Typing a query without that record, then a pause: the panes show the top record.
        screen.filter_bar.focus_input()
        await pilot.press(*f" -id:{current}")
        await settle(pilot)
        top = records.columns.ids[records.rows[0]]
        assert screen.filter_bar.value == f"peer -id:{current}"
        assert records.current_id == top != current
        assert screen.detail.record is not None and screen.detail.record.id == top
        assert screen.tags.record_id == top


async def _painted_with(rows: list[int]) -> list[Any]:
    """The screen's strips of a list of 200 records showing `rows` from the start."""
    app = ListApp(make_columns(200))
    async with app.run_test(size=(100, 30)) as pilot:
        records = app.query_one(RecordList)
        records.set_rows(rows)
        await pilot.pause()
        return list(app.screen._compositor.render_strips())


async def test_the_scrollbar_follows_a_new_row_count() -> None:
    # The bar is repainted only when its thumb changes: a screen painted after the
    # change must equal one painted with those rows from the start.
    for rows in (list(range(60)), list(range(199)), list(range(150, 200)) * 3):
        app = ListApp(make_columns(200))
        async with app.run_test(size=(100, 30)) as pilot:
            records = app.query_one(RecordList)
            await pilot.pause()
            records.set_rows(rows)
            await pilot.pause()
            after = list(app.screen._compositor.render_strips())
        assert after == await _painted_with(rows)
