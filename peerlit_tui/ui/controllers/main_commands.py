"""What each key of the main screen does: the commands the key table's "main" rows run.

The main screen's bindings all run `run(name, *args)` on the screen, which hands
them here (`MainCommands.run`); `available` answers the screen's `check_action`
for them, so the footer, the palette and the keys agree on what can be done. The
commands only call the widgets and controllers they are given (`MainParts`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.content import Content
    from textual.widget import Widget
    from textual.widgets import Static

    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.ui.controllers.annotating import Annotator
    from peerlit_tui.ui.controllers.filtering import FilterController
    from peerlit_tui.ui.controllers.outputs import Outputs
    from peerlit_tui.ui.controllers.panes import RecordPanes
    from peerlit_tui.ui.controllers.project import ProjectDialogs
    from peerlit_tui.ui.controllers.screening import ScreeningMode
    from peerlit_tui.ui.session import Services
    from peerlit_tui.ui.widgets.detail_pane import DetailPane
    from peerlit_tui.ui.widgets.filter_bar import FilterBar
    from peerlit_tui.ui.widgets.record_list import RecordList
    from peerlit_tui.ui.widgets.tag_panel import TagPanel

#: Commands that need a record under the cursor.
RECORD_ACTIONS: frozenset[str] = frozenset(
    {"decide", "exclude", "rate", "cycle_read", "edit_note", "add_tag", "remove_tag",
     "focus_tags", "copy_menu", "open_link", "copy"}
)  # fmt: skip
#: Commands that need the loaded library.
LIBRARY_ACTIONS: frozenset[str] = frozenset(
    {"stats", "export", "bulk", "import_files", "edit_reasons", "duplicates"}
)


@dataclass(slots=True)
class MainParts:
    """The widgets, controllers and screen operations the commands work with."""

    record_list: RecordList
    detail: DetailPane
    tags: TagPanel
    filter_bar: FilterBar
    criteria_pane: Static
    panes: RecordPanes
    filtering: FilterController
    annotator: Annotator
    outputs: Outputs
    project: ProjectDialogs
    screening_mode: ScreeningMode
    services: Callable[[], Services | None]
    annotations: Callable[[], AnnotationService | None]
    focused: Callable[[], Widget | None]
    sample_dir: Path | None
    set_screening: Callable[[bool], None]
    update_word_marks: Callable[[], None]
    update_progress: Callable[[], None]
    show_current: Callable[..., None]
    criteria_content: Callable[[], Content]
    import_paths: Callable[[list[Path]], None]


class MainCommands:
    """The main screen's commands, by the names the key table's actions use.

    Args:
        parts: What the commands act on.
    """

    def __init__(self, parts: MainParts) -> None:
        self._p = parts
        self._provided: dict[str, Callable[..., None]] = {}

    def provide(self, name: str, command: Callable[..., None]) -> None:
        """Add a command that a controller of the screen carries out (sync, conflicts).

        Args:
            name: The command's name, as the key table's action uses it.
            command: What runs it.
        """
        self._provided[name] = command

    def run(self, name: str, *args: Any) -> None:
        """Run a command by name (an unknown name is a bug in the key table)."""
        command: Callable[..., None] = self._provided.get(name) or getattr(self, name)
        command(*args)

    def available(self, action: str) -> bool | None:
        """Whether a command can run now (None: shown but dimmed).

        Record commands need a record, the sample import an empty library.
        """
        loaded = self._p.services() is not None
        if action == "import_sample":
            return (
                self._p.sample_dir is not None and loaded and len(self._p.record_list.columns) == 0
            )
        if action in RECORD_ACTIONS:
            if not self._p.record_list.columns.ids:
                return False  # an empty library: keep the footer for what can be done
            return None if self._p.record_list.current_id is None else True
        if action in LIBRARY_ACTIONS:
            return loaded
        return True

    def focus_panes(self) -> list[Widget]:
        """The panes Tab moves between, in order."""
        panes: list[Widget] = [self._p.record_list, self._p.detail]
        if self._p.tags.display and not self._p.tags.compact:
            panes.append(self._p.tags)
        panes.append(self._p.filter_bar.input)
        return panes

    def _pane_of_focus(self) -> int:
        panes, focused = self.focus_panes(), self._p.focused()
        for n, pane in enumerate(panes):
            if focused is not None and (focused is pane or pane in focused.ancestors):
                return n
        return -1

    def focus_next_pane(self) -> None:
        """Move to the next pane."""
        panes = self.focus_panes()
        self._focus_pane(panes[(self._pane_of_focus() + 1) % len(panes)])

    def focus_previous_pane(self) -> None:
        """Move to the previous pane."""
        panes = self.focus_panes()
        current = self._pane_of_focus()
        self._focus_pane(panes[(current - 1) % len(panes) if current >= 0 else -1])

    def _focus_pane(self, pane: Widget) -> None:
        if pane is self._p.detail:
            self.focus_detail()
        elif pane is self._p.tags:
            self.focus_tags()
        else:
            pane.focus()

    def focus_filter(self) -> None:
        """Move to the filter input."""
        self._p.filter_bar.focus_input()

    def focus_list(self) -> None:
        """Move to the record list."""
        self._p.record_list.focus()

    def focus_detail(self) -> None:
        """Move to the detail pane."""
        self._p.panes.show()
        self._p.detail.focus()

    def focus_tags(self) -> None:
        """Move to the tag panel (its tag list when the record has tags)."""
        if panel := self._p.panes.panel_for_current():
            if panel.compact:
                panel.focus()
            else:
                panel.focus_tags()

    def next_section(self) -> None:
        """Move to the next abstract section."""
        self._p.panes.show()
        self._p.detail.action_next_section()

    def previous_section(self) -> None:
        """Move to the previous abstract section."""
        self._p.panes.show()
        self._p.detail.action_previous_section()

    def toggle_section(self) -> None:
        """Fold or unfold the section in view."""
        self._p.detail.action_toggle_section()

    def collapse_all(self) -> None:
        """Collapse every section."""
        self._p.detail.action_collapse_all()

    def expand_all(self) -> None:
        """Expand every section."""
        self._p.detail.action_expand_all()

    def toggle_metadata(self) -> None:
        """Show every field, or fold them into one line."""
        self._p.detail.compact = not self._p.detail.compact
        self._p.panes.show(force=True)

    def toggle_criteria(self) -> None:
        """Show or hide the inclusion criteria beside the record."""
        pane = self._p.criteria_pane
        pane.display = not pane.display
        if pane.display:
            pane.update(self._p.criteria_content())

    def decide(self, decision: str) -> None:
        """Set the decision of the record under the cursor."""
        if panel := self._p.panes.panel_for_current():
            panel.decide(decision)

    def exclude(self) -> None:
        """Exclude the record under the cursor (asks for a reason when there are any)."""
        if panel := self._p.panes.panel_for_current():
            panel.action_exclude()

    def rate(self, rating: int) -> None:
        """Rate the record under the cursor."""
        if panel := self._p.panes.panel_for_current():
            panel.action_rate(rating)

    def cycle_read(self) -> None:
        """Cycle the read status of the record under the cursor."""
        if panel := self._p.panes.panel_for_current():
            panel.action_cycle_read()

    def edit_note(self) -> None:
        """Edit the note of the record under the cursor."""
        if panel := self._p.panes.panel_for_current():
            panel.action_edit_note()

    def add_tag(self) -> None:
        """Type a tag for the record under the cursor."""
        if panel := self._p.panes.panel_for_current():
            if panel.compact:
                panel.set_compact(False)
            panel.action_add_tag()

    def remove_tag(self) -> None:
        """Remove a tag: focus the record's tags (Delete removes the highlighted one)."""
        if panel := self._p.panes.panel_for_current():
            if panel.compact:
                panel.set_compact(False)
            panel.start_removing()

    def undo(self) -> None:
        """Undo the last annotation change and go back to its record."""
        self._history(undo=True)

    def redo(self) -> None:
        """Redo the last undone change and go to its record."""
        self._history(undo=False)

    def _history(self, *, undo: bool) -> None:
        transaction = self._p.annotator.step(undo=undo)
        if transaction is not None and len(transaction.record_ids) == 1:
            if self._p.record_list.move_to(transaction.record_ids[0]):
                self._p.panes.show(force=True)

    def bulk(self) -> None:
        """Decide, tag or untag every record the filter shows."""
        self._p.outputs.bulk()

    def cycle_sort(self) -> None:
        """Sort by the next key."""
        self._p.filtering.cycle_sort()

    def reverse_sort(self) -> None:
        """Reverse the sort order."""
        self._p.filtering.reverse_sort()

    def sort_by(self, key: str, *, reverse: bool | None = None) -> None:
        """Sort the shown records by `key`."""
        self._p.filtering.sort_by(key, reverse=reverse)

    def saved_searches(self, mode: str) -> None:
        """Recall a saved search, or store the current query."""

        def chosen(query: str) -> None:
            self._p.filter_bar.set_value(query)
            self._p.record_list.focus()

        self._p.project.saved_searches("store" if mode == "store" else "recall",
                                    self._p.filter_bar.value, chosen)  # fmt: skip

    def toggle_screening(self) -> None:
        """Switch screening mode on or off."""
        self._p.set_screening(not self._p.screening_mode.on)

    def edit_criteria(self) -> None:
        """Show and edit the inclusion criteria."""

        def saved() -> None:
            if self._p.criteria_pane.display:
                self._p.criteria_pane.update(self._p.criteria_content())

        self._p.project.edit_criteria(saved)

    def edit_reasons(self) -> None:
        """Edit the exclusion reasons."""
        if (annotations := self._p.annotations()) is not None:

            def changed() -> None:
                self._p.show_current(force=True)
                self._p.update_progress()

            self._p.project.edit_reasons(annotations, changed)

    def edit_words(self) -> None:
        """Edit the include/exclude-words."""
        self._p.project.edit_words(self._p.update_word_marks)

    def toggle_words(self) -> None:
        """Show or hide the word highlighting."""
        self._p.project.toggle_words()
        self._p.update_word_marks()

    def import_sample(self) -> None:
        """Import the bundled sample data into the empty library."""
        folder = self._p.sample_dir
        if folder is not None:
            self._p.import_paths(sorted(
                p for p in folder.iterdir()
                if p.is_file() and not p.name.startswith(".") and p.name.lower() != "readme.md"
            ))  # fmt: skip

    def duplicates(self) -> None:
        """Review likely duplicates side by side."""
        self._p.outputs.duplicates()

    def import_files(self) -> None:
        """Import a file or folder chosen in a prompt."""
        self._p.outputs.import_files()

    def stats(self) -> None:
        """Show the PRISMA counts."""
        self._p.outputs.stats()

    def export(self) -> None:
        """Open the export dialog."""
        self._p.outputs.export()

    def copy_menu(self) -> None:
        """Ask what to copy of the current record."""
        self._p.outputs.copy_menu()

    def copy(self, kind: str) -> None:
        """Copy one text of the current record (palette)."""
        self._p.outputs.copy(kind)

    def open_link(self) -> None:
        """Open the current record's link."""
        self._p.outputs.open_link()
