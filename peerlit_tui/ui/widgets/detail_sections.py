"""The detail pane's abstract sections: a focusable heading line and a collapsible body.

A section is a focusable heading line plus one `Static` body whose `display` is
toggled, which costs about a third of Textual's `Collapsible` per swap; heading and
body sit directly in the pane (`DetailPane` keeps a pool of them mounted and reuses
them for each record), as a container per section would add an arrange pass.
Collapsed state is remembered by `section_key` across records.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from peerlit_tui.model import Section
from peerlit_tui.text import fold
from peerlit_tui.ui.bindings import bindings_for
from peerlit_tui.ui.text_render import safe_line

#: Markers of a collapsed and an expanded section heading.
COLLAPSED_MARK = "▶"
EXPANDED_MARK = "▼"


def section_key(section: Section) -> str:
    """The key under which a section's collapsed state is remembered.

    Args:
        section: An abstract section.

    Returns:
        The canonical key ("findings"), else the folded heading, else "abstract"
        for an unstructured abstract.
    """
    return section.key or fold(safe_line(section.heading)).strip() or "abstract"


class SectionBody(Static):
    """The text of one abstract section, hidden while its section is collapsed."""

    DEFAULT_CSS = """
    SectionBody { width: 1fr; height: auto; padding-left: 2; }
    """
    """Body text is indented under its heading."""


class AbstractSection(Static, can_focus=True):
    """The focusable heading line of one abstract section; it owns the section's body.

    Heading and body are siblings directly inside the pane rather than children of a
    container: every container level costs an arrange pass on each record swap.
    The widget is reused for different records' sections; `show` replaces its contents.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("section")
    """Keys of a focused section heading."""

    DEFAULT_CSS = """
    AbstractSection {
        width: 1fr;
        height: auto;
        margin-top: 1;
        text-style: bold;
        color: $text-primary;
        &:focus { background: $block-cursor-background; color: $block-cursor-foreground; }
        &:hover { background: $boost; }
    }
    """
    """A heading reads as a heading and shows clearly when it has focus."""

    class ToggleRequested(Message):
        """The user asked to collapse or expand this section."""

        def __init__(self, section: AbstractSection) -> None:
            self.section = section
            """The section to toggle."""
            super().__init__()

    def __init__(self) -> None:
        super().__init__()
        self.body = SectionBody()
        """The section text, mounted right after this heading."""
        self.key = ""
        """Key of the section shown (see `section_key`)."""
        self.collapsed = False
        """True while the body is hidden."""
        self._label = Content()
        self._words = 0

    def show(self, key: str, label: Content, body: Content, *, collapsed: bool) -> None:
        """Show a section in this widget.

        Args:
            key: The section's key.
            label: Heading text (already safe).
            body: Body text (already safe).
            collapsed: Whether the body starts hidden.
        """
        self.key = key
        self._label = label
        self._words = len(body.plain.split())
        self.body.update(body)
        self.set_collapsed(collapsed, force=True)

    def set_visible(self, visible: bool) -> None:
        """Show or hide the heading and its body (unused pool entries are hidden).

        Args:
            visible: False to hide both.
        """
        self.display = visible
        self.body.display = visible and not self.collapsed

    def set_collapsed(self, collapsed: bool, *, force: bool = False) -> None:
        """Hide or show the body and update the heading's marker.

        Args:
            collapsed: True to hide the body.
            force: Repaint the heading even when the state is unchanged.
        """
        if collapsed == self.collapsed and not force:
            return
        self.collapsed = collapsed
        self.body.display = not collapsed
        self.set_class(collapsed, "-collapsed")
        if collapsed:
            words = f"  · {self._words} words" if self._words else ""
            heading = Content.assemble(f"{COLLAPSED_MARK} ", self._label, (words, "dim"))
        else:
            heading = Content.assemble(f"{EXPANDED_MARK} ", self._label)
        self.update(heading)

    def action_toggle_section(self) -> None:
        """Ask the pane to flip this section (the pane remembers the state by key)."""
        self.post_message(self.ToggleRequested(self))

    def on_click(self) -> None:
        """Toggle on a mouse click too."""
        self.action_toggle_section()
