"""Regular expressions that cannot hang: every match runs under a time limit.

Python's `re` cannot be stopped once a match starts, and a pattern such as
`/(a|aa)+$/` backtracks exponentially on a few dozen characters while holding the
GIL, so neither a keystroke nor Ctrl-C gets through. Query regexes and highlighting
patterns are therefore compiled with the `regex` package, whose matcher takes a
`timeout` and can release the GIL while it runs (`concurrent=True`), so the
interface stays responsive while a search thread matches.

`TimedPattern` has the `search`/`finditer` surface the renderer uses on `re`
patterns; those two give up quietly when the limit is reached (highlighting is a
courtesy: no mark is better than a frozen screen). The search itself calls
`timed_search`, which raises `TimeoutError`, so a query can say it took too long.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

import regex

#: Longest a single search of one text may run, in seconds, before the query gives up.
MATCH_TIMEOUT: Final = 0.25
#: Longest all the regex matching of one query may take together, in seconds. A plain
#: pattern over the abstracts of 100,000 records takes about one second.
QUERY_REGEX_BUDGET: Final = 4.0
#: Longest highlighting may spend on one text with one pattern, in seconds.
HIGHLIGHT_TIMEOUT: Final = 0.05

_FLAG_MAP = ((re.IGNORECASE, regex.IGNORECASE), (re.MULTILINE, regex.MULTILINE),
             (re.DOTALL, regex.DOTALL), (re.VERBOSE, regex.VERBOSE))  # fmt: skip

#: What a malformed pattern raises (it has `msg` and `pos`, like `re.error`).
RegexError = regex.error


class TimedPattern:
    """A compiled pattern whose matches run under a time limit.

    Args:
        source: The pattern, in Python `re` syntax (the `regex` package's version 0,
            which is compatible with it).
        flags: `re` flags (IGNORECASE, MULTILINE, DOTALL, VERBOSE).

    Raises:
        RegexError: When the pattern is malformed.
    """

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, source: str, flags: int = 0) -> None:
        converted = regex.VERSION0
        for re_flag, regex_flag in _FLAG_MAP:
            if flags & re_flag:
                converted |= regex_flag
        self._compiled = regex.compile(source, converted)
        self.pattern = source
        self.flags = flags

    def timed_search(self, text: str, timeout: float = MATCH_TIMEOUT) -> bool:
        """Whether the pattern occurs in `text`.

        Args:
            text: The text to search.
            timeout: Seconds the match may take.

        Raises:
            TimeoutError: When it takes longer.
        """
        return self._compiled.search(text, timeout=timeout, concurrent=True) is not None

    def search(self, text: str) -> regex.Match[str] | None:
        """The first match, or None (also when it takes longer than `HIGHLIGHT_TIMEOUT`)."""
        try:
            return self._compiled.search(text, timeout=HIGHLIGHT_TIMEOUT)
        except TimeoutError:
            return None

    def finditer(self, text: str) -> Iterator[regex.Match[str]]:
        """Matches in `text`, stopping quietly after `HIGHLIGHT_TIMEOUT` seconds."""
        try:
            yield from self._compiled.finditer(text, timeout=HIGHLIGHT_TIMEOUT)
        except TimeoutError:
            return

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TimedPattern):
            return NotImplemented
        return (self.pattern, self.flags) == (other.pattern, other.flags)

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __repr__(self) -> str:
        return f"TimedPattern({self.pattern!r})"
