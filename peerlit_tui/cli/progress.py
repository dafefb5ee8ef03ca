"""Progress of long imports and exports on an interactive terminal, through rich.progress.

The bar fits the terminal's width and shows what is being done, the share done,
a count and the time left. It is drawn on stderr, and only when stderr is a
terminal, so piped output and `--json` stay clean; rich is imported only then,
which keeps it off the start-up of every other command. A phase that counts
other units (lines while a file is read, records while they are saved) restarts
the bar, so the time left is always estimated from the current phase.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, TextIO

from peerlit_tui.text import clean_line

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class ProgressLine:
    """Draws a progress bar for `update(done, total, label)` calls.

    Nothing is drawn, and nothing imported, when `enabled` is False (pipes, JSON).

    Args:
        stream: Where to draw (normally stderr).
        enabled: Whether to draw at all.
    """

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._label = ""

    def update(self, done: int, total: int, label: str) -> None:
        """Show the current state (rich redraws at most ten times a second)."""
        if not self.enabled or total <= 0:
            return
        progress = self._start()
        # File names come from the user's disk: no markup, no control characters.
        text = clean_line(label)
        if self._task is None or text != self._label:
            if self._task is not None:
                progress.remove_task(self._task)
            self._task = progress.add_task(text, total=total, completed=done)
            self._label = text
        else:
            progress.update(self._task, completed=done, total=total)

    def _start(self) -> Progress:
        if self._progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeRemainingColumn,
            )

            # The bar's own escape sequences must reach the terminal: draw on the stream
            # under a control-stripping wrapper (`cli.safe_io`); the label is cleaned above.
            raw = getattr(self.stream, "_stream", self.stream)
            console = Console(file=raw, highlight=False)
            self._progress = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                TaskProgressColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self._progress.start()
        return self._progress

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
