"""The virtual record list on its own: columns, rendering cost, cursor, rows, marks."""

from __future__ import annotations

import re

from textual.app import App, ComposeResult

from peerlit_tui.list_columns import ListColumns
from peerlit_tui.ui.widgets.record_list import RecordList
from peerlit_tui.ui.widgets.record_row import (
    DERIVED_MARK,
    RowMarks,
    author_label,
    column_layout,
    fit,
)


def make_columns(n: int) -> ListColumns:
    cols = ListColumns()
    for i in range(n):
        cols.rowids.append(i + 1)
        cols.ids.append(f"id{i:06d}")
        cols.types.append("article")
        cols.titles.append(f"Title number {i} about peer support")
        cols.title_derived.append(i % 7 == 3)
        cols.authors.append(f"Author{i}, A.; Second, B." if i % 2 else f"Author{i}, A.")
        cols.first_authors.append(f"Author{i}")
        cols.n_authors.append(2 if i % 2 else 1)
        cols.years.append(2000 + i % 25 if i % 11 else None)
        cols.journals.append(f"Journal {i % 5}")
        cols.dois.append("")
        cols.keywords.append("")
        cols.has_abstract.append(True)
        cols.added.append("2025-01-01T00:00:00Z")
    return cols


class ListApp(App[None]):
    def __init__(self, columns: ListColumns, marks: dict[str, RowMarks] | None = None) -> None:
        super().__init__()
        self.columns = columns
        self.marks = marks if marks is not None else {}
        self.highlighted: list[str | None] = []
        self.selected: list[str | None] = []

    def compose(self) -> ComposeResult:
        yield RecordList()

    def on_mount(self) -> None:
        records = self.query_one(RecordList)
        records.set_data(self.columns, lambda rid: self.marks.get(rid, RowMarks()))
        records.focus()

    def on_record_list_highlighted(self, message: RecordList.Highlighted) -> None:
        self.highlighted.append(message.record_id)

    def on_record_list_selected(self, message: RecordList.Selected) -> None:
        self.selected.append(message.record_id)


def test_columns_adapt_to_width() -> None:
    narrow, wide = column_layout(78), column_layout(160)
    assert narrow.journal == 0
    assert wide.journal > 0 and wide.author > narrow.author
    for width, layout in ((78, narrow), (160, wide)):
        used = layout.glyph + layout.year + layout.author + layout.title + layout.marks
        assert used + layout.journal + (2 if layout.journal else 1) == width
    assert narrow.title >= 40


def test_fit_pads_and_cuts_by_cells() -> None:
    assert fit("abc", 5) == "abc  "
    assert fit("abcdef", 4) == "abc…"
    # Wide characters count two cells each.
    assert fit("日本語の題名", 7) == "日本語…"
    assert fit("x", 0) == ""


def test_author_label() -> None:
    assert author_label("Smith", "Smith, J.; Jones, K.", 2) == "Smith et al."
    assert author_label("Smith", "Smith, J.", 1) == "Smith"
    assert author_label("", "World Health Organization", 1) == "World Health Organization"
    assert author_label("", "", 0) == "—"


async def test_only_visible_rows_render_at_100k() -> None:
    app = ListApp(make_columns(100_000))
    calls: list[int] = []
    async with app.run_test(size=(100, 30)) as pilot:
        records = app.query_one(RecordList)
        original = records._render_row

        def counting(index: int, *args: object) -> object:
            calls.append(index)
            return original(index, *args)  # type: ignore[arg-type]

        records._render_row = counting  # type: ignore[method-assign]
        records._cache.clear()
        records.refresh()
        await pilot.pause()
        assert 0 < len(calls) <= 30
        # A cursor move renders the two changed lines, nothing else.
        calls.clear()
        await pilot.press("down")
        await pilot.pause()
        assert sorted(calls) == [0, 1]
        # End jumps to the last record and renders one screenful.
        calls.clear()
        await pilot.press("end")
        await pilot.pause()
        assert records.current_id == "id099999"
        assert 0 < len(calls) <= 30


async def test_cursor_keys_and_messages() -> None:
    app = ListApp(make_columns(200))
    async with app.run_test(size=(100, 22)) as pilot:
        records = app.query_one(RecordList)
        page = records.scrollable_content_region.height
        await pilot.press("j", "j", "k")
        assert records.cursor == 1
        await pilot.press("pagedown")
        assert records.cursor == 1 + page
        assert round(records.scroll_y) <= records.cursor < round(records.scroll_y) + page
        await pilot.press("G")
        assert records.cursor == 199
        assert round(records.scroll_y) == 200 - page
        await pilot.press("g")
        assert (records.cursor, round(records.scroll_y)) == (0, 0)
        await pilot.press("pageup", "up")
        assert records.cursor == 0  # clamped
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected == ["id000000"]
        assert app.highlighted[-1] == "id000000"
        assert "id000001" in app.highlighted


async def test_set_rows_keeps_the_cursor_record_and_its_screen_line() -> None:
    app = ListApp(make_columns(500))
    async with app.run_test(size=(100, 22)) as pilot:
        records = app.query_one(RecordList)
        records.cursor = 120
        await pilot.pause()
        line = records.cursor - round(records.scroll_y)
        # A filter result that still holds record 120 (at another position).
        records.set_rows(list(range(100, 500, 2)))
        await pilot.pause()
        assert records.current_id == "id000120"
        assert records.cursor == 10
        assert records.cursor - round(records.scroll_y) == min(line, records.cursor)
        # One that does not: back to the top.
        records.set_rows([1, 3, 5])
        await pilot.pause()
        assert (records.cursor, records.current_id) == (0, "id000001")
        records.set_rows([])
        await pilot.pause()
        assert records.current_id is None
        records.set_empty_text("No record matches the query.")
        assert "No record matches" in records.render_line(0).text


async def test_next_unscreened_skips_decided_records() -> None:
    marks = {f"id{i:06d}": RowMarks("include") for i in (1, 2, 3)}
    marks["id000005"] = RowMarks("exclude", tagged=True)
    app = ListApp(make_columns(8), marks)
    async with app.run_test(size=(100, 20)) as pilot:
        records = app.query_one(RecordList)
        await pilot.press("n")
        assert records.cursor == 4
        await pilot.press("n")
        assert records.cursor == 6
        await pilot.press("n", "n")  # wraps to the top
        assert records.cursor == 0
        line = records.render_line(5).text
        assert "✗" in line and "#" in line
        assert "✓" in records.render_line(1).text


async def test_rows_show_marks_derived_titles_and_highlights() -> None:
    marks: dict[str, RowMarks] = {}
    app = ListApp(make_columns(10), marks)
    async with app.run_test(size=(120, 20)) as pilot:
        records = app.query_one(RecordList)
        derived = records.render_line(3).text
        assert DERIVED_MARK.strip() in derived and "Title number 3" in derived
        assert "Journal" in derived  # wide enough for the journal column
        assert "Author1 et al." in records.render_line(1).text
        # A changed annotation repaints the record's line.
        assert "?" not in records.render_line(2).text
        marks["id000002"] = RowMarks("maybe", tagged=True, noted=True)
        records.refresh_records(["id000002"])
        await pilot.pause()
        assert "?" in records.render_line(2).text and "✎" in records.render_line(2).text
        # Query terms are styled in the field they belong to.
        records.set_highlights([("title", re.compile("peer", re.I))])
        strip = records.render_line(0)
        styled = [seg.text for seg in strip if seg.style is not None and seg.style.underline]
        assert styled == ["peer"]


async def test_mouse_click_moves_the_cursor_and_double_click_opens() -> None:
    app = ListApp(make_columns(50))
    async with app.run_test(size=(100, 20)) as pilot:
        records = app.query_one(RecordList)
        await pilot.click(RecordList, offset=(10, 4))
        assert records.cursor == 4
        await pilot.click(RecordList, offset=(10, 6), times=2)
        await pilot.pause()
        assert records.cursor == 6
        assert app.selected == ["id000006"]
