"""The panes' container, which owns screening mode's keys.

Screening mode's keys (`e` exclude, `1`–`9` reasons, `I E M U`) live on this
container of the list, the detail pane and the annotation panel, so they mean the
same whichever pane has focus, and win over the main screen's everyday meaning of
the same keys (`e` note, digits rating). Outside screening mode they are switched
off (`enabled`) and the everyday meaning applies. The container only reports the
key (`Workspace.ScreeningKey`); the screen decides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import BindingType
from textual.containers import Horizontal
from textual.message import Message

from peerlit_tui.ui.bindings import bindings_for


class Workspace(Horizontal):
    """The list, detail and annotation panes, with screening mode's keys.

    Args:
        enabled: True while screening keys apply (screening mode, a record shown).
        id: Widget id.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("screening")
    """Screening mode's keys (`ui.keys`, context "screening")."""

    class ScreeningKey(Message):
        """A screening key was pressed: a decision, or an exclusion reason's number."""

        def __init__(self, decision: str, slot: int | None) -> None:
            super().__init__()
            self.decision = decision
            """"include", "exclude", "maybe" or "undecided"."""
            self.slot = slot
            """The reason number for an exclusion with a reason, else None."""

    def __init__(self, *, enabled: Callable[[], bool], id: str | None = None) -> None:
        super().__init__(id=id)
        self._enabled = enabled

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Screening keys act only in screening mode."""
        if action in {"screening_decide", "screening_reason"}:
            return self._enabled()
        return True

    def action_screening_decide(self, decision: str) -> None:
        """Report a decision key."""
        self.post_message(self.ScreeningKey(decision, None))

    def action_screening_reason(self, slot: int) -> None:
        """Report a reason key."""
        self.post_message(self.ScreeningKey("exclude", slot))
