"""Shared helpers for the annotation tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.storage.paths import ANNOTATIONS_JOURNAL


def open_service(folder: Path, **kwargs: Any) -> AnnotationService:
    """Open with fsync off unless asked: most tests are about logic, not durability."""
    kwargs.setdefault("sync", False)
    return AnnotationService.open(folder, **kwargs)


def journal_lines(folder: Path) -> list[dict[str, Any]]:
    """The complete journal entries, header included."""
    raw = (folder / ANNOTATIONS_JOURNAL).read_bytes()
    return [json.loads(line) for line in raw.split(b"\n") if line.strip()]
