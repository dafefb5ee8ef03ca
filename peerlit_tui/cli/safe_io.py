"""What the command line writes and how Ctrl-C ends it.

Everything a command prints goes through `ControlFreeStream`, so text that sits
in the library files themselves (a `records.sqlite3` row or a journal line written
by another program) can no more reach the terminal with an escape sequence than
imported text can: the same cleaning as the app's, applied on the way out.

`InterruptGuard` makes Ctrl-C end any command at once with exit code 130 and no
traceback: while a command runs, the first Ctrl-C raises `KeyboardInterrupt` so the
library closes cleanly (`main` reports it); before and after that, and on a second
Ctrl-C, the process exits on the spot. Every saved change is durable before its
call returns, so exiting at any point leaves the last saved state.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TextIO, cast

from peerlit_tui.text import terminal_safe

#: Exit status of a command ended by Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130


class ControlFreeStream:
    """A text stream that strips escape sequences and controls from what is written.

    Args:
        stream: The stream written to (stdout or stderr).
        keep_cr: Keep lone carriage returns (stderr's progress line redraws with them).
    """

    def __init__(self, stream: TextIO, *, keep_cr: bool = False) -> None:
        self._stream = stream
        self._keep_cr = keep_cr

    def write(self, text: str) -> int:
        """Write `text` without anything a terminal would interpret."""
        return self._stream.write(terminal_safe(text, keep_cr=self._keep_cr))

    def writelines(self, lines: Iterator[str] | list[str]) -> None:
        """Write each line cleaned."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        # flush, isatty, fileno, encoding, buffer...: those of the wrapped stream.
        return getattr(self._stream, name)


def control_free(stream: TextIO, *, keep_cr: bool = False) -> TextIO:
    """Wrap a stream in `ControlFreeStream` (typed as the stream it stands for)."""
    if isinstance(stream, ControlFreeStream):
        return cast(TextIO, stream)
    return cast(TextIO, ControlFreeStream(stream, keep_cr=keep_cr))


_Handler = Callable[[int, FrameType | None], Any] | int | None


class InterruptGuard:
    """Ctrl-C handling for one command-line run (see the module docstring).

    Only the main thread can install signal handlers; elsewhere (a test calling
    `main` from a thread) the guard does nothing.
    """

    def __init__(self) -> None:
        self._previous: _Handler = None
        self._installed = False

    def install(self) -> InterruptGuard:
        """Exit at once on Ctrl-C until `unwinding` says a command is running."""
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.getsignal(signal.SIGINT)
            signal.signal(signal.SIGINT, _exit_now)
            self._installed = True
        return self

    @contextmanager
    def unwinding(self) -> Iterator[None]:
        """Inside: the first Ctrl-C raises KeyboardInterrupt (a second one exits)."""
        if self._installed:
            signal.signal(signal.SIGINT, _raise_once)
        try:
            yield
        finally:
            if self._installed:
                signal.signal(signal.SIGINT, _exit_now)

    def restore(self) -> None:
        """Put back the handler that was there before `install`."""
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False


def _exit_now(_signum: int, _frame: FrameType | None) -> None:
    try:
        sys.stderr.write("peerlit: interrupted\n")
        sys.stderr.flush()
    finally:
        os._exit(INTERRUPTED)


def _raise_once(_signum: int, _frame: FrameType | None) -> None:
    signal.signal(signal.SIGINT, _exit_now)  # a second Ctrl-C does not wait for unwinding
    raise KeyboardInterrupt
