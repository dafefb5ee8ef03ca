"""Opening the record store's SQLite file: one writer, pooled readers, read-only mounts.

Why several connections: the app reads on its UI thread while an import, an export or
the statistics run in worker threads. A single shared connection let the UI see an
import's uncommitted rows (and interleaved statements of two threads). Here writes go
through one writer connection under a lock, and every other thread reads through a
connection of its own, which in WAL mode sees the last committed state only.

Why the read-only fallbacks: a library on a read-only mount, in a 555 folder or with a
444 database cannot take the writer's `PRAGMA journal_mode=WAL` or create the `-shm`
file, yet every read command must still work. Such a library is opened with
`mode=ro`, and with `immutable=1` when SQLite cannot use the WAL files at all.

SQLite errors that mean "read-only", "disk full" or "damaged file" become the
`peerlit_tui.library_errors` types here, so the user reads words, not error codes.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from peerlit_tui.library_errors import (
    LibraryCorruptError,
    LibraryDiskFullError,
    LibraryReadOnlyError,
)

#: Below this much free space a failing write is reported as a full disk.
_LOW_SPACE = 1 << 20

_READ_ONLY_WORDS = ("readonly database", "read-only", "unable to open database file")
_CORRUPT_WORDS = ("malformed", "file is not a database", "database disk image")
_FULL_WORDS = ("database or disk is full", "disk i/o error")


def read_only_reason(path: Path) -> str:
    """Why the database at `path` cannot be written, in words ("" when it can)."""
    folder = path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except OSError:
        pass
    if not os.access(folder, os.W_OK):
        return "its folder is not writable"
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if candidate.exists() and not os.access(candidate, os.W_OK):
            return f"{candidate.name} is not writable"
    return ""


def disk_is_full(folder: Path) -> bool:
    """True when the file system holding `folder` has (almost) no space left."""
    try:
        return shutil.disk_usage(folder).free < _LOW_SPACE
    except OSError:
        return False


def translate(exc: sqlite3.Error, path: Path, *, writing: bool, what: str) -> Exception:
    """The error to show for a SQLite failure on the store at `path`.

    Args:
        exc: What SQLite raised.
        path: The database file.
        writing: True when the failing statement was part of a write.
        what: What was not saved, for a full disk ("the import").

    Returns:
        A `LibraryError` subclass for the known cases, else `exc` itself.
    """
    text = str(exc).lower()
    if any(word in text for word in _CORRUPT_WORDS):
        return LibraryCorruptError(path, str(exc))
    if writing and any(word in text for word in _READ_ONLY_WORDS):
        return LibraryReadOnlyError(path.parent, read_only_reason(path))
    if "database or disk is full" in text or (
        any(word in text for word in _FULL_WORDS) and disk_is_full(path.parent)
    ):
        return LibraryDiskFullError(path.parent, what)
    return exc


@contextmanager
def translated(path: Path, *, writing: bool = False, what: str = "this change") -> Iterator[None]:
    """Turn SQLite errors raised in the block into the library's error types."""
    try:
        yield
    except sqlite3.Error as exc:
        mapped = translate(exc, path, writing=writing, what=what)
        if mapped is exc:
            raise
        raise mapped from exc


def _uri(path: Path, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"file:{quote(str(path.resolve()))}?{query}"


def _probe(db: sqlite3.Connection) -> None:
    # Opening is lazy: the first read shows whether the file (and its WAL) can be used.
    db.execute("SELECT count(*) FROM sqlite_master").fetchone()


def open_read_only(
    path: Path,
) -> tuple[sqlite3.Connection, Callable[[], sqlite3.Connection], bool]:
    """Open a database that cannot be written: `mode=ro`, else `immutable=1`.

    `immutable=1` ignores the `-wal` file, so it is used only when `mode=ro` cannot
    open the file (typically: no `-shm` and a folder where it cannot be created), in
    which case the last clean close left everything in the main file.

    Returns:
        (a first connection, a factory that opens more of the same kind, whether
        `immutable=1` was needed).

    Raises:
        LibraryCorruptError: For a damaged file.
        sqlite3.Error: When the file cannot be opened at all.
    """
    attempts = [_uri(path, mode="ro"), _uri(path, mode="ro", immutable="1")]
    last: sqlite3.Error | None = None
    for uri in attempts:

        def factory(uri: str = uri) -> sqlite3.Connection:
            db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA busy_timeout=10000")
            return db

        try:
            db = factory()
        except sqlite3.Error as exc:
            last = exc
            continue
        try:
            _probe(db)
        except sqlite3.Error as exc:
            db.close()
            if any(word in str(exc).lower() for word in _CORRUPT_WORDS):
                raise LibraryCorruptError(path, str(exc)) from exc
            last = exc
            continue
        return db, factory, "immutable=1" in uri
    assert last is not None
    raise last


_empty_counter = itertools.count()


#: Idle read connections kept for reuse; more may be open while many threads read.
POOL_SIZE = 4


class Connections:
    """The writer and a small pool of read connections of one database file.

    A pool rather than one connection per thread: the app starts a new worker
    thread for many jobs (every search while typing), and a connection per thread
    would keep three open files for each thread that ever read.

    Args:
        writer: The connection that writes (None for a read-only store).
        reader_factory: Opens a new read connection.
    """

    def __init__(
        self, writer: sqlite3.Connection | None, reader_factory: Callable[[], sqlite3.Connection]
    ) -> None:
        self.writer = writer
        self._factory = reader_factory
        self._idle: list[sqlite3.Connection] = []
        self._open: set[sqlite3.Connection] = set()
        self._pool_lock = threading.Lock()
        self._closed = False
        #: Keeps an in-memory (empty, read-only) database alive while readers come and go.
        self.keepalive: sqlite3.Connection | None = None
        self.write_lock = threading.RLock()
        #: True when the store is read-only because the disk is full (writes say so).
        self.disk_full = False
        #: Thread holding an open write transaction, whose reads must see its own rows.
        self.owner: int | None = None

    def adopt(self, db: sqlite3.Connection) -> None:
        """Put an already opened read connection into the pool."""
        with self._pool_lock:
            self._open.add(db)
            self._idle.append(db)

    def watcher(self) -> sqlite3.Connection:
        """A read connection of its own, for change polling from any thread."""
        db = self._factory()
        with self._pool_lock:
            self._open.add(db)
        return db

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A connection to read through for the block.

        The thread holding the write transaction reads through the writer, so it
        sees its own rows; every other thread gets a pooled read connection, which
        sees the last committed state only.
        """
        if self.owner is not None and self.owner == threading.get_ident():
            assert self.writer is not None
            yield self.writer
            return
        with self._pool_lock:
            db = self._idle.pop() if self._idle else None
        if db is None:
            db = self._factory()
            with self._pool_lock:
                self._open.add(db)
        try:
            yield db
        finally:
            with self._pool_lock:
                keep = not self._closed and len(self._idle) < POOL_SIZE
                if keep:
                    self._idle.append(db)
                else:
                    self._open.discard(db)
            if not keep:
                db.close()

    def close(self) -> None:
        """Close every connection (readers, then the writer)."""
        with self._pool_lock:
            self._closed = True
            readers, self._open, self._idle = list(self._open), set(), []
        for db in readers:
            db.close()
        if self.keepalive is not None:
            self.keepalive.close()
        if self.writer is not None:
            self.writer.close()


def _writable_reader(path: Path) -> Callable[[], sqlite3.Connection]:
    def factory() -> sqlite3.Connection:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout=10000")
        db.execute("PRAGMA query_only=ON")
        return db

    return factory


def _open_writable(path: Path, schema: str, version: int) -> Connections:
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT),
    # so an import is exactly one transaction.
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        with translated(path, writing=True, what="the library"):
            db.execute("PRAGMA busy_timeout=10000")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(schema)
            db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(version),),
            )
    except BaseException:
        db.close()
        raise
    return Connections(db, _writable_reader(path))


def _open_empty(schema: str) -> Connections:
    # Nothing stored yet in a folder that cannot take a file: an empty library, in a
    # shared in-memory database so that every thread's reader sees the same schema.
    uri = f"file:peerlit-empty-{next(_empty_counter)}?mode=memory&cache=shared"

    def factory() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)

    connections = Connections(None, factory)
    connections.keepalive = factory()
    connections.keepalive.executescript(schema)
    return connections


def open_store(
    path: Path, schema: str, version: int, *, read_only: bool = False
) -> tuple[Connections, str]:
    """Open the database at `path` for writing if possible, else for reading.

    Args:
        path: The database file.
        schema: The schema script, run on a writable store.
        version: The schema version recorded in a new store.
        read_only: Open for reading even when writing would be possible.

    Returns:
        (the connections, why it is read-only in words or "" when writable).

    Raises:
        LibraryCorruptError: For a damaged file.
        sqlite3.Error: When the file can be neither written nor read.
    """
    reason = "opened read-only" if read_only else read_only_reason(path)
    full = False
    if not reason:
        try:
            return _open_writable(path, schema, version), ""
        except (sqlite3.OperationalError, LibraryReadOnlyError, LibraryDiskFullError) as exc:
            if not path.exists():
                raise
            # Read-only in a way the checks cannot see (a stale read-only -shm, a full
            # disk that cannot take the -shm): reading must still work.
            full = isinstance(exc, LibraryDiskFullError)
            reason = "the disk is full" if full else str(exc)
    if not path.exists() or path.stat().st_size == 0:
        connections = _open_empty(schema)
    else:
        first, factory, immutable = open_read_only(path)
        connections = Connections(None, factory)
        connections.adopt(first)
        wal = path.with_name(path.name + "-wal")
        if immutable and wal.exists() and wal.stat().st_size > 0:
            reason += f"; the changes kept in {wal.name} cannot be read here"
    connections.disk_full = full
    return connections, reason
