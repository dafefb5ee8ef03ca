"""TOML text helpers for the config file: the default file, writing, and key line numbers.

The standard library reads TOML (`tomllib`) but neither writes it nor says on which
line a key stands. The config only needs a small subset written (strings, booleans,
lists of strings, one level of tables), and line numbers for its warnings, so both
are done here rather than with another dependency.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

#: The file `peerlit config init` writes: every setting at its default, explained.
DEFAULT_FILE: Final = """\
# peerlit settings. Every setting is optional; delete a line to get its default back.
# A broken line is reported with its line number, and its default is used instead.

# The colour theme: textual-dark, textual-light, nord, gruvbox, dracula, tokyo-night,
# monokai, flexoki, catppuccin-mocha, catppuccin-latte, solarized-light, solarized-dark,
# rose-pine, atom-one-dark, atom-one-light, ansi-dark, ansi-light, ...
theme = "textual-dark"

# Record list columns to show: decision, score, year, author, title, journal, tags.
# The title is always shown; the order on screen is fixed. The score (the relevance
# ranking's 0–9 bar) shows once the library is ranked.
list_columns = ["decision", "score", "year", "author", "title", "journal", "tags"]

[default_sort]
# The sort when the app starts: added, year, author, title, journal, relevance or priority.
key = "added"
# true sorts descending.
reverse = false

[highlight]
# Keyword highlighting is on when the app starts (a key toggles it).
enabled = true
# Words a new project starts with; each project then keeps its own lists.
# Whole words, case and accents ignored; * matches any letters ("child*", "randomi*ed").
include_words = []
exclude_words = []

[screening]
# After a decision, move to the next undecided record of the current filter.
auto_advance = true

[keymap]
# Binding id = keys (comma-separated). The help screen (?) lists the ids. Examples:
# "screening.include" = "y"
# "screening.exclude" = "n"
# "main.cycle_sort" = "o"
"""

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_LONG_LIST = 90


def to_toml(data: dict[str, Any]) -> str:
    """Write a mapping as TOML: plain values first, then one `[table]` per nested mapping.

    Args:
        data: Strings, numbers, booleans, lists and mappings of those.

    Returns:
        A TOML document that `tomllib.loads` reads back to `data`.
    """
    out = [f"{_key(k)} = {_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for key, table in data.items():
        if isinstance(table, dict):
            if out:
                out.append("")
            out.append(f"[{_key(key)}]")
            out.extend(f"{_key(k)} = {_value(v)}" for k, v in table.items())
    return "\n".join(out) + "\n"


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes; TOML also forbids a raw DEL.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        items = [_value(v) for v in value]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= _LONG_LIST:
            return one_line
        return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Find the line (1-based) on which each key and table of a TOML document is defined.

    Good enough for messages, not a parser: it follows `[table]` headers, dotted and
    quoted keys, and skips comments and the inside of multi-line strings.

    Args:
        text: The document.

    Returns:
        Key path → line of its first definition; a table header or a dotted key also
        gives the line of each enclosing table not seen before.
    """
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    open_quote: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if open_quote is not None:
            if line.count(open_quote) % 2 == 1:
                open_quote = None
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            body = stripped[2:] if stripped.startswith("[[") else stripped[1:]
            keys, rest = _parse_key(body)
            if keys and rest.lstrip().startswith("]"):
                table = tuple(keys)
                for n in range(1, len(table) + 1):
                    found.setdefault(table[:n], number)
            continue
        keys, rest = _parse_key(stripped)
        rest = rest.lstrip()
        if not keys or not rest.startswith("="):
            continue
        path = (*table, *keys)
        for n in range(len(table) + 1, len(path) + 1):
            found.setdefault(path[:n], number)
        value = rest[1:]
        for quote in ('"""', "'''"):
            if value.count(quote) % 2 == 1:
                open_quote = quote
                break
    return found


def _parse_key(text: str) -> tuple[list[str], str]:
    """Read a (dotted, possibly quoted) key from the start of `text`; return it and the rest."""
    keys: list[str] = []
    i = 0
    while True:
        while i < len(text) and text[i] in " \t":
            i += 1
        if i >= len(text):
            return [], ""
        if text[i] == '"':
            end = i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if end >= len(text):
                return [], ""
            raw = text[i : end + 1]
            try:
                keys.append(json.loads(raw))
            except ValueError:
                keys.append(raw[1:-1])
            i = end + 1
        elif text[i] == "'":
            end = text.find("'", i + 1)
            if end < 0:
                return [], ""
            keys.append(text[i + 1 : end])
            i = end + 1
        else:
            match = _BARE_KEY.match(text, i)
            if not match:
                return [], ""
            keys.append(match.group())
            i = match.end()
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == ".":
            i += 1
            continue
        return keys, text[i:]
