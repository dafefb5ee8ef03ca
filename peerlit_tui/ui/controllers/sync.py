"""Syncing with the team remote from the app: the palette's "Sync with the team remote".

The sync (`peerlit_tui.services.sync`) runs in a worker thread: git talks to the
network there, never on the UI thread. What it brings in reaches the list the way
another process's changes do (the screen polls the stores). The status line shows
when the library last synced; a library with no remote yet gets a notice saying
how to connect (`peerlit sync --remote URL`, once).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from peerlit_tui.services.sync import SyncReport

#: The status line's part naming the last sync.
STATUS_PART = "synced"


def _when(iso: str | None) -> str:
    """An ISO 8601 UTC time as local "YYYY-MM-DD HH:MM" ("never" for None)."""
    if not iso:
        return "never"
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return iso
    return moment.strftime("%Y-%m-%d %H:%M")


class SyncController:
    """Runs a sync off the UI thread and says how it went.

    Args:
        screen: The main screen (its `services`, `options.library_dir`, `status`,
            `commands`, `notify`, `run_worker` and `app`; controllers do not import
            screens, hence no type here).
    """

    def __init__(self, screen: Any) -> None:
        self._screen = screen
        self.running = False
        # The key table's "sync" row runs `run("sync")` on the screen, which looks the
        # command up on its `MainCommands`: this controller provides it there.
        screen.commands.provide("sync", self.start)
        self.show_last()

    def show_last(self) -> None:
        """Show when the library last synced in the status line (nothing if it never did)."""
        from peerlit_tui.services.sync import sync_status

        try:
            status = sync_status(self._screen.options.library_dir)
        except OSError:
            return
        if status["connected"]:
            self._screen.status.set_extra(STATUS_PART, _when(status["last_sync"]))

    def start(self) -> None:
        """Start a sync (a second request while one runs is refused with a notice)."""
        screen = self._screen
        if screen.services is None:
            screen.notify("the library is still loading", severity="warning", markup=False)
            return
        if self.running:
            screen.notify("a sync is already running", markup=False)
            return
        self.running = True
        screen.status.set_extra(STATUS_PART, "syncing…")
        screen.run_worker(self._work, thread=True, exclusive=False, group="sync",
                          description="Syncing", exit_on_error=False)  # fmt: skip

    def _work(self) -> None:
        from peerlit_tui.services.sync import SyncError, sync

        screen = self._screen
        services = screen.services
        report: SyncReport | None = None
        problem = ""
        try:
            if services is None:
                raise SyncError("the library is not loaded")
            report = sync(screen.options.library_dir, services.library, services.annotations)
        except SyncError as exc:
            problem = str(exc)
        except OSError as exc:
            problem = f"the library folder cannot be written: {exc.strerror or exc}"
        except Exception as exc:  # a worker must never take the app down
            problem = f"sync failed: {exc}"
        screen.app.call_from_thread(self._done, report, problem)

    def _done(self, report: SyncReport | None, problem: str) -> None:
        self.running = False
        screen = self._screen
        self.show_last()
        if report is None:
            if screen.status.extras.get(STATUS_PART) == "syncing…":
                screen.status.set_extra(STATUS_PART, "")  # never synced: nothing to show
            screen.notify(problem, severity="error", title="Sync", markup=False, timeout=10)
            return
        text = "\n".join(report.lines())
        level: SeverityLevel = "warning" if report.offline or report.warnings else "information"
        screen.notify(text, severity=level, title="Sync", markup=False, timeout=8)
