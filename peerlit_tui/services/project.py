"""Project settings kept with the library: criteria, highlighting words, saved searches.

They live in `project.json` in the library folder, next to the records and the
annotations, so a library copied to another machine or shared with a co-reviewer
keeps them. (Exclusion reasons are project settings too, but they live in the
annotations store, where decisions refer to them and undo covers them.)

    {"format": 1,
     "criteria": "Include: adults with ... Exclude: ...",
     "include_words": ["peer support", "randomi*ed"],
     "exclude_words": ["rat", "mice"],
     "saved_searches": {"1": {"name": "RCTs", "query": "randomi* -protocol"}}}

Every change is a read-modify-write under a lock (`peerlit_tui.storage.project_file`):
the file is read again under the lock, the change applied to what is on disk and
the result written atomically. So two peerlit windows editing the same library
never lose each other's changes, and a crash leaves the old file or the new one.

The include and exclude lists start as the user config's defaults the first time
a library's settings are opened; from then on the project keeps its own. A new
library starts with `DEFAULT_EXCLUSION_REASONS` (see `start_new_library`), which
the user edits like any other reasons; a library that existed before keeps its own.

This module also says where the bundled sample data is (`sample_data_dir`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from peerlit_tui.highlight import clean_word, unique_words, validate_kind, word_key
from peerlit_tui.storage.paths import ANNOTATIONS_JOURNAL, ANNOTATIONS_JSON, RECORDS_DB
from peerlit_tui.storage.project_file import (
    BROKEN_SUFFIX,
    PROJECT_JSON,
    Document,
    ProjectFile,
    ProjectFileError,
    Stamp,
)
from peerlit_tui.text import clean_line, clean_note, shorten

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService, Transaction

__all__ = [
    "DEFAULT_EXCLUSION_REASONS",
    "PROJECT_JSON",
    "SEARCH_SLOTS",
    "ProjectSettings",
    "SavedSearch",
    "is_new_library",
    "sample_data_dir",
    "start_new_library",
    "validate_slot",
]

#: The exclusion reasons a new library starts with: the usual PICO-style reasons of
#: a systematic review's title/abstract and full-text screening.
DEFAULT_EXCLUSION_REASONS: Final = (
    "wrong population",
    "wrong intervention",
    "wrong outcome",
    "wrong study design",
    "wrong publication type",
    "not in English",
    "duplicate",
    "no full text",
)
#: The files whose presence means a library already exists in a folder.
_LIBRARY_FILES: Final = (RECORDS_DB, ANNOTATIONS_JOURNAL, ANNOTATIONS_JSON)

PROJECT_FORMAT: Final = 1
#: Saved searches sit on the number keys 1 to 9.
SEARCH_SLOTS: Final = range(1, 10)
MAX_CRITERIA_LENGTH: Final = 50_000
MAX_QUERY_LENGTH: Final = 2_000
MAX_SEARCH_NAME_LENGTH: Final = 60

_KNOWN_KEYS: Final = ("format", "criteria", "include_words", "exclude_words", "saved_searches")
_WORD_FIELDS: Final = {"include": "include_words", "exclude": "exclude_words"}

State = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A query stored on a number key.

    Attributes:
        slot: The number key, 1 to 9.
        name: What the user calls it (the query itself unless named).
        query: The query text, as typed in the filter.
    """

    slot: int
    name: str
    query: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping: {"slot", "name", "query"}."""
        return {"slot": self.slot, "name": self.name, "query": self.query}


def sample_data_dir() -> Path | None:
    """The bundled sample exports (package data), or None when they are not installed.

    The one place that knows where they are, for the command line and the app alike.
    """
    from importlib.resources import files

    folder = Path(str(files("peerlit_tui") / "sample_data"))
    return folder if folder.is_dir() else None


def is_new_library(folder: Path) -> bool:
    """True when no library exists in `folder` yet (neither records nor annotations).

    Ask before opening the stores, which create their files.
    """
    return not any((Path(folder) / name).exists() for name in _LIBRARY_FILES)


def start_new_library(annotations: AnnotationService) -> Transaction | None:
    """Give a new library the default exclusion reasons, as one change.

    Call it once, when `is_new_library` said the folder was new before the stores
    were opened. A list that already holds reasons is left as it is.
    """
    from peerlit_tui.storage.annotation_index import REASONS_FIELD
    from peerlit_tui.storage.annotations import Edit

    def build(index: Any) -> list[Edit]:
        if index.reasons:
            return []
        return [Edit(None, REASONS_FIELD, DEFAULT_EXCLUSION_REASONS)]

    if annotations.read_only or annotations.reasons():
        return None
    txn: Transaction | None = annotations.store.transact("default exclusion reasons", build)
    return txn


def validate_slot(slot: int | str) -> int:
    """Check a saved-search slot number.

    Raises:
        ValueError: Unless `slot` is a whole number from 1 to 9.
    """
    try:
        number = int(str(slot).strip())
    except ValueError:
        number = 0
    if number not in SEARCH_SLOTS:
        raise ValueError(f"a saved-search slot is a number from 1 to 9, not {slot!r}")
    return number


class ProjectSettings:
    """The settings of one library, shared safely between processes.

    Reads come from memory; `reload()` (or `refresh()`, which reloads only when the
    file changed) picks up changes other processes made. Each change method applies
    the change to the newest file under the lock and returns what it did.

    Args:
        folder: The library folder (created by the first change if missing).
        include_words: Include-words a new project starts with (from the user config).
        exclude_words: Exclude-words a new project starts with.
        sync: fsync every write; only tests and benchmarks turn it off.
    """

    def __init__(
        self,
        folder: Path,
        *,
        include_words: Iterable[str] = (),
        exclude_words: Iterable[str] = (),
        sync: bool = True,
    ) -> None:
        self.folder = Path(folder)
        self.file = ProjectFile(self.folder, sync=sync)
        self.path = self.file.path
        self.warnings: list[str] = []
        """Problems met reading the file (unreadable JSON, a value of the wrong type)."""
        self._state: State = {}
        self._stamp: Stamp | None = None
        self.reload()
        defaults = {"include_words": list(include_words), "exclude_words": list(exclude_words)}
        if any(f not in self._state for f in defaults) and any(defaults.values()):
            try:
                self._update(lambda state: _seed(state, defaults))
            except OSError as exc:
                # A read-only library still shows the defaults; it just cannot keep them.
                _seed(self._state, defaults)
                _warn(self.warnings, f"{self.path}: cannot save the project settings ({exc})")

    # -- reading ---------------------------------------------------------------------

    def reload(self) -> None:
        """Read the file again (a missing file means every setting at its default)."""
        try:
            data, self._stamp = self.file.read()
        except ProjectFileError as exc:
            _warn(
                self.warnings,
                f"{exc}; using defaults (the file is kept as "
                f"{PROJECT_JSON}{BROKEN_SUFFIX} on the next change)",
            )
            data, self._stamp = None, self.file.stamp()
        self._state = self._validated(data)

    def refresh(self) -> bool:
        """Reload when another process changed the file; True when it did."""
        if self.file.stamp() == self._stamp:
            return False
        self.reload()
        return True

    def criteria(self) -> str:
        """The inclusion criteria text ("" when none is written yet)."""
        return str(self._state.get("criteria", ""))

    def include_words(self) -> list[str]:
        """Words that suggest a record belongs in the review (highlighted green)."""
        return list(self._state.get("include_words", []))

    def exclude_words(self) -> list[str]:
        """Words that suggest a record does not belong (highlighted red)."""
        return list(self._state.get("exclude_words", []))

    def words(self, kind: str) -> list[str]:
        """The include or exclude list, by name."""
        return list(self._state.get(_WORD_FIELDS[validate_kind(kind)], []))

    def saved_searches(self) -> dict[int, SavedSearch]:
        """The saved searches by slot, in slot order."""
        searches = self._state.get("saved_searches", {})
        return {
            int(slot): SavedSearch(int(slot), item["name"], item["query"])
            for slot, item in sorted(searches.items(), key=lambda kv: int(kv[0]))
        }

    def saved_search(self, slot: int | str) -> SavedSearch | None:
        """The search on one slot, or None when the slot is empty."""
        return self.saved_searches().get(validate_slot(slot))

    def to_json(self) -> dict[str, Any]:
        """Every project setting as a JSON-ready mapping."""
        return {
            "criteria": self.criteria(),
            "include_words": self.include_words(),
            "exclude_words": self.exclude_words(),
            "saved_searches": [s.to_json() for s in self.saved_searches().values()],
        }

    # -- changing --------------------------------------------------------------------

    def set_criteria(self, text: str) -> bool:
        """Replace the inclusion criteria; "" clears them. True when the text changed.

        Raises:
            ValueError: When the text is longer than `MAX_CRITERIA_LENGTH`.
        """
        clean = clean_note(text)
        if len(clean) > MAX_CRITERIA_LENGTH:
            raise ValueError(f"the criteria are limited to {MAX_CRITERIA_LENGTH} characters")
        return self._update(lambda state: _put(state, "criteria", clean))

    def set_words(self, kind: str, words: Iterable[str]) -> bool:
        """Replace one list; its words leave the other list. True when anything changed.

        Raises:
            ValueError: For an unknown list or a word `clean_word` rejects.
        """
        name = _WORD_FIELDS[validate_kind(kind)]
        wanted = unique_words(words)
        return self._update(lambda state: _place(state, name, wanted, replace=True))

    def add_word(self, kind: str, word: str) -> bool:
        """Add a word to one list (moving it from the other); False if already there."""
        name = _WORD_FIELDS[validate_kind(kind)]
        clean = clean_word(word)
        return self._update(lambda state: _place(state, name, [clean], replace=False))

    def remove_word(self, kind: str, word: str) -> bool:
        """Remove a word (any case or accents) from one list; False if it was not there."""
        name = _WORD_FIELDS[validate_kind(kind)]
        key = word_key(clean_line(word))

        def change(state: State) -> bool:
            current = list(state.get(name, []))
            kept = [w for w in current if word_key(w) != key]
            return _put(state, name, kept) if len(kept) != len(current) else False

        return self._update(change)

    def save_search(self, slot: int | str, query: str, name: str | None = None) -> SavedSearch:
        """Store a query on a number key, replacing what was there.

        Args:
            slot: 1 to 9.
            query: The query text; it must parse.
            name: A name; None keeps the slot's name when the query is unchanged,
                otherwise the query (shortened) names it.

        Raises:
            ValueError: For a bad slot, an empty or unreadable query, or a bad name.
        """
        number = validate_slot(slot)
        text = _check_query(query)
        given = _check_name(name) if name is not None else None

        def change(state: State) -> bool:
            searches = dict(state.get("saved_searches", {}))
            old = searches.get(str(number))
            label = given
            if label is None and old is not None and old["query"] == text:
                label = old["name"]
            searches[str(number)] = {
                "name": label or shorten(text, MAX_SEARCH_NAME_LENGTH),
                "query": text,
            }
            return _put(state, "saved_searches", searches)

        self._update(change)
        saved = self.saved_search(number)
        assert saved is not None  # written just now, under the lock
        return saved

    def rename_search(self, slot: int | str, name: str) -> SavedSearch:
        """Rename a saved search.

        Raises:
            ValueError: For a bad slot or name, or an empty slot.
        """
        number, label = validate_slot(slot), _check_name(name)

        def change(state: State) -> bool:
            searches = dict(state.get("saved_searches", {}))
            if str(number) not in searches:
                raise ValueError(f"no search is saved on {number}")
            searches[str(number)] = {**searches[str(number)], "name": label}
            return _put(state, "saved_searches", searches)

        self._update(change)
        return SavedSearch(number, label, self.saved_searches()[number].query)

    def delete_search(self, slot: int | str) -> bool:
        """Empty a slot; False when nothing was saved there."""
        number = validate_slot(slot)

        def change(state: State) -> bool:
            searches = dict(state.get("saved_searches", {}))
            if searches.pop(str(number), None) is None:
                return False
            return _put(state, "saved_searches", searches)

        return self._update(change)

    # -- the file --------------------------------------------------------------------

    def _update(self, change: Callable[[State], bool]) -> bool:
        """Apply `change` to the newest settings on disk; write them if it changed them."""
        result: list[tuple[State, bool]] = []

        def apply(data: Document | None) -> Document | None:
            state = self._validated(data)
            changed = change(state)
            result.append((state, changed))
            return {"format": PROJECT_FORMAT, **state} if changed else None

        _, stamp = self.file.update(apply)
        # Only now, once the write succeeded, does memory follow the disk.
        (self._state, changed), self._stamp = result[0], stamp
        return changed

    def _validated(self, data: Document | None) -> State:
        return _validated(data or {}, self.path, self.warnings)


def _warn(warnings: list[str], message: str) -> None:
    if message not in warnings:
        warnings.append(message)


def _put(state: State, key: str, value: Any) -> bool:
    if state.get(key) == value:
        return False
    state[key] = value
    return True


def _seed(state: State, defaults: dict[str, list[str]]) -> bool:
    changed = False
    for name, words in defaults.items():
        if name not in state:
            # A default the config accepted is valid; a bad one is skipped, not fatal.
            with suppress(ValueError):
                changed = _put(state, name, unique_words(words)) or changed
    return changed


def _place(state: State, name: str, words: list[str], *, replace: bool) -> bool:
    """Put `words` in list `name` and take them out of the other list."""
    other = "exclude_words" if name == "include_words" else "include_words"
    keys = {word_key(w) for w in words}
    current = [] if replace else list(state.get(name, []))
    held = {word_key(w) for w in current}
    merged = unique_words([*current, *(w for w in words if word_key(w) not in held)])
    changed = _put(state, name, merged)
    others = [w for w in state.get(other, []) if word_key(w) not in keys]
    if other in state:
        changed = _put(state, other, others) or changed
    return changed


def _check_query(query: str) -> str:
    from peerlit_tui.query import QueryError, parse

    text = clean_line(query)
    if not text:
        raise ValueError("a saved search needs a query")
    if len(text) > MAX_QUERY_LENGTH:
        raise ValueError(f"a saved query is limited to {MAX_QUERY_LENGTH} characters")
    try:
        parse(text, complete=True)
    except QueryError as exc:
        raise ValueError(f"the query cannot be read: {exc}") from exc
    return text


def _check_name(name: str) -> str:
    text = clean_line(name)
    if not text:
        raise ValueError("a saved search's name cannot be empty")
    if len(text) > MAX_SEARCH_NAME_LENGTH:
        raise ValueError(f"a saved search's name is limited to {MAX_SEARCH_NAME_LENGTH} characters")
    return text


def _validated(data: dict[str, Any], path: Path, warnings: list[str]) -> State:
    """Keep the settings of the right shape; warn about and drop the rest."""
    state: State = {}
    criteria = data.get("criteria", "")
    if isinstance(criteria, str):
        if criteria:
            state["criteria"] = clean_note(criteria)
    else:
        _warn(warnings, f"{path}: 'criteria' is not text; ignored")
    for name in ("include_words", "exclude_words"):
        if name not in data:
            continue
        words = data[name]
        try:
            if not isinstance(words, list):
                raise ValueError("not a list")
            state[name] = unique_words(words)
        except ValueError as exc:
            _warn(warnings, f"{path}: {name!r} is not a list of words ({exc}); ignored")
    searches = data.get("saved_searches", {})
    if not isinstance(searches, dict):
        _warn(warnings, f"{path}: 'saved_searches' is not an object; ignored")
        searches = {}
    kept: dict[str, dict[str, str]] = {}
    for slot, item in searches.items():
        try:
            number = validate_slot(slot)
            if not isinstance(item, dict):
                raise ValueError("not an object")
            query = clean_line(item.get("query") if isinstance(item.get("query"), str) else "")
            if not query:
                raise ValueError("no query")
            given = item.get("name")
            label = clean_line(given) if isinstance(given, str) else ""
            kept[str(number)] = {
                "name": label or shorten(query, MAX_SEARCH_NAME_LENGTH),
                "query": query,
            }
        except ValueError as exc:
            _warn(warnings, f"{path}: saved search {slot!r} ignored ({exc})")
    if kept or "saved_searches" in data:
        state["saved_searches"] = kept
    # Keys of later versions are carried along untouched, so an older peerlit
    # writing the file does not drop settings it does not know.
    for key, value in data.items():
        if key not in state and key not in _KNOWN_KEYS:
            state[key] = value
    return state
