"""File I/O of the sync folder: append-only JSON-line files, atomic JSON files, copies.

The shared files of a library's sync folder are written by one machine each and
only ever grown, so a reader consumes complete lines only: a line without its
newline is what a killed writer left and is never read. The writer (this machine,
for its own files) cuts such a torn tail off before appending, so a new line
never glues onto a fragment. Appends are fsynced before the call returns.

Small state files are replaced atomically (temp file, fsync, rename): a kill
leaves the old content or the new, never a mix.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from peerlit_tui.storage.checkpoint_files import atomic_write
from peerlit_tui.storage.journal import fsync_dir

#: Bytes read at a time when a line file is read.
_CHUNK = 4 << 20


def encode_line(item: dict[str, Any]) -> bytes:
    """One compact JSON line (UTF-8, newline-terminated)."""
    return json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def append_lines(path: Path, lines: Iterable[bytes]) -> int:
    """Append complete lines to `path` (created when missing) and make them durable.

    A torn last line (no newline, left by a killed writer) is removed first.

    Returns:
        The size of the file afterwards.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        end = _complete_end(fd, size)
        if end < size:
            os.ftruncate(fd, end)
        os.lseek(fd, end, os.SEEK_SET)
        payload = b"".join(lines)
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
        total = end + len(payload)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)
    return total


def _complete_end(fd: int, size: int) -> int:
    """The offset just after the last newline of the file (0 when it has none)."""
    pos = size
    while pos > 0:
        start = max(0, pos - 65536)
        chunk = os.pread(fd, pos - start, start)
        nl = chunk.rfind(b"\n")
        if nl >= 0:
            return start + nl + 1
        pos = start
    return 0


def read_lines(path: Path, offset: int = 0) -> tuple[list[tuple[dict[str, Any], int]], int, int]:
    """Read the complete JSON lines of `path` after byte `offset`.

    Returns:
        ([(item, end offset of its line)], offset after the last complete line,
        number of unreadable lines skipped). A missing file reads as empty.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return [], offset, 0
    try:
        size = os.fstat(fd).st_size
        if size <= offset:
            return [], offset, 0
        parts: list[bytes] = []
        pos = offset
        while pos < size:
            chunk = os.pread(fd, min(_CHUNK, size - pos), pos)
            if not chunk:
                break
            parts.append(chunk)
            pos += len(chunk)
    finally:
        os.close(fd)
    data = b"".join(parts)
    out: list[tuple[dict[str, Any], int]] = []
    bad = 0
    start = 0
    while True:
        nl = data.find(b"\n", start)
        if nl < 0:
            break
        line = data[start:nl]
        if line.strip():
            try:
                item = json.loads(line)
            except ValueError:
                item = None
            if isinstance(item, dict):
                out.append((item, offset + nl + 1))
            else:
                bad += 1
        start = nl + 1
    return out, offset + start, bad


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object file; None when missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_json(path: Path, data: dict[str, Any], *, sync: bool = True) -> None:
    """Replace `path` with `data` as JSON, atomically (old or new after a kill)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    atomic_write(path, payload.encode() + b"\n", sync=sync, lock=None)


def copy_into(source: Path, target: Path) -> bool:
    """Copy a file to `target` atomically unless `target` exists; True when copied."""
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(source, "rb") as src, open(temp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(temp, target)
    finally:
        if temp.exists():
            temp.unlink()
    fsync_dir(target.parent)
    return True


def remove_stale_temp_files(folder: Path) -> None:
    """Remove temp files a killed copy left in `folder` (not recursive)."""
    if not folder.is_dir():
        return
    for path in folder.glob(".*.tmp"):
        try:
            pid = int(path.name.rsplit(".", 2)[-2])
        except (ValueError, IndexError):
            continue
        if pid == os.getpid() or not _alive(pid):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
