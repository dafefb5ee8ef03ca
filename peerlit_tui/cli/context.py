"""Shared state of one command-line run: the library folder, open stores and output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from peerlit_tui.storage.paths import resolve_library_dir

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.library import Library


class CliError(Exception):
    """An error to show the user as one line, with the exit code to return.

    Args:
        message: What went wrong, naming the file, record or value concerned.
        code: Exit code: 1 for a partial success, 2 for failure or bad usage.
    """

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


class CliContext:
    """Opens the library and the annotations store on first use and closes them at the end.

    Args:
        library: `--library` value, or None for the default folder.
        out: Stream for results.
        err: Stream for messages.
    """

    def __init__(self, library: str | None, out: TextIO, err: TextIO) -> None:
        self.library_dir: Path = resolve_library_dir(library)
        self.out = out
        self.err = err
        self._library: Library | None = None
        self._annotations: AnnotationService | None = None

    def library(self) -> Library:
        """The record library, opened (and created) on first call."""
        if self._library is None:
            from peerlit_tui.services.library import Library

            try:
                self._library = Library.open(self.library_dir)
            except OSError as exc:
                raise CliError(f"cannot open library {self.library_dir}: {exc}") from exc
        return self._library

    def annotations(self) -> AnnotationService:
        """The annotations service, opened on first call."""
        if self._annotations is None:
            from peerlit_tui.services.annotations import AnnotationService

            try:
                self._annotations = AnnotationService.open(self.library_dir)
            except OSError as exc:
                raise CliError(f"cannot open annotations in {self.library_dir}: {exc}") from exc
        return self._annotations

    def print(self, text: str = "") -> None:
        """Write one line of output."""
        self.out.write(text + "\n")

    def error(self, message: str) -> None:
        """Write one error line to stderr, prefixed with the program name."""
        self.err.write(f"peerlit: {message}\n")
        self.err.flush()

    def emit_json(self, data: Any) -> None:
        """Write `data` as indented JSON (UTF-8, keys in insertion order)."""
        self.out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")

    def close(self) -> None:
        """Close whatever was opened; safe to call more than once."""
        if self._annotations is not None:
            self._annotations.close()
            self._annotations = None
        if self._library is not None:
            self._library.close()
            self._library = None
