"""The git steps of a sync and applying other machines' changes (see `services.sync`).

`clean_tree` makes the work tree what the last commit says for every file this
machine does not write (a git killed during a merge may have left files half
checked out), after removing the lock files a killed git left. `commit` commits
this machine's files; `exchange` fetches, merges and pushes, merging again when
another machine pushed first. `apply_changes` applies the other machines'
transactions in batches, each one journal transaction marked as sync's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from peerlit_tui.screening_decisions import validate_reviewer
from peerlit_tui.services.sync_changes import CHANGES, Exporter, Planner
from peerlit_tui.services.sync_git import BRANCH, REMOTE, Git, RemoteError, remove_stale_locks
from peerlit_tui.services.sync_settings import SETTINGS
from peerlit_tui.services.sync_sources import IMPORTS, SOURCES
from peerlit_tui.storage.sync_files import read_lines, remove_stale_temp_files
from peerlit_tui.storage.sync_journal import SYNC_KEY, origin_of, set_origin

if TYPE_CHECKING:
    from peerlit_tui.services.annotations import AnnotationService
    from peerlit_tui.storage.annotation_history import Edit
    from peerlit_tui.storage.annotation_index import AnnotationIndex

#: Other machines' transactions applied per journal transaction, at most.
BATCH: Final = 5000
#: Pushes tried when other machines keep pushing first.
PUSH_TRIES: Final = 5
_UPSTREAM: Final = f"refs/remotes/{REMOTE}/{BRANCH}"


def owned(path: str, machine: str) -> bool:
    """True for a work-tree path this machine writes."""
    if path.startswith(f"{SOURCES}/"):
        return True
    return path in (f"{IMPORTS}/{machine}.jsonl", f"{SETTINGS}/{machine}.json") or (
        path.startswith(f"{CHANGES}/") and path.endswith(f"@{machine}.jsonl")
    )


def _status(git: Git) -> list[tuple[str, str]]:
    out = git.run("status", "--porcelain=v1", "-z", "--untracked-files=all").out
    items: list[tuple[str, str]] = []
    parts = iter(out.split("\0"))
    for part in parts:
        if len(part) < 4:
            continue
        code, path = part[:2], part[3:]
        if code[0] in "RC":
            next(parts, None)  # the rename's source path
        items.append((code, path))
    return items


def _good_source(path: Path) -> bool:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return False
    return path.name.startswith(digest.hexdigest())


def clean_tree(git: Git, tree: Path, machine: str, *, full: bool) -> None:
    """Undo what a killed git left: lock files, a half-done merge, half-written files.

    Without `full` (the last sync finished), only lock files are looked for.
    """
    git_dir = tree / ".git"
    remove_stale_locks(git_dir)
    for folder in (tree / SOURCES, tree / IMPORTS, tree / CHANGES, tree / SETTINGS, tree):
        remove_stale_temp_files(folder)
    if not full:
        return
    if (git_dir / "MERGE_HEAD").exists():
        if git.run("merge", "--abort", check=False).code != 0:
            git.run("reset", "--merge", check=False)
        (git_dir / "MERGE_HEAD").unlink(missing_ok=True)
    if not git.has_commit():
        return
    restore: list[str] = []
    for code, path in _status(git):
        where = tree / path
        if path.startswith(f"{SOURCES}/") and code == "??" and not _good_source(where):
            where.unlink(missing_ok=True)  # a copy cut short
        elif owned(path, machine):
            continue
        elif code == "??":
            where.unlink(missing_ok=True)
        else:
            restore.append(path)
    if restore:
        git.run("reset", "--quiet", "HEAD", "--", *restore, check=False)
        for path in restore:
            if git.run("checkout", "HEAD", "--", path, check=False).code != 0:
                (tree / path).unlink(missing_ok=True)


def commit(git: Git, tree: Path, machine: str, who: str, exported: int) -> bool:
    """Commit this machine's files; True when there was something to commit."""
    paths = [p for p in (SOURCES, f"{IMPORTS}/{machine}.jsonl", f"{SETTINGS}/{machine}.json")
             if (tree / p).exists()]  # fmt: skip
    folder = tree / CHANGES
    if folder.is_dir():
        paths += [f"{CHANGES}/{p.name}" for p in sorted(folder.glob(f"*@{machine}.jsonl"))]
    if not paths:
        return False
    git.run("add", "-A", "--", *paths)
    if git.run("diff", "--cached", "--quiet", check=False).code == 0:
        return False
    message = f"peerlit sync: {exported} changes by {who} (machine {machine})"
    git.run("commit", "--quiet", "--no-verify", "-m", message)
    return True


def _merge(git: Git) -> None:
    if not git.has_commit(_UPSTREAM):
        return  # an empty remote: nothing to merge
    if not git.has_commit():
        git.run("merge", "--quiet", "--ff-only", _UPSTREAM)
        return
    git.run("merge", "--quiet", "--no-edit", "--allow-unrelated-histories",
            "-m", "peerlit sync: merge the team's changes", _UPSTREAM)  # fmt: skip


def exchange(git: Git) -> None:
    """Fetch, merge and push; merge again and retry when another machine pushed first.

    Raises:
        RemoteError: When the remote cannot be reached or refuses the push.
    """
    for _ in range(PUSH_TRIES):
        git.run("fetch", "--quiet", REMOTE, network=True)
        _merge(git)
        heads = git.run("rev-parse", "HEAD", _UPSTREAM, check=False).out.split()
        if not heads or heads[0] == "HEAD":
            return  # nothing here and nothing there yet
        if heads[1:] == heads[:1]:
            return  # the remote has it all already
        pushed = git.run("push", "--quiet", REMOTE, f"HEAD:refs/heads/{BRANCH}",
                         network=True, check=False)  # fmt: skip
        if pushed.code == 0:
            return
        text = pushed.err.lower()
        if not ("rejected" in text or "fetch first" in text or "non-fast-forward" in text):
            raise RemoteError(pushed.err.strip() or "the push failed")
    raise RemoteError("other machines kept pushing meanwhile; sync again in a moment")


def _reviewer_of(path: Path) -> str:
    name = path.stem.rsplit("@", 1)[0]
    try:
        return validate_reviewer(name)
    except ValueError:
        return ""


def apply_changes(
    annotations: AnnotationService,
    tree: Path,
    machine: str,
    exporter: Exporter,
    warnings: list[str],
    save: Callable[[], None],
) -> tuple[int, int]:
    """Apply the other machines' transactions this library has not read yet.

    Args:
        annotations: The open annotations.
        tree: The sync folder.
        machine: This machine's id (its own files are skipped).
        exporter: Exports local transactions made meanwhile first, and holds the stamps.
        warnings: Receives a message per change that cannot be applied.
        save: Saves the sync state (after each batch).

    Returns:
        (transactions read, field changes made here).
    """
    offsets: dict[str, int] = exporter.state.setdefault("applied", {})
    folder = tree / CHANGES
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    store = annotations.store
    read = changed = 0
    for path in files:
        if path.name.endswith(f"@{machine}.jsonl"):
            continue
        start = offsets.get(path.name, 0)
        if path.stat().st_size < start:
            start = 0  # the file was replaced: read it again (applying is idempotent)
        items, end, bad = read_lines(path, start)
        if bad:
            warnings.append(f"{path.name}: {bad} unreadable lines skipped")
        reviewer = _reviewer_of(path)
        for first in range(0, len(items), BATCH):
            chunk = items[first : first + BATCH]
            planner = Planner(annotations, exporter.stamps, warnings)
            txns = [item for item, _ in chunk]

            def build(index: AnnotationIndex, txns: list[dict[str, Any]] = txns,
                      planner: Planner = planner) -> list[Edit]:  # fmt: skip
                exporter.export()  # local changes made meanwhile are stamped first
                planner.planned.clear()
                return planner.edits(index, txns)

            label = f"sync: {len(txns)} changes by {reviewer or 'a reviewer'} from the team"
            with store.index_lock:  # no other thread's save gets sync's marks
                origin, who = origin_of(store), store.reviewer
                set_origin(store, {**origin, SYNC_KEY: True})
                store.reviewer = reviewer or who
                try:
                    txn = store.transact(label, build)
                finally:
                    set_origin(store, origin)
                    store.reviewer = who
            exporter.stamps.update(planner.planned)
            offsets[path.name] = chunk[-1][1]
            if first + BATCH < len(items):
                save()  # the caller saves after the last batch
            read += len(txns)
            changed += txn.changes if txn is not None else 0
        offsets[path.name] = end
    return read, changed
