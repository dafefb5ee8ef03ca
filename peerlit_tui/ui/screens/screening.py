"""Screening mode, keyword highlighting, saved searches and the project dialogs.

`ScreeningScreen` sits between `AnnotatingScreen` (saving annotations) and
`MainScreen` (loading, filtering, layout) and adds the systematic-review workflow:

- F2 toggles screening mode: a large detail pane, a small list, a progress line
  ("screened N of M (include a, exclude b, maybe c) · R per hour" over the current
  filter), one-key decisions after Rayyan (I include, E exclude, M maybe, U undecided,
  either case) and exclusion reasons on the number keys 1–9. After a decision the
  cursor moves to the next undecided record of the filter (`screening.auto_advance`
  in the user config).
- C shows the project's inclusion criteria (editable), R edits the exclusion
  reasons, W the include/exclude-words, H toggles the keyword highlighting.
- `'` then a digit recalls a saved search, `"` then a digit stores the query.

The project settings (criteria, words, saved searches) live with the library
(`ProjectSettings`); the exclusion reasons live in the annotations store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Static

from peerlit_tui.highlight import Highlight, compile_highlights
from peerlit_tui.services.screening import (
    SCREENING_KEYS,
    decision_lookup,
    decision_rate,
    next_undecided,
    progress,
    rate_text,
    reason_for_slot,
)
from peerlit_tui.ui.screens.annotating import AnnotatingScreen, screen_key
from peerlit_tui.ui.screens.list_editor import EditableList, ListEditor
from peerlit_tui.ui.screens.note_editor import NoteEditor
from peerlit_tui.ui.screens.saved_searches import Mode, SavedSearches
from peerlit_tui.ui.settings import config_of, take_config_warnings
from peerlit_tui.ui.widgets.screening_bar import ScreeningBar

if TYPE_CHECKING:
    from peerlit_tui.services.project import ProjectSettings
    from peerlit_tui.ui.widgets.filter_bar import FilterBar


def _screening_binding(key_binding_id: str, keys: str, action: str, description: str,
                       show: bool) -> Binding:  # fmt: skip
    return Binding(keys, action, description, show=show, id=key_binding_id,
                   tooltip=f"Screening mode: {description.lower()}")  # fmt: skip


#: Screening mode's decision and reason keys (`peerlit_tui.services.screening.SCREENING_KEYS`).
SCREENING_BINDINGS: list[BindingType] = [
    _screening_binding(
        key.binding_id,
        key.keys,
        f"screening_decide({key.decision!r}, {key.reason_slot})",
        key.description,
        key.reason_slot is None and key.decision != "undecided",
    )
    for key in SCREENING_KEYS
]


class CriteriaEditor(NoteEditor):
    """The inclusion criteria in a text area; dismisses with the text, None when unchanged."""

    def on_mount(self) -> None:
        """Title the dialog and put the cursor at the end of the text."""
        super().on_mount()
        self.query_one("#note-dialog").border_title = "Inclusion criteria"
        self.query_one("#note-title", Static).update(
            Content("The project's inclusion criteria (kept with the library)")
        )


class ScreeningScreen(AnnotatingScreen):
    """Adds screening mode, keyword highlighting, saved searches and the project dialogs.

    Subclasses provide the `filter_bar` and `show_current` and compose a `ScreeningBar`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        screen_key("f2", "toggle_screening", "Screening", "screening_mode",
                   "Screening mode: large detail pane, one-key decisions, progress", False),
        *SCREENING_BINDINGS,
        screen_key("C", "edit_criteria", "Criteria", "criteria",
                   "Show and edit the project's inclusion criteria", False),
        screen_key("R", "edit_reasons", "Reasons", "edit_reasons",
                   "Edit the project's exclusion reasons (number keys 1–9)", False),
        screen_key("W", "edit_words", "Words", "edit_words",
                   "Edit the include-words (green) and exclude-words (red)", False),
        screen_key("H", "toggle_words", "Highlight words", "toggle_words",
                   "Show or hide the include/exclude-word highlighting", False),
        screen_key("apostrophe", "saved_searches('recall')", "Recall search", "recall_search",
                   "Recall a saved search: ' then its number", False),
        screen_key("quotation_mark", "saved_searches('store')", "Store search", "store_search",
                   'Store the current query: " then a number', False),
        # The base keys follow, so a key screening mode also uses (e, 1–5) falls back to
        # its everyday meaning when screening mode is off.
        *AnnotatingScreen.BINDINGS,
    ]  # fmt: skip
    """
    | Key(s) | Description |
    | :- | :- |
    | F2 | Screening mode on / off. |
    | i I / e E / m M / u U | (screening mode) Include / exclude / maybe / undecided. |
    | 1–9 | (screening mode) Exclude with the project's reason of that number. |
    | C / R / W / H | Criteria / reasons / include-exclude words / highlighting on-off. |
    | ' then 1–9 / " then 1–9 | Recall / store a saved search. |
    """

    def __init__(self) -> None:
        super().__init__()
        self.screening = False
        """True in screening mode."""
        self.auto_advance = True
        """Move to the next undecided record after a decision (user config)."""
        self.words_on = True
        """Whether include/exclude-words are highlighted (user config, then H)."""
        self.word_marks: list[Highlight] = []
        """The compiled include/exclude-words, empty while highlighting is off."""
        self._project: ProjectSettings | None = None
        self._screening_since: datetime | None = None

    def apply_user_config(self) -> None:
        """Apply the user config's screen settings and show its warnings (from `on_mount`)."""
        config = config_of(self.app)
        self.auto_advance = config.screening.auto_advance
        self.words_on = config.highlight.enabled
        self.record_list.set_visible_columns(config.list_columns)
        for warning in take_config_warnings(self.app):
            self.notify(warning, title="Config", severity="warning", timeout=10, markup=False)

    # -- project settings -----------------------------------------------------------

    @property
    def project(self) -> ProjectSettings | None:
        """The library's project settings (opened on first use), None without a library."""
        if self._project is None:
            folder = getattr(self.app, "library_dir", None)
            if not isinstance(folder, Path):
                return None
            from peerlit_tui.services.project import ProjectSettings

            highlight = config_of(self.app).highlight
            try:
                self._project = ProjectSettings(
                    folder,
                    include_words=highlight.include_words,
                    exclude_words=highlight.exclude_words,
                )
            except (OSError, ValueError) as error:
                self.notify(f"Project settings: {error}", severity="error", markup=False)
                return None
            for warning in self._project.warnings:
                self.notify(warning, title="Project settings", severity="warning", markup=False)
        return self._project

    def update_word_marks(self) -> None:
        """Compile the project's words again and show them in the list and the detail pane."""
        project = self.project if self.words_on else None
        marks = (
            compile_highlights(project.include_words(), project.exclude_words())
            if project is not None
            else []
        )
        self.word_marks = marks
        self.record_list.set_word_highlights(marks)
        self.show_current(force=True)

    # -- screening mode ---------------------------------------------------------------

    def action_toggle_screening(self) -> None:
        """Switch screening mode on or off."""
        self.set_screening(not self.screening)

    def set_screening(self, on: bool) -> None:
        """Enter or leave screening mode."""
        self.screening = on
        self.set_class(on, "-screening")
        if on and self._screening_since is None:
            self._screening_since = datetime.now(UTC)
        self.update_progress()
        self.refresh_bindings()
        self.record_list.focus()
        self.status.set_state("screening mode" if on else "")

    def action_screening_decide(self, decision: str, slot: int | None = None) -> None:
        """Decide on the record under the cursor; a `slot` excludes with that reason."""
        panel = self.panel_for_current()
        if panel is None or self.services is None:
            return
        if slot is not None:
            reason = reason_for_slot(self.services.annotations.reasons(), slot)
            if reason is None:
                self.notify(f"No exclusion reason {slot}: press R to edit the reasons.",
                            severity="warning", markup=False)  # fmt: skip
                return
            panel.decide("exclude", reason)
        elif decision == "exclude":
            panel.action_exclude()
        else:
            panel.decide(decision)

    def decision_made(self, record_id: str, decision: str) -> None:
        """After a saved decision: update the progress and move to the next undecided record."""
        self.update_progress()
        if not (self.screening and self.auto_advance) or decision == "undecided":
            return
        if record_id != self.record_list.current_id or self.services is None:
            return
        found = next_undecided(
            self.record_list.rows,
            self.record_list.columns.ids,
            self.record_list.cursor,
            decision_lookup(self.services.annotations.all()),
        )
        if found is None:
            self.notify("Every record shown has a decision.", markup=False)
        elif found != self.record_list.cursor:
            self.record_list.cursor = found

    def annotations_changed(self, record_ids: Sequence[str]) -> None:
        """Also keep the progress line up to date (undo, redo, the tag panel)."""
        super().annotations_changed(record_ids)
        self.update_progress()

    def update_progress(self) -> None:
        """Recount the current filter's decisions and the rate (screening mode only)."""
        if not self.screening or self.services is None:
            return
        bar = self.query_one(ScreeningBar)
        annotations = self.services.annotations
        # One pass over the annotated records, then dictionary look-ups per shown row.
        annotated = annotations.all()
        ids = self.record_list.columns.ids
        counts = progress((ids[row] for row in self.record_list.rows), decision_lookup(annotated))
        rate = decision_rate(annotated, since=self._screening_since)
        bar.set_progress(f"{counts.text()} · {rate_text(rate)}")
        bar.set_reasons(annotations.reasons())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Screening keys act only in screening mode; other keys keep their meaning."""
        if action == "screening_decide":
            if not self.screening:
                return False
            return None if self.record_list.current_id is None else True
        return super().check_action(action, parameters)

    # -- dialogs ------------------------------------------------------------------------

    def action_edit_criteria(self) -> None:
        """Show the inclusion criteria in an editor; saving is immediate."""
        project = self.project
        if project is None:
            return
        project.refresh()

        def saved(text: str | None) -> None:
            if text is None:
                return
            try:
                project.set_criteria(text)
            except (OSError, ValueError) as error:
                self.notify(f"The criteria were not saved: {error}", severity="error",
                            markup=False)  # fmt: skip
                return
            self.status.set_state("saved: inclusion criteria")

        self.app.push_screen(CriteriaEditor(project.criteria()), saved)

    def action_edit_reasons(self) -> None:
        """Edit the project's exclusion reasons."""
        if self.services is None:
            return
        annotations = self.services.annotations
        editable = EditableList(
            "Exclusion reasons (number keys 1–9 in screening mode)",
            annotations.reasons,
            annotations.add_reason,
            annotations.remove_reason,
        )

        def closed(changed: bool | None) -> None:
            if changed:
                self.show_current(force=True)
                self.update_progress()

        self.app.push_screen(ListEditor("Exclusion reasons", [editable]), closed)

    def action_edit_words(self) -> None:
        """Edit the include-words and exclude-words."""
        project = self.project
        if project is None:
            return
        project.refresh()
        lists = [
            EditableList(
                f"{kind.capitalize()}-words ({'green' if kind == 'include' else 'red'})",
                lambda kind=kind: project.words(kind),  # type: ignore[misc]
                lambda word, kind=kind: project.add_word(kind, word),  # type: ignore[misc]
                lambda word, kind=kind: project.remove_word(kind, word),  # type: ignore[misc]
            )
            for kind in ("include", "exclude")
        ]

        def closed(changed: bool | None) -> None:
            if changed:
                self.update_word_marks()

        self.app.push_screen(ListEditor("Highlighting words", lists), closed)

    def action_toggle_words(self) -> None:
        """Show or hide the include/exclude-word highlighting."""
        self.words_on = not self.words_on
        self.update_word_marks()
        self.status.set_state("word highlighting " + ("on" if self.words_on else "off"))

    def action_saved_searches(self, mode: Mode) -> None:
        """Open the saved searches to recall one or store the current query."""
        project = self.project
        if project is None:
            return

        def chosen(query: str | None) -> None:
            if query is not None:
                self.search_bar.set_value(query)
                self.record_list.focus()

        self.app.push_screen(SavedSearches(project, mode, self.search_bar.value), chosen)

    @property
    def search_bar(self) -> FilterBar:
        """The filter bar (provided by the subclass's layout)."""
        from peerlit_tui.ui.widgets.filter_bar import FilterBar

        return self.query_one(FilterBar)
