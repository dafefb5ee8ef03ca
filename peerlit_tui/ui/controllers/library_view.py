"""What the main screen does as the library loads, grows and changes under it.

The loader's workers report with messages (`ui.messages`); the screen hands them
here. A reload (after an import, or when another process added records) keeps the
record under the cursor and re-runs the query and the sort once the new index is
built; annotations another process changed repaint the list lines they touch.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peerlit_tui.ui.import_text import import_summary_text
from peerlit_tui.ui.keys import key_label
from peerlit_tui.ui.widgets.record_row import RowMarks

if TYPE_CHECKING:
    from peerlit_tui.ui.controllers.filtering import FilterController
    from peerlit_tui.ui.controllers.loading import LibraryLoader
    from peerlit_tui.ui.controllers.panes import RecordPanes
    from peerlit_tui.ui.controllers.screening import ScreeningMode
    from peerlit_tui.ui.messages import Imported, IndexReady, LibraryChanged, ListLoaded
    from peerlit_tui.ui.screens.main_options import MainOptions
    from peerlit_tui.ui.session import Services
    from peerlit_tui.ui.widgets.filter_bar import FilterBar
    from peerlit_tui.ui.widgets.record_list import RecordList
    from peerlit_tui.ui.widgets.status_line import StatusLine


class LibraryView:
    """Shows a loaded library, import summaries and outside changes.

    Args:
        record_list: The list.
        status: The status line.
        panes: The detail pane and panel follower.
        filtering: The filter controller (its index is set here).
        filter_bar: The query input.
        screening_mode: Screening mode's counts.
        loader: The loader (what it waits for, what it reloads).
        services: The services getter.
        notify: Shows a notification (text, severity, title, timeout).
        sample_dir: The sample data folder, or None.
        keymap: The user's keymap (for key labels).
        after_refresh: Runs a callable after the next refresh.
        refresh_bindings: Refreshes the footer.
        update_word_marks: Compiles and shows the project's words again.
        update_progress: Shows the screening progress.
        show_current: Shows the record under the cursor.
        level: The relevance ranking's 0–9 score of a record (the list's score column).
    """

    def __init__(
        self,
        *,
        record_list: RecordList,
        status: StatusLine,
        panes: RecordPanes,
        filtering: FilterController,
        filter_bar: FilterBar,
        screening_mode: ScreeningMode,
        loader: LibraryLoader,
        services: Callable[[], Services | None],
        notify: Callable[..., None],
        sample_dir: Path | None,
        keymap: Callable[[], dict[str, str]],
        after_refresh: Callable[[Callable[[], Any]], Any],
        refresh_bindings: Callable[[], None],
        update_word_marks: Callable[[], None],
        update_progress: Callable[[], None],
        show_current: Callable[..., None],
        level: Callable[[str], int | None] = lambda _id: None,
    ) -> None:
        self._list = record_list
        self._status = status
        self._panes = panes
        self._filtering = filtering
        self._bar = filter_bar
        self._mode = screening_mode
        self._loader = loader
        self._services = services
        self._notify = notify
        self._sample_dir = sample_dir
        self._keymap = keymap
        self._after_refresh = after_refresh
        self._refresh_bindings = refresh_bindings
        self._update_word_marks = update_word_marks
        self._update_progress = update_progress
        self._show_current = show_current
        self._level = level

    def progress(self, text: str) -> None:
        """A loading or importing step, in the status line (and the empty list)."""
        self._status.set_state(text)
        if not self._list.rows:
            self._list.set_empty_text(text[:1].upper() + text[1:])

    def list_loaded(self, message: ListLoaded) -> None:
        """Show loaded list columns (a first screenful, or all of them)."""
        # A replaced index is closed at unmount: a filter worker may still be reading it.
        self._filtering.reset()
        self._panes.forget()
        self._list.set_highlights([])
        self._list.set_data(message.columns, self.marks)
        total = len(message.columns)
        self._status.set_counts(total, total)
        self._status.set_query("")
        self._panes.schedule()
        self._after_refresh(self._loader.painted.set)
        if message.partial:
            self._status.set_state("reading the library…")
            return
        self._status.set_state(f"indexing {total:,} records…" if total else "")
        self._list.set_empty_text(
            self.empty_library_text() if total == 0 else "No record matches the query."
        )
        for warning in message.services.annotations.warnings:
            self._notify(warning, "warning", "Annotations")
        self._update_word_marks()
        self._mode.set_rows(message.columns.ids, self._list.rows, None)
        self._update_progress()
        self._refresh_bindings()

    def index_ready(self, message: IndexReady, options: MainOptions) -> None:
        """The search index is built: apply the query and sort, import what was asked."""
        self._filtering.index = message.index
        self._loader.index_ready()
        self._status.set_state(f"{len(self._list.columns):,} records", transient=True)
        if self._filtering.needs_run() or self._mode.on:
            self._filtering.start(self._bar.value)
        services = self._services()
        if options.open_paths and services is not None:
            paths, options.open_paths = options.open_paths, []
            self._loader.import_paths(services, paths)

    def empty_library_text(self) -> str:
        """What the empty list says: how to import (with the keys as remapped)."""
        keymap = self._keymap()
        command = (
            f"press {key_label('main.import', keymap)} to import a file, "
            "or run: peerlit import FILE"
        )
        if self._sample_dir is not None:
            key = key_label("main.import_sample", keymap)
            return (
                f"The library is empty. Press {key} to import the bundled sample data "
                f"(10 records), {command}"
            )
        return f"The library is empty. To import an export, {command}"

    def marks(self, record_id: str) -> RowMarks:
        """What the list shows of a record's annotation."""
        services = self._services()
        if services is None:
            return RowMarks()
        annotation = services.annotations.get(record_id)
        return RowMarks(
            annotation.decision, bool(annotation.tags), bool(annotation.note),
            self._level(record_id),
        )  # fmt: skip

    def imported(self, message: Imported) -> None:
        """Say what an import did, as the command line does, and load the result."""
        summary = message.summary
        problems = summary.skipped_count or any(f.error for f in summary.files)
        self._notify(import_summary_text(summary), "warning" if problems else "information",
                     "Import", 15)  # fmt: skip
        self._loader.load(first_page=False)

    def changed(self, message: LibraryChanged) -> None:
        """Another process changed the library: reload records, or repaint annotations."""
        if message.records:
            self._status.set_state("the library changed: reading it again…")
            self._loader.load(first_page=False)
            return
        self._panes.tags_changed()
        if self._filtering.index is not None:
            self._filtering.index.annotations_changed(message.annotation_ids)
        if message.annotation_ids is None:
            self._list.refresh_all()
            if self._mode.on:
                self._filtering.start(self._bar.value, resort_only=True)
        else:
            self._list.refresh_records(message.annotation_ids)
            self._mode.changed(message.annotation_ids)
        self._update_progress()
        self._show_current(force=True)
