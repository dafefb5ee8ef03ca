"""Shared state of one command-line run: the library folder, open stores and output.

A command asks for what it uses and nothing more: `library()` for the records,
`annotations()` for tags and decisions, `read_only=True` when it only looks. A
read-only open takes no lock, writes nothing and skips the checkpoint at exit; a
change is durable in the journal as soon as it returns, so closing never rewrites
the whole checkpoint either (the store checkpoints by itself once enough changes
have gathered). `peerlit show` on a big library thus costs one record's work.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.library import Library

#: A run that changed at least this many records checkpoints at exit: replaying
#: one big journal entry would otherwise cost every later command about as much.
CHECKPOINT_FROM = 1000

#: A write command also checkpoints at exit once this many journal entries wait
#: beyond the checkpoint, or whenever the library is small enough for a checkpoint
#: to be cheap: a journal lost later (a restore from backup, a sync tool) then
#: costs at most these few changes, never the whole history.
CHECKPOINT_PENDING = 100
CHEAP_CHECKPOINT = 5000

#: A command naming at most this many records opens only what they need.
QUICK_RECORDS = 100

_READ_ONLY = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


class CliError(Exception):
    """An error to show the user as one line, with the exit code to return.

    Args:
        message: What went wrong, naming the file, record or value concerned.
        code: Exit code: 1 for a partial success, 2 for failure or bad usage.
    """

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def explain(exc: BaseException, library_dir: Path) -> str:
    """One line saying in words what an unexpected error means for the user.

    The library's own errors (`peerlit_tui.library_errors`) and the annotations
    store's (read-only, not saved, disk full) already say it; the operating
    system's and SQLite's are named for what they mean here: a read-only or full
    library folder, a library another program is holding.
    """
    from peerlit_tui.library_errors import LibraryError

    if isinstance(exc, LibraryError):
        return str(exc)
    kind = type(exc).__module__ + "." + type(exc).__name__
    if kind.startswith("sqlite3."):
        text = str(exc).lower()
        if "readonly" in text or "read-only" in text:
            return f"the library folder {library_dir} is read-only: nothing can be saved there"
        if "disk is full" in text:
            return f"the disk holding the library folder {library_dir} is full: nothing was saved"
        if "locked" in text or "busy" in text:
            return (
                f"the library in {library_dir} is busy: another peerlit is writing to it; "
                "try again in a moment"
            )
        if "unable to open" in text:
            return f"cannot open the library in {library_dir}: the folder cannot be read"
        return f"the library in {library_dir} cannot be used: {exc}"
    if isinstance(exc, OSError):
        if kind.startswith("peerlit_tui."):
            return str(exc)  # the store's own errors already say it in words
        where = exc.filename or library_dir
        if exc.errno in _FULL:
            return f"the disk holding {where} is full: nothing was saved"
        if exc.errno in _READ_ONLY or isinstance(exc, PermissionError):
            return f"the library folder {library_dir} is read-only: {where} cannot be written"
        return f"{where}: {exc.strerror or exc}"
    return f"unexpected error: {type(exc).__name__}: {exc}"


class CliContext:
    """Opens the library and the annotations store on first use and closes them at the end.

    Args:
        library: `--library` value, or None for the default folder.
        out: Stream for results.
        err: Stream for messages.
    """

    def __init__(self, library: str | None, out: TextIO, err: TextIO) -> None:
        # Imported here: `peerlit --help` never gets this far, and need not pay for it.
        from peerlit_tui.storage.paths import resolve_library_dir

        self.library_dir: Path = resolve_library_dir(library)
        self.out = out
        self.err = err
        self._library: Library | None = None
        self._annotations: AnnotationService | None = None
        self._changed = 0
        self._new: bool | None = None  # whether the folder held no library before this run
        # Annotations opened for some records only (`records=`), or never so this run.
        self._partial = False
        self._whole = False

    def library(self) -> Library:
        """The record library, opened (and created when it can be) on first call."""
        if self._library is None:
            from peerlit_tui.services.library import Library

            new = self._is_new()
            self._library = Library.open(self.library_dir)
            if new and not self._library.read_only:
                self.annotations()  # a new library starts with the default reasons
        return self._library

    def annotations(
        self, *, read_only: bool = False, records: list[str] | None = None
    ) -> AnnotationService:
        """The annotations service, opened on first call.

        Args:
            read_only: The command only reads annotations: take no lock and write
                nothing (a later call asking for writes reopens the store).
            records: The command reads or changes only these records: open just
                what they need (`AnnotationService.open_records`) when the lookup
                table can answer, else the whole store.
        """
        if read_only and self._is_new():
            read_only = False  # a new library is created with its default reasons
        current = self._annotations
        if current is not None and (read_only or not current.read_only):
            if records is None and self._partial:
                self.whole_annotations()
            else:
                return current
        from peerlit_tui.services.annotations import AnnotationService

        if current is not None:
            current.close(checkpoint=False)
            self._annotations = None
        new = self._is_new()
        if records is not None and not new and not self._whole and len(records) <= QUICK_RECORDS:
            from peerlit_tui.services.annotations import LookupUnavailable

            try:
                quick = AnnotationService.open_records(
                    self.library_dir, records, read_only=read_only
                )
            except LookupUnavailable:
                self._whole = True
            else:
                if read_only or getattr(quick.store, "total", 0) > CHEAP_CHECKPOINT:
                    self._annotations, self._partial = quick, True
                else:  # a small library is checkpointed after every change: open it all
                    quick.close()
        if self._annotations is None:
            self._partial = False
            self._annotations = AnnotationService.open(self.library_dir, read_only=read_only)
        # Every command that reads annotations says what the open found (a journal
        # set aside, a torn line): `show` and `list` are how most people look.
        for warning in self._annotations.warnings:
            self.error(f"warning: {warning}")
        self._annotations.warnings.clear()
        if new and not read_only:
            from peerlit_tui.services.project import start_new_library

            start_new_library(self._annotations)
        return self._annotations

    def whole_annotations(self) -> None:
        """Close a store opened for some records only; the next `annotations()` opens all.

        For a command whose quick open raised `LookupUnavailable` before it wrote
        anything (a journal replaced meanwhile): it runs again on the whole store.
        """
        current, self._annotations = self._annotations, None
        self._whole = True
        self._partial = False
        if current is not None:
            current.close(checkpoint=False)

    def _is_new(self) -> bool:
        """Whether the folder held no library when this run first looked."""
        if self._new is None:
            from peerlit_tui.storage.paths import RECORDS_DB

            # Most runs find the records file and need not load the project module.
            if (self.library_dir / RECORDS_DB).exists():
                self._new = False
            else:
                from peerlit_tui.services.project import is_new_library

                self._new = is_new_library(self.library_dir)
        return self._new

    def changed(self, records: int) -> None:
        """Note that a change touched `records` records (decides the exit checkpoint)."""
        self._changed += records

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

    def _wants_checkpoint(self, annotations: AnnotationService) -> bool:
        """Whether closing should write a checkpoint (see `CHECKPOINT_PENDING`)."""
        if annotations.read_only:
            return False
        pending = annotations.store.pending()
        if not pending:
            return False
        size = getattr(annotations.store, "total", None)  # a store of some records only
        return (
            self._changed >= CHECKPOINT_FROM
            or pending >= CHECKPOINT_PENDING
            or (len(annotations) if size is None else size) <= CHEAP_CHECKPOINT
        )

    def _save_lookup(self, annotations: AnnotationService) -> None:
        try:
            annotations.save_lookup(always=self._whole)
        except OSError as exc:  # derived data: quick commands read the whole store meanwhile
            self.error(f"warning: could not write the annotations lookup table: {exc}")

    def close(self) -> None:
        """Close whatever was opened; safe to call more than once.

        Every change is already durable in the journal, so a big library is
        checkpointed only after a bulk change (`CHECKPOINT_FROM`) or once enough
        entries wait (`CHECKPOINT_PENDING`); a small one after every change.
        """
        annotations, self._annotations = self._annotations, None
        library, self._library = self._library, None
        try:
            if annotations is not None and self._partial and self._wants_checkpoint(annotations):
                # Only a store holding every annotation writes a checkpoint.
                from peerlit_tui.services.annotations import AnnotationService

                annotations.close()
                annotations = AnnotationService.open(self.library_dir)
                self._partial = False
            if annotations is not None:
                checkpoint = self._wants_checkpoint(annotations)
                if not checkpoint and not self._partial:
                    # A checkpoint writes the lookup table beside it; without one,
                    # write the table if missing, stale or unable to answer this
                    # run's quick open, so the next quick command can use it.
                    self._save_lookup(annotations)
                annotations.close(checkpoint=checkpoint)
        finally:
            if library is not None:
                library.close()
