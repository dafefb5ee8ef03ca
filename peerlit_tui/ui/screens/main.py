"""The main screen: filter bar, record list, detail pane, annotation panel and status line.

The screen composes the widgets and owns one controller per job, each handed what it
works on (`ui.controllers`):

- `LibraryLoader` loads the library and imports into it in workers, and notices what
  other processes changed (polled every second and on focus);
- `FilterController` runs searches and sorts in a worker and shows their rows;
- `Annotator` saves annotation changes, undo and redo;
- `ScreeningMode` keeps screening mode's state and its incremental counts;
- `ProjectDialogs` opens the project settings and their dialogs.

The screen itself holds the layout, the key bindings (`ui.keys`, contexts "main" and
"empty"), the routing of widget messages to controllers, and the panes that follow the
cursor: the detail pane and the annotation panel follow it 50 ms after it stops
(longer after a query change), so holding ↓ costs only the list's two-line repaint.
The actions that open other screens are run by `ui.controllers.outputs`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from peerlit_tui.config import Config
from peerlit_tui.ui.bindings import bindings_for, keymap_of
from peerlit_tui.ui.commands import PaletteCommand
from peerlit_tui.ui.controllers.annotating import Annotator
from peerlit_tui.ui.controllers.filtering import FilterController
from peerlit_tui.ui.controllers.loading import (
    LibraryLoader,
    LoadLibrary,
    import_summary_text,
)
from peerlit_tui.ui.controllers.outputs import Outputs
from peerlit_tui.ui.controllers.panes import DETAIL_DELAY, QUERY_DETAIL_DELAY, RecordPanes
from peerlit_tui.ui.controllers.project import ProjectDialogs
from peerlit_tui.ui.controllers.screening import ScreeningMode
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
from peerlit_tui.ui.screens.note_editor import NoteEditor
from peerlit_tui.ui.sorting import sort_options
from peerlit_tui.ui.text_render import safe_content
from peerlit_tui.ui.widgets.detail_pane import DetailPane
from peerlit_tui.ui.widgets.filter_bar import FilterBar
from peerlit_tui.ui.widgets.record_list import RecordList
from peerlit_tui.ui.widgets.record_row import RowMarks
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
#: Actions that need a record under the cursor.
RECORD_ACTIONS: frozenset[str] = frozenset(
    {"decide", "exclude", "rate", "cycle_read", "edit_note", "add_tag", "remove_tag",
     "focus_tags", "copy_menu", "open_link"}
)  # fmt: skip
#: Palette commands whose keys live in the copy menu: (kind, label, key id).
COPY_COMMANDS = (
    ("doi", "DOI", "app.copy_doi"), ("citation", "citation (APA style)", "app.copy_citation"),
    ("bibtex", "BibTeX entry", "app.copy_bibtex"), ("ris", "RIS entry", "app.copy_ris"),
)  # fmt: skip
#: Actions that need the loaded library.
LIBRARY_ACTIONS: frozenset[str] = frozenset(
    {"stats", "export", "bulk", "duplicates", "import_files", "edit_reasons"}
)


@dataclass(slots=True)
class MainOptions:
    """What the main screen is given: the library, the settings, what to import.

    Attributes:
        library_dir: The library folder (project settings, default export paths).
        load_library: Services and list columns; a limit reads a first screenful.
        config: The user settings in effect.
        config_warnings: Problems found in the config, shown once the screen is up.
        open_paths: Export files to import once the library is loaded.
        sample_dir: Folder of sample exports offered when the library is empty.
        first_page: Show a first screenful before all list columns are read.
    """

    library_dir: Path
    load_library: LoadLibrary
    config: Config = field(default_factory=Config)
    config_warnings: list[str] = field(default_factory=list)
    open_paths: list[Path] = field(default_factory=list)
    sample_dir: Path | None = None
    first_page: bool = True


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
            folder=options.library_dir,
            highlight=options.config.highlight,
            push_screen=self._push,
            notify=self._notify_text,
            say=self.say,
        )
        self.word_marks: list[Highlight] = []
        """The compiled include/exclude-words, empty while highlighting is off."""
        self.panes = RecordPanes(
            record_list=self.record_list,
            detail=self.detail,
            tags=self.tags,
            services=lambda: self.services,
            set_timer=self.set_timer,
            highlights=lambda: self.filtering.highlight_patterns,
            words=lambda: self.word_marks,
        )
        self.outputs = Outputs(
            app=lambda: self.app,
            folder=options.library_dir,
            services=lambda: self.services,
            current=self.current_record,
            shown_ids=self.shown_ids,
            all_ids=lambda: self.record_list.columns.ids,
            import_paths=self._import_paths,
            annotator=self.annotator,
        )

    # -- wiring ------------------------------------------------------------------------

    def _annotations(self) -> AnnotationService | None:
        return self.services.annotations if self.services is not None else None

    def _run_thread(self, work: Callable[[], None], group: str, description: str) -> None:
        self.run_worker(work, thread=True, exclusive=True, group=group, exit_on_error=False,
                        description=description)  # fmt: skip

    def _notify_text(self, text: str, severity: str) -> None:
        level: SeverityLevel = "error" if severity == "error" else "warning"
        self.notify(text, severity=level, markup=False)

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
        self.record_list.set_visible_columns(config.list_columns)
        self.filtering.set_sort(config.default_sort.key, config.default_sort.reverse)
        self.criteria_pane.display = False
        self.detail.more_key = key_label("main.toggle_metadata", keymap_of(self))
        for warning in self.options.config_warnings:
            self.notify(warning, title="Config", severity="warning", timeout=10, markup=False)
        self.options.config_warnings = []
        self.record_list.focus()
        self.loader.load(first_page=self.options.first_page)
        self._poll_timer = self.set_interval(POLL_SECONDS, self.poll_library)

    def on_resize(self, event: events.Resize) -> None:
        """Stack the panes on narrow terminals."""
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    def on_unmount(self) -> None:
        """Close the search indexes' database connections."""
        for index in self._indexes:
            index.close()
        self._indexes.clear()

    # -- loading and importing ------------------------------------------------------------

    @on(LoadProgress)
    def _progress(self, message: LoadProgress) -> None:
        self.status.set_state(message.text)
        if not self.record_list.rows:
            self.record_list.set_empty_text(message.text[:1].upper() + message.text[1:])

    @on(ListLoaded)
    def _list_loaded(self, message: ListLoaded) -> None:
        # A replaced index is closed at unmount: a filter worker may still be reading it.
        self.services = message.services
        self.filtering.reset()
        self.panes.forget()
        self.record_list.set_highlights([])
        self.record_list.set_data(message.columns, self._marks)
        total = len(message.columns)
        self.status.set_counts(total, total)
        self.status.set_query("")
        self.panes.schedule()
        self.call_after_refresh(self.loader.painted.set)
        if message.partial:
            self.status.set_state("reading the library…")
            return
        self.status.set_state(f"indexing {total:,} records…" if total else "")
        self.record_list.set_empty_text(
            self._empty_library_text() if total == 0 else "No record matches the query."
        )
        for warning in message.services.annotations.warnings:
            self.notify(warning, title="Annotations", severity="warning", markup=False)
        self.update_word_marks()
        self.screening_mode.set_rows(message.columns.ids, self.record_list.rows, None)
        self.update_progress()
        self.refresh_bindings()

    @on(IndexReady)
    def _index_ready(self, message: IndexReady) -> None:
        self.filtering.index = message.index
        self._indexes.append(message.index)
        self.loader.index_ready()
        self.status.set_state(f"{len(self.record_list.columns):,} records", transient=True)
        if self.filtering.needs_run() or self.screening_mode.on:
            self.filtering.start(self.filter_bar.value)
        if self.options.open_paths and self.services is not None:
            paths, self.options.open_paths = self.options.open_paths, []
            self.loader.import_paths(self.services, paths)

    def _empty_library_text(self) -> str:
        keymap = keymap_of(self)
        command = (
            f"press {key_label('main.import', keymap)} to import a file, "
            "or run: peerlit import FILE"
        )
        if self.options.sample_dir is not None:
            key = key_label("main.import_sample", keymap)
            return (
                f"The library is empty. Press {key} to import the bundled sample data "
                f"(10 records), {command}"
            )
        return f"The library is empty. To import an export, {command}"

    def _marks(self, record_id: str) -> RowMarks:
        if self.services is None:
            return RowMarks()
        annotation = self.services.annotations.get(record_id)
        return RowMarks(annotation.decision, bool(annotation.tags), bool(annotation.note))

    @on(Imported)
    def _imported(self, message: Imported) -> None:
        summary = message.summary
        severity = (
            "warning"
            if summary.skipped_count or any(f.error for f in summary.files)
            else "information"
        )
        self.notify(import_summary_text(summary), title="Import", severity=severity,  # type: ignore[arg-type]
                    timeout=15, markup=False)  # fmt: skip
        self.loader.load(first_page=False)

    # -- other processes -------------------------------------------------------------------

    def poll_library(self) -> None:
        """Pick up what other processes changed (cheap when nothing did)."""
        if self.services is None or self.filtering.index is None:
            return
        change = self.loader.poll(self.services)
        if change is not None:
            self.post_message(change)

    def on_app_focus(self, event: events.AppFocus) -> None:
        """Coming back to the terminal: look for outside changes at once."""
        self.poll_library()

    @on(LibraryChanged)
    def _library_changed(self, message: LibraryChanged) -> None:
        if message.records:
            self.status.set_state("the library changed: reading it again…")
            self.loader.load(first_page=False)
            return
        self.panes.tags_changed()
        if self.filtering.index is not None:
            self.filtering.index.annotations_changed(message.annotation_ids)
        if message.annotation_ids is None:
            self.record_list.refresh_all()
            if self.screening_mode.on:
                self.filtering.start(self.filter_bar.value, resort_only=True)
        else:
            self.record_list.refresh_records(message.annotation_ids)
            self.screening_mode.changed(message.annotation_ids)
        self.update_progress()
        self.show_current(force=True)

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
        decided = message.decided if self.screening_mode.on else None
        self.screening_mode.set_rows(self.record_list.columns.ids, message.rows, decided)
        self.update_progress()
        self.panes.after_query()

    @on(FilterFailed)
    def _filter_failed(self, message: FilterFailed) -> None:
        self.filtering.failed(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Start the next pending search; hand failed workers to the app's error hub."""
        worker: Worker[Any] = event.worker
        if worker.group == "filter" and worker.is_finished:
            self.filtering.finished()
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

    @on(TagPanel.TagAdded)
    def _tag_added(self, m: TagPanel.TagAdded) -> None:
        self.annotator.save(lambda a: a.add_tags([m.record_id], [m.tag]))

    @on(TagPanel.TagRemoved)
    def _tag_removed(self, m: TagPanel.TagRemoved) -> None:
        self.annotator.save(lambda a: a.remove_tags([m.record_id], [m.tag]))

    @on(TagPanel.DecisionSet)
    def _decision_set(self, m: TagPanel.DecisionSet) -> None:
        if self.annotator.save(lambda a: a.set_decision([m.record_id], m.decision, m.reason)):
            self.decision_made(m.record_id, m.decision)

    @on(TagPanel.RatingSet)
    def _rating_set(self, m: TagPanel.RatingSet) -> None:
        self.annotator.save(lambda a: a.set_rating([m.record_id], m.rating))

    @on(TagPanel.ReadSet)
    def _read_set(self, m: TagPanel.ReadSet) -> None:
        self.annotator.save(lambda a: a.set_read([m.record_id], m.read))

    @on(TagPanel.NoteSaved)
    def _note_saved(self, m: TagPanel.NoteSaved) -> None:
        self.annotator.save(lambda a: a.set_note([m.record_id], m.note))

    @on(NoteEditRequested)
    def _note_requested(self, m: NoteEditRequested) -> None:
        annotations = self._annotations()
        if annotations is None:
            return
        note = annotations.get(m.record_id).note
        self.app.push_screen(
            NoteEditor(note, title=self._title_of(m.record_id)),
            partial(self.tags.note_edited, m.record_id),
        )

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
        self.update_progress()
        if not (mode.on and mode.auto_advance) or decision == "undecided":
            return
        if record_id != self.record_list.current_id:
            return
        found = mode.next_undecided(self.record_list.cursor)
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
        self.update_progress()
        self.refresh_bindings()
        self.record_list.focus()
        self.show_current(force=True)
        self.status.set_state("screening mode" if on else "")

    @on(Workspace.ScreeningKey)
    def _screening_key(self, message: Workspace.ScreeningKey) -> None:
        panel = self.panes.panel_for_current()
        if panel is None or self.services is None:
            return
        if message.slot is not None:
            reasons = self.services.annotations.reasons()
            if not 1 <= message.slot <= len(reasons):
                key = key_label("main.edit_reasons", keymap_of(self))
                self.notify(f"No exclusion reason {message.slot}: press {key} to edit the reasons.",
                            severity="warning", markup=False)  # fmt: skip
                return
            panel.decide("exclude", reasons[message.slot - 1])
        elif message.decision == "exclude":
            panel.action_exclude()
        else:
            panel.decide(message.decision)

    # -- availability ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Record keys need a record; the sample import only an empty library."""
        loaded = self.services is not None
        if action == "import_sample":
            return (
                self.options.sample_dir is not None
                and loaded
                and len(self.record_list.columns) == 0
            )
        if action in RECORD_ACTIONS:
            if not self.record_list.columns.ids:
                return False  # an empty library: keep the footer for what can be done
            return None if self.record_list.current_id is None else True
        if action in LIBRARY_ACTIONS:
            return loaded
        return True

    def palette_commands(self) -> list[PaletteCommand]:
        """Commands without a key of their own: one per sort key, and clearing the filter."""
        commands = [
            PaletteCommand(
                f"Sort by {option.label}",
                "s cycles, S reverses",
                partial(self.filtering.sort_by, option.key),
            )
            for option in sort_options()
        ]
        commands.append(PaletteCommand("Clear the filter", "ctrl+u in the filter",
                                       lambda: self.filter_bar.set_value("")))  # fmt: skip
        if self.current_record() is not None:
            keymap, menu = keymap_of(self), key_label("app.copy_menu", keymap_of(self))
            for kind, label, key_id in COPY_COMMANDS:
                keys = f"{menu} then {key_label(key_id, keymap)}"
                commands.append(
                    PaletteCommand(f"Copy {label}", keys, partial(self.outputs.copy, kind))
                )
        return commands

    def palette_targets(self) -> dict[str, Any]:
        """The node each key-table context's actions run on (the palette runs them)."""
        return {
            "main": self,
            "empty": self,
            "screening": self.workspace,
            "list": self.record_list,
            "detail": self.detail,
            "tags": self.tags,
        }

    def focus_panes(self) -> list[Widget]:
        """The panes Tab moves between, in order."""
        panes: list[Widget] = [self.record_list, self.detail]
        if self.tags.display and not self.tags.compact:
            panes.append(self.tags)
        panes.append(self.filter_bar.input)
        return panes

    def criteria_content(self) -> Content:
        """The inclusion criteria for the pane beside the record."""
        text = self.project.criteria()
        key = key_label("main.criteria", keymap_of(self))
        if not text.strip():
            return safe_content(f"No inclusion criteria yet: {key} writes them.", "dim italic")
        return Content.assemble(("Inclusion criteria\n", "bold"), safe_content(text))

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

    # -- actions (keys in `ui.keys`) ----------------------------------------------------

    def _pane_of_focus(self) -> int:
        panes, focused = self.focus_panes(), self.focused
        for n, pane in enumerate(panes):
            if focused is not None and (focused is pane or pane in focused.ancestors):
                return n
        return -1

    def action_focus_next_pane(self) -> None:
        """Move to the next pane."""
        panes = self.focus_panes()
        self._focus_pane(panes[(self._pane_of_focus() + 1) % len(panes)])

    def action_focus_previous_pane(self) -> None:
        """Move to the previous pane."""
        panes = self.focus_panes()
        current = self._pane_of_focus()
        self._focus_pane(panes[(current - 1) % len(panes) if current >= 0 else -1])

    def _focus_pane(self, pane: Widget) -> None:
        if pane is self.detail:
            self.action_focus_detail()
        elif pane is self.tags:
            self.action_focus_tags()
        else:
            pane.focus()

    def action_focus_filter(self) -> None:
        """Move to the filter input."""
        self.filter_bar.focus_input()

    def action_focus_list(self) -> None:
        """Move to the record list."""
        self.record_list.focus()

    def action_focus_detail(self) -> None:
        """Move to the detail pane."""
        self.panes.show()
        self.detail.focus()

    def action_focus_tags(self) -> None:
        """Move to the tag panel (its tag list when the record has tags)."""
        if panel := self.panes.panel_for_current():
            if panel.compact:
                panel.focus()
            else:
                panel.focus_tags()

    def action_next_section(self) -> None:
        """Move to the next abstract section."""
        self.panes.show()
        self.detail.action_next_section()

    def action_previous_section(self) -> None:
        """Move to the previous abstract section."""
        self.panes.show()
        self.detail.action_previous_section()

    def action_toggle_section(self) -> None:
        """Fold or unfold the section in view."""
        self.detail.action_toggle_section()

    def action_collapse_all(self) -> None:
        """Collapse every section."""
        self.detail.action_collapse_all()

    def action_expand_all(self) -> None:
        """Expand every section."""
        self.detail.action_expand_all()

    def action_toggle_metadata(self) -> None:
        """Show every field, or fold them into one line."""
        self.detail.compact = not self.detail.compact
        self.panes.show(force=True)

    def action_toggle_criteria(self) -> None:
        """Show or hide the inclusion criteria beside the record."""
        pane = self.criteria_pane
        pane.display = not pane.display
        if pane.display:
            pane.update(self.criteria_content())

    def action_decide(self, decision: str) -> None:
        """Set the decision of the record under the cursor."""
        if panel := self.panes.panel_for_current():
            panel.decide(decision)

    def action_exclude(self) -> None:
        """Exclude the record under the cursor (asks for a reason when there are any)."""
        if panel := self.panes.panel_for_current():
            panel.action_exclude()

    def action_rate(self, rating: int) -> None:
        """Rate the record under the cursor."""
        if panel := self.panes.panel_for_current():
            panel.action_rate(rating)

    def action_cycle_read(self) -> None:
        """Cycle the read status of the record under the cursor."""
        if panel := self.panes.panel_for_current():
            panel.action_cycle_read()

    def action_edit_note(self) -> None:
        """Edit the note of the record under the cursor."""
        if panel := self.panes.panel_for_current():
            panel.action_edit_note()

    def action_add_tag(self) -> None:
        """Type a tag for the record under the cursor."""
        if panel := self.panes.panel_for_current():
            if panel.compact:
                panel.set_compact(False)
            panel.action_add_tag()

    def action_remove_tag(self) -> None:
        """Remove a tag: focus the record's tags (Delete removes the highlighted one)."""
        if panel := self.panes.panel_for_current():
            if panel.compact:
                panel.set_compact(False)
            panel.start_removing()

    def action_undo(self) -> None:
        """Undo the last annotation change and go back to its record."""
        self._history(undo=True)

    def action_redo(self) -> None:
        """Redo the last undone change and go to its record."""
        self._history(undo=False)

    def _history(self, *, undo: bool) -> None:
        transaction = self.annotator.step(undo=undo)
        if transaction is not None and len(transaction.record_ids) == 1:
            if self.record_list.move_to(transaction.record_ids[0]):
                self.panes.show(force=True)

    def action_bulk(self) -> None:
        """Decide, tag or untag every record the filter shows."""
        self.outputs.bulk()

    def action_cycle_sort(self) -> None:
        """Sort by the next key."""
        self.filtering.cycle_sort()

    def action_reverse_sort(self) -> None:
        """Reverse the sort order."""
        self.filtering.reverse_sort()

    def sort_by(self, key: str, *, reverse: bool | None = None) -> None:
        """Sort the shown records by `key`."""
        self.filtering.sort_by(key, reverse=reverse)

    def action_saved_searches(self, mode: str) -> None:
        """Recall a saved search, or store the current query."""

        def chosen(query: str) -> None:
            self.filter_bar.set_value(query)
            self.record_list.focus()

        self.project.saved_searches("store" if mode == "store" else "recall",
                                    self.filter_bar.value, chosen)  # fmt: skip

    def action_toggle_screening(self) -> None:
        """Switch screening mode on or off."""
        self.set_screening(not self.screening_mode.on)

    def action_edit_criteria(self) -> None:
        """Show and edit the inclusion criteria."""

        def saved() -> None:
            if self.criteria_pane.display:
                self.criteria_pane.update(self.criteria_content())

        self.project.edit_criteria(saved)

    def action_edit_reasons(self) -> None:
        """Edit the exclusion reasons."""
        if (annotations := self._annotations()) is not None:

            def changed() -> None:
                self.show_current(force=True)
                self.update_progress()

            self.project.edit_reasons(annotations, changed)

    def action_edit_words(self) -> None:
        """Edit the include/exclude-words."""
        self.project.edit_words(self.update_word_marks)

    def action_toggle_words(self) -> None:
        """Show or hide the word highlighting."""
        self.project.toggle_words()
        self.update_word_marks()

    def action_import_sample(self) -> None:
        """Import the bundled sample data into the empty library."""
        folder = self.options.sample_dir
        if folder is not None:
            self._import_paths(sorted(
                p for p in folder.iterdir()
                if p.is_file() and not p.name.startswith(".") and p.name.lower() != "readme.md"
            ))  # fmt: skip

    def action_import_files(self) -> None:
        """Import a file or folder chosen in a prompt."""
        self.outputs.import_files()

    def action_stats(self) -> None:
        """Show the PRISMA counts."""
        self.outputs.stats()

    def action_export(self) -> None:
        """Open the export dialog."""
        self.outputs.export()

    def action_copy_menu(self) -> None:
        """Ask what to copy of the current record."""
        self.outputs.copy_menu()

    def action_copy(self, kind: str) -> None:
        """Copy one text of the current record (palette)."""
        self.outputs.copy(kind)

    def action_open_link(self) -> None:
        """Open the current record's link."""
        self.outputs.open_link()
