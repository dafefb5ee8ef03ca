"""The status line: how many records are shown, the sort, the query and what is happening.

Left: "1,234 / 100,000", the sort key with its direction, the relevance ranking
("ranked by 42 decisions, 3 min ago") and the active query.
Right: the latest state ("saved: …", "indexing 100,000 records…"). The query is
user text, so every part is cleaned (`text_render`) and built as `Content`, never
parsed as markup.

The line renders itself at its fixed one-line size: an update repaints this line
only, without the screen relayout a changing child widget would cost on every
keystroke.
"""

from __future__ import annotations

from textual.content import Content
from textual.timer import Timer
from textual.widget import Widget

from peerlit_tui.ui.sorting import sort_option
from peerlit_tui.ui.text_render import safe_line

#: Seconds a "saved: …" or "undone: …" message stays before the line clears it.
STATE_SECONDS = 8.0


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
        self.ranking = ""
        """The relevance ranking's state ("ranked by 42 decisions, 3 min ago"; "" hides it)."""
        self.extras: dict[str, str] = {}
        """Short named parts shown after the query ("reviewer": "anna"), in insertion order."""
        self._clear_timer: Timer | None = None

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

    def set_state(self, text: str, *, transient: bool = False) -> None:
        """Show what is happening: progress, "saved", an error in short.

        Args:
            text: The state ("" clears it).
            transient: Clear it after `STATE_SECONDS` (a confirmation, not a lasting state).
        """
        self.state = text
        if self._clear_timer is not None:
            self._clear_timer.stop()
            self._clear_timer = None
        if transient and text and self.is_attached:
            self._clear_timer = self.set_timer(STATE_SECONDS, self._clear_state)
        self.refresh()

    def _clear_state(self) -> None:
        self._clear_timer = None
        self.state = ""
        self.refresh()

    def set_ranking(self, text: str) -> None:
        """Show the relevance ranking's state after the sort ("" hides it)."""
        if text != self.ranking:
            self.ranking = text
            self.refresh()

    def set_extra(self, name: str, text: str) -> None:
        """Show (or with "" remove) a named part, such as the reviewer's name."""
        if text:
            self.extras[name] = text
        else:
            self.extras.pop(name, None)
        self.refresh()

    def _left_content(self) -> Content:
        parts: list[str | tuple[str, str] | Content] = [
            (f"{self.shown:,}", "bold"),
            f" / {self.total:,}",
            ("  sort: ", "dim"),
            safe_line(sort_option(self.sort_key).text(self.reverse)),
        ]
        # Before the ranking: who screens ("reviewer: alice") stays in view at 80 columns.
        for name, text in self.extras.items():
            parts += [(f"  {safe_line(name)}: ", "dim"), safe_line(text)]
        if self.ranking:
            parts += [("  ", "dim"), safe_line(self.ranking)]
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
