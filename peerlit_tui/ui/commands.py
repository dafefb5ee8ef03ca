"""The command palette's list of peerlit actions.

Every key binding of the screen the palette was opened from (every pane, not only
the focused one) and of the app becomes a command named by the binding's
description, with its keys and tooltip as help. A new binding is therefore in the
palette without anyone remembering to add it. Screens can add commands that have
no key (such as "Sort by journal") through a `palette_commands()` method, and so
can the app (commands whose keys live in a menu, such as "Copy DOI").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.actions import parse
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

#: Actions that make no sense as palette entries (the palette itself, Textual internals).
SKIPPED_ACTIONS = frozenset({"command_palette", "help_quit"})


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


def binding_commands(
    nodes: list[DOMNode], key_display: Callable[[Any], str]
) -> list[PaletteCommand]:
    """Commands for the bindings of `nodes`, first node first, one per (node, action).

    Args:
        nodes: Widgets, screens and the app whose bindings to list.
        key_display: Turns a binding into its displayed key ("ctrl+p" -> "^p").

    Returns:
        The commands, skipping bindings without description and disabled actions.
    """
    found: dict[tuple[int, str], tuple[DOMNode, Any, list[str]]] = {}
    for node in nodes:
        for _key, binding in node._bindings:
            if binding.system or not binding.description:
                continue
            name, params = _action_name(binding.action)
            if name in SKIPPED_ACTIONS:
                continue
            entry = found.setdefault((id(node), binding.action), (node, binding, []))
            display = key_display(binding)
            if display not in entry[2]:
                entry[2].append(display)
    commands: list[PaletteCommand] = []
    titles: set[str] = set()
    for node, binding, keys in found.values():
        name, params = _action_name(binding.action)
        if node.check_action(name, params) is False or binding.description in titles:
            continue
        titles.add(binding.description)
        help_text = f"{', '.join(keys)} · {binding.tooltip}" if binding.tooltip else ", ".join(keys)
        commands.append(
            PaletteCommand(binding.description, help_text, partial(_run, node, binding.action))
        )
    return commands


def _action_name(action: str) -> tuple[str, tuple[object, ...]]:
    _namespace, name, params = parse(action)
    return name, params


async def _run(node: DOMNode, action: str) -> None:
    await node.app.run_action(action, node)


class BindingCommands(Provider):
    """Palette provider: every bound action of the current screen and the app."""

    def _commands(self) -> Iterator[PaletteCommand]:
        screen = self.screen
        focused = screen.focused
        chain: list[DOMNode] = list(focused.ancestors_with_self) if focused is not None else []
        others = [node for node in screen.walk_children(with_self=True) if node not in chain]
        nodes = [*chain, *others, self.app]
        yield from binding_commands(nodes, self.app.get_key_display)
        for owner in (screen, self.app):
            extra = getattr(owner, "palette_commands", None)
            if callable(extra):
                yield from extra()

    async def discover(self) -> Hits:
        """Every command, for the palette's empty search."""
        for command in sorted(self._commands(), key=lambda c: c.title):
            yield DiscoveryHit(command.title, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        """Commands whose title matches what was typed (fuzzy)."""
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.callback,
                          help=command.help)  # fmt: skip
