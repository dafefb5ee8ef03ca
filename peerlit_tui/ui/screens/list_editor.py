"""A small dialog to edit project lists: exclusion reasons, include- and exclude-words.

The dialog does not know where a list is stored: each `EditableList` brings functions
that read, add and remove (raising `ValueError` with a message for a rejected entry),
and the dialog shows the list again after every change, so what is on screen is what
was saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from peerlit_tui.ui.bindings import bindings_for
from peerlit_tui.ui.text_render import safe_content, safe_line


@dataclass(frozen=True, slots=True)
class EditableList:
    """One list the dialog edits.

    Attributes:
        label: Heading shown above the list.
        items: Reads the list as stored.
        add: Adds an entry (raises `ValueError` to refuse it).
        remove: Removes an entry.
    """

    label: str
    items: Callable[[], list[str]]
    add: Callable[[str], object]
    remove: Callable[[str], object]


class ListEditor(ModalScreen[bool]):
    """Edit one or more lists; dismisses with True when anything changed.

    Tab moves between the lists and the input; Enter in the input adds the entry to
    the list last focused (the first at the start); Delete or `d` removes the
    highlighted entry; Esc closes (every change is already saved).

    Args:
        title: Dialog title.
        lists: The lists, in display order.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("list_editor")
    """Dialog keys."""

    DEFAULT_CSS = """
    ListEditor {
        align: center middle;
        & > #list-dialog {
            width: 90%;
            max-width: 80;
            height: 80%;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & .list-label { height: 1; text-style: bold; margin-top: 1; }
        & OptionList { height: 1fr; min-height: 3; }
        & #list-input { height: 3; }
        & #list-help { height: 1; color: $text-muted; }
        & #list-message { height: auto; color: $text-error; }
    }
    """
    """A centred dialog over the main screen."""

    def __init__(self, title: str, lists: Sequence[EditableList]) -> None:
        super().__init__()
        self._title = safe_line(title)
        self.lists = list(lists)
        """The lists edited."""
        self.option_lists = [OptionList(id=f"list-{n}") for n in range(len(self.lists))]
        """One option list per edited list."""
        self.input = Input(placeholder="new entry, Enter adds", id="list-input")
        """Where a new entry is typed."""
        self.target = 0
        """Index of the list Enter adds to."""
        self.changed = False
        """True once anything was added or removed."""
        self._message = Static("", id="list-message")

    def compose(self) -> Iterable[Widget]:
        """The lists, one input and a key hint."""
        with Vertical(id="list-dialog") as dialog:
            dialog.border_title = self._title
            for editable, option_list in zip(self.lists, self.option_lists, strict=True):
                yield Static(safe_content(editable.label), classes="list-label")
                yield option_list
            yield self.input
            yield self._message
            yield Static(
                Content("Enter adds to the list last focused · Delete/d removes · Esc closes"),
                id="list-help",
            )

    def on_mount(self) -> None:
        """Fill the lists and put the cursor in the input."""
        for n in range(len(self.lists)):
            self._show(n)
        self.input.focus()

    def _show(self, n: int) -> None:
        option_list = self.option_lists[n]
        highlighted = option_list.highlighted
        option_list.clear_options()
        option_list.add_options(Option(safe_content(item)) for item in self.lists[n].items())
        if option_list.option_count:
            option_list.highlighted = min(highlighted or 0, option_list.option_count - 1)

    def on_descendant_focus(self) -> None:
        """Remember the list last focused: Enter in the input adds to it."""
        for n, option_list in enumerate(self.option_lists):
            if option_list.has_focus:
                self.target = n

    @on(Input.Submitted, "#list-input")
    def _add(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        try:
            self.lists[self.target].add(text)
        except ValueError as error:
            self._message.update(safe_content(str(error)))
            return
        self._message.update("")
        self.changed = True
        self.input.value = ""
        self._show(self.target)

    def action_remove(self) -> None:
        """Remove the highlighted entry of the focused list."""
        for n, option_list in enumerate(self.option_lists):
            if option_list.has_focus and option_list.highlighted is not None:
                items = self.lists[n].items()
                if option_list.highlighted < len(items):
                    try:
                        self.lists[n].remove(items[option_list.highlighted])
                    except ValueError as error:
                        self._message.update(safe_content(str(error)))
                        return
                    self.changed = True
                    self._show(n)
                return

    def action_focus_input(self) -> None:
        """Move to the input."""
        self.input.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Letter keys type into the input rather than acting."""
        if action in {"remove", "focus_input"} and self.input.has_focus:
            return False
        return True

    def action_close(self) -> None:
        """Close, saying whether anything changed."""
        self.dismiss(self.changed)
