"""One review across machines, through git: `peerlit sync [--remote URL]`.

A library that syncs has a git work tree of its own, `LIBRARY/sync/`, holding only
text that merges without conflicts by construction (each machine writes only its
own files, and only appends to them):

- `changes/<reviewer>@<machine>.jsonl`: this machine's annotation transactions
  (`services.sync_changes`);
- `sources/` and `imports/<machine>.jsonl`: the imported files and how they were
  imported (`services.sync_sources`), from which any library rebuilds the records
  with the same ids;
- `settings/<machine>.json`: the project settings (`services.sync_settings`).

The SQLite records and the TinyDB checkpoint never go into git. What this library
has exported and applied is kept apart, in `LIBRARY/sync-local/state.json`,
replaced atomically.

A sync: (1) exports this machine's new transactions (fsynced before the state
records them) and settings; (2) commits them; (3) fetches and merges (a fast-forward
or a merge commit, never a conflict); (4) pushes, fetching and merging again when
another machine pushed first; (5) imports the other machines' new files, then
applies their transactions and settings. Every step can be repeated: a sync
killed at any point, or one that finds no network, loses nothing and the next
one completes it. One sync runs at a time per library (`sync-local/sync.lock`).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from peerlit_tui.services.sync_apply import apply_changes, clean_tree, commit, exchange
from peerlit_tui.services.sync_changes import Exporter
from peerlit_tui.services.sync_git import REMOTE, Git, GitMissingError, RemoteError, SyncError
from peerlit_tui.services.sync_settings import export_settings, merge_settings
from peerlit_tui.services.sync_sources import (
    IMPORTS,
    LOCAL_DIR,
    SYNC_DIR,
    import_missing,
    machine_id,
)
from peerlit_tui.storage.journal import utc_now
from peerlit_tui.storage.sync_files import read_json, write_json

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.services.library import Library

__all__ = [
    "GitMissingError",
    "NotConnectedError",
    "RemoteError",
    "SyncError",
    "SyncReport",
    "sync",
    "sync_status",
]

STATE: Final = "state.json"
_LOCK: Final = "sync.lock"
#: Seconds a sync waits for another one of the same library to finish.
LOCK_WAIT: Final = 120.0


class NotConnectedError(SyncError):
    """The library has no remote yet."""


@dataclass(slots=True)
class SyncReport:
    """What one sync did.

    Attributes:
        remote: The remote's URL.
        exported: Transactions of this machine written for the team.
        applied: Transactions of other machines read (their newer changes applied).
        changes: Field changes made here by them.
        files: Other machines' import files imported here; `records` added by them.
        settings: Settings exported plus settings taken from others.
        pushed: True when the remote has everything this machine has.
        offline: Why the remote could not be reached ("" when it could).
        warnings: Changes or files that could not be applied, in words.
        seconds: Wall time of the whole sync; `git_seconds` of it spent in git.
    """

    remote: str = ""
    exported: int = 0
    applied: int = 0
    changes: int = 0
    files: int = 0
    records: int = 0
    settings: int = 0
    pushed: bool = False
    offline: str = ""
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    git_seconds: float = 0.0
    git_calls: int = 0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (`peerlit sync --json`)."""
        return {
            "remote": self.remote, "exported": self.exported, "applied": self.applied,
            "changes": self.changes, "files_imported": self.files,
            "records_added": self.records, "settings": self.settings, "pushed": self.pushed,
            "offline": self.offline or None, "warnings": self.warnings,
            "seconds": round(self.seconds, 3), "git_seconds": round(self.git_seconds, 3),
        }  # fmt: skip

    def lines(self) -> list[str]:
        """The summary in words, one line each."""
        out = [
            f"sent {self.exported} changes; received {self.applied} "
            f"({self.changes} field changes applied here)"
        ]
        if self.files:
            out.append(f"imported {self.files} files from the team: {self.records} records added")
        if self.offline:
            out.append(self.offline)
        elif self.pushed:
            out.append(f"in step with {self.remote}")
        return out


def _state_path(folder: Path) -> Path:
    return folder / LOCAL_DIR / STATE


def load_state(folder: Path) -> dict[str, Any]:
    """The local sync state ({} before the first sync)."""
    return read_json(_state_path(folder)) or {}


def save_state(folder: Path, state: dict[str, Any]) -> None:
    """Replace the local sync state atomically."""
    write_json(_state_path(folder), state)


def sync_status(folder: Path) -> dict[str, Any]:
    """Whether the library syncs, with which remote, and when it last did.

    Returns:
        {"connected", "remote", "last_sync" (ISO time or None), "last_result"}.
    """
    state = load_state(Path(folder))
    return {
        "connected": bool(state.get("remote")),
        "remote": state.get("remote") or None,
        "last_sync": state.get("last_sync") or None,
        "last_result": state.get("last_result") or None,
    }


@contextmanager
def _sync_lock(folder: Path) -> Iterator[int]:
    local = folder / LOCAL_DIR
    local.mkdir(parents=True, exist_ok=True)
    fd = os.open(local / _LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SyncError(
                        "another sync of this library is still running; try again when it ends"
                    ) from None
                time.sleep(0.05)
        yield fd
    finally:
        os.close(fd)


def _connect(git: Git, tree: Path, state: dict[str, Any], remote: str | None, who: str) -> str:
    """Make the sync folder a git repository with the remote; return the remote's URL."""
    if not (tree / ".git").is_dir():
        if remote is None:
            raise NotConnectedError(
                "this library is not connected to a team remote yet: run "
                "`peerlit sync --remote URL` once (URL: a bare git repository, as a path, "
                "ssh://host/path or https://...)"
            )
        tree.mkdir(parents=True, exist_ok=True)
        git.run("init", "--quiet")
        git.run("symbolic-ref", "HEAD", "refs/heads/main")
    elif remote is None and state.get("remote") and state.get("configured"):
        return str(state["remote"])  # connected before: no git call needed
    if not git.config("user.name"):
        git.run("config", "user.name", who)
    if not git.config("user.email"):
        git.run("config", "user.email", f"{who}@peerlit.invalid")
    git.run("config", "gc.auto", "0")
    known = git.run("remote", "get-url", REMOTE, check=False)
    current = known.out.strip() if known.code == 0 else ""
    if remote is not None and remote != current:
        git.run("remote", "add" if not current else "set-url", REMOTE, remote)
        current = remote
    if not current:
        raise NotConnectedError(
            "this library has no team remote: run `peerlit sync --remote URL` once"
        )
    state["remote"], state["configured"] = current, True
    return current


def sync(
    folder: Path,
    library: Library,
    annotations: AnnotationService,
    *,
    remote: str | None = None,
) -> SyncReport:
    """Sync the library with its team remote (see the module docstring).

    Args:
        folder: The library folder.
        library: Its open records.
        annotations: Its open annotations (writable).
        remote: The remote's URL, to connect (or move) the library; None uses the
            remote given before.

    Returns:
        What happened; `offline` says why the remote could not be reached.

    Raises:
        NotConnectedError: When no remote was ever given.
        GitMissingError: When git cannot be run.
        SyncError: For a failure of git itself, said in words.
        OSError: When the library folder cannot be written.
    """
    started = time.perf_counter()
    folder = Path(folder)
    tree = folder / SYNC_DIR
    report = SyncReport()
    with _sync_lock(folder) as fd:
        git = Git(tree, keep_fd=fd)
        try:
            _run(git, folder, tree, library, annotations, remote, report)
        finally:
            report.git_seconds, report.git_calls = git.seconds, git.calls
            report.seconds = time.perf_counter() - started
    return report


def _run(
    git: Git,
    folder: Path,
    tree: Path,
    library: Library,
    annotations: AnnotationService,
    remote: str | None,
    report: SyncReport,
) -> None:
    machine = machine_id(folder)
    state = load_state(folder)
    report.remote = _connect(git, tree, state, remote, annotations.reviewer)
    # A sync that did not finish (killed) may have left git half-way: repair first.
    clean_tree(git, tree, machine, full=state.get("running", True))
    if state.get("running") is not True or remote is not None:
        state["running"] = True
        save_state(folder, state)
    # (1) this machine's changes and settings, durable before the state names them
    exporter = Exporter(annotations, tree, machine, state)
    counts: list[int] = []

    def export(_index: Any) -> list[Any]:
        counts.append(exporter.export())
        return []

    annotations.store.transact("sync: export", export)
    report.exported = sum(counts)
    settings = state.setdefault("settings", {})
    first = not state.get("settings_started")
    joining = first and not (tree / IMPORTS / f"{machine}.jsonl").exists()
    report.settings = export_settings(folder, tree, machine, settings, first=first, joining=joining)
    state["settings_started"] = True
    if report.exported or report.settings:
        save_state(folder, state)
    # (2)-(4) commit, fetch and merge, push
    commit(git, tree, machine, annotations.reviewer, report.exported)
    try:
        exchange(git)
        report.pushed = True
    except RemoteError as exc:
        from peerlit_tui.services.sync_git import explain_remote

        report.offline = explain_remote(str(exc), report.remote)
    # (5) the others' files, changes and settings
    applied = set(state.get("sources") or [])
    report.files, report.records = import_missing(library, folder, applied, report.warnings)
    state["sources"] = sorted(applied)
    if report.files:
        save_state(folder, state)
    report.applied, report.changes = apply_changes(
        annotations, tree, machine, exporter, report.warnings, lambda: save_state(folder, state)
    )
    report.settings += merge_settings(folder, tree, machine, settings)
    state["last_sync"], state["running"] = utc_now(), False
    state["last_result"] = "; ".join(report.lines())
    save_state(folder, state)
