"""The record list: a virtual list that stays instant at 100,000 records.

Only the visible rows are ever rendered (Textual's Line API: `render_line` per
screen line over an array of record indices), so replacing the rows after a
filter costs the same at 100 records as at 100,000. The cursor is a `var`: moving
it repaints just the old and the new line (about 300 bytes on the wire) instead of
the whole list. Rendered lines are cached per record, so a filter change that keeps
a record on screen reuses its line.

Imported text reaches the terminal only as plain `Segment` text cleaned by
`text_render.safe_line` (no control characters, no newlines) in `record_row`;
nothing parses markup.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Collection, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from peerlit_tui.highlight import Highlight
from peerlit_tui.list_columns import ListColumns
from peerlit_tui.ui.bindings import bindings_for
from peerlit_tui.ui.widgets import record_list_style as style
from peerlit_tui.ui.widgets.record_list_cache import PaintedLines, Probe, RowCache, RowMarkers
from peerlit_tui.ui.widgets.record_row import (
    ALL_COLUMNS,
    Highlights,
    MarksLookup,
    RowMarks,
    RowStyles,
    column_layout,
    fit,
    row_segments,
)

__all__ = ["Highlights", "MarksLookup", "RecordList", "RowMarks"]


class RecordList(ScrollView, can_focus=True, inherit_bindings=False):
    """A keyboard-driven list of records over indices into `ListColumns`.

    Data goes down through `set_data`, `set_rows`, `set_highlights` and
    `refresh_records`; the list reports moves with `Highlighted` and Enter with
    `Selected`.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("list")
    """Movement keys (`ui.keys`, context "list")."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(style.COMPONENT_CLASSES)
    DEFAULT_CSS = style.DEFAULT_CSS

    cursor: var[int] = var(0, init=False)
    """Position of the cursor in the current rows."""

    class RecordMessage(Message):
        """Base of the list's messages: which record, by index and id."""

        def __init__(self, record_list: RecordList, index: int | None, record_id: str | None):
            super().__init__()
            self.record_list = record_list
            self.index = index
            """Index of the record in the list columns, None when the list is empty."""
            self.record_id = record_id
            """Id of the record under the cursor, None when the list is empty."""

        @property
        def control(self) -> RecordList:
            """The list that sent the message."""
            return self.record_list

    class Highlighted(RecordMessage):
        """The cursor moved to another record (`on_record_list_highlighted`)."""

    class Selected(RecordMessage):
        """Enter (or a double click) on a record (`on_record_list_selected`)."""

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self._columns = ListColumns()
        self._rows: list[int] = []
        self._marks: MarksLookup = lambda _id: RowMarks()
        self._markers = RowMarkers()
        self._empty_text = "Loading…"
        self._visible: frozenset[str] = ALL_COLUMNS
        self._layout = column_layout(0)
        self._layout_width = 0  # the content width `_layout` was made for
        self._cache = RowCache()
        self._painted = PaintedLines()
        self._styles: dict[tuple[bool, Style], RowStyles] = {}
        self._index_by_id: dict[str, int] | None = None
        self._held: list[str] | None = None
        self._base: Style | None = None  # the widget's style while `render_lines` runs
        self.next_undecided: Callable[[], bool] | None = None
        """A ranked `n`: moves to the best-ranked undecided record, False when it cannot."""

    # -- data down ----------------------------------------------------------

    @property
    def rows(self) -> list[int]:
        """The record indices shown, in display order."""
        return self._rows

    @property
    def columns(self) -> ListColumns:
        """The list columns the rows index into."""
        return self._columns

    @property
    def current_index(self) -> int | None:
        """Index (into the columns) of the record under the cursor."""
        return self._rows[self.cursor] if self._rows else None

    @property
    def current_id(self) -> str | None:
        """Id of the record under the cursor."""
        index = self.current_index
        return None if index is None else self._columns.ids[index]

    def set_data(self, columns: ListColumns, marks: MarksLookup) -> None:
        """Show a (new) library: its list columns and how to look up annotation marks.

        The rows are reset to every record in column order.
        """
        self._columns = columns
        self._marks = marks
        self._index_by_id = None
        self._cache.clear()
        self.set_rows(list(range(len(columns))))

    def set_rows(
        self,
        rows: list[int],
        keep_record_id: str | None = None,
        *,
        highlights: Highlights | None = None,
    ) -> None:
        """Replace the rows shown, keeping the cursor on the same record when it is still there.

        Args:
            rows: Indices into the list columns, in display order.
            keep_record_id: The record to keep the cursor on; defaults to the current one.
            highlights: New query-term patterns to mark (as `set_highlights`), or None.
        """
        if highlights is not None and self._markers.set_terms(highlights):
            self._cache.version += 1
        keep = keep_record_id if keep_record_id is not None else self.current_id
        screen_line = self.cursor - round(self.scroll_y)
        self._rows = rows
        position = 0
        if keep is not None and rows:
            position = self._position_of(keep, rows)
        self.set_reactive(RecordList.cursor, position)
        self._set_virtual_height(len(rows))
        if position and keep is not None:
            # Keep the record on the same screen line so the eye does not have to find it.
            self.scroll_to(y=max(0, position - max(0, screen_line)), animate=False, immediate=True)
        else:
            self.scroll_to(y=0, animate=False, immediate=True)
        self._scroll_cursor_into_view()
        self._refresh_changed()
        self._post_highlighted()

    def _refresh_changed(self) -> None:
        """Repaint the screen lines whose content changed, not the whole list.

        A new query often keeps the top rows, or the cursor's; each line repainted
        costs Textual's per-line styling and compositing even when the row is cached.
        """
        height = self.scrollable_content_region.height
        if not height:
            self.refresh()
            return
        top = round(self.scroll_y)
        # All lines first: each refresh drops the widget's cached style and sizes.
        base = self.rich_style
        changed = [y for y in range(height) if self._painted.changed(y, self._line(y, base))]
        for y in changed:
            self.refresh_line(top + y)

    def _set_virtual_height(self, height: int) -> None:
        """Set the scrollable height without the screen relayout `virtual_size` asks for.

        Assigning `virtual_size` lays out the whole screen again (every pane reflowed
        and repainted: about half of a keystroke's frame at 100,000 records), yet a
        new row count leaves the list's own size as it was: only its scrollbar
        changes. A scrollbar that appears or goes still lays out (its reactive does).
        """
        size = Size(self._content_width(), height)
        if size == self.virtual_size:
            return
        bar = self.vertical_scrollbar
        before = style.bar_glyphs(bar, self.virtual_size.height)
        self.set_reactive(RecordList.virtual_size, size)
        shown = height > self.container_size.height  # overflow-y: auto
        if shown and self.show_vertical_scrollbar and style.bar_glyphs(bar, height) == before:
            # The thumb stays where it is (9,792 or 100,000 rows give the same one-cell
            # thumb at the top): note the new height without repainting the bar.
            bar.set_reactive(ScrollBar.window_virtual_size, height)
            self.scroll_y = self.validate_scroll_y(self.scroll_y)
            return
        self._scroll_update(size)

    def set_highlights(self, highlights: Highlights) -> None:
        """Set the query-term patterns to highlight, per field."""
        if self._markers.set_terms(highlights):
            self._cache.version += 1  # cached rows are kept where their spans stay the same
            self._refresh_changed()

    def set_word_highlights(self, words: Sequence[Highlight]) -> None:
        """Set the include/exclude-word patterns marked in the titles."""
        if self._markers.set_words(words):
            self._cache.version += 1
            self._refresh_changed()

    def set_visible_columns(self, columns: Collection[str]) -> None:
        """Show only these columns (`ALL_COLUMNS` names; the title is always shown)."""
        visible = frozenset(columns) | {"title"}
        if visible != self._visible:
            self._visible = visible
            self._layout_width = self._content_width()
            self._layout = column_layout(self._layout_width, visible)
            self._cache.clear()
            self.refresh()

    def set_empty_text(self, text: str) -> None:
        """Set what the list says when it has no rows ("Loading…", "No match", ...)."""
        self._empty_text = text
        if not self._rows:
            self.refresh()

    def refresh_records(self, record_ids: Sequence[str]) -> None:
        """Repaint the given records (by id) after their annotations changed."""
        lookup = self._id_lookup()
        wanted = {lookup[rid] for rid in record_ids if rid in lookup}
        self._cache.forget(wanted)
        top = round(self.scroll_y)
        for line in range(self.scrollable_content_region.height):
            position = top + line
            if position < len(self._rows) and self._rows[position] in wanted:
                self.refresh_line(position)

    def _id_lookup(self) -> dict[str, int]:
        if self._index_by_id is None:
            self._index_by_id = {rid: i for i, rid in enumerate(self._columns.ids)}
        return self._index_by_id

    def _position_of(self, record_id: str, rows: list[int]) -> int:
        index = self._id_lookup().get(record_id)
        try:
            return rows.index(index) if index is not None else 0
        except ValueError:
            return 0

    def move_to(self, record_id: str) -> bool:
        """Put the cursor on a record when it is shown; False when it is not."""
        index = self._id_lookup().get(record_id)
        if index is None:
            return False
        try:
            position = self._rows.index(index)
        except ValueError:
            return False
        self.cursor = position
        return True

    def refresh_all(self) -> None:
        """Repaint every line (annotations changed in ways not known record by record)."""
        self._cache.clear()
        self.refresh()

    # -- movement held while the order changes ------------------------------------

    def hold_moves(self) -> None:
        """Keep movement keys until new rows arrive (a sort is on its way)."""
        if self._held is None:
            self._held = []

    def release_moves(self) -> None:
        """Replay the movement keys pressed while held, on the new order."""
        held, self._held = self._held, None
        for name in held or ():
            getattr(self, f"action_{name}")()

    def _holding(self, name: str) -> bool:
        if self._held is None:
            return False
        self._held.append(name)
        return True

    # -- cursor -------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        """Keep the cursor on a row."""
        return max(0, min(value, len(self._rows) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        """Repaint only the two lines that changed, then report the move."""
        self.refresh_line(old)
        self.refresh_line(new)
        self._scroll_cursor_into_view()
        self._post_highlighted()

    def _post_highlighted(self, kind: type[RecordMessage] | None = None) -> None:
        message = kind or RecordList.Highlighted
        self.post_message(message(self, self.current_index, self.current_id))

    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_y)
        height = self._page_height()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        """Move to the next record."""
        if self._holding("cursor_down"):
            return
        self.cursor += 1

    def action_cursor_up(self) -> None:
        """Move to the previous record."""
        if self._holding("cursor_up"):
            return
        self.cursor -= 1

    def action_page_down(self) -> None:
        """Move one screen down, scrolling with the cursor."""
        if self._holding("page_down"):
            return
        height = self._page_height()
        self.scroll_to(y=round(self.scroll_y) + height, animate=False, immediate=True)
        self.cursor += height

    def action_page_up(self) -> None:
        """Move one screen up, scrolling with the cursor."""
        if self._holding("page_up"):
            return
        height = self._page_height()
        self.scroll_to(y=max(0, round(self.scroll_y) - height), animate=False, immediate=True)
        self.cursor -= height

    def action_first(self) -> None:
        """Go to the first record."""
        if self._holding("first"):
            return
        self.cursor = 0

    def action_last(self) -> None:
        """Go to the last record."""
        if self._holding("last"):
            return
        self.cursor = len(self._rows) - 1

    def action_next_unscreened(self) -> None:
        """Jump to the next record without a decision (wrapping once to the top)."""
        if self.next_undecided is not None and self.next_undecided():
            return
        ids, rows, count = self._columns.ids, self._rows, len(self._rows)
        for step in range(1, count + 1):
            position = (self.cursor + step) % count
            if self._marks(ids[rows[position]]).decision == "undecided":
                self.cursor = position
                return
        self.notify("Every record shown has a decision.", markup=False)

    def action_select(self) -> None:
        """Open the record under the cursor."""
        if self._rows:
            self._post_highlighted(RecordList.Selected)

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self._rows:
            return
        position = round(self.scroll_y) + offset.y
        if position < len(self._rows):
            self.cursor = position
            if event.chain >= 2:
                self._post_highlighted(RecordList.Selected)

    # -- rendering ----------------------------------------------------------

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def _on_resize(self, event: events.Resize) -> None:
        self._layout_width = self._content_width()
        self._layout = column_layout(self._layout_width, self._visible)
        self._cache.clear()
        self.virtual_size = Size(self._content_width(), len(self._rows))

    def notify_style_update(self) -> None:
        """Drop cached lines when the theme or focus state changes their styles."""
        super().notify_style_update()
        self._cache.clear()
        self._styles.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render the lines in `crop`, working out the widget's style once for all of them."""
        self._base = self.rich_style  # walks every ancestor's styles: ~0.08 ms a line
        try:
            return super().render_lines(crop)
        finally:
            self._base = None

    def render_line(self, y: int) -> Strip:
        """Render one screen line: a record row, the empty notice, or blank."""
        return self._painted.painted(y, self._line(y, self._base or self.rich_style))

    def _line(self, y: int, base: Style) -> Strip:
        width = self._content_width()
        if width != self._layout_width:
            # The content width changes without a resize of the widget when the
            # scrollbar appears (the list grew past a screenful): lay out again.
            self._layout_width = width
            self._layout = column_layout(width, self._visible)
            self._cache.clear()
        position = round(self.scroll_y) + y
        if not self._rows:
            lines = textwrap.wrap(self._empty_text, max(10, width - 2))
            if y < len(lines):
                style = base + self.get_component_rich_style("record-list--empty", partial=True)
                return Strip([Segment(fit(" " + lines[y], width), style)], width)
            return Strip.blank(width, base)
        if position >= len(self._rows):
            return Strip.blank(width, base)
        index = self._rows[position]
        key = (index, position == self.cursor)
        strip = self._cache.get(key, self._markers.probe)
        if strip is None:
            made: list[Probe] = []
            strip = self._render_row(index, key[1], base, width, made)
            self._cache.put(key, made, strip)
        return strip

    def _render_row(
        self, index: int, is_cursor: bool, base: Style, width: int, made: list[Probe]
    ) -> Strip:
        def spans(text: str, name: str) -> list[tuple[int, int]]:
            found = self._markers.spans(text, name)
            made.append(("spans", text, name, found))
            return found

        def words(text: str) -> list[tuple[list[tuple[int, int]], str]]:
            found = self._markers.word_spans(text)
            made.append(("words", text, "", found))
            return found

        styles = self._row_styles(is_cursor, base)
        marks = self._marks(self._columns.ids[index])
        segments = row_segments(
            self._columns,
            index,
            marks,
            self._layout,
            styles,
            spans,
            words,  # always, so a row drawn without include/exclude words notices them
        )
        return Strip(segments).adjust_cell_length(width, styles.plain)

    def _row_styles(self, is_cursor: bool, base: Style) -> RowStyles:
        cached = self._styles.get((is_cursor, base))
        if cached is None:
            cached = style.row_styles(self.get_component_rich_style, is_cursor, base)
            self._styles[(is_cursor, base)] = cached
        return cached

    def _word_spans(self, text: str) -> list[tuple[list[tuple[int, int]], str]]:
        return self._markers.word_spans(text)
