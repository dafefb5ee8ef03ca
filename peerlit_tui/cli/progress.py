"""A one-line progress display for long imports on an interactive terminal."""

from __future__ import annotations

import time
from types import TracebackType
from typing import TextIO


class ProgressLine:
    """Rewrites one stderr line with a bar, a percentage and what is being done.

    Updates are throttled to ten a second so that progress never costs more than
    the work it reports. Nothing is written when `enabled` is False (pipes, JSON).

    Args:
        stream: Where to draw (normally stderr).
        enabled: Whether to draw at all.
        width: Width of the bar in characters.
    """

    def __init__(self, stream: TextIO, *, enabled: bool, width: int = 30) -> None:
        self.stream = stream
        self.enabled = enabled
        self.width = width
        self._last = 0.0
        self._drawn = False

    def update(self, done: int, total: int, label: str) -> None:
        """Draw the current state (throttled)."""
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        fraction = min(1.0, done / total)
        filled = int(fraction * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {fraction:6.1%} {label[:40]:<40}")
        self.stream.flush()
        self._drawn = True

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * (self.width + 52) + "\r")
            self.stream.flush()
