"""The project settings file: locked read-modify-write of one small JSON document.

`project.json` is rewritten whole on every change. A change runs under an
exclusive `flock` on `project.lock`, re-reads the file first, and writes through
`atomic_write` (temp file in the same folder, fsync, rename, fsync of the folder).
Two processes therefore never lose each other's changes, and a crash leaves the old
file or the new one. Readers take no lock: the rename is atomic.

What the document holds is the business of `peerlit_tui.services.project`; this
module only moves JSON objects to and from disk.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Final

from peerlit_tui.storage.checkpoint_files import atomic_write

PROJECT_JSON: Final = "project.json"
PROJECT_LOCK: Final = "project.lock"
#: Where an unreadable settings file is moved before a change replaces it.
BROKEN_SUFFIX: Final = ".broken"

Document = dict[str, Any]
#: Identifies one version of the file: inode, modification time, size.
Stamp = tuple[int, int, int]


class ProjectFileError(ValueError):
    """The file exists but does not hold a JSON object."""


class ProjectFile:
    """`project.json` and its lock in a library folder.

    Args:
        folder: The library folder.
        sync: fsync every write; only tests and benchmarks turn it off.
    """

    def __init__(self, folder: Path, *, sync: bool = True) -> None:
        self.folder = Path(folder)
        self.path = self.folder / PROJECT_JSON
        self.sync = sync

    def stamp(self) -> Stamp | None:
        """The current version of the file, None when it does not exist."""
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def read(self) -> tuple[Document | None, Stamp | None]:
        """Read the document.

        Returns:
            (document, stamp); (None, None) when the file does not exist.

        Raises:
            ProjectFileError: When the file cannot be read or is not a JSON object.
        """
        stamp = self.stamp()
        try:
            data = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return None, None
        except (OSError, ValueError) as exc:
            raise ProjectFileError(
                f"{self.path}: cannot read the project settings ({exc})"
            ) from exc
        if not isinstance(data, dict):
            raise ProjectFileError(f"{self.path}: the project settings are not a JSON object")
        return data, stamp

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the exclusive lock (creating the folder and lock file if needed)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / PROJECT_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def update(
        self, change: Callable[[Document | None], Document | None]
    ) -> tuple[Document | None, Stamp | None]:
        """Apply `change` to the newest document under the lock and write what it returns.

        Args:
            change: Gets the document on disk (None when there is none, or when it
                cannot be read) and returns the new document, or None to write nothing.
                An exception it raises leaves the file untouched.

        Returns:
            The document now on disk (None if none) and its stamp.
        """
        with self.locked():
            self._remove_stale_temp_files()
            try:
                current, _ = self.read()
                readable = True
            except ProjectFileError:
                current, readable = None, False
            new = change(current)
            if new is None:
                return current, self.stamp()
            payload = json.dumps(new, ensure_ascii=False, indent=2) + "\n"
            if not readable:
                # Keep what could not be read rather than overwrite it.
                os.replace(self.path, self.path.with_name(PROJECT_JSON + BROKEN_SUFFIX))
            atomic_write(self.path, payload.encode("utf-8"), sync=self.sync, lock=None)
            return new, self.stamp()

    def _remove_stale_temp_files(self) -> None:
        # Only a writer holding the lock creates these, so under the lock any that
        # exist were left by a writer that died mid-write.
        for path in self.folder.glob(f".{PROJECT_JSON}.*.tmp"):
            with suppress(OSError):
                path.unlink()
