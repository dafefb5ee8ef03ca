"""Input controls of the tag panel: completion, add-tag field, tag list, reason picker.

Each control only reports what the user did (messages, or the `Input`'s own events);
`peerlit_tui.ui.widgets.tag_panel.TagPanel` turns that into annotation changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual import on
from textual.binding import BindingType
from textual.content import Content
from textual.message import Message
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from peerlit_tui.annotation import tag_key
from peerlit_tui.text import fold
from peerlit_tui.ui.bindings import bindings_for, keymap_of
from peerlit_tui.ui.keys import key_label
from peerlit_tui.ui.text_render import SafeInput, safe_content

#: Reasons offered by number keys; more are reachable with the arrow keys.
MAX_NUMBERED_REASONS = 9


class TagSuggester(Suggester):
    """Completes a tag from the project's tags, most used first, case- and accent-blind."""

    def __init__(self) -> None:
        # Case-sensitive in the base class's terms: it then passes the value as typed
        # and the folding below decides what matches.
        super().__init__(use_cache=False, case_sensitive=True)
        self._tags: list[str] = []
        self._folded: list[str] = []
        self._skip: set[str] = set()

    def set_tags(self, tags: Iterable[str], skip: Iterable[str] = ()) -> None:
        """Replace the candidates.

        Args:
            tags: Candidate tags in order of preference.
            skip: Tags not to suggest (those the record already has).
        """
        self._tags = list(tags)
        self._folded = [tag_key(t) for t in self._tags]
        self._skip = {tag_key(t) for t in skip}

    async def get_suggestion(self, value: str) -> str | None:
        """Return the first candidate that starts with what was typed.

        Args:
            value: The input's current value.

        Returns:
            A tag, or None when nothing fits.
        """
        typed = fold(value).lstrip()
        if not typed:
            return None
        for tag, folded in zip(self._tags, self._folded, strict=True):
            if folded.startswith(typed) and folded not in self._skip:
                # Accepting replaces the value with the stored spelling, so a tag keeps
                # one spelling however it was typed.
                return tag
        return None


class TagInput(SafeInput):
    """The add-tag field: a single-line input that never holds control characters."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("tag_input")
    """Esc returns focus to the panel so the decision keys work again."""

    def action_leave(self) -> None:
        """Clear the field and focus the panel."""
        self.value = ""
        if isinstance(self.parent, Widget) and self.parent.can_focus:
            self.parent.focus()


class TagList(OptionList):
    """The tag list; Delete or Backspace removes the highlighted tag from the record."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("tag_list")
    """Removal key of the tag list."""

    class RemoveRequested(Message):
        """The user asked to remove the highlighted tag."""

        def __init__(self, index: int) -> None:
            self.index = index
            """Index of the highlighted option."""
            super().__init__()

    def action_remove_tag(self) -> None:
        """Ask the panel to remove the highlighted tag."""
        if self.highlighted is not None:
            self.post_message(self.RemoveRequested(self.highlighted))


class ReasonPicker(OptionList):
    """The exclusion-reason list shown after the exclude key; number keys pick a reason."""

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("reason")
    """Number keys pick a reason (0 = no reason); Esc cancels."""

    class Picked(Message):
        """A reason was chosen (None for "no reason") or the picker was cancelled."""

        def __init__(self, reason: str | None, *, cancelled: bool = False) -> None:
            self.reason = reason
            """The reason, or None to exclude without one."""
            self.cancelled = cancelled
            """True when the user backed out."""
            super().__init__()

    def __init__(self) -> None:
        super().__init__(id="reason-picker")
        self.border_title = "Exclusion reason"
        self.reasons: list[str] = []
        """The project's exclusion reasons, in picker order."""

    def set_reasons(self, reasons: Sequence[str]) -> None:
        """Replace the offered reasons (no work when they did not change).

        Args:
            reasons: The project's exclusion reasons.
        """
        if list(reasons) == self.reasons and self.option_count:
            return
        self.reasons = list(reasons)
        keymap = keymap_of(self)
        options = [Option(Content.assemble((f"{key_label('tags.reason_0', keymap)} ", "dim"),
                                           "(no reason)"))]  # fmt: skip
        for number, reason in enumerate(self.reasons, 1):
            label = key_label(f"tags.reason_{number}", keymap)
            prefix = f"{label} " if number <= MAX_NUMBERED_REASONS else "  "
            options.append(Option(Content.assemble((prefix, "dim"), safe_content(reason))))
        self.set_options(options)

    def action_pick(self, number: int) -> None:
        """Pick reason `number` (0 = no reason); numbers past the list do nothing."""
        if number == 0:
            self.post_message(self.Picked(None))
        elif number <= len(self.reasons):
            self.post_message(self.Picked(self.reasons[number - 1]))

    def action_cancel(self) -> None:
        """Close without a decision."""
        self.post_message(self.Picked(None, cancelled=True))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick(event.option_index)
