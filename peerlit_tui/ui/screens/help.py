"""The help screen: every key binding active where the user pressed `?`.

The list is taken from `Screen.active_bindings` of the screen below the help screen,
so it shows exactly what the keys do at that moment: the focused pane's bindings
first, then each enclosing widget's, the screen's and the app's. A key shadowed by a
closer widget is listed only where it acts. Each row shows the binding id too, the
name to use when remapping the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from textual.app import App
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static

from peerlit_tui.ui.text_render import safe_content, safe_line

#: Width of the key column.
KEY_WIDTH = 16


@dataclass(frozen=True, slots=True)
class HelpEntry:
    """One action and the keys bound to it.

    Attributes:
        keys: Keys as shown to the user ("e, enter").
        description: What the action does.
        tooltip: Longer explanation, possibly empty.
        binding_id: Id to use in a keymap, possibly empty.
        enabled: False when the action is currently unavailable.
    """

    keys: str
    description: str
    tooltip: str
    binding_id: str
    enabled: bool


def _owner_name(node: DOMNode) -> str:
    """A readable name for the widget, screen or app owning bindings."""
    if isinstance(node, App):
        return "Everywhere"
    name = type(node).__name__
    if isinstance(node, Screen) or not node.id:
        return name
    return f"{name} #{node.id}"


def collect_help(
    bindings: Mapping[str, ActiveBinding], app: App[object]
) -> list[tuple[str, list[HelpEntry]]]:
    """Group active bindings by the node that owns them, merging keys of one action.

    Args:
        bindings: `Screen.active_bindings` of the screen to describe.
        app: The app, used to format keys.

    Returns:
        (owner name, entries) pairs, the focused widget's first and the app's last.
    """
    groups: dict[int, tuple[str, dict[tuple[str, str], list[tuple[Binding, bool]]]]] = {}
    for active in bindings.values():
        owner = groups.setdefault(id(active.node), (_owner_name(active.node), {}))
        action_key = (active.binding.action, active.binding.description)
        owner[1].setdefault(action_key, []).append((active.binding, active.enabled))
    result = []
    for name, actions in groups.values():
        entries = []
        for same_action in actions.values():
            first = same_action[0][0]
            keys = ", ".join(dict.fromkeys(app.get_key_display(b) for b, _ in same_action))
            entries.append(
                HelpEntry(
                    keys=keys,
                    description=first.description or first.action,
                    tooltip=first.tooltip,
                    binding_id=first.id or "",
                    enabled=any(enabled for _, enabled in same_action),
                )
            )
        result.append((name, entries))
    return result


def help_content(groups: Iterable[tuple[str, list[HelpEntry]]]) -> Content:
    """Render grouped entries as one block of text, built without markup.

    Args:
        groups: Output of `collect_help`.

    Returns:
        The help text.
    """
    lines: list[Content] = []
    for name, entries in groups:
        if lines:
            lines.append(Content(""))
        lines.append(safe_content(safe_line(name), "bold underline"))
        for entry in entries:
            style = "" if entry.enabled else "dim"
            parts: list[Content | tuple[str, str] | str] = [
                (safe_line(entry.keys).ljust(KEY_WIDTH) + " ", "bold"),
                safe_content(safe_line(entry.description), style),
            ]
            if entry.tooltip and entry.tooltip != entry.description:
                parts.append(safe_content(" — " + safe_line(entry.tooltip), "dim"))
            if entry.binding_id:
                parts.append(safe_content(f"  [{safe_line(entry.binding_id)}]", "dim italic"))
            lines.append(Content.assemble(*parts))
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Lists the active key bindings; Esc, q or ? closes it.

    Args:
        bindings: The bindings to describe; by default those active on the current
            screen when the help screen is created (create it before pushing it).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,q,question_mark",
            "close",
            "Close help",
            id="help.close",
            tooltip="Close the help screen",
        ),
    ]
    """Keys that close the help."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        & > #help-dialog {
            width: 90%;
            max-width: 110;
            height: 90%;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & #help-text { width: 1fr; height: auto; }
    }
    """
    """A centred, scrollable dialog."""

    def __init__(self, bindings: Mapping[str, ActiveBinding] | None = None) -> None:
        super().__init__()
        below: Screen[object] = self.app.screen
        self.groups = collect_help(
            below.active_bindings if bindings is None else bindings, self.app
        )
        """The bindings shown, grouped by owner."""

    def compose(self) -> Iterable[Widget]:
        """Yield the scrollable help text."""
        with VerticalScroll(id="help-dialog") as dialog:
            dialog.border_title = "Keys  (Esc closes)"
            yield Static(help_content(self.groups), id="help-text")

    def on_mount(self) -> None:
        """Focus the scroll area so arrows and PgUp/PgDn scroll the list."""
        self.query_one("#help-dialog", VerticalScroll).focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
