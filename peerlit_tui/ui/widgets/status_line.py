"""The status line: how many records are shown, the sort, the query and what is happening.

Left: "1,234 / 100,000", the sort key with its direction and the active query.
Right: the latest state ("saved: …", "indexing 100,000 records…"). The query is
user text, so every part is cleaned (`text_render`) and built as `Content`, never
parsed as markup.

The line renders itself at its fixed one-line size: an update repaints this line
only, without the screen relayout a changing child widget would cost on every
keystroke.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from peerlit_tui.ui.text_render import safe_line

#: How the sort keys read in the status line.
SORT_LABELS: dict[str, str] = {
    "added": "date added",
    "year": "year",
    "author": "author",
    "title": "title",
    "journal": "journal",
    "relevance": "relevance",
}


class StatusLine(Widget):
    """One line at the bottom of the main screen. Data goes in through the `set_*` methods."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown = 0
        """Records matching the filter."""
        self.total = 0
        """Records in the library."""
        self.sort_key = "added"
        """The active sort key."""
        self.reverse = False
        """True when the sort is descending."""
        self.query_text = ""
        """The active (last good) query."""
        self.state = ""
        """The latest activity or save state."""

    @property
    def left_text(self) -> str:
        """The left part as plain text (tests and screen readers)."""
        return self._left_content().plain

    def set_counts(self, shown: int, total: int) -> None:
        """Show "shown / total"."""
        self.shown, self.total = shown, total
        self.refresh()

    def set_sort(self, key: str, reverse: bool) -> None:
        """Show the sort key and its direction."""
        self.sort_key, self.reverse = key, reverse
        self.refresh()

    def set_query(self, text: str) -> None:
        """Show the active query ("" for none)."""
        self.query_text = text
        self.refresh()

    def set_state(self, text: str) -> None:
        """Show what is happening: progress, "saved", an error in short."""
        self.state = text
        self.refresh()

    def _left_content(self) -> Content:
        arrow = "↓" if self.reverse else "↑"
        parts: list[str | tuple[str, str] | Content] = [
            (f"{self.shown:,}", "bold"),
            f" / {self.total:,}",
            ("  sort: ", "dim"),
            f"{safe_line(SORT_LABELS.get(self.sort_key, self.sort_key))} {arrow}",
        ]
        if self.query_text:
            parts += [("  query: ", "dim"), Content(" ".join(safe_line(self.query_text).split()))]
        return Content.assemble(*parts)

    def render(self) -> Content:
        """The left part, cut to leave room for the state on the right."""
        width = self.content_region.width
        state = Content(safe_line(self.state))
        room = max(0, width - state.cell_length - 2) if self.state else width
        if state.cell_length > width // 2:
            state = state.truncate(width // 2, ellipsis=True)
            room = max(0, width - state.cell_length - 2)
        left = self._left_content().truncate(room, ellipsis=True)
        gap = max(0, width - left.cell_length - state.cell_length)
        return Content.assemble(left, " " * gap, state.stylize("dim"))
