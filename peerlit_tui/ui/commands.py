"""The command palette's list of peerlit actions, generated from the key table.

Every action of the key table that works on the main screen is a command named by
its description ("Stats / PRISMA", "Export…", "Copy…", "Open link"), with its keys
(as remapped) and its explanation as help. A new row in the table is in the
palette without anyone remembering to add it, and nothing else is: the text
fields' own editing commands are not. The screen adds commands that have no key
(one per sort key) through `palette_commands()`.

The palette is a screen of its own; the commands run on the main screen's widgets,
which decide themselves whether an action is available (`check_action`), so they
are found while the palette is the active screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, runtime_checkable

from textual.actions import parse
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from peerlit_tui.ui.bindings import bound_action, keymap_of
from peerlit_tui.ui.keys import KEY_TABLE, key_label, keys_label
from peerlit_tui.ui.sorting import sort_options


@dataclass(frozen=True, slots=True)
class PaletteCommand:
    """One palette entry.

    Attributes:
        title: What the command does ("Include", "Sort by year").
        help: Keys and explanation shown under the title.
        callback: Runs the command.
    """

    title: str
    help: str
    callback: Callable[[], Any]


@runtime_checkable
class PaletteHost(Protocol):
    """A screen whose actions the palette offers (`MainScreen`)."""

    def palette_targets(self) -> dict[str, Any]:
        """The node each key-table context's actions run on."""

    def palette_commands(self) -> list[PaletteCommand]:
        """Commands without a key of their own."""


def table_commands(
    targets: dict[str, DOMNode], keymap: dict[str, str], app: DOMNode
) -> list[PaletteCommand]:
    """A command per key-table action available on `targets` (and the app).

    Args:
        targets: Context → the node its actions run on.
        keymap: The user's keymap (the keys shown).
        app: The app (context "app").

    Returns:
        The enabled commands, one per description.
    """
    nodes = {**targets, "app": app}
    commands: list[PaletteCommand] = []
    titles: set[str] = set()
    for row in KEY_TABLE:
        node = nodes.get(row.context)
        if not row.palette or node is None or row.description in titles:
            continue
        action = bound_action(row.action, row.context)
        _namespace, name, params = parse(action)
        if not node.check_action(name, params):
            continue
        titles.add(row.description)
        help_text = f"{keys_label(row.id, keymap)} · {row.help}"
        commands.append(PaletteCommand(row.description, help_text, partial(_run, node, action)))
    return commands


#: Palette commands whose keys live in the copy menu: (kind, label, key id).
COPY_COMMANDS = (
    ("doi", "DOI", "app.copy_doi"), ("citation", "citation (APA style)", "app.copy_citation"),
    ("bibtex", "BibTeX entry", "app.copy_bibtex"), ("ris", "RIS entry", "app.copy_ris"),
)  # fmt: skip


def extra_commands(
    *,
    sort_by: Callable[[str], object],
    clear_filter: Callable[[], object],
    copy: Callable[[str], object] | None,
    keymap: dict[str, str],
) -> list[PaletteCommand]:
    """Commands without a key of their own: one per sort key, clearing the filter, copying.

    Args:
        sort_by: Sorts by a key.
        clear_filter: Empties the query.
        copy: Copies one text of the current record; None without a record.
        keymap: The user's keymap (the keys named in the help).
    """
    cycle, flip = key_label("main.cycle_sort", keymap), key_label("main.reverse_sort", keymap)
    commands = [
        PaletteCommand(
            f"Sort by {o.label}", f"{cycle} cycles, {flip} reverses", partial(sort_by, o.key)
        )
        for o in sort_options()
    ]
    commands.append(PaletteCommand("Clear the filter", "ctrl+u in the filter", clear_filter))
    if copy is not None:
        menu = key_label("app.copy_menu", keymap)
        for kind, label, key_id in COPY_COMMANDS:
            keys = f"{menu} then {key_label(key_id, keymap)}"
            commands.append(PaletteCommand(f"Copy {label}", keys, partial(copy, kind)))
    return commands


async def _run(node: DOMNode, action: str) -> None:
    await node.app.run_action(action, node)


class KeyTableCommands(Provider):
    """Palette provider: the key table's actions on the screen it was opened from."""

    def _commands(self) -> Iterator[PaletteCommand]:
        screen = self.screen
        if isinstance(screen, PaletteHost):
            yield from table_commands(screen.palette_targets(), keymap_of(screen), self.app)
            yield from screen.palette_commands()
        else:
            yield from table_commands({}, keymap_of(screen), self.app)

    async def discover(self) -> Hits:
        """Every command, for the palette's empty search."""
        for command in sorted(self._commands(), key=lambda c: c.title):
            yield DiscoveryHit(command.title, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        """Commands whose title or explanation matches what was typed (fuzzy)."""
        matcher = self.matcher(query)
        for command in self._commands():
            score = max(matcher.match(command.title), matcher.match(command.help) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.callback,
                          help=command.help)  # fmt: skip
