"""Evaluating a query tree over rows: column scans, full-text hits, annotations.

Every node is evaluated over a list of candidate rows (ascending row indices) and
returns the matching subset, so an AND passes each term only the rows the
previous terms left (chained refinement), cheapest and most selective terms first.
Short fields are scanned in memory on folded text; abstract and section terms go to
the full-text index, or, for a few hundred rows, to their text directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from peerlit_tui.query import (
    INDEX_FIELDS,
    SECTION_FIELDS,
    And,
    Choice,
    Flag,
    MatchAll,
    Node,
    Not,
    Or,
    QueryTimeout,
    Range,
    Regex,
    Text,
    fts_like_pattern,
    index_mode,
    index_tokens,
)

# Re-exported: the marks and team rows lived here before `search_marks` held them.
from peerlit_tui.services.search_marks import BLANK as BLANK
from peerlit_tui.services.search_marks import NO_TEAM as NO_TEAM
from peerlit_tui.services.search_marks import AnnotationLike as AnnotationLike
from peerlit_tui.services.search_marks import Marks as Marks
from peerlit_tui.services.search_marks import MarksView as MarksView
from peerlit_tui.services.search_marks import TeamRows as TeamRows
from peerlit_tui.services.search_store import INDEX_COLUMNS, SearchStore
from peerlit_tui.text import fold

if TYPE_CHECKING:
    from peerlit_tui.services.search_grams import GramIndex, Mask
    from peerlit_tui.storage.records import ListColumns

#: At most this many rows are checked by reading their abstracts; more go to the index.
ROW_CHECK_LIMIT = 400
#: Field name → the `FoldedColumns` attribute holding it.
_FOLDED_FIELDS = {"title": "titles", "author": "authors", "journal": "journals",
                  "keyword": "keywords"}  # fmt: skip
#: Fewer rows than this are tested one by one; the bitmaps pay off on more.
GRAM_MIN_ROWS = 400


class FoldedColumns:
    """The list columns plus folded (case- and accent-free) copies of the short fields.

    Only the haystack is built up front; the per-field copies (for `title:`-style
    terms and sorting) are folded on first use, which keeps half a gigabyte out of
    memory at 1,000,000 records until a field term or a title sort needs them.

    Args:
        columns: The list columns.
        haystack: Title, authors, journal, keywords, DOI and id of each record in one
            folded string: one `in` per row instead of six for a bare word.
        grams: Which records hold each letter, digit and pair of them in `haystack`,
            so substring terms check only the records that can match (`search_grams`).
    """

    def __init__(
        self, columns: ListColumns, haystack: list[str], grams: GramIndex | None = None
    ) -> None:
        self.columns = columns
        self.haystack = haystack
        self.grams = grams
        self._fields: dict[str, list[str]] = {}

    @classmethod
    def build(cls, columns: ListColumns) -> FoldedColumns:
        """Fold the short fields of every record into the haystack."""
        haystack = [
            f"{fold(t)}\x1f{fold(a)}\x1f{fold(j)}\x1f{fold(k)}\x1f{d}\x1f{i}"
            for t, a, j, k, d, i in zip(
                columns.titles, columns.authors, columns.journals, columns.keywords,
                columns.dois, columns.ids, strict=True,
            )
        ]  # fmt: skip
        return cls(columns, haystack)

    def with_grams(self) -> FoldedColumns:
        """A copy with the haystack's bitmaps built (`GramIndex`), sharing the rest."""
        from peerlit_tui.services.search_grams import GramIndex

        copy = FoldedColumns(self.columns, self.haystack, GramIndex(self.haystack))
        copy._fields = self._fields
        return copy

    def _folded(self, name: str, values: list[str]) -> list[str]:
        # Built at most a few times over when threads race; every copy is the same.
        found = self._fields.get(name)
        if found is None:
            found = self._fields[name] = [fold(v) for v in values]
        return found

    @property
    def titles(self) -> list[str]:
        """Folded titles."""
        return self._folded("titles", self.columns.titles)

    @property
    def authors(self) -> list[str]:
        """Folded author lists."""
        return self._folded("authors", self.columns.authors)

    @property
    def journals(self) -> list[str]:
        """Folded journal names."""
        return self._folded("journals", self.columns.journals)

    @property
    def keywords(self) -> list[str]:
        """Folded keywords."""
        return self._folded("keywords", self.columns.keywords)


def cost(node: Node) -> float:
    """Rough cost of evaluating a node per row, to run cheap and selective terms first."""
    if isinstance(node, Range | Choice | Flag):
        return 1.0
    if isinstance(node, Text):
        if node.field is None:
            return 5.0 - min(len(node.text), 20) / 100  # longer words are more selective
        if node.field == "tag":
            return 1.0
        if node.field in INDEX_COLUMNS:
            return 2.0
        return 6.0 if node.field in SECTION_FIELDS else 3.0
    if isinstance(node, Regex):
        return 9.0
    if isinstance(node, Not):
        return 1.0 + cost(node.child)
    if isinstance(node, And | Or):
        return sum(cost(c) for c in node.children)
    return 0.0


class Evaluator:
    """One evaluation: the folded columns, the store and an annotation snapshot.

    Args:
        folded: The library's columns and folded short fields.
        store: Text reads (full-text index, sections, sources, links).
        marks: Annotations by row; rows missing from it are blank.
    """

    def __init__(
        self,
        folded: FoldedColumns,
        store: SearchStore,
        marks: Mapping[int, Marks],
        team: TeamRows = NO_TEAM,
    ) -> None:
        self.folded = folded
        self.columns = folded.columns
        self.store = store
        self.marks = marks
        self.team = team
        # When regex matching of this evaluation must be over (set by the first regex).
        self._regex_deadline: float | None = None

    def eval(self, node: Node, rows: Sequence[int]) -> list[int]:
        """The rows among `rows` (ascending) matching `node`, in the same order."""
        if isinstance(node, MatchAll):
            return list(rows)
        if isinstance(node, And):
            # `rows` itself (often the whole range) goes to the first term, which may
            # answer it from a bitmap without listing every row.
            result: Sequence[int] = rows
            for child in sorted(node.children, key=cost):
                if not result:
                    break
                result = self.eval(child, result)
            return list(result)
        if isinstance(node, Or):
            hits: set[int] = set()
            remaining: Sequence[int] = rows
            for child in sorted(node.children, key=cost):
                hits.update(self.eval(child, remaining))
                remaining = [i for i in remaining if i not in hits]
            return [i for i in rows if i in hits]
        if isinstance(node, Not):
            excluded = set(self.eval(node.child, rows))
            return [i for i in rows if i not in excluded]
        if isinstance(node, Text):
            return self.text(node, rows)
        if isinstance(node, Regex):
            return self.regex(node, rows)
        if isinstance(node, Range):
            return self.range(node, rows)
        if isinstance(node, Choice):
            name, value = node.field, node.value
            if name == "reviewer" or "=" in value:
                table = self.team.screened_by if name == "reviewer" else self.team.votes
                found = table.get(value, frozenset())
                return [i for i in rows if i in found]
            return self.annotated(rows, lambda a: getattr(a, name) == value)
        return self.flag(node, rows)

    # -- text -------------------------------------------------------------------------

    def text(self, term: Text, rows: Sequence[int]) -> list[int]:
        """Rows matching a word or phrase term."""
        f, t, name = self.folded, term.text, term.field
        if name is None:
            hay = f.haystack
            if index_mode(term) == "none":
                return self.substring(t, hay, rows)
            if len(rows) <= ROW_CHECK_LIMIT:
                found = self.abstract_hits(term, [i for i in rows if t not in hay[i]])
            else:
                found = self.index_hits(term)
            if not found:
                return self.substring(t, hay, rows)
            few = len(rows) <= GRAM_MIN_ROWS or len(rows) * 8 < len(hay)
            if f.grams is None or few or len(found) > 4 * len(rows):
                # A short list of rows: a set lookup (usually a hit) and a substring
                # test each cost less than building masks over every record.
                return [i for i in rows if i in found or t in hay[i]]
            # Either side as a bitmap over all rows, combined in numpy, then one pass
            # over the rows instead of a set lookup and a substring test per row.
            mask = self._substring_mask(t, hay, rows)
            if mask is None:
                return [i for i in rows if i in found or t in hay[i]]
            from peerlit_tui.services.search_grams import mask_of, select

            mask |= (
                self.store.fts_mask(found)
                if isinstance(found, frozenset)
                else mask_of(found, len(hay))
            )
            return select(rows, mask, len(hay))
        if name in _FOLDED_FIELDS:
            return self.substring(t, getattr(f, _FOLDED_FIELDS[name]), rows)
        if name == "doi":
            return self.substring(t, self.columns.dois, rows)
        if name in ("id", "type"):
            values = self.columns.ids if name == "id" else self.columns.types
            return [i for i in rows if values[i].lower().startswith(t)]
        if name in INDEX_FIELDS:
            found = self.abstract_hits(term, rows)
            return [i for i in rows if i in found]
        if name == "source":
            sources = self.store.source_texts()
            return [i for i in rows if t in sources.get(i, ("", ""))[0]]
        if name == "tag":
            return self.annotated(rows, lambda a: t in a.tags)
        return self.annotated(rows, lambda a: t in a.note_folded)  # note

    def substring(self, t: str, column: Sequence[str], rows: Sequence[int]) -> list[int]:
        """Rows among `rows` whose `column` value contains `t`.

        `column` is the haystack or one of the folded fields it is made of (or the
        DOIs, also in it), so records without `t` in the haystack cannot match: only
        the candidates of the haystack's bitmaps are tested.
        """
        mask = self._substring_mask(t, column, rows)
        if mask is None:
            return [i for i in rows if t in column[i]]
        from peerlit_tui.services.search_grams import select

        return select(rows, mask, len(mask))

    def _substring_mask(self, t: str, column: Sequence[str], rows: Sequence[int]) -> Mask | None:
        # A mask over all records that is exact on `rows` (others may be set or not);
        # None when the bitmaps cannot help (none built, few rows, no indexed character).
        grams = self.folded.grams
        if grams is None or len(rows) <= GRAM_MIN_ROWS:
            return None
        # numpy comes with the bitmaps: a search without them (`peerlit list`) never
        # loads it.
        import numpy as np

        from peerlit_tui.services.search_grams import mask_of

        found = grams.candidates(t)
        if found is None:
            return None
        mask, exact = found
        if exact and column is self.folded.haystack:
            return mask
        if int(np.count_nonzero(mask)) < len(rows):
            # Fewer candidates than rows: test the candidates.
            matched = [i for i in np.flatnonzero(mask).tolist() if t in column[i]]
        else:
            flags = mask.tobytes()
            matched = [i for i in rows if flags[i] and t in column[i]]
        return mask_of(matched, grams.size)

    def index_hits(self, term: Text, within: Sequence[int] | None = None) -> frozenset[int]:
        """Rows matching a bare, abstract or section term in the full-text index.

        Args:
            term: The term.
            within: Rows of interest, or None for all; the result may hold others.
        """
        mode = index_mode(term)
        if mode == "none":
            return frozenset()
        tokens = index_tokens(term.text)
        name = term.field or "abstract"
        phrase = '"' + " ".join(tokens) + '"' + ("*" if mode == "prefix" else "")
        if name in self.store.index_columns():
            return self.store.fts_rows(f"{name} : {phrase}")
        # Headings without an index column (Background, Methods, ...): records whose
        # abstract matches are candidates, checked against the section's own text.
        pattern = fts_like_pattern(tokens, prefix=mode == "prefix")
        match = f"abstract : {phrase}"
        if within is None or len(within) * 4 > self.store.size:
            texts = self.store.section_texts(name, None, match)
        else:
            candidates = self.store.fts_rows(match).intersection(within)
            texts = self.store.section_texts(name, sorted(candidates))
        return frozenset(i for i, text in texts if pattern.search(fold(text)))

    def abstract_hits(self, term: Text, rows: Sequence[int]) -> Collection[int]:
        """Rows among `rows` whose abstract (or the term's section) matches the term."""
        name = term.field or "abstract"
        if len(rows) > ROW_CHECK_LIMIT or name not in self.store.index_columns():
            return self.index_hits(term, rows)
        if not rows:
            return ()
        mode = index_mode(term)
        if mode != "none":
            # Looked up already (typing further, or this term over other rows): free.
            tokens = index_tokens(term.text)
            phrase = '"' + " ".join(tokens) + '"' + ("*" if mode == "prefix" else "")
            known = self.store.peek_fts(f"{name} : {phrase}")
            if known is not None:
                return known
        # A few hundred rows: reading their text costs less than a broad index lookup
        # ("stud*" alone returns 56,000 rows at 100k records).
        pattern = fts_like_pattern(index_tokens(term.text), prefix=index_mode(term) == "prefix")
        return {i for i, text in self.store.texts(name, rows) if pattern.search(fold(text))}

    def regex(self, term: Regex, rows: Sequence[int]) -> list[int]:
        """Rows matching a regular expression (on the original text, then folded).

        Raises:
            QueryTimeout: When one match, or all regex matching of this evaluation
                together, runs out of time (`peerlit_tui.timed_regex`).
        """
        # Loaded with the first regex term: the `regex` package costs every other search.
        from peerlit_tui.timed_regex import QUERY_REGEX_BUDGET

        if self._regex_deadline is None:
            self._regex_deadline = time.monotonic() + QUERY_REGEX_BUDGET
        try:
            return self._regex_rows(term, rows, self._regex_deadline)
        except TimeoutError:
            raise QueryTimeout(term.source, term.position) from None

    def _regex_rows(self, term: Regex, rows: Sequence[int], deadline: float) -> list[int]:
        from peerlit_tui.timed_regex import MATCH_TIMEOUT

        p, name, cols, store = term.pattern, term.field, self.columns, self.store
        clock = time.monotonic

        def matches(text: str) -> bool:
            left = deadline - clock()
            if left <= 0:
                raise TimeoutError
            return p.timed_search(text, min(MATCH_TIMEOUT, left))

        def hit(text: str) -> bool:
            return matches(text) or (not text.isascii() and matches(fold(text)))

        if name is None:
            fields = (cols.titles, cols.authors, cols.journals, cols.keywords)
            matched = {i for i in rows if any(hit(f[i]) for f in fields)}
            rest = [i for i in rows if i not in matched]
            matched.update(i for i, text in store.texts("abstract", rest) if hit(text))
            return [i for i in rows if i in matched]
        column = {"title": cols.titles, "author": cols.authors, "journal": cols.journals,
                  "keyword": cols.keywords, "doi": cols.dois, "id": cols.ids,
                  "type": cols.types}.get(name)  # fmt: skip
        if column is not None:
            return [i for i in rows if hit(column[i])]
        if name == "abstract" or name in SECTION_FIELDS:
            texts = (
                store.texts(name, rows) if name == "abstract" else store.section_texts(name, rows)
            )
            found = {i for i, text in texts if hit(text)}
            return [i for i in rows if i in found]
        if name == "source":
            sources = store.source_texts()
            return [i for i in rows if hit(sources.get(i, ("", ""))[1])]
        if name == "tag":
            return self.annotated(rows, lambda a: any(matches(tag) for tag in a.tags))
        return self.annotated(rows, lambda a: hit(a.note))  # note

    # -- numbers, annotations, flags --------------------------------------------------------

    def range(self, term: Range, rows: Sequence[int]) -> list[int]:
        """Rows whose year or rating lies in the range."""
        low = -1 if term.low is None else term.low
        high = 10**9 if term.high is None else term.high
        if term.field == "rating":
            return self.annotated(rows, lambda a: low <= a.rating <= high)
        years = self.columns.years
        return [i for i in rows if (y := years[i]) is not None and low <= y <= high]

    def annotated(self, rows: Sequence[int], test: Callable[[Marks], bool]) -> list[int]:
        """Rows whose annotation passes `test` (unannotated rows count as blank)."""
        marks = self.marks
        if not test(BLANK) and len(marks) < len(rows):
            # Only annotated records can match: scan the (small) snapshot, not the rows.
            hits = {i for i, ann in marks.items() if test(ann)}
            return [i for i in rows if i in hits]
        return [i for i in rows if test(marks.get(i, BLANK))]

    def flag(self, term: Flag, rows: Sequence[int]) -> list[int]:
        """Rows with a `has:` / `is:` property."""
        cols, value = self.columns, term.value
        if value == "abstract":
            return [i for i in rows if cols.has_abstract[i]]
        if value == "doi":
            return [i for i in rows if cols.dois[i]]
        if value == "derived":
            return [i for i in rows if cols.title_derived[i]]
        if value == "duplicate":
            linked = self.store.duplicate_rows()
            return [i for i in rows if i in linked]
        if value == "note":
            return self.annotated(rows, lambda a: bool(a.note.strip()))
        if value == "tags":
            return self.annotated(rows, lambda a: bool(a.tags))
        if value in ("conflict", "pending"):
            found = self.team.conflict if value == "conflict" else self.team.pending
            return [i for i in rows if i in found]
        if value == "screened":
            return self.annotated(rows, lambda a: a.decision != "undecided")
        return self.annotated(rows, lambda a: a.decision == "undecided")  # unscreened
