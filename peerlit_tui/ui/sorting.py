"""The sort choices of the record list: keys, and how each reads in the status line.

A registry rather than constants spread over modules: the keys are the config's
(`peerlit_tui.config.SORT_KEYS`, which the search index implements), and a new sort
adds one `SortOption` here. Each direction has its own words, so "newest first" and
"oldest first" never look alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from peerlit_tui.config import SORT_KEYS


@dataclass(frozen=True, slots=True)
class SortOption:
    """One sort key of the record list.

    Attributes:
        key: The key the search index sorts by ("year").
        label: What it is called ("year").
        ascending: The ascending direction in words ("oldest first").
        descending: The descending direction in words ("newest first").
    """

    key: str
    label: str
    ascending: str = "A→Z"
    descending: str = "Z→A"

    def text(self, reverse: bool) -> str:
        """The sort as the status line shows it ("year ↓ newest first")."""
        if reverse:
            return f"{self.label} ↓ {self.descending}"
        return f"{self.label} ↑ {self.ascending}"


_OPTIONS: Final[dict[str, SortOption]] = {
    "added": SortOption("added", "date added", "oldest first", "newest first"),
    "year": SortOption("year", "year", "oldest first", "newest first"),
    "author": SortOption("author", "author", "A→Z", "Z→A"),
    "title": SortOption("title", "title", "A→Z", "Z→A"),
    "journal": SortOption("journal", "journal", "A→Z", "Z→A"),
    "relevance": SortOption("relevance", "relevance", "best first", "worst first"),
    # The relevance ranking's order (`ui.controllers.ranking`): undecided records first,
    # most likely inclusions at the top; decided records follow.
    "priority": SortOption("priority", "priority", "likely first", "unlikely first"),
}
#: The sort key of the relevance ranking, the default in screening mode once it ranks.
PRIORITY = "priority"


def sort_options() -> list[SortOption]:
    """Every sort key in the order `s` cycles through them (the config's order)."""
    return [_OPTIONS.get(key) or SortOption(key, key) for key in SORT_KEYS]


def register_sort(option: SortOption) -> None:
    """Describe a sort key (a key the config's `SORT_KEYS` lists)."""
    _OPTIONS[option.key] = option


def sort_option(key: str) -> SortOption:
    """The option of a key (a plain one for a key nobody described)."""
    return _OPTIONS.get(key) or SortOption(key, key)


def next_sort(key: str) -> str:
    """The key after `key` in cycling order."""
    keys = [o.key for o in sort_options()]
    return keys[(keys.index(key) + 1) % len(keys)] if key in keys else keys[0]
