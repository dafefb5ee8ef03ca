"""Telling a damaged journal from a good one, and keeping what a damaged one still holds.

The checkpoint (`annotations.json`) says, per journal file, how far it read it and
what the bytes it read were (see `annotation_fingerprint`). When a journal on disk
is missing, shorter than that, another journal, or holds different bytes there, the
checkpoint is the newer truth: replaying that journal over it would bring back old
values. Then the store and `doctor`, holding that journal's lock, keep the
checkpoint, rename the journal to `<name>.damaged-<time>` next to it (never
deleting it), start a new journal that continues its numbering, and copy over from
the set-aside file the entries newer than the checkpoint whose old values still
fit (`salvage`). Each journal is judged and repaired on its own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peerlit_tui.storage.annotation_fingerprint import JournalMark, verify
from peerlit_tui.storage.annotation_index import AnnotationIndex, normalise_value
from peerlit_tui.storage.annotation_team import TEAM_FIELDS, team_key
from peerlit_tui.storage.checkpoint_files import TEMP_SUFFIX, stamp
from peerlit_tui.storage.journal import JOURNAL_FORMAT, Entry, Journal, fsync_dir, new_id, utc_now
from peerlit_tui.storage.paths import ANNOTATIONS_JOURNAL, ANNOTATIONS_JSON

if TYPE_CHECKING:
    from peerlit_tui.storage.checkpoint_files import Snapshot


def journal_damage(journal: Journal, mark: JournalMark, *, full: bool = False) -> str | None:
    """Why the journal cannot be the one a checkpoint was made from; None when it can.

    Call under the journal lock. Cheap unless `full`: a `stat`, a few small reads
    and hashing at most the last two fingerprint blocks.

    Args:
        journal: The open journal.
        mark: The checkpoint's position in it.
        full: Also compare every fingerprint block (`doctor`).
    """
    if mark.offset == 0 and mark.seq == 0:
        return None  # the checkpoint includes nothing of this journal
    size = journal.size()
    what = f"{ANNOTATIONS_JSON} includes its changes up to number {mark.seq}"
    name = journal.name
    if size == 0:
        return f"{name} is missing or empty, but {what}"
    header = journal.header()
    if header is None:
        return f"{name} has no header line (its beginning is missing), but {what}"
    if mark.journal_id and str(header.get("journal")) != mark.journal_id:
        return f"{name} is another journal than the one {ANNOTATIONS_JSON} was saved from"
    if size < mark.offset:
        return (
            f"{name} is shorter ({size} bytes) than the {mark.offset} bytes "
            f"{ANNOTATIONS_JSON} includes: it was cut short or replaced by an older copy"
        )
    if journal.read_bytes(mark.offset - 1, mark.offset) != b"\n":
        return f"{name} no longer has a line ending where {ANNOTATIONS_JSON} stopped reading"
    found = journal.seq_before(mark.offset)
    if found is not None and found != mark.seq:
        return (
            f"the {name} entry where {ANNOTATIONS_JSON} stopped reading is "
            f"number {found}, not {mark.seq}"
        )
    differs = verify(journal, mark, full=full)
    if differs is not None:
        return f"{name} was changed: {differs}"
    return None


def journal_position(
    journal: Journal, mark: JournalMark, *, full: bool = False
) -> tuple[int, str | None]:
    """(offset to replay from, damage): where the journal continues a checkpoint.

    A journal started after a damaged one was set aside names the checkpoint it
    continues in its header; it is replayed from its start. Otherwise the journal
    must hold the checkpoint's prefix intact (`journal_damage`); when it does not,
    the damage is returned in words and nothing should be replayed.
    """
    header = journal.header()
    follows = header.get("continues") if header else None
    if (
        isinstance(follows, dict)
        and follows.get("seq") == mark.seq
        and str(follows.get("id", "")) == mark.journal_id
    ):
        return 0, None
    damage = journal_damage(journal, mark, full=full)
    return (0, damage) if damage else (mark.offset, None)


def _fits(index: AnnotationIndex, entry: Entry) -> list[tuple[str | None, str, Any]] | None:
    """The entry's (record id, field, new value) list when every old value is current."""
    changes = entry.get("changes")
    if not isinstance(changes, list) or not changes:
        return None
    overlay: dict[tuple[str | None, str, str | None], Any] = {}
    out: list[tuple[str | None, str, Any]] = []
    for change in changes:
        if not isinstance(change, dict):
            return None
        rid, field = change.get("id"), change.get("field")
        if not isinstance(field, str) or not (rid is None or isinstance(rid, str)):
            return None
        try:
            old = normalise_value(field, change.get("old"))
            new = normalise_value(field, change.get("new"))
            who = team_key(change.get("reviewer")) if field in TEAM_FIELDS and rid else None
            key = (rid, field, who)
            current = overlay[key] if key in overlay else index.current(rid, field, who)
        except ValueError:
            return None
        if current != old:
            return None
        overlay[key] = new
        out.append((rid, field, new))
    return out


def salvage(source: Path, after_seq: int, index: AnnotationIndex) -> Iterator[Entry]:
    """Entries of a set-aside journal newer than `after_seq` that still fit `index`.

    Yields each one as an entry to append (a copy naming where it came from); the
    caller appends it and applies it to `index` before asking for the next, so the
    next one is checked against the state including it. Entries whose old values
    do not match are left out (they stay in the set-aside file).
    """
    reader = Journal(source, source, read_only=True, sync=False, warn=lambda _: None)
    try:
        for item in reader.scan():
            entry = item.entry
            if entry["seq"] <= after_seq or _fits(index, entry) is None:
                continue
            copy = json.loads(json.dumps(entry))
            copy["salvaged_from"] = source.name
            yield copy
    finally:
        reader.close()


def count_newer(source: Path, after_seq: int) -> int:
    """Entries in a journal file numbered after `after_seq`."""
    reader = Journal(source, source, read_only=True, sync=False, warn=lambda _: None)
    try:
        return sum(1 for item in reader.scan() if item.entry["seq"] > after_seq)
    finally:
        reader.close()


def newer_backup(
    folder: Path, base: Snapshot, warn: Callable[[str], None], name: str = ANNOTATIONS_JOURNAL
) -> Snapshot:
    """The newest of `base` and the backups made from the same journal `name`.

    Only asked when that journal is damaged: `annotations.json` may then have been
    put back from an older copy too, and a backup may hold later changes.
    """
    from peerlit_tui.storage.annotations import read_snapshot
    from peerlit_tui.storage.checkpoint_files import backup_paths

    best, used = base, ""
    for path in backup_paths(folder):
        try:
            found = read_snapshot(path)
        except (OSError, ValueError):
            continue
        mine, theirs = best.mark_of(name), found.mark_of(name) if found else None
        if theirs is not None and theirs.journal_id == mine.journal_id and theirs.seq > mine.seq:
            assert found is not None
            best, used = found, path.name
    if used:
        warn(f"backup {used} holds changes newer than {ANNOTATIONS_JSON}; it was used instead")
    return best


@dataclass(slots=True)
class Replacement:
    """What `replace_journal` did.

    Attributes:
        aside: The damaged journal's new name (None when there was none).
        kept: Newer entries copied into the new journal.
        newer: Entries found numbered after the checkpoint (kept or not).
    """

    aside: Path | None
    kept: int
    newer: int


def replace_journal(
    journal: Journal, base: Snapshot, mark: JournalMark, extra: Path | None, *, sync: bool
) -> Replacement:
    """Swap a damaged journal for a new one continuing `base` (call under its lock).

    The new journal (a header naming the checkpoint it continues, then copies of
    the damaged file's newer entries that fit, see `salvage`) is written and synced
    to a temp file first; the damaged journal then gets its second name
    `<name>.damaged-<time>` (a hard link, or a copy where links are
    not supported) and only then is the new file renamed over it. A kill at any
    moment leaves either the damaged journal in place, so the next open does this
    again, or the new one: never no journal, never the newer entries only aside.

    Args:
        journal: The open (damaged) journal; reopen it afterwards.
        base: The checkpoint kept.
        mark: Its position in this journal.
        extra: Another file to copy newer entries from (a deleted journal's bytes).
        sync: fsync the files and the folder.

    Raises:
        OSError: When the new journal cannot be written (the damaged one is then
            untouched).
    """
    folder = journal.path.parent
    scratch = AnnotationIndex()
    scratch.load(base.docs, base.reasons, lambda _: None, base.stamps, base.reasons_stamp)
    has_old = journal.path.exists() and journal.size() > 0
    aside = folder / f"{journal.path.name}.damaged-{stamp()}" if has_old else None
    header = {
        "seq": 0, "journal": new_id(), "format": JOURNAL_FORMAT, "created": utc_now(),
        "after_seq": mark.seq, "continues": {"id": mark.journal_id, "seq": mark.seq},
        "replaces": aside.name if aside else "",
    }  # fmt: skip
    lines = [_line(header)]
    seq = mark.seq
    kept = newer = 0
    for source in (extra, journal.path if has_old else None):
        if source is None:
            continue
        newer += count_newer(source, mark.seq)
        for entry in salvage(source, mark.seq, scratch):
            seq += 1
            entry["seq"] = seq
            scratch.apply_entry(entry, lambda _: None, journal.name)
            lines.append(_line(entry))
            kept += 1
    tmp = folder / f".{journal.path.name}.new{TEMP_SUFFIX}"
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        for line in lines:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
        if sync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    if aside is not None:
        try:
            os.link(journal.path, aside)
        except OSError:
            import shutil  # only when a journal is set aside

            shutil.copyfile(journal.path, aside)
    os.replace(tmp, journal.path)
    if sync:
        fsync_dir(folder)
    return Replacement(aside, kept, newer)


def _line(entry: Entry) -> bytes:
    # The same encoding as `Journal.append`.
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
