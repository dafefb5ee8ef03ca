"""The bulk-action dialog: decide, tag or untag every record the filter shows.

The dialog names the count in its title and on its button, so nobody changes 20,000
records thinking of twenty; the change is one transaction, undone by one undo.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from peerlit_tui.annotation import validate_tag
from peerlit_tui.ui.bindings import bindings_for, keymap_of
from peerlit_tui.ui.keys import key_label
from peerlit_tui.ui.text_render import SafeInput, safe_content

#: (action, value, label) of each choice; tag choices take the tag from the field.
CHOICES: tuple[tuple[str, str, str], ...] = (
    ("decide", "include", "Include"),
    ("decide", "exclude", "Exclude"),
    ("decide", "maybe", "Maybe"),
    ("decide", "undecided", "Clear the decision"),
    ("tag", "", "Add the tag below"),
    ("untag", "", "Remove the tag below"),
)


@dataclass(frozen=True, slots=True)
class BulkChoice:
    """What to do to every shown record.

    Attributes:
        action: "decide", "tag" or "untag".
        value: The decision, or the tag.
    """

    action: str
    value: str


class BulkDialog(ModalScreen[BulkChoice | None]):
    """Pick a bulk action; dismisses with it, or None.

    Args:
        count: How many records it will change.
        tags: The project's tags (the untag choice names one of them).
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("bulk")
    """Dialog keys (`ui.keys`, context "bulk")."""

    DEFAULT_CSS = """
    BulkDialog {
        align: center middle;
        & > #bulk-dialog {
            width: 64;
            max-width: 100%;
            height: auto;
            border: round $warning;
            background: $surface;
            padding: 0 1;
        }
        & RadioSet { width: 1fr; }
        & #bulk-tag { width: 100%; }
        & #bulk-error { color: $text-error; height: auto; }
        & #bulk-help { color: $text-muted; height: 1; }
    }
    """

    def __init__(self, count: int, tags: Sequence[str] = ()) -> None:
        super().__init__()
        self.count = count
        self._tags = list(tags)

    def compose(self) -> Iterable[Widget]:
        """The choices, the tag field, the confirm button and the keys."""
        keymap = keymap_of(self)
        with Vertical(id="bulk-dialog") as dialog:
            dialog.border_title = f"Change all {self.count:,} records the filter shows"
            with RadioSet(id="bulk-choice"):
                for n, (_action, _value, label) in enumerate(CHOICES):
                    yield RadioButton(label, value=n == 0)
            yield SafeInput(placeholder="tag (for add / remove)", id="bulk-tag")
            yield Static(id="bulk-error")
            yield Button(f"Apply to {self.count:,} records", variant="warning", id="bulk-apply")
            confirm, cancel = key_label("bulk.confirm", keymap), key_label("bulk.cancel", keymap)
            yield Static(Content(f"{confirm} or the button applies · one undo reverts it all · "
                                 f"{cancel} cancels"), id="bulk-help")  # fmt: skip

    def on_mount(self) -> None:
        """Start on the choices."""
        self.query_one("#bulk-choice", RadioSet).focus()

    def choice(self) -> BulkChoice | str:
        """The chosen action, or why it cannot be applied."""
        index = self.query_one("#bulk-choice", RadioSet).pressed_index
        action, value, _label = CHOICES[max(0, index)]
        if action == "decide":
            return BulkChoice(action, value)
        try:
            tag = validate_tag(self.query_one("#bulk-tag", Input).value)
        except ValueError as error:
            return str(error)
        return BulkChoice(action, tag)

    def action_confirm(self) -> None:
        """Apply (close with the choice)."""
        found = self.choice()
        if isinstance(found, str):
            self.query_one("#bulk-error", Static).update(safe_content(found))
            return
        self.dismiss(found)

    @on(Button.Pressed, "#bulk-apply")
    def _pressed(self) -> None:
        self.action_confirm()

    @on(Input.Submitted, "#bulk-tag")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_close(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)
