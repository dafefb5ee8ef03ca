"""Where a library lives on disk.

A library is a folder holding the record store, the annotations store and their
journals (`annotations.journal` from before reviewers had their own, and
`annotations/<reviewer>.journal`) and backups. Its location comes from, in
order: `--library DIR`, the `PEERLIT_LIBRARY` environment variable, or the
platform's user data folder.
"""

from __future__ import annotations

import os
from pathlib import Path

#: File names inside a library folder.
RECORDS_DB = "records.sqlite3"
ANNOTATIONS_JSON = "annotations.json"
ANNOTATIONS_JOURNAL = "annotations.journal"
ANNOTATIONS_LOCK = "annotations.lock"
BACKUP_DIR = "backups"
#: The folder of the reviewers' journals: `annotations/<reviewer>.journal`, each
#: with its lock file `annotations/<reviewer>.lock`.
JOURNALS_DIR = "annotations"
JOURNAL_SUFFIX = ".journal"
LOCK_SUFFIX = ".lock"


def reviewer_journal(reviewer: str) -> str:
    """The name (path inside the library) of a reviewer's journal: "annotations/alice.journal".

    Reviewer names are checked when given (`screening_decisions.validate_reviewer`):
    letters, digits, ".", "_" and "-", never a leading dot, so a name is one plain
    file name.
    """
    return f"{JOURNALS_DIR}/{reviewer}{JOURNAL_SUFFIX}"


def lock_of(journal: str) -> str:
    """The lock file of a journal name (`annotations.lock` for `annotations.journal`)."""
    if journal == ANNOTATIONS_JOURNAL:
        return ANNOTATIONS_LOCK
    return journal[: -len(JOURNAL_SUFFIX)] + LOCK_SUFFIX


def default_library_dir() -> Path:
    """The platform's per-user data folder for peerlit (e.g. ~/.local/share/peerlit)."""
    from platformdirs import user_data_dir  # not needed when `--library` names the folder

    return Path(user_data_dir("peerlit", appauthor=False)) / "library"


def resolve_library_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Pick the library folder.

    Args:
        explicit: A folder given on the command line, if any.

    Returns:
        The folder to use (not created here).
    """
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("PEERLIT_LIBRARY")
    if env:
        return Path(env).expanduser()
    return default_library_dir()
