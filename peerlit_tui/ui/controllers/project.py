"""The project settings kept with the library, and the dialogs that edit them.

Inclusion criteria, include/exclude-words and saved searches live in the library
folder (`ProjectSettings`); exclusion reasons live in the annotations store. This
controller opens the settings on first use and runs the dialogs; it tells the
screen what changed through the callbacks it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.content import Content

from peerlit_tui.highlight import Highlight, compile_highlights
from peerlit_tui.ui.screens.list_editor import EditableList, ListEditor
from peerlit_tui.ui.screens.note_editor import NoteEditor
from peerlit_tui.ui.screens.saved_searches import Mode, SavedSearches
from peerlit_tui.ui.text_render import safe_content

if TYPE_CHECKING:
    from textual.screen import Screen

    from peerlit_tui.config import HighlightSettings
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.project import ProjectSettings

#: Pushes a dialog and calls back with its result (`App.push_screen`).
PushScreen = Callable[["Screen[Any]", Callable[[Any], None]], object]


class ProjectDialogs:
    """Opens the project settings and runs their dialogs.

    Args:
        folder: The library folder.
        highlight: The user config's highlighting defaults (a new project's words).
        push_screen: Shows a dialog.
        notify: Shows a notification (text, severity).
        say: Shows a short state in the status line.
    """

    def __init__(
        self,
        *,
        folder: Path,
        highlight: HighlightSettings,
        push_screen: PushScreen,
        notify: Callable[[str, str], None],
        say: Callable[[str], None],
    ) -> None:
        self._folder = folder
        self._highlight = highlight
        self._push = push_screen
        self._notify = notify
        self._say = say
        self._project: ProjectSettings | None = None
        self.words_on = highlight.enabled
        """Whether include/exclude-words are highlighted."""

    @property
    def project(self) -> ProjectSettings | None:
        """The project settings (opened on first use); None when they cannot be read."""
        if self._project is None:
            from peerlit_tui.services.project import ProjectSettings

            try:
                self._project = ProjectSettings(
                    self._folder,
                    include_words=self._highlight.include_words,
                    exclude_words=self._highlight.exclude_words,
                )
            except (OSError, ValueError) as error:
                self._notify(f"Project settings: {error}", "error")
                return None
            for warning in self._project.warnings:
                self._notify(warning, "warning")
        return self._project

    def word_marks(self) -> list[Highlight]:
        """The compiled include/exclude-words, empty while highlighting is off."""
        project = self.project if self.words_on else None
        if project is None:
            return []
        return compile_highlights(project.include_words(), project.exclude_words())

    def criteria(self) -> str:
        """The inclusion criteria ("" when none are written)."""
        project = self.project
        if project is None:
            return ""
        project.refresh()
        return project.criteria()

    def criteria_content(self, edit_key: str) -> Content:
        """The criteria as the pane beside the record shows them (`edit_key` writes them)."""
        text = self.criteria()
        if not text.strip():
            return safe_content(f"No inclusion criteria yet: {edit_key} writes them.", "dim italic")
        return Content.assemble(("Inclusion criteria\n", "bold"), safe_content(text))

    def edit_criteria(self, saved: Callable[[], None]) -> None:
        """Show the inclusion criteria in an editor; saving is immediate."""
        project = self.project
        if project is None:
            return
        project.refresh()

        def closed(text: str | None) -> None:
            if text is None:
                return
            try:
                project.set_criteria(text)
            except (OSError, ValueError) as error:
                self._notify(f"The criteria were not saved: {error}", "error")
                return
            self._say("saved: inclusion criteria")
            saved()

        self._push(
            NoteEditor(
                project.criteria(),
                heading="The project's inclusion criteria (kept with the library)",
                dialog_title="Inclusion criteria",
            ),
            closed,
        )

    def edit_reasons(self, annotations: AnnotationService, changed: Callable[[], None]) -> None:
        """Edit the project's exclusion reasons."""
        editable = EditableList(
            "Exclusion reasons (number keys 1–9 in screening mode)",
            annotations.reasons,
            annotations.add_reason,
            annotations.remove_reason,
        )

        def closed(result: bool | None) -> None:
            if result:
                changed()

        self._push(ListEditor("Exclusion reasons", [editable]), closed)

    def edit_words(self, changed: Callable[[], None]) -> None:
        """Edit the include-words and exclude-words."""
        project = self.project
        if project is None:
            return
        project.refresh()

        def word_list(kind: str) -> EditableList:
            return EditableList(
                f"{kind.capitalize()}-words ({'green' if kind == 'include' else 'red'})",
                lambda: project.words(kind),
                lambda word: project.add_word(kind, word),
                lambda word: project.remove_word(kind, word),
            )

        def closed(result: bool | None) -> None:
            if result:
                changed()

        self._push(ListEditor("Highlighting words", [word_list("include"),
                                                      word_list("exclude")]), closed)  # fmt: skip

    def toggle_words(self) -> None:
        """Switch the word highlighting on or off."""
        self.words_on = not self.words_on
        self._say("word highlighting " + ("on" if self.words_on else "off"))

    def saved_searches(self, mode: Mode, query: str, chosen: Callable[[str], None]) -> None:
        """Recall a saved search, or store `query`."""
        project = self.project
        if project is None:
            return

        def closed(result: str | None) -> None:
            if result is not None:
                chosen(result)

        self._push(SavedSearches(project, mode, query), closed)
