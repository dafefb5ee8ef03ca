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

import re
import textwrap
from collections.abc import Callable, Collection, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from peerlit_tui.highlight import Highlight
from peerlit_tui.list_columns import ListColumns
from peerlit_tui.ui.bindings import bindings_for
from peerlit_tui.ui.text_render import match_spans
from peerlit_tui.ui.widgets import record_list_style as style
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

#: One span lookup a row made while rendering: (kind, text, field, what it found).
_Probe = tuple[str, str, str, object]


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
        self._highlights: dict[str | None, list[re.Pattern[str]]] = {}
        self._empty_text = "Loading…"
        self._words: list[Highlight] = []
        self._visible: frozenset[str] = ALL_COLUMNS
        self._layout = column_layout(0)
        self._layout_width = 0  # the content width `_layout` was made for
        # Rendered rows: (highlight version, the span lookups made, strip) per record.
        self._cache: dict[tuple[int, bool], tuple[int, tuple[_Probe, ...], Strip]] = {}
        self._version = 0  # bumped when the highlight patterns change
        self._styles: dict[tuple[bool, Style], RowStyles] = {}
        self._index_by_id: dict[str, int] | None = None
        self._held: list[str] | None = None
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

    def set_rows(self, rows: list[int], keep_record_id: str | None = None) -> None:
        """Replace the rows shown, keeping the cursor on the same record when it is still there.

        Args:
            rows: Indices into the list columns, in display order.
            keep_record_id: The record to keep the cursor on; defaults to the current one.
        """
        keep = keep_record_id if keep_record_id is not None else self.current_id
        screen_line = self.cursor - round(self.scroll_y)
        self._rows = rows
        position = 0
        if keep is not None and rows:
            position = self._position_of(keep, rows)
        self.set_reactive(RecordList.cursor, position)
        self.virtual_size = Size(self._content_width(), len(rows))
        if position and keep is not None:
            # Keep the record on the same screen line so the eye does not have to find it.
            self.scroll_to(y=max(0, position - max(0, screen_line)), animate=False, immediate=True)
        else:
            self.scroll_to(y=0, animate=False, immediate=True)
        self._scroll_cursor_into_view()
        self.refresh()
        self._post_highlighted()

    def set_highlights(self, highlights: Highlights) -> None:
        """Set the query-term patterns to highlight, per field."""
        by_field: dict[str | None, list[re.Pattern[str]]] = {}
        for field_name, pattern in highlights:
            by_field.setdefault(field_name, []).append(pattern)
        if by_field != self._highlights:
            self._highlights = by_field
            self._version += 1  # cached rows are kept where their spans stay the same
            self.refresh()

    def set_word_highlights(self, words: Sequence[Highlight]) -> None:
        """Set the include/exclude-word patterns marked in the titles."""
        if list(words) != self._words:
            self._words = list(words)
            self._version += 1
            self.refresh()

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
        for key in [k for k in self._cache if k[0] in wanted]:
            del self._cache[key]
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

    def render_line(self, y: int) -> Strip:
        """Render one screen line: a record row, the empty notice, or blank."""
        width = self._content_width()
        if width != self._layout_width:
            # The content width changes without a resize of the widget when the
            # scrollbar appears (the list grew past a screenful): lay out again.
            self._layout_width = width
            self._layout = column_layout(width, self._visible)
            self._cache.clear()
        position = round(self.scroll_y) + y
        base = self.rich_style
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
        entry = self._cache.get(key)
        if entry is not None:
            version, probes, strip = entry
            if version == self._version:
                return strip
            # New query terms: the row looks the same when every span it looked up is
            # unchanged (typing "depr" → "depre" leaves most rows as they were).
            if all(self._probe(kind, text, name) == found for kind, text, name, found in probes):
                self._cache[key] = (self._version, probes, strip)
                return strip
        if len(self._cache) > 2000:
            self._cache.clear()
        made: list[_Probe] = []
        strip = self._render_row(index, key[1], base, width, made)
        self._cache[key] = (self._version, tuple(made), strip)
        return strip

    def _probe(self, kind: str, text: str, name: str) -> object:
        return self._spans(text, name) if kind == "spans" else self._word_spans(text)

    def _render_row(
        self, index: int, is_cursor: bool, base: Style, width: int, made: list[_Probe]
    ) -> Strip:
        def spans(text: str, name: str) -> list[tuple[int, int]]:
            found = self._spans(text, name)
            made.append(("spans", text, name, found))
            return found

        def words(text: str) -> list[tuple[list[tuple[int, int]], str]]:
            found = self._word_spans(text)
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
        if cached is not None:
            return cached
        style = self.get_component_rich_style
        cursor = style("record-list--cursor", partial=True) if is_cursor else Style()
        muted = base + style("record-list--muted", partial=True) + cursor
        plain = base + cursor
        styles = RowStyles(
            plain=plain,
            muted=muted,
            derived=plain + style("record-list--derived", partial=True),
            highlight=style("record-list--highlight", partial=True),
            marks=base + style("record-list--marks", partial=True) + cursor,
            decisions={
                name: base + style(f"record-list--{name}", partial=True) + cursor
                for name in ("include", "exclude", "maybe")
            },
            words={
                kind: style(f"record-list--{kind}-word", partial=True)
                for kind in ("include", "exclude")
            },
        )
        self._styles[(is_cursor, base)] = styles
        return styles

    def _spans(self, text: str, field_name: str) -> list[tuple[int, int]]:
        if not self._highlights:
            return []
        patterns = self._highlights.get(None, []) + self._highlights.get(field_name, [])
        return match_spans(text, patterns) if patterns else []

    def _word_spans(self, text: str) -> list[tuple[list[tuple[int, int]], str]]:
        found: list[tuple[list[tuple[int, int]], str]] = []
        for word in self._words:
            spans = match_spans(text, [word.pattern])
            if spans:
                found.append((spans, word.kind))
        return found
