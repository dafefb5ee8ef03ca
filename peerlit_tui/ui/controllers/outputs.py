"""The actions that open another screen: stats, export, copy, open link, import, bulk.

The main screen's bindings call these; each dialog gets what it needs (the services,
the ids the filter shows, the library folder) and reports back through its result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peerlit_tui.ui.clipboard import CopyMenu, copy_record_text, open_record_link
from peerlit_tui.ui.screens.bulk_dialog import BulkChoice, BulkDialog
from peerlit_tui.ui.screens.duplicates import DuplicatesScreen, pairs_among
from peerlit_tui.ui.screens.export_dialog import ExportDialog
from peerlit_tui.ui.screens.import_dialog import ImportDialog
from peerlit_tui.ui.screens.note_editor import NoteEditor
from peerlit_tui.ui.screens.stats import StatsScreen

if TYPE_CHECKING:
    from textual.app import App

    from peerlit_tui.model import Record
    from peerlit_tui.services.annotations import Transaction
    from peerlit_tui.ui.controllers.annotating import Annotator
    from peerlit_tui.ui.session import Services


class Outputs:
    """Opens the stats, export, copy, import and bulk-action screens.

    Args:
        app: The running app (pushes screens, writes the clipboard).
        folder: The library folder (default paths of exports and the PRISMA CSV).
        services: The services getter.
        current: The record under the cursor, or None.
        shown_ids: Ids of the records the filter shows, in display order.
        all_ids: Every record id, in library order.
        import_paths: Starts an import of the chosen paths.
        annotator: Saves the bulk change.
        links_changed: Called after duplicate links changed (the detail pane shows them).
    """

    def __init__(
        self,
        *,
        app: Callable[[], App[Any]],
        folder: Path,
        services: Callable[[], Services | None],
        current: Callable[[], Record | None],
        shown_ids: Callable[[], list[str]],
        all_ids: Callable[[], Sequence[str]],
        import_paths: Callable[[list[Path]], None],
        annotator: Annotator,
        links_changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._app = app
        self._folder = folder
        self._services = services
        self._current = current
        self._shown = shown_ids
        self._all = all_ids
        self._import = import_paths
        self._annotator = annotator
        self._links_changed = links_changed

    def edit_note(self, record_id: str, done: Callable[[str | None, str], None]) -> None:
        """Open the note editor on a record's note.

        `done` gets the text (None: unchanged) and the note the editor opened
        with, so saving can tell whether another process changed it meanwhile.
        """
        services = self._services()
        if services is None:
            return
        record = services.library.get(record_id)
        title = (record.title or record_id) if record is not None else record_id
        note = services.annotations.get(record_id).note
        self._app().push_screen(NoteEditor(note, title=title), lambda text: done(text, note))

    def stats(self) -> None:
        """Show the PRISMA counts."""
        if (services := self._services()) is not None:
            self._app().push_screen(StatsScreen(services, self._folder))

    def export(self) -> None:
        """Open the export dialog for the shown records (or all)."""
        if (services := self._services()) is not None:
            self._app().push_screen(
                ExportDialog(services, self._shown(), self._all(), folder=self._folder)
            )

    def copy_menu(self) -> None:
        """Ask what to copy of the current record."""
        record = self._current()
        if record is None:
            self._app().notify("No record is selected.", severity="warning", markup=False)
            return
        self._app().push_screen(CopyMenu(record), partial(self._copy_picked, record))

    def _copy_picked(self, record: Record, kind: str | None) -> None:
        if kind == "open":
            open_record_link(self._app(), record)
        elif kind:
            copy_record_text(self._app(), record, kind)

    def copy(self, kind: str) -> None:
        """Copy "doi", "citation", "bibtex" or "ris" of the current record (palette)."""
        if (record := self._current()) is not None:
            copy_record_text(self._app(), record, kind)

    def open_link(self) -> None:
        """Open the current record's DOI or URL in a browser."""
        if (record := self._current()) is not None:
            open_record_link(self._app(), record)

    def duplicates(self) -> None:
        """Review the likely duplicates among the shown records, side by side."""
        services = self._services()
        if services is None:
            return
        library = services.library
        pairs = pairs_among(library, self._shown())

        def closed(changed: bool | None) -> None:
            if changed:
                self._links_changed()

        self._app().push_screen(DuplicatesScreen(library, pairs), closed)

    def import_files(self) -> None:
        """Ask for a file or folder to import, then import it in a worker."""

        def chosen(path: Path | None) -> None:
            if path is not None:
                self._import([path])

        self._app().push_screen(ImportDialog(start=Path.home()), chosen)

    def bulk(self) -> None:
        """Decide, tag or untag every record the filter shows, after a confirmation."""
        services = self._services()
        ids = self._shown()
        if services is None or not ids:
            return
        tags = [tag for tag, _count in services.annotations.tag_counts()]

        def chosen(choice: BulkChoice | None) -> None:
            if choice is not None:
                self.apply_bulk(choice, ids)

        self._app().push_screen(BulkDialog(len(ids), tags), chosen)

    def apply_bulk(self, choice: BulkChoice, ids: list[str]) -> Transaction | None:
        """Apply a bulk change as one transaction (one undo step)."""
        if choice.action == "decide":
            return self._annotator.save(lambda a: a.set_decision(ids, choice.value, None))
        if choice.action == "tag":
            return self._annotator.save(lambda a: a.add_tags(ids, [choice.value]))
        return self._annotator.save(lambda a: a.remove_tags(ids, [choice.value]))
