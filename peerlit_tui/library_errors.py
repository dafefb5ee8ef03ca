"""Errors of the record library a user must be told about in words.

They are raised by the record store and the library service and shown as they are
by the command line and the app: each message says what happened, names the
folder or file and whether anything was saved. None of them is a bug.
"""

from __future__ import annotations

from pathlib import Path


class LibraryError(Exception):
    """A library problem to show the user as one clear message (never a traceback)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "the library cannot be used"


class LibraryReadOnlyError(LibraryError, PermissionError):
    """A write was asked of a library that can only be read.

    Args:
        folder: The library folder.
        why: What makes it read-only, in words ("the folder is not writable").
    """

    def __init__(self, folder: Path, why: str = "") -> None:
        detail = f" ({why})" if why else ""
        super().__init__(f"the library is read-only: nothing can be saved here: {folder}{detail}")
        self.folder = folder


class LibraryDiskFullError(LibraryError, OSError):
    """The disk filled up during a write; the write was rolled back.

    Args:
        folder: The library folder.
        what: What was not saved ("the import", "this change").
    """

    def __init__(self, folder: Path, what: str = "this change") -> None:
        super().__init__(
            f"the disk is full: {what} was NOT saved; the library in {folder} is as it was "
            "before (free some space and try again)"
        )
        self.folder = folder


class LibraryCorruptError(LibraryError):
    """The record store file is damaged (SQLite says the disk image is malformed).

    Args:
        path: The damaged file.
        detail: SQLite's own words.
    """

    def __init__(self, path: Path, detail: str = "") -> None:
        said = f" (SQLite: {detail})" if detail else ""
        super().__init__(
            f"the record store {path} is damaged and cannot be read{said}; "
            "run `peerlit doctor` to check the library; annotations are kept in their own "
            "files and are not affected"
        )
        self.path = path
