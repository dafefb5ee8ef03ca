"""Errors the annotations store raises when a change cannot be saved, in plain words.

Each says whether the change was saved, so the command line and the app can show
the message as it is.
"""

from __future__ import annotations

import errno

#: The message of every refused change in a library that cannot be written.
READ_ONLY_MESSAGE = "the library is read-only: nothing can be saved here"
#: The message of a change refused because the disk is full.
DISK_FULL_MESSAGE = "the disk is full: this change was NOT saved"

#: Errors that mean "this folder cannot be written" rather than "something broke".
READ_ONLY_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
#: Errors that mean "no space left".
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


class ReadOnlyStoreError(PermissionError):
    """A change was attempted on a store that cannot be written."""


class NotSavedError(OSError):
    """Writing a change to the journal failed; the journal and the annotations are as before."""


class DiskFullError(NotSavedError):
    """The disk is full; the change was not saved."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(errno.ENOSPC, DISK_FULL_MESSAGE)
        self.detail = detail

    def __str__(self) -> str:
        return DISK_FULL_MESSAGE


def not_saved(exc: OSError, what: str) -> NotSavedError:
    """The error to raise for a failed journal write: disk full, or the cause in words."""
    if exc.errno in FULL_ERRNOS:
        return DiskFullError(str(exc))
    reason = exc.strerror or str(exc)
    return NotSavedError(
        exc.errno or errno.EIO, f"cannot write {what} ({reason}): this change was NOT saved"
    )
