"""The export dialog: format, scope (shown records or all), path, then export with progress.

The export runs in a thread worker through `services.export_job.export_to_file`
(the code `peerlit export` uses), writing a temporary file in the target folder
that replaces the target only once complete. The dialog shows a progress bar while
it runs and closes with a notification naming the file and the count; a failure
(an unwritable folder, a full disk) is a notification and the dialog stays open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, ProgressBar, RadioButton, RadioSet, Static
from textual.worker import Worker, WorkerState

from peerlit_tui.exporters import EXPORT_FORMATS
from peerlit_tui.ui.bindings import bindings_for
from peerlit_tui.ui.widgets.choice_list import ChoiceList

if TYPE_CHECKING:
    from peerlit_tui.ui.session import Services

#: File name stem of the default export path (in the current directory).
DEFAULT_STEM = "peerlit-export"


def default_path(format_name: str, folder: Path | None = None) -> Path:
    """The default export file for a format: `peerlit-export.<ext>` in `folder` (default: home).

    Never the current directory: started from a source checkout, that would write
    into the work tree.
    """
    return (folder or Path.home()) / f"{DEFAULT_STEM}.{EXPORT_FORMATS[format_name].extension}"


class ExportDialog(ModalScreen[int | None]):
    """Export records with their annotations; dismisses with the count written, or None.

    Args:
        services: The open library services.
        shown_ids: Ids of the records the current filter shows, in display order.
        all_ids: Every record id, in library order.
        folder: Folder of the default path (default: the current directory).
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings_for("export")

    DEFAULT_CSS = """
    ExportDialog {
        align: center middle;
        & > #export-dialog {
            width: 76;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: round $primary;
            background: $surface;
            padding: 0 1;
        }
        & #export-choices { height: auto; }
        & RadioSet { width: 1fr; height: auto; }
        & #export-path { width: 100%; }
        & #export-buttons { height: auto; align-horizontal: right; }
        & #export-progress { height: 1; }
        & #export-help { height: 1; color: $text-muted; }
    }
    """

    class _Progressed(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    class _Finished(Message):
        def __init__(self, count: int, path: Path, label: str) -> None:
            super().__init__()
            self.count, self.path, self.label = count, path, label

    def __init__(
        self,
        services: Services,
        shown_ids: Sequence[str],
        all_ids: Sequence[str],
        *,
        folder: Path | None = None,
    ) -> None:
        super().__init__()
        self._services = services
        self._shown = list(shown_ids)
        self._all = list(all_ids)
        self._folder = folder
        self.format_name = "ris"
        """The chosen format."""
        self.scope = "shown" if len(self._shown) < len(self._all) else "all"
        """"shown" (the current filter result) or "all"."""
        self._path_edited = False
        self.running = False
        """True while an export runs."""

    def compose(self) -> Iterable[Widget]:
        """Format and scope side by side, the path, progress and buttons."""
        with Vertical(id="export-dialog") as dialog:
            dialog.border_title = "Export"
            with Horizontal(id="export-choices"):
                with ChoiceList(id="export-format") as formats:
                    formats.border_title = "Format"
                    for fmt in EXPORT_FORMATS.values():
                        yield RadioButton(fmt.label, value=fmt.name == self.format_name,
                                          name=fmt.name)  # fmt: skip
                with ChoiceList(id="export-scope") as scope:
                    scope.border_title = "Records"
                    yield RadioButton(f"Shown by the filter ({len(self._shown):,})",
                                      value=self.scope == "shown", name="shown")  # fmt: skip
                    yield RadioButton(f"All ({len(self._all):,})", value=self.scope == "all",
                                      name="all")  # fmt: skip
            yield Label("File:")
            yield Input(str(default_path(self.format_name, self._folder)), id="export-path")
            yield ProgressBar(total=None, show_eta=False, id="export-progress")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-run")
                yield Button("Cancel", id="export-cancel")
            yield Static(Content("Enter/ctrl+s export · tab next field · Esc cancel"),
                         id="export-help")  # fmt: skip

    def on_mount(self) -> None:
        """Start on the format choice; the progress bar shows only while exporting."""
        self.query_one("#export-progress").display = False
        self.query_one("#export-format").focus()

    @property
    def path_input(self) -> Input:
        """The file path field."""
        return self.query_one("#export-path", Input)

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        self.format_name = event.pressed.name or self.format_name
        if not self._path_edited:
            self.path_input.value = str(default_path(self.format_name, self._folder))
            self._path_edited = False

    @on(RadioSet.Changed, "#export-scope")
    def _scope_changed(self, event: RadioSet.Changed) -> None:
        self.scope = event.pressed.name or self.scope

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        self._path_edited = event.value != str(default_path(self.format_name, self._folder))

    @on(ChoiceList.Chosen)
    def _chosen(self, event: ChoiceList.Chosen) -> None:
        # Enter on a list: that option, then export (the Changed message may come later).
        if event.choice_list.id == "export-format" and event.name in EXPORT_FORMATS:
            self.format_name = event.name
            if not self._path_edited:
                self.path_input.value = str(default_path(self.format_name, self._folder))
        elif event.choice_list.id == "export-scope" and event.name:
            self.scope = event.name
        self.action_run_export()

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-run")
    def _submit(self) -> None:
        self.action_run_export()

    @on(Button.Pressed, "#export-cancel")
    def _cancel(self) -> None:
        self.action_close()

    def action_close(self) -> None:
        """Close without exporting (an export already running finishes first)."""
        if not self.running:
            self.dismiss(None)

    def action_run_export(self) -> None:
        """Export the chosen records to the chosen file, in a worker."""
        if self.running:
            return
        text = self.path_input.value.strip()
        if not text:
            self.notify("Type the file to write.", severity="warning", markup=False)
            return
        path = Path(text).expanduser()
        if not path.parent.is_dir():
            self.notify(f"The folder {path.parent} does not exist.", severity="error",
                        markup=False)  # fmt: skip
            return
        ids = self._shown if self.scope == "shown" else self._all
        self.running = True
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=max(len(ids), 1), progress=0)
        bar.display = True
        self._export(list(ids), self.scope == "all", self.format_name, path)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False,
          description="Exporting")  # fmt: skip
    def _export(self, ids: list[str], library_order: bool, format_name: str, path: Path) -> None:
        from peerlit_tui.services.export_job import export_to_file

        def progress(done: int, total: int, _label: str) -> None:
            self.post_message(self._Progressed(done, total))

        services = self._services
        count = export_to_file(services.library, services.annotations, ids, format_name, path,
                               progress, library_order=library_order)  # fmt: skip
        self.post_message(self._Finished(count, path, EXPORT_FORMATS[format_name].label))

    @on(_Progressed)
    def _progressed(self, message: _Progressed) -> None:
        self.query_one("#export-progress", ProgressBar).update(
            total=max(message.total, 1), progress=message.done
        )

    @on(_Finished)
    def _finished(self, message: _Finished) -> None:
        self.running = False
        self.app.notify(f"Exported {message.count:,} records to {message.path} ({message.label})",
                        title="Export", markup=False)  # fmt: skip
        self.dismiss(message.count)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An export that failed: say why, keep the dialog open to try another path."""
        if event.worker.group != "export" or event.state != WorkerState.ERROR:
            return
        event.stop()
        self.running = False
        self.query_one("#export-progress").display = False
        error = event.worker.error
        detail = getattr(error, "strerror", None) or str(error)
        self.notify(f"Export failed: {detail}", severity="error", timeout=10, markup=False)
