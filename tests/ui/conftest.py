"""Fixtures for the UI tests: small real libraries and a deterministic app.

A library here is a folder in tmp_path holding the bundled sample data (ten
Emerald records with derived titles and structured abstracts) plus five synthetic
RIS records (`tests/fixtures/ui/synthetic.ris`: a structured abstract, an
unstructured one, a markup-looking title, a long chapter title, no authors).
The import time is pinned so the libraries are identical on every run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerFailed

from peerlit_tui.services.annotations import AnnotationService
from peerlit_tui.services.library import Library
from peerlit_tui.ui.app import PeerlitApp
from tests.conftest import FIXTURES, SAMPLE_DATA

SAMPLE_FILE = SAMPLE_DATA / "emerald_peer_support_results.txt"
SYNTHETIC_FILE = FIXTURES / "ui" / "synthetic.ris"
FIXED_TIME = "2025-01-02T03:04:05Z"
#: Records in `ui_library`: ten sample records and five synthetic ones.
LIBRARY_SIZE = 15


@pytest.fixture
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the import timestamp (shown as "date added" and in provenance)."""
    monkeypatch.setattr("peerlit_tui.importers.pipeline.now_iso", lambda: FIXED_TIME)


@pytest.fixture
def ui_library(tmp_path: Path, pinned_clock: None) -> Path:
    """A library folder with the sample data and the synthetic records imported."""
    folder = tmp_path / "library"
    library = Library.open(folder)
    try:
        summary = library.import_files([SAMPLE_FILE, SYNTHETIC_FILE])
    finally:
        library.close()
    assert summary.total("added") == LIBRARY_SIZE
    return folder


@pytest.fixture
def empty_library(tmp_path: Path, pinned_clock: None) -> Path:
    """An empty library folder."""
    return tmp_path / "empty-library"


def make_test_app(folder: Path, **kwargs: Any) -> PeerlitApp:
    """The app with a fixed theme and no cursor blink (deterministic screenshots)."""
    kwargs.setdefault("sample_dir", SAMPLE_DATA)
    return PeerlitApp(folder, cursor_blink=False, theme="textual-dark", **kwargs)


@asynccontextmanager
async def running_app(
    folder: Path, size: tuple[int, int] = (80, 24), **kwargs: Any
) -> AsyncIterator[tuple[PeerlitApp, Pilot[Any]]]:
    """The app on `folder` running headless at `size`; its stores are closed afterwards."""
    instance = make_test_app(folder, **kwargs)
    try:
        async with instance.run_test(size=size) as pilot:
            yield instance, pilot
    finally:
        instance.close_services()


@pytest.fixture
def app(ui_library: Path) -> Iterator[PeerlitApp]:
    """The app on `ui_library`; its stores are closed after the test."""
    instance = make_test_app(ui_library)
    yield instance
    instance.close_services()


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until no worker runs, no search waits and the detail pane has followed the cursor.

    Two quiet rounds in a row: a worker's result message can start a timer (the
    detail pane's 50 ms delay) or another worker after the first round.
    """
    app = pilot.app
    quiet = 0
    for _ in range(100):
        try:
            await app.workers.wait_for_complete()
        except WorkerFailed:
            # A worker that failed is the app's to report (tests check the notice); while
            # it is still listed, waiting re-raises its error.
            pass
        await pilot.pause(0.06)  # longer than the detail pane's 50 ms delay
        busy = any(w.is_running for w in app.workers) or getattr(app.screen, "busy", False)
        quiet = 0 if busy else quiet + 1
        if quiet == 2:
            return
    raise AssertionError("the app did not settle")


def decide_at(folder: Path, decisions: dict[int, str], reviewer: str | None = None) -> list[str]:
    """Decide records by their position in library order; returns every id."""
    library = Library.open(folder)
    annotations = AnnotationService.open(folder, reviewer=reviewer)
    try:
        ids = library.columns().ids
        for position, decision in decisions.items():
            annotations.set_decision([ids[position]], decision)
        return list(ids)
    finally:
        annotations.close()
        library.close()


@pytest.fixture
def ranked_library(ui_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`ui_library` with two sample records included and two synthetic ones excluded."""
    monkeypatch.setenv("PEERLIT_CONFIG", str(tmp_path / "missing.toml"))
    decide_at(ui_library, {0: "include", 1: "include", 12: "exclude", 14: "exclude"})
    return ui_library


@pytest.fixture
def ranked_app(ranked_library: Path) -> Iterator[PeerlitApp]:
    app = make_test_app(ranked_library)
    yield app
    app.close_services()
