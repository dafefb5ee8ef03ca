"""Filtering and sorting the record list in a thread worker, one query at a time.

Every keystroke asks for a search; a running search thread cannot be interrupted,
so requests that arrive meanwhile are coalesced: only the latest text runs next,
narrowing the result that just finished instead of competing with it for the CPU.
A generation number drops results that arrive after a newer query was typed. A
sort change re-sorts the last result without searching again; until it arrives the
list holds movement keys (`RecordList.hold_moves`), so `g` right after `s` goes to
the first record of the new order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from peerlit_tui.query import QueryError
from peerlit_tui.ui.messages import Filtered, FilterFailed
from peerlit_tui.ui.sorting import next_sort

if TYPE_CHECKING:
    from textual.message import Message

    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.search import SearchIndex, SearchResult
    from peerlit_tui.ui.widgets.filter_bar import FilterBar
    from peerlit_tui.ui.widgets.record_list import RecordList
    from peerlit_tui.ui.widgets.status_line import StatusLine

#: Runs a function in a thread worker (`Screen.run_worker` with its keywords bound).
RunWorker = Callable[[Callable[[], None]], Any]
#: A sort the app does itself (not the search index): (rows, reverse, ids) → rows, in the worker.
RowSort = Callable[[list[int], bool, list[str]], list[int]]


def decided_among(
    annotations: AnnotationService, ids: list[str], rows: list[int]
) -> dict[str, str]:
    """Decision of each decided record among `rows` (run in the filter worker).

    Iterates the smaller side: the annotated records, or the shown rows.
    """
    annotated = annotations.all()
    if len(annotated) < len(rows):
        shown = {ids[row] for row in rows}
        return {
            a.record_id: a.decision
            for a in annotated
            if a.decision != "undecided" and a.record_id in shown
        }
    found: dict[str, str] = {}
    for row in rows:
        decision = annotations.get(ids[row]).decision
        if decision != "undecided":
            found[ids[row]] = decision
    return found


class FilterController:
    """Runs searches and sorts for the record list and applies their results.

    Args:
        record_list: The list the rows go to.
        filter_bar: The query input (its error line shows malformed queries).
        status: The status line (counts, sort, query).
        run_worker: Starts a thread worker in the filter group.
        post: Posts a message to the screen (thread-safe).
        annotations: The annotations service getter (decisions for screening progress).
        want_decisions: True while the screen needs decision counts with each result.
        own_sorts: Sort keys the app orders itself ("priority"), each with its function.
    """

    def __init__(
        self,
        *,
        record_list: RecordList,
        filter_bar: FilterBar,
        status: StatusLine,
        run_worker: RunWorker,
        post: Callable[[Message], object],
        annotations: Callable[[], AnnotationService | None],
        want_decisions: Callable[[], bool],
        own_sorts: Mapping[str, RowSort] | None = None,
    ) -> None:
        self._list = record_list
        self._bar = filter_bar
        self._status = status
        self._run_worker = run_worker
        self._post = post
        self._annotations = annotations
        self._want_decisions = want_decisions
        self._own_sorts = own_sorts or {}
        self.index: SearchIndex | None = None
        """The search index, once built."""
        self.result: SearchResult | None = None
        """The last good search result."""
        self.sort_key = "added"
        self.reverse = False
        self.explicit_sort = False
        """True once the user chose the sort (a key, the palette, the config file)."""
        self.running = False
        """True while a search thread runs."""
        self._generation = 0
        self._pending: tuple[int, str, bool] | None = None
        self._narrow_from: SearchResult | None = None

    @property
    def busy(self) -> bool:
        """True while a search runs or waits to run."""
        return self.running or self._pending is not None

    def reset(self) -> None:
        """Forget results of a previous library (a reload)."""
        self.index = None
        self.result = None
        self._narrow_from = None

    def set_sort(self, key: str, reverse: bool, *, explicit: bool = False) -> None:
        """Set the sort without running it (at start; `explicit`: the config file names it)."""
        self.sort_key, self.reverse = key, reverse
        self.explicit_sort = explicit
        self._status.set_sort(key, reverse)

    def needs_run(self) -> bool:
        """True when the loaded list is not what the query and sort ask for."""
        return bool(self._bar.value) or self.sort_key != "added" or self.reverse

    # -- requests --------------------------------------------------------------------

    def start(self, text: str, *, resort_only: bool = False) -> None:
        """Ask for a search of `text` (or only a re-sort of the last result)."""
        self._generation += 1
        if self._pending is not None and not self._pending[2]:
            resort_only = False  # a search still waiting to run must not be skipped
        self._pending = (self._generation, text, resort_only)
        self.next()

    def cycle_sort(self) -> None:
        """Sort by the next key."""
        self.sort_by(next_sort(self.sort_key))

    def reverse_sort(self) -> None:
        """Reverse the sort order."""
        self.sort_by(self.sort_key, reverse=not self.reverse)

    def sort_by(self, key: str, *, reverse: bool | None = None, explicit: bool = True) -> None:
        """Sort the shown records by `key` (`explicit`: the user's choice, not a default)."""
        self.explicit_sort = self.explicit_sort or explicit
        self.sort_key = key
        if reverse is not None:
            self.reverse = reverse
        self._status.set_sort(self.sort_key, self.reverse)
        self._list.hold_moves()
        self.start(self._bar.value, resort_only=self.result is not None)

    def next(self) -> None:
        """Start the newest pending search, unless one is still running."""
        if self.running or self._pending is None or self.index is None:
            return  # the load applies whatever was typed meanwhile
        generation, text, resort_only = self._pending
        self._pending = None
        self.running = True
        reuse = self.result if resort_only else None
        index, previous = self.index, self._narrow_from
        key, reverse, decisions = self.sort_key, self.reverse, self._want_decisions()
        annotations = self._annotations() if decisions else None
        ids = self._list.columns.ids
        own = self._own_sorts.get(key)

        def search() -> None:
            self._search(index, generation, text, previous, reuse, key, reverse, annotations,
                         ids, own)  # fmt: skip

        self._run_worker(search)

    def finished(self) -> None:
        """The worker ended (any way): run what was asked meanwhile."""
        self.running = False
        if self._pending is None:
            self._list.release_moves()  # a failed search must not keep the keys held
        self.next()

    def _search(
        self,
        index: SearchIndex,
        generation: int,
        text: str,
        previous: SearchResult | None,
        reuse: SearchResult | None,
        sort_key: str,
        reverse: bool,
        annotations: AnnotationService | None,
        ids: list[str],
        own_sort: RowSort | None = None,
    ) -> None:
        # Runs in the worker thread: no widget is touched here.
        if reuse is not None:
            result = reuse
        else:
            try:
                result = index.search(text, previous=previous)
            except QueryError as error:
                self._post(FilterFailed(generation, error))
                return
        if own_sort is not None:
            rows = own_sort(result.rows, reverse, ids)
        elif sort_key == "added":
            # Results come in library order, which is the order added; newest first is
            # that order reversed (ties of one import then read bottom-up, as expected).
            rows = result.rows[::-1] if reverse else result.rows
        else:
            rows = index.sort(result.rows, sort_key, reverse, query=result.query)
        decided = decided_among(annotations, ids, rows) if annotations else {}
        shown = frozenset(ids[row] for row in rows) if annotations else None
        self._post(Filtered(generation, result, rows, decided, shown))

    # -- results ---------------------------------------------------------------------

    def filtered(self, message: Filtered) -> bool:
        """Show a result; False when it was superseded by a newer query."""
        # Even a superseded result is a good starting point for the next search to narrow.
        self._narrow_from = message.result
        if message.generation != self._generation:
            return False
        self.result = message.result
        # Terms and rows together: the list then repaints only the lines that changed.
        terms = message.result.query.terms_for_highlight()
        self._list.set_rows(message.rows, highlights=terms)
        self._list.release_moves()
        self._bar.clear_error()
        self._status.set_counts(len(message.rows), len(self._list.columns))
        self._status.set_query(message.result.text)
        return True

    def failed(self, message: FilterFailed) -> None:
        """Show why the query cannot be used."""
        if message.generation == self._generation:
            self._list.release_moves()
            self._bar.show_error(str(message.error))

    @property
    def highlight_patterns(self) -> list[Any]:
        """The compiled patterns of the active query's terms (for the detail pane)."""
        if self.result is None:
            return []
        return [pattern for _field, pattern in self.result.query.terms_for_highlight()]
