"""`peerlit doctor`: verify the library's files and the annotations store, and repair.

The journal is the record of every change; the checkpoint (`annotations.json`) is a
copy that must equal the journal replayed, and records how far it read the journal
and a fingerprint of those bytes. The doctor:

1. gives unreadable files and read-only SQLite scratch files a working mode back,
   and runs SQLite's integrity check on `records.sqlite3` (`annotation_doctor_files`);
2. holding the library's lock, removes temp files left by interrupted checkpoints;
3. reads the checkpoint (an unreadable one is moved to `backups/`, and the newest
   good backup stands in for it);
4. compares the journal with the checkpoint's fingerprint of it, every byte. A
   journal that is missing, cut short, another one, or changed is never used to
   rebuild the checkpoint: it is set aside as `annotations.journal.damaged-<time>`,
   the checkpoint is kept, newer entries that still fit are copied into a new
   journal, and a new checkpoint is written;
5. otherwise reads every journal line (reporting unreadable lines, sequence gaps,
   a missing header, removing a torn last line), replays it and rewrites the
   checkpoint if it disagrees;
6. checks that every backup parses.

`healthy` is true only when nothing at all was wrong; `ok` when nothing is left
broken after the repairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerlit_tui.storage.annotation_checkpoints import checkpoint_meta
from peerlit_tui.storage.annotation_doctor_files import check_permissions, check_record_store
from peerlit_tui.storage.annotation_errors import READ_ONLY_ERRNOS
from peerlit_tui.storage.annotation_fingerprint import Fingerprinter
from peerlit_tui.storage.annotation_index import AnnotationIndex
from peerlit_tui.storage.annotation_recovery import (
    journal_position,
    newer_backup,
    replace_journal,
)
from peerlit_tui.storage.annotations import read_snapshot, write_snapshot
from peerlit_tui.storage.checkpoint_files import (
    Snapshot,
    backup_paths,
    remove_stale_temp_files,
    stamp,
)
from peerlit_tui.storage.journal import Journal, Located
from peerlit_tui.storage.paths import (
    ANNOTATIONS_JOURNAL,
    ANNOTATIONS_JSON,
    ANNOTATIONS_LOCK,
    BACKUP_DIR,
)


@dataclass(slots=True)
class DoctorReport:
    """What the doctor checked, found and repaired.

    Attributes:
        folder: The library folder.
        checked: One line per check, with counts.
        problems: What was wrong.
        repairs: What was done about it.
        unrepaired: Problems left as they are (the user must act).
    """

    folder: str
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    unrepaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is left broken (problems found were all repaired)."""
        return not self.unrepaired

    @property
    def healthy(self) -> bool:
        """True only when nothing at all was wrong."""
        return not self.problems and not self.unrepaired

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "folder": self.folder,
            "healthy": self.healthy,
            "ok": self.ok,
            "checked": self.checked,
            "problems": self.problems,
            "repairs": self.repairs,
            "unrepaired": self.unrepaired,
        }


def doctor(folder: Path) -> DoctorReport:
    """Check and repair a library folder: file modes, the record store, the annotations.

    Args:
        folder: The library folder.

    Returns:
        The report; `healthy` is False when anything was wrong, `ok` when something
        is still wrong after the repairs.
    """
    report = DoctorReport(str(folder))
    if not folder.is_dir():
        report.checked.append("no library folder yet: nothing to check")
        return report
    check_permissions(folder, report)
    check_record_store(folder, report)
    journal_warnings: list[str] = []
    try:
        journal = Journal(
            folder / ANNOTATIONS_JOURNAL,
            folder / ANNOTATIONS_LOCK,
            read_only=False,
            sync=True,
            warn=journal_warnings.append,
        )
    except OSError as exc:
        if exc.errno not in READ_ONLY_ERRNOS:
            raise
        report.problems.append(f"the library cannot be written ({exc.strerror or exc})")
        report.unrepaired.append(
            "the library is read-only: the annotations could not be checked or repaired here"
        )
        return report
    try:
        with journal.locked():
            _check(folder, journal, journal_warnings, report)
    finally:
        journal.close()
    return report


def _check(folder: Path, journal: Journal, warnings: list[str], report: DoctorReport) -> None:
    removed = remove_stale_temp_files(folder)
    if removed:
        report.problems.append(f"{len(removed)} temp file(s) left by interrupted checkpoints")
        report.repairs.append("removed " + ", ".join(p.name for p in removed))
    path = folder / ANNOTATIONS_JSON
    rewrite = ""
    try:
        base = read_snapshot(path)
    except (OSError, ValueError) as exc:
        report.problems.append(f"{ANNOTATIONS_JSON} is unreadable: {exc}")
        kept = _keep_corrupt(folder, path)
        report.repairs.append(f"moved the unreadable file to {BACKUP_DIR}/{kept}")
        base = _newest_backup(folder, report)
        rewrite = "rebuilt"
    else:
        if base is None and journal.size() > 0:
            report.problems.append(f"{ANNOTATIONS_JSON} is missing")
            base = _newest_backup(folder, report)
            rewrite = "created"
    if base is not None:
        start, damage = journal_position(journal, base.mark, full=True)
        if damage is not None:
            report.problems.append(damage)
            base = newer_backup(folder, base, report.repairs.append)
            _recover(folder, journal, base, report)
            _check_backups(folder, report)
            return
    else:
        start = 0
    header_ok = journal.size() == 0 or journal.header() is not None
    entries = journal.read_new(repair=True)
    journal.ensure_header()
    report.checked.append(
        f"journal: {len(entries)} entries, {journal.offset} bytes, last sequence {journal.seq}"
    )
    for message in warnings:
        report.problems.append(message)
        if "incomplete" in message:
            report.repairs.append("removed the incomplete last journal line")
        elif "unreadable" in message:
            report.unrepaired.append(
                f"{message}: it is left in place; the change it held is missing from the history"
            )
    if not header_ok:
        report.problems.append("the journal has no header line: its beginning may be missing")
        report.unrepaired.append("the journal's beginning is missing; history is incomplete")
    after = (journal.header() or {}).get("after_seq", 0)
    after = after if type(after) is int else 0
    _check_sequence(entries, after, report)
    replayed = AnnotationIndex()
    ignored: list[str] = []
    for item in entries:
        replayed.apply_entry(item.entry, ignored.append)
    report.problems.extend(ignored)
    truth = replayed
    if base is not None:
        truth = _replay_over(base, entries, start)
        report.checked.append(
            f"{ANNOTATIONS_JSON}: {len(base.docs)} annotations, "
            f"includes the journal up to sequence {base.seq}"
        )
        if header_ok and after == 0 and not rewrite:
            diffs = truth.differences(replayed)
            if diffs:
                report.problems.append(
                    f"{ANNOTATIONS_JSON} disagrees with the journal: " + "; ".join(diffs[:5])
                )
                truth, rewrite = replayed, "rewritten from the journal"
        if not base.mark.sha256 and not rewrite:
            rewrite = "rewritten to record a fingerprint of the journal"
    report.checked.append(f"annotations: {len(truth)} records annotated")
    if rewrite:
        _write(folder, journal, truth)
        if rewrite.startswith("rewritten to record"):
            report.checked.append(f"{ANNOTATIONS_JSON} {rewrite}")
        else:
            report.repairs.append(f"{ANNOTATIONS_JSON} {rewrite}")
    _check_backups(folder, report)


def _recover(folder: Path, journal: Journal, base: Snapshot, report: DoctorReport) -> None:
    """Keep the checkpoint, swap the journal for a new one holding the newer entries."""
    done = replace_journal(journal, base, None, sync=True)
    journal.reopen()
    index = _replay_over(base, journal.read_new(repair=True), 0)
    if done.aside is not None:
        report.repairs.append(
            f"set the damaged journal aside as {done.aside.name} (nothing was deleted)"
        )
    report.repairs.append(
        f"kept the {len(index)} annotated records of {ANNOTATIONS_JSON} (changes up to "
        f"{base.seq}) and started a new journal after them"
    )
    if done.newer:
        left = done.newer - done.kept
        where = done.aside.name if done.aside else "the damaged journal"
        rest = f"; {left} that did not fit were left in {where}" if left else ""
        report.repairs.append(f"copied {done.kept} newer change(s) from the damaged journal{rest}")
    _write(folder, journal, index)
    report.checked.append(f"annotations: {len(index)} records annotated")


def _newest_backup(folder: Path, report: DoctorReport) -> Snapshot | None:
    for backup in reversed(backup_paths(folder)):
        try:
            found = read_snapshot(backup)
        except (OSError, ValueError):
            continue
        if found is not None:
            report.repairs.append(f"used backup {backup.name} plus the journal")
            return found
    return None


def _check_sequence(entries: list[Located], after: int, report: DoctorReport) -> None:
    expected = after + 1 if after else None
    for item in entries:
        seq = item.entry["seq"]
        if expected is not None and seq != expected:
            report.problems.append(
                f"journal sequence jumps from {expected - 1} to {seq} at byte {item.start}"
            )
        expected = seq + 1


def _replay_over(snapshot: Snapshot, entries: list[Located], start: int) -> AnnotationIndex:
    index = AnnotationIndex()
    ignored: list[str] = []
    index.load(snapshot.docs, snapshot.reasons, ignored.append)
    for item in entries:
        if item.start >= start:
            index.apply_entry(item.entry, ignored.append)
    return index


def _keep_corrupt(folder: Path, path: Path) -> str:
    where = folder / BACKUP_DIR
    where.mkdir(exist_ok=True)
    name = f"corrupt-annotations-{stamp()}.json"
    path.replace(where / name)
    return name


def _write(folder: Path, journal: Journal, index: AnnotationIndex) -> None:
    annotations = list(index.by_id.values())
    mark = Fingerprinter(journal).mark(journal.journal_id, journal.offset, journal.seq)
    meta = checkpoint_meta(mark, len(annotations))
    write_snapshot(
        folder / ANNOTATIONS_JSON,
        annotations,
        index.reasons,
        meta,
        sync=True,
        team=index.team.by_record,
    )


def _check_backups(folder: Path, report: DoctorReport) -> None:
    good = 0
    for backup in backup_paths(folder):
        try:
            read_snapshot(backup)
        except (OSError, ValueError) as exc:
            # Not fatal (the journal and the checkpoint hold the data), and rotation
            # removes it in time; it is left in place for inspection.
            report.problems.append(f"backup {backup.name} is unreadable (left in place): {exc}")
        else:
            good += 1
    report.checked.append(f"backups: {good} readable")
