"""The main screen: filter bar, record list, detail pane, annotation panel and status line.

The screen composes the widgets and owns one controller per job (`ui.controllers`),
each handed what it works on: `LibraryLoader` (load and import workers, polling for
other processes' changes) and `LibraryView` (showing what they bring),
`FilterController` (searches and sorts in a worker), `RecordPanes` (the detail pane
and panel following the cursor), `Annotator` (saving, undo, redo), `ScreeningMode`
(incremental counts), `RankingController` (relevance ranking, retrained in a worker),
`ProjectDialogs`, `Outputs` (stats, export, copy, import, bulk) and `MainCommands`
(what each key of the key table's "main" rows does). The screen holds the layout
and routes widget messages and keys to them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from peerlit_tui.ui.bindings import bindings_for, keymap_of
from peerlit_tui.ui.commands import PaletteCommand, extra_commands
from peerlit_tui.ui.controllers.annotating import Annotator
from peerlit_tui.ui.controllers.filtering import FilterController
from peerlit_tui.ui.controllers.library_view import LibraryView
from peerlit_tui.ui.controllers.loading import LibraryLoader
from peerlit_tui.ui.controllers.main_commands import MainCommands, MainParts
from peerlit_tui.ui.controllers.outputs import Outputs
from peerlit_tui.ui.controllers.panes import DETAIL_DELAY, QUERY_DETAIL_DELAY, RecordPanes
from peerlit_tui.ui.controllers.project import ProjectDialogs
from peerlit_tui.ui.controllers.ranking import COMMANDS, TICK_SECONDS, RankingController
from peerlit_tui.ui.controllers.screening import ScreeningMode, apply_screening_key
from peerlit_tui.ui.controllers.sync import SyncController
from peerlit_tui.ui.controllers.team import TeamController
from peerlit_tui.ui.keys import key_label
from peerlit_tui.ui.messages import (
    Filtered,
    FilterFailed,
    Imported,
    IndexReady,
    LibraryChanged,
    ListLoaded,
    LoadProgress,
    NoteEditRequested,
    TaskFailed,
)
from peerlit_tui.ui.screens.main_options import MainOptions
from peerlit_tui.ui.sorting import PRIORITY
from peerlit_tui.ui.widgets.detail_pane import DetailPane
from peerlit_tui.ui.widgets.filter_bar import FilterBar
from peerlit_tui.ui.widgets.record_list import RecordList
from peerlit_tui.ui.widgets.screening_bar import ScreeningBar
from peerlit_tui.ui.widgets.status_line import StatusLine
from peerlit_tui.ui.widgets.tag_panel import TagPanel
from peerlit_tui.ui.widgets.workspace import Workspace

if TYPE_CHECKING:
    from peerlit_tui.highlight import Highlight
    from peerlit_tui.model import Record
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.search import SearchIndex
    from peerlit_tui.ui.session import Services

__all__ = ["DETAIL_DELAY", "NARROW_WIDTH", "QUERY_DETAIL_DELAY", "MainOptions", "MainScreen"]

#: Below this width the panes stack (list above, detail and tags below).
NARROW_WIDTH = 100
#: Seconds between checks for changes other processes made to the library.
POLL_SECONDS = 1.0


class MainScreen(Screen[None], inherit_bindings=False):
    """The one screen of the app: find, read and annotate records.

    Args:
        options: The library, settings and start-up imports.
    """

    BINDINGS: ClassVar[list[BindingType]] = [*bindings_for("main"), *bindings_for("empty")]
    """The main screen's keys (`ui.keys`, contexts "main" and "empty")."""

    def __init__(self, options: MainOptions) -> None:
        super().__init__()
        self.options = options
        self.services: Services | None = None
        """The library's services, once loaded."""
        self._indexes: list[SearchIndex] = []
        self._poll_timer: Timer | None = None
        self.record_list = RecordList(id="records")
        self.detail = DetailPane(id="detail")
        self.tags = TagPanel(id="tags")
        self.filter_bar = FilterBar(id="filter")
        self.status = StatusLine(id="status")
        self.screening_bar = ScreeningBar(id="screening-bar")
        self.criteria_pane = Static(id="criteria")
        self.workspace = Workspace(enabled=self._screening_keys_on, id="panes")
        post, annotations = self.post_message, self._annotations
        self.screening_mode = ScreeningMode(annotations=annotations)
        self.screening_mode.auto_advance = options.config.screening.auto_advance
        self.loader = LibraryLoader(
            load_library=options.load_library, run_worker=self._run_thread, post=post
        )
        self.filtering = FilterController(
            record_list=self.record_list,
            filter_bar=self.filter_bar,
            status=self.status,
            run_worker=partial(self._run_thread, group="filter", description="Filtering"),
            post=post,
            annotations=annotations,
            want_decisions=lambda: self.screening_mode.on,
            own_sorts={PRIORITY: lambda *args: self.ranking.priority_rows(*args)},
        )
        self.annotator = Annotator(
            annotations=annotations,
            changed=self.annotations_changed,
            say=self.say,
            warn=lambda text: self.notify(text, severity="warning", markup=False),
            post=post,
            title_of=self._title_of,
        )
        self.project = ProjectDialogs(
            folder=self.options.library_dir,
            highlight=options.config.highlight,
            push_screen=self._push,
            notify=self._notify_text,
            say=self.say,
        )
        self.ranking = RankingController(
            record_list=self.record_list, status=self.status, detail=self.detail,
            filtering=self.filtering, screening_mode=self.screening_mode,
            services=lambda: self.services, filter_text=lambda: self.filter_bar.value,
            run_worker=partial(self._run_thread, group="ranking", description="Ranking"),
            notify=self._notify_text, show_current=self.show_current,
        )  # fmt: skip
        self.word_marks: list[Highlight] = []
        """The compiled include/exclude-words, empty while highlighting is off."""
        self.panes = RecordPanes(
            record_list=self.record_list, detail=self.detail, tags=self.tags,
            services=lambda: self.services, set_timer=self.set_timer,
            highlights=lambda: self.filtering.highlight_patterns, words=lambda: self.word_marks,
        )  # fmt: skip
        self.library_view = LibraryView(
            record_list=self.record_list, status=self.status, panes=self.panes,
            filtering=self.filtering, filter_bar=self.filter_bar,
            screening_mode=self.screening_mode, loader=self.loader,
            services=lambda: self.services, notify=self._notify_text,
            sample_dir=options.sample_dir, keymap=lambda: keymap_of(self),
            after_refresh=self.call_after_refresh, refresh_bindings=self.refresh_bindings,
            update_word_marks=self.update_word_marks, update_progress=self.update_progress,
            show_current=self.show_current, level=self.ranking.level,
        )  # fmt: skip
        """Loading, importing and outside changes (`ui.controllers.library_view`)."""
        self.commands = MainCommands(
            MainParts(
                record_list=self.record_list, detail=self.detail, tags=self.tags,
                filter_bar=self.filter_bar, criteria_pane=self.criteria_pane, panes=self.panes,
                filtering=self.filtering, annotator=self.annotator, outputs=self._outputs(),
                project=self.project, screening_mode=self.screening_mode,
                services=lambda: self.services, annotations=annotations,
                focused=lambda: self.focused, sample_dir=options.sample_dir,
                set_screening=self.set_screening, update_word_marks=self.update_word_marks,
                update_progress=self.update_progress, show_current=self.show_current,
                import_paths=self._import_paths,
                criteria_content=lambda: self.project.criteria_content(
                    key_label("main.criteria", keymap_of(self))),
            )
        )  # fmt: skip
        """What each key does (`ui.controllers.main_commands`)."""
        self.sync = SyncController(self)  # the palette's "Sync with the team remote"
        self.team = TeamController.of(self)  # conflicts view; reviewer, blind mode in status

    def _outputs(self) -> Outputs:
        self.outputs = Outputs(
            app=lambda: self.app, folder=self.options.library_dir, services=lambda: self.services,
            current=self.current_record, shown_ids=self.shown_ids,
            all_ids=lambda: self.record_list.columns.ids, import_paths=self._import_paths,
            annotator=self.annotator, links_changed=lambda: self.show_current(force=True),
        )  # fmt: skip
        return self.outputs

    # -- wiring ------------------------------------------------------------------------

    def _annotations(self) -> AnnotationService | None:
        return self.services.annotations if self.services is not None else None

    def _run_thread(self, work: Callable[[], None], group: str, description: str) -> None:
        self.run_worker(work, thread=True, exclusive=True, group=group, exit_on_error=False,
                        description=description)  # fmt: skip

    def _notify_text(self, text: str, severity: str, title: str = "", timeout: float = 5) -> None:
        known = severity in ("error", "information")
        level = cast("SeverityLevel", severity if known else "warning")
        self.notify(text, severity=level, title=title, timeout=timeout, markup=False)

    def _push(self, screen: Any, callback: Callable[[Any], None]) -> None:
        self.app.push_screen(screen, callback)

    def _title_of(self, record_id: str) -> str:
        record = self.services.library.get(record_id) if self.services is not None else None
        return (record.title or record_id) if record is not None else record_id

    def say(self, text: str) -> None:
        """A short confirmation in the status line; it clears after a few seconds."""
        self.status.set_state(text, transient=True)

    @property
    def index(self) -> SearchIndex | None:
        """The search index, once built."""
        return self.filtering.index

    @property
    def screening(self) -> bool:
        """True in screening mode."""
        return self.screening_mode.on

    @property
    def sort_key(self) -> str:
        """The active sort key."""
        return self.filtering.sort_key

    @property
    def reverse(self) -> bool:
        """True when the sort is descending."""
        return self.filtering.reverse

    @property
    def busy(self) -> bool:
        """True while a search runs or waits, or the detail pane is yet to follow the cursor."""
        return self.filtering.busy or self.panes.pending or self.loader.loading

    def _screening_keys_on(self) -> bool:
        return self.screening_mode.on and self.record_list.current_id is not None

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Filter on top, list left, detail and tags right, status and keys at the bottom."""
        yield self.filter_bar
        with self.workspace:
            yield self.record_list
            with Vertical(id="side"):
                yield self.criteria_pane
                yield self.detail
                yield self.tags
        yield self.screening_bar
        yield self.status
        yield Footer()

    def on_mount(self) -> None:
        """Paint the shell, apply the settings, then load the library in a worker."""
        config = self.options.config
        self.record_list.set_empty_text("Loading the library…")
        self.ranking.set_columns(config.list_columns)
        chosen = any(k[0] == "default_sort" for k in config.lines)  # the file names a sort
        sort = config.default_sort
        self.filtering.set_sort(sort.key, sort.reverse, explicit=chosen)
        self.criteria_pane.display = False
        self.detail.more_key = key_label("main.toggle_metadata", keymap_of(self))
        for warning in self.options.config_warnings:
            self.notify(warning, title="Config", severity="warning", timeout=10, markup=False)
        self.options.config_warnings = []
        self.record_list.focus()
        self.loader.load(first_page=self.options.first_page)
        self._poll_timer = self.set_interval(POLL_SECONDS, self.poll_library)
        self.set_interval(TICK_SECONDS, self.ranking.tick)

    def on_resize(self, event: events.Resize) -> None:
        """Stack the panes on narrow terminals."""
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    def on_unmount(self) -> None:
        """Close the search indexes' database connections."""
        for index in self._indexes:
            index.close()
        self._indexes.clear()

    # -- loading, importing, other processes (`LibraryView`) ------------------------------

    @on(LoadProgress)
    def _progress(self, message: LoadProgress) -> None:
        self.library_view.progress(message.text)

    @on(ListLoaded)
    def _list_loaded(self, message: ListLoaded) -> None:
        self.services = message.services
        self.library_view.list_loaded(message)
        if not message.partial:
            self.ranking.attach(message.services)

    @on(IndexReady)
    def _index_ready(self, message: IndexReady) -> None:
        self._indexes.append(message.index)
        self.library_view.index_ready(message, self.options)

    @on(Imported)
    def _imported(self, message: Imported) -> None:
        self.library_view.imported(message)

    def poll_library(self) -> None:
        """Pick up what other processes changed (cheap when nothing did)."""
        if self.services is not None and self.filtering.index is not None:
            if (change := self.loader.poll(self.services)) is not None:
                self.post_message(change)

    def on_app_focus(self, event: events.AppFocus) -> None:
        """Coming back to the terminal: look for outside changes at once."""
        self.poll_library()

    @on(LibraryChanged)
    def _library_changed(self, message: LibraryChanged) -> None:
        self.library_view.changed(message)

    # -- filtering ------------------------------------------------------------------------

    @on(FilterBar.Changed)
    def _filter_changed(self, message: FilterBar.Changed) -> None:
        self.filtering.start(message.text)

    @on(FilterBar.Submitted)
    def _filter_submitted(self, message: FilterBar.Submitted) -> None:
        self.record_list.focus()

    @on(Filtered)
    def _filtered(self, message: Filtered) -> None:
        if not self.filtering.filtered(message):
            return
        on = self.screening_mode.on
        self.screening_mode.set_rows(
            self.record_list.columns.ids,
            message.rows,
            message.decided if on else None,
            message.shown if on else None,
        )
        self.update_progress()
        self.ranking.filtered()
        self.panes.after_query()

    @on(FilterFailed)
    def _filter_failed(self, message: FilterFailed) -> None:
        self.filtering.failed(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Start the next pending search; hand failed workers to the app's error hub."""
        worker: Worker[Any] = event.worker
        if worker.group == "filter" and worker.is_finished:
            self.filtering.finished()
        if worker.group == "ranking" and worker.is_finished:
            self.ranking.finished(event.state == WorkerState.SUCCESS)
        if worker.group == "load" and worker.is_finished and event.state != WorkerState.SUCCESS:
            self.loader.loading = False
        if event.state == WorkerState.ERROR:
            self.post_message(TaskFailed(worker.description or worker.name, worker.error))
            self.status.set_state(f"{worker.description or worker.name} failed")

    # -- the panes follow the cursor -----------------------------------------------------------

    @on(RecordList.Highlighted)
    def _highlighted(self, message: RecordList.Highlighted) -> None:
        self.panes.cursor_moved(message.record_id)

    @on(RecordList.Selected)
    def _selected(self, message: RecordList.Selected) -> None:
        self.panes.show()
        self.detail.focus()

    def show_current(self, *, force: bool = False) -> None:
        """Show the record under the cursor in the detail pane and tag panel."""
        self.panes.show(force=force)

    # -- annotations ------------------------------------------------------------------------

    @on(TagPanel.Changed)
    def _panel_changed(self, m: TagPanel.Changed) -> None:
        if self.annotator.save_panel_change(m) and isinstance(m, TagPanel.DecisionSet):
            self.decision_made(m.record_id, m.decision)

    @on(NoteEditRequested)
    def _note_requested(self, m: NoteEditRequested) -> None:
        self.outputs.edit_note(m.record_id, partial(self.tags.note_edited, m.record_id))

    def annotations_changed(self, record_ids: Sequence[str]) -> None:
        """Bring the index, the list lines, the counts and the panel up to date."""
        self.panes.tags_changed()
        if self.filtering.index is not None:
            self.filtering.index.annotations_changed(record_ids)
        self.record_list.refresh_records(record_ids)
        self.screening_mode.changed(record_ids)
        self.update_progress()
        current = self.record_list.current_id
        if current is not None and current in record_ids:
            self.show_current(force=True)

    def decision_made(self, record_id: str, decision: str) -> None:
        """After a saved decision: move to the next undecided record in screening mode."""
        mode = self.screening_mode
        mode.decided(record_id, decision)
        self.ranking.decided(decision)
        self.update_progress()
        if not (mode.on and mode.auto_advance) or decision == "undecided" \
                or record_id != self.record_list.current_id:  # fmt: skip
            return
        found = mode.next_undecided(self.ranking.advance_from(self.record_list.cursor))
        if found is None:
            self.notify("Every record shown has a decision.", markup=False)
        elif found != self.record_list.cursor:
            self.record_list.cursor = found

    def update_progress(self) -> None:
        """Show the screening progress and the reason keys (screening mode only)."""
        if not self.screening_mode.on or self.services is None:
            return
        self.screening_bar.set_progress(self.screening_mode.progress_text())
        self.screening_bar.set_reasons(self.services.annotations.reasons())

    def update_word_marks(self) -> None:
        """Compile the project's words again and show them in the list and the detail pane."""
        self.word_marks = self.project.word_marks()
        self.record_list.set_word_highlights(self.word_marks)
        self.show_current(force=True)

    # -- screening mode ----------------------------------------------------------------------

    def set_screening(self, on: bool) -> None:
        """Enter or leave screening mode."""
        mode = self.screening_mode
        mode.set_on(on)
        self.set_class(on, "-screening")
        self.detail.compact = on
        self.tags.set_compact(on)
        if on and not mode.counted and self.filtering.index is not None:
            self.filtering.start(self.filter_bar.value, resort_only=True)
        self.ranking.screening_changed(on)
        self.update_progress()
        self.refresh_bindings()
        self.record_list.focus()
        self.show_current(force=True)
        self.status.set_state("screening mode" if on else "")

    @on(Workspace.ScreeningKey)
    def _screening_key(self, message: Workspace.ScreeningKey) -> None:
        panel = self.panes.panel_for_current()
        if panel is not None and self.services is not None:
            edit = key_label("main.edit_reasons", keymap_of(self))
            warning = apply_screening_key(panel, message.decision, message.slot,
                                          self.services.annotations.reasons(), edit)  # fmt: skip
            if warning:
                self.notify(warning, severity="warning", markup=False)

    # -- keys: every "main" row of the key table runs `run` -------------------------------

    def action_run(self, name: str, *args: Any) -> None:
        """Run a command of `MainCommands` or the ranking (the key table's "main", "empty" rows)."""
        self.ranking.run(name) if name in COMMANDS else self.commands.run(name, *args)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Whether a key's command can run now (the footer dims or hides the others)."""
        if action == "run" and parameters:
            return self.commands.available(str(parameters[0]))
        return True

    def palette_commands(self) -> list[PaletteCommand]:
        """Commands without a key of their own: sort keys, clearing the filter, copying."""
        return extra_commands(
            sort_by=self.filtering.sort_by,
            clear_filter=lambda: self.filter_bar.set_value(""),
            copy=self.outputs.copy if self.current_record() is not None else None,
            keymap=keymap_of(self),
        )

    def palette_targets(self) -> dict[str, Any]:
        """The node each key-table context's actions run on (the palette runs them)."""
        return {"main": self, "empty": self, "screening": self.workspace,
                "list": self.record_list, "detail": self.detail, "tags": self.tags}  # fmt: skip

    def current_record(self) -> Record | None:
        """The record under the cursor, or None."""
        record_id = self.record_list.current_id
        if self.services is None or record_id is None:
            return None
        return self.services.library.get(record_id)

    def shown_ids(self) -> list[str]:
        """Ids of the records the filter shows, in display order."""
        ids = self.record_list.columns.ids
        return [ids[row] for row in self.record_list.rows]

    def _import_paths(self, paths: list[Path]) -> None:
        if self.services is not None:
            self.loader.import_paths(self.services, paths)
