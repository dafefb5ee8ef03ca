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

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerlit_tui.annotation import RECORD_FIELDS
from peerlit_tui.storage.annotation_checkpoints import checkpoint_meta
from peerlit_tui.storage.annotation_clock import Stamp, last_time, running
from peerlit_tui.storage.annotation_doctor_files import check_permissions, check_record_store
from peerlit_tui.storage.annotation_errors import READ_ONLY_ERRNOS
from peerlit_tui.storage.annotation_fingerprint import JournalMark
from peerlit_tui.storage.annotation_index import AnnotationIndex
from peerlit_tui.storage.annotation_merge import rederive_tags
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
from peerlit_tui.storage.journal import Entry, Journal, Located
from peerlit_tui.storage.journal_set import JournalSet, journal_names
from peerlit_tui.storage.paths import ANNOTATIONS_JSON, BACKUP_DIR


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
        jset = JournalSet(folder, read_only=False, sync=True, warn=journal_warnings.append)
    except OSError as exc:
        if exc.errno not in READ_ONLY_ERRNOS:
            raise
        report.problems.append(f"the library cannot be written ({exc.strerror or exc})")
        report.unrepaired.append(
            "the library is read-only: the annotations could not be checked or repaired here"
        )
        return report
    try:
        _check(folder, jset, journal_warnings, report)
    finally:
        jset.close()
    return report


def _check(folder: Path, jset: JournalSet, warnings: list[str], report: DoctorReport) -> None:
    with jset.legacy.locked():  # the library's lock: no checkpoint is being renamed
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
        if base is None and any(j.size() > 0 for j in _all(folder, jset, None)):
            report.problems.append(f"{ANNOTATIONS_JSON} is missing")
            base = _newest_backup(folder, report)
            rewrite = "created"
    if base is not None:
        for journal in _all(folder, jset, base):
            mark = base.mark_of(journal.name)
            with journal.locked():
                _, damage = journal_position(journal, mark, full=True)
            if damage is not None:
                better = newer_backup(folder, base, report.repairs.append, journal.name)
                if better is not base:
                    base, rewrite = better, rewrite or "rewritten from a newer backup"
    found: list[tuple[Stamp, Entry, bool]] = []
    complete = True
    for journal in _all(folder, jset, base):
        mark = base.mark_of(journal.name) if base is not None else JournalMark("", 0, 0)
        done = _check_journal(folder, journal, base, mark, warnings, report)
        if done is None:
            continue
        start, entries, whole = done
        rewrite = rewrite or ("rewritten after the repair" if start < 0 else "")
        complete = complete and whole
        stamped = running(entries, journal.name)
        journal.last_ts = last_time(stamped)
        found += [(stamp, item.entry, item.start >= start) for stamp, item in stamped]
    found.sort(key=lambda f: f[0])
    ignored: list[str] = []
    replayed = AnnotationIndex()
    for when, entry, _ in found:
        replayed.apply_entry(entry, ignored.append, when[1], when)
    report.problems.extend(dict.fromkeys(ignored))
    truth = replayed
    if base is not None:
        truth = _replay_over(base, [(s, e) for s, e, newer in found if newer])
        for rid in sorted(truth.rederive):  # read out of order: replay in stamp order
            runs = [(s[1], [e]) for s, e, _ in found]
            truth.reset_tags(rid, *rederive_tags(rid, runs, truth.key))
        report.checked.append(
            f"{ANNOTATIONS_JSON}: {len(base.docs)} annotations, includes "
            + ", ".join(f"{n} up to sequence {m.seq}" for n, m in sorted(base.journals.items()))
        )
        if complete and not rewrite:
            diffs = differences(truth, replayed)
            if diffs:
                report.problems.append(
                    f"{ANNOTATIONS_JSON} disagrees with the journals: " + "; ".join(diffs[:5])
                )
                truth, rewrite = replayed, "rewritten from the journals"
        if not rewrite and any(m.offset and not m.sha256 for m in base.journals.values()):
            rewrite = "rewritten to record a fingerprint of the journals"
    report.checked.append(f"annotations: {len(truth)} records annotated")
    if rewrite:
        _write(folder, jset, truth)
        if rewrite.startswith("rewritten to record"):
            report.checked.append(f"{ANNOTATIONS_JSON} {rewrite}")
        else:
            report.repairs.append(f"{ANNOTATIONS_JSON} {rewrite}")
    _check_backups(folder, report)


def _all(folder: Path, jset: JournalSet, base: Snapshot | None) -> list[Journal]:
    """Every journal: the files on disk and the ones the checkpoint names."""
    named = [n for n, m in base.journals.items() if m.offset or m.seq] if base else []
    return [jset.open(n) for n in dict.fromkeys([*journal_names(folder), *named])]


def _check_journal(
    folder: Path,
    journal: Journal,
    base: Snapshot | None,
    mark: JournalMark,
    warnings: list[str],
    report: DoctorReport,
) -> tuple[int, list[Located], bool] | None:
    """Check one journal under its lock; repair it if damaged.

    Returns:
        (offset the checkpoint's state continues from, -1 when the journal was
        replaced by a repair; its entries; whether it holds its whole history).
    """
    del folder
    warnings.clear()
    with journal.locked():
        start = 0
        if base is not None and (mark.offset or mark.seq):
            start, damage = journal_position(journal, mark, full=True)
            if damage is not None:
                report.problems.append(damage)
                _recover(journal, base, mark, report)
                journal.offset = journal.seq = 0
                return -1, journal.read_new(repair=True), False
        header_ok = journal.size() == 0 or journal.header() is not None
        journal.offset = journal.seq = 0
        entries = journal.read_new(repair=True)
        journal.ensure_header()
    report.checked.append(
        f"{journal.name}: {len(entries)} entries, {journal.offset} bytes, "
        f"last sequence {journal.seq}"
    )
    for message in warnings:
        report.problems.append(f"{journal.name}: {message}")
        if "incomplete" in message:
            report.repairs.append(f"removed the incomplete last line of {journal.name}")
        elif "unreadable" in message:
            report.unrepaired.append(
                f"{journal.name}: {message}: it is left in place; the change it held is "
                "missing from the history"
            )
    if not header_ok:
        report.problems.append(f"{journal.name} has no header line: its beginning may be missing")
        report.unrepaired.append(
            f"the beginning of {journal.name} is missing; history is incomplete"
        )
    after = (journal.header() or {}).get("after_seq", 0)
    after = after if type(after) is int else 0
    _check_sequence(entries, after, report, journal.name)
    return start, entries, header_ok and after == 0


def _recover(journal: Journal, base: Snapshot, mark: JournalMark, report: DoctorReport) -> None:
    """Keep the checkpoint, swap one journal for a new one holding its newer entries."""
    done = replace_journal(journal, base, mark, None, sync=True)
    journal.reopen()
    if done.aside is not None:
        report.repairs.append(
            f"set the damaged journal aside as {done.aside.name} (nothing was deleted)"
        )
    report.repairs.append(
        f"kept the annotations of {ANNOTATIONS_JSON} (changes up to {mark.seq} of "
        f"{journal.name}) and started a new {journal.name} after them"
    )
    if done.newer:
        left = done.newer - done.kept
        where = done.aside.name if done.aside else "the damaged journal"
        rest = f"; {left} that did not fit were left in {where}" if left else ""
        report.repairs.append(f"copied {done.kept} newer change(s) from the damaged journal{rest}")


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


def _check_sequence(entries: list[Located], after: int, report: DoctorReport, name: str) -> None:
    expected = after + 1 if after else None
    for item in entries:
        seq = item.entry["seq"]
        if expected is not None and seq != expected:
            report.problems.append(
                f"{name}: sequence jumps from {expected - 1} to {seq} at byte {item.start}"
            )
        expected = seq + 1


def _replay_over(snapshot: Snapshot, entries: list[tuple[Stamp, Entry]]) -> AnnotationIndex:
    index = AnnotationIndex()
    ignored: list[str] = []
    index.load(
        snapshot.docs, snapshot.reasons, ignored.append, snapshot.stamps, snapshot.reasons_stamp
    )
    for when, entry in entries:
        index.apply_entry(entry, ignored.append, when[1], when)
    return index


def _keep_corrupt(folder: Path, path: Path) -> str:
    where = folder / BACKUP_DIR
    where.mkdir(exist_ok=True)
    name = f"corrupt-annotations-{stamp()}.json"
    path.replace(where / name)
    return name


def _write(folder: Path, jset: JournalSet, index: AnnotationIndex) -> None:
    @contextmanager
    def library_lock() -> Iterator[None]:
        with jset.legacy.locked():
            yield

    annotations = list(index.by_id.values())
    marks = {
        j.name: jset.fingerprinter(j.name).mark(j.journal_id, j.offset, j.seq, j.last_ts)
        for j in jset
        if j.offset > 0
    }
    meta = checkpoint_meta(marks, len(annotations), index.reasons_stamp)
    write_snapshot(
        folder / ANNOTATIONS_JSON,
        annotations,
        index.reasons,
        meta,
        sync=True,
        lock=library_lock,
        team=index.team.by_record,
        stamps=index.stamps,
    )


def differences(self: AnnotationIndex, other: AnnotationIndex, limit: int = 20) -> list[str]:
    """Describe how this index differs from `other` (timestamps ignored)."""
    out: list[str] = []
    if self.reasons != other.reasons:
        out.append("the list of exclusion reasons differs")
    if self.team.by_record != other.team.by_record:
        out.append("the reviewers' decisions differ")
    for rid in sorted(self.by_id.keys() | other.by_id.keys()):
        a, b = self.by_id.get(rid), other.by_id.get(rid)
        if a is None or b is None:
            out.append(f"{rid}: present in only one of the two")
            continue
        fields = [f for f in RECORD_FIELDS if a.value(f) != b.value(f)]
        if fields:
            out.append(f"{rid}: {', '.join(fields)} differ")
        if len(out) >= limit:
            break
    return out


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
