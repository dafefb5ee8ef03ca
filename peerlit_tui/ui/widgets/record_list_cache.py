"""What the record list remembers between frames: rendered rows and the lines painted.

A rendered row is kept with the highlight lookups it made; after a new query it is
reused when each lookup still finds the same spans (typing "depr" → "depre"
leaves most rows as they were). The lines last painted let a new result repaint
only the screen lines whose content changed: repainting a line costs Textual's
whole per-line pipeline (styles, filters, the compositor's cuts), even when the
row itself comes from the cache.

Highlighting looks only at the rows being rendered, so its cost follows the
screen's height, never the number of records shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from textual.strip import Strip

from peerlit_tui.highlight import Highlight
from peerlit_tui.ui.text_render import match_spans
from peerlit_tui.ui.widgets.record_row import Highlights

#: One span lookup a row made while rendering: (kind, text, field, what it found).
Probe = tuple[str, str, str, object]
#: A cached row's key: (index into the list columns, drawn under the cursor).
RowKey = tuple[int, bool]
#: Rows kept at most; past this the cache starts again (a screenful is ~40).
MAX_ROWS = 2000


class RowMarkers:
    """The query-term and include/exclude-word patterns the rows are marked with."""

    def __init__(self) -> None:
        self.terms: dict[str | None, list[re.Pattern[str]]] = {}
        """Query-term patterns per field (None: every field)."""
        self.words: list[Highlight] = []
        """The project's include/exclude-words."""

    def set_terms(self, highlights: Highlights) -> bool:
        """Use these query-term patterns; True when they differ from the last ones."""
        by_field: dict[str | None, list[re.Pattern[str]]] = {}
        for field_name, pattern in highlights:
            by_field.setdefault(field_name, []).append(pattern)
        if by_field == self.terms:
            return False
        self.terms = by_field
        return True

    def set_words(self, words: Sequence[Highlight]) -> bool:
        """Use these include/exclude-words; True when they differ from the last ones."""
        if list(words) == self.words:
            return False
        self.words = list(words)
        return True

    def spans(self, text: str, field_name: str) -> list[tuple[int, int]]:
        """Where the query's terms for `field_name` match `text`."""
        if not self.terms:
            return []
        patterns = self.terms.get(None, []) + self.terms.get(field_name, [])
        return match_spans(text, patterns) if patterns else []

    def word_spans(self, text: str) -> list[tuple[list[tuple[int, int]], str]]:
        """Where each include/exclude-word matches `text`, with its kind."""
        found: list[tuple[list[tuple[int, int]], str]] = []
        for word in self.words:
            spans = match_spans(text, [word.pattern])
            if spans:
                found.append((spans, word.kind))
        return found

    def probe(self, kind: str, text: str, name: str) -> object:
        """Repeat one lookup a row made (`Probe`), with the current patterns."""
        return self.spans(text, name) if kind == "spans" else self.word_spans(text)


class RowCache:
    """Rendered rows per record, valid while their highlight lookups find the same spans."""

    def __init__(self) -> None:
        self._rows: dict[RowKey, tuple[int, tuple[Probe, ...], Strip]] = {}
        self.version = 0
        """Bumped when the patterns change: rows of older versions are checked again."""

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[RowKey]:
        return iter(list(self._rows))

    def clear(self) -> None:
        """Forget every row (a new library, layout, theme or annotations)."""
        self._rows.clear()

    def forget(self, indices: set[int]) -> None:
        """Forget the rows of these records (their annotations changed)."""
        for key in [k for k in self._rows if k[0] in indices]:
            del self._rows[key]

    def get(self, key: RowKey, probe: Callable[[str, str, str], object]) -> Strip | None:
        """The row drawn for `key`, if its lookups find what they found when it was drawn."""
        entry = self._rows.get(key)
        if entry is None:
            return None
        version, probes, strip = entry
        if version == self.version:
            return strip
        if all(probe(kind, text, name) == found for kind, text, name, found in probes):
            self._rows[key] = (self.version, probes, strip)
            return strip
        return None

    def put(self, key: RowKey, probes: list[Probe], strip: Strip) -> None:
        """Keep a row just drawn, with the lookups it made."""
        if len(self._rows) > MAX_ROWS:
            self._rows.clear()
        self._rows[key] = (self.version, tuple(probes), strip)


class PaintedLines:
    """The strip each screen line of the list last showed."""

    def __init__(self) -> None:
        self._lines: dict[int, Strip] = {}

    def painted(self, y: int, strip: Strip) -> Strip:
        """Note that screen line `y` shows `strip` (returned, for `render_line`)."""
        self._lines[y] = strip
        return strip

    def changed(self, y: int, strip: Strip) -> bool:
        """True when screen line `y` would show something else than `strip`."""
        shown = self._lines.get(y)
        return shown is None or (shown is not strip and shown != strip)

    def clear(self) -> None:
        """Nothing painted is known (the widget repaints every line)."""
        self._lines.clear()
