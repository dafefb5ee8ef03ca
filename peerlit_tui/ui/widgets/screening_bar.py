"""The screening mode's progress line and the exclusion reasons on the number keys."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widget import Widget

from peerlit_tui.ui.bindings import keymap_of
from peerlit_tui.ui.keys import key_label
from peerlit_tui.ui.text_render import safe_line


class ScreeningBar(Widget):
    """Two lines above the status line in screening mode.

    The first is the progress of the current filter ("screened N of M (include a,
    exclude b, maybe c) · R per hour"); the second lists the reasons on the number keys.
    Data goes in through `set_progress` and `set_reasons`.
    """

    DEFAULT_CSS = """
    ScreeningBar {
        height: 2;
        padding: 0 1;
        background: $boost;
        color: $foreground;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.progress_text = ""
        """The progress line as shown."""
        self.reasons: list[str] = []
        """The reasons on the number keys 1–9, in order."""

    def set_progress(self, text: str) -> None:
        """Show the progress line."""
        self.progress_text = text
        self.refresh()

    def set_reasons(self, reasons: Sequence[str]) -> None:
        """Show which number key excludes with which reason."""
        self.reasons = list(reasons[:9])
        self.refresh()

    def render(self) -> Content:
        """Progress on the first line, reason keys on the second."""
        width = max(1, self.content_region.width)
        first = Content(safe_line(self.progress_text)).stylize("bold")
        keymap = keymap_of(self)
        if self.reasons:
            parts: list[str | tuple[str, str]] = [("exclude because: ", "dim")]
            for n, reason in enumerate(self.reasons, 1):
                key = key_label(f"screening.reason_{n}", keymap)
                parts += [(f"{key} ", "bold"), f"{safe_line(reason)}  "]
        else:
            key = key_label("main.edit_reasons", keymap)
            parts = [(f"no exclusion reasons yet: {key} edits the list", "dim")]
        second = Content.assemble(*parts)
        return Content("\n").join(
            [first.truncate(width, ellipsis=True), second.truncate(width, ellipsis=True)]
        )
