"""Textual bindings built from the key table (`peerlit_tui.ui.keys`).

Every widget and screen takes its `BINDINGS` from here, by context, so a binding
cannot exist without a row in the table (and therefore in help, the palette and
the keymap checker).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from textual.binding import Binding, BindingType
from textual.dom import DOMNode

from peerlit_tui.ui.keys import in_context

#: Contexts whose actions the main screen runs through one `run` action (`MainCommands`).
COMMAND_CONTEXTS = frozenset({"main", "empty"})


def bound_action(action: str, context: str) -> str:
    """The Textual action a key-table row's binding runs.

    The main screen's rows run `run('name', args…)`, so that their commands can live in
    a controller (`ui.controllers.main_commands`) rather than on the screen class.
    """
    if context not in COMMAND_CONTEXTS:
        return action
    name, _, rest = action.partition("(")
    return f"run({name!r}, {rest}" if rest and rest != ")" else f"run({name!r})"


def bindings_for(context: str) -> list[BindingType]:
    """The bindings of one context of the key table, in table order.

    Args:
        context: A key-table context ("list", "main", "copy", …).

    Returns:
        One `Binding` per row, carrying the row's id (the keymap's handle).
    """
    return [
        Binding(
            row.keys,
            bound_action(row.action, row.context),
            row.description,
            show=row.show,
            id=row.id,
            tooltip=row.help,
            priority=row.priority,
        )
        for row in in_context(context)
    ]


def keymap_of(node: DOMNode) -> dict[str, str]:
    """The keymap of the app `node` runs in (empty outside a running app).

    Key labels on screen ("R edits the list") are built from it, so they show the
    keys the user chose.
    """
    try:
        app = node.app
    except Exception:  # not attached to a running app (a unit test building a widget)
        return {}
    return dict(app.keymap) if isinstance(app, HasKeymap) else {}


@runtime_checkable
class HasKeymap(Protocol):
    """An app that keeps the user's keymap (`PeerlitApp`)."""

    keymap: dict[str, str]
