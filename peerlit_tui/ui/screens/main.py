"""The main screen: filter bar, record list, detail pane, tag panel and status line.

The screen is the coordinator. Widgets report what the user did with messages;
the screen calls the services (search, annotations) and pushes the results down.
Its behaviour is layered in mixin-style bases:

- `AnnotatingScreen` saves annotations (tag panel changes, screening keys, undo);
- `ScreeningScreen` adds screening mode, keyword highlighting and the project dialogs;
- `FilteringScreen` loads the library, imports exports, and filters and sorts the
  list in thread workers.

This module holds the layout, focus movement, the panes that follow the cursor,
palette commands and the hand-off of failed workers. The detail pane and tag panel
follow the cursor 50 ms after it stops, so holding ↓ costs only the list's two-line
repaint per row.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from peerlit_tui.ui.app import TaskFailed
from peerlit_tui.ui.commands import PaletteCommand
from peerlit_tui.ui.screens.annotating import screen_key
from peerlit_tui.ui.screens.filtering import (
    DETAIL_DELAY,
    QUERY_DETAIL_DELAY,
    SORT_KEYS,
    FilteringScreen,
)
from peerlit_tui.ui.screens.screening import ScreeningScreen
from peerlit_tui.ui.settings import config_of
from peerlit_tui.ui.widgets.detail_pane import DetailPane
from peerlit_tui.ui.widgets.filter_bar import FilterBar
from peerlit_tui.ui.widgets.record_list import RecordList
from peerlit_tui.ui.widgets.screening_bar import ScreeningBar
from peerlit_tui.ui.widgets.status_line import SORT_LABELS, StatusLine
from peerlit_tui.ui.widgets.tag_panel import TagPanel

__all__ = ["DETAIL_DELAY", "NARROW_WIDTH", "QUERY_DETAIL_DELAY", "SORT_KEYS", "MainScreen"]

#: Below this width the panes stack (list above, detail and tags below).
NARROW_WIDTH = 100


class MainScreen(FilteringScreen):
    """The one screen of the app: find, read and annotate records.

    Constructed with the arguments of `FilteringScreen`, which loads the library.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        screen_key("tab", "app.focus_next", "Next pane", "focus_next",
                   "Move focus to the next pane", False),
        screen_key("shift+tab", "app.focus_previous", "Previous pane", "focus_previous",
                   "Move focus to the previous pane", False),
        screen_key("ctrl+c,super+c", "screen.copy_text", "Copy selected text", "copy_text",
                   "Copy the text selected with the mouse", False),
        screen_key("slash", "focus_filter", "Filter", "focus_filter", "Type a query (Esc returns)"),
        screen_key("escape,h", "focus_list", "List", "focus_list", "Move to the record list",
                   False),
        screen_key("l", "focus_detail", "Detail", "focus_detail", "Move to the detail pane",
                   False),
        screen_key("T", "focus_tags", "Annotations", "focus_tags", "Move to the tag panel",
                   False),
        screen_key("s", "cycle_sort", "Sort", "cycle_sort", "Sort by the next key"),
        screen_key("S", "reverse_sort", "Reverse", "reverse_sort", "Reverse the sort order",
                   False),
        screen_key("I", "import_sample", "Import sample data", "import_sample",
                   "Import the bundled sample records into the empty library"),
        # Again here so that I still includes in screening mode when this screen's I
        # (import, empty library only) does not apply.
        *ScreeningScreen.BINDINGS,
    ]  # fmt: skip
    """
    | Key(s) | Description |
    | :- | :- |
    | tab / shift+tab | Next / previous pane. |
    | / | Filter (Esc returns to the list). |
    | Esc, h / l / T / t | List / detail pane / tag panel / add a tag. |
    | s / S | Next sort key / reverse the sort. |
    | i x m u, 0–5, r, e, t, ctrl+z / ctrl+y | Annotating (see `AnnotatingScreen`). |
    | F2, C R W H, ' " | Screening mode and project settings (see `ScreeningScreen`). |
    | I | Import the sample data (empty library only). |
    """

    def compose(self) -> ComposeResult:
        """Filter on top, list left, detail and tags right, status and keys at the bottom."""
        yield FilterBar(id="filter")
        with Horizontal(id="panes"):
            yield RecordList(id="records")
            with Vertical(id="side"):
                yield DetailPane(id="detail")
                yield TagPanel(id="tags")
        yield ScreeningBar(id="screening-bar")
        yield StatusLine(id="status")
        yield Footer()

    @property
    def detail(self) -> DetailPane:
        """The detail pane."""
        return self.query_one(DetailPane)

    def on_mount(self) -> None:
        """Paint the shell, then load the library in a worker."""
        self.record_list.set_empty_text("Loading the library…")
        sort = config_of(self.app).default_sort
        self.sort_key, self.reverse = sort.key, sort.reverse
        self.apply_user_config()
        self.status.set_sort(self.sort_key, self.reverse)
        self.record_list.focus()
        self._load()

    def on_resize(self, event: Resize) -> None:
        """Stack the panes on narrow terminals."""
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    # -- detail pane and tag panel follow the cursor -------------------------------

    @on(RecordList.Highlighted)
    def _highlighted(self, message: RecordList.Highlighted) -> None:
        # A query's (longer) pending update already covers the record the filter landed on.
        if message.record_id != self._shown_id and not self._query_detail_pending:
            self._schedule_detail()

    @on(RecordList.Selected)
    def _selected(self, message: RecordList.Selected) -> None:
        self.show_current()
        self.detail.focus()

    def show_current(self, *, force: bool = False) -> None:
        """Show the record under the cursor in the detail pane and tag panel."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        self._query_detail_pending = False
        record_id = self.record_list.current_id
        if self.services is None or (record_id == self._shown_id and not force):
            return
        self._shown_id = record_id
        record = self.services.library.get(record_id) if record_id is not None else None
        if record is None:
            self.detail.show_record(None)
            self.tags.show_annotation(None, None, tag_counts={}, reasons=[])
            return
        duplicates = self.services.library.duplicates_of(record.id)
        self.detail.show_record(
            record, duplicates=duplicates, highlights=self._highlights, words=self.word_marks
        )
        self.show_annotation(record.id, record.title)

    # -- focus ----------------------------------------------------------------------

    def action_focus_filter(self) -> None:
        """Move to the filter input."""
        self.filter_bar.focus_input()

    def action_focus_list(self) -> None:
        """Move to the record list."""
        self.record_list.focus()

    def action_focus_detail(self) -> None:
        """Move to the detail pane."""
        self.show_current()
        self.detail.focus()

    def action_focus_tags(self) -> None:
        """Move to the tag panel."""
        if panel := self.panel_for_current():
            panel.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer the sample import only in an empty library, where record keys are hidden."""
        if action == "import_sample":
            return (
                self._sample_dir is not None
                and self.services is not None
                and len(self.record_list.columns) == 0
            )
        if action in self.RECORD_ACTIONS and not self.record_list.columns.ids:
            return False  # an empty library: keep the footer for what can be done
        return super().check_action(action, parameters)

    def palette_commands(self) -> list[PaletteCommand]:
        """Commands without a key of their own: one per sort key, and clearing the filter."""
        commands = [
            PaletteCommand(f"Sort by {label}", "s cycles, S reverses", partial(self.sort_by, key))
            for key, label in SORT_LABELS.items()
        ]
        commands.append(PaletteCommand("Clear the filter", "ctrl+u in the filter",
                                       lambda: self.filter_bar.set_value("")))  # fmt: skip
        return commands

    # -- failures -------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Start the next pending search; hand failed workers to the app's error hub."""
        worker: Worker[Any] = event.worker
        if worker.group == "filter" and worker.is_finished:
            self._filter_busy = False
            self._next_filter()
        if event.state == WorkerState.ERROR:
            self.post_message(TaskFailed(worker.description or worker.name, worker.error))
            self.status.set_state(f"{worker.description or worker.name} failed")
