"""The saved-searches dialog: nine numbered slots to recall, store, name or delete.

On the main screen `'` opens it to recall and `"` to store; the next digit acts on
that slot and closes the dialog, so `'3` recalls slot 3 and `"3` stores the current
query there, two keys that reach every terminal (Ctrl/Alt+digit often do not). In
the dialog, `n` names the highlighted slot and Delete/`d` empties it. The slots are
project settings (`ProjectSettings`), kept with the library.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from peerlit_tui.services.project import SEARCH_SLOTS
from peerlit_tui.ui.bindings import bindings_for
from peerlit_tui.ui.text_render import safe_content, safe_line

if TYPE_CHECKING:
    from peerlit_tui.services.project import ProjectSettings

Mode = Literal["recall", "store"]


class SavedSearches(ModalScreen[str | None]):
    """Recall or store a saved search; dismisses with the query to run, or None.

    Args:
        project: The library's project settings.
        mode: What a digit or Enter does: "recall" a slot or "store" `query` in it.
        query: The current query (stored by "store").
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("searches")
    """Dialog keys; Enter acts on the highlighted slot."""

    DEFAULT_CSS = """
    SavedSearches {
        align: center middle;
        & > #searches-dialog {
            width: 90%;
            max-width: 90;
            height: auto;
            max-height: 90%;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & OptionList { height: auto; max-height: 11; }
        & #searches-name { display: none; }
        & #searches-name.-shown { display: block; }
        & #searches-help { height: auto; color: $text-muted; }
    }
    """
    """A centred dialog over the main screen."""

    def __init__(self, project: ProjectSettings, mode: Mode, query: str = "") -> None:
        super().__init__()
        self.project = project
        self.mode: Mode = mode
        self.current_query = query
        self.slots = OptionList(id="searches-slots")
        """One line per slot."""
        self.name_input = Input(placeholder="name, Enter saves", id="searches-name")
        """Where a slot's name is typed."""

    def compose(self) -> Iterable[Widget]:
        """The nine slots, the name input and a key hint."""
        with Vertical(id="searches-dialog") as dialog:
            dialog.border_title = (
                "Recall a saved search" if self.mode == "recall" else "Store the current query"
            )
            yield self.slots
            yield self.name_input
            action = "recalls" if self.mode == "recall" else "stores the query in"
            yield Static(
                Content(f"1–9 or Enter {action} a slot · n names · Delete/d empties · Esc closes"),
                id="searches-help",
            )

    def on_mount(self) -> None:
        """List the slots."""
        self.project.refresh()
        self._show()
        self.slots.highlighted = 0
        self.slots.focus()

    def _show(self) -> None:
        saved = self.project.saved_searches()
        highlighted = self.slots.highlighted
        self.slots.clear_options()
        for n in SEARCH_SLOTS:
            search = saved.get(n)
            if search is None:
                line = Content.assemble((f"{n}  ", "bold"), ("(empty)", "dim"))
            elif search.name != search.query:
                line = Content.assemble(
                    (f"{n}  ", "bold"),
                    safe_content(search.name),
                    ("  ", ""),
                    (safe_line(search.query), "dim"),
                )
            else:
                line = Content.assemble((f"{n}  ", "bold"), safe_content(search.query))
            self.slots.add_option(Option(line, id=str(n)))
        if highlighted is not None:
            self.slots.highlighted = highlighted

    def _highlighted_slot(self) -> int | None:
        index = self.slots.highlighted
        return None if index is None else index + 1

    def action_slot(self, slot: int) -> None:
        """Recall slot `slot`, or store the current query in it, and close."""
        if self.mode == "recall":
            search = self.project.saved_search(slot)
            if search is None:
                self.notify(f"Saved search {slot} is empty.", severity="warning", markup=False)
                return
            self.dismiss(search.query)
            return
        if not self.current_query.strip():
            self.notify("Type a query first: there is nothing to store.", markup=False)
            return
        try:
            self.project.save_search(slot, self.current_query)
        except (ValueError, OSError) as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.notify(f"Stored the query in slot {slot}.", markup=False)
        self.dismiss(None)

    @on(OptionList.OptionSelected, "#searches-slots")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_slot(event.option_index + 1)

    def action_rename(self) -> None:
        """Type a name for the highlighted slot."""
        slot = self._highlighted_slot()
        search = self.project.saved_search(slot) if slot is not None else None
        if search is None:
            self.notify("Only a stored search can be named.", markup=False)
            return
        self.name_input.value = search.name
        self.name_input.add_class("-shown")
        self.name_input.focus()

    @on(Input.Submitted, "#searches-name")
    def _name_submitted(self, event: Input.Submitted) -> None:
        slot = self._highlighted_slot()
        if slot is not None:
            try:
                self.project.rename_search(slot, event.value)
            except (ValueError, OSError) as error:
                self.notify(str(error), severity="error", markup=False)
                return
        self.name_input.remove_class("-shown")
        self._show()
        self.slots.focus()

    def action_delete(self) -> None:
        """Empty the highlighted slot."""
        slot = self._highlighted_slot()
        if slot is not None:
            try:
                self.project.delete_search(slot)
            except OSError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self._show()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a name is typed, letters and digits go to the input."""
        if self.name_input.has_focus and action != "close":
            return False
        return True

    def action_close(self) -> None:
        """Close the name input, or the dialog."""
        if self.name_input.has_focus:
            self.name_input.remove_class("-shown")
            self.slots.focus()
            return
        self.dismiss(None)
