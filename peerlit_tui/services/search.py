"""Searching and sorting a library's records with the query language.

A `SearchIndex` is built once per library state: the list columns, folded copies
of the short fields, and a read-only connection to the record store's full-text
index (see `search_eval` and `search_store`). Measured at 100,000 records
(`bench/search_bench.py`) a keystroke in the filter bar costs a few ms to ~25 ms,
where the naive scan costs ~50 ms on the short fields and 130-320 ms with abstracts:

- terms run cheapest first, each over the rows the previous ones left;
- a bare word matches when it is in the title, authors, journal, keywords, DOI or
  id (substring), or in the abstract through the full-text index (a word of four
  or more characters also finds the words it begins; shorter ones must be whole
  words; a single letter or a short function word is not looked up in abstracts);
- when a query only grows ("pee" → "peer", one more word), only the previous
  result is scanned and the unchanged terms are not evaluated again.

Searches may run in worker threads: what they read is immutable or replaced whole
(annotation snapshot, caches), and SQLite reads go through the index's own
connection under a lock.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from peerlit_tui.query import (
    And,
    MatchAll,
    Node,
    Or,
    Query,
    Text,
    index_mode,
    leaf_narrows,
    leaf_widens_by_index,
    parse,
)
from peerlit_tui.services.search_eval import (
    BLANK,
    NO_TEAM,
    AnnotationLike,
    Evaluator,
    FoldedColumns,
    Marks,
    MarksView,
    TeamRows,
)
from peerlit_tui.services.search_store import SearchStore
from peerlit_tui.text import fold

if TYPE_CHECKING:
    from peerlit_tui.services.library import Library
    from peerlit_tui.storage.records import ListColumns

#: Sort keys accepted by `SearchIndex.sort`.
SORT_KEYS = ("added", "year", "author", "title", "journal", "relevance")

_generations = itertools.count(1)
_TITLE_ARTICLE = re.compile(r"^(?:the|a|an)\s+")


class AnnotationLookup(Protocol):
    """Read access to annotations (`AnnotationService` satisfies it).

    An `all()` method returning every non-blank annotation (each with a
    `record_id`) is used when present; otherwise `get` is asked for every record.
    """

    def get(self, record_id: str) -> AnnotationLike:
        """The annotation of a record (a blank one when nothing is recorded)."""


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The outcome of one search.

    Attributes:
        text: The query as typed.
        query: Its syntax tree.
        rows: Matching row indices into the index's columns, in library order.
        generation: Which index produced it (results of another index never narrow).
        annotations_version: The annotation snapshot it was computed against.
        narrowed: True when only the previous result was scanned.
        seconds: Time the search took.
    """

    text: str
    query: Query
    rows: list[int]
    generation: int = 0
    annotations_version: int = 0
    narrowed: bool = False
    seconds: float = 0.0


class SearchIndex:
    """Searchable, sortable view of a library's records.

    Args:
        library: The library; its record store answers the full-text terms and the
            few fields not in the list columns (sections, sources, duplicate links).
        annotations: Where tags, decisions, notes, ratings and read status come from.
        columns: The library's list columns when the caller already loaded them.
    """

    def __init__(
        self,
        library: Library,
        annotations: AnnotationLookup | None = None,
        *,
        columns: ListColumns | None = None,
    ) -> None:
        started = time.perf_counter()
        columns = library.columns() if columns is None else columns
        self.columns = columns
        self.generation = next(_generations)
        self.folded = FoldedColumns.build(columns)
        self.store = SearchStore(library.store.path, columns)
        self._lock = threading.RLock()
        self._lookup = annotations
        self._marks: MarksView | None = None
        self._team: TeamRows | None = None
        self.annotations_version = 0
        self.build_seconds = time.perf_counter() - started

    def __len__(self) -> int:
        return len(self.columns)

    def build_grams(self) -> None:
        """Build the short fields' character bitmaps (`search_grams`); searches get faster.

        Results are the same with or without them, so the index is usable before
        this runs (it takes a few hundred milliseconds at 100,000 records) and a
        search running meanwhile keeps the columns it started with.
        """
        if self.folded.grams is None:
            self.folded = self.folded.with_grams()

    def close(self) -> None:
        """Close the index's database connection."""
        self.store.close()

    # -- searching ----------------------------------------------------------------------

    def search(self, query: str | Query, previous: SearchResult | None = None) -> SearchResult:
        """Find the records matching a query.

        Args:
            query: Query text (parsed here) or a parsed query.
            previous: The previous result; when the new query only narrows it,
                only its rows are scanned.

        Returns:
            The matching rows in library order.

        Raises:
            QueryError: For a malformed query.
        """
        started = time.perf_counter()
        parsed = parse(query) if isinstance(query, str) else query
        # Read the version first: a change landing in between only prevents refining.
        version = self.annotations_version
        run = self._evaluator(parsed)
        rows: list[int] | None = None
        if previous is not None and self._can_refine(previous, parsed, version):
            rows = self._refine(run, previous, parsed)
        narrowed = rows is not None
        if rows is None:
            rows = run.eval(parsed.root, range(len(self)))
        return SearchResult(
            parsed.text, parsed, rows, self.generation, version, narrowed,
            time.perf_counter() - started,
        )  # fmt: skip

    def evaluate(self, query: str | Query, rows: Sequence[int] | None = None) -> list[int]:
        """Rows (of `rows`, default all) matching a query, without any narrowing."""
        parsed = parse(query) if isinstance(query, str) else query
        return self._evaluator(parsed).eval(parsed.root, range(len(self)) if rows is None else rows)

    def ids(self, rows: Iterable[int]) -> list[str]:
        """Record ids of rows."""
        ids = self.columns.ids
        return [ids[i] for i in rows]

    def row_of(self, record_id: str) -> int | None:
        """The row of a record id, or None."""
        return self.store.row_of_id().get(record_id)

    def _evaluator(self, query: Query) -> Evaluator:
        if not query.uses_annotations():
            return Evaluator(self.folded, self.store, {})
        return Evaluator(self.folded, self.store, self._marks_view(), self._team_view())

    def _can_refine(self, previous: SearchResult, query: Query, version: int) -> bool:
        if previous.generation != self.generation:
            return False
        if self.folded.grams is not None and len(previous.rows) * 4 > len(self):
            # Most records (an early keystroke): the bitmaps answer from all rows at
            # once, which costs less than a pass over that long list of rows.
            return False
        return previous.annotations_version == version or not (
            previous.query.uses_annotations() or query.uses_annotations()
        )

    def _refine(self, run: Evaluator, previous: SearchResult, query: Query) -> list[int] | None:
        old_parts, new_parts = previous.query.conjuncts(), query.conjuncts()
        widening: list[Text] = []
        for old in old_parts:
            if any(leaf_narrows(old, new) for new in new_parts):
                continue
            grown = next((n for n in new_parts if leaf_widens_by_index(old, n)), None)
            if not isinstance(grown, Text):
                return None
            widening.append(grown)
        # Previous rows satisfy every old part, so parts kept unchanged need no work.
        changed = [n for n in new_parts if n not in old_parts]
        rows = run.eval(_and(changed), previous.rows)
        if not widening:
            return rows
        # A word typed further ("pro" → "prot") may now match abstracts it did not match
        # before: such records can only come from its index hits, which get the full query.
        before = previous.rows
        extra: set[int] = set()
        for term in widening:
            hits = run.index_hits(term)
            if len(hits) * 16 < len(before):
                extra.update(i for i in hits if not _contains(before, i))
            else:
                extra.update(hits.difference(before))
        if not extra:
            return rows
        # With one word grown, every extra row is among its hits and so matches it:
        # only the other parts are left to check.
        rest = [n for n in new_parts if n not in widening] if len(widening) == 1 else None
        check = query.root if rest is None else _and(rest)
        return sorted(rows + run.eval(check, sorted(extra)))

    # -- annotations --------------------------------------------------------------------

    def annotations_changed(self, record_ids: Iterable[str] | None = None) -> None:
        """Tell the index that annotations changed (None: possibly all of them).

        Searches already running keep the snapshot they started with; results
        computed before the change are no longer refined by later searches.
        """
        with self._lock:
            self.annotations_version += 1
            self._team = None
            if self._marks is None:
                return
            if record_ids is None or self._lookup is None:
                self._marks = None
                return
            index = self.store.row_of_id()
            changes: dict[int, Marks] = {}
            for record_id in record_ids:
                row = index.get(record_id)
                if row is not None:
                    changes[row] = Marks.of(self._lookup.get(record_id))
            self._marks = self._marks.changed(changes)

    def set_annotations(self, annotations: AnnotationLookup | None) -> None:
        """Use another annotations source (the snapshot is rebuilt on demand)."""
        with self._lock:
            self._lookup = annotations
            self._marks = None
            self._team = None
            self.annotations_version += 1

    def duplicates_changed(self) -> None:
        """Forget the cached duplicate links (after a link or unlink)."""
        self.store.forget("duplicates")

    def _marks_view(self) -> MarksView:
        marks = self._marks
        if marks is not None:
            return marks
        with self._lock:
            if self._marks is None:
                self._marks = self._read_marks()
            return self._marks

    def _team_view(self) -> TeamRows:
        # Built from the reviewers' decisions once per change, on the first query using them.
        with self._lock:
            if self._team is None:
                self._team = self._read_team()
            return self._team

    def _read_team(self) -> TeamRows:
        lookup = self._lookup
        if lookup is None or not hasattr(lookup, "reviewer_key"):
            return NO_TEAM
        from peerlit_tui.services.team import team_ids

        conflict, pending, screened_by, votes = team_ids(lookup)  # type: ignore[arg-type]
        index = self.store.row_of_id()

        def rows(ids: Iterable[str]) -> frozenset[int]:
            return frozenset(r for i in ids if (r := index.get(i)) is not None)

        return TeamRows(
            rows(conflict),
            rows(pending),
            {name: rows(ids) for name, ids in screened_by.items()},
            {vote: rows(ids) for vote, ids in votes.items()},
        )

    def _read_marks(self) -> MarksView:
        lookup = self._lookup
        if lookup is None:
            return MarksView()
        every = getattr(lookup, "all", None)
        if callable(every):
            pairs: Iterable[tuple[str, AnnotationLike]] = (
                (str(getattr(a, "record_id", "")), a) for a in every()
            )
        else:
            pairs = ((record_id, lookup.get(record_id)) for record_id in self.columns.ids)
        index = self.store.row_of_id()
        marks: dict[int, Marks] = {}
        for record_id, ann in pairs:
            row, snapshot = index.get(record_id), Marks.of(ann)
            if row is not None and snapshot != BLANK:
                marks[row] = snapshot
        return MarksView(marks)

    # -- sorting ------------------------------------------------------------------------

    def sort(
        self, rows: Sequence[int], key: str, reverse: bool = False, query: Query | None = None
    ) -> list[int]:
        """Order rows by a sort key; ties keep library order.

        Args:
            rows: Row indices (any order).
            key: One of `SORT_KEYS`. Records without a value (no year, no author)
                go last in both directions.
            reverse: Descending instead of ascending (for relevance: least first).
            query: The active query, for "relevance": hits in the title weigh most,
                then keywords, then the abstract; records without hits come after
                those with hits, in library order.

        Returns:
            A new list of the same rows.

        Raises:
            ValueError: For an unknown key.
        """
        if key not in SORT_KEYS:
            raise ValueError(f"unknown sort key {key!r}; use one of {', '.join(SORT_KEYS)}")
        if key == "relevance":
            return self._by_relevance(rows, query, reverse)
        order, position, identity = self._order(key, reverse)
        if identity:
            # The usual case for "added": library order already is the sort order.
            return sorted(rows)
        if len(rows) * 8 >= len(self):
            # Filtering the precomputed full order is O(n) with a tiny constant.
            member = bytearray(len(self))
            for i in rows:
                member[i] = 1
            return [i for i in order if member[i]]
        return sorted(rows, key=position.__getitem__)

    def _order(self, key: str, reverse: bool) -> tuple[list[int], list[int], bool]:
        def build() -> tuple[list[int], list[int], bool]:
            keys = self._sort_keys(key, reverse)
            order = sorted(range(len(self)), key=keys.__getitem__, reverse=reverse)
            position = [0] * len(self)
            for rank, i in enumerate(order):
                position[i] = rank
            return order, position, order == list(range(len(self)))

        return self.store.cached(f"order:{key}:{reverse}", build)

    def _sort_keys(self, key: str, reverse: bool) -> list[Any]:
        # Missing values get a key that sorts last in the chosen direction; Python's
        # sort is stable with reverse=True too, so ties keep library order.
        cols = self.columns
        if key == "year":
            missing_year = -1 if reverse else 10**6
            return [missing_year if y is None else y for y in cols.years]
        missing = "" if reverse else "\U0010ffff"
        if key == "author":
            return [f"{fold(a)}\x1f{y or 0:04d}" if a else missing
                    for a, y in zip(cols.first_authors, cols.years, strict=True)]  # fmt: skip
        values = {
            "title": [_TITLE_ARTICLE.sub("", t) for t in self.folded.titles],
            "journal": self.folded.journals,
        }.get(key, cols.added)
        return [v or missing for v in values]

    def _by_relevance(self, rows: Sequence[int], query: Query | None, reverse: bool) -> list[int]:
        terms = _positive_texts(query.root) if query is not None else []
        if not terms:
            return list(rows)
        run = Evaluator(self.folded, self.store, {})
        score: dict[int, int] = {}
        for term in terms:
            t = term.text
            weighted: list[tuple[list[int], int]] = []
            if term.field in (None, "title"):
                titles = self.folded.titles
                weighted.append(([i for i in rows if t in titles[i]], 100))
            if term.field in (None, "keyword"):
                keywords = self.folded.keywords
                weighted.append(([i for i in rows if t in keywords[i]], 10))
            if term.field in (None, "abstract") and index_mode(term) != "none":
                found = run.index_hits(term)
                weighted.append(([i for i in rows if i in found], 1))
            for matched, weight in weighted:
                for i in matched:
                    score[i] = score.get(i, 0) + weight
        # Stable sorts: equal scores, and records without hits, keep library order.
        ranked = sorted(sorted(score), key=score.__getitem__, reverse=not reverse)
        rest = [i for i in sorted(rows) if i not in score]
        return rest + ranked if reverse else ranked + rest


def _contains(ordered: Sequence[int], value: int) -> bool:
    at = bisect_left(ordered, value)
    return at < len(ordered) and ordered[at] == value


def _and(parts: list[Node]) -> Node:
    if not parts:
        return MatchAll()
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _positive_texts(node: Node) -> list[Text]:
    if isinstance(node, Text):
        return [node]
    if isinstance(node, And | Or):
        return [t for child in node.children for t in _positive_texts(child)]
    return []


def search_ids(
    library: Library, query: str | Query, annotations: AnnotationLookup | None = None
) -> list[str]:
    """Ids of the records matching a query, in library order (for the command line).

    Args:
        library: The library to search.
        query: Query text in the query language (plain words: every word must
            appear, case- and accent-insensitively); empty matches everything.
        annotations: Needed for tag:, decision:, note:, read:, rating: terms.

    Returns:
        Matching record ids.

    Raises:
        QueryError: For a malformed query.
    """
    index = SearchIndex(library, annotations)
    try:
        return index.ids(index.search(query).rows)
    finally:
        index.close()


__all__ = [
    "SORT_KEYS",
    "AnnotationLike",
    "AnnotationLookup",
    "SearchIndex",
    "SearchResult",
    "search_ids",
]
