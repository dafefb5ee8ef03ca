"""User configuration: a TOML file of personal preferences, read once at start.

The file lives in the platform's per-user config folder
(`~/.config/peerlit/config.toml` on Linux); the `PEERLIT_CONFIG` environment variable
names another file. Every setting is optional. Project settings that belong with a
library (inclusion criteria, highlighting words, saved searches) are not kept here but
in the library folder (`peerlit_tui.services.project`); the highlighting words here
are only the defaults a new project starts with.

A broken file never stops peerlit: `load_config` returns the defaults for whatever
part is broken, plus one warning per problem naming the file and line, e.g.
`~/.config/peerlit/config.toml:7: default_sort.key must be one of added, year, …`.
A TOML syntax error makes the whole file unusable, so every setting falls back.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

from peerlit_tui.config_path import config_path
from peerlit_tui.config_toml import DEFAULT_FILE, key_lines, to_toml
from peerlit_tui.highlight import MAX_WORDS, clean_word, unique_words
from peerlit_tui.text import clean_line

__all__ = [
    "DEFAULT_FILE",
    "LIST_COLUMNS",
    "SORT_KEYS",
    "Config",
    "HighlightSettings",
    "ScreeningSettings",
    "SortSettings",
    "check_choices",
    "config_path",
    "load_config",
    "save_theme",
    "to_toml",
]

#: The theme used when the file names none.
DEFAULT_THEME: Final = "textual-dark"
#: Sort keys of the record list (`peerlit_tui.services.search.SORT_KEYS`, and "priority":
#: the relevance ranking's order, undecided records first, which the app sorts by itself).
SORT_KEYS: Final[tuple[str, ...]] = (
    "added", "year", "author", "title", "journal", "relevance", "priority"
)  # fmt: skip
#: Columns of the record list, in display order; the title is always shown.
LIST_COLUMNS: Final[tuple[str, ...]] = (
    "decision", "score", "year", "author", "title", "journal", "tags"
)  # fmt: skip
#: A binding id as Textual's keymap names it ("main.include", "list.down").
_BINDING_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(slots=True)
class SortSettings:
    """How the record list is sorted when the app starts."""

    key: str = "added"
    """One of `SORT_KEYS`: date added, year, first author, title, journal, relevance, priority."""
    reverse: bool = False
    """Descending instead of ascending."""


@dataclass(slots=True)
class HighlightSettings:
    """Keyword highlighting defaults for new projects."""

    enabled: bool = True
    """Whether highlighting is on when the app starts (a key toggles it)."""
    include_words: list[str] = field(default_factory=list)
    """Words a new project starts with in its include list (shown green)."""
    exclude_words: list[str] = field(default_factory=list)
    """Words a new project starts with in its exclude list (shown red)."""


@dataclass(slots=True)
class ScreeningSettings:
    """Screening mode behaviour."""

    auto_advance: bool = True
    """After a decision, move to the next undecided record of the current filter."""


@dataclass(slots=True)
class Config:
    """Every user setting, with defaults for what the file leaves out."""

    theme: str = DEFAULT_THEME
    """A Textual theme name ("textual-dark", "textual-light", "nord", "gruvbox", …)."""
    reviewer: str = ""
    """Who screens on this machine ("" = the login name); `--reviewer` and
    `PEERLIT_REVIEWER` take precedence (`peerlit_tui.services.reviewers`)."""
    default_sort: SortSettings = field(default_factory=SortSettings)
    """The record list's sort at start."""
    list_columns: list[str] = field(default_factory=lambda: list(LIST_COLUMNS))
    """The visible record list columns (`LIST_COLUMNS`; the title is always shown)."""
    highlight: HighlightSettings = field(default_factory=HighlightSettings)
    """Keyword highlighting defaults."""
    screening: ScreeningSettings = field(default_factory=ScreeningSettings)
    """Screening mode behaviour."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id → keys, comma-separated ({"main.include": "y", "list.down": "down,j"})."""
    source: Path | None = field(default=None, compare=False, repr=False)
    """The file the settings were read from (None for built-in defaults)."""
    lines: dict[tuple[str, ...], int] = field(default_factory=dict, compare=False, repr=False)
    """Line of each setting in `source`, by key path (("default_sort", "key"))."""

    def to_json(self) -> dict[str, Any]:
        """The settings as a JSON-ready mapping (file and line bookkeeping left out)."""
        data = asdict(self)
        data.pop("source")
        data.pop("lines")
        return data

    def to_toml(self) -> str:
        """The settings as a TOML document that reads back to the same settings."""
        return to_toml(self.to_json())


class _Reader:
    """Validates a parsed TOML document setting by setting, collecting warnings."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = key_lines(text)
        self._found: list[tuple[int, str]] = []

    def line_of(self, *keys: str) -> int | None:
        # A key defined in an inline table has no line of its own: use its table's.
        for n in range(len(keys), 0, -1):
            line = self.lines.get(keys[:n])
            if line is not None:
                return line
        return None

    def warn(self, keys: tuple[str, ...], message: str) -> None:
        line = self.line_of(*keys)
        where = f"{self.path}:{line}" if line else str(self.path)
        self._found.append((line or 0, f"{where}: {message}"))

    @property
    def warnings(self) -> list[str]:
        """The warnings so far, in line order."""
        return [message for _, message in sorted(self._found, key=lambda item: item[0])]

    def table(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if isinstance(value, dict):
            return value
        self.warn((key,), f"{key} must be a table ([{key}]), not {_kind(value)}; using defaults")
        return {}

    def boolean(self, data: dict[str, Any], keys: tuple[str, ...], default: bool) -> bool:
        value = data.get(keys[-1], default)
        if isinstance(value, bool):
            return value
        self.warn(
            keys,
            f"{'.'.join(keys)} must be true or false, not {_kind(value)}; "
            f"using {str(default).lower()}",
        )
        return default

    def string(self, data: dict[str, Any], keys: tuple[str, ...], default: str) -> str:
        value = data.get(keys[-1], default)
        text = clean_line(value) if isinstance(value, str) else ""
        if text:
            return text
        self.warn(
            keys,
            f"{'.'.join(keys)} must be a non-empty string, not {_kind(value)}; using {default!r}",
        )
        return default

    def string_list(self, data: dict[str, Any], keys: tuple[str, ...]) -> list[str] | None:
        value = data.get(keys[-1])
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        self.warn(
            keys,
            f"{'.'.join(keys)} must be a list of strings, not {_kind(value)}; using the default",
        )
        return None

    def unknown(self, data: dict[str, Any], prefix: tuple[str, ...], known: Iterable[str]) -> None:
        for key in data:
            if key not in known:
                name = ".".join((*prefix, key))
                self.warn((*prefix, key), f"unknown setting {name!r} ignored")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def load_config(path: Path | None = None) -> tuple[Config, list[str]]:
    """Read the user configuration, falling back to defaults for anything broken.

    Args:
        path: The file to read; defaults to `config_path()`.

    Returns:
        The settings, and one warning per problem ("FILE:LINE: what was wrong").
        A missing file is not a problem: it gives the defaults and no warning.
    """
    path = config_path() if path is None else path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(), []
    except OSError as exc:
        return Config(), [
            f"{path}: cannot read the config file ({exc.strerror or exc}); "
            "using the default settings"
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Config(), [
            f"{path}:{line}: the config file is not UTF-8 text; using the default settings"
        ]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_POSITION.search(message)
        where = f"{path}:{found.group(1)}" if found else str(path)
        detail = _TOML_POSITION.sub("", message).strip()
        column = f" (column {found.group(2)})" if found else ""
        return Config(), [
            f"{where}: TOML syntax error: {detail}{column}; using the default settings"
        ]
    reader = _Reader(path, text)
    config = _build(data, reader)
    config.source = path
    config.lines = reader.lines
    return config, reader.warnings


def _build(data: dict[str, Any], r: _Reader) -> Config:
    config = Config()
    r.unknown(
        data,
        (),
        ("theme", "reviewer", "keymap", "default_sort", "list_columns", "highlight", "screening"),
    )
    if "theme" in data:
        config.theme = r.string(data, ("theme",), config.theme)
    if isinstance(data.get("reviewer"), str):
        config.reviewer = data["reviewer"].strip()  # "" = the login name
    elif "reviewer" in data:
        config.reviewer = r.string(data, ("reviewer",), config.reviewer)
    config.default_sort = _sort(data.get("default_sort"), r)
    if "list_columns" in data:
        config.list_columns = _columns(r.string_list(data, ("list_columns",)), r)
    config.highlight = _highlight(r.table(data, "highlight"), r)
    screening = r.table(data, "screening")
    r.unknown(screening, ("screening",), ("auto_advance",))
    config.screening.auto_advance = r.boolean(screening, ("screening", "auto_advance"), True)
    config.keymap = _keymap(r.table(data, "keymap"), r)
    return config


def _keymap(table: dict[str, Any], r: _Reader) -> dict[str, str]:
    keymap: dict[str, str] = {}
    for binding, keys in table.items():
        where = ("keymap", binding)
        if not _BINDING_ID.match(binding):
            r.warn(where, f"keymap: {binding!r} is not a binding id (like 'main.include'); ignored")
            continue
        parts = [p.strip() for p in keys.split(",")] if isinstance(keys, str) else []
        if not parts or not all(p and " " not in p for p in parts):
            r.warn(
                where,
                f'keymap.{binding} must be keys like "ctrl+z" or "j,down", '
                f"not {_kind(keys)}; ignored",
            )
            continue
        keymap[binding] = ",".join(parts)
    return keymap


def _sort(value: Any, r: _Reader) -> SortSettings:
    sort = SortSettings()
    if value is None:
        return sort
    table = {"key": value} if isinstance(value, str) else value
    if not isinstance(table, dict):
        r.warn(
            ("default_sort",),
            f"default_sort must be a table with key and reverse, not "
            f"{_kind(value)}; using defaults",
        )
        return sort
    r.unknown(table, ("default_sort",), ("key", "reverse"))
    if "key" in table:
        key = table["key"]
        if isinstance(key, str) and key.strip().lower() in SORT_KEYS:
            sort.key = key.strip().lower()
        else:
            r.warn(
                ("default_sort", "key"),
                f"default_sort.key must be one of "
                f"{', '.join(SORT_KEYS)}, not {_kind(key)}; using {sort.key!r}",
            )
    sort.reverse = r.boolean(table, ("default_sort", "reverse"), False)
    return sort


def _columns(value: list[str] | None, r: _Reader) -> list[str]:
    if value is None:
        return list(LIST_COLUMNS)
    wanted = {v.strip().lower() for v in value}
    for name in sorted(wanted - set(LIST_COLUMNS)):
        r.warn(
            ("list_columns",),
            f"list_columns: unknown column {name!r} ignored (columns: {', '.join(LIST_COLUMNS)})",
        )
    if "title" not in wanted:
        r.warn(("list_columns",), "list_columns: the title column is always shown")
        wanted.add("title")
    return [c for c in LIST_COLUMNS if c in wanted]


def _highlight(table: dict[str, Any], r: _Reader) -> HighlightSettings:
    settings = HighlightSettings()
    r.unknown(table, ("highlight",), ("enabled", "include_words", "exclude_words"))
    settings.enabled = r.boolean(table, ("highlight", "enabled"), True)
    for kind in ("include_words", "exclude_words"):
        if kind not in table:
            continue
        where = ("highlight", kind)
        words = r.string_list(table, where)
        if words is None:
            continue
        kept = []
        for word in words:
            try:
                kept.append(clean_word(word))
            except ValueError as exc:
                r.warn(where, f"highlight.{kind}: {exc}; left out")
        unique = unique_words(kept, limit=None)
        if len(unique) > MAX_WORDS:
            r.warn(where, f"highlight.{kind}: only the first {MAX_WORDS} words are used")
        setattr(settings, kind, unique[:MAX_WORDS])
    return settings


def check_choices(
    config: Config,
    *,
    themes: Iterable[str] | None = None,
    binding_ids: Iterable[str] | None = None,
) -> list[str]:
    """Check the settings only the UI can judge, resetting what is not available.

    Args:
        config: Settings from `load_config`; an unknown theme is reset to the default
            and unknown binding ids are removed from the keymap.
        themes: The theme names the app offers.
        binding_ids: The binding ids the app defines.

    Returns:
        One warning per problem, naming the file and line.
    """
    reader = _Reader(config.source or config_path(), "")
    reader.lines = config.lines
    if themes is not None:
        names = list(themes)
        if config.theme not in names:
            reader.warn(
                ("theme",),
                f"theme {config.theme!r} is not available (themes: "
                f"{', '.join(sorted(names))}); using the default",
            )
            config.theme = DEFAULT_THEME if DEFAULT_THEME in names else (names or [""])[0]
    if binding_ids is not None:
        known = set(binding_ids)
        for binding in [b for b in config.keymap if b not in known]:
            reader.warn(("keymap", binding), f"keymap: no binding is called {binding!r}; ignored")
            del config.keymap[binding]
    return reader.warnings


_THEME_LINE = re.compile(r"^\s*theme\s*=.*$")


def save_theme(theme: str, path: Path | None = None) -> Path:
    """Keep a theme the user picked in the app: set `theme = "…"` in the config file.

    Only that line changes (comments and every other setting stay as written); a
    file without one gets it at the top. The file is replaced atomically, so a
    crash leaves either the old or the new file.

    Args:
        theme: The theme name.
        path: The config file (default: `config_path()`).

    Returns:
        The file written.
    """
    target = path or config_path()
    text = target.read_text(encoding="utf-8") if target.is_file() else ""
    line = f"theme = {json.dumps(theme)}"
    lines = text.splitlines()
    for n, existing in enumerate(lines):
        if existing.lstrip().startswith("["):
            break  # only a top-level key is the theme
        if _THEME_LINE.match(existing):
            lines[n] = line
            break
    else:
        lines.insert(0, line)
    if line not in lines:
        lines.insert(0, line)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
    return target
