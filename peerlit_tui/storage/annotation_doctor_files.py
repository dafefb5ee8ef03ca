"""`peerlit doctor`'s checks of the library's files: permissions and the record store.

- Permissions: a file its owner cannot read (mode 000, say) is never intended and
  makes every command warn or fail, so it is given back a normal mode (0644, 0755
  for folders). SQLite's scratch files (`-wal`, `-shm`) and the lock file must be
  writable, or every command fails with "attempt to write a readonly database";
  they get their write bit back. Other files left read-only on purpose (a
  read-only library) are only mentioned.
- `records.sqlite3`: `PRAGMA integrity_check` on a read-only connection (the
  `sqlite3` module directly, opening the file with `mode=ro`), so a damaged record
  store is named, with what to do, instead of failing later with "database disk
  image is malformed".
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from peerlit_tui.storage.paths import (
    ANNOTATIONS_JOURNAL,
    ANNOTATIONS_JSON,
    ANNOTATIONS_LOCK,
    BACKUP_DIR,
    RECORDS_DB,
)

if TYPE_CHECKING:
    from peerlit_tui.storage.annotation_doctor import DoctorReport

#: Files that must stay writable for the library to work at all.
_SCRATCH = (f"{RECORDS_DB}-wal", f"{RECORDS_DB}-shm", ANNOTATIONS_LOCK)
_FILES = (ANNOTATIONS_JSON, ANNOTATIONS_JOURNAL, RECORDS_DB, "project.json", *_SCRATCH)


def _paths(folder: Path) -> list[Path]:
    out = [folder / name for name in _FILES]
    backups = folder / BACKUP_DIR
    out.append(backups)
    if backups.is_dir() and os.access(backups, os.R_OK | os.X_OK):
        out.extend(sorted(backups.iterdir()))
    return out


def check_permissions(folder: Path, report: DoctorReport) -> None:
    """Give unreadable files and read-only scratch files a working mode back."""
    fixed = 0
    for path in _paths(folder):
        try:
            st = path.lstat()
        except OSError:
            continue
        if stat.S_ISLNK(st.st_mode):
            continue
        is_dir = stat.S_ISDIR(st.st_mode)
        mode = stat.S_IMODE(st.st_mode)
        need = 0o700 if is_dir else 0o600
        if mode & 0o400 == 0 or (is_dir and mode & 0o100 == 0):
            new = 0o755 if is_dir else 0o644
            problem = f"{_name(folder, path)} cannot be read (mode {mode:03o})"
        elif path.name in _SCRATCH and mode & need != need:
            new = mode | need
            problem = (
                f"{_name(folder, path)} is read-only (mode {mode:03o}), which blocks the library"
            )
        else:
            if mode & 0o200 == 0 and path.name in _FILES:
                report.checked.append(
                    f"{_name(folder, path)} is read-only (mode {mode:03o}): "
                    "the library opens read-only while it is"
                )
            continue
        report.problems.append(problem)
        try:
            os.chmod(path, new)
        except OSError as exc:
            report.unrepaired.append(
                f"cannot change the mode of {_name(folder, path)} ({exc.strerror or exc}); "
                f"its owner can run: chmod {new:o} '{path}'"
            )
        else:
            fixed += 1
            report.repairs.append(f"gave {_name(folder, path)} mode {new:03o}")
    if fixed == 0:
        report.checked.append("file permissions: fine")


def _name(folder: Path, path: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)


def check_record_store(folder: Path, report: DoctorReport) -> None:
    """Run SQLite's integrity check on `records.sqlite3`, read-only."""
    path = folder / RECORDS_DB
    if not path.exists():
        report.checked.append(f"{RECORDS_DB}: none yet")
        return
    if path.stat().st_size == 0:
        report.checked.append(f"{RECORDS_DB}: empty (no records imported)")
        return
    base = "file:" + quote(str(path.resolve()))
    advice = (
        "your annotations are not affected (they are kept apart, by record id); "
        f"restore {RECORDS_DB} from a backup, or import your files again into a new "
        "library folder and copy annotations.json, annotations.journal and backups/ next to it"
    )
    rows: list[str] = []
    for uri, note in (
        (f"{base}?mode=ro", ""),
        (f"{base}?mode=ro&immutable=1", " (main file only)"),
    ):
        try:
            con = sqlite3.connect(uri, uri=True, timeout=10)
            try:
                rows = [str(r[0]) for r in con.execute("PRAGMA integrity_check(20)")]
            finally:
                con.close()
        except sqlite3.OperationalError as exc:
            if "malformed" in str(exc) or "not a database" in str(exc):
                rows = [str(exc)]
                break
            if note:
                report.problems.append(f"{RECORDS_DB} cannot be opened: {exc}")
                report.unrepaired.append(f"{RECORDS_DB} cannot be opened; {advice}")
                return
            continue
        except sqlite3.DatabaseError as exc:
            rows = [str(exc)]
        break
    if rows == ["ok"]:
        report.checked.append(f"{RECORDS_DB}: integrity check ok{note}")
        return
    shown = "; ".join(rows[:3]) + (f" (and {len(rows) - 3} more)" if len(rows) > 3 else "")
    report.problems.append(f"{RECORDS_DB} is damaged: {shown}")
    report.unrepaired.append(f"{RECORDS_DB} is damaged; {advice}")
