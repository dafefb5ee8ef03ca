"""The app survives a catastrophic regular expression typed in the filter bar."""

from __future__ import annotations

import time
from pathlib import Path

from peerlit_tui.services.library import Library
from peerlit_tui.ui.screens.main import MainScreen
from tests.ui.conftest import SAMPLE_FILE, make_test_app, settle


def _library(tmp_path: Path) -> Path:
    ris = tmp_path / "redos.ris"
    ris.write_text(
        "TY  - JOUR\nTI  - Recovery in " + "a" * 40 + "!\nAB  - " + "a" * 5000 + "!\nER  - \n",
        encoding="utf-8",
    )
    folder = tmp_path / "library"
    library = Library.open(folder)
    try:
        assert library.import_files([SAMPLE_FILE, ris]).exit_code == 0
    finally:
        library.close()
    return folder


async def test_a_regex_that_takes_too_long_keeps_the_last_good_result(tmp_path: Path) -> None:
    app = make_test_app(_library(tmp_path))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, MainScreen)
            screen.filter_bar.focus_input()
            screen.filter_bar.set_value("recover")
            await pilot.press("y")
            await settle(pilot)
            good = list(screen.record_list.rows)
            assert len(good) >= 2
            started = time.monotonic()
            screen.filter_bar.set_value("/(a|aa)+$/")
            await pilot.press("space")
            await settle(pilot)
            assert time.monotonic() - started < 30  # a hang detector only
            assert "took too long; simplify it" in screen.filter_bar.error
            assert screen.record_list.rows == good
            await pilot.press("escape")  # the app still takes keys
    finally:
        app.close_services()
