"""Loading the library, importing exports, and filtering and sorting the record list.

`FilteringScreen` sits between `ScreeningScreen` (screening mode, project dialogs)
and `MainScreen` (layout, focus, the panes that follow the cursor). Anything here
that can take longer than a frame runs in a thread worker that reports back with a
message, never touching a widget from its thread:

- loading: the shell paints first, then the library, annotations and search
  index load in a worker while the status line shows progress;
- filtering: every keystroke starts an exclusive worker; a generation number
  drops results that arrive after a newer query was typed, and the previous
  result is handed to the search so a growing query only narrows it;
- importing (the sample data, or files given on the command line).

The detail pane and tag panel follow the cursor 50 ms after it stops (longer after
a query change); the timer lives here because loading and filtering reschedule it.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message
from textual.timer import Timer
from textual.worker import get_current_worker

from peerlit_tui.query import QueryError
from peerlit_tui.ui import Services
from peerlit_tui.ui.screens.screening import ScreeningScreen
from peerlit_tui.ui.widgets.filter_bar import FilterBar
from peerlit_tui.ui.widgets.record_row import RowMarks

if TYPE_CHECKING:
    import re

    from peerlit_tui.services.library import ImportSummary
    from peerlit_tui.services.search import SearchIndex, SearchResult
    from peerlit_tui.storage.records import ListColumns

#: Sort keys in the order `s` cycles through them.
SORT_KEYS: tuple[str, ...] = ("added", "year", "author", "title", "journal", "relevance")
#: Seconds the cursor must rest before the detail pane and tag panel follow it.
DETAIL_DELAY = 0.05
#: After a query change the panes wait longer: while someone types, each keystroke's
#: search gets the CPU, and the pane catches up (new highlights) once they pause.
QUERY_DETAIL_DELAY = 0.25


class FilteringScreen(ScreeningScreen):
    """Adds loading the library, importing, and filtering and sorting the record list.

    Subclasses compose the `FilterBar`, `RecordList` and `StatusLine` and implement
    `show_current`.

    Args:
        load_library: Returns the library's services and fresh list columns; called in
            a worker.
        open_paths: Export files to import once the library is loaded.
        sample_dir: Folder of sample exports offered when the library is empty.
        first_page: Returns the services and the first screenful of list columns, shown
            while the full columns are read; None reads everything at once.
    """

    class _Progress(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class _ListLoaded(Message):
        def __init__(self, services: Services, columns: ListColumns, partial: bool = False) -> None:
            super().__init__()
            self.services, self.columns, self.partial = services, columns, partial

    class _IndexReady(Message):
        def __init__(self, index: SearchIndex) -> None:
            super().__init__()
            self.index = index

    class _Filtered(Message):
        def __init__(self, generation: int, result: SearchResult, rows: list[int]) -> None:
            super().__init__()
            self.generation, self.result, self.rows = generation, result, rows

    class _FilterFailed(Message):
        def __init__(self, generation: int, error: QueryError) -> None:
            super().__init__()
            self.generation, self.error = generation, error

    class _Imported(Message):
        def __init__(self, summary: ImportSummary) -> None:
            super().__init__()
            self.summary = summary

    def __init__(
        self,
        load_library: Callable[[], tuple[Services, ListColumns]],
        *,
        open_paths: Sequence[Path] = (),
        sample_dir: Path | None = None,
        first_page: Callable[[], tuple[Services, ListColumns]] | None = None,
    ) -> None:
        super().__init__()
        self._load_library = load_library
        self._first_page = first_page
        self._open_paths = list(open_paths)
        self._sample_dir = sample_dir
        self.result: SearchResult | None = None
        """The last good search result."""
        self.sort_key = "added"
        self.reverse = False
        self._generation = 0
        self._pending_filter: tuple[int, str, bool] | None = None
        self._filter_busy = False
        self._narrow_from: SearchResult | None = None
        self._highlights: list[re.Pattern[str]] = []
        self._detail_timer: Timer | None = None
        self._query_detail_pending = False
        self._shown_id: str | None = None
        self._last_progress = 0.0
        self._indexes: list[SearchIndex] = []
        self._list_painted = threading.Event()
        """Set once the loaded list has been painted; the loader waits for it."""

    @property
    def filter_bar(self) -> FilterBar:
        """The filter bar."""
        return self.query_one(FilterBar)

    @property
    def busy(self) -> bool:
        """True while a search runs or waits, or the detail pane is yet to follow the cursor."""
        return (
            self._filter_busy or self._pending_filter is not None or self._detail_timer is not None
        )

    def on_unmount(self) -> None:
        """Close the search indexes' database connections."""
        for index in self._indexes:
            index.close()
        self._indexes.clear()

    # -- loading ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load", exit_on_error=False,
          description="Loading the library")  # fmt: skip
    def _load(self) -> None:
        # The list is shown as soon as its columns are read; the search index is
        # built after that (a query typed meanwhile runs when it is ready).
        self.post_message(self._Progress("reading the library…"))
        if self._first_page is not None and not self.record_list.rows:
            # A large library shows its first screenful at once; the full columns
            # (half a second at 100,000 records) replace it, keeping the cursor.
            services, first = self._first_page()
            if first.ids:
                self._list_painted.clear()
                self.post_message(self._ListLoaded(services, first, partial=True))
                self._list_painted.wait(timeout=2.0)
        services, columns = self._load_library()
        self._list_painted.clear()
        self.post_message(self._ListLoaded(services, columns))
        # Building the index is pure Python and would hold the GIL while the UI thread
        # lays out and paints the list: wait (briefly) for that first frame instead.
        self._list_painted.wait(timeout=2.0)
        from peerlit_tui.services.search import SearchIndex

        index = SearchIndex(services.library, services.annotations, columns=columns)
        self.post_message(self._IndexReady(index))

    @on(_Progress)
    def _progress(self, message: _Progress) -> None:
        self.status.set_state(message.text)
        if not self.record_list.rows:
            self.record_list.set_empty_text(message.text[:1].upper() + message.text[1:])

    @on(_ListLoaded)
    def _list_loaded(self, message: _ListLoaded) -> None:
        # A replaced index is closed at unmount: a filter worker may still be reading it.
        self.services, self.index, self.result = message.services, None, None
        self._narrow_from = None
        self._tag_counts = None
        self._shown_id = None
        self.record_list.set_highlights([])
        self.record_list.set_data(message.columns, self._marks)
        total = len(message.columns)
        self.status.set_counts(total, total)
        self.status.set_query("")
        if message.partial:
            # Only the first screenful: the rest follows in a moment.
            self.status.set_state("reading the library…")
            self._schedule_detail()
            self.call_after_refresh(self._list_painted.set)
            return
        self.status.set_state(f"indexing {total:,} records…" if total else "")
        if total == 0:
            self.record_list.set_empty_text(self._empty_library_text())
        else:
            self.record_list.set_empty_text("No record matches the query.")
        for warning in message.services.annotations.warnings:
            self.notify(warning, title="Annotations", severity="warning", markup=False)
        self.update_word_marks()
        self.update_progress()
        self.refresh_bindings()
        self._schedule_detail()
        self.call_after_refresh(self._list_painted.set)

    @on(_IndexReady)
    def _index_ready(self, message: _IndexReady) -> None:
        self.index = message.index
        self._indexes.append(message.index)
        # The columns and the index are millions of long-lived objects. Left to the cyclic
        # garbage collector, a full collection scans them all (~250 ms at 100,000 records),
        # landing in the middle of typing; frozen, they are skipped (refcounting still
        # frees them when a later load replaces them).
        gc.freeze()
        self.status.set_state(f"{len(self.record_list.columns):,} records")
        if self.filter_bar.value or self.sort_key != "added" or self.reverse:
            self._start_filter(self.filter_bar.value)
        if self._open_paths:
            paths, self._open_paths = self._open_paths, []
            self._import(paths)

    def _empty_library_text(self) -> str:
        if self._sample_dir is not None:
            return (
                "The library is empty. Press I to import the bundled sample data "
                "(10 records), or run: peerlit import FILE"
            )
        return "The library is empty. Import an export with: peerlit import FILE"

    def _marks(self, record_id: str) -> RowMarks:
        if self.services is None:
            return RowMarks()
        annotation = self.services.annotations.get(record_id)
        return RowMarks(annotation.decision, bool(annotation.tags), bool(annotation.note))

    # -- importing ----------------------------------------------------------------

    def action_import_sample(self) -> None:
        """Import the bundled sample data into the empty library."""
        if self._sample_dir is not None:
            paths = sorted(
                p for p in self._sample_dir.iterdir()
                if p.is_file() and not p.name.startswith(".") and p.name.lower() != "readme.md"
            )  # fmt: skip
            self._import(paths)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False,
          description="Importing")  # fmt: skip
    def _import(self, paths: list[Path]) -> None:
        services = self.services
        if services is None:
            return

        def progress(done: int, total: int, label: str) -> None:
            now = time.monotonic()
            if now - self._last_progress > 0.1 or done == total:
                self._last_progress = now
                self.post_message(self._Progress(f"{label} {done:,}/{total:,}"))

        summary = services.library.import_files(paths, progress=progress)
        self.post_message(self._Imported(summary))

    @on(_Imported)
    def _imported(self, message: _Imported) -> None:
        totals = message.summary.to_json()["totals"]
        text = (
            f"Imported {totals['records']:,} records from {totals['files']} file(s): "
            f"{totals['added']:,} added, {totals['already_present']:,} already present, "
            f"{totals['skipped']:,} skipped."
        )
        failed = [f for f in message.summary.files if f.error]
        for f in failed:
            self.notify(f"{f.path}: {f.error}", severity="error", markup=False)
        self.notify(text, markup=False)
        self._load()

    # -- filtering and sorting ------------------------------------------------------

    @on(FilterBar.Changed)
    def _filter_changed(self, message: FilterBar.Changed) -> None:
        self._start_filter(message.text)

    @on(FilterBar.Submitted)
    def _filter_submitted(self, message: FilterBar.Submitted) -> None:
        self.record_list.focus()

    def _start_filter(self, text: str, *, resort_only: bool = False) -> None:
        self._generation += 1
        if self._pending_filter is not None and not self._pending_filter[2]:
            resort_only = False  # a search still waiting to run must not be skipped
        self._pending_filter = (self._generation, text, resort_only)
        self._next_filter()

    def _next_filter(self) -> None:
        """Start the newest pending search, unless one is still running.

        A running search thread cannot be interrupted, so keystrokes that arrive
        meanwhile are coalesced: only the latest text runs next, narrowing the
        result that just finished instead of competing with it for the CPU.
        """
        if self._filter_busy or self._pending_filter is None or self.index is None:
            return  # the load applies whatever was typed meanwhile
        generation, text, resort_only = self._pending_filter
        self._pending_filter = None
        self._filter_busy = True
        reuse = self.result if resort_only else None
        self._filter(self.index, generation, text, self._narrow_from, reuse,
                     self.sort_key, self.reverse)  # fmt: skip

    @work(thread=True, exclusive=True, group="filter", exit_on_error=False,
          description="Filtering")  # fmt: skip
    def _filter(
        self,
        index: SearchIndex,
        generation: int,
        text: str,
        previous: SearchResult | None,
        reuse: SearchResult | None,
        sort_key: str,
        reverse: bool,
    ) -> None:
        worker = get_current_worker()
        if reuse is not None:
            result = reuse
        else:
            try:
                result = index.search(text, previous=previous)
            except QueryError as error:
                self.post_message(self._FilterFailed(generation, error))
                return
        if worker.is_cancelled:
            return
        if sort_key == "added" and not reverse:
            rows = result.rows  # results come in library order, which is the order added
        else:
            rows = index.sort(result.rows, sort_key, reverse, query=result.query)
        self.post_message(self._Filtered(generation, result, rows))

    @on(_Filtered)
    def _filtered(self, message: _Filtered) -> None:
        # Even a superseded result is a good starting point for the next search to narrow.
        self._narrow_from = message.result
        if message.generation != self._generation:
            return  # a newer query is on its way
        self.result = message.result
        terms = message.result.query.terms_for_highlight()
        self._highlights = [pattern for _field, pattern in terms]
        rows = self.record_list
        rows.set_highlights(terms)
        rows.set_rows(message.rows)
        self.filter_bar.clear_error()
        self.status.set_counts(len(message.rows), len(rows.columns))
        self.status.set_query(message.result.text)
        self.update_progress()
        self._schedule_detail(force=True, delay=QUERY_DETAIL_DELAY)
        self._query_detail_pending = True

    @on(_FilterFailed)
    def _filter_failed(self, message: _FilterFailed) -> None:
        if message.generation == self._generation:
            self.filter_bar.show_error(str(message.error))

    def action_cycle_sort(self) -> None:
        """Sort by the next key (date added → year → author → title → journal → relevance)."""
        self.sort_by(SORT_KEYS[(SORT_KEYS.index(self.sort_key) + 1) % len(SORT_KEYS)])

    def action_reverse_sort(self) -> None:
        """Reverse the sort order."""
        self.sort_by(self.sort_key, reverse=not self.reverse)

    def sort_by(self, key: str, *, reverse: bool | None = None) -> None:
        """Sort the shown records by `key` (one of `SORT_KEYS`)."""
        self.sort_key = key
        if reverse is not None:
            self.reverse = reverse
        self.status.set_sort(self.sort_key, self.reverse)
        self._start_filter(self.filter_bar.value, resort_only=self.result is not None)

    # -- the panes follow the cursor --------------------------------------------------

    def _schedule_detail(self, *, force: bool = False, delay: float = DETAIL_DELAY) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(delay, lambda: self.show_current(force=force))
