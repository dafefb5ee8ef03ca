"""How one record's row in the list looks: columns, widths, glyphs and highlighted terms.

Pure functions over the list columns, shared by the record list widget and its
tests. Every data string is cleaned (`text_render.safe_line`) and cut to its cell
width here; nothing is parsed as markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style

from peerlit_tui.config import LIST_COLUMNS
from peerlit_tui.list_columns import ListColumns
from peerlit_tui.ui.labels import DECISION_GLYPHS
from peerlit_tui.ui.text_render import safe_line


class RowMarks(NamedTuple):
    """What the list shows of a record's annotation."""

    decision: str = "undecided"
    tagged: bool = False
    noted: bool = False
    level: int | None = None
    """The relevance ranking's score as 0–9 (its rank decile), None when not ranked."""


#: Looks up the marks of a record by id (the annotation store's in-memory index).
MarksLookup = Callable[[str], RowMarks]
#: Query-term patterns, each for one list field ("title", "author", "journal") or all (None).
Highlights = Sequence[tuple[str | None, re.Pattern[str]]]

DERIVED_MARK = "≈ "
#: Cells of the score column: one bar glyph and a space.
SCORE_WIDTH = 2
#: The bar of each 0–9 level (a rank decile: 9 = the top 10 %), one cell, lowest to highest.
LEVEL_GLYPHS = "▁▁▂▃▄▄▅▆▇█"
#: The score column of a record the ranking has not scored (new, or no ranking yet).
NO_SCORE = "·"


@dataclass(frozen=True, slots=True)
class ColumnLayout:
    """Cell widths of the list columns at one terminal width (0 = column hidden)."""

    glyph: int
    year: int
    author: int
    title: int
    journal: int
    marks: int
    score: int = 0


#: The list columns shown until told otherwise (`peerlit_tui.config.LIST_COLUMNS`): all but
#: the score, which the main screen shows once the library is ranked.
ALL_COLUMNS: frozenset[str] = frozenset(LIST_COLUMNS) - {"score"}


def column_layout(width: int, visible: Collection[str] = ALL_COLUMNS) -> ColumnLayout:
    """Share `width` cells between the columns.

    The title takes what the fixed columns leave; the journal appears only from
    100 cells up (at 80 columns the title matters more), and the author column
    grows on wide terminals. Columns not in `visible` get no cells (the title is
    always shown).
    """
    glyph = 3 if "decision" in visible else 0
    score = SCORE_WIDTH if "score" in visible else 0
    year = 5 if "year" in visible else 0
    marks = 3 if "tags" in visible else 0
    author = (17 if width < 100 else 22) if "author" in visible else 0
    journal = 0 if width < 100 or "journal" not in visible else min(32, width // 5)
    fixed = glyph + score + year + author + journal + marks
    title = max(0, width - fixed - (2 if journal else 1))
    return ColumnLayout(glyph, year, author, title, journal, marks, score)


def fit(text: str, width: int) -> str:
    """Pad or cut `text` to exactly `width` cells, ending a cut text with "…"."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def author_label(first_author: str, authors: str, n_authors: int) -> str:
    """First author's surname, with "et al." when there are more authors."""
    first = first_author or (authors.split("; ", 1)[0] if authors else "")
    if not first:
        return "—"
    return f"{first} et al." if n_authors > 1 else first


def styled_segments(
    text: str, style: Style, spans: list[tuple[int, int]], hl: Style
) -> list[Segment]:
    """Segments of `text` in `style`, with the `spans` also in the highlight style `hl`."""
    if not spans:
        return [Segment(text, style)]
    out: list[Segment] = []
    at = 0
    for start, end in spans:
        if start > at:
            out.append(Segment(text[at:start], style))
        out.append(Segment(text[start:end], style + hl))
        at = end
    if at < len(text):
        out.append(Segment(text[at:], style))
    return out


@dataclass(frozen=True, slots=True)
class RowStyles:
    """The styles of one row (cursor or not), resolved from the widget's component classes."""

    plain: Style
    muted: Style
    derived: Style
    highlight: Style
    marks: Style
    decisions: dict[str, Style]
    words: dict[str, Style] = field(default_factory=dict)


#: Finds the spans of a text to highlight for one field ("title", "author", "journal").
SpanFinder = Callable[[str, str], list[tuple[int, int]]]
#: Finds the include/exclude-word spans of a title: (spans, word kind) per kind.
WordFinder = Callable[[str], list[tuple[list[tuple[int, int]], str]]]


def layered_segments(
    text: str, style: Style, layers: Sequence[tuple[list[tuple[int, int]], Style]]
) -> list[Segment]:
    """Segments of `text` in `style`, each layer's spans adding its style (later layers on top)."""
    cuts = {0, len(text)}
    for spans, _ in layers:
        for start, end in spans:
            cuts.update((start, end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out: list[Segment] = []
    for start, end in pairwise(points):
        if end <= start:
            continue
        piece_style = style
        for spans, layer_style in layers:
            if any(a <= start and end <= b for a, b in spans):
                piece_style = piece_style + layer_style
        out.append(Segment(text[start:end], piece_style))
    return out


def score_segment(level: int | None, styles: RowStyles) -> Segment:
    """The score column: a bar as high as the 0–9 level, dim up to 3 (the lower 40 %).

    A bar rather than a digit: it cannot be read as part of the year beside it, and a
    column of bars shows where the likely records thin out at a glance.
    """
    if level is None or not 0 <= level < len(LEVEL_GLYPHS):
        return Segment(NO_SCORE.ljust(SCORE_WIDTH), styles.muted)
    style = styles.muted if level <= 3 else styles.plain
    return Segment(LEVEL_GLYPHS[level].ljust(SCORE_WIDTH), style)


def row_segments(
    cols: ListColumns,
    index: int,
    marks: RowMarks,
    layout: ColumnLayout,
    styles: RowStyles,
    spans: SpanFinder,
    words: WordFinder | None = None,
) -> list[Segment]:
    """The segments of one record's row: glyph, score, year, author, title, journal, marks."""
    segments: list[Segment] = []
    if layout.glyph:
        glyph_style = styles.decisions.get(marks.decision, styles.muted)
        segments.append(Segment(f" {DECISION_GLYPHS.get(marks.decision, '·')} ", glyph_style))
    else:
        segments.append(Segment(" ", styles.plain))
    if layout.score:
        segments.append(score_segment(marks.level, styles))
    if layout.year:
        year = cols.years[index]
        segments.append(Segment(fit(str(year) if year else "····", layout.year), styles.muted))

    if layout.author:
        first = author_label(cols.first_authors[index], cols.authors[index], cols.n_authors[index])
        author = fit(safe_line(first), layout.author - 1)
        segments += styled_segments(author, styles.plain, spans(author, "author"), styles.highlight)
        segments.append(Segment(" ", styles.plain))

    derived = cols.title_derived[index]
    title = fit((DERIVED_MARK if derived else "") + safe_line(cols.titles[index]), layout.title)
    title_style = styles.derived if derived else styles.plain
    word_layers = words(title) if words is not None else []
    if word_layers:
        layers = [(found, styles.words.get(kind, styles.highlight)) for found, kind in word_layers]
        layers.append((spans(title, "title"), styles.highlight))
        segments += layered_segments(title, title_style, layers)
    else:
        segments += styled_segments(title, title_style, spans(title, "title"), styles.highlight)

    if layout.journal:
        journal = fit(safe_line(cols.journals[index]), layout.journal - 1)
        segments.append(Segment(" ", styles.plain))
        segments += styled_segments(
            journal, styles.muted, spans(journal, "journal"), styles.highlight
        )
    if layout.marks:
        mark_text = ("#" if marks.tagged else " ") + ("✎" if marks.noted else " ")
        segments.append(Segment(" " + mark_text, styles.marks))
    return segments
