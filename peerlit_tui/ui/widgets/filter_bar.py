"""The filter bar: the query input above the list, with an inline error line.

The bar only reports what the user typed (`FilterBar.Changed` on every edit,
`FilterBar.Submitted` on Enter); the screen runs the search. When the search says
the query is malformed, the screen calls `show_error` and keeps showing the last
good result, so a half-typed `year:20` or an unclosed quote never empties the list.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Input, Static

from peerlit_tui.ui.text_render import SafeInput, safe_content

PLACEHOLDER = 'Filter: words  "a phrase"  -not  a OR b  title:…  year:2010..2020  findings:…'


class QueryInput(SafeInput):
    """The query input: one line whose every keystroke repaints only itself.

    `Input` sets its scrollable width to the text's length on each change, and
    `virtual_size` asks for a layout of the whole screen: every pane reflowed and
    repainted at each keystroke, though the input's own size never changes (it is
    100% wide, without scrollbars). Here the scrollable width only repaints;
    `Input` still asks for a layout itself when its size is `auto`.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


class FilterBar(Widget):
    """The query input and its error line."""

    DEFAULT_CSS = """
    FilterBar {
        height: auto;
        & > Input {
            border: none;
            height: 1;
            padding: 0 1;
            background: $boost;
            &:focus { border: none; background: $boost; background-tint: $foreground 5%; }
        }
        & > #filter-error {
            display: none;
            height: auto;
            max-height: 2;
            padding: 0 1;
            color: $text-error;
            background: $error-muted;
        }
        &.-error > #filter-error { display: block; }
    }
    """

    class Changed(Message):
        """The query text changed (`on_filter_bar_changed`)."""

        def __init__(self, filter_bar: FilterBar, text: str) -> None:
            super().__init__()
            self.filter_bar = filter_bar
            self.text = text
            """The whole query as typed."""

        @property
        def control(self) -> FilterBar:
            """The bar that sent the message."""
            return self.filter_bar

    class Submitted(Changed):
        """Enter was pressed in the query (`on_filter_bar_submitted`)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._error: str = ""

    def compose(self) -> ComposeResult:
        """The input and the (hidden until needed) error line."""
        yield QueryInput(placeholder=PLACEHOLDER, id="filter-input", select_on_focus=False)
        yield Static(id="filter-error")

    @property
    def input(self) -> Input:
        """The query input."""
        return self.query_one("#filter-input", Input)

    @property
    def value(self) -> str:
        """The query as typed."""
        return self.input.value

    @property
    def error(self) -> str:
        """The error shown, "" when the query is well formed."""
        return self._error

    def set_value(self, text: str) -> None:
        """Replace the query (posts `Changed` like typing does)."""
        self.input.value = text
        self.input.cursor_position = len(text)

    def show_error(self, message: str) -> None:
        """Show why the query cannot be used; the list keeps the last good result."""
        self._error = message
        # The message can quote what the user typed (or pasted): plain, cleaned text.
        self.query_one("#filter-error", Static).update(safe_content(f"⚠ {message}"))
        self.add_class("-error")

    def clear_error(self) -> None:
        """Hide the error line."""
        if self._error:
            self._error = ""
            self.remove_class("-error")

    def focus_input(self) -> None:
        """Put the keyboard focus in the query input."""
        self.input.focus()

    def action_clear(self) -> None:
        """Remove the whole query."""
        self.set_value("")

    @on(Input.Changed, "#filter-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(FilterBar.Changed(self, event.value))

    @on(Input.Submitted, "#filter-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(FilterBar.Submitted(self, event.value))
