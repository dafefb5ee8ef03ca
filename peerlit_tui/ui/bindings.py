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
            row.action,
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
