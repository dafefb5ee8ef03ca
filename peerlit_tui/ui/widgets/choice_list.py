"""A radio list where Enter chooses the highlighted option and submits the dialog.

Textual's `RadioSet` only toggles on Enter; in a dialog whose hint says "Enter
exports", Enter on the format list should pick the highlighted format and export.
Space still only toggles.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.message import Message
from textual.widgets import RadioButton, RadioSet

from peerlit_tui.ui.bindings import bindings_for


class ChoiceList(RadioSet):
    """A `RadioSet` whose Enter chooses and submits (`ChoiceList.Chosen`)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("choice")
    """Enter chooses (`ui.keys`, context "choice"); arrows and Space as in `RadioSet`."""

    class Chosen(Message):
        """Enter on an option: the dialog should act on it."""

        def __init__(self, choice_list: ChoiceList, name: str) -> None:
            super().__init__()
            self.choice_list = choice_list
            self.name = name
            """The chosen option's name."""

        @property
        def control(self) -> ChoiceList:
            """The list that sent the message."""
            return self.choice_list

    def action_choose(self) -> None:
        """Press the highlighted option and report it."""
        selected = self._selected
        buttons = list(self.query(RadioButton))
        if selected is None or not 0 <= selected < len(buttons):
            return
        button = buttons[selected]
        if not button.value:
            button.toggle()
        self.post_message(self.Chosen(self, button.name or ""))
