"""`peerlit doctor` for annotations: verify the checkpoint against the journal and repair.

The journal is the record of truth; the checkpoint (`annotations.json`) is a copy
that must equal the journal replayed. The doctor, holding the library's lock:

1. removes temp files left by interrupted checkpoints;
2. reads every journal line: counts entries, reports unreadable lines, sequence
   gaps, a missing header, and removes a torn last line;
3. replays the whole journal from scratch;
4. reads the checkpoint; if it is unreadable it is moved to `backups/` and rebuilt
   (from the journal when the journal is complete, else from the newest good
   backup plus the journal); if it disagrees with the replay it is rewritten;
5. checks that every backup parses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerlit_tui.storage.annotation_checkpoints import SNAPSHOT_FORMAT
from peerlit_tui.storage.annotation_index import AnnotationIndex
from peerlit_tui.storage.annotations import read_snapshot, write_snapshot
from peerlit_tui.storage.checkpoint_files import Snapshot, backup_paths, remove_stale_temp_files
from peerlit_tui.storage.journal import Journal, Located, utc_now
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
        """True when nothing is left broken."""
        return not self.unrepaired

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready mapping."""
        return {
            "folder": self.folder,
            "ok": self.ok,
            "checked": self.checked,
            "problems": self.problems,
            "repairs": self.repairs,
            "unrepaired": self.unrepaired,
        }


def doctor(folder: Path) -> DoctorReport:
    """Check and repair the annotations of a library folder.

    Args:
        folder: The library folder.

    Returns:
        The report; `ok` is False when a problem could not be repaired.
    """
    report = DoctorReport(str(folder))
    if not folder.is_dir():
        report.checked.append("no library folder yet: nothing to check")
        return report
    journal_warnings: list[str] = []
    journal = Journal(
        folder / ANNOTATIONS_JOURNAL,
        folder / ANNOTATIONS_LOCK,
        read_only=False,
        sync=True,
        warn=journal_warnings.append,
    )
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

    complete = journal.size() == 0 or journal.header() is not None
    entries = journal.read_new(repair=True)
    journal.ensure_header()
    report.checked.append(
        f"journal: {len(entries)} entries, {journal.offset} bytes, last sequence {journal.seq}"
    )
    for message in warnings:
        report.problems.append(message)
        if "incomplete" in message:
            report.repairs.append("removed the incomplete last journal line")
    if not complete:
        report.problems.append("the journal has no header line: its beginning may be missing")
        report.unrepaired.append("the journal's beginning is missing; history is incomplete")
    _check_sequence(entries, report)
    replayed = AnnotationIndex()
    ignored: list[str] = []
    for item in entries:
        replayed.apply_entry(item.entry, ignored.append)
    report.problems.extend(ignored)

    path = folder / ANNOTATIONS_JSON
    rewrite = ""
    truth = replayed
    try:
        snapshot = read_snapshot(path)
    except (OSError, ValueError) as exc:
        report.problems.append(f"{ANNOTATIONS_JSON} is unreadable: {exc}")
        kept = _keep_corrupt(folder, path)
        report.repairs.append(f"moved the unreadable file to {BACKUP_DIR}/{kept}")
        snapshot = None
        if not complete:
            truth = _from_backup(folder, journal, entries, report) or replayed
        rewrite = "rebuilt"
    else:
        if snapshot is None:
            if entries:
                report.problems.append(f"{ANNOTATIONS_JSON} is missing")
                rewrite = "created"
        else:
            rebuilt = _replay_over(snapshot, journal, entries)
            report.checked.append(
                f"{ANNOTATIONS_JSON}: {len(snapshot.docs)} annotations, "
                f"includes the journal up to sequence {snapshot.seq}"
            )
            if not complete:
                truth = rebuilt
            else:
                diffs = rebuilt.differences(replayed)
                if snapshot.journal_id and snapshot.journal_id != journal.journal_id:
                    diffs.insert(0, "it belongs to a different journal")
                if diffs:
                    report.problems.append(
                        f"{ANNOTATIONS_JSON} disagrees with the journal: " + "; ".join(diffs[:5])
                    )
                    rewrite = "rewritten from the journal"
    report.checked.append(f"annotations: {len(truth)} records annotated")
    if rewrite:
        _write(folder, journal, truth)
        report.repairs.append(f"{ANNOTATIONS_JSON} {rewrite}")
    _check_backups(folder, report)


def _check_sequence(entries: list[Located], report: DoctorReport) -> None:
    expected = None
    for item in entries:
        seq = item.entry["seq"]
        if expected is not None and seq != expected:
            report.problems.append(
                f"journal sequence jumps from {expected - 1} to {seq} at byte {item.start}"
            )
        expected = seq + 1


def _replay_over(snapshot: Snapshot, journal: Journal, entries: list[Located]) -> AnnotationIndex:
    index = AnnotationIndex()
    ignored: list[str] = []
    index.load(snapshot.docs, snapshot.reasons, ignored.append)
    matches = snapshot.journal_id == journal.journal_id and snapshot.offset <= journal.offset
    start = snapshot.offset if matches else 0
    for item in entries:
        if item.start >= start:
            index.apply_entry(item.entry, ignored.append)
    return index


def _from_backup(
    folder: Path, journal: Journal, entries: list[Located], report: DoctorReport
) -> AnnotationIndex | None:
    for backup in reversed(backup_paths(folder)):
        try:
            found = read_snapshot(backup)
        except (OSError, ValueError):
            continue
        if found is not None:
            report.repairs.append(f"used backup {backup.name} plus the journal")
            return _replay_over(found, journal, entries)
    return None


def _keep_corrupt(folder: Path, path: Path) -> str:
    where = folder / BACKUP_DIR
    where.mkdir(exist_ok=True)
    stamp = utc_now().replace("-", "").replace(":", "").replace(".", "")
    name = f"corrupt-annotations-{stamp}.json"
    path.replace(where / name)
    return name


def _write(folder: Path, journal: Journal, index: AnnotationIndex) -> None:
    annotations = list(index.by_id.values())
    meta = {
        "format": SNAPSHOT_FORMAT,
        "journal_id": journal.journal_id,
        "journal_offset": journal.offset,
        "journal_seq": journal.seq,
        "written": utc_now(),
        "annotations": len(annotations),
    }
    write_snapshot(folder / ANNOTATIONS_JSON, annotations, index.reasons, meta, sync=True)


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
