"""SVG snapshots of screening mode with include/exclude-word highlighting (80×24, 120×40).

Regenerate after an intended change with `pytest tests/ui/test_screening_snapshots.py
--snapshot-update` and review the SVGs. The decisions are made before the app starts,
so the rate reads "0 per hour" on every run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.library import Library
from peerlit_tui.services.project import ProjectSettings
from tests.ui.conftest import make_test_app, settle

SnapCompare = Callable[..., bool]


@pytest.fixture
def screening_setup(ui_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`ui_library` with words, reasons and three decisions; no user config."""
    monkeypatch.setenv("PEERLIT_CONFIG", str(tmp_path / "missing.toml"))
    project = ProjectSettings(ui_library, sync=False)
    project.set_words("include", ["peer support", "recovery"])
    project.set_words("exclude", ["editorial", "employment"])
    library = Library.open(ui_library)
    annotations = AnnotationService.open(ui_library)
    try:
        ids = library.columns().ids
        annotations.add_reason("wrong population")
        annotations.add_reason("not peer support")
        annotations.set_decision([ids[0]], "include")
        annotations.set_decision([ids[1]], "exclude", "wrong population")
        annotations.set_decision([ids[2]], "maybe")
    finally:
        annotations.close()
        library.close()
    return ui_library


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_screening_mode_with_highlighted_words(
    snap_compare: SnapCompare, screening_setup: Path, size: tuple[int, int]
) -> None:
    """Screening mode on the first undecided record: progress, reason keys, green/red words."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("f2", "n")
        await settle(pilot)

    app = make_test_app(screening_setup)
    try:
        assert snap_compare(app, terminal_size=size, run_before=run)
    finally:
        app.close_services()
