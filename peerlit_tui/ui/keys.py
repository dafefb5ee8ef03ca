"""The key table: every action of the app with one id, its words, where it works and its keys.

This is the single source of the app's keys. Bindings (`ui.bindings`), the help
screen, the command palette, the footer and every on-screen key label ("1 wrong
population", "t to add", the copy menu) are generated from it, so a remap in the
user's `[keymap]` shows everywhere. The module imports no toolkit: the command line
checks a keymap (`keymap_problems`) and prints the README's key tables
(`markdown_tables`) without loading Textual.

A *context* is where a key is looked up, innermost first. Each one is owned by one
widget or screen, so two actions on one key in one context are a real clash (only
one can run), and a key bound in an inner context hides the same key of an outer
one while the inner one has focus (`CONTEXT_PARENTS`). Screening mode is a context
between the panes and the main screen: its keys win over the everyday ones (`e`
excludes instead of editing the note) in every pane alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from peerlit_tui.config import Config

from peerlit_tui.ui.key_table import (
    CONTEXT_NAMES,
    CONTEXT_PARENTS,
    GROUPS,
    KEY_TABLE,
    MAIN_CONTEXTS,
    RENAMED_IDS,
    KeyAction,
)

__all__ = [
    "CONTEXT_NAMES",
    "CONTEXT_PARENTS",
    "GROUPS",
    "KEY_TABLE",
    "MAIN_CONTEXTS",
    "RENAMED_IDS",
    "KeyAction",
    "action",
    "action_ids",
    "check_keymap",
    "default_problems",
    "grouped",
    "in_context",
    "key_display",
    "key_label",
    "keymap_problems",
    "keys_label",
    "markdown_tables",
    "normalize_keymap",
]

_BY_ID: Final[dict[str, KeyAction]] = {a.id: a for a in KEY_TABLE}


def action(action_id: str) -> KeyAction:
    """The row of an id (raises KeyError for an unknown id)."""
    return _BY_ID[action_id]


def action_ids() -> frozenset[str]:
    """Every id a keymap may use (the renamed old ids included)."""
    return frozenset(_BY_ID) | frozenset(RENAMED_IDS)


def in_context(context: str) -> list[KeyAction]:
    """The rows of one context, in table order."""
    return [a for a in KEY_TABLE if a.context == context]


def normalize_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """The keymap with old ids renamed to the current ones (`RENAMED_IDS`)."""
    return {RENAMED_IDS.get(key_id, key_id): keys for key_id, keys in keymap.items()}


def keys_of(action_id: str, keymap: Mapping[str, str] | None = None) -> list[str]:
    """The keys of an action after the user's remap, in order."""
    found = (keymap or {}).get(action_id) or _BY_ID[action_id].keys
    return [k.strip() for k in found.split(",") if k.strip()]


#: How named keys read on screen.
_KEY_NAMES: Final[Mapping[str, str]] = {
    "question_mark": "?", "slash": "/", "apostrophe": "'", "quotation_mark": '"',
    "right_curly_bracket": "}", "left_curly_bracket": "{", "minus": "-", "plus": "+",
    "equals_sign": "=", "escape": "Esc", "enter": "Enter", "space": "Space", "tab": "Tab",
    "delete": "Del", "backspace": "Backspace", "pagedown": "PgDn", "pageup": "PgUp",
    "home": "Home", "end": "End", "up": "↑", "down": "↓", "left": "←", "right": "→",
    "shift+tab": "Shift+Tab", "comma": ",", "full_stop": ".", "asterisk": "*",
}  # fmt: skip


def key_display(key: str) -> str:
    """A Textual key name as a person reads it ("ctrl+s" → "^s", "escape" → "Esc")."""
    if key in _KEY_NAMES:
        return _KEY_NAMES[key]
    if key.startswith("ctrl+") and len(key) > 5:
        return "^" + key_display(key[5:])
    if len(key) >= 2 and key[0] == "f" and key[1:].isdigit():
        return key.upper()
    return key


def key_label(action_id: str, keymap: Mapping[str, str] | None = None) -> str:
    """The first key of an action as shown in labels ("R edits the list")."""
    keys = keys_of(action_id, keymap)
    return key_display(keys[0]) if keys else "?"


def keys_label(action_id: str, keymap: Mapping[str, str] | None = None) -> str:
    """Every key of an action for help ("↓, j")."""
    return ", ".join(key_display(k) for k in keys_of(action_id, keymap))


# -- clashes -----------------------------------------------------------------------------


def _chain(context: str) -> list[str]:
    chain: list[str] = []
    current: str | None = context
    while current is not None:
        chain.append(current)
        current = CONTEXT_PARENTS[current]
    return chain


def _leaves() -> list[str]:
    parents = {p for p in CONTEXT_PARENTS.values() if p is not None}
    return [c for c in CONTEXT_PARENTS if c not in parents]


def _key_owners(keymap: Mapping[str, str]) -> dict[tuple[str, str], list[KeyAction]]:
    owners: dict[tuple[str, str], list[KeyAction]] = {}
    for row in KEY_TABLE:
        for key in dict.fromkeys(keys_of(row.id, keymap)):
            owners.setdefault((row.context, key), []).append(row)
    return owners


def _problems(keymap: Mapping[str, str]) -> Iterator[tuple[str, str, str, str]]:
    """(kind, key, first id, second id): clashes in one context, then hidden keys."""
    owners = _key_owners(keymap)
    for (_context, key), rows in owners.items():
        for other in rows[1:]:
            yield ("clash", key, rows[0].id, other.id)
    seen: set[tuple[str, str, str]] = set()
    for leaf in _leaves():
        chain = _chain(leaf)
        for depth, inner in enumerate(chain):
            for outer in chain[depth + 1 :]:
                for (context, key), rows in owners.items():
                    if context != inner:
                        continue
                    for hidden in owners.get((outer, key), []):
                        item = (key, rows[0].id, hidden.id)
                        if item not in seen and not _same_action(rows[0], hidden):
                            seen.add(item)
                            yield ("hides", key, rows[0].id, hidden.id)


def _same_action(a: KeyAction, b: KeyAction) -> bool:
    # Screening mode's "i" meaning include hides nothing: the outer key does the same.
    return a.action.replace("screening_decide", "decide") == b.action


def _describe(kind: str, key: str, first: str, second: str) -> str:
    a, b = _BY_ID[first], _BY_ID[second]
    shown = key_display(key)
    if kind == "clash":
        return (
            f"keymap: {shown} is bound to both {first} ({a.description}) and {second} "
            f"({b.description}) in {CONTEXT_NAMES[a.context]}; only the first acts"
        )
    return (
        f"keymap: {shown} for {first} ({a.description}) hides {second} ({b.description}) "
        f"in {CONTEXT_NAMES[a.context]}"
    )


def keymap_problems(keymap: Mapping[str, str]) -> list[str]:
    """What a user keymap breaks, in words naming both actions.

    Two actions on one key in one context (only one can run), and a remapped key
    that hides another action of an enclosing context (`"main.cycle_sort" = "o"`
    hides Open link). Conflicts the default keys already have on purpose (screening
    mode's `e` over the note key) are not reported.

    Args:
        keymap: Action id → keys, as in the config file (old ids are accepted).

    Returns:
        One message per problem; empty when the keymap is clean.
    """
    mapped = normalize_keymap(keymap)
    default = set(_problems({}))
    return [_describe(*p) for p in dict.fromkeys(_problems(mapped)) if p not in default]


def default_problems() -> list[str]:
    """Clashes among the default keys (a test keeps this empty)."""
    return [_describe(*p) for p in _problems({}) if p[0] == "clash"]


# -- documentation -----------------------------------------------------------------------


def grouped(
    contexts: Iterable[str] | None = None,
) -> list[tuple[str, list[KeyAction]]]:
    """Rows by activity (`GROUPS` order), optionally only those of some contexts."""
    wanted = set(contexts) if contexts is not None else None
    groups: list[tuple[str, list[KeyAction]]] = []
    for group in GROUPS:
        rows = [
            a for a in KEY_TABLE if a.group == group and (wanted is None or a.context in wanted)
        ]
        if rows:
            groups.append((group, rows))
    return groups


def markdown_tables(keymap: Mapping[str, str] | None = None) -> str:
    """The key tables of the README: one per activity, keys · what it does · where · id."""
    out: list[str] = []
    for group, rows in grouped():
        out += [f"**{group.capitalize()}**", "", "| Keys | What it does | Where | Id |",
                "| :- | :- | :- | :- |"]  # fmt: skip
        for row in rows:
            keys = keys_label(row.id, keymap).replace("|", "\\|")
            out.append(f"| `{keys}` | {row.help} | {CONTEXT_NAMES[row.context]} | `{row.id}` |")
        out.append("")
    return "\n".join(out)


def check_keymap(config: Config) -> list[str]:
    """Check a config's keymap against the key table; for the app and `peerlit config show`.

    Unknown ids are removed (with a warning naming the file and line), old ids are
    renamed, and remaps that clash with or hide another action are reported naming
    both actions. Imports no toolkit.

    Args:
        config: Settings from `peerlit_tui.config.load_config` (its keymap is updated).

    Returns:
        One warning per problem.
    """
    from peerlit_tui.config import check_choices

    warnings = check_choices(config, binding_ids=action_ids())
    config.keymap = normalize_keymap(config.keymap)
    where = f"{config.source}: " if config.source is not None else ""
    return warnings + [where + problem for problem in keymap_problems(config.keymap)]


if __name__ == "__main__":  # python -m peerlit_tui.ui.keys: the README key tables
    print(markdown_tables())
