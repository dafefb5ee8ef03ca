"""Shared helpers for the annotation tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.storage.paths import ANNOTATIONS_JOURNAL, JOURNALS_DIR


def open_service(folder: Path, **kwargs: Any) -> AnnotationService:
    """Open with fsync off unless asked: most tests are about logic, not durability."""
    kwargs.setdefault("sync", False)
    return AnnotationService.open(folder, **kwargs)


def journal_path(folder: Path) -> Path:
    """The journal the test wrote: its one reviewer's, else `annotations.journal`.

    The service writes `annotations/<reviewer>.journal`; a store opened without a
    reviewer writes `annotations.journal`.
    """
    found = sorted((folder / JOURNALS_DIR).glob("*.journal"))
    return found[0] if len(found) == 1 else folder / ANNOTATIONS_JOURNAL


def journal_lines(folder: Path) -> list[dict[str, Any]]:
    """The complete journal entries, header included."""
    raw = journal_path(folder).read_bytes()
    return [json.loads(line) for line in raw.split(b"\n") if line.strip()]
