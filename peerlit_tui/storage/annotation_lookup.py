"""The lookup table: every record's annotation state in SQLite, for one-record reads.

Opening the annotations store loads every annotation (the checkpoint, then each
journal's tail), which costs about half a second at 20,000 annotated records. A
command that reads or changes one record needs that record's state only, plus a
few library-wide values, so a full store writes its index here
(`annotations.lookup.sqlite3`) and `annotation_partial.PartialStore` reads from it
just the rows it needs.

The table is derived data, never the durability point: every change still goes to
a journal first. It is *stamped* with the state it reflects:

- `checkpoint`: the (inode, size, mtime) of `annotations.json` when it was written;
- `marks`: per journal, how far the index had read it (`JournalMark`: the journal's
  id, offset, sequence number, running time and fingerprint of those bytes).

A reader trusts it only when the checkpoint file is the same and every journal
still holds the bytes the marks describe (the check the store makes of a
checkpoint's marks); then replaying each journal after its mark gives the same
state a full open gives. Anything else (missing, unreadable, another format, a
stamp that does not match) makes `read_lookup` return None and the caller opens
the whole store.

Per record, a row holds the state of the index, not a checkpoint document: the
annotation's fields, the stamps of its field values, each reviewer's decision, and
whether the record is in conflict or pending. The meta row holds the library-wide
values a one-record change depends on: the exclusion reasons and their stamp,
the number of records each reviewer screened (which reviewers are assigned, blind
mode), and the spellings of each tag (`AnnotationIndex.display`).

The file is written whole to a temporary file, fsynced and renamed over the old
one, so readers see either the old or the new table, never a mix.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peerlit_tui.storage.annotation_clock import Stamp
from peerlit_tui.storage.annotation_fingerprint import JournalMark
from peerlit_tui.storage.annotation_index import UNDECIDED, AnnotationIndex, fast_annotation
from peerlit_tui.storage.journal import fsync_dir, new_id

#: The lookup table's file in a library folder.
LOOKUP_FILE = "annotations.lookup.sqlite3"
#: Layout version; a table of another version is rebuilt.
LOOKUP_FORMAT = 1

#: How a file looked: (inode, size, mtime in ns), None when missing.
FileStamp = tuple[int, int, int] | None


def file_stamp(path: Path) -> FileStamp:
    """The (inode, size, mtime in ns) of a file; None when it cannot be stat'ed."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass(slots=True)
class LookupMeta:
    """What the lookup table says about the library as a whole.

    Attributes:
        checkpoint: The stamp of `annotations.json` the table was written beside.
        marks: Journal name -> how far the table's state read that journal.
        reasons: The exclusion reasons.
        reasons_stamp: The stamp of the list of reasons.
        counts: Reviewer key -> records that reviewer screened.
        spellings: Folded tag key -> {spelling: records using it}.
        annotations: How many annotations the index held.
        pending: Journal entries the table includes beyond the checkpoint.
    """

    checkpoint: FileStamp
    marks: dict[str, JournalMark]
    reasons: tuple[str, ...]
    reasons_stamp: Stamp
    counts: dict[str, int]
    spellings: dict[str, dict[str, int]]
    annotations: int = 0
    pending: int = 0


class LookupTable:
    """An open lookup table (read with `rows`, then `close`)."""

    def __init__(self, con: sqlite3.Connection, meta: LookupMeta) -> None:
        self._con = con
        self.meta = meta

    def rows(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored state of each record among `ids` that has one.

        Raises:
            ValueError: When a row cannot be read (the caller opens the whole store).
        """
        wanted = list(dict.fromkeys(ids))
        out: dict[str, dict[str, Any]] = {}
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT id, state FROM records WHERE id IN ({marks})"
                for rid, state in self._con.execute(query, chunk):
                    row = json.loads(state)
                    if not isinstance(row, dict):
                        raise ValueError(f"the lookup row of {rid!r} is not an object")
                    out[rid] = row
        except sqlite3.Error as exc:
            raise ValueError(f"the lookup table cannot be read: {exc}") from exc
        return out

    def close(self) -> None:
        """Close the connection."""
        self._con.close()


def read_lookup(folder: Path) -> LookupTable | None:
    """Open a library's lookup table and read its meta row; None when it cannot be used.

    Only the file and its meta are checked here (the journals' marks are checked by
    `PartialStore`, which holds the journals).
    """
    path = folder / LOOKUP_FILE
    if not path.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        found = con.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()
        meta = _parse_meta(json.loads(found[0])) if found else None
    except (sqlite3.Error, ValueError, TypeError, KeyError, IndexError):
        meta = None
    if meta is None:
        con.close()
        return None
    return LookupTable(con, meta)


def _parse_meta(data: Any) -> LookupMeta | None:
    if not isinstance(data, dict) or data.get("format") != LOOKUP_FORMAT:
        return None
    ckpt = data["checkpoint"]
    checkpoint: FileStamp = None if ckpt is None else (int(ckpt[0]), int(ckpt[1]), int(ckpt[2]))
    marks = {str(name): JournalMark.from_json(mark) for name, mark in data["marks"].items()}
    reasons = tuple(str(r) for r in data["reasons"])
    rs = data["reasons_stamp"]
    reasons_stamp: Stamp = (str(rs[0]), str(rs[1]), int(rs[2]))
    counts = {str(k): int(v) for k, v in data["counts"].items()}
    spellings = {
        str(k): {str(s): int(n) for s, n in v.items()} for k, v in data["spellings"].items()
    }
    size, pending = int(data["annotations"]), int(data["pending"])
    return LookupMeta(checkpoint, marks, reasons, reasons_stamp, counts, spellings, size, pending)


def copy_index(index: AnnotationIndex) -> AnnotationIndex:
    """A copy of what the table holds of an index, cheap to take under the store's lock.

    Annotations are immutable and inner mappings replaced, never changed in place,
    so copying the outer mappings is enough (as for a checkpoint).
    """
    out = AnnotationIndex()
    out.by_id, out.stamps = dict(index.by_id), dict(index.stamps)
    out.reasons, out.reasons_stamp = index.reasons, index.reasons_stamp
    team, into = index.team, out.team
    into.by_record, into.counts = dict(team.by_record), dict(team.counts)
    into.conflicts, into.pending = set(team.conflicts), set(team.pending)
    out.spellings().update({key: dict(n) for key, n in index.spellings().items()})
    return out


def index_rows(index: AnnotationIndex) -> Iterable[tuple[str, str]]:
    """(record id, JSON state) of every record the index knows anything about."""
    by_id, stamps, votes = index.by_id, index.stamps, index.team.by_record
    conflicts, pending = index.team.conflicts, index.team.pending
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for rid in {**dict.fromkeys(by_id), **dict.fromkeys(stamps), **dict.fromkeys(votes)}:
        ann = by_id.get(rid)
        row: dict[str, Any] = {}
        if ann is not None:
            row["a"] = [list(ann.tags), ann.note, ann.rating, ann.read, ann.decision,
                        ann.reason, ann.created, ann.updated]  # fmt: skip
        held = stamps.get(rid)
        if held:
            row["s"] = {k: list(v) for k, v in held.items()}
        mine = votes.get(rid)
        if mine:
            row["v"] = {k: list(v) for k, v in mine.items()}
        if rid in conflicts:
            row["f"] = "c"
        elif rid in pending:
            row["f"] = "p"
        yield rid, dumps(row)


def write_lookup(
    folder: Path,
    rows: Iterable[tuple[str, str]],
    meta: LookupMeta,
    *,
    sync: bool = True,
) -> None:
    """Write a lookup table whole (a temporary file renamed over the old one).

    Raises:
        OSError: When the file cannot be written (nothing is left behind then).
    """
    data = {
        "format": LOOKUP_FORMAT,
        "checkpoint": list(meta.checkpoint) if meta.checkpoint else None,
        "marks": {name: mark.to_json() for name, mark in meta.marks.items()},
        "reasons": list(meta.reasons),
        "reasons_stamp": list(meta.reasons_stamp),
        "counts": meta.counts,
        "spellings": meta.spellings,
        "annotations": meta.annotations,
        "pending": meta.pending,
    }
    _remove_leftovers(folder)
    # Not `.annotations*.tmp`: the store removes those as unfinished checkpoints.
    temp = folder / f".lookup-{new_id()}.part"
    try:
        con = sqlite3.connect(temp, isolation_level=None)
        try:
            # A new file renamed into place when complete: no rollback journal needed.
            con.execute("PRAGMA journal_mode = OFF")
            con.execute("PRAGMA synchronous = OFF")
            con.execute("BEGIN")
            con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            con.execute("CREATE TABLE records (id TEXT PRIMARY KEY, state TEXT NOT NULL)")
            con.execute("INSERT INTO meta VALUES ('state', ?)", (json.dumps(data),))
            con.executemany("INSERT OR REPLACE INTO records VALUES (?, ?)", rows)
            con.execute("COMMIT")
        finally:
            con.close()
        if sync:
            fd = os.open(temp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(temp, folder / LOOKUP_FILE)
    except (OSError, sqlite3.Error) as exc:
        try:
            temp.unlink()
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise
        raise OSError(f"could not write {LOOKUP_FILE}: {exc}") from exc
    if sync:
        fsync_dir(folder)


#: A temporary table file older than this was left by a killed writer.
_LEFTOVER_AGE = 3600.0


def _remove_leftovers(folder: Path) -> None:
    """Remove temporary table files a killed writer left (never one being written)."""
    now = time.time()
    for path in folder.glob(".lookup-*.part"):
        try:
            if now - path.stat().st_mtime > _LEFTOVER_AGE:
                path.unlink()
        except OSError:
            pass


def load_rows(index: AnnotationIndex, rows: Mapping[str, dict[str, Any]]) -> None:
    """Put records' stored states into a partial index.

    The index's library-wide values (reviewers' counts, tag spellings) come from
    the table's meta and already include these records, so loading a row leaves
    them alone; later changes adjust them as in a full index.

    Raises:
        ValueError: When a row is malformed.
    """
    team = index.team
    try:
        for rid, row in rows.items():
            ann = row.get("a")
            if ann is not None:
                tags, note, rating, read, decision, reason, created, updated = ann
                found = fast_annotation(rid, tuple(tags), note, rating, read, decision,
                                        reason, created, updated)  # fmt: skip
                index.by_id[rid] = found
                if decision != UNDECIDED:
                    index.decided[decision].add(rid)
                for tag in found.tags:
                    index.tag_ids.setdefault(index.key(tag), set()).add(rid)
            held = row.get("s")
            if held:
                index.stamps[rid] = {k: (str(v[0]), str(v[1]), int(v[2])) for k, v in held.items()}
            votes = row.get("v")
            if votes:
                team.by_record[rid] = {k: (str(v[0]), str(v[1])) for k, v in votes.items()}
            flag = row.get("f")
            if flag == "c":
                team.conflicts.add(rid)
            elif flag == "p":
                team.pending.add(rid)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"a lookup row is malformed: {exc}") from exc


def meta_of(
    index: AnnotationIndex,
    checkpoint: FileStamp,
    marks: dict[str, JournalMark],
    pending: int = 0,
) -> LookupMeta:
    """The meta row of a full index read up to `marks`, `pending` entries past the checkpoint."""
    return LookupMeta(
        checkpoint=checkpoint,
        marks=marks,
        reasons=index.reasons,
        reasons_stamp=index.reasons_stamp,
        counts=dict(index.team.counts),
        spellings=index.spellings(),
        annotations=len(index),
        pending=pending,
    )
