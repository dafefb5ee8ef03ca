"""The annotations journals: append-only files of JSON lines, the durability point.

A library has one journal per reviewer, `annotations/<reviewer>.journal`, each
with its own lock file `annotations/<reviewer>.lock`, so reviewers working on one
library at the same time never wait for each other's saves. Libraries made before
that have `annotations.journal` (lock `annotations.lock`), which stays readable as
the journal of the earlier reviewer; a store without a reviewer still writes it.
`journal_set` keeps them together; this module is one file.

Each line is one transaction (one user action, however many records it touched):

    {"seq": 42, "txn": "9f1c2a7be0d4", "ts": "2024-08-22T10:15:03.512Z",
     "action": "edit", "label": "tag 'qualitative' on 3 records",
     "by": {"session": "0a1b2c3d4e5f", "pid": 4711, "host": "lab-server"},
     "reviewer": "alice",
     "changes": [{"id": "10.1108/x", "field": "tags", "old": [], "new": ["qualitative"]}, ...]}

`seq` numbers the entries of one file; `(ts, journal file name, seq)` orders the
entries of all files (`annotation_clock`). `by` names the process that wrote the
entry. A transaction applied on behalf of a reviewer from another machine
(`AnnotationStore.apply_remote`) also carries `"origin": "<id>"`, the id it had
there, and `"sync": true` inside `by`, so it is never exported back; its `ts` is
the time it was made there.

The first line is a header naming the journal (`{"seq": 0, "journal": "<id>", ...}`)
so a checkpoint can tell whether the journal it points into is still the same file.
A journal started after a damaged one was set aside carries `"after_seq": N`:
its entries continue the numbering after the checkpoint it starts from.

A line is written with a single `write` and made durable with `fdatasync` before
the caller returns. A process killed mid-write leaves a last line without its
newline; such a torn tail is never read as an entry. Readers consume complete
lines only, and only the file's writer, which holds that file's exclusive lock,
removes a torn tail before appending, so a new entry never glues onto a fragment.

Several processes may write one journal (two windows of one reviewer): appends
happen under `fcntl.flock` on its lock file, and a writer first reads what the
others appended since it last looked.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from peerlit_tui.storage.annotation_errors import DiskFullError, not_saved
from peerlit_tui.storage.journal_lines import Entry, Located, Warn, parse_lines

__all__ = ["Entry", "Journal", "Located", "Warn", "fsync_dir", "new_id", "parse_lines", "utc_now"]

JOURNAL_FORMAT = 1
_SEQ_HEAD = re.compile(rb'\{\s*"seq"\s*:\s*(\d+)\s*[,}]')
#: Journal entries are small; this bounds one read when scanning a whole journal.
_SCAN_CHUNK = 4 << 20


def utc_now() -> str:
    """The current time as ISO 8601 UTC with milliseconds ("2024-08-22T10:15:03.512Z")."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id() -> str:
    """A random 12-hex-character identifier for journals and transactions."""
    # `secrets.token_hex` reads `os.urandom` too; importing `secrets` costs every
    # command a few milliseconds (base64, hmac, random).
    return os.urandom(6).hex()


def fsync_dir(folder: Path) -> None:
    """Make a rename or file creation in `folder` durable (no-op where unsupported)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _datasync(fd: int) -> None:
    # fdatasync also persists the new file size, which is all an append needs.
    sync = getattr(os, "fdatasync", os.fsync)
    sync(fd)


class Journal:
    """One open journal file plus its lock.

    Args:
        path: The journal file.
        lock_path: The lock file (`fcntl.flock` is taken on it, never on the journal).
        read_only: Open without creating or changing anything and without locking.
        sync: fsync each append; turn off only in tests and benchmarks.
        warn: Receives messages about unreadable or torn lines.
        thread_lock: The lock threads of this process take around it (shared by
            the journals of one store, which guard one index); a new one if None.
        name: The journal's name in the library ("annotations/alice.journal").

    Attributes:
        offset: Bytes consumed: every complete line before it has been read.
        seq: Highest sequence number read or written.
        last_ts: Running time of the entries read (kept by the store).
        journal_id: Id from the header line, "" until it has been read.
    """

    def __init__(
        self,
        path: Path,
        lock_path: Path,
        *,
        read_only: bool,
        sync: bool,
        warn: Warn,
        thread_lock: threading.RLock | None = None,
        name: str = "",
    ) -> None:
        self.path = path
        self.name = name or path.name
        self.read_only = read_only
        self.sync = sync
        self._warn = warn
        self.offset = 0
        self.seq = 0
        self.journal_id = ""
        # The running time of the entries read so far (`annotation_clock.entry_stamp`).
        self.last_ts = ""
        self.thread_lock = thread_lock if thread_lock is not None else threading.RLock()
        self._depth = 0
        self._fd: int | None = None
        self._lock_fd: int | None = None
        if read_only:
            if path.exists():
                self._fd = os.open(path, os.O_RDONLY)
            return
        self._lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._open_file()
        except BaseException:
            os.close(self._lock_fd)
            self._lock_fd = None
            raise

    def _open_file(self) -> None:
        created = not self.path.exists()
        self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        if created:
            fsync_dir(self.path.parent)

    def replaced(self) -> bool:
        """True when the file at `path` is no longer the one open here.

        Another process set the journal aside, a sync tool or a restore put another
        file in its place, or it was deleted. Costs one `stat` and one `fstat`.
        """
        if self._fd is None:
            return self.path.exists()
        try:
            there = os.stat(self.path)
        except FileNotFoundError:
            return True
        here = os.fstat(self._fd)
        return (there.st_ino, there.st_dev) != (here.st_ino, here.st_dev)

    def deleted(self) -> bool:
        """True when the open file has no name left (it was deleted while open)."""
        return self._fd is not None and os.fstat(self._fd).st_nlink == 0

    def reopen(self) -> None:
        """Open the file now at `path` (created when missing) and start reading it afresh."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self.offset = self.seq = 0
        self.journal_id = ""
        self.last_ts = ""
        if self.read_only:
            if self.path.exists():
                self._fd = os.open(self.path, os.O_RDONLY)
        else:
            self._open_file()

    def start_fresh(self, after_seq: int, **details: Any) -> None:
        """Make the (empty) journal a new one continuing after `after_seq` (call under `locked`).

        Raises:
            OSError: When the header cannot be written.
        """
        if self.size() > 0:
            raise ValueError("only an empty journal can be started afresh")
        journal_id = new_id()
        header = {
            "seq": 0, "journal": journal_id, "format": JOURNAL_FORMAT, "created": utc_now(),
            "after_seq": after_seq, **details,
        }  # fmt: skip
        self.offset = 0
        self._write(header)
        self.journal_id = journal_id
        self.seq = after_seq

    def close(self) -> None:
        """Close the journal and lock files."""
        for fd in (self._fd, self._lock_fd):
            if fd is not None:
                os.close(fd)
        self._fd = self._lock_fd = None

    @contextmanager
    def locked(self, *, wait: bool = True) -> Iterator[bool]:
        """Hold the thread lock and, outside read-only mode, the exclusive file lock.

        Re-entrant within a thread; the file lock is taken once at the outermost level.

        Args:
            wait: Wait for the file lock; when False and another process holds
                it, yield False without it (the caller must then leave the file alone).
        """
        with self.thread_lock:
            if self._lock_fd is not None and self._depth == 0:
                try:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
                except BlockingIOError:
                    yield False
                    return
            self._depth += 1
            try:
                yield True
            finally:
                self._depth -= 1
                if self._lock_fd is not None and self._depth == 0:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    @property
    def held(self) -> bool:
        """True while this process holds the journal's lock (call with the thread lock held)."""
        return self._depth > 0

    def size(self) -> int:
        """Current size of the journal file in bytes (0 when it does not exist)."""
        if self._fd is None and self.read_only and self.path.exists():
            # Opened read-only before any writer created the journal.
            self._fd = os.open(self.path, os.O_RDONLY)
        return os.fstat(self._fd).st_size if self._fd is not None else 0

    def read_bytes(self, start: int, end: int) -> bytes:
        """Read bytes `[start, end)` of the journal."""
        if self._fd is None or end <= start:
            return b""
        parts: list[bytes] = []
        pos = start
        while pos < end:
            chunk = os.pread(self._fd, min(end - pos, _SCAN_CHUNK), pos)
            if not chunk:
                break
            parts.append(chunk)
            pos += len(chunk)
        return b"".join(parts)

    def read_entry(self, start: int, end: int) -> Entry:
        """Read and parse the single entry stored at `[start, end)`.

        Raises:
            ValueError: When those bytes are not one journal entry.
        """
        entry = json.loads(self.read_bytes(start, end))
        if not isinstance(entry, dict):
            raise ValueError(f"journal bytes {start}-{end} do not hold an entry")
        return entry

    def header(self) -> Entry | None:
        """The header entry (the first line), or None when the journal has none."""
        head = self.read_bytes(0, 4096)
        nl = head.find(b"\n")
        if nl < 0:
            return None
        try:
            entry = json.loads(head[:nl])
        except ValueError:
            return None
        if isinstance(entry, dict) and entry.get("seq") == 0 and "journal" in entry:
            return entry
        return None

    def seq_before(self, offset: int) -> int | None:
        """Sequence number of the line ending at `offset` (the header's `after_seq`).

        None when there is no readable line there.
        """
        if offset <= 0:
            return None
        start = offset - 1
        while start > 0:
            begin = max(0, start - 65536)
            chunk = self.read_bytes(begin, start)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                start = begin + nl + 1
                break
            start = begin
        line = self.read_bytes(start, offset)
        head = _SEQ_HEAD.match(line)
        if head is None:
            return None
        seq = int(head.group(1))
        if seq == 0:
            try:
                entry = json.loads(line)
            except ValueError:
                return None
            after = entry.get("after_seq", 0) if isinstance(entry, dict) else 0
            return after if type(after) is int else 0
        return seq

    def ensure_header(self) -> None:
        """Write the header line if the journal is empty (call under `locked`)."""
        if self.read_only or self.size() > 0:
            head = self.header()
            self.journal_id = str(head["journal"]) if head else ""
            return
        if self._fd is None:
            return
        journal_id = new_id()
        self._write(
            {"seq": 0, "journal": journal_id, "format": JOURNAL_FORMAT, "created": utc_now()}
        )
        self.journal_id = journal_id

    def read_new(self, *, repair: bool) -> list[Located]:
        """Read the complete lines appended since `offset` and advance past them.

        Args:
            repair: Remove a torn last line (one without its newline). Only valid
                while holding `locked`: then no writer can be half-way through a line,
                so the fragment is what a killed writer left behind.

        Returns:
            The new entries in file order (the header line is consumed, not returned).
        """
        size = self.size()
        if size <= self.offset:
            return []
        data = self.read_bytes(self.offset, size)
        found, end = parse_lines(data, self.offset, self._warn)
        if end < size and repair and not self.read_only:
            self._warn(
                f"the last journal line ({size - end} bytes at byte {end}) was left incomplete "
                "by an interrupted write and was ignored"
            )
            assert self._fd is not None
            os.ftruncate(self._fd, end)
            _datasync(self._fd)
        self.offset = end
        out: list[Located] = []
        for item in found:
            seq = item.entry["seq"]
            if seq == 0 and "journal" in item.entry:
                self.journal_id = str(item.entry["journal"])
                after = item.entry.get("after_seq", 0)
                if type(after) is int:
                    self.seq = max(self.seq, after)
                continue
            self.seq = max(self.seq, seq)
            out.append(item)
        return out

    def append(self, entry: Entry) -> Located:
        """Give `entry` the next sequence number, append it and make it durable.

        Call under `locked`, after `read_new(repair=True)` so that `offset` is the end
        of the file and `seq` the latest number.

        Raises:
            DiskFullError: When the disk is full; the journal is then rolled back.
            NotSavedError: When the write or fsync fails otherwise; rolled back too.
        """
        if self.read_only or self._fd is None:
            raise PermissionError("the annotations journal is open read-only")
        entry["seq"] = self.seq + 1
        start, end = self._write(entry)
        self.seq = entry["seq"]
        return Located(entry, start, end)

    def _write(self, entry: Entry) -> tuple[int, int]:
        assert self._fd is not None
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        start = self.size()
        try:
            written = os.write(self._fd, line)
            if written != len(line):
                # A short append is what a file system with no space left does.
                raise DiskFullError(f"{written} of {len(line)} bytes written to {self.path}")
            if self.sync:
                _datasync(self._fd)
        except OSError as exc:
            # Leave no fragment behind: the caller is told the change was not saved.
            try:
                os.ftruncate(self._fd, start)
                if self.sync:
                    _datasync(self._fd)
            except OSError:
                pass
            if isinstance(exc, DiskFullError):
                raise
            raise not_saved(exc, self.path.name) from exc
        self.offset = start + len(line)
        return start, self.offset

    def lines(self, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int]]:
        """Iterate over the complete raw lines in `[start, end)` as (bytes, start, end).

        Reads in chunks so a long journal is never held in memory at once; a torn
        last line is not returned.
        """
        stop = self.size() if end is None else end
        pos = start
        while pos < stop:
            data = self.read_bytes(pos, min(stop, pos + _SCAN_CHUNK))
            last = data.rfind(b"\n")
            if last < 0:
                if pos + len(data) >= stop:
                    return  # only a torn tail remains
                data = self.read_bytes(pos, stop)  # one line longer than a chunk
                last = data.rfind(b"\n")
                if last < 0:
                    return
            begin = 0
            while begin <= last:
                nl = data.index(b"\n", begin)
                yield data[begin:nl], pos + begin, pos + nl + 1
                begin = nl + 1
            pos += last + 1

    def scan(
        self,
        start: int = 0,
        end: int | None = None,
        warn: Warn | None = None,
        needle: bytes | None = None,
    ) -> Iterator[Located]:
        """Iterate over the complete entries in `[start, end)`, header excluded.

        Args:
            start: First byte (a line start).
            end: Stop before this byte; the end of the file when None.
            warn: Receives a message per unreadable line; they are skipped silently if None.
            needle: Only lines containing these bytes are parsed and yielded.
        """
        for line, begin, finish in self.lines(start, end):
            if (needle is not None and needle not in line) or not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            if not isinstance(entry, dict) or not isinstance(entry.get("seq"), int):
                if warn is not None:
                    warn(f"journal line at byte {begin} is unreadable and was skipped")
                continue
            if not (entry["seq"] == 0 and "journal" in entry):
                yield Located(entry, begin, finish)
